"""A partner without the person's consent learns nothing from the answer, not even
whether the person is on file: a known person and an unknown one are refused alike."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.records import resident
from tests.utils.service import Service

#: A well-formed resident ID of nobody in the service's nation.
NOBODY = resident(7, region="110105", birth="19020202")


def _reader(service: Service) -> str:
    ops = service.auth(service.operator)
    created = service.client.post(
        "/v1/partners",
        headers=ops,
        json={"partner_id": "nest-rentals", "name": "Nest", "kind": "rental"},
    )
    assert created.status_code == 201, created.text
    key = service.client.post(
        "/v1/keys",
        headers=ops,
        json={
            "kind": "partner",
            "partner_id": "nest-rentals",
            "scopes": ["scores:read", "decisions:*"],
        },
    )
    assert key.status_code == 201, key.text
    return str(key.json()["key"])


def _score(service: Service, key: str, resident_id: str) -> Any:
    return service.client.get(
        f"/v1/subjects/{resident_id}/score",
        params={"purpose": "credit_application"},
        headers=service.auth(key),
    )


def _decision(service: Service, key: str, resident_id: str) -> Any:
    return service.client.post(
        "/v1/decisions",
        headers=service.auth(key),
        json={"resident_id": resident_id, "action": "loan", "purpose": "credit_application"},
    )


@pytest.mark.parametrize("ask", [_score, _decision], ids=["score", "decision"])
def test_known_and_unknown_people_are_refused_alike(service: Service, ask: Any) -> None:
    key = _reader(service)
    known = ask(service, key, service.stranger_id)
    unknown = ask(service, key, NOBODY)
    assert known.status_code == 403, known.text
    assert known.json()["error"]["code"] == "no_consent"
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
