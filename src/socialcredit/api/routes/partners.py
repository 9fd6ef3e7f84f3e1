"""Partner routes: furnish records, follow batches, read scores, answer disputes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Request
from sqlalchemy import bindparam, select

from socialcredit.api.auth import (
    AUTHORIZATION_PARAMETER,
    DisputeAnswerer,
    Furnisher,
    admit,
    bearer_hash,
    key_lookup,
    require_purpose,
    require_scope,
    subject_facts,
)
from socialcredit.api.batches import REJECTIONS_SHOWN, complete, from_lake, is_pending, reserve
from socialcredit.api.errors import ApiError, error_responses
from socialcredit.api.hot import HotReader, audited, open_reader
from socialcredit.api.models.disputes import DisputeAnswer, DisputePublic, DisputesPublic
from socialcredit.api.models.records import BatchPublic, RejectedRow
from socialcredit.api.models.scores import ScorePublic
from socialcredit.api.routes.common import Identifier, service_state
from socialcredit.errors import InputError
from socialcredit.features import FEATURES
from socialcredit.identity import parse
from socialcredit.ingest import ingest_file
from socialcredit.lake.files import held_upload
from socialcredit.records import CATEGORIES
from socialcredit.rights.disputes import answer_dispute
from socialcredit.rights.profiles import LEGAL_BASES, lawful_basis
from socialcredit.store.models import ApiBatch, Credential, Dispute, PublishedScore

router = APIRouter(prefix="/v1", tags=["partners"], responses=error_responses(401, 403, 422, 429))

FORMATS = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/vnd.apache.parquet": "parquet",
    "application/octet-stream": "parquet",
}


def _too_large(limit: int) -> str:
    return f"a batch may be at most {limit:,} bytes (SOCIALCREDIT_MAX_UPLOAD_BYTES); split it"


def _rejections(path: str | None) -> list[RejectedRow]:
    if path is None:
        return []
    import csv

    with open(path, encoding="utf-8") as handle:
        return [
            RejectedRow.model_validate(row)
            for _, row in zip(range(REJECTIONS_SHOWN), csv.DictReader(handle), strict=False)
        ]


@router.post(
    "/records/{category}",
    summary="Furnish a batch of records",
    responses=error_responses(400, 404, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One file of records of the category",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in FORMATS
            },
        }
    },
)
async def furnish(
    category: str,
    request: Request,
    caller: Furnisher,
    idempotency_key: Annotated[str, Header(min_length=1, max_length=200)],
    content_type: Annotated[str, Header()] = "text/csv",
) -> BatchPublic:
    """The body is one file: CSV (``text/csv``), JSON Lines (``application/x-ndjson``) or
    Parquet (``application/vnd.apache.parquet``). Sending the same ``Idempotency-Key``
    again returns the first answer and ingests nothing."""
    from socialcredit.store.keys import scope_allows

    if category not in CATEGORIES:
        raise ApiError(404, f"no record category {category!r}; categories: {', '.join(CATEGORIES)}")
    if not scope_allows(list(caller.scopes), f"records:{category}"):
        raise ApiError(403, f"this key lacks the scope 'records:{category}'")
    fmt = FORMATS.get(content_type.split(";")[0].strip().lower())
    if fmt is None:
        raise ApiError(415, f"content type {content_type!r}: send one of {', '.join(FORMATS)}")
    if caller.partner_id is None:  # an operator's key holds every scope, and no partner
        raise ApiError(403, "records are furnished with the key of the partner that holds them")
    state = service_state(request)
    partner: str = caller.partner_id
    # The store's row first (pending), then the lake, then the row completed: what a
    # failure between them leaves is finished from the lake (socialcredit.api.batches).
    batch_id, first, retried = reserve(state.store, partner, idempotency_key)
    if first is not None:
        return BatchPublic.model_validate(first | {"replayed": True})
    if retried:

        def committed_before() -> BatchPublic | None:
            with state.lake_lock:
                answer = from_lake(state.lake, batch_id)
                if answer is None:
                    return None
                return complete(
                    state.store,
                    partner,
                    idempotency_key,
                    answer,
                    actor=caller.credential_id,
                    actor_kind="partner",
                ).model_copy(update={"replayed": True})

        recovered = await anyio.to_thread.run_sync(committed_before)
        if recovered is not None:
            return recovered
    limit = state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, _too_large(limit))
    suffix = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}[fmt]
    # Written to disk as it arrives, never whole in memory; removed when the ingestion
    # ends, however it ends; a crash leaves it to the sweep at the next start
    # (socialcredit.lake.files).
    with held_upload(state.workspace.root, suffix) as (handle, upload):
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, _too_large(limit))
            handle.write(chunk)
        if size == 0:
            raise ApiError(400, "the request body is empty; send the batch file as the body")
        handle.flush()

        def ingest() -> BatchPublic:
            with state.lake_lock:
                report = ingest_file(
                    state.lake,
                    state.keyer,
                    upload,
                    partner=partner,
                    category_name=category,
                    rejections_dir=state.workspace.rejections_dir,
                    clock_allowance_days=state.settings.clock_allowance_days,
                    shown_as=f"upload{suffix}",
                    batch_id=batch_id,
                )
            fields = report.as_json()
            fields.pop("rejections_file")
            answer = BatchPublic.model_validate(
                fields
                | {"file": f"upload{suffix}", "rejected_rows": _rejections(report.rejections_file)}
            )
            return complete(
                state.store,
                partner,
                idempotency_key,
                answer,
                actor=caller.credential_id,
                actor_kind="partner",
            )

        # Off the event loop: decisions and score reads go on while a batch is ingested.
        return await anyio.to_thread.run_sync(ingest)


@router.get(
    "/batches/{batch_id}", summary="A batch this partner sent", responses=error_responses(404)
)
def batch(batch_id: Identifier, request: Request, caller: Furnisher) -> BatchPublic:
    with service_state(request).store.session() as session:
        found = session.execute(
            select(ApiBatch).where(
                ApiBatch.batch_id == batch_id, ApiBatch.partner_id == caller.partner_id
            )
        ).scalar_one_or_none()
    if found is None or is_pending(found.report):
        raise ApiError(404, f"no batch {batch_id!r} from this partner")
    return BatchPublic.model_validate(found.report)


_SCORE = PublishedScore.__table__.c
#: Everything a score read needs, in one round trip (Core: hot path): the caller's key
#: (auth's lookup) with the published score, open disputes and the consent of the
#: key's partner. ``scored_key`` is NULL when nothing is published for the person.
_SCORE_INPUTS = key_lookup(
    _SCORE.subject_key.label("scored_key"),
    _SCORE.score,
    _SCORE.tier,
    _SCORE.subscores,
    _SCORE.reasons,
    _SCORE.as_of,
    _SCORE.scorecard_version,
    *subject_facts(),
    joined=Credential.__table__.outerjoin(
        PublishedScore.__table__, _SCORE.subject_key == bindparam("key")
    ),
)
_KEY_ONLY = key_lookup()


def _readers(request: Request) -> tuple[HotReader, HotReader]:
    app_state = request.app.state
    if getattr(app_state, "score_reader", None) is None:
        store = service_state(request).store
        app_state.score_reader = open_reader(store, _SCORE_INPUTS)
        app_state.key_reader = open_reader(store, _KEY_ONLY, size=2)
    return app_state.score_reader, app_state.key_reader


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


#: The score read takes its parameters itself (FastAPI resolving them costs a few
#: percent of a read, measured): declared here.
_SCORE_PARAMETERS = [
    AUTHORIZATION_PARAMETER,
    {
        "name": "resident_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The person's resident ID (GB 11643, 18 characters)",
    },
    {
        "name": "purpose",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Permissible purpose of the query",
    },
    {
        "name": "legal_basis",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": f"Legal basis (eu profile: required), one of {', '.join(LEGAL_BASES)}",
    },
]


@router.get(
    "/subjects/{resident_id}/score",
    summary="A person's published score",
    responses=error_responses(400, 404),
    openapi_extra={"parameters": _SCORE_PARAMETERS},
)
async def score(request: Request) -> ScorePublic:
    """Every read is logged with the partner, the purpose and the legal basis, and the
    person sees it. What else a read needs depends on the jurisdiction profile: the
    person's consent (cn), a legal basis (eu), the purpose alone (us)."""
    # The decisions' fast path (routes/decisions.py): no dependency or parameter to
    # resolve, one asynchronous read of the key with everything the answer needs, the
    # audit entry group-committed without holding a thread. Errors come in the order
    # the dependencies gave them: the key (401, 429, 403) before the purpose and the ID.
    resident_id: str = request.path_params["resident_id"]
    purpose = request.query_params.get("purpose")
    legal_basis = request.query_params.get("legal_basis")
    hashed = bearer_hash(request.headers.get("authorization"))
    state = service_state(request)
    reader, key_reader = _readers(request)
    try:
        declared = require_purpose(purpose)
        key = state.keyer.key(parse(resident_id).number)
    except (ApiError, InputError):
        require_scope(admit(request, await key_reader.read({"key_hash": hashed})), "scores:read")
        raise
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    published = await reader.read({"key_hash": hashed, "key": key, "purpose": declared, "now": now})
    caller = require_scope(admit(request, published), "scores:read")
    found = published.scored_key is not None
    settings = state.settings
    lawful = lawful_basis(
        consent_required=settings.consent_required,
        legal_basis_required=settings.legal_basis_required,
        legal_basis=legal_basis,
        has_consent=found and published.consents > 0,
        partner=str(caller.partner_id),
        purpose=declared,
    )
    if lawful.status == 422:
        raise ApiError(422, lawful.message)
    # Served (or refused) only once the attempt is durably in the audit log.
    await audited(
        request.app.state,
        actor=caller.credential_id,
        actor_kind="partner",
        action="score_read" if lawful.ok else "score_read_refused",
        subject_key=key,
        purpose=declared,
        detail={"partner_id": caller.partner_id, "found": found, "legal_basis": legal_basis},
    )
    # Refused before "not found": without a lawful basis the answer must not tell
    # whether the person is on file.
    if not lawful.ok:
        raise ApiError(lawful.status, lawful.message, lawful.code)
    if not found:
        raise ApiError(404, "no published score for this person")
    reasons = [
        reason
        | {
            "label": FEATURES[reason["feature"]].label
            if reason["feature"] in FEATURES
            else reason["feature"]
        }
        for reason in _loaded(published.reasons)
    ]
    return ScorePublic.model_validate(
        {
            "subject_key": key,
            "score": published.score,
            "tier": published.tier,
            "subscores": _loaded(published.subscores),
            "reasons": reasons,
            "as_of": published.as_of,
            "scorecard_version": published.scorecard_version,
            "open_disputes": published.open_disputes,
            "purpose": declared,
            "legal_basis": legal_basis,
        }
    )


@router.get("/disputes", summary="Disputes about this partner's records")
def partner_disputes(
    request: Request, caller: DisputeAnswerer, status: str | None = None
) -> DisputesPublic:
    with service_state(request).store.session() as session:
        query = select(Dispute).where(Dispute.partner_id == caller.partner_id)
        if status:
            query = query.where(Dispute.status == status)
        rows = session.execute(query.order_by(Dispute.deadline)).scalars().all()
    return DisputesPublic(
        disputes=[DisputePublic.model_validate(d, from_attributes=True) for d in rows]
    )


@router.post(
    "/disputes/{dispute_id}/answer", summary="Answer a dispute", responses=error_responses(404)
)
def answer(
    dispute_id: Identifier, body: DisputeAnswer, request: Request, caller: DisputeAnswerer
) -> DisputePublic:
    state = service_state(request)
    with state.lake_lock:
        closed = answer_dispute(
            state.store,
            state.lake,
            dispute_id,
            partner_id=None if caller.kind == "operator" else caller.partner_id,
            answer=body.answer,
            note=body.note,
            actor=caller.credential_id,
            actor_kind=caller.kind,
        )
    return DisputePublic.model_validate(closed, from_attributes=True)
