"""The same rights under the cn, eu and us profiles, through the API: where they
differ (consent, legal basis, deadlines, notice) and where they do not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from socialcredit.store.models import AuditEntry
from tests.utils.postgres import postgres_schema
from tests.utils.service import STRICT, Service, start_service

EXPECTED = {
    # profile: (stranger's read with a purpose only, dispute days, notice days, review days)
    "cn": (403, 20, 7, 15),
    "eu": (400, 30, 0, 30),
    "us": (200, 30, 0, 30),
}


@pytest.fixture(
    params=[
        *(pytest.param((p, "sqlite"), id=f"{p}-sqlite") for p in EXPECTED),
        *(
            pytest.param((p, "postgresql"), id=f"{p}-postgresql", marks=pytest.mark.postgres)
            for p in EXPECTED
        ),
    ],
)
def profiled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Service]]:
    profile, store = request.param
    url = postgres_schema(request.getfixturevalue("postgres")) if store == "postgresql" else None
    with start_service(tmp_path, url, profile=profile) as running:
        yield profile, running


def _read(service: Service, who: str, **params: str) -> Any:
    return service.client.get(
        f"/v1/subjects/{who}/score",
        params={"purpose": "credit_application"} | params,
        headers=service.auth(service.bank),
    )


def test_score_reads_follow_the_profile(profiled: tuple[str, Service]) -> None:
    profile, service = profiled
    expected = EXPECTED[profile][0]
    bare = _read(service, service.stranger_id)
    assert bare.status_code == expected, bare.text
    if expected != 200:
        code = {"cn": "no_consent", "eu": "no_legal_basis"}[profile]
        assert bare.json()["error"]["code"] == code
    # With a legal basis: eu reads; cn still needs the person's consent.
    based = _read(service, service.stranger_id, legal_basis="legitimate_interests")
    assert based.status_code == (403 if profile == "cn" else 200), based.text
    if based.status_code == 200:
        assert based.json()["legal_basis"] == "legitimate_interests"
    # Consent as the basis needs a recorded consent, under every profile.
    assert _read(service, service.stranger_id, legal_basis="consent").status_code == 403
    assert _read(service, service.citizen_id, legal_basis="consent").status_code == 200
    assert _read(service, service.citizen_id, legal_basis="whim").status_code == 422
    with service.workspace.store().session() as session:
        recorded = session.execute(
            select(AuditEntry.action, AuditEntry.detail).where(
                AuditEntry.action.in_(("score_read", "score_read_refused"))
            )
        ).all()
    bases = [detail.get("legal_basis") for _, detail in recorded]
    assert "legitimate_interests" in bases, "the basis is recorded"
    assert "consent" in bases
    # Every attempt is logged, refused or not; the malformed one never read anything.
    assert len(recorded) == 4


def test_decisions_follow_the_profile(profiled: tuple[str, Service]) -> None:
    profile, service = profiled
    made = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:*"]},
    ).json()["key"]
    body = {"resident_id": service.stranger_id, "action": "loan", "purpose": "credit_application"}
    bare = service.client.post("/v1/decisions", headers=service.auth(made), json=body)
    assert bare.status_code == EXPECTED[profile][0], bare.text
    based = service.client.post(
        "/v1/decisions",
        headers=service.auth(made),
        json=body | {"legal_basis": "contract"},
    )
    assert based.status_code == (403 if profile == "cn" else 200), based.text


def test_deadlines_and_notice_follow_the_profile(profiled: tuple[str, Service]) -> None:
    profile, service = profiled
    _, dispute_days, notice_days, review_days = EXPECTED[profile]
    me, op = service.auth(service.citizen), service.auth(service.operator)
    rules = service.client.get("/v1/rules").json()
    assert (rules["profile"], rules["dispute_deadline_days"]) == (profile, dispute_days)
    assert rules["notice_working_days"] == notice_days
    notices = service.client.get("/v1/me/notifications", headers=me).json()
    assert notices["notice_working_days"] == notice_days
    # Human review exists under every profile; only its deadline differs. (Before the
    # dispute below: a contested file is referred, not declined.)
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    lender = service.client.post(
        "/v1/keys",
        headers=op,
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:loan"]},
    ).json()["key"]
    declined = service.client.post(
        "/v1/decisions",
        headers=service.auth(lender),
        json={
            "resident_id": service.citizen_id,
            "action": "loan",
            "purpose": "credit_application",
            "legal_basis": "consent",
        },
    ).json()
    review = service.client.post(
        "/v1/me/reviews",
        headers=me,
        json={"decision_id": declined["decision_id"], "statement": "x"},
    ).json()
    asked, due = (dt.datetime.fromisoformat(review[k]) for k in ("requested_at", "deadline"))
    assert (due - asked).days == review_days
    dispute = service.dispute_a_bank_payment("paid").json()
    opened, deadline = (dt.datetime.fromisoformat(dispute[k]) for k in ("opened_at", "deadline"))
    assert (deadline - opened).days == dispute_days
