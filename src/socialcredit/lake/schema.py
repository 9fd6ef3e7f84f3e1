"""The records lake: append-only tables of accepted records, subjects, batches and
rejections, and the reference tables the pipeline joins against.

Records are keyed by pseudonymous subject key; a resident identity number never
reaches a lake table. Nothing here updates or deletes a record.
"""

from __future__ import annotations

import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.features import DIMENSIONS
from socialcredit.graph.step import TABLES as GRAPH_TABLES
from socialcredit.identity import region_periods
from socialcredit.identity.sql import REGION_TABLE
from socialcredit.lake.migrations import LAKE_VERSION, migrate
from socialcredit.lake.state import state_columns
from socialcredit.records import CATEGORIES, Category
from socialcredit.records.consent import CONSENTS_COLUMNS, CONSENTS_TABLE
from socialcredit.scorecard.evaluate import MAX_REASONS

__all__ = [
    "LAKE_VERSION",
    "SCORE_COLUMNS_SQL",
    "ensure_lake",
    "record_columns",
    "score_columns",
    "score_history_sql",
]

#: ``score_rows``: a column ``sub_<id>`` per dimension, which a new dimension adds to
#: an existing lake by itself (:func:`socialcredit.lake.migrations.migrate`)
SCORE_COLUMNS_SQL = (
    "run_id VARCHAR, as_of DATE, scorecard_version VARCHAR, subject_key VARCHAR, "
    "score INTEGER, tier VARCHAR, "
    + "".join(f"sub_{d} INTEGER, " for d in DIMENSIONS)
    + ", ".join(f"reason_{i} VARCHAR, lost_{i} INTEGER" for i in range(1, MAX_REASONS + 1))
)

_TABLES = {
    "subjects": (
        "subject_key VARCHAR, birth_year INTEGER, sex VARCHAR, region VARCHAR, first_batch VARCHAR"
    ),
    "batches": (
        "batch_id VARCHAR, partner_id VARCHAR, category VARCHAR, schema_version INTEGER, "
        "file_name VARCHAR, file_sha256 VARCHAR, file_format VARCHAR, rows_in BIGINT, "
        "accepted BIGINT, rejected BIGINT, duplicates BIGINT, started_at TIMESTAMP, "
        "finished_at TIMESTAMP"
    ),
    "rejections": (
        "batch_id VARCHAR, row_number BIGINT, field VARCHAR, value VARCHAR, rule VARCHAR, "
        "message VARCHAR"
    ),
    "lake_meta": "key VARCHAR, value VARCHAR",
    "scorecards": "version VARCHAR, spec_json VARCHAR, first_used TIMESTAMP",
    "record_holds": (
        "category VARCHAR, partner_id VARCHAR, record_id VARCHAR, dispute_id VARCHAR, "
        "held_since TIMESTAMP"
    ),
    "erasures": "erasure_id VARCHAR, erased_at TIMESTAMP, kind VARCHAR, rows_removed BIGINT",
    # Consents that govern records (cash flow shared with consent), kept in step with
    # the store's: ingestion and scoring read them here (socialcredit.records.consent).
    CONSENTS_TABLE: CONSENTS_COLUMNS,
    # People whose counting records changed other than by ingestion (a dispute's hold
    # or outcome, records erased): incremental rescoring recomputes them.
    "subject_changes": "subject_key VARCHAR, changed_at TIMESTAMP, cause VARCHAR",
    "scorecard_live": "version VARCHAR, published_at TIMESTAMP",
    "score_runs": (
        "run_id VARCHAR, as_of DATE, scorecard_version VARCHAR, engine VARCHAR, "
        "subjects BIGINT, scores_digest VARCHAR, created_at TIMESTAMP, notice_days INTEGER"
    ),
    # Every run's rows. A full run writes everyone; an incremental run writes only the
    # people it recomputed since its base run (score NULL: no longer scored), and the
    # ``score_history`` view fills in the rest from the base (see ``score_run_bases``).
    "score_rows": SCORE_COLUMNS_SQL,
    "score_run_bases": "run_id VARCHAR, base_run_id VARCHAR",
    # The guarantee graph's results as of the last run's window (socialcredit.graph).
    **GRAPH_TABLES,
    **state_columns(),
}


def record_columns(category: Category) -> list[tuple[str, str]]:
    """(name, SQL type) of a category's lake table, in order."""
    columns = [
        ("batch_id", "VARCHAR"),
        ("partner_id", "VARCHAR"),
        ("record_id", "VARCHAR"),
        ("subject_key", "VARCHAR"),
        ("observed_date", "DATE"),
    ]
    columns += [(f.column, f.sql_type()) for f in category.fields]
    return columns


def score_columns() -> list[str]:
    """The columns of ``score_rows`` (and the ``score_history`` view), in order."""
    return [column.split()[0] for column in SCORE_COLUMNS_SQL.split(", ")]


def score_history_sql(one_person: bool = False) -> str:
    """Each run's full rows: its own, and for an incremental run its base run's rows
    for everyone it did not recompute (the ``score_history`` view). With
    ``one_person``, the rows of one subject key (one ``?``), read from the table once:
    engines do not always carry a key filter through the anti-join."""
    rows = "mine" if one_person else "score_rows"
    own = ", ".join(f"h.{c}" for c in score_columns())
    based = ", ".join(f"b.{c}" for c in score_columns()[1:])
    return (
        ("WITH mine AS (SELECT * FROM score_rows WHERE subject_key = ?) " if one_person else "")
        + f"SELECT {own} FROM {rows} h WHERE h.score IS NOT NULL UNION ALL "
        f"SELECT d.run_id, {based} FROM score_run_bases d "
        f"JOIN {rows} b ON b.run_id = d.base_run_id "
        f"LEFT JOIN {rows} o ON o.run_id = d.run_id AND o.subject_key = b.subject_key "
        "WHERE o.subject_key IS NULL"
    )


def ensure_lake(engine: Engine) -> None:
    """Create whatever lake tables are missing, bring older lakes to this version
    (:mod:`socialcredit.lake.migrations`) and load the reference tables."""
    recorded = migrate(engine)
    for table, columns in _TABLES.items():
        engine.execute(f"create {table}", f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    for category in CATEGORIES.values():
        columns = ", ".join(f"{name} {kind}" for name, kind in record_columns(category))
        engine.execute(
            f"create {category.table}", f"CREATE TABLE IF NOT EXISTS {category.table} ({columns})"
        )
    if not engine.has_table(REGION_TABLE):
        periods = region_periods()
        engine.create_table_from_arrow(
            REGION_TABLE,
            pa.table(
                {
                    "code": pa.array([p.code for p in periods], pa.string()),
                    "start_year": pa.array([p.start for p in periods], pa.int32()),
                    "end_year": pa.array([p.end for p in periods], pa.int32()),
                }
            ),
            temporary=False,
        )
    engine.execute(
        "score history", f"CREATE VIEW IF NOT EXISTS score_history AS {score_history_sql()}"
    )
    if recorded != str(LAKE_VERSION):
        engine.execute("lake version", "DELETE FROM lake_meta WHERE key = 'lake_version'")
        engine.execute(
            "lake version", "INSERT INTO lake_meta VALUES ('lake_version', ?)", [str(LAKE_VERSION)]
        )
