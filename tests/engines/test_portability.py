"""The pipeline's SQL stays portable. For every statement the engine runs in a whole
ingest-and-score cycle: SQLGlot writes it as Spark SQL with no construct left
unexpressed, the Spark SQL parses as Spark SQL, only functions Spark has are called,
and each query (a SELECT, or the SELECT of a CREATE ... AS or INSERT ... SELECT),
read back from the Spark SQL into DuckDB, gives exactly the rows the original gives
on the lake as it was when the pipeline ran it. The listener does not see bound
parameters, so both queries run with NULL in place of each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from socialcredit.engines import connect
from socialcredit.engines.duckdb import DuckDBEngine
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
    "LOCATE",  # strpos: the value of a character of a unified social credit code
    "LOWER",
    "MAX",
    "MIN",
    "NULLIF",
    "REPLACE",
    "ROW_NUMBER",
    "BIT_COUNT",
    "BIT_OR",
    "DAY",
    "LAST_DAY",
    "POWER",
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
#: Steps whose queries the cycle must have compared, at the least.
COMPARED_AT_LEAST = {
    "validate",
    "build feature_state_payment",
    "build feature_state_verification",
    "scores",
}


@dataclass
class Statement:
    step: str
    sql: str
    spark: list[str] = field(default_factory=list)
    #: what went wrong writing or reading the Spark SQL (empty: nothing)
    problem: str = ""
    #: the query's rows (sorted): as the pipeline wrote it, and back from Spark SQL
    rows: list[str] | None = None
    round_trip: list[str] | None = None


def _query(tree: exp.Expression) -> exp.Expression | None:
    """The query a statement runs: itself if it is one, or what it creates or inserts."""
    if isinstance(tree, exp.Query):
        return tree
    if isinstance(tree, exp.Create | exp.Insert) and isinstance(tree.expression, exp.Query):
        query = tree.expression.copy()
        ctes = tree.args.get("with_")  # INSERT INTO t WITH ... SELECT: the statement holds it
        if ctes is not None:
            query.set("with_", ctes.copy())
        return query
    return None


def _rows(con: Any, query: exp.Expression) -> list[str]:
    """The rows of ``query`` (its parameters NULL), sorted: the order is not asked for."""
    bound = query.transform(lambda n: exp.Null() if isinstance(n, exp.Placeholder) else n)
    return sorted(repr(row) for row in con.execute(bound.sql(dialect="duckdb")).fetchall())


def _check(con: Any, step: str, sql: str) -> Statement:
    """Transpile ``sql`` to Spark SQL and back, and run both queries on ``con`` now."""
    found = Statement(step, sql)
    try:
        found.spark = sqlglot.transpile(
            sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE
        )
        back = [sqlglot.parse_one(text, read="spark") for text in found.spark]
    except sqlglot.errors.SqlglotError as exc:
        found.problem = f"{type(exc).__name__}: {exc}"
        return found
    original = sqlglot.parse(sql, read="duckdb")
    if len(back) != len(original):
        found.problem = f"{len(original)} statements became {len(back)}"
        return found
    for tree, again in zip(original, back, strict=True):
        if type(again) is not type(tree):
            found.problem = f"a {type(tree).__name__} came back as a {type(again).__name__}"
            return found
    query, query_back = _query(original[-1]), _query(back[-1])
    if query is not None and query_back is not None:
        found.rows, found.round_trip = _rows(con, query), _rows(con, query_back)
    return found


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[Statement]:
    """One ingest-and-score cycle of a small nation, every statement checked just
    before the engine runs it."""
    root = tmp_path_factory.mktemp("portable")
    manifest = simulate(root, citizens=300, seed=9)
    engine = connect("duckdb://:memory:")
    assert isinstance(engine, DuckDBEngine)
    seen: list[Statement] = []

    def listen(step: str, sql: str) -> None:
        if step not in ENGINE_OWN:
            seen.append(_check(engine.con, step, sql))

    engine.listeners.append(listen)
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
    return seen


@pytest.mark.slow
def test_the_cycle_ran_and_compared_many_statements(statements: list[Statement]) -> None:
    steps = {s.step for s in statements}
    assert {
        "validate",
        "pseudonymise",
        "deduplicate",
        "insert records",
        "build feature_state_payment",
        "build feature_state_verification",
        "scores",
    } <= steps
    compared = [s for s in statements if s.rows is not None]
    assert {s.step for s in compared} >= COMPARED_AT_LEAST
    assert sum(1 for s in compared if s.rows) >= 50, "most compared queries return rows"


@pytest.mark.slow
def test_every_statement_is_written_and_read_as_spark_sql(statements: list[Statement]) -> None:
    problems = [f"{s.step}: {s.problem}\n{s.sql[:300]}" for s in statements if s.problem]
    assert not problems, "\n\n".join(problems)
    assert all(s.spark for s in statements)


@pytest.mark.slow
def test_each_query_gives_the_same_rows_back_from_spark_sql(statements: list[Statement]) -> None:
    differ = [
        f"{s.step}: {len(s.rows or [])} rows, {len(s.round_trip or [])} back from Spark SQL\n"
        f"{s.spark[-1][:300]}"
        for s in statements
        if s.rows != s.round_trip
    ]
    assert not differ, "\n\n".join(differ)


def test_division_keeps_its_meaning_through_spark_sql() -> None:
    """DuckDB's ``/`` on integers divides exactly and ``//`` keeps the whole part; the
    scorecard's subscores rely on both, so Spark SQL must say the same."""
    engine = connect("duckdb://:memory:")
    assert isinstance(engine, DuckDBEngine)
    engine.con.execute("CREATE TABLE t AS SELECT 7 AS n, -7 AS m")
    checked = _check(engine.con, "division", "SELECT n / 2, n // 2, m // 2, m % 2 FROM t")
    engine.close()
    assert checked.problem == ""
    assert checked.rows == checked.round_trip == ["(3.5, 3, -3, -1)"]


@pytest.mark.slow
def test_only_spark_functions_are_used(statements: list[Statement]) -> None:
    unknown: set[tuple[str, str]] = set()
    for statement in statements:
        for spark_sql in statement.spark:
            for tree in sqlglot.parse(spark_sql, read="spark"):
                assert tree is not None
                for node in tree.find_all(exp.Func):
                    called = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\(", node.sql(dialect="spark"))
                    if called and called[1].upper() not in SPARK_FUNCTIONS:
                        unknown.add((statement.step, called[1]))
    assert not unknown, f"functions Spark may lack: {sorted(unknown)}"


def test_sql_failures_name_the_step_and_the_sql() -> None:
    from socialcredit.errors import EngineError

    engine = connect("duckdb://:memory:")
    with pytest.raises(EngineError, match=r"(?s)engine step .broken.*SELECT nope") as caught:
        engine.execute("broken", "SELECT nope FROM nowhere")
    assert caught.value.step == "broken"
    engine.close()
