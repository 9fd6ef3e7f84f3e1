"""Citizen routes: a person's own file, free and as often as they like; disputes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from socialcredit.api.auth import (
    AUTHORIZATION_PARAMETER,
    PURPOSES,
    Citizen,
    Person,
    admit,
    bearer_hash,
    key_lookup,
    person_of,
)
from socialcredit.api.errors import ApiError, error_responses
from socialcredit.api.hot import audited, open_reader
from socialcredit.api.models.consents import ConsentCreate, ConsentPublic, ConsentsPublic
from socialcredit.api.models.disputes import DisputeCreate, DisputePublic, DisputesPublic
from socialcredit.api.models.files import FilePublic, Notifications
from socialcredit.api.routes.common import Identifier, full_file, service_state
from socialcredit.api.state import ServiceState
from socialcredit.records import CATEGORIES
from socialcredit.rights import consents as consent_rights
from socialcredit.rights.disputes import open_dispute
from socialcredit.rights.export import report_html
from socialcredit.rights.report import pending_records
from socialcredit.store.models import (
    Consent,
    Dispute,
    Partner,
    PublishedScore,
)

router = APIRouter(
    prefix="/v1/me", tags=["citizens"], responses=error_responses(401, 403, 422, 429)
)


_CALLER = key_lookup()


@router.get(
    "/report",
    summary="My whole file",
    responses=error_responses(404),
    openapi_extra={"parameters": [AUTHORIZATION_PARAMETER]},
)
async def my_report(request: Request) -> FilePublic:
    """Score, tier, subscores, reasons, how to reach the next tier, every record and
    its source, every access to the file (who, when, why), my disputes, consents, and
    every credit decision about me with its reasons and any human review."""
    # The decisions' path (routes/decisions.py): the key read without holding the event
    # loop, the access group-committed to the audit log before anything is read; the
    # file itself (the lake and the store) is read on a worker thread.
    app_state = request.app.state
    if getattr(app_state, "caller_reader", None) is None:
        app_state.caller_reader = open_reader(service_state(request).store, _CALLER, size=2)
    hashed = bearer_hash(request.headers.get("authorization"))
    caller = person_of(admit(request, await app_state.caller_reader.read({"key_hash": hashed})))
    return await _own_file(request, caller)


async def _own_file(request: Request, caller: Person) -> FilePublic:
    """The caller's own file, once their access is in the audit log."""
    await audited(
        request.app.state,
        actor=caller.credential_id,
        actor_kind="citizen",
        action="self_access",
        subject_key=caller.subject_key,
        purpose="self_access",
    )
    file = await run_in_threadpool(_my_file, service_state(request), caller.subject_key)
    if file is None:
        raise ApiError(404, "no published score for you yet")
    return file


def _my_file(state: ServiceState, key: str) -> FilePublic | None:
    with state.store.session() as session:
        published = session.get(PublishedScore, key)
        if published is None:
            return None
        session.expunge(published)
    return full_file(state, key, published)


