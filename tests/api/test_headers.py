"""What the answers' headers promise: no cache keeps a person's file, no browser sniffs a
type, no page frames the console, a rate-limited client knows when to retry, and a key
with an expiry stops working then, answered as an unknown key is."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socialcredit.store import keys
from socialcredit.store.models import Credential
from tests.utils.service import Service


def _get(service: Service, who: str, path: str) -> Any:
    key = {"operator": service.operator, "bank": service.bank, "citizen": service.citizen}
    return service.client.get(path, headers=service.auth(key[who]) if who else None)


PERSONAL = [
    ("citizen", "/v1/me/report"),
    ("citizen", "/v1/me/consents"),
    ("citizen", "/v1/me/decisions"),
    ("citizen", "/v1/me/disputes"),
    ("citizen", "/v1/me/export"),
    ("citizen", "/v1/me/notifications"),
]


@pytest.mark.parametrize(("who", "path"), PERSONAL)
def test_a_persons_file_is_never_cached(service: Service, who: str, path: str) -> None:
    answered = _get(service, who, path)
    assert answered.status_code == 200, answered.text
    assert answered.headers["cache-control"] == "no-store"
    assert answered.headers["x-content-type-options"] == "nosniff"


def test_the_operators_report_is_never_cached(service: Service) -> None:
    key = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    path = f"/v1/operator/people/{key['subject_key']}/report?purpose=dispute_review"
    answered = _get(service, "operator", path)
    assert answered.status_code == 200, answered.text
    assert answered.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("", "/v1/health", 200),
        ("", "/v1/nowhere", 404),
        ("bank", "/v1/batches/none", 404),
        ("", "/console/", 200),
        ("", "/console/js/scale.js", 200),
        ("", "/docs", 200),
    ],
)
def test_nothing_is_sniffed(service: Service, who: str, path: str, status: int) -> None:
    answered = _get(service, who, path)
    assert answered.status_code == status
    assert answered.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/console/", "/console/report.html"])
def test_the_console_is_never_framed(service: Service, path: str) -> None:
    answered = _get(service, "", path)
    assert answered.status_code == 200
    policy = answered.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy


def test_a_rate_limited_client_is_told_when_to_retry(service: Service) -> None:
    key = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["disputes:answer"]},
    ).json()
    with service.workspace.store().session() as session, session.begin():
        credential = session.get(Credential, key["credential_id"])
        assert credential is not None
        credential.rate_per_minute = 6  # a burst of one, then one every 10 seconds
    answers = [
        service.client.get("/v1/disputes", headers=service.auth(key["key"])) for _ in range(3)
    ]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert limited[0].headers["retry-after"] == "10"


def _key_expiring(service: Service, expires_in: dt.timedelta) -> str:
    with service.workspace.store().session() as session, session.begin():
        _, plain = keys.create_key(
            session,
            "partner",
            partner_id="harbour-bank",
            scopes=["disputes:answer", "decisions:*"],
            expires_in=expires_in,
        )
    return plain


def test_an_expired_key_is_answered_as_an_unknown_one(service: Service) -> None:
    live = _key_expiring(service, dt.timedelta(days=1))
    expired = _key_expiring(service, dt.timedelta(seconds=-1))
    assert _get_with(service, live, "/v1/disputes").status_code == 200
    unknown = _get_with(service, "scp_not-a-key", "/v1/disputes")
    assert unknown.status_code == 401
    for path in ("/v1/disputes", "/v1/console/whoami"):
        answered = _get_with(service, expired, path)
        assert (answered.status_code, answered.json()) == (401, unknown.json()), path
    decided = service.client.post(
        "/v1/decisions",
        headers=service.auth(expired),
        json={"resident_id": service.citizen_id, "action": "loan", "purpose": "credit_application"},
    )
    assert (decided.status_code, decided.json()) == (401, unknown.json())


def test_the_operator_issues_a_key_that_expires(service: Service) -> None:
    created = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={
            "kind": "partner",
            "partner_id": "harbour-bank",
            "scopes": ["disputes:answer"],
            "expires_in_days": 90,
        },
    )
    assert created.status_code == 201, created.text
    with service.workspace.store().session() as session:
        credential = session.get(Credential, created.json()["credential_id"])
        assert credential is not None
        assert credential.expires_at is not None
        assert credential.expires_at - credential.created_at == dt.timedelta(days=90)
        assert created.json()["expires_at"] == credential.expires_at.isoformat()


def _get_with(service: Service, key: str, path: str) -> Any:
    return service.client.get(path, headers=service.auth(key))
