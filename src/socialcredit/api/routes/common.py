"""What the route modules share: the running service's state, and a person's whole
file as they (or an operator) read it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy import select

from socialcredit.api.models.consents import ConsentPublic
from socialcredit.api.models.decisions import DecisionPublic
from socialcredit.api.models.disputes import DisputePublic
from socialcredit.api.models.files import Access, FilePublic
from socialcredit.api.state import ServiceState
from socialcredit.decisions.store import decision_json
from socialcredit.identity.pseudonym import KEY_HEX_LENGTH
from socialcredit.publish.scores import published_to_history
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

__all__ = ["Identifier", "SubjectKey", "full_file", "service_state"]

#: An identifier in a path (a dispute's, a decision's, a key's ...): at most as long as
#: the store's identifier columns, so that no store is asked to hold more.
Identifier = Annotated[str, Path(min_length=1, max_length=36)]
#: A person's subject key in a path: exactly what the keyer makes.
SubjectKey = Annotated[
    str,
    Path(
        pattern=f"^[0-9a-f]{{{KEY_HEX_LENGTH}}}$",
        description=f"The person's subject key ({KEY_HEX_LENGTH} hexadecimal characters)",
    ),
]


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def full_file(state: ServiceState, key: str, published: PublishedScore) -> FilePublic:
    """The whole file of ``key``: score, reasons, advice, records, every access (who,
    when, why), disputes, consents, and every credit decision with any review."""
    with state.lake_lock:
        report = report_for(state.lake, key, published_to_history(published))
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
        report["disputes"] = [
            DisputePublic.model_validate(d, from_attributes=True) for d in disputes
        ]
        consents = session.execute(
            select(Consent).where(Consent.subject_key == key).order_by(Consent.granted_at)
        ).scalars()
        report["consents"] = [
            ConsentPublic.model_validate(c, from_attributes=True) for c in consents
        ]
        decided = session.execute(
            select(CreditDecision, Review)
            .outerjoin(Review, Review.decision_id == CreditDecision.decision_id)
            .where(CreditDecision.subject_key == key)
            .order_by(CreditDecision.decided_at)
        ).all()
        report["decisions"] = [
            DecisionPublic.model_validate(decision_json(d, r)) for d, r in decided
        ]
    report["accesses"] = [
        Access(
            at=entry.at, by=partner or entry.actor_kind, action=entry.action, purpose=entry.purpose
        )
        for entry, partner in accesses
    ]
    return FilePublic.model_validate(report)
