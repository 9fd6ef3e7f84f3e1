"""Who changed since a score run: the people incremental rescoring recomputes.

Two sources, both in the lake:

- records ingested since the run: every record carries its ``batch_id`` and the
  ``batches`` ledger says when each batch finished;
- everything else that changes which records count (a dispute opened or
  resolved, records erased): noted in ``subject_changes`` as it happens.

One thing more moves a person's features at a fixed as-of date: guarantees. A
guarantor's exposure through chains and their guarantee circles depend on the
guarantees others signed (:mod:`socialcredit.graph`); the score run's graph step
names the guarantors a changed guarantee can reach (up the chain within its depth,
and the members of its circles) and they are recomputed too. Every other feature
is computed from the person's own records only, and the notice cut-off and every
window depend on the as-of date alone.
The lake has one writer at a time (the engine's file lock, the service's lake
lock), so a batch cannot finish unseen while a run is being saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialcredit.engines import Engine
from socialcredit.records import CATEGORIES
from socialcredit.settings import utc_now

__all__ = [
    "batches_since",
    "changed_since_sql",
    "in_batches",
    "note_change",
    "note_changes",
    "noted_since_sql",
]


def note_change(engine: Engine, subject_key: str, cause: str) -> None:
    engine.execute(
        "note change",
        "INSERT INTO subject_changes VALUES (?, ?, ?)",
        [subject_key, utc_now(), cause],
    )


def note_changes(engine: Engine, subjects_sql: str, params: list[Any], cause: str) -> None:
    """Note every ``subject_key`` that ``subjects_sql`` selects."""
    engine.execute(
        "note changes",
        f"INSERT INTO subject_changes SELECT DISTINCT subject_key, ?, ? FROM ({subjects_sql}) c",
        [utc_now(), cause, *params],
    )


def _moment(since: dt.datetime) -> str:
    return f"TIMESTAMP '{since.isoformat(sep=' ')}'"


def batches_since(engine: Engine, since: dt.datetime) -> dict[str, list[str]]:
    """The batches finished after ``since``, per category."""
    found = engine.query(
        "batches since",
        f"SELECT batch_id, category FROM batches WHERE finished_at > {_moment(since)}",
    ).to_pylist()
    return {
        name: sorted({b["batch_id"] for b in found if b["category"] == name}) for name in CATEGORIES
    }


def in_batches(ids: list[str]) -> str:
    """Predicate: the record came in one of the batches ``ids`` (named as constants, so
    that the engine reads only the parts of a record table those batches wrote)."""
    return "batch_id IN (" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids) + ")"


def noted_since_sql(since: dt.datetime) -> str:
    """A query of the subject keys noted in ``subject_changes`` after ``since``."""
    return f"SELECT subject_key FROM subject_changes WHERE changed_at > {_moment(since)}"


def changed_since_sql(
    engine: Engine, since: dt.datetime, batches: dict[str, list[str]] | None = None
) -> str:
    """A query of the subject keys whose counting records may have changed after ``since``.

    The batches finished since are looked up first and named (:func:`in_batches`):
    a batch's rows are stored together, so min/max statistics skip the rest of
    each record table instead of every record being joined to the ledger.
    """
    batches = batches_since(engine, since) if batches is None else batches
    ingested = []
    for name, category in CATEGORIES.items():
        ids = batches.get(name, [])
        if ids:
            ingested.append(f"SELECT subject_key FROM {category.table} WHERE {in_batches(ids)}")
    return " UNION ".join([noted_since_sql(since), *ingested])
