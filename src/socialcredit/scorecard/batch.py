"""Score a data file in the engine with a scorecard (evaluation, comparison)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from socialcredit.engines import Engine
from socialcredit.errors import InputError, UnreadableFileError
from socialcredit.scorecard.compile import score_sql
from socialcredit.scorecard.spec import ScorecardSpec
from socialcredit.scorecard.tabular import reader_sql

__all__ = ["load_rows", "score_rows"]

ROWS = "_rows"


def load_rows(engine: Engine, path: Path) -> int:
    """Load a CSV or Parquet file as table ``_rows`` with a row number ``_row``."""
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    reader = reader_sql(path)
    engine.execute(
        "load rows",
        f"CREATE OR REPLACE TEMP TABLE {ROWS} AS SELECT row_number() OVER () AS _row, * "
        f"FROM {reader}",
    )
    engine.encode_categories(ROWS)
    return int(engine.scalar("rows", f"SELECT count(*) FROM {ROWS}"))


def score_rows(engine: Engine, spec: ScorecardSpec) -> np.ndarray:
    """Scores of every row of ``_rows``, in row order, computed by the engine."""
    present = set(engine.query("columns", f"SELECT * FROM {ROWS} LIMIT 0").column_names)
    missing = [f.column for f in spec.features if f.column not in present]
    if missing:
        raise InputError(
            f"the data lacks column(s) {', '.join(missing)} that scorecard {spec.version} reads"
        )
    result = engine.query("score rows", f"{score_sql(spec, ROWS, key='_row')} ORDER BY _row")
    return np.asarray(result.column("score").to_numpy(), dtype=np.int64)
