"""Operator routes: partners and keys, publishing scores, disputes, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from socialcredit.api.auth import Operator
from socialcredit.api.routes.common import dispute_json, service_state
from socialcredit.identity import parse
from socialcredit.publish.scores import publish_run
from socialcredit.rights.disputes import expire_disputes
from socialcredit.rights.erasure import erase_person
from socialcredit.store import audit, keys
from socialcredit.store.models import Partner

router = APIRouter(prefix="/v1", tags=["operators"])


class NewPartner(BaseModel):
    partner_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=50)


@router.post("/partners", status_code=201, summary="Register a partner")
def add_partner(body: NewPartner, request: Request, caller: Operator) -> dict[str, Any]:
    from socialcredit.api.errors import ApiError

    with service_state(request).store.session() as session, session.begin():
        if session.get(Partner, body.partner_id) is not None:
            raise ApiError(409, f"partner {body.partner_id!r} is already registered")
        session.add(
            Partner(
                partner_id=body.partner_id,
                name=body.name,
                kind=body.kind,
                created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            )
        )
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="partner_added",
            detail={"partner_id": body.partner_id},
        )
    return body.model_dump()


class NewKey(BaseModel):
    kind: Literal["partner", "operator", "citizen"]
    partner_id: str | None = None
    scopes: list[str] = []
    resident_id: str | None = Field(default=None, description="for a citizen key")
    rate_per_minute: int = Field(default=6000, ge=1, le=1_000_000)


@router.post("/keys", status_code=201, summary="Issue an API key (shown once)")
def new_key(body: NewKey, request: Request, caller: Operator) -> dict[str, Any]:
    state = service_state(request)
    subject = state.keyer.key(parse(body.resident_id).number) if body.resident_id else None
    with state.store.session() as session, session.begin():
        credential, plain = keys.create_key(
            session,
            body.kind,
            partner_id=body.partner_id,
            subject_key=subject,
            scopes=body.scopes,
            rate_per_minute=body.rate_per_minute,
        )
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="key_created",
            detail={"credential_id": credential.credential_id, "kind": body.kind},
        )
    return {"credential_id": credential.credential_id, "key": plain, "scopes": credential.scopes}


@router.delete("/keys/{credential_id}", summary="Revoke an API key at once")
def revoke(credential_id: str, request: Request, caller: Operator) -> dict[str, Any]:
    with service_state(request).store.session() as session, session.begin():
        credential = keys.revoke_key(session, credential_id)
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="key_revoked",
            detail={"credential_id": credential_id},
        )
        assert credential.revoked_at is not None
        return {"credential_id": credential_id, "revoked_at": credential.revoked_at.isoformat()}


class Publish(BaseModel):
    run_id: str | None = None


@router.post("/scores/publish", summary="Publish a score run to partners and people")
def publish(body: Publish, request: Request, caller: Operator) -> dict[str, Any]:
    state = service_state(request)
    with state.lake_lock:
        result = publish_run(state.store, state.lake, body.run_id)
    with state.store.session() as session, session.begin():
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="scores_published",
            detail=result,
        )
    return result


@router.post("/disputes/expire", summary="Resolve overdue disputes in the person's favour")
def expire(request: Request, caller: Operator) -> dict[str, Any]:
    state = service_state(request)
    with state.lake_lock:
        closed = expire_disputes(state.store, state.lake)
    return {"resolved": [dispute_json(d) for d in closed]}


class Erasure(BaseModel):
    resident_id: str = Field(min_length=1, max_length=32)


@router.post("/erasures", summary="Erase everything about a person, for real")
def erase(body: Erasure, request: Request, caller: Operator) -> dict[str, Any]:
    """Remove the person's records, score history, published score, disputes,
    consents, decisions, reviews and keys; redact the audit entries about them;
    compact the lake so that no removed byte stays in its file."""
    state = service_state(request)
    with state.lake_lock:
        state.workspace.erase_files(body.resident_id)  # uploads left behind, feeds kept here
        result = erase_person(
            state.lake,
            state.keyer,
            body.resident_id,
            store=state.store,
            actor=caller.credential_id,
        )
        state.lake.compact()
    return result


@router.get("/audit/verify", summary="Check the audit log's hash chain")
def verify(request: Request, caller: Operator) -> dict[str, Any]:
    with service_state(request).store.session() as session:
        return audit.verify(session).as_json()
