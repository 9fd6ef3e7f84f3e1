"""A resident ID with digits other than ASCII ones (a superscript two, full-width
digits) is refused as input (4xx, the one error shape) on every route that takes
one, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.service import Service

NOT_ASCII = ["1101051949123100²X", "１１０１０５１９４９１２３１００２X"]


def _refused(response: Any) -> None:
    status = response.status_code
    assert status in (400, 422), response.text
    error = response.json()["error"]
    assert error["status"] == status
    assert "malformed" in error["message"]


@pytest.mark.parametrize("number", NOT_ASCII)
def test_routes_refuse_digits_other_than_ascii(service: Service, number: str) -> None:
    bank, op = service.auth(service.bank), service.auth(service.operator)
    _refused(
        service.client.get(
            f"/v1/subjects/{number}/score", params={"purpose": "credit_application"}, headers=bank
        )
    )
    _refused(service.client.post("/v1/erasures", headers=op, json={"resident_id": number}))
    _refused(
        service.client.post("/v1/keys", headers=op, json={"kind": "citizen", "resident_id": number})
    )
    made = service.client.post(
        "/v1/keys",
        headers=op,
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:*"]},
    )
    assert made.status_code == 201, made.text
    _refused(
        service.client.post(
            "/v1/decisions",
            headers=service.auth(made.json()["key"]),
            json={"resident_id": number, "action": "loan", "purpose": "credit_application"},
        )
    )
