"""A compiled scorecard scores identically in DuckDB and in a real PostgreSQL:
the flat form of the SQL (``chained=False``) transpiled by SQLGlot, run on the same
rows, against DuckDB running the chained form the engines use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlglot

from socialcredit.engines import connect
from socialcredit.scorecard import ScorecardSpec, default_spec, score_sql
from socialcredit.scorecard.batch import ROWS, load_rows
from socialcredit.scorecard.tabular import read_table, split_target
from socialcredit.scorecard.train import ScorecardTrainer
from tests.utils.scorecards import SPEC

DATA = Path(__file__).resolve().parents[2] / "data"


def _postgres_rows(
    postgres: Any, table: str, rows: list[dict[str, Any]], types: dict[str, str]
) -> None:
    columns = ", ".join(f'"{name}" {kind}' for name, kind in types.items())
    postgres.execute(f'DROP TABLE IF EXISTS "{table}"')
    postgres.execute(f'CREATE TABLE "{table}" ({columns})')
    with (
        postgres.cursor() as cursor,
        cursor.copy(
            f'COPY "{table}" ({", ".join(chr(34) + n + chr(34) for n in types)}) FROM STDIN'
        ) as copy,
    ):
        for row in rows:
            copy.write_row([row[name] for name in types])


def _compare(
    postgres: Any,
    spec: ScorecardSpec,
    duck_rows: list[dict[str, Any]],
    types: dict[str, str],
    table: str,
) -> None:
    _postgres_rows(postgres, table, duck_rows, types)
    duck_sql = f"{score_sql(spec, table, key='_row')} ORDER BY _row"
    engine = connect("duckdb://:memory:")
    import pyarrow as pa

    engine.create_table_from_arrow(table, pa.Table.from_pylist(duck_rows), temporary=True)
    expected = engine.query("score", duck_sql).to_pylist()
    engine.close()
    flat = f"{score_sql(spec, table, key='_row', chained=False)} ORDER BY _row"
    pg_sql = sqlglot.transpile(flat, read="duckdb", write="postgres")[0]
    with postgres.cursor() as cursor:
        cursor.execute(pg_sql)
        names = [d.name for d in cursor.description]
        got = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert len(got) == len(expected) > 0
    for mine, theirs in zip(expected, got, strict=True):
        assert {
            k: (int(v) if isinstance(v, int | float) or hasattr(v, "as_integer_ratio") else v)
            for k, v in theirs.items()
        } == mine


@pytest.mark.parametrize("name", ["german", "credit_data"])
def test_trained_scorecard_scores_identically_in_postgres(postgres: Any, name: str) -> None:
    columns, y = split_target(read_table(DATA / f"{name}.csv"), "bad")
    trainer = ScorecardTrainer(cv=2).fit({k: v.values for k, v in columns.items()}, y)
    engine = connect("duckdb://:memory:")
    load_rows(engine, DATA / f"{name}.csv")
    rows = engine.query("rows", f"SELECT * FROM {ROWS} ORDER BY _row").to_pylist()
    engine.close()
    types = {"_row": "BIGINT"} | {
        c: ("DOUBLE PRECISION" if columns[c].kind == "numeric" else "TEXT") for c in columns
    }
    for row in rows:
        for c in columns:
            if columns[c].kind == "numeric" and row[c] is not None:
                row[c] = float(row[c])
            elif columns[c].kind == "categorical" and row[c] is not None:
                row[c] = str(row[c])
    rows = [{k: row[k] for k in types} for row in rows]
    _compare(postgres, trainer.spec_, rows, types, f"score_{name}")


def test_default_scorecard_scores_identically_in_postgres(postgres: Any) -> None:
    import random

    generator = random.Random(3)
    rows = []
    for i in range(500):
        row: dict[str, Any] = {"subject_key": f"s{i:04d}"}
        for feature in SPEC.features:
            edges = feature.edges or (0.0,)
            pick = generator.choice(
                [None, generator.choice(edges), generator.uniform(-1, 2 * max(edges) + 1)]
            )
            row[feature.name] = None if pick is None else float(pick)
        rows.append(row)
    types = {"subject_key": "TEXT"} | {f.name: "DOUBLE PRECISION" for f in default_spec().features}
    _compare_keyed(postgres, rows, types)


def _compare_keyed(postgres: Any, rows: list[dict[str, Any]], types: dict[str, str]) -> None:
    spec = default_spec()
    _postgres_rows(postgres, "score_default", rows, types)
    import pyarrow as pa

    engine = connect("duckdb://:memory:")
    engine.create_table_from_arrow("score_default", pa.Table.from_pylist(rows), temporary=True)
    sql = f"{score_sql(spec, 'score_default')} ORDER BY subject_key"
    expected = engine.query("score", sql).to_pylist()
    engine.close()
    flat = f"{score_sql(spec, 'score_default', chained=False)} ORDER BY subject_key"
    with postgres.cursor() as cursor:
        cursor.execute(sqlglot.transpile(flat, read="duckdb", write="postgres")[0])
        names = [d.name for d in cursor.description]
        got = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    normalised = [
        {
            k: int(v) if k.startswith(("score", "sub_", "lost_")) and v is not None else v
            for k, v in row.items()
        }
        for row in got
    ]
    assert normalised == expected
