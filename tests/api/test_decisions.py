"""Credit decisions through the API, on SQLite and PostgreSQL: refusals, the policy's
credit-only rule, protections for thin and contested files, and human review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialcredit.decisions import default_policy
from socialcredit.store.models import Consent
from tests.utils.service import STRICT, Service

# A valid resident ID of someone with no file (birth 1949, Beijing).
NOBODY = "11010519491231002X"


def _key(service: Service, scopes: list[str]) -> str:
    made = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": scopes},
    )
    assert made.status_code == 201, made.text
    key: str = made.json()["key"]
    return key


def _ask(service: Service, key: str, **body: Any) -> Any:
    payload = {"resident_id": service.citizen_id, "action": "loan", "purpose": "credit_application"}
    return service.client.post("/v1/decisions", headers=service.auth(key), json=payload | body)


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == status
    return error


def test_a_decision_is_explained_logged_and_shown_to_the_person(service: Service) -> None:
    lender = _key(service, ["decisions:*"])
    answer = _ask(service, lender)
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    assert decision["decision"] in ("approve", "refer", "decline")
    assert decision["versions"]["policy"] == default_policy().version
    assert decision["versions"]["scorecard"]
    assert decision["versions"]["score_run"]
    published = service.client.get(
        f"/v1/subjects/{service.citizen_id}/score?purpose=credit_application",
        headers=service.auth(service.bank),
    ).json()
    assert decision["score"] == published["score"]
    if decision["adverse"]:
        assert decision["reasons"]
        assert all(r["points_lost"] > 0 for r in decision["reasons"])
    mine = service.client.get("/v1/me/decisions", headers=service.auth(service.citizen)).json()
    assert [d["decision_id"] for d in mine["decisions"]] == [decision["decision_id"]]
    report = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    assert {"by": "harbour-bank", "action": "decision", "purpose": "credit_application"} in [
        {k: a[k] for k in ("by", "action", "purpose")} for a in report["accesses"]
    ]
    verified = service.client.get("/v1/audit/verify", headers=service.auth(service.operator))
    assert verified.json()["ok"] is True
    seen = service.client.get(
        f"/v1/decisions/{decision['decision_id']}", headers=service.auth(lender)
    )
    assert seen.json()["decision"] == decision["decision"]
    other = service.client.get(
        f"/v1/decisions/{decision['decision_id']}", headers=service.auth(service.telecom)
    )
    _error(other, 404)  # another partner never sees it


def test_decision_refusals(service: Service) -> None:
    lender = _key(service, ["decisions:loan"])
    _error(service.client.post("/v1/decisions", json={}), 401)
    _error(_ask(service, "scp_not-a-key"), 401)
    _error(_ask(service, service.bank), 403)  # no decisions scope
    assert (
        "decisions:credit_card"
        in _error(_ask(service, lender, action="credit_card"), 403)["message"]
    )
    assert (
        "not a credit decision"
        in _error(_ask(service, lender, action="employment"), 422)["message"]
    )
    _error(_ask(service, lender, purpose="employment_screening"), 403)
    assert (
        "does not permit"
        in _error(_ask(service, lender, purpose="rental_application"), 403)["message"]
    )
    _error(_ask(service, lender, resident_id="123"), 422)
    _error(_ask(service, service.citizen), 403)  # a citizen key asks no decisions
    assert _error(_ask(service, lender, resident_id=NOBODY), 403)["code"] == "no_consent"
    made = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:*"]},
    ).json()
    assert _ask(service, made["key"]).status_code == 200
    service.client.delete(
        f"/v1/keys/{made['credential_id']}", headers=service.auth(service.operator)
    )
    _error(_ask(service, made["key"]), 401)  # revocation takes effect at once
    assert _ask(service, lender).status_code == 200  # other keys unaffected


def test_policies_decide_credit_only(service: Service) -> None:
    op = service.auth(service.operator)
    travel = {"version": "x1", "actions": {"flight_booking": STRICT["actions"]["loan"]}}
    refused = service.client.post("/v1/policies", headers=op, json=travel)
    assert "not a credit product" in _error(refused, 422)["message"]
    ban = {
        "version": "x2",
        "actions": {
            "loan": {
                "bands": [
                    {"min_score": 600, "outcome": "approve", "terms": {"travel_ban_days": 1}},
                    {"min_score": 350, "outcome": "decline"},
                ]
            }
        },
    }
    assert (
        "not terms of loan"
        in _error(service.client.post("/v1/policies", headers=op, json=ban), 422)["message"]
    )
    gap = {
        "version": "x3",
        "actions": {"loan": {"bands": [{"min_score": 600, "outcome": "refer"}]}},
    }
    _error(service.client.post("/v1/policies", headers=op, json=gap), 422)
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    changed = STRICT | {"description": "same version, other content"}
    _error(service.client.post("/v1/policies", headers=op, json=changed), 422)
    _error(
        service.client.post("/v1/policies", headers=service.auth(service.bank), json=STRICT), 403
    )
    live = service.client.get("/v1/policies/live", headers=op).json()
    assert live["version"] == "strict-test-1"
    versions = service.client.get("/v1/policies", headers=op).json()["policies"]
    assert [v["version"] for v in versions if v["live"]] == ["strict-test-1"]


def test_thin_and_contested_files_are_referred_not_declined(service: Service) -> None:
    op = service.auth(service.operator)
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    lender = _key(service, ["decisions:*"])
    assert _ask(service, lender).json()["decision"] == "decline"
    workspace = service.workspace
    with workspace.store().session() as session, session.begin():
        now = dt.datetime.now()
        session.add(
            Consent(
                consent_id="c-nobody",
                subject_key=workspace.keyer().key(NOBODY),
                partner_id="harbour-bank",
                purpose="credit_application",
                granted_at=now,
                expires_at=now + dt.timedelta(days=1),
                revoked_at=None,
            )
        )
    thin = _ask(service, lender, resident_id=NOBODY).json()
    assert (thin["decision"], thin["adverse"], thin["score"]) == ("refer", False, None)
    opened = service.dispute_a_bank_payment("not mine")
    assert opened.status_code == 201, opened.text
    contested = _ask(service, lender).json()
    assert contested["decision"] == "refer"
    assert any("contests" in note for note in contested["notes"])


def test_human_review_of_an_adverse_decision(service: Service) -> None:
    op, me = service.auth(service.operator), service.auth(service.citizen)
    lender = _key(service, ["decisions:*"])
    approved = _ask(service, lender, action="tenancy", purpose="rental_application").json()
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    declined = _ask(service, lender).json()
    assert (declined["decision"], declined["adverse"]) == ("decline", True)
    assert declined["reasons"], "an adverse decision gives its principal reasons"
    if not approved["adverse"]:
        nothing = service.client.post(
            "/v1/me/reviews",
            headers=me,
            json={"decision_id": approved["decision_id"], "statement": "x"},
        )
        _error(nothing, 422)
    asked = service.client.post(
        "/v1/me/reviews",
        headers=me,
        json={"decision_id": declined["decision_id"], "statement": "My income doubled last year."},
    )
    assert asked.status_code == 201, asked.text
    review = asked.json()
    assert review["status"] == "open"
    assert not review["overdue"]
    again = service.client.post(
        "/v1/me/reviews",
        headers=me,
        json={"decision_id": declined["decision_id"], "statement": "x"},
    )
    _error(again, 422)
    someone_else = service.client.post(
        "/v1/me/reviews", headers=me, json={"decision_id": "nope", "statement": "x"}
    )
    _error(someone_else, 404)
    queue = service.client.get("/v1/reviews?status=open", headers=op).json()["reviews"]
    assert [r["review_id"] for r in queue] == [review["review_id"]]
    explained = queue[0]["decision"]
    assert explained["reasons"]
    assert explained["versions"]["policy"] == "strict-test-1"
    _error(service.client.get("/v1/reviews", headers=service.auth(service.bank)), 403)
    resolved = service.client.post(
        f"/v1/reviews/{review['review_id']}/resolve",
        headers=op,
        json={"outcome": "overturn", "reason": "Recent income evidence outweighs the old arrears."},
    )
    assert resolved.status_code == 200, resolved.text
    twice = service.client.post(
        f"/v1/reviews/{review['review_id']}/resolve",
        headers=op,
        json={"outcome": "confirm", "reason": "x"},
    )
    _error(twice, 422)
    mine = service.client.get("/v1/me/reviews", headers=me).json()["reviews"]
    assert (mine[0]["status"], mine[0]["resolution"]) == (
        "overturned",
        "Recent income evidence outweighs the old arrears.",
    )
    partner_view = service.client.get(
        f"/v1/decisions/{declined['decision_id']}", headers=service.auth(lender)
    ).json()
    assert partner_view["decision"] == "decline", "the decision as made is kept"
    assert partner_view["review"]["status"] == "overturned"
    monitoring = service.client.get("/v1/reviews?status=overturned", headers=op).json()
    assert monitoring["overturned_by_policy"] == [
        {"policy_version": "strict-test-1", "action": "loan", "overturned": 1}
    ]
    assert service.client.get("/v1/audit/verify", headers=op).json()["ok"] is True


def test_the_own_copy_holds_decisions_and_reviews(service: Service) -> None:
    op, me = service.auth(service.operator), service.auth(service.citizen)
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    declined = _ask(service, _key(service, ["decisions:loan"])).json()
    service.client.post(
        "/v1/me/reviews",
        headers=me,
        json={"decision_id": declined["decision_id"], "statement": "x"},
    )
    copy = service.client.get("/v1/me/export", headers=me).json()
    assert [d["decision_id"] for d in copy["decisions"]] == [declined["decision_id"]]
    assert copy["decisions"][0]["review"]["status"] == "open"
    for lang, heading in (("en", "Credit decisions about you"), ("zh", "关于您的信贷决定")):
        page = service.client.get(
            "/v1/me/export", params={"format": "html", "lang": lang}, headers=me
        ).text
        assert heading in page
        assert "decline" in page
