"""Who changed since a score run: the people incremental rescoring recomputes.

Two sources, both in the lake:

- records ingested since the run: every record carries its ``batch_id`` and the
  ``batches`` ledger says when each batch finished;
- everything else that changes which records count (a dispute opened or
  resolved, records erased): noted in ``subject_changes`` as it happens.

Nothing else moves a person's features at a fixed as-of date: features are
computed from the person's own records only (no one's score depends on anyone
else's), and the notice cut-off and every window depend on the as-of date alone.
The lake has one writer at a time (the engine's file lock, the service's lake
lock), so a batch cannot finish unseen while a run is being saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialcredit.engines import Engine
from socialcredit.records import CATEGORIES

__all__ = ["changed_since_sql", "note_change", "note_changes"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def note_change(engine: Engine, subject_key: str, cause: str) -> None:
    engine.execute(
        "note change", "INSERT INTO subject_changes VALUES (?, ?, ?)", [subject_key, _now(), cause]
    )


def note_changes(engine: Engine, subjects_sql: str, params: list[Any], cause: str) -> None:
    """Note every ``subject_key`` that ``subjects_sql`` selects."""
    engine.execute(
        "note changes",
        f"INSERT INTO subject_changes SELECT DISTINCT subject_key, ?, ? FROM ({subjects_sql}) c",
        [_now(), cause, *params],
    )


def changed_since_sql(since: dt.datetime) -> str:
    """A query of the subject keys whose counting records may have changed after ``since``."""
    moment = f"TIMESTAMP '{since.isoformat(sep=' ')}'"
    ingested = " UNION ".join(
        f"SELECT r.subject_key FROM {c.table} r JOIN batches b ON b.batch_id = r.batch_id "
        f"WHERE b.finished_at > {moment}"
        for c in CATEGORIES.values()
    )
    return f"SELECT subject_key FROM subject_changes WHERE changed_at > {moment} UNION {ingested}"
