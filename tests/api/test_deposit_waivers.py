"""Deposit waivers and risk-based prices through the API, on SQLite and PostgreSQL:
a car-hire firm asks whether to waive a deposit, with the person's consent and a
key scoped to that one decision; prices are terms of the decision, explained; a
store that still has the first default policy live keeps deciding on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from socialcredit.decisions import CreditPolicy, default_policy
from socialcredit.decisions.store import publish_policy
from tests.utils.service import Service

FIRST_DEFAULT = Path(__file__).parents[1] / "decisions" / "credit-default-1.json"
WAIVER = {"action": "deposit_waiver", "purpose": "deposit_waiver_application"}


def _car_hire(service: Service, scopes: list[str]) -> str:
    ops = service.auth(service.operator)
    service.client.post(
        "/v1/partners",
        headers=ops,
        json={"partner_id": "swift-car-hire", "name": "Swift", "kind": "car_hire"},
    )
    made = service.client.post(
        "/v1/keys",
        headers=ops,
        json={"kind": "partner", "partner_id": "swift-car-hire", "scopes": scopes},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def _ask(service: Service, key: str, **body: Any) -> Any:
    payload = {"resident_id": service.citizen_id} | WAIVER | body
    return service.client.post("/v1/decisions", headers=service.auth(key), json=payload)


def _score(service: Service) -> int:
    published = service.client.get(
        f"/v1/subjects/{service.citizen_id}/score?purpose=deposit_waiver_application",
        headers=service.auth(service.bank),
    )
    assert published.status_code == 200, published.text
    return int(published.json()["score"])


def test_a_consented_deposit_waiver_decision_is_explained(service: Service) -> None:
    op, me = service.auth(service.operator), service.auth(service.citizen)
    live = service.client.get("/v1/policies/live", headers=op).json()
    assert live["version"] == default_policy().version
    assert "deposit_waiver" in live["actions"]
    hire = _car_hire(service, ["decisions:deposit_waiver"])
    refused = _ask(service, hire)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "no_consent"
    granted = service.client.post(
        "/v1/me/consents",
        headers=me,
        json={"partner_id": "swift-car-hire", "purpose": "deposit_waiver_application"},
    )
    assert granted.status_code == 201, granted.text

    answer = _ask(service, hire)
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    score = _score(service)
    band = default_policy().actions["deposit_waiver"].band_for(score)
    assert decision["score"] == score
    assert (decision["decision"], decision["terms"]) == (band.outcome, band.terms)
    assert decision["terms"]["max_waived_cny"] > 0, "the fixture's person is in a waiving band"
    assert decision["versions"]["policy"] == default_policy().version
    en, zh = decision["notes"][:2]
    assert f"Score {score} falls in the {band.min_score}-" in en
    assert "for a deposit waiver" in en
    assert f"信用分 {score} 位于信用政策" in zh
    assert "免押金" in zh
    if decision["adverse"]:
        assert decision["reasons"]
        assert decision["reasons"][0]["label"] in en
        assert decision["reasons"][0]["label_zh"] in zh

    # One decision, one scope, one purpose.
    assert _ask(service, hire, action="loan", purpose="credit_application").status_code == 403
    wrong = _ask(service, _car_hire(service, ["decisions:*"]), purpose="rental_application")
    assert wrong.status_code == 403
    assert "permitted: deposit_waiver_application" in wrong.json()["error"]["message"]
    mine = service.client.get("/v1/me/decisions", headers=me).json()["decisions"]
    assert [(d["action"], d["purpose"]) for d in mine] == [
        ("deposit_waiver", "deposit_waiver_application")
    ]
    report = service.client.get("/v1/me/report", headers=me).json()
    assert {
        "by": "swift-car-hire",
        "action": "decision",
        "purpose": "deposit_waiver_application",
    } in [{k: a[k] for k in ("by", "action", "purpose")} for a in report["accesses"]]


def test_a_waiver_and_a_subsidised_rate_are_terms_explained_with_band_and_reasons(
    service: Service,
) -> None:
    op = service.auth(service.operator)
    score = _score(service)
    assert 350 < score < 950, "the person sits between two bands of the policy below"
    priced = {
        "version": "priced-test-1",
        "actions": {
            "loan": {
                "bands": [
                    {
                        "min_score": score + 1,
                        "outcome": "approve",
                        "terms": {"annual_rate_pct": 3.6},
                    },
                    {
                        "min_score": score,
                        "outcome": "approve",
                        "terms": {"max_amount_cny": 20000, "annual_rate_pct": 7.2, "fee_cny": 150},
                    },
                    {"min_score": 350, "outcome": "decline"},
                ]
            },
            "deposit_waiver": {
                "bands": [
                    {
                        "min_score": score,
                        "outcome": "approve",
                        "terms": {"max_waived_cny": 3000, "fee_cny": 25},
                    },
                    {"min_score": 350, "outcome": "decline"},
                ]
            },
        },
    }
    assert service.client.post("/v1/policies", headers=op, json=priced).status_code == 201
    lender = _car_hire(service, ["decisions:*"])
    for purpose in ("credit_application", "deposit_waiver_application"):
        granted = service.client.post(
            "/v1/me/consents",
            headers=service.auth(service.citizen),
            json={"partner_id": "swift-car-hire", "purpose": purpose},
        )
        assert granted.status_code == 201, granted.text
    loan = _ask(service, lender, action="loan", purpose="credit_application").json()
    assert loan["decision"] == "approve"
    assert loan["terms"] == {"max_amount_cny": 20000, "annual_rate_pct": 7.2, "fee_cny": 150}
    assert loan["adverse"], "a higher rate than the best band's is an adverse decision"
    assert loan["reasons"], "with its principal reasons"
    en, zh = loan["notes"]
    assert f"the {score}-{score} band of credit policy priced-test-1" in en
    assert "an annual rate of 7.2%, a fee of 150 CNY" in en
    assert f"The best band starts at {score + 1}: an annual rate of 3.6%." in en
    assert loan["reasons"][0]["label"] in en
    assert "年利率 7.2%，费用 150 元" in zh
    assert loan["reasons"][0]["label_zh"] in zh
    waiver = _ask(service, lender).json()
    assert (waiver["decision"], waiver["adverse"]) == ("approve", False)
    assert waiver["terms"] == {"max_waived_cny": 3000, "fee_cny": 25}
    assert "deposits waived up to 3,000 CNY, a fee of 25 CNY" in waiver["notes"][0]
    assert "免押金额最高 3,000 元，费用 25 元" in waiver["notes"][1]
    kept = service.client.get(
        f"/v1/decisions/{loan['decision_id']}", headers=service.auth(lender)
    ).json()
    assert (kept["terms"], kept["notes"]) == (loan["terms"], loan["notes"])


def test_bad_prices_and_actions_outside_credit_are_refused_at_publication(
    service: Service,
) -> None:
    op = service.auth(service.operator)
    usury = {
        "version": "usury-1",
        "actions": {
            "credit_card": {
                "bands": [
                    {"min_score": 600, "outcome": "approve", "terms": {"annual_rate_pct": 48}},
                    {"min_score": 350, "outcome": "decline"},
                ]
            }
        },
    }
    refused = service.client.post("/v1/policies", headers=op, json=usury)
    assert refused.status_code == 422, refused.text
    assert (
        "credit_card band from 600: annual_rate_pct 48 is out of bounds"
        in refused.json()["error"]["message"]
    )
    travel = {
        "version": "travel-1",
        "actions": {"deposit_waiver": usury["actions"]["credit_card"], "train_tickets": {}},
    }
    refused = service.client.post("/v1/policies", headers=op, json=travel)
    assert refused.status_code == 422
    live = service.client.get("/v1/policies/live", headers=op).json()
    assert live["version"] == default_policy().version, "nothing refused became live"


def test_a_store_with_the_first_default_live_keeps_working(service: Service) -> None:
    """As a store set up by an earlier release holds it: the first default, live."""
    op = service.auth(service.operator)
    first = json.loads(FIRST_DEFAULT.read_text(encoding="utf-8"))
    with service.workspace.store().session() as session, session.begin():
        publish_policy(session, CreditPolicy.model_validate(first), actor="package")
    bank = service.client.post(
        "/v1/keys",
        headers=op,
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:*"]},
    ).json()["key"]
    loan = _ask(service, bank, action="loan", purpose="credit_application")
    assert loan.status_code == 200, loan.text
    assert loan.json()["versions"]["policy"] == "credit-default-1"
    assert loan.json()["notes"], "decisions on the old version are explained too"
    waiver = _ask(service, bank)
    assert waiver.status_code == 422
    assert "credit-default-1 does not decide deposit_waiver" in waiver.json()["error"]["message"]
    assert service.client.get("/v1/policies/live", headers=op).json()["version"] == (
        "credit-default-1"
    ), "a new release does not change the live policy behind the operator's back"

    newer = default_policy().model_dump(mode="json")
    assert service.client.post("/v1/policies", headers=op, json=newer).status_code == 201
    waived = _ask(service, bank)
    assert waived.status_code == 200, waived.text
    assert waived.json()["versions"]["policy"] == default_policy().version
    back = service.client.post("/v1/policies", headers=op, json=first)
    assert back.status_code == 201, "a published version can be made live again unchanged"
    assert _ask(service, bank).status_code == 422
