"""Credit decisions: partners ask, the live credit policy answers from the published
score; people see every decision about them and can ask for a human review of an
adverse one; operators publish policies and work the review queue.

``POST /v1/decisions`` is the hot path. It never waits on a batch: one round trip
to the store reads the caller's key, the published score, open disputes, consent
and the live policy's version together, and the answer goes out once the decision
and its audit entry are committed (group commit, awaited without holding a thread).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy import bindparam, func, select

from socialcredit.api.auth import (
    AUTHORIZATION_PARAMETER,
    Caller,
    Citizen,
    Operator,
    admit,
    authenticated,
    bearer_hash,
    key_lookup,
    require_purpose,
    require_scope,
    subject_facts,
)
from socialcredit.api.errors import ApiError, describe, error_responses
from socialcredit.api.hot import HotReader, audited, open_reader
from socialcredit.api.models.base import refuse_nul
from socialcredit.api.models.decisions import (
    DecisionAnswer,
    DecisionCreate,
    DecisionPublic,
    DecisionsPublic,
    Overturned,
    ReviewCreate,
    ReviewInQueue,
    ReviewPublic,
    ReviewQueue,
    ReviewResolve,
    ReviewsPublic,
)
from socialcredit.api.models.policies import (
    PoliciesPublic,
    PolicyPublished,
    PolicyVersionPublic,
)
from socialcredit.api.routes.common import Identifier, service_state
from socialcredit.decisions import ACTIONS, CreditPolicy, decide
from socialcredit.decisions.store import (
    decision_json,
    ensure_policy,
    publish_policy,
    request_review,
    resolve_review,
    review_json,
)
from socialcredit.errors import InputError
from socialcredit.features import FEATURES
from socialcredit.identity import parse
from socialcredit.rights.profiles import lawful_basis
from socialcredit.store import Store
from socialcredit.store.models import (
    Credential,
    CreditDecision,
    PolicyVersion,
    PublishedScore,
    Review,
)

_AUTH_ERRORS = error_responses(401, 403, 422, 429)
router = APIRouter(prefix="/v1", tags=["decisions"], responses=_AUTH_ERRORS)
me_router = APIRouter(prefix="/v1/me", tags=["citizens"], responses=_AUTH_ERRORS)


_SCORE = PublishedScore.__table__.c
_CRED = Credential.__table__.c
#: Everything a decision needs, in one round trip: the caller's key (auth's lookup)
#: with the published score, open disputes, consent and the live policy's version.
_DECISION_INPUTS = key_lookup(
    _SCORE.score,
    _SCORE.tier,
    _SCORE.reasons,
    _SCORE.scorecard_version,
    _SCORE.run_id,
    *subject_facts(),
    select(PolicyVersion.version)
    .where(PolicyVersion.live)
    .scalar_subquery()
    .label("policy_version"),
    joined=Credential.__table__.outerjoin(
        PublishedScore.__table__, _SCORE.subject_key == bindparam("key")
    ),
)


class _Policies:
    """Parsed policies by version (a version's content never changes)."""

    def __init__(self) -> None:
        self._by_version: dict[str, CreditPolicy] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, version: str | None) -> CreditPolicy:
        if version is not None and version in self._by_version:
            return self._by_version[version]
        with self._lock, store.session() as session, session.begin():
            row = None if version is None else session.get(PolicyVersion, version)
            # No policy published yet, or the version just read is gone: the live one now.
            policy = (
                ensure_policy(session) if row is None else CreditPolicy.model_validate(row.spec)
            )
        self._by_version[policy.version] = policy
        return policy


def _labelled(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        reason
        | (
            {
                "label": FEATURES[reason["feature"]].label,
                "label_zh": FEATURES[reason["feature"]].label_zh,
            }
            if reason.get("feature") in FEATURES
            else {}
        )
        for reason in reasons
    ]


def _hot(request: Request) -> tuple[HotReader, _Policies]:
    app_state = request.app.state
    if getattr(app_state, "hot_reader", None) is None:
        app_state.hot_reader = open_reader(service_state(request).store, _DECISION_INPUTS)
        app_state.policies = _Policies()
    return app_state.hot_reader, app_state.policies


def _json_loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


#: The route reads its header and body itself (see :func:`new_decision`): declared here.
_REQUEST = {
    "parameters": [AUTHORIZATION_PARAMETER],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": DecisionCreate.model_json_schema()}},
    },
}


