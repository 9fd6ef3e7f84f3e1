"""Bringing an older lake to the current shape when it is opened.

Four kinds of change, each applied once:

- lake version 2 kept every run whole in ``score_history``; its rows move to
  ``score_rows`` (``score_history`` is now a view);
- before version 4 the feature state had another shape: it is dropped, and
  incremental runs read records until the next full run rebuilds it;
- a dimension added since the lake was made (a ``sub_<id>`` column that
  ``score_rows`` lacks): the table is rebuilt with the column, NULL in earlier
  runs (a person scored before the dimension existed had no subscore in it);
- a record category's new optional column (``role`` of contract version 2): its
  table is rebuilt with the column, NULL in the records received before (what an
  older file without the column means);
- the guarantee graph's kept edges named keys before they were numbered
  (``guarantee_nodes``): they are dropped, and so is the feature state, so that
  the next run rebuilds both from records.
"""

from __future__ import annotations

from socialcredit.engines import Engine

__all__ = ["LAKE_VERSION", "migrate"]

#: Bumped when a lake table changes shape other than by a new dimension; recorded in
#: the ``lake_meta`` table. 4: the verification state packs each latest check into an
#: integer.
LAKE_VERSION = 4


def migrate(engine: Engine) -> str | None:
    """Apply what an older lake needs; returns the lake version it recorded (None: new)."""
    from socialcredit.lake.state import state_columns

    if engine.has_table("score_history") and not engine.has_table("score_rows"):
        engine.execute("migrate", "CREATE TABLE score_rows AS SELECT * FROM score_history")
        engine.execute("migrate", "DROP TABLE score_history")
    recorded = (
        engine.scalar("lake version", "SELECT max(value) FROM lake_meta WHERE key = 'lake_version'")
        if engine.has_table("lake_meta")
        else None
    )
    if recorded is not None and int(recorded) < 4:
        for table in state_columns():
            engine.execute("migrate", f"DROP TABLE IF EXISTS {table}")
    _add_score_columns(engine)
    _add_record_columns(engine)
    _number_graph(engine)
    return None if recorded is None else str(recorded)


def _number_graph(engine: Engine) -> None:
    """Drop edges kept by key (before node numbers) and the state that relied on them."""
    from socialcredit.graph.step import EDGES_TABLE
    from socialcredit.lake.state import STATE_META, clear_state_meta

    if not engine.has_table(EDGES_TABLE):
        return
    present = engine.query("graph edges", f"SELECT * FROM {EDGES_TABLE} LIMIT 0").column_names
    if "subject_key" not in present:
        return
    with engine.transaction():
        engine.execute("migrate", f"DROP TABLE {EDGES_TABLE}")
        if engine.has_table(STATE_META):
            clear_state_meta(engine)


def _add_record_columns(engine: Engine) -> None:
    """Rebuild each record table that lacks a column its category now declares."""
    from socialcredit.lake.schema import record_columns
    from socialcredit.records import CATEGORIES

    for category in CATEGORIES.values():
        table = category.table
        if not engine.has_table(table):
            continue
        present = set(engine.query("record columns", f"SELECT * FROM {table} LIMIT 0").column_names)
        wanted = record_columns(category)
        if all(name in present for name, _ in wanted):
            continue
        kept = ", ".join(name for name, _ in wanted if name in present)
        columns = ", ".join(f"{name} {kind}" for name, kind in wanted)
        with engine.transaction():
            engine.execute("migrate", f"CREATE TABLE _records_before AS SELECT * FROM {table}")
            engine.execute("migrate", f"DROP TABLE {table}")
            engine.execute("migrate", f"CREATE TABLE {table} ({columns})")
            engine.execute(
                "migrate", f"INSERT INTO {table} ({kept}) SELECT {kept} FROM _records_before"
            )
            engine.execute("migrate", "DROP TABLE _records_before")


def _add_score_columns(engine: Engine) -> None:
    """Rebuild ``score_rows`` with the columns a new dimension brings (portable SQL:
    no engine-specific ALTER TABLE)."""
    from socialcredit.lake.schema import SCORE_COLUMNS_SQL, score_columns

    if not engine.has_table("score_rows"):
        return
    present = set(engine.query("score columns", "SELECT * FROM score_rows LIMIT 0").column_names)
    wanted = score_columns()
    if all(column in present for column in wanted):
        return
    kept = ", ".join(c for c in wanted if c in present)
    with engine.transaction():
        engine.execute("migrate", "CREATE TABLE _score_rows_before AS SELECT * FROM score_rows")
        engine.execute("migrate", "DROP VIEW IF EXISTS score_history")
        engine.execute("migrate", "DROP TABLE score_rows")
        engine.execute("migrate", f"CREATE TABLE score_rows ({SCORE_COLUMNS_SQL})")
        engine.execute(
            "migrate",
            f"INSERT INTO score_rows ({kept}) SELECT {kept} FROM _score_rows_before",
        )
        engine.execute("migrate", "DROP TABLE _score_rows_before")
