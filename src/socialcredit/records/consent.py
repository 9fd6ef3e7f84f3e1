"""Records shared only with the person's consent: the lake's copy of those consents,
and when a consented record is accepted, counts, and is erased.

A category that declares ``consent`` (a purpose, e.g. ``cash_flow_sharing``) is
furnished by a partner only while the person lets that partner share it for that
purpose. Ingestion and scoring run against the lake alone (DuckDB or Spark, no
store), so the consents they need are kept in the lake too, in
:data:`CONSENTS_TABLE`, written together with the store's ``consents`` rows by
:mod:`socialcredit.rights.consents` (the citizen routes and the Python API). The
rules, all of them SQL over the lake:

- **accepted** when, at the moment the batch is received, the person holds a
  consent for the batch's partner and the purpose: granted, not expired, not
  withdrawn (:func:`live_subjects_sql`); other rows are rejected by the rule
  ``consent_required`` and never stored;
- **counts** in a score as of day D while one of the person's consents for that
  partner and purpose is neither withdrawn nor expired when D begins, and no
  consent of theirs for it was withdrawn after the record came in: withdrawing
  takes every record shared so far out at once, and a later consent does not
  bring them back (:func:`counting_sql`);
- **erased** once sharing ended (the first withdrawal after the record came in, or
  the last consent's expiry) more than the profile's retention for withdrawn data
  ago (:func:`ended_sql`).

When a record came in is its batch's ``started_at`` in the ``batches`` ledger.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "CONSENTS_COLUMNS",
    "CONSENTS_TABLE",
    "consented_sql",
    "counting_sql",
    "ended_sql",
    "live_subjects_sql",
    "timestamp_literal",
]

#: The lake's table of consents that govern records (one row per consent).
CONSENTS_TABLE = "sharing_consents"
CONSENTS_COLUMNS = (
    "consent_id VARCHAR, subject_key VARCHAR, partner_id VARCHAR, purpose VARCHAR, "
    "granted_at TIMESTAMP, expires_at TIMESTAMP, withdrawn_at TIMESTAMP"
)


def timestamp_literal(moment: dt.datetime) -> str:
    return f"TIMESTAMP '{moment.replace(tzinfo=None).isoformat(sep=' ')}'"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def live_subjects_sql(partner: str, purpose: str, moment: dt.datetime) -> str:
    """A query of the subject keys holding, at ``moment``, a consent for ``partner`` to
    share records for ``purpose``."""
    at = timestamp_literal(moment)
    return (
        f"SELECT DISTINCT subject_key FROM {CONSENTS_TABLE} WHERE partner_id = "
        f"{_text(partner)} AND purpose = {_text(purpose)} AND withdrawn_at IS NULL "
        f"AND granted_at <= {at} AND expires_at > {at}"
    )


def _by_partner(purpose: str, alias: str) -> str:
    """Per person and partner: until when a consent not withdrawn lasts, and the last
    withdrawal (``<alias>_live_until``, ``<alias>_withdrawn``)."""
    return (
        f"(SELECT subject_key AS {alias}_subject, partner_id AS {alias}_partner, "
        f"max(CASE WHEN withdrawn_at IS NULL THEN expires_at END) AS {alias}_live_until, "
        f"max(withdrawn_at) AS {alias}_withdrawn FROM {CONSENTS_TABLE} "
        f"WHERE purpose = {_text(purpose)} GROUP BY subject_key, partner_id) {alias}"
    )


def _counts(consent: str, batch: str, as_of: dt.date) -> str:
    begins = timestamp_literal(dt.datetime.combine(as_of, dt.time()))
    return (
        f"{consent}.{consent}_live_until > {begins} AND ({consent}.{consent}_withdrawn IS NULL "
        f"OR {consent}.{consent}_withdrawn < {batch}.started_at)"
    )


def counting_sql(purpose: str, alias: str, as_of: dt.date) -> tuple[str, str]:
    """``(joins, predicate)`` to add to a query over records ``alias``: the record
    counts as of ``as_of`` under the person's consents for ``purpose`` (see the
    module docstring). The joins name the ledger ``<alias>_batch`` and the consents
    ``<alias>_consent``."""
    batch, consent = f"{alias}_batch", f"{alias}_consent"
    joins = (
        f" JOIN batches {batch} ON {batch}.batch_id = {alias}.batch_id"
        f" JOIN {_by_partner(purpose, consent)} ON {consent}.{consent}_subject = "
        f"{alias}.subject_key AND {consent}.{consent}_partner = {alias}.partner_id"
    )
    return joins, _counts(consent, batch, as_of)


def consented_sql(purpose: str, alias: str, as_of: dt.date) -> str:
    """The predicate of :func:`counting_sql` as one correlated condition over record
    ``alias``, for queries of one person's records (the evidence behind a reason)."""
    batch, consent = f"{alias}_batch", f"{alias}_consent"
    return (
        f"EXISTS (SELECT 1 FROM batches {batch} JOIN {_by_partner(purpose, consent)} "
        f"ON {consent}.{consent}_subject = {alias}.subject_key AND "
        f"{consent}.{consent}_partner = {alias}.partner_id WHERE {batch}.batch_id = "
        f"{alias}.batch_id AND {_counts(consent, batch, as_of)})"
    )


def ended_sql(table: str, purpose: str, cutoff: dt.datetime) -> str:
    """A query of the ``record_key`` (``partner_id/record_id``) of every record of
    ``table`` whose sharing ended before ``cutoff``: a consent for it was withdrawn
    after the record came in and before ``cutoff``, or every consent not withdrawn
    expired before ``cutoff``, or none is on file."""
    before = timestamp_literal(cutoff)
    return (
        "SELECT r.partner_id || '/' || r.record_id AS record_key "
        f"FROM {table} r JOIN batches b ON b.batch_id = r.batch_id "
        f"LEFT JOIN {_by_partner(purpose, 'k')} ON k.k_subject = r.subject_key "
        "AND k.k_partner = r.partner_id "
        f"LEFT JOIN (SELECT subject_key, partner_id, withdrawn_at FROM {CONSENTS_TABLE} "
        f"WHERE purpose = {_text(purpose)} AND withdrawn_at < {before}) w "
        "ON w.subject_key = r.subject_key AND w.partner_id = r.partner_id "
        "AND w.withdrawn_at >= b.started_at "
        f"WHERE k.k_subject IS NULL OR w.subject_key IS NOT NULL "
        f"OR coalesce(k.k_live_until < {before}, FALSE)"
    )
