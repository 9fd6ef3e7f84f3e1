"""Operator routes: partners and keys, publishing scores, disputes, audit."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request

from socialcredit.api.auth import Operator
from socialcredit.api.errors import ApiError, error_responses
from socialcredit.api.models.audit import AuditVerification
from socialcredit.api.models.disputes import DisputePublic, DisputesExpired
from socialcredit.api.models.erasures import ErasureCreate, ErasurePublic
from socialcredit.api.models.keys import KeyCreate, KeyCreated, KeyRevoked
from socialcredit.api.models.partners import PartnerCreate, PartnerPublic
from socialcredit.api.models.scores import PublishCreate, PublishedPublic
from socialcredit.api.routes.common import Identifier, service_state
from socialcredit.identity import parse
from socialcredit.publish.scores import publish_run
from socialcredit.rights.disputes import expire_disputes
from socialcredit.rights.erasure import erase_person
from socialcredit.store import audit, keys
from socialcredit.store.models import Partner

router = APIRouter(prefix="/v1", tags=["operators"], responses=error_responses(401, 403, 422, 429))


@router.post(
    "/partners", status_code=201, summary="Register a partner", responses=error_responses(409)
)
def add_partner(body: PartnerCreate, request: Request, caller: Operator) -> PartnerPublic:
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
    return PartnerPublic.model_validate(body.model_dump())


@router.post(
    "/keys",
    status_code=201,
    summary="Issue an API key (shown once)",
    responses=error_responses(404),
)
def new_key(body: KeyCreate, request: Request, caller: Operator) -> KeyCreated:
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
            expires_in=None
            if body.expires_in_days is None
            else dt.timedelta(days=body.expires_in_days),
        )
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="key_created",
            detail={"credential_id": credential.credential_id, "kind": body.kind},
        )
    return KeyCreated(
        credential_id=credential.credential_id,
        key=plain,
        scopes=credential.scopes,
        expires_at=credential.expires_at,
    )


@router.delete(
    "/keys/{credential_id}", summary="Revoke an API key at once", responses=error_responses(404)
)
def revoke(credential_id: Identifier, request: Request, caller: Operator) -> KeyRevoked:
    with service_state(request).store.session() as session, session.begin():
        credential = keys.revoke_key(session, credential_id)
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="key_revoked",
            detail={"credential_id": credential_id},
        )
        return KeyRevoked.model_validate(credential, from_attributes=True)


@router.post(
    "/scores/publish",
    summary="Publish a score run to partners and people",
    responses=error_responses(404),
)
def publish(body: PublishCreate, request: Request, caller: Operator) -> PublishedPublic:
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
    return PublishedPublic.model_validate(result)


@router.post("/disputes/expire", summary="Resolve overdue disputes in the person's favour")
def expire(request: Request, caller: Operator) -> DisputesExpired:
    state = service_state(request)
    with state.lake_lock:
        closed = expire_disputes(state.store, state.lake)
    return DisputesExpired(
        resolved=[DisputePublic.model_validate(d, from_attributes=True) for d in closed]
    )


@router.post(
    "/erasures",
    summary="Erase everything about a person, for real",
    responses=error_responses(404),
)
def erase(body: ErasureCreate, request: Request, caller: Operator) -> ErasurePublic:
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
    return ErasurePublic.model_validate(result)


@router.get("/audit/verify", summary="Check the audit log's hash chain")
def verify(request: Request, caller: Operator) -> AuditVerification:
    with service_state(request).store.session() as session:
        return AuditVerification.model_validate(audit.verify(session).as_json())
