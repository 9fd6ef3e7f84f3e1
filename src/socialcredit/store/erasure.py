"""Erasing a person from the operational store: their published score, disputes,
consents, credit decisions and reviews, and citizen keys are deleted; the
personal part of the audit entries about them is redacted (the chain still
verifies, see :mod:`socialcredit.store.audit`); their certificates are revoked
and kept without anything about them (so that their status bits stay set and a
copy still in someone's hands no longer verifies); one audit entry records that
an erasure happened, with counts only, never whom.

After the commit the touched tables are vacuumed, so that the removed bytes
leave the database file (SQLite rewrites the whole file; PostgreSQL's plain
``VACUUM`` removes the dead rows and their index entries).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, null, update
from sqlalchemy.orm import Session

from socialcredit.settings import utc_now
from socialcredit.store import audit
from socialcredit.store.database import Store
from socialcredit.store.models import (
    Certificate,
    Consent,
    Credential,
    CreditDecision,
    Dispute,
    PublishedScore,
    Review,
)

__all__ = ["erase_person_from_store"]

#: In deletion order: reviews before the decisions they refer to.
_TABLES = (Review, CreditDecision, Dispute, Consent, PublishedScore, Credential)


def _delete(session: Session, model: Any, subject_key: str) -> int:
    result = session.execute(
        delete(model)
        .where(model.subject_key == subject_key)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def _revoke_and_redact_certificates(session: Session, subject_key: str) -> int:
    result = session.execute(
        update(Certificate)
        .where(Certificate.subject_key == subject_key)
        .values(
            subject_key=None,
            claims=null(),
            credential=null(),
            revoked_at=func.coalesce(Certificate.revoked_at, utc_now(whole_seconds=True)),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def erase_person_from_store(store: Store, subject_key: str, actor: str) -> dict[str, int]:
    """Delete or redact everything the store holds about ``subject_key``, in one
    transaction, then vacuum; return the count per table (``audit_log``: entries
    redacted).

    ``actor`` is whoever asked (an operator's credential ID, or ``cli``). Erasing
    someone the store does not know changes nothing and records nothing.
    """
    removed: dict[str, int] = {}
    with store.session() as session, session.begin():
        for model in _TABLES:
            removed[model.__tablename__] = _delete(session, model, subject_key)
        removed[Certificate.__tablename__] = _revoke_and_redact_certificates(session, subject_key)
        removed["audit_log"] = audit.redact(session, subject_key)
        if not any(removed.values()):
            return removed
        audit.append(
            session,
            actor=actor,
            actor_kind="operator",
            action=audit.ERASURE,
            detail={
                "kind": "person",
                "audit_entries": removed["audit_log"],
                "deleted": {table: n for table, n in removed.items() if table != "audit_log"},
            },
        )
    _vacuum(
        store,
        [model.__tablename__ for model in _TABLES]
        + [Certificate.__tablename__, "audit_log", "audit_head"],
    )
    return removed


def _vacuum(store: Store, tables: list[str]) -> None:
    if store.dialect == "postgresql":
        autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            for table in tables:
                connection.exec_driver_sql(f"VACUUM {table}")
    elif store.dialect == "sqlite":
        # Not through a SQLAlchemy connection: its begin hook (database.py) would
        # open a transaction, and VACUUM runs outside one.
        raw = store.engine.raw_connection()
        try:
            assert raw.driver_connection is not None
            raw.driver_connection.execute("VACUUM")
        finally:
            raw.close()
