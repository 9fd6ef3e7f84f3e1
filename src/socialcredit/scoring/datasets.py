"""Training datasets: the platform's features as of a date joined with outcomes
a lender supplies, keyed by subject key (no resident IDs leave the lake); with
``groups``, also each person's age band, sex and province, to measure adverse
impact by (a scorecard never reads them: the trainer leaves them out).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from socialcredit.engines import Engine
from socialcredit.errors import InputError
from socialcredit.features import FEATURES, features_sql, window_for
from socialcredit.graph.step import graph_tables
from socialcredit.identity import SubjectKeyer
from socialcredit.monitoring.fairness import group_columns_sql
from socialcredit.scorecard.compile import quote
from socialcredit.scoring.notice import DEFAULT_NOTICE_DAYS
from socialcredit.scoring.runs import latest_observed

__all__ = ["training_dataset"]


def training_dataset(
    engine: Engine,
    keyer: SubjectKeyer,
    truth: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    notice_days: int = DEFAULT_NOTICE_DAYS,
    groups: bool = False,
) -> dict[str, Any]:
    """Features as of a date joined with outcomes, written as Parquet (no resident IDs);
    ``groups`` adds the columns ``age_band``, ``sex`` and ``province``."""
    day = as_of or latest_observed(engine)
    try:
        outcomes = pacsv.read_csv(
            truth, convert_options=pacsv.ConvertOptions(column_types={"resident_id": pa.string()})
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{truth}: cannot be read as CSV ({exc})") from exc
    if "resident_id" not in outcomes.column_names or outcomes.num_columns < 2:
        raise InputError(f"{truth}: needs a resident_id column and at least one outcome column")
    engine.create_table_from_arrow("_outcomes", outcomes, temporary=True)
    extra = ", ".join(f"o.{quote(c)}" for c in outcomes.column_names if c != "resident_id")
    names = ", ".join(f"f.{name}" for name in FEATURES)
    # the guarantee graph as of this date, computed now if the last run had another
    graph = graph_tables(engine, window_for(day, notice_days))
    features = features_sql(day, notice_days=notice_days, tables=graph)
    rows = engine.query(
        "training dataset",
        f"SELECT f.subject_key, {names}, {extra}"
        + (f", {group_columns_sql(day)}" if groups else "")
        + f" FROM ({features}) f "
        f"JOIN _outcomes o ON f.subject_key = {keyer.sql('o.resident_id')} "
        + ("LEFT JOIN subjects s ON s.subject_key = f.subject_key " if groups else "")
        + "ORDER BY f.subject_key",
    )
    engine.execute("clean up", "DROP TABLE IF EXISTS _outcomes")
    pq.write_table(rows, out)
    return {
        "rows": rows.num_rows,
        "as_of": day.isoformat(),
        "out": str(out),
        "columns": rows.column_names,
    }