@router.post("/decisions", summary="Ask for a credit decision", openapi_extra=_REQUEST)
async def new_decision(request: Request) -> DecisionAnswer:
    """Body: ``{"resident_id", "action", "purpose"}``. Actions are credit products only,
    each with its permissible purposes (the live policy names them: ``GET
    /v1/policies/live``). Answers the decision (approve / refer / decline), its terms,
    the principal reasons when adverse, and the scorecard, policy and score run
    versions. A thin or contested file is referred to a person, never declined
    automatically. Every decision is logged and the person sees it, and may ask for a
    human review of an adverse one."""
    # Nothing for FastAPI to resolve on the hot path (a dependency or a body parameter
    # costs about 20 us a request each, measured): the route takes the steps auth.py's
    # dependencies are made of itself, the key lookup inside its one statement.
    hashed = bearer_hash(request.headers.get("authorization"))
    try:
        body = DecisionCreate.model_validate_json(await request.body())
    except ValidationError as exc:
        raise ApiError(422, describe(exc.errors()) or "invalid request body") from None
    if body.action not in ACTIONS:
        raise ApiError(
            422,
            f"action {body.action!r} is not a credit decision this service makes; "
            f"actions: {', '.join(ACTIONS)}",
        )
    purpose = require_purpose(body.purpose)
    try:
        resident = parse(body.resident_id).number
    except InputError as exc:
        raise ApiError(422, str(exc)) from None
    state = service_state(request)
    reader, policies = _hot(request)
    key = state.keyer.key(resident)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    found = await reader.read({"key": key, "key_hash": hashed, "purpose": purpose, "now": now})
    caller = admit(request, found)
    if caller.kind != "partner":
        raise ApiError(403, f"decisions are asked with a partner's key, not a {caller.kind}'s")
    require_scope(caller, f"decisions:{body.action}")
    policy = policies.get(state.store, found.policy_version)
    allowed = policy.purposes(body.action) if body.action in policy.actions else ()
    if body.action not in policy.actions:
        raise ApiError(
            422, f"the live credit policy {policy.version} does not decide {body.action}"
        )
    if purpose not in allowed:
        raise ApiError(
            403,
            f"the purpose {purpose!r} does not permit a {body.action} decision; "
            f"permitted: {', '.join(allowed)}",
        )
    settings = state.settings
    lawful = lawful_basis(
        consent_required=settings.consent_required,
        legal_basis_required=settings.legal_basis_required,
        legal_basis=body.legal_basis,
        has_consent=bool(found.consents),
        partner=str(caller.partner_id),
        purpose=purpose,
    )
    if lawful.status == 422:
        raise ApiError(422, lawful.message)
    if not lawful.ok:
        await audited(
            request.app.state,
            actor=caller.credential_id,
            actor_kind="partner",
            action="decision_refused",
            subject_key=key,
            purpose=purpose,
            detail={"partner_id": caller.partner_id, "action": body.action, "why": lawful.code},
        )
        raise ApiError(lawful.status, lawful.message, lawful.code)
    reasons = _labelled(_json_loaded(found.reasons) or [])
    made = decide(
        policy, body.action, score=found.score, reasons=reasons, open_disputes=found.open_disputes
    )
    decision_id = uuid.uuid4().hex
    row = {
        "decision_id": decision_id,
        "subject_key": key,
        "partner_id": caller.partner_id,
        "action": body.action,
        "purpose": purpose,
        "legal_basis": body.legal_basis,
        "outcome": made.outcome,
        "adverse": made.adverse,
        "terms": made.terms,
        "reasons": made.reasons,
        "notes": made.notes,
        "score": found.score,
        "tier": found.tier,
        "scorecard_version": found.scorecard_version,
        "run_id": found.run_id,
        "policy_version": policy.version,
        "decided_at": now,
    }
    await audited(
        request.app.state,
        ((CreditDecision.__table__, row),),
        actor=caller.credential_id,
        actor_kind="partner",
        action="decision",
        subject_key=key,
        purpose=purpose,
        detail={
            "partner_id": caller.partner_id,
            "decision_id": decision_id,
            "action": body.action,
            "outcome": made.outcome,
            "legal_basis": body.legal_basis,
        },
    )
    return DecisionAnswer.model_validate(
        {
            "decision_id": decision_id,
            "decision": made.outcome,
            "adverse": made.adverse,
            "terms": made.terms,
            "reasons": made.reasons,
            "notes": made.notes,
            "score": found.score,
            "tier": found.tier,
            "versions": {
                "scorecard": found.scorecard_version,
                "policy": policy.version,
                "score_run": found.run_id,
            },
            "rights": "the person sees this decision in their file and may ask for a human "
            "review of an adverse one (POST /v1/me/reviews)",
        }
    )


@router.get(
    "/decisions/{decision_id}",
    summary="A decision this partner asked for",
    responses=error_responses(404),
)
def get_decision(
    decision_id: Identifier, request: Request, caller: Annotated[Caller, Depends(authenticated)]
) -> DecisionPublic:
    """With the outcome of a human review, when the person asked for one."""
    if caller.kind not in ("partner", "operator"):
        raise ApiError(403, "decisions are read by the partner that asked, or an operator")
    with service_state(request).store.session() as session:
        decision = session.get(CreditDecision, decision_id)
        if decision is None or (
            caller.kind == "partner" and decision.partner_id != caller.partner_id
        ):
            raise ApiError(404, f"no decision {decision_id!r} asked by this partner")
        review = session.execute(
            select(Review).where(Review.decision_id == decision_id)
        ).scalar_one_or_none()
        return DecisionPublic.model_validate(decision_json(decision, review))


