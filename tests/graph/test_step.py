"""The graph step through a lake on random books of guarantees: an incremental run,
near its changes or over the whole graph, leaves the lake's results exactly as a full
run over the same records would, and rewrites only whom it names as affected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from socialcredit.engines import Engine
from socialcredit.features import window_for
from socialcredit.graph.step import COLUMNS, full_graph, graph_since

DAY = dt.date(2026, 6, 30)
NOTHING_NOTED = "SELECT subject_key FROM subject_changes WHERE FALSE"


def _key(node: int) -> str:
    return f"{node:032x}"


def _insert(engine: Engine, batch: str, rows: list[dict[str, Any]]) -> None:
    """Guarantee records straight into the lake (as ingestion leaves them)."""
    columns: dict[str, list[Any]] = {name: [r[name] for r in rows] for name in rows[0]}
    table = pa.table(
        {
            "batch_id": pa.array([batch] * len(rows)),
            "partner_id": pa.array(["harbour-bank"] * len(rows)),
            "record_id": pa.array(columns["record_id"]),
            "subject_key": pa.array([_key(g) for g in columns["guarantor"]]),
            "observed_date": pa.array(columns["observed"], pa.date32()),
            "principal_kind": pa.array(["person"] * len(rows)),
            "principal_key": pa.array([_key(p) for p in columns["principal"]]),
            "contract_ref": pa.array(columns["contract"]),
            "amount": pa.array(columns["amount"], pa.decimal128(18, 2)),
            "start_date": pa.array([dt.date(2025, 1, 1)] * len(rows), pa.date32()),
            "status": pa.array(columns["status"]),
            "called_date": pa.array(
                [dt.date(2026, 5, 1) if s == "called" else None for s in columns["status"]],
                pa.date32(),
            ),
            "amount_called": pa.array(
                [
                    a if s == "called" else None
                    for a, s in zip(columns["amount"], columns["status"], strict=True)
                ],
                pa.decimal128(18, 2),
            ),
            "amount_paid": pa.array(
                [0 if s == "called" else None for s in columns["status"]], pa.decimal128(18, 2)
            ),
        }
    )
    engine.create_table_from_arrow("_book", table, temporary=True)
    names = ", ".join(table.column_names)
    engine.execute("book", f"INSERT INTO rec_guarantee ({names}) SELECT {names} FROM _book")
    engine.execute("book", "DROP TABLE _book")


def _book(rng: np.random.Generator, people: int) -> list[dict[str, Any]]:
    """About 1.3 guarantees a person, mostly of someone near them, and a few rings."""
    guarantor = rng.integers(0, people, int(people * 1.3))
    principal = (guarantor + rng.integers(1, 12, len(guarantor))) % people
    rings = [rng.choice(people, rng.integers(2, 6), replace=False) for _ in range(people // 40)]
    for ring in rings:
        guarantor = np.concatenate([guarantor, ring])
        principal = np.concatenate([principal, np.roll(ring, -1)])
    return [
        {
            "record_id": f"r{i}",
            "guarantor": int(g),
            "principal": int(p),
            "contract": f"c{i}",
            "observed": dt.date(2026, 5, 1),
            "amount": int(rng.integers(1, 500)) * 100,
            "status": "called" if rng.random() < 0.08 else "active",
        }
        for i, (g, p) in enumerate(zip(guarantor, principal, strict=True))
        if g != p
    ]


def _changes(
    rng: np.random.Generator, book: list[dict[str, Any]], people: int, n: int
) -> list[dict[str, Any]]:
    """Some guarantees called or released, some new ones (which may close circles)."""
    rows = []
    for j, i in enumerate(rng.choice(len(book), n, replace=False)):
        kind = rng.integers(0, 3)
        if kind == 2:
            rows.append(
                book[i]
                | {
                    "record_id": f"n{j}",
                    "contract": f"new{j}",
                    "principal": int(rng.integers(0, people)),
                    "observed": dt.date(2026, 6, 1),
                }
            )
            if rows[-1]["principal"] == rows[-1]["guarantor"]:
                rows.pop()
        else:
            status = "called" if kind == 0 else "released"
            rows.append(
                book[i] | {"record_id": f"x{j}", "observed": dt.date(2026, 6, 1), "status": status}
            )
    return rows


def _rows(engine: Engine, sql: str) -> dict[str, tuple[Any, ...]]:
    return {r["subject_key"]: tuple(r.values()) for r in engine.query("rows", sql).to_pylist()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("near", [True, False])
def test_an_incremental_run_leaves_what_a_full_run_would(
    lake: Engine, seed: int, near: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not near:
        monkeypatch.setattr("socialcredit.graph.near.NEAR_LIMIT", 0)
    rng = np.random.default_rng(seed)
    people = 400
    book = _book(rng, people)
    _insert(lake, "b1", book)
    window = window_for(DAY)
    names = ", ".join(COLUMNS[2:])
    first = full_graph(lake, window)
    with lake.transaction():
        first.save(lake)
    first.close(lake)
    before = _rows(lake, f"SELECT {names} FROM guarantee_graph")
    for round_ in range(2):
        _insert(lake, f"b{round_ + 2}", _changes(rng, book, people, 12))
        step = graph_since(
            lake, window, {"guarantee": [f"b{round_ + 2}"]}, NOTHING_NOTED, stored=True
        )
        assert step.path == ("near" if near else "whole")
        affected = set(
            lake.query("a", f"SELECT subject_key FROM {step.affected}").column(0).to_pylist()
        )
        with lake.transaction():
            step.save(lake)
        step.close(lake)
        after = _rows(lake, f"SELECT {names} FROM guarantee_graph")
        whole = full_graph(lake, window)
        expected = _rows(lake, f"SELECT {names} FROM _graph_rows")
        whole.close(lake)
        assert after == expected
        moved = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert moved <= affected
        assert len(affected) < len(after)  # not everyone
        before = after
