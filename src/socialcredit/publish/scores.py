"""Publishing a score run into the store: in bulk (COPY on PostgreSQL), or, for an
incremental run over what is already published, only the people it changed."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.features import DIMENSIONS
from socialcredit.scorecard import MAX_REASONS
from socialcredit.settings import utc_now
from socialcredit.store.database import Store
from socialcredit.store.models import PublishedScore

__all__ = ["COLUMNS", "history_to_published", "publish_run", "published_to_history"]

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


def history_to_published(row: dict[str, Any], published_at: dt.datetime) -> dict[str, Any]:
    """A lake score-history row as a published-score row (the inverse of
    :func:`published_to_history`)."""
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


def published_to_history(published: PublishedScore) -> dict[str, Any]:
    """A published score in the shape of a lake score-history row, what a report is
    built from (the inverse of :func:`history_to_published`, less the subject key)."""
    row: dict[str, Any] = {
        "score": published.score,
        "tier": published.tier,
        "as_of": dt.date.fromisoformat(published.as_of),
        "scorecard_version": published.scorecard_version,
        "run_id": published.run_id,
    }
    row |= {f"sub_{d}": v for d, v in published.subscores.items()}
    for i, reason in enumerate(published.reasons, start=1):
        row[f"reason_{i}"], row[f"lost_{i}"] = reason["feature"], reason["points_lost"]
    return row


#: COPY streams run at once on PostgreSQL (each its own connection and backend)
COPY_STREAMS = 2


def _escaped(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    text = str(value)
    for char, escape in _ESCAPES:
        text = text.replace(char, escape)
    return text


#: what COPY's text format escapes, backslash first
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _escaped_sql(column: str) -> str:
    """SQL escaping a text column for COPY's text format, as :func:`_escaped` does."""
    for char, escape in _ESCAPES:
        column = f"replace({column}, chr({ord(char)}), '{escape}')"
    return column


@dataclass(frozen=True, slots=True)
class Lines:
    """Published-score rows written for COPY: how many, the files, the columns in
    them, and the columns left out because every row has the same value (``shared``:
    column -> value), which the table's defaults fill in instead."""

    count: int
    paths: list[Path]
    columns: tuple[str, ...]
    shared: dict[str, Any]


#: columns one run's rows share (its own, or its base's, which has the same as-of
#: date and scorecard), left out of the files when they are the same on every row
_RUN_COLUMNS = ("as_of", "scorecard_version", "run_id")


def _write_lines(lake: Engine, rows: str, published_at: dt.datetime, paths: list[Path]) -> Lines:
    """Write the score rows of the query ``rows`` as published-score lines in COPY's
    text format, split by subject key over ``paths``. Text format rather than CSV:
    JSON needs no quoting in it, so the files are smaller and PostgreSQL parses them
    faster. Columns with one value on every row are not written (:class:`Lines`).

    An engine that can export lines builds the JSON in SQL; other engines' rows are
    built here, in one file.
    Only the scorecard version is free text there: subject keys and run ids are hex,
    tiers and dimension names are the platform's own, and feature names are lower-case
    identifiers (:class:`~socialcredit.scorecard.spec.FeatureSpec`), so neither they
    nor the JSON made of them hold anything COPY's text format escapes.
    """
    if not lake.can_export_lines:
        found = lake.query("rows", rows)
        with paths[0].open("w", encoding="utf-8", newline="") as handle:
            for row in found.to_pylist():
                published = history_to_published(row, published_at)
                handle.write("\t".join(_escaped(published[c]) for c in COLUMNS) + "\n")
        return Lines(int(found.num_rows), paths[:1], COLUMNS, {})
    looked = ", ".join(
        ["count(*) AS n"]
        + [f"count(sub_{d}) AS sub_{d}" for d in DIMENSIONS]
        + [
            f"min({c}) AS low_{c}, max({c}) AS high_{c}, count({c}) = count(*) AS all_{c}"
            for c in _RUN_COLUMNS
        ]
    )
    seen = lake.query("dimensions", f"SELECT {looked} FROM ({rows}) r").to_pylist()[0]
    present = [d for d in DIMENSIONS if seen[f"sub_{d}"]]
    shared: dict[str, Any] = {
        c: seen[f"low_{c}"]
        for c in _RUN_COLUMNS
        if seen[f"all_{c}"] and seen[f"low_{c}"] == seen[f"high_{c}"]
    }
    if "as_of" in shared:
        shared["as_of"] = shared["as_of"].isoformat()
    shared["published_at"] = published_at
    columns = tuple(c for c in COLUMNS if c not in shared)
    subscores = ", ".join(f"'{d}', sub_{d}" for d in present)
    reasons = ", ".join(
        f"struct_pack(feature := reason_{i}, points_lost := lost_{i})"
        for i in range(1, MAX_REASONS + 1)
    )
    made = {  # each written column; only what the files hold is computed
        "subject_key": "subject_key",
        "score": "score",
        "tier": "tier",
        "subscores": f"json_object({subscores})",
        "reasons": f"to_json(list_filter([{reasons}], lambda r: r.feature IS NOT NULL))",
        "as_of": "CAST(as_of AS VARCHAR)",
        "scorecard_version": _escaped_sql("scorecard_version"),
        "run_id": "run_id",
    }
    lake.execute(
        "export scores",
        f"CREATE OR REPLACE TEMP TABLE _publish AS SELECT "
        f"{', '.join(f'{made[c]} AS {c}' for c in columns)}, "
        f"hash(subject_key) % {len(paths)} AS stream FROM ({rows}) r",
    )
    for i, path in enumerate(paths):
        lake.export_lines(
            "export scores",
            f"SELECT {', '.join(columns)} FROM _publish WHERE stream = {i}",
            path,
        )
    lake.execute("clean up", "DROP TABLE IF EXISTS _publish")
    return Lines(int(seen["n"]), paths, columns, shared)


