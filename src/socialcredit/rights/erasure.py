"""Real erasure: rows removed from the lake, not only ignored.

Two kinds: everything about one person (records of every category, holds on
them, the subject row, score history, change notes and, given the store, everything the
store holds: see :mod:`socialcredit.store.erasure`), and records past their
retention period (bills and contracts older than the retention period, court
and administrative cases filed before it and resolved, cash flow shared under a
consent withdrawn or expired more than the profile's retention for withdrawn data
ago). Erasing a person also
removes their feature state and takes their line out of every run's digest. The log of erasures
keeps only that one happened, when, of which kind and how many rows: never
whom. Call :meth:`Engine.compact` afterwards so that the removed bytes leave
the lake file too (the store vacuums itself).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.features import STATES
from socialcredit.features.base import RETENTION_YEARS, date_literal, years_before
from socialcredit.features.dimensions.guarantees import GRAPH_TABLE
from socialcredit.graph.forget import forget, reached_sql
from socialcredit.identity import SubjectKeyer, parse
from socialcredit.lake.changes import note_changes
from socialcredit.lake.schema import score_history_sql
from socialcredit.lake.state import state_table
from socialcredit.records import CATEGORIES
from socialcredit.records.consent import CONSENTS_TABLE, ended_sql
from socialcredit.scoring import digest as digests
from socialcredit.settings import utc_now, utc_today
from socialcredit.store import Store

__all__ = ["erase_expired", "erase_person"]

#: per category: the predicate (alias r, {cutoff}) of a record past retention
EXPIRED = {
    "payment": "r.due_date < {cutoff}",
    "contract": "r.start_date < {cutoff} AND r.status <> 'open'",
    "judgment": "r.filed_date < {cutoff} AND r.resolved_date IS NOT NULL",
}


def _delete(engine: Engine, table: str, where: str, params: list[Any]) -> int:
    count = int(
        engine.scalar(f"count {table}", f"SELECT count(*) FROM {table} r WHERE {where}", params)
    )
    if count:
        engine.execute(f"erase {table}", f"DELETE FROM {table} r WHERE {where}", params)
    return count


def _forget_digests(engine: Engine, key: str) -> None:
    """Take the person's line out of the digest of every run that scored them, so that
    each run's digest still describes its rows (:mod:`socialcredit.scoring.digest`)."""
    scored = engine.query(
        "runs scored",
        "SELECT h.run_id, h.subject_key, h.score, h.tier, r.scores_digest "
        f"FROM ({score_history_sql(one_person=True)}) h JOIN score_runs r ON r.run_id = h.run_id",
        [key],
    )
    for row in scored.to_pylist():
        sums = digests.parse(str(row["scores_digest"] or ""))
        if sums is None:  # a digest of an earlier format cannot be updated
            continue
        run = engine.query(
            "run", "SELECT * FROM score_runs WHERE run_id = ?", [row["run_id"]]
        ).to_pylist()[0]
        run["scores_digest"] = digests.digest(
            digests.subtract(
                sums, digests.sums_of_line(row["subject_key"], row["score"], row["tier"])
            )
        )
        run["subjects"] = int(run["subjects"]) - 1
        engine.execute("run", "DELETE FROM score_runs WHERE run_id = ?", [row["run_id"]])
        engine.execute(
            "run",
            f"INSERT INTO score_runs ({', '.join(run)}) VALUES ({', '.join('?' for _ in run)})",
            list(run.values()),
        )


def _log(engine: Engine, kind: str, removed: dict[str, int]) -> dict[str, Any]:
    erasure_id = uuid.uuid4().hex[:16]
    at = utc_now()
    engine.execute(
        "log erasure",
        "INSERT INTO erasures VALUES (?, ?, ?, ?)",
        [erasure_id, at, kind, sum(removed.values())],
    )
    return {"erasure_id": erasure_id, "at": at.isoformat(), "kind": kind, "removed": removed}


