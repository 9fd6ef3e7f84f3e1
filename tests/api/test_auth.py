"""Who may do what: keys, scopes, purposes, one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.service import Service


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    return dict(body["error"])


def test_missing_unknown_and_revoked_keys(service: Service) -> None:
    path = f"/v1/subjects/{service.citizen_id}/score?purpose=credit_application"
    assert "Bearer" in _error(service.client.get(path), 401)["message"]
    _error(service.client.get(path, headers=service.auth("scp_not-a-key")), 401)
    ok = service.client.get(path, headers=service.auth(service.bank))
    assert ok.status_code == 200, ok.text
    key = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["scores:read"]},
    ).json()
    assert service.client.get(path, headers=service.auth(key["key"])).status_code == 200
    revoked = service.client.delete(
        f"/v1/keys/{key['credential_id']}", headers=service.auth(service.operator)
    )
    assert revoked.status_code == 200
    _error(service.client.get(path, headers=service.auth(key["key"])), 401)


def test_scopes_are_enforced(service: Service) -> None:
    path = f"/v1/subjects/{service.citizen_id}/score?purpose=credit_application"
    assert (
        "scores:read"
        in _error(service.client.get(path, headers=service.auth(service.telecom)), 403)["message"]
    )
    furnish = service.client.post(
        "/v1/records/contract",
        content=b"x",
        headers=service.auth(service.telecom) | {"Idempotency-Key": "a"},
    )
    assert "records:contract" in _error(furnish, 403)["message"]
    _error(service.client.get("/v1/me/report", headers=service.auth(service.bank)), 403)
    _error(
        service.client.post(
            "/v1/partners",
            headers=service.auth(service.bank),
            json={"partner_id": "x-y", "name": "x", "kind": "bank"},
        ),
        403,
    )


@pytest.mark.parametrize(
    ("purpose", "status"),
    [(None, 400), ("employment_screening", 403), ("dating_profile", 403), ("travel", 403)],
)
def test_purpose_must_be_permissible(service: Service, purpose: str | None, status: int) -> None:
    query = "" if purpose is None else f"?purpose={purpose}"
    response = service.client.get(
        f"/v1/subjects/{service.citizen_id}/score{query}", headers=service.auth(service.bank)
    )
    _error(response, status)


def test_invalid_resident_id_and_unknown_routes(service: Service) -> None:
    bad = service.client.get(
        "/v1/subjects/123/score?purpose=credit_application", headers=service.auth(service.bank)
    )
    assert "malformed" in _error(bad, 422)["message"]
    _error(service.client.get("/v1/nothing", headers=service.auth(service.bank)), 404)


def test_rate_limit(service: Service) -> None:
    key = service.client.post(
        "/v1/keys",
        headers=service.auth(service.operator),
        json={
            "kind": "partner",
            "partner_id": "harbour-bank",
            "scopes": ["scores:read"],
            "rate_per_minute": 20,
        },
    ).json()
    path = f"/v1/subjects/{service.citizen_id}/score?purpose=credit_application"
    statuses = [
        service.client.get(path, headers=service.auth(key["key"])).status_code for _ in range(5)
    ]
    assert 429 in statuses
    _error(service.client.get(path, headers=service.auth(key["key"])), 429)
