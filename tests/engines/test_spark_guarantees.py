"""The guarantee graph step on Spark: the same edges out, the same NumPy/SciPy step, the
same results back, so the same scores as on DuckDB, full and incremental."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialcredit.engines import Engine, connect
from socialcredit.identity import SubjectKeyer
from socialcredit.lake.schema import ensure_lake
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from tests.engines.test_spark import _missing, _require_pyspark
from tests.features.test_guarantees import AS_OF, BOOK, PEOPLE, _guarantee, _ingest
from tests.utils.nation import SECRET
from tests.utils.records import row, write_csv


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The test run's local Spark session (started here if no test started it yet; the
    Spark tests' own fixture stops it at the end of the run)."""
    _require_pyspark()
    from socialcredit.engines.spark import spark_session
    from socialcredit.errors import ConfigurationError

    try:
        yield spark_session(
            "local[2]",
            warehouse=tmp_path_factory.mktemp("spark") / "warehouse",
            shuffle_partitions=2,
            config={"spark.sql.codegen.wholeStage": "false"},
        )
    except ConfigurationError as exc:  # no Java runtime
        _missing(str(exc))


def _run(engine: Engine, folder: Path) -> dict[str, Any]:
    ensure_lake(engine)
    keyer = SubjectKeyer(SECRET)
    folder.mkdir()
    rows = [_guarantee(f"g{i}", *entry) for i, entry in enumerate(BOOK)]
    _ingest(engine, keyer, write_csv(folder / "g.csv", rows), "guarantee", "harbour-bank")
    bills = [row("payment", f"p{n}", person) for n, person in PEOPLE.items()]
    _ingest(engine, keyer, write_csv(folder / "p.csv", bills), "payment", "river-grid")
    first = score_population(engine, default_spec(), as_of=AS_OF)
    called = _guarantee("g5", "E", "D", 10_000, 6_000) | {"record_id": "g5-called"}
    _ingest(engine, keyer, write_csv(folder / "late.csv", [called]), "guarantee", "harbour-bank")
    incremental = score_population(engine, default_spec(), since=first.run_id)

    def history(run_id: str) -> list[dict[str, Any]]:
        return engine.query(
            "history",
            "SELECT subject_key, score, tier, sub_guarantees, reason_1, lost_1, reason_2, lost_2 "
            "FROM score_history WHERE run_id = ? ORDER BY subject_key",
            [run_id],
        ).to_pylist()

    graph = engine.query(
        "graph", "SELECT * FROM guarantee_graph ORDER BY as_of, subject_key"
    ).to_pylist()
    return {
        "digests": (first.scores_digest, incremental.scores_digest),
        "recomputed": incremental.recomputed,
        "first": history(first.run_id),
        "incremental": history(incremental.run_id),
        "graph": graph,
    }


@pytest.mark.slow
def test_spark_gives_the_graph_and_scores_duckdb_gives(spark: Any, tmp_path: Path) -> None:
    from socialcredit.engines.spark import SparkEngine

    duck = connect(f"duckdb://{tmp_path / 'lake.duckdb'}")
    on_duckdb = _run(duck, tmp_path / "duckdb")
    duck.close()
    engine = SparkEngine(tmp_path / "lake-spark", spark)
    on_spark = _run(engine, tmp_path / "spark")
    engine.close()
    assert on_duckdb["graph"], "the book has chains and circles"
    assert {r["as_of"] for r in on_duckdb["graph"]} == {dt.date(2026, 6, 30)}
    assert on_spark == on_duckdb