@router.post("/policies", status_code=201, summary="Publish a credit policy version")
async def new_policy(request: Request, caller: Operator) -> PolicyPublished:
    """The body is the policy's JSON (see ``GET /v1/policies/live`` for the shape).
    Only credit products and their terms are accepted; it becomes live at once."""
    try:
        policy = CreditPolicy.model_validate_json(await request.body())
    except ValidationError as exc:
        raise ApiError(422, f"credit policy refused: {describe(exc.errors())}") from None
    try:
        refuse_nul(policy.model_dump())
    except ValueError as exc:
        raise ApiError(422, f"credit policy refused: {exc}") from None
    with service_state(request).store.session() as session, session.begin():
        published = publish_policy(session, policy, actor=caller.credential_id)
        return PolicyPublished(version=published.version, live=True)


@router.get("/policies/live", summary="The live credit policy")
def live(request: Request, caller: Operator) -> CreditPolicy:
    with service_state(request).store.session() as session, session.begin():
        return ensure_policy(session)


@router.get("/policies", summary="Every published credit policy version")
def policies(request: Request, caller: Operator) -> PoliciesPublic:
    with service_state(request).store.session() as session:
        rows = session.execute(select(PolicyVersion).order_by(PolicyVersion.published_at)).scalars()
        return PoliciesPublic(
            policies=[PolicyVersionPublic.model_validate(row, from_attributes=True) for row in rows]
        )


@router.get("/reviews", summary="The human review queue")
def review_queue(
    request: Request,
    caller: Operator,
    status: Literal["open", "confirmed", "overturned"] | None = None,
) -> ReviewQueue:
    """Each review with the decision's full explanation (score, reasons, terms, notes,
    versions) and its deadline; overdue ones are flagged. Overturned decisions stay
    listed, with the written reason, for policy and scorecard monitoring."""
    with service_state(request).store.session() as session:
        query = select(Review, CreditDecision).join(
            CreditDecision, CreditDecision.decision_id == Review.decision_id
        )
        if status:
            query = query.where(Review.status == status)
        rows = session.execute(query.order_by(Review.deadline)).all()
        overturned = session.execute(
            select(CreditDecision.policy_version, CreditDecision.action, func.count())
            .join(Review, Review.decision_id == CreditDecision.decision_id)
            .where(Review.status == "overturned")
            .group_by(CreditDecision.policy_version, CreditDecision.action)
        ).all()
    return ReviewQueue(
        reviews=[
            ReviewInQueue.model_validate(review_json(r) | {"decision": decision_json(d)})
            for r, d in rows
        ],
        overturned_by_policy=[
            Overturned(policy_version=v, action=a, overturned=n) for v, a, n in overturned
        ],
    )


@router.post(
    "/reviews/{review_id}/resolve",
    summary="Confirm or overturn a decision",
    responses=error_responses(404),
)
def resolve(
    review_id: Identifier, body: ReviewResolve, request: Request, caller: Operator
) -> ReviewPublic:
    with service_state(request).store.session() as session, session.begin():
        review = resolve_review(
            session, review_id, outcome=body.outcome, reason=body.reason, actor=caller.credential_id
        )
        return ReviewPublic.model_validate(review_json(review))


@me_router.get("/decisions", summary="Every credit decision about me")
def my_decisions(request: Request, caller: Citizen) -> DecisionsPublic:
    with service_state(request).store.session() as session:
        rows = session.execute(
            select(CreditDecision, Review)
            .outerjoin(Review, Review.decision_id == CreditDecision.decision_id)
            .where(CreditDecision.subject_key == caller.subject_key)
            .order_by(CreditDecision.decided_at)
        ).all()
    return DecisionsPublic(
        decisions=[DecisionPublic.model_validate(decision_json(d, r)) for d, r in rows]
    )


@me_router.post(
    "/reviews",
    status_code=201,
    summary="Ask a person to review a decision",
    responses=error_responses(404),
)
def ask_review(body: ReviewCreate, request: Request, caller: Citizen) -> ReviewPublic:
    """For an adverse automated decision about me. An operator confirms or overturns
    it, in writing, before the deadline."""
    state = service_state(request)
    with state.store.session() as session, session.begin():
        review = request_review(
            session,
            subject_key=caller.subject_key,
            decision_id=body.decision_id,
            statement=body.statement,
            deadline_days=state.settings.review_deadline_days,
            actor=caller.credential_id,
        )
        return ReviewPublic.model_validate(review_json(review))


@me_router.get("/reviews", summary="My review requests and their outcomes")
def my_reviews(request: Request, caller: Citizen) -> ReviewsPublic:
    with service_state(request).store.session() as session:
        rows = session.execute(
            select(Review)
            .where(Review.subject_key == caller.subject_key)
            .order_by(Review.requested_at)
        ).scalars()
        return ReviewsPublic(reviews=[ReviewPublic.model_validate(review_json(r)) for r in rows])