def _copy_postgres(store: Store, lake: Engine, run_id: str, published_at: dt.datetime) -> int:
    """Load the run into a new table and put it in place of the published one.

    The engine writes the rows as text lines, split by subject key into :data:`COPY_STREAMS`
    files that PostgreSQL COPYs in parallel into a table without an index; the
    primary key is then built in one pass, and the new table replaces the old in
    one short transaction. Readers see the old scores until then, and the new ones
    after; never a mixture or an empty table.
    """
    quoted = run_id.replace(chr(39), chr(39) * 2)
    with tempfile.TemporaryDirectory() as folder:
        lines = _write_lines(
            lake,
            f"SELECT * FROM score_history WHERE run_id = '{quoted}'",
            published_at,
            [Path(folder) / f"scores-{i}.txt" for i in range(COPY_STREAMS)],
        )
        _load_and_swap(store, lines)
    return lines.count


@contextmanager
def _transaction(store: Store) -> Iterator[Any]:
    """A cursor on a raw PostgreSQL connection of its own, committed when the block ends."""
    raw = store.engine.raw_connection()
    try:
        yield raw.cursor()
        raw.commit()
    finally:
        raw.close()


def _load_and_swap(store: Store, lines: Lines) -> None:
    """COPY the files in parallel into ``published_scores_load``, index it, swap it in."""
    with _transaction(store) as cursor:
        cursor.execute("DROP TABLE IF EXISTS published_scores_load")
        cursor.execute(
            "CREATE TABLE published_scores_load (LIKE published_scores INCLUDING DEFAULTS)"
        )
        _set_defaults(cursor, "published_scores_load", lines.shared)

    def copy(path: Path) -> None:
        with _transaction(store) as cursor:
            _copy_lines(cursor, "published_scores_load", path, lines.columns)

    with ThreadPoolExecutor(max_workers=len(lines.paths)) as pool:
        list(pool.map(copy, lines.paths))
    with _transaction(store) as cursor:
        _set_defaults(cursor, "published_scores_load", dict.fromkeys(lines.shared))
        cursor.execute(
            "ALTER TABLE published_scores_load "
            "ADD CONSTRAINT published_scores_load_pkey PRIMARY KEY (subject_key)"
        )
        cursor.execute("LOCK TABLE published_scores IN ACCESS EXCLUSIVE MODE")
        cursor.execute("DROP TABLE published_scores")
        cursor.execute("ALTER TABLE published_scores_load RENAME TO published_scores")
        cursor.execute("ALTER INDEX published_scores_load_pkey RENAME TO published_scores_pkey")


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
    published_at = utc_now(whole_seconds=True)
    changed = _publish_changes(store, lake, chosen, published_at)
    if changed is not None:
        total = int(
            lake.scalar("count", "SELECT subjects FROM score_runs WHERE run_id = ?", [chosen])
        )
        return {
            "run_id": chosen,
            "published": total,
            "changed": changed,
            "published_at": published_at.isoformat(),
        }
    if store.dialect == "postgresql":
        count = _copy_postgres(store, lake, chosen, published_at)
    else:
        history = lake.query("history", "SELECT * FROM score_history WHERE run_id = ?", [chosen])
        rows = [history_to_published(row, published_at) for row in history.to_pylist()]
        with store.session() as session, session.begin():
            session.execute(delete(PublishedScore))
            for start in range(0, len(rows), 50_000):
                session.execute(insert(PublishedScore), rows[start : start + 50_000])
        count = len(rows)
    return {
        "run_id": chosen,
        "published": count,
        "changed": count,
        "published_at": published_at.isoformat(),
    }


