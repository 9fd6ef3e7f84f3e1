"""What the route modules share: the running service's state, the public shape of a
dispute (never with the person's subject key: partners see disputes too) and of a
consent, and a person's whole file as they (or an operator) read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from sqlalchemy import select

from socialcredit.api.state import ServiceState
from socialcredit.decisions.store import decision_json
from socialcredit.rights.report import report_for
from socialcredit.store.models import (
    AuditEntry,
    Consent,
    Credential,
    CreditDecision,
    Dispute,
    PublishedScore,
    Review,
)

__all__ = ["consent_json", "dispute_json", "full_file", "score_row", "service_state"]


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def dispute_json(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute_id": dispute.dispute_id,
        "partner_id": dispute.partner_id,
        "category": dispute.category,
        "record_id": dispute.record_id,
        "reason": dispute.reason,
        "status": dispute.status,
        "opened_at": dispute.opened_at.isoformat(),
        "deadline": dispute.deadline.isoformat(),
        "resolved_at": dispute.resolved_at.isoformat() if dispute.resolved_at else None,
        "resolution": dispute.resolution,
    }


def consent_json(consent: Consent) -> dict[str, Any]:
    return {
        "consent_id": consent.consent_id,
        "partner_id": consent.partner_id,
        "purpose": consent.purpose,
        "granted_at": consent.granted_at.isoformat(),
        "expires_at": consent.expires_at.isoformat(),
        "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
    }


def score_row(published: PublishedScore) -> dict[str, Any]:
    """A published score in the shape of a score-history row (what reports take)."""
    row: dict[str, Any] = {
        "score": published.score,
        "tier": published.tier,
        "as_of": dt.date.fromisoformat(published.as_of),
        "scorecard_version": published.scorecard_version,
        "run_id": published.run_id,
    }
    row |= {f"sub_{d}": v for d, v in published.subscores.items()}
    for i, reason in enumerate(published.reasons, start=1):
        row[f"reason_{i}"], row[f"lost_{i}"] = reason["feature"], reason["points_lost"]
    return row


def full_file(state: ServiceState, key: str, published: PublishedScore) -> dict[str, Any]:
    """The whole file of ``key``: score, reasons, advice, records, every access (who,
    when, why), disputes, consents, and every credit decision with any review."""
    with state.lake_lock:
        report = report_for(state.lake, key, score_row(published))
    with state.store.session() as session:
        accesses = session.execute(
            select(AuditEntry, Credential.partner_id)
            .outerjoin(Credential, Credential.credential_id == AuditEntry.actor)
            .where(AuditEntry.subject_key == key)
            .order_by(AuditEntry.seq)
        ).all()
        disputes = session.execute(
            select(Dispute).where(Dispute.subject_key == key).order_by(Dispute.opened_at)
        ).scalars()
        report["disputes"] = [dispute_json(d) for d in disputes]
        consents = session.execute(
            select(Consent).where(Consent.subject_key == key).order_by(Consent.granted_at)
        ).scalars()
        report["consents"] = [consent_json(c) for c in consents]
        decided = session.execute(
            select(CreditDecision, Review)
            .outerjoin(Review, Review.decision_id == CreditDecision.decision_id)
            .where(CreditDecision.subject_key == key)
            .order_by(CreditDecision.decided_at)
        ).all()
        report["decisions"] = [decision_json(d, r) for d, r in decided]
    report["accesses"] = [
        {
            "at": entry.at.isoformat(),
            "by": partner or entry.actor_kind,
            "action": entry.action,
            "purpose": entry.purpose,
        }
        for entry, partner in accesses
    ]
    return report
