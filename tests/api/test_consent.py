"""Consent per query: a partner reads a score only with the person's consent for
that partner and purpose, until it expires or is revoked; switchable where a
permissible purpose suffices."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update

from socialcredit.api import create_app
from socialcredit.settings import Settings
from socialcredit.store.models import Consent
from tests.utils.service import SECRET, Service


def _reader(service: Service) -> str:
    ops = service.auth(service.operator)
    assert (
        service.client.post(
            "/v1/partners",
            headers=ops,
            json={"partner_id": "nest-rentals", "name": "Nest", "kind": "rental"},
        ).status_code
        == 201
    )
    return str(
        service.client.post(
            "/v1/keys",
            headers=ops,
            json={"kind": "partner", "partner_id": "nest-rentals", "scopes": ["scores:read"]},
        ).json()["key"]
    )


def test_consent_grant_revoke_and_expiry(service: Service) -> None:
    key = _reader(service)
    path = f"/v1/subjects/{service.citizen_id}/score"
    rental = {"purpose": "rental_application"}
    refused = service.client.get(path, params=rental, headers=service.auth(key))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "no_consent"
    me = service.auth(service.citizen)
    granted = service.client.post(
        "/v1/me/consents",
        headers=me,
        json={"partner_id": "nest-rentals", "purpose": "rental_application", "days": 30},
    )
    assert granted.status_code == 201, granted.text
    assert service.client.get(path, params=rental, headers=service.auth(key)).status_code == 200
    other = service.client.get(
        path, params={"purpose": "credit_application"}, headers=service.auth(key)
    )
    assert other.status_code == 403  # consent is for one purpose
    consent_id = granted.json()["consent_id"]
    with service.workspace.store().session() as session, session.begin():
        session.execute(
            update(Consent)
            .where(Consent.consent_id == consent_id)
            .values(expires_at=dt.datetime.fromisoformat(granted.json()["granted_at"]))
        )
    assert service.client.get(path, params=rental, headers=service.auth(key)).status_code == 403
    again = service.client.post(
        "/v1/me/consents",
        headers=me,
        json={"partner_id": "nest-rentals", "purpose": "rental_application"},
    ).json()
    assert service.client.get(path, params=rental, headers=service.auth(key)).status_code == 200
    revoked = service.client.delete(f"/v1/me/consents/{again['consent_id']}", headers=me)
    assert revoked.json()["revoked_at"] is not None
    assert service.client.get(path, params=rental, headers=service.auth(key)).status_code == 403
    listed = service.client.get("/v1/me/consents", headers=me).json()["consents"]
    assert {c["consent_id"] for c in listed} >= {consent_id, again["consent_id"]}
    report = service.client.get("/v1/me/report", headers=me).json()
    actions = [a["action"] for a in report["accesses"] if a["by"] == "nest-rentals"]
    assert "score_read_refused" in actions
    assert "score_read" in actions


def test_consents_cannot_be_granted_for_other_purposes(service: Service) -> None:
    response = service.client.post(
        "/v1/me/consents",
        headers=service.auth(service.citizen),
        json={"partner_id": "harbour-bank", "purpose": "employment_screening"},
    )
    assert response.status_code == 422


def test_permissible_purpose_suffices_where_consent_is_not_required(service: Service) -> None:
    key = _reader(service)
    settings = Settings(
        workspace=service.root / "ws",
        subject_key_secret=SECRET,
        store=service.workspace.settings.store,
        consent_required=False,
    )
    service.workspace.close()
    app = create_app(settings)
    with TestClient(app) as client:
        response = client.get(
            f"/v1/subjects/{service.citizen_id}/score",
            params={"purpose": "rental_application"},
            headers={"Authorization": f"Bearer {key}"},
        )
    app.state.service.workspace.close()
    assert response.status_code == 200, response.text
