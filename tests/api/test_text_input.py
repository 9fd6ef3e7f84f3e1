"""Text no store can keep is refused before it reaches one, the same on SQLite and on
PostgreSQL: a NUL character anywhere in a body, a path or a query, and a path value
longer than the column it names. Each is a 422 in the one error shape, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.service import Service

KEY = "ab" * 16  # a subject key's shape: 32 hexadecimal characters


def _call(service: Service, who: str, method: str, path: str, **kwargs: Any) -> Any:
    key = {"operator": service.operator, "bank": service.bank, "citizen": service.citizen}[who]
    return service.client.request(method, path, headers=service.auth(key), **kwargs)


REQUESTS = {
    "long subject key": ("operator", "GET", f"/v1/operator/people/{KEY * 2}0/report", {}),
    "NUL in a subject key": ("operator", "GET", "/v1/operator/people/ab%00cd/report", {}),
    "NUL in a query": ("operator", "GET", "/v1/operator/disputes?status=open%00", {}),
    "NUL in a partner's query": ("bank", "GET", "/v1/disputes?status=%00", {}),
    "NUL in a batch id": ("bank", "GET", "/v1/batches/b%00", {}),
    "long dispute id": ("bank", "POST", f"/v1/disputes/{'d' * 37}/answer", {}),
    "NUL in a dispute's reason": (
        "citizen",
        "POST",
        "/v1/me/disputes",
        {"partner_id": "harbour-bank", "category": "payment", "record_id": "r", "reason": "\0"},
    ),
    "NUL in a consent's partner": (
        "citizen",
        "POST",
        "/v1/me/consents",
        {"partner_id": "harbour\0bank", "purpose": "credit_application"},
    ),
    "NUL in a review's statement": (
        "citizen",
        "POST",
        "/v1/me/reviews",
        {"decision_id": "d", "statement": "please\0"},
    ),
    "NUL in a partner's name": (
        "operator",
        "POST",
        "/v1/partners",
        {"partner_id": "nul-bank", "name": "N\0L", "kind": "bank"},
    ),
    "NUL in a scope": (
        "operator",
        "POST",
        "/v1/keys",
        {"kind": "partner", "partner_id": "harbour-bank", "scopes": ["scores:read\0"]},
    ),
    "NUL in a decision's purpose": (
        "bank",
        "POST",
        "/v1/decisions",
        {"resident_id": "x", "action": "loan", "purpose": "credit_application\0"},
    ),
    "NUL in a policy's description": (
        "operator",
        "POST",
        "/v1/policies",
        {
            "version": "nul-1",
            "description": "\0",
            "actions": {"loan": {"bands": [{"min_score": 350, "outcome": "refer"}]}},
        },
    ),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_refused_as_invalid(service: Service, name: str) -> None:
    who, method, path, body = REQUESTS[name]
    if method == "POST" and not body:
        body = {"answer": "confirm", "note": "checked"}
    answered = _call(service, who, method, path, json=body)
    assert answered.status_code == 422, answered.text
    error = answered.json()["error"]
    assert (error["status"], error["code"]) == (422, "invalid")
    assert "/tmp" not in error["message"]


def test_a_full_length_subject_key_is_still_read(service: Service) -> None:
    answered = _call(
        service,
        "operator",
        "GET",
        f"/v1/operator/people/{KEY}/report",
        params={"purpose": "dispute_review"},
    )
    assert answered.status_code == 404, answered.text