#: rows per statement when publishing changes (PostgreSQL takes 65,535 parameters)
_CHUNK = 5_000


def _publish_changes(
    store: Store, lake: Engine, run_id: str, published_at: dt.datetime
) -> int | None:
    """Publish only the people an incremental run changed, when what is published
    is its base run or an earlier incremental run on that base; returns how many
    people changed (None: a whole publish is needed).

    An incremental run stores every change since its base (:mod:`socialcredit.scoring.runs`),
    so over any of those runs its changed rows are all the difference. People it
    no longer scores are removed. The rows of people it did not change keep the run
    id that computed their score.
    """
    base = lake.scalar("base", "SELECT base_run_id FROM score_run_bases WHERE run_id = ?", [run_id])
    if base is None:
        return None
    chain = [
        str(base),
        *lake.query(
            "chain",
            "SELECT b.run_id FROM score_run_bases b JOIN score_runs r ON r.run_id = b.run_id "
            "WHERE b.base_run_id = ? AND r.created_at <= "
            "(SELECT created_at FROM score_runs WHERE run_id = ?)",
            [base, run_id],
        )
        .column("run_id")
        .to_pylist(),
    ]
    with store.session() as session:
        anything = session.execute(select(PublishedScore.subject_key).limit(1)).first()
        other = session.execute(
            select(PublishedScore.run_id).where(PublishedScore.run_id.not_in(chain)).limit(1)
        ).first()
    if anything is None or other is not None:
        return None
    quoted = run_id.replace(chr(39), chr(39) * 2)
    gone = (
        lake.query(
            "no longer scored",
            f"SELECT subject_key FROM score_rows WHERE run_id = '{quoted}' AND score IS NULL",
        )
        .column("subject_key")
        .to_pylist()
    )
    changed = f"SELECT * FROM score_rows WHERE run_id = '{quoted}' AND score IS NOT NULL"
    if store.dialect == "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            lines = _write_lines(lake, changed, published_at, [Path(folder) / "changes.txt"])
            _upsert_postgres(store, lines, gone)
        return lines.count + len(gone)
    kept = [
        history_to_published(r, published_at) for r in lake.query("changes", changed).to_pylist()
    ]
    with store.session() as session, session.begin():
        for start in range(0, len(gone), _CHUNK):
            session.execute(
                delete(PublishedScore).where(
                    PublishedScore.subject_key.in_(gone[start : start + _CHUNK])
                )
            )
        for start in range(0, len(kept), _CHUNK):
            statement = sqlite_insert(PublishedScore).values(kept[start : start + _CHUNK])
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["subject_key"],
                    set_={c: statement.excluded[c] for c in COLUMNS if c != "subject_key"},
                )
            )
    return len(kept) + len(gone)


def _set_defaults(cursor: Any, table: str, values: dict[str, Any]) -> None:
    """Give ``table``'s columns these defaults (None: no default), in one statement."""
    from psycopg import sql

    if values:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ").format(sql.Identifier(table))
            + sql.SQL(", ").join(
                sql.SQL("ALTER COLUMN {} DROP DEFAULT").format(sql.Identifier(c))
                if v is None
                else sql.SQL("ALTER COLUMN {} SET DEFAULT {}").format(
                    sql.Identifier(c), sql.Literal(v)
                )
                for c, v in values.items()
            )
        )


def _copy_lines(cursor: Any, table: str, path: Path, columns: tuple[str, ...]) -> None:
    """COPY a file of published-score lines (:func:`_write_lines`) with ``columns``
    into ``table`` (PostgreSQL, psycopg cursor)."""
    with (
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT text)") as stream,
        path.open("rb") as handle,
    ):
        while chunk := handle.read(1 << 20):
            stream.write(chunk)


def _upsert_postgres(store: Store, lines: Lines, gone: list[str]) -> None:
    """COPY the changed rows into a temporary table, then upsert them and remove
    ``gone``, in one transaction."""
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "subject_key")
    with _transaction(store) as cursor:
        cursor.execute(
            "CREATE TEMP TABLE published_changes (LIKE published_scores INCLUDING DEFAULTS) "
            "ON COMMIT DROP"
        )
        _set_defaults(cursor, "published_changes", lines.shared)
        _copy_lines(cursor, "published_changes", lines.paths[0], lines.columns)
        cursor.execute(
            f"INSERT INTO published_scores ({', '.join(COLUMNS)}) "
            f"SELECT {', '.join(COLUMNS)} FROM published_changes "
            f"ON CONFLICT (subject_key) DO UPDATE SET {updates}"
        )
        if gone:
            cursor.execute("DELETE FROM published_scores WHERE subject_key = ANY(%s)", [gone])
