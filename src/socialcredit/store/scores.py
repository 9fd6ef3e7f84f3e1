"""Publishing a score run into the store, in bulk (COPY on PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from socialcredit.dimensions import DIMENSIONS
from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.scorecard import MAX_REASONS
from socialcredit.store.database import Store
from socialcredit.store.models import PublishedScore

__all__ = ["COLUMNS", "publish_run", "score_row"]

COLUMNS = (
    "subject_key",
    "score",
    "tier",
    "subscores",
    "reasons",
    "as_of",
    "scorecard_version",
    "run_id",
    "published_at",
)


def score_row(row: dict[str, Any], published_at: dt.datetime) -> dict[str, Any]:
    """A lake score-history row as a published-score row."""
    return {
        "subject_key": row["subject_key"],
        "score": row["score"],
        "tier": row["tier"],
        "subscores": {d: row[f"sub_{d}"] for d in DIMENSIONS if row.get(f"sub_{d}") is not None},
        "reasons": [
            {"feature": row[f"reason_{i}"], "points_lost": row[f"lost_{i}"]}
            for i in range(1, MAX_REASONS + 1)
            if row.get(f"reason_{i}")
        ],
        "as_of": row["as_of"].isoformat(),
        "scorecard_version": row["scorecard_version"],
        "run_id": row["run_id"],
        "published_at": published_at,
    }


def _copy_postgres(store: Store, lake: Engine, run_id: str, published_at: dt.datetime) -> int:
    """The engine writes the rows as CSV (JSON built in SQL); PostgreSQL COPYs them in."""
    present = [
        d
        for d in DIMENSIONS
        if lake.scalar(
            "dimension", f"SELECT count(sub_{d}) FROM score_history WHERE run_id = ?", [run_id]
        )
    ]
    subscores = ", ".join(f"'{d}', sub_{d}" for d in present)
    reasons = ", ".join(
        f"struct_pack(feature := reason_{i}, points_lost := lost_{i})"
        for i in range(1, MAX_REASONS + 1)
    )
    sql = (
        f"SELECT subject_key, score, tier, json_object({subscores}), "
        f"to_json(list_filter([{reasons}], lambda r: r.feature IS NOT NULL)), "
        f"CAST(as_of AS VARCHAR), scorecard_version, run_id, "
        f"TIMESTAMP '{published_at.isoformat(sep=' ')}' "
        f"FROM score_history WHERE run_id = '{run_id.replace(chr(39), chr(39) * 2)}'"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scores.csv"
        if lake.name == "duckdb":
            lake.export_csv("export scores", sql, path)
        else:  # engines without DuckDB's JSON functions: the rows are built here
            _write_rows_csv(lake, run_id, published_at, path)
        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("DELETE FROM published_scores")
            with (
                cursor.copy(
                    f"COPY published_scores ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            raw.commit()
        finally:
            raw.close()
    return int(
        lake.scalar("count", "SELECT count(*) FROM score_history WHERE run_id = ?", [run_id])
    )


def _write_rows_csv(lake: Engine, run_id: str, published_at: dt.datetime, path: Path) -> None:
    history = lake.query("history", "SELECT * FROM score_history WHERE run_id = ?", [run_id])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in history.to_pylist():
            published = score_row(row, published_at)
            writer.writerow(
                [
                    json.dumps(published[c], separators=(",", ":"))
                    if isinstance(published[c], dict | list)
                    else published[c]
                    for c in COLUMNS
                ]
            )


def publish_run(store: Store, lake: Engine, run_id: str | None = None) -> dict[str, Any]:
    """Replace the published scores with a run's (default: the latest as-of, newest)."""
    where = "WHERE run_id = ?" if run_id else ""
    runs = lake.query(
        "run",
        f"SELECT run_id FROM score_runs {where} ORDER BY as_of DESC, created_at DESC LIMIT 1",
        [run_id] if run_id else [],
    ).to_pylist()
    if not runs:
        raise NotFoundError("no score run to publish; run socialcredit score first")
    chosen = runs[0]["run_id"]
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    if store.dialect == "postgresql":
        count = _copy_postgres(store, lake, chosen, published_at)
    else:
        history = lake.query("history", "SELECT * FROM score_history WHERE run_id = ?", [chosen])
        rows = [score_row(row, published_at) for row in history.to_pylist()]
        with store.session() as session, session.begin():
            session.execute(delete(PublishedScore))
            for start in range(0, len(rows), 50_000):
                session.execute(insert(PublishedScore), rows[start : start + 50_000])
        count = len(rows)
    return {"run_id": chosen, "published": count, "published_at": published_at.isoformat()}
