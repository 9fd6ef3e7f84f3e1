"""Bringing an older lake to the current shape when it is opened.

Three kinds of change, each applied once:

- lake version 2 kept every run whole in ``score_history``; its rows move to
  ``score_rows`` (``score_history`` is now a view);
- before version 4 the feature state had another shape: it is dropped, and
  incremental runs read records until the next full run rebuilds it;
- a dimension added since the lake was made (a ``sub_<id>`` column that
  ``score_rows`` lacks): the table is rebuilt with the column, NULL in earlier
  runs (a person scored before the dimension existed had no subscore in it).
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
    return None if recorded is None else str(recorded)


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