def erase_person(
    engine: Engine,
    keyer: SubjectKeyer,
    resident_id: str,
    *,
    store: Store | None = None,
    actor: str = "cli",
) -> dict[str, Any]:
    """Remove every row about the person with ``resident_id`` from the lake and,
    given ``store``, from the store too (``result["store"]``: count per table);
    ``actor`` is who asked, for the store's audit log.

    A person already gone from the lake but still in the store (a lake-only
    erasure made earlier, or one interrupted between the two) is erased from the
    store; nobody on file anywhere raises :class:`NotFoundError`.
    """
    key = keyer.key(parse(resident_id).number)
    in_lake = engine.scalar("known", "SELECT count(*) FROM subjects WHERE subject_key = ?", [key])
    from_store: dict[str, int] = {}
    if store is not None:
        from socialcredit.store.erasure import erase_person_from_store

        from_store = erase_person_from_store(store, key, actor, in_lake=bool(in_lake))
    if not in_lake and not any(from_store.values()):
        raise NotFoundError("nobody with this resident ID is on file")
    removed: dict[str, int] = {}
    with engine.transaction():
        removed["record_holds"] = 0
        for category in CATEGORIES.values():
            removed["record_holds"] += _delete(
                engine,
                "record_holds",
                f"r.category = ? AND EXISTS (SELECT 1 FROM {category.table} x WHERE "
                "x.subject_key = ? AND x.partner_id = r.partner_id AND x.record_id = r.record_id)",
                [category.name, key],
            )
        # Guarantors linked to theirs (up the chain, in a circle) are recomputed next run,
        # and their key leaves the guarantees others signed for them.
        note_changes(engine, reached_sql(key), [], "guarantee link erased")
        removed["guarantee_links"] = forget(engine, key)
        for category in CATEGORIES.values():
            removed[category.table] = _delete(engine, category.table, "r.subject_key = ?", [key])
        _forget_digests(engine, key)
        removed["score_history"] = _delete(engine, "score_rows", "r.subject_key = ?", [key])
        removed["feature_state"] = sum(
            _delete(engine, state_table(c), "r.subject_key = ?", [key]) for c in STATES
        )
        removed[GRAPH_TABLE] = _delete(engine, GRAPH_TABLE, "r.subject_key = ?", [key])
        for table in ("subject_changes", CONSENTS_TABLE, "subjects"):
            removed[table] = _delete(engine, table, "r.subject_key = ?", [key])
        result = _log(engine, "person", removed)
    if store is not None:
        result["store"] = from_store
    return result


def erase_expired(
    engine: Engine, as_of: dt.date | None = None, *, withdrawn_days: int = 30
) -> dict[str, Any]:
    """Remove records past the retention period as of ``as_of`` (default: today), and
    records shared with consent whose sharing ended (the consent was withdrawn after
    they came in, or expired) more than ``withdrawn_days`` days before it (the
    profile's ``withdrawn_retention_days``; see :mod:`socialcredit.records.consent`)."""
    cutoff = date_literal(years_before(as_of or utc_today(), RETENTION_YEARS))
    moment = dt.datetime.combine(as_of, dt.time()) if as_of else utc_now()
    shared_until = moment - dt.timedelta(days=withdrawn_days)
    removed: dict[str, int] = {}
    with engine.transaction():
        for name, predicate in EXPIRED.items():
            table = CATEGORIES[name].table
            where = predicate.format(cutoff=cutoff)
            # Their scores change: incremental rescoring must recompute them.
            note_changes(engine, f"SELECT subject_key FROM {table} r WHERE {where}", [], "expired")
            removed[table] = _delete(engine, table, where, [])
        for category in CATEGORIES.values():
            if not category.consent:
                continue
            engine.execute(
                "sharing ended",
                "CREATE OR REPLACE TEMP TABLE _sharing_ended AS "
                + ended_sql(category.table, category.consent, shared_until),
            )
            where = "r.partner_id || '/' || r.record_id IN (SELECT record_key FROM _sharing_ended)"
            note_changes(
                engine, f"SELECT subject_key FROM {category.table} r WHERE {where}", [], "withdrawn"
            )
            removed[category.table] = _delete(engine, category.table, where, [])
            engine.execute("clean up", "DROP TABLE IF EXISTS _sharing_ended")
        return _log(engine, "expired", removed)
