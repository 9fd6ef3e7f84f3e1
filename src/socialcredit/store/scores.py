"""Publishing a score run into the store, in bulk (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
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


def _copy_postgres(store: Store, rows: list[dict[str, Any]]) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("DELETE FROM published_scores")
        with cursor.copy(f"COPY published_scores ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in ("subscores", "reasons") else row[c]
                        for c in COLUMNS
                    ]
                )
        raw.commit()
    finally:
        raw.close()


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
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    history = lake.query("history", "SELECT * FROM score_history WHERE run_id = ?", [chosen])
    rows = [score_row(row, published_at) for row in history.to_pylist()]
    if store.dialect == "postgresql":
        _copy_postgres(store, rows)
    else:
        with store.session() as session, session.begin():
            session.execute(delete(PublishedScore))
            for start in range(0, len(rows), 50_000):
                session.execute(insert(PublishedScore), rows[start : start + 50_000])
    return {"run_id": chosen, "published": len(rows), "published_at": published_at.isoformat()}