@router.get(
    "/export",
    summary="My whole file, to keep",
    response_model=FilePublic,
    responses={
        200: {
            "description": "The file: as JSON (format=json), or as a page (format=html)",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **error_responses(404),
    },
)
async def export(
    request: Request,
    caller: Citizen,
    format: Literal["json", "html"] = "json",
    lang: Literal["en", "zh"] = "en",
) -> FilePublic | HTMLResponse:
    """``format=json`` (everything, machine-readable) or ``format=html`` (a readable page,
    ``lang=en`` or ``lang=zh``)."""
    report = await _own_file(request, caller)
    if format == "json":
        return report
    return HTMLResponse(report_html(report.model_dump(mode="json"), lang))


@router.post(
    "/disputes",
    status_code=201,
    summary="Contest one of my records",
    responses=error_responses(404),
)
def dispute(
    body: DisputeCreate,
    request: Request,
    caller: Citizen,
) -> DisputePublic:
    """The record stops counting at once; my score is recomputed; the partner must
    answer before the deadline or the dispute is resolved in my favour."""
    state = service_state(request)
    if body.category not in CATEGORIES:
        raise ApiError(422, f"category must be one of {', '.join(CATEGORIES)}")
    with state.lake_lock:
        opened = open_dispute(
            state.store,
            state.lake,
            subject_key=caller.subject_key,
            partner_id=body.partner_id,
            category=body.category,
            record_id=body.record_id,
            reason=body.reason,
            deadline_days=state.settings.dispute_deadline_days,
            actor=caller.credential_id,
        )
    return DisputePublic.model_validate(opened, from_attributes=True)


@router.get("/disputes", summary="My disputes")
def my_disputes(
    request: Request,
    caller: Citizen,
) -> DisputesPublic:
    with service_state(request).store.session() as session:
        rows = (
            session.execute(
                select(Dispute)
                .where(Dispute.subject_key == caller.subject_key)
                .order_by(Dispute.opened_at)
            )
            .scalars()
            .all()
        )
    return DisputesPublic(
        disputes=[DisputePublic.model_validate(d, from_attributes=True) for d in rows]
    )


@router.get("/notifications", summary="Negative records not counting yet")
def notifications(request: Request, caller: Citizen) -> Notifications:
    """Negative records partners reported that wait out the notice period before they
    count: each with its source and the day it starts counting. Object with
    ``POST /v1/me/disputes`` to keep it out until the dispute is resolved."""
    state = service_state(request)
    with state.lake_lock:
        pending = pending_records(
            state.lake, caller.subject_key, dt.date.today(), state.settings.notice_working_days
        )
    return Notifications.model_validate(
        {"notice_working_days": state.settings.notice_working_days, "pending": pending}
    )


@router.post(
    "/consents",
    status_code=201,
    summary="Let a partner read my score, or share my cash flow",
    responses=error_responses(404),
)
def grant(body: ConsentCreate, request: Request, caller: Citizen) -> ConsentPublic:
    """For one partner and one purpose, until it expires or I revoke it.

    ``cash_flow_sharing`` lets one bank or payment partner send my accounts' monthly
    totals (never what I bought) for at most 365 days. Months shared count in my
    score, down as well as up; not sharing never costs points, and revoking takes them
    out at once."""
    purposes = (*PURPOSES, *consent_rights.SHARING_PURPOSES)
    if body.purpose not in purposes:
        raise ApiError(422, f"purpose must be one of {', '.join(purposes)}")
    state = service_state(request)
    with state.store.session() as session:
        if session.get(Partner, body.partner_id) is None:
            raise ApiError(404, f"no partner {body.partner_id!r}")
    with state.lake_lock:
        consent = consent_rights.grant_consent(
            state.store,
            state.lake,
            subject_key=caller.subject_key,
            partner_id=body.partner_id,
            purpose=body.purpose,
            days=body.days,
            actor=caller.credential_id,
        )
    return ConsentPublic.model_validate(consent, from_attributes=True)


@router.get("/consents", summary="My consents")
def consents(request: Request, caller: Citizen) -> ConsentsPublic:
    with service_state(request).store.session() as session:
        rows = (
            session.execute(
                select(Consent)
                .where(Consent.subject_key == caller.subject_key)
                .order_by(Consent.granted_at)
            )
            .scalars()
            .all()
        )
    return ConsentsPublic(
        consents=[ConsentPublic.model_validate(c, from_attributes=True) for c in rows]
    )


@router.delete(
    "/consents/{consent_id}", summary="Revoke a consent at once", responses=error_responses(404)
)
def revoke_consent(consent_id: Identifier, request: Request, caller: Citizen) -> ConsentPublic:
    """A consent to share cash flow: the partner's months stop counting at once and my
    published score is recomputed; they are erased after the retention for withdrawn
    data."""
    state = service_state(request)
    with state.lake_lock:
        consent = consent_rights.revoke_consent(
            state.store,
            state.lake,
            consent_id=consent_id,
            subject_key=caller.subject_key,
            actor=caller.credential_id,
        )
    return ConsentPublic.model_validate(consent, from_attributes=True)
