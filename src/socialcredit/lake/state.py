"""Per-person feature state kept in the lake, so that an incremental run reads the
changed people's new records instead of everyone's history.

Each category's state (:data:`socialcredit.features.STATES`) holds, per person,
partial aggregates that combine exactly: counts and decimal sums add, maxima and
minima compare, the latest check of a kind wins. A full run rebuilds every state
table from the records and notes, in ``feature_state_meta``, the run, as-of date
and notice period it holds. An incremental run from that run then:

- for people with records only in new batches, aggregates those batches' records
  and merges them into the stored state (records are never changed in place:
  a batch only adds records, and a duplicate record id is refused at ingestion);
- for people noted in ``subject_changes`` (a hold, a release, a deletion, records
  erased), rebuilds their state from all their records, since a record leaving
  the count cannot be taken back out of a maximum;

and saves the new states with the run, in the same transaction. Any other starting
run falls back to recomputing the changed people from all their records.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.engines import Engine
from socialcredit.features import STATES
from socialcredit.features.base import Window
from socialcredit.lake.changes import in_batches
from socialcredit.records import CATEGORIES

__all__ = [
    "STATE_META",
    "advance_state",
    "clear_state_meta",
    "rebuild_state",
    "save_state",
    "set_state_run",
    "state_columns",
    "state_run",
    "state_table",
]

STATE_META = "feature_state_meta"


def state_table(category: str) -> str:
    return f"feature_state_{category}"


def state_columns() -> dict[str, str]:
    """Lake table -> column definitions, for :func:`socialcredit.lake.schema.ensure_lake`."""
    tables = {state_table(c): s.columns_sql() for c, s in STATES.items()}
    tables[STATE_META] = "run_id VARCHAR, as_of DATE, notice_days INTEGER"
    return tables


def state_run(engine: Engine) -> str | None:
    """The run whose records the stored state holds, if it is complete."""
    found = engine.scalar("state run", f"SELECT max(run_id) FROM {STATE_META}")
    return None if found is None else str(found)


def clear_state_meta(engine: Engine) -> None:
    """Mark the stored state as belonging to no run (before it is rewritten)."""
    engine.execute("state meta", f"DELETE FROM {STATE_META}")


def rebuild_state(engine: Engine, window: Window) -> dict[str, str]:
    """Every person's state from all records; returns category -> state table."""
    clear_state_meta(engine)
    tables = {}
    for category, state in STATES.items():
        table = state_table(category)
        engine.execute(f"clear {table}", f"DELETE FROM {table}")
        engine.execute(f"build {table}", f"INSERT INTO {table} {state.sql(window)}")
        tables[category] = table
    return tables


def advance_state(
    engine: Engine, window: Window, batches: dict[str, list[str]], changed: str, noted: str
) -> dict[str, str]:
    """The new state of the people in ``changed`` (a table of subject keys), as
    temporary tables ``_state_<category>``; returns category -> table.

    ``batches`` names the batches finished since the stored state's run, per category;
    ``noted`` is a query of the subject keys rebuilt from all their records.
    """
    tables = {}
    rebuilt = bool(engine.scalar("noted", f"SELECT count(*) FROM ({noted}) n"))
    merged = f"SELECT subject_key FROM {changed}"
    if rebuilt:
        merged += f" WHERE subject_key NOT IN ({noted})"
    for category, state in STATES.items():
        table = state_table(category)
        old = f"(SELECT * FROM {table} WHERE subject_key IN ({merged}))"
        parts = []
        ids = batches.get(category, [])
        if ids:
            new_records = window.with_table(
                category, f"(SELECT * FROM {CATEGORIES[category].table} WHERE {in_batches(ids)})"
            )
            delta = f"({state.sql(new_records, f' WHERE subject_key IN ({merged})')})"
            parts.append(state.merge_sql(old, delta))
        else:
            parts.append(f"SELECT * FROM {old} o")
        if rebuilt:
            parts.append(state.sql(window, f" WHERE subject_key IN ({noted})"))
        engine.execute(
            f"advance {table}",
            f"CREATE OR REPLACE TEMP TABLE _state_{category} AS " + " UNION ALL ".join(parts),
        )
        tables[category] = f"_state_{category}"
    return tables


def save_state(engine: Engine, advanced: dict[str, str], changed: str) -> None:
    """Replace the changed people's stored state with ``advanced``. Call inside the
    run's transaction, with :func:`set_state_run`."""
    for category, temp in advanced.items():
        table = state_table(category)
        engine.execute(
            f"save {table}",
            f"DELETE FROM {table} WHERE subject_key IN (SELECT subject_key FROM {changed})",
        )
        engine.execute(f"save {table}", f"INSERT INTO {table} SELECT * FROM {temp}")
        engine.execute("clean up", f"DROP TABLE IF EXISTS {temp}")


def set_state_run(engine: Engine, run_id: str, as_of: dt.date, notice_days: int) -> None:
    """Note that the stored state now holds run ``run_id``'s records."""
    clear_state_meta(engine)
    engine.execute(
        "state meta", f"INSERT INTO {STATE_META} VALUES (?, ?, ?)", [run_id, as_of, notice_days]
    )
