"""The pipeline's SQL stays portable: every statement the engine runs for a whole
ingest-and-score cycle transpiles to Spark SQL with SQLGlot, with no construct
SQLGlot cannot express and only functions Spark has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from socialcredit.engines import connect
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from socialcredit.lake.schema import ensure_lake
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.simulate import simulate

#: Spark SQL functions (Spark 3.5 built-ins) the pipeline may use.
SPARK_FUNCTIONS = {
    "AVG",
    "CASE",
    "CAST",
    "COALESCE",
    "CONCAT_WS",
    "COUNT",
    "DATEDIFF",
    "DATE_DIFF",
    "ENCODE",
    "GREATEST",
    "IF",
    "ISNAN",
    "LEAST",
    "LENGTH",
    "LOWER",
    "MAX",
    "MIN",
    "NULLIF",
    "REPLACE",
    "ROW_NUMBER",
    "SHA2",
    "SUBSTRING",
    "SUM",
    "TRIM",
    "TRY_CAST",
    "UNHEX",
    "UPPER",
    "YEAR",
    "RLIKE",
    "EXISTS",
    "MONTHS_BETWEEN",
    "DATE_ADD",
    "ADD_MONTHS",
    "TO_DATE",
    "CONCAT",
    "FLOOR",
    "CHR",
    "SPLIT_PART",
}
#: Engine-specific statements that the engine itself issues, not the pipeline.
ENGINE_OWN = {"connect", "create ref_regions", "hash line sums"}


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    root = tmp_path_factory.mktemp("portable")
    manifest = simulate(root, citizens=300, seed=9)
    engine = connect("duckdb://:memory:")
    seen: list[tuple[str, str]] = []
    engine.listeners.append(lambda step, sql: seen.append((step, sql)))
    ensure_lake(engine)
    for feed in manifest["feeds"]:
        ingest_file(
            engine,
            SubjectKeyer("k"),
            root / feed["file"],
            partner=feed["partner"],
            category_name=feed["category"],
            rejections_dir=root / "rej",
        )
    score_population(engine, default_spec())
    engine.close()
    return [(step, sql) for step, sql in seen if step not in ENGINE_OWN]


def test_the_cycle_ran_many_statements(statements: list[tuple[str, str]]) -> None:
    steps = {step for step, _ in statements}
    assert {
        "validate",
        "pseudonymise",
        "deduplicate",
        "insert records",
        "build feature_state_payment",
        "build feature_state_verification",
        "scores",
    } <= steps


def test_every_statement_transpiles_to_spark(statements: list[tuple[str, str]]) -> None:
    for _step, sql in statements:
        sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)


def test_only_spark_functions_are_used(statements: list[tuple[str, str]]) -> None:
    unknown: set[tuple[str, str]] = set()
    for step, sql in statements:
        for spark_sql in sqlglot.transpile(sql, read="duckdb", write="spark"):
            for tree in sqlglot.parse(spark_sql, read="spark"):
                for node in tree.find_all(exp.Func):
                    called = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\(", node.sql(dialect="spark"))
                    if called and called[1].upper() not in SPARK_FUNCTIONS:
                        unknown.add((step, called[1]))
    assert not unknown, f"functions Spark may lack: {sorted(unknown)}"


def test_sql_failures_name_the_step_and_the_sql(tmp_path: Path) -> None:
    from socialcredit.errors import EngineError

    engine = connect("duckdb://:memory:")
    with pytest.raises(EngineError, match=r"(?s)engine step .broken.*SELECT nope") as caught:
        engine.execute("broken", "SELECT nope FROM nowhere")
    assert caught.value.step == "broken"
    engine.close()
