"""Real erasure: rows removed from the lake, not only ignored.

Two kinds: everything about one person (records of every category, the
subject row, score history), and records past their retention period (bills
and contracts older than the retention period, court and administrative cases
filed before it and resolved). The log of erasures keeps only that one
happened, when, of which kind and how many rows: never whom. Call
:meth:`Engine.compact` afterwards so that the removed bytes leave the files too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from socialcredit.dimensions.base import RETENTION_YEARS, date_literal, years_before
from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.identity import SubjectKeyer, parse
from socialcredit.records import CATEGORIES

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


def _log(engine: Engine, kind: str, removed: dict[str, int]) -> dict[str, Any]:
    erasure_id = uuid.uuid4().hex[:16]
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    engine.execute(
        "log erasure",
        "INSERT INTO erasures VALUES (?, ?, ?, ?)",
        [erasure_id, at, kind, sum(removed.values())],
    )
    return {"erasure_id": erasure_id, "at": at.isoformat(), "kind": kind, "removed": removed}


def erase_person(engine: Engine, keyer: SubjectKeyer, resident_id: str) -> dict[str, Any]:
    """Remove every row about the person with ``resident_id``."""
    key = keyer.key(parse(resident_id).number)
    if not engine.scalar("known", "SELECT count(*) FROM subjects WHERE subject_key = ?", [key]):
        raise NotFoundError("nobody with this resident ID is on file")
    removed: dict[str, int] = {}
    with engine.transaction():
        for category in CATEGORIES.values():
            removed[category.table] = _delete(engine, category.table, "r.subject_key = ?", [key])
        removed["score_history"] = _delete(engine, "score_history", "r.subject_key = ?", [key])
        removed["subjects"] = _delete(engine, "subjects", "r.subject_key = ?", [key])
        return _log(engine, "person", removed)


def erase_expired(engine: Engine, as_of: dt.date | None = None) -> dict[str, Any]:
    """Remove records past the retention period as of ``as_of`` (default: today)."""
    cutoff = date_literal(years_before(as_of or dt.date.today(), RETENTION_YEARS))
    removed: dict[str, int] = {}
    with engine.transaction():
        for name, predicate in EXPIRED.items():
            table = CATEGORIES[name].table
            removed[table] = _delete(engine, table, predicate.format(cutoff=cutoff), [])
        return _log(engine, "expired", removed)
