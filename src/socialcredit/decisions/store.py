"""Policies, decisions and reviews in the operational store."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from socialcredit.decisions.policy import CreditPolicy, default_policy
from socialcredit.errors import InputError, NotFoundError
from socialcredit.store import audit
from socialcredit.store.models import CreditDecision, PolicyVersion, Review

__all__ = [
    "decision_json",
    "ensure_policy",
    "live_policy",
    "publish_policy",
    "request_review",
    "resolve_review",
    "review_json",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def publish_policy(session: Session, policy: CreditPolicy, *, actor: str) -> PolicyVersion:
    """Make ``policy`` the live one. Versions are immutable: a published version
    number cannot be reused with other content."""
    spec = policy.model_dump(mode="json")
    known = session.get(PolicyVersion, policy.version)
    if known is not None and known.spec != spec:
        raise InputError(
            f"policy version {policy.version!r} was published with other content; "
            "give the new policy a new version"
        )
    session.execute(update(PolicyVersion).where(PolicyVersion.live).values(live=False))
    if known is None:
        known = PolicyVersion(
            version=policy.version, spec=spec, live=True, published_at=_now(), published_by=actor
        )
        session.add(known)
    else:
        known.live = True
    session.flush()
    audit.append(
        session,
        actor=actor,
        actor_kind="operator",
        action="policy_published",
        detail={"version": policy.version},
    )
    return known


def live_policy(session: Session) -> CreditPolicy | None:
    row = session.execute(select(PolicyVersion).where(PolicyVersion.live)).scalar_one_or_none()
    return None if row is None else CreditPolicy.model_validate(row.spec)


def ensure_policy(session: Session) -> CreditPolicy:
    """The live policy; the packaged default is published the first time."""
    found = live_policy(session)
    if found is None:
        found = default_policy()
        publish_policy(session, found, actor="package")
    return found


def decision_json(decision: CreditDecision, review: Review | None = None) -> dict[str, Any]:
    return {
        "decision_id": decision.decision_id,
        "partner_id": decision.partner_id,
        "action": decision.action,
        "purpose": decision.purpose,
        "legal_basis": decision.legal_basis,
        "decision": decision.outcome,
        "adverse": decision.adverse,
        "terms": decision.terms,
        "reasons": decision.reasons,
        "notes": decision.notes,
        "score": decision.score,
        "tier": decision.tier,
        "versions": {
            "scorecard": decision.scorecard_version,
            "policy": decision.policy_version,
            "score_run": decision.run_id,
        },
        "decided_at": decision.decided_at.isoformat(),
        "review": None if review is None else review_json(review),
    }


def review_json(review: Review) -> dict[str, Any]:
    return {
        "review_id": review.review_id,
        "decision_id": review.decision_id,
        "partner_id": review.partner_id,
        "statement": review.statement,
        "status": review.status,
        "requested_at": review.requested_at.isoformat(),
        "deadline": review.deadline.isoformat(),
        "overdue": review.status == "open" and review.deadline < _now(),
        "resolved_at": review.resolved_at.isoformat() if review.resolved_at else None,
        "resolution": review.resolution,
    }


def request_review(
    session: Session,
    *,
    subject_key: str,
    decision_id: str,
    statement: str,
    deadline_days: int,
    actor: str,
) -> Review:
    """A person asks for a human to look again at an adverse decision about them."""
    decision = session.get(CreditDecision, decision_id)
    if decision is None or decision.subject_key != subject_key:
        raise NotFoundError(f"no decision {decision_id!r} about you")
    if not decision.adverse:
        raise InputError(
            "this decision was not adverse (approved on the best terms, or referred to a "
            "person already); there is nothing to review"
        )
    if session.execute(select(Review).where(Review.decision_id == decision_id)).first():
        raise InputError(f"a review of decision {decision_id!r} was already requested")
    now = _now()
    review = Review(
        review_id=uuid.uuid4().hex,
        decision_id=decision_id,
        subject_key=subject_key,
        partner_id=decision.partner_id,
        statement=statement,
        status="open",
        requested_at=now,
        deadline=now + dt.timedelta(days=deadline_days),
        resolved_at=None,
        resolved_by=None,
        resolution=None,
    )
    session.add(review)
    session.flush()
    audit.append(
        session,
        actor=actor,
        actor_kind="citizen",
        action="review_requested",
        subject_key=subject_key,
        detail={"review_id": review.review_id, "decision_id": decision_id},
    )
    return review


def resolve_review(
    session: Session, review_id: str, *, outcome: str, reason: str, actor: str
) -> Review:
    """An operator confirms or overturns the decision, in writing. Overturned decisions
    stay, with the reason, so that the policy and the scorecard can be checked."""
    if outcome not in ("confirm", "overturn"):
        raise InputError("outcome must be confirm or overturn")
    review = session.get(Review, review_id)
    if review is None:
        raise NotFoundError(f"no review {review_id!r}")
    if review.status != "open":
        raise InputError(f"review {review_id!r} is already {review.status}")
    review.status = "confirmed" if outcome == "confirm" else "overturned"
    review.resolved_at = _now()
    review.resolved_by = actor
    review.resolution = reason
    session.flush()
    audit.append(
        session,
        actor=actor,
        actor_kind="operator",
        action=f"review_{review.status}",
        subject_key=review.subject_key,
        detail={"review_id": review_id, "decision_id": review.decision_id},
    )
    return review
