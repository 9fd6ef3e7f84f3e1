"""A person's consents: to let a partner read their score for a purpose, or to let a
bank or payment partner share their cash flow with the platform (``cash_flow_sharing``).

Every consent is a row of the store's ``consents`` table, which the person lists and
revokes. A consent to share records is also kept in the lake
(:data:`socialcredit.records.consent.CONSENTS_TABLE`), because ingestion and scoring
run against the lake alone: this module writes both in one operation, ordered so
that a failure between the two leaves the safer state.

- Granting writes the store first, then the lake; if the lake write fails, the
  store row is deleted again. A consent only the store knows admits no record.
- Revoking writes the lake first (the partner's records stop counting at once), then
  the store, then rescores the person and republishes their score, as a dispute
  does (:func:`socialcredit.rights.disputes.rescore_subject`). A failure in between
  leaves the records out of the score; revoking again completes it.

A sharing consent lasts at most :data:`MAX_SHARING_DAYS` (the CFPB's 12 CFR 1033
asks a new authorisation at least yearly). Records shared under a consent that was
withdrawn are erased after the profile's retention for withdrawn data
(:func:`socialcredit.rights.erasure.erase_expired`).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pyarrow as pa
from sqlalchemy import delete, insert

from socialcredit.engines import Engine
from socialcredit.errors import InputError, NotFoundError
from socialcredit.lake.changes import note_change, note_changes
from socialcredit.records import CATEGORIES
from socialcredit.records.consent import CONSENTS_TABLE
from socialcredit.rights.disputes import rescore_subject
from socialcredit.settings import utc_now
from socialcredit.store import Store, audit
from socialcredit.store.models import Consent

__all__ = [
    "MAX_SHARING_DAYS",
    "SHARING_PURPOSES",
    "grant_consent",
    "grant_sharing_consents",
    "revoke_consent",
]

#: Purposes of consents that let a partner furnish records (not read scores).
SHARING_PURPOSES: tuple[str, ...] = tuple(
    sorted({c.consent for c in CATEGORIES.values() if c.consent})
)
#: The longest a consent to share records lasts.
MAX_SHARING_DAYS = 365


def _check_days(purpose: str, days: int) -> None:
    if days < 1:
        raise InputError(f"a consent lasts at least 1 day, not {days}")
    if purpose in SHARING_PURPOSES and days > MAX_SHARING_DAYS:
        raise InputError(
            f"a consent for {purpose} lasts at most {MAX_SHARING_DAYS} days, not {days}; "
            "grant it again when it ends"
        )


def _lake_rows(consents: list[Consent], granted: dt.datetime) -> pa.Table:
    return pa.table(
        {
            "consent_id": [c.consent_id for c in consents],
            "subject_key": [c.subject_key for c in consents],
            "partner_id": [c.partner_id for c in consents],
            "purpose": [c.purpose for c in consents],
            "granted_at": pa.array([granted] * len(consents), pa.timestamp("us")),
            "expires_at": pa.array([c.expires_at for c in consents], pa.timestamp("us")),
            "withdrawn_at": pa.array([None] * len(consents), pa.timestamp("us")),
        }
    )


def _add_to_lake(lake: Engine, rows: pa.Table) -> None:
    with lake.transaction():
        lake.create_table_from_arrow("_new_consents", rows, temporary=True)
        lake.execute("consents", f"INSERT INTO {CONSENTS_TABLE} SELECT * FROM _new_consents")
        # A grant can bring back records whose consent had lapsed as of a run's date:
        # the people with records of that partner are recomputed by incremental runs.
        for category in CATEGORIES.values():
            if category.consent:
                note_changes(
                    lake,
                    f"SELECT n.subject_key FROM _new_consents n WHERE n.purpose = ? AND EXISTS "
                    f"(SELECT 1 FROM {category.table} r WHERE r.subject_key = n.subject_key "
                    "AND r.partner_id = n.partner_id)",
                    [category.consent],
                    "consent_granted",
                )
    lake.execute("clean up", "DROP TABLE IF EXISTS _new_consents")


def grant_consent(
    store: Store,
    lake: Engine,
    *,
    subject_key: str,
    partner_id: str,
    purpose: str,
    days: int,
    actor: str,
    now: dt.datetime | None = None,
) -> Consent:
    """Record the person's consent for ``partner_id`` and ``purpose`` for ``days``
    days (in the store, and in the lake for a sharing purpose)."""
    _check_days(purpose, days)
    moment = now or utc_now()
    granted = moment.replace(microsecond=0)
    consent = Consent(
        consent_id=uuid.uuid4().hex,
        subject_key=subject_key,
        partner_id=partner_id,
        purpose=purpose,
        granted_at=granted,
        expires_at=granted + dt.timedelta(days=days),
        revoked_at=None,
    )
    with store.session() as session, session.begin():
        session.add(consent)
        audit.append(
            session,
            actor=actor,
            actor_kind="citizen",
            action="consent_granted",
            subject_key=subject_key,
            purpose=purpose,
            detail={"partner_id": partner_id},
        )
    if purpose in SHARING_PURPOSES:
        try:
            # the lake keeps the exact moment: a batch is compared with it
            _add_to_lake(lake, _lake_rows([consent], moment))
        except BaseException:
            with store.session() as session, session.begin():
                session.execute(delete(Consent).where(Consent.consent_id == consent.consent_id))
            raise
    return consent


def grant_sharing_consents(
    lake: Engine,
    grants: pa.Table,
    *,
    purpose: str,
    days: int,
    actor: str,
    store: Store | None,
    now: dt.datetime | None = None,
) -> int:
    """Many people's consents at once (``grants``: ``subject_key``, ``partner_id``), as
    each would grant their own: the store's rows with one audit entry each, then the
    lake's. Returns how many were granted.

    ``store`` None writes the lake alone, for a lake used without a store (a batch
    pipeline run on its own, tests): nobody can then list or revoke those consents
    through the service."""
    if purpose not in SHARING_PURPOSES:
        raise InputError(f"{purpose!r} is not a purpose of sharing records: {SHARING_PURPOSES}")
    _check_days(purpose, days)
    moment = now or utc_now()
    granted = moment.replace(microsecond=0)
    consents = [
        Consent(
            consent_id=uuid.uuid4().hex,
            subject_key=key,
            partner_id=partner,
            purpose=purpose,
            granted_at=granted,
            expires_at=granted + dt.timedelta(days=days),
            revoked_at=None,
        )
        for key, partner in zip(
            grants.column("subject_key").to_pylist(),
            grants.column("partner_id").to_pylist(),
            strict=True,
        )
    ]
    if not consents:
        return 0
    if store is None:
        _add_to_lake(lake, _lake_rows(consents, moment))
        return len(consents)
    with store.session() as session, session.begin():
        session.execute(
            insert(Consent),
            [
                {
                    "consent_id": c.consent_id,
                    "subject_key": c.subject_key,
                    "partner_id": c.partner_id,
                    "purpose": c.purpose,
                    "granted_at": c.granted_at,
                    "expires_at": c.expires_at,
                    "revoked_at": None,
                }
                for c in consents
            ],
        )
        audit.append_many(
            session,
            [
                {
                    "actor": actor,
                    "actor_kind": "citizen",
                    "action": "consent_granted",
                    "subject_key": c.subject_key,
                    "purpose": purpose,
                    "detail": {"partner_id": c.partner_id},
                }
                for c in consents
            ],
        )
    try:
        _add_to_lake(lake, _lake_rows(consents, moment))
    except BaseException:
        ids = [c.consent_id for c in consents]
        with store.session() as session, session.begin():
            session.execute(delete(Consent).where(Consent.consent_id.in_(ids)))
        raise
    return len(consents)


def revoke_consent(
    store: Store,
    lake: Engine,
    *,
    consent_id: str,
    subject_key: str,
    actor: str,
    now: dt.datetime | None = None,
) -> Consent:
    """Revoke one of the person's consents at once. For a sharing consent, the
    partner's records stop counting and the person's published score is recomputed."""
    with store.session() as session:
        consent = session.get(Consent, consent_id)
    if consent is None or consent.subject_key != subject_key:
        raise NotFoundError(f"no consent {consent_id!r} of yours")
    if consent.revoked_at is not None:
        return consent
    moment = now or utc_now()
    sharing = consent.purpose in SHARING_PURPOSES
    if sharing:
        with lake.transaction():
            lake.execute(
                "withdraw consent",
                f"CREATE OR REPLACE TEMP TABLE _withdrawn AS SELECT consent_id, subject_key, "
                f"partner_id, purpose, granted_at, expires_at, coalesce(withdrawn_at, ?) AS "
                f"withdrawn_at FROM {CONSENTS_TABLE} WHERE consent_id = ?",
                [moment, consent_id],
            )
            lake.execute(
                "withdraw consent",
                f"DELETE FROM {CONSENTS_TABLE} WHERE consent_id = ?",
                [consent_id],
            )
            lake.execute(
                "withdraw consent", f"INSERT INTO {CONSENTS_TABLE} SELECT * FROM _withdrawn"
            )
            note_change(lake, subject_key, "consent_withdrawn")
        lake.execute("clean up", "DROP TABLE IF EXISTS _withdrawn")
    with store.session() as session, session.begin():
        stored = session.get(Consent, consent_id)
        assert stored is not None
        stored.revoked_at = moment.replace(microsecond=0)
        audit.append(
            session,
            actor=actor,
            actor_kind="citizen",
            action="consent_revoked",
            subject_key=subject_key,
            purpose=stored.purpose,
            detail={"partner_id": stored.partner_id},
        )
    if sharing:
        rescore_subject(store, lake, subject_key)
    with store.session() as session:
        revoked = session.get(Consent, consent_id)
        assert revoked is not None
        return revoked
