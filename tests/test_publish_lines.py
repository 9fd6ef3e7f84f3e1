"""Publishing writes COPY's text format: every value arrives in PostgreSQL exactly as
it is in the lake, whatever characters it holds (tabs, newlines, backslashes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import select

from socialcredit.engines import Engine, connect
from socialcredit.identity import SubjectKeyer
from socialcredit.publish.scores import (
    COLUMNS,
    _copy_lines,
    _escaped,
    _escaped_sql,
    _load_and_swap,
    _write_lines,
    history_to_published,
    publish_run,
    published_to_history,
)
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.simulate import simulate
from socialcredit.store import Store, open_store
from socialcredit.store.models import PublishedScore
from tests.utils.nation import ingest_feeds
from tests.utils.postgres import postgres_schema

AWKWARD = ["plain", "tab\there", "line\nbreak", "car\rriage", "back\\slash", "\\N", 'quo"te', "ü€"]


def test_the_sql_escape_is_the_python_escape() -> None:
    engine = connect("duckdb://:memory:")
    engine.create_table_from_arrow("words", pa.table({"w": AWKWARD}), temporary=True)
    escaped = engine.query("escape", f"SELECT {_escaped_sql('w')} AS e FROM words").column("e")
    engine.close()
    assert escaped.to_pylist() == [_escaped(w) for w in AWKWARD]
    assert _escaped(None) == "\\N"
    assert all("\t" not in e and "\n" not in e for e in escaped.to_pylist())


def test_escaped_lines_copy_back_exactly(postgres: Any, tmp_path: Path) -> None:
    rows = [
        {
            "subject_key": f"s{i}",
            "score": 600 + i,
            "tier": word,
            "subscores": {"credit_history": 700},
            "reasons": [{"feature": word, "points_lost": i}],
            "as_of": "2026-06-30",
            "scorecard_version": word,
            "run_id": "r1",
            "published_at": dt.datetime(2026, 11, 30, 1, 2, 3),
        }
        for i, word in enumerate(AWKWARD)
    ]
    path = tmp_path / "lines.txt"
    path.write_text(
        "".join("\t".join(_escaped(row[c]) for c in COLUMNS) + "\n" for row in rows),
        encoding="utf-8",
    )
    store = open_store(postgres_schema(postgres))
    raw = store.engine.raw_connection()
    try:
        _copy_lines(raw.cursor(), "published_scores", path, COLUMNS)
        raw.commit()
    finally:
        raw.close()
    with store.session() as session:
        found = session.execute(select(PublishedScore).order_by(PublishedScore.score)).scalars()
        got = [{c: getattr(p, c) for c in COLUMNS} for p in found]
    store.dispose()
    assert got == rows


AWKWARD_VERSION = 'odd\tversion\\with "everything"\nin it'


def _scored_twice(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> tuple[str, str]:
    """Two runs of one nation: the default scorecard, and the same under an awkward
    version."""
    manifest = simulate(tmp_path / "feeds", citizens=120, seed=5)
    ingest_feeds(lake, keyer, tmp_path / "feeds", manifest, tmp_path / "rejections")
    plain = score_population(lake, default_spec())
    odd = default_spec().model_copy(update={"version": AWKWARD_VERSION})
    return plain.run_id, score_population(lake, odd).run_id


def test_history_and_published_rows_convert_both_ways(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    run_id, _ = _scored_twice(lake, keyer, tmp_path)
    rows = lake.query("rows", f"SELECT * FROM score_history WHERE run_id = '{run_id}'").to_pylist()
    assert rows
    kept = ("sub_", "reason_", "lost_")
    for row in rows:
        published = PublishedScore(**history_to_published(row, dt.datetime(2026, 1, 1)))
        back = published_to_history(published)
        assert back == {column: row[column] for column in back}
        held = {c for c, v in row.items() if v is not None and c.startswith(kept)}
        assert held <= back.keys(), "a subscore or reason was lost on the way"


def _published(store: Store) -> dict[str, dict[str, Any]]:
    with store.session() as session:
        return {
            p.subject_key: {c: getattr(p, c) for c in COLUMNS if c != "published_at"}
            for p in session.execute(select(PublishedScore)).scalars()
        }


def _expected(lake: Engine, rows: str) -> dict[str, dict[str, Any]]:
    at = dt.datetime(2026, 1, 1)
    return {
        r["subject_key"]: {
            c: v for c, v in history_to_published(r, at).items() if c != "published_at"
        }
        for r in lake.query("rows", rows).to_pylist()
    }


def test_a_run_with_an_awkward_version_publishes_exactly(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, postgres: Any
) -> None:
    _, run_id = _scored_twice(lake, keyer, tmp_path)
    store = open_store(postgres_schema(postgres))
    published = publish_run(store, lake, run_id)
    got = _published(store)
    with store.engine.connect() as connection:
        defaults = connection.exec_driver_sql(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = "
            "'published_scores' AND table_schema = current_schema() AND column_default IS NOT NULL"
        ).scalar()
    store.dispose()
    assert got == _expected(lake, f"SELECT * FROM score_history WHERE run_id = '{run_id}'")
    assert published["published"] == len(got) > 0
    assert {p["scorecard_version"] for p in got.values()} == {AWKWARD_VERSION}
    assert any(p["reasons"] for p in got.values())
    assert defaults == 0, "the run's shared values went in as defaults, and left with the load"


def test_rows_of_several_runs_are_written_whole(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, postgres: Any
) -> None:
    plain, odd = _scored_twice(lake, keyer, tmp_path)
    mixed = (
        f"SELECT * FROM score_rows WHERE (run_id = '{plain}' AND hash(subject_key) % 2 = 0) "
        f"OR (run_id = '{odd}' AND hash(subject_key) % 2 = 1)"
    )
    lines = _write_lines(lake, mixed, dt.datetime(2026, 1, 1), [tmp_path / "a", tmp_path / "b"])
    assert set(lines.shared) == {"as_of", "published_at"}, "versions and runs differ"
    store = open_store(postgres_schema(postgres))
    _load_and_swap(store, lines)
    got = _published(store)
    store.dispose()
    assert got == _expected(lake, mixed)
    assert {p["scorecard_version"] for p in got.values()} == {
        default_spec().version,
        AWKWARD_VERSION,
    }
