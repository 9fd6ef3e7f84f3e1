"""Erasing a person from the operational store: their published score, disputes,
consents, credit decisions and reviews, and citizen keys are deleted; the
personal part of the audit entries about them is redacted (the chain still
verifies, see :mod:`socialcredit.store.audit`); their certificates are revoked
and kept without anything about them (so that their status bits stay set and a
copy still in someone's hands no longer verifies); one audit entry records that
an erasure happened, with counts only, never whom.

After the commit every table that held something about the person is rewritten,
so that the removed bytes leave the database's files: SQLite's ``VACUUM`` rewrites
the whole file; on PostgreSQL ``VACUUM FULL`` rewrites each such table and its
indexes into new files (a plain ``VACUUM`` only marks the space free: the bytes of a
deleted row stay in the page until a later row happens to overwrite them). What a
rewrite does not reach (write-ahead log, backups, older open transactions) and what
it costs is in docs/erasure.md.
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


def erase_person_from_store(
    store: Store, subject_key: str, actor: str, *, in_lake: bool = False
) -> dict[str, int]:
    """Delete or redact everything the store holds about ``subject_key``, in one
    transaction, then rewrite the tables that held it; return the count per table
    (``audit_log``: entries redacted).

    ``actor`` is whoever asked (an operator's credential ID, or ``cli``). The
    erasure is recorded in the audit log when the store held something or
    ``in_lake`` says the lake does (its rows are erased next); erasing someone
    known nowhere changes nothing and records nothing.
    """
    removed: dict[str, int] = {}
    with store.session() as session, session.begin():
        for model in _TABLES:
            removed[model.__tablename__] = _delete(session, model, subject_key)
        removed[Certificate.__tablename__] = _revoke_and_redact_certificates(session, subject_key)
        removed["audit_log"] = audit.redact(session, subject_key)
        if not any(removed.values()) and not in_lake:
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
                "lake": in_lake,
            },
        )
    _rewrite(store, [table for table, count in removed.items() if count])
    return removed


def _rewrite(store: Store, tables: list[str]) -> None:
    """Rewrite ``tables`` so that no byte of a removed row is left in their files."""
    if store.dialect == "postgresql":
        if not tables:
            return
        # VACUUM FULL takes each table's exclusive lock while it copies the live rows
        # into new files (reads of that table wait); the old files are emptied at
        # commit. A row still visible to an older open transaction would be copied
        # too, so the service keeps no transaction open between requests.
        autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as connection:
            for table in tables:
                connection.exec_driver_sql(f"VACUUM (FULL) {table}")
    elif store.dialect == "sqlite":
        # Not through a SQLAlchemy connection: its begin hook (database.py) would
        # open a transaction, and VACUUM runs outside one.
        raw = store.engine.raw_connection()
        try:
            assert raw.driver_connection is not None
            raw.driver_connection.execute("VACUUM")
        finally:
            raw.close()
