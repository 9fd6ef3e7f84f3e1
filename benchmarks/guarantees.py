"""The guarantee graph step at national scale: exposure through chains and circle
detection over everyone's guarantees, on edges generated directly as arrays.

    python benchmarks/guarantees.py                        # 10,000,000 people
    python benchmarks/guarantees.py --people 1000000 --lake

The edges have the nation's shape (``socialcredit.simulate.guarantees``): about one
guarantee per person of someone near them in a latent order, 0.45 of a firm, rings
of 3 to 8 people, a few percent called. ``--lake`` also runs the step as score runs
do, through a DuckDB lake holding the same guarantees as records: a full run (edges
from the records, the kernel, the results saved), then incremental runs after 1,000,
10,000 and 100,000 more guarantees are called (computed near the changes), and one
after 1,000 more over the whole graph, for comparison.

Prints one row per step with its time and the process's peak memory so far
(``resource.getrusage``); goal for the kernel: at most 30 s and 8 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from socialcredit.graph.kernel import Edges, analyse, upstream

GOAL_SECONDS, GOAL_GIB = 30.0, 8.0


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def generate(rng: np.random.Generator, people: int) -> tuple[int, Edges]:
    """(nodes, edges): people 0..people-1, then firms; amounts in cents."""
    firms = people // 25
    order = rng.permutation(people)
    rank = np.empty(people, dtype=np.int64)
    rank[order] = np.arange(people)
    g1 = rng.integers(0, people, people)
    at = np.clip(
        rank[g1] + rng.geometric(1 / 15, people) * rng.choice([-1, 1], people), 0, people - 1
    )
    p1 = order[at]
    p1 = np.where(p1 == g1, order[(at + 1) % people], p1)
    g2 = rng.integers(0, people, int(0.45 * people))
    p2 = people + np.clip(rank[g2] * firms // people + rng.integers(-5, 6, len(g2)), 0, firms - 1)
    circles = people // 400
    sizes = rng.integers(3, 9, circles)
    starts = rng.integers(0, people - 8, circles)
    which = np.repeat(np.arange(circles), sizes)
    within = np.arange(len(which)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    g3 = order[starts[which] + within]
    p3 = order[starts[which] + (within + 1) % sizes[which]]
    guarantor = np.concatenate([g1, g2, g3])
    principal = np.concatenate([p1, p2, p3])
    count = len(guarantor)
    called = rng.random(count) < 0.03
    amount = (rng.lognormal(np.log(80_000), 0.8, count) * 100).astype(np.int64)
    exposure = np.where(called, 0, amount)
    unpaid = np.where(called & (rng.random(count) < 0.6), amount // 2, 0)
    return people + firms, Edges(guarantor, principal, exposure, unpaid)


def through_lake(nodes: int, edges: Edges, folder: Path) -> list[tuple[str, float, str]]:
    """The score run's graph step, from a DuckDB lake holding the guarantees as records."""
    from socialcredit.engines import connect
    from socialcredit.features import window_for
    from socialcredit.graph.step import full_graph, graph_since
    from socialcredit.lake.schema import ensure_lake

    count = len(edges.guarantor)
    keys = pc.utf8_lpad(pa.array(np.arange(nodes)).cast(pa.string()), 32, "0")
    day = dt.date(2026, 6, 30)
    called = edges.called > 0
    records = pa.table(
        {
            "batch_id": pa.array(["bench"] * count),
            "partner_id": pa.array(["harbour-bank"] * count),
            "record_id": pa.array(np.arange(count)).cast(pa.string()),
            "subject_key": keys.take(pa.array(edges.guarantor)),
            "observed_date": pa.array([dt.date(2026, 5, 1)] * count, pa.date32()),
            "principal_kind": pa.array(
                np.where(edges.principal < nodes * 25 // 26, "person", "organisation")
            ),
            "principal_key": keys.take(pa.array(edges.principal)),
            "contract_ref": pa.array(np.arange(count)).cast(pa.string()),
            "amount": pa.array(np.maximum(edges.exposure, edges.called * 2) / 100.0).cast(
                pa.decimal128(18, 2)
            ),
            "start_date": pa.array([dt.date(2025, 1, 1)] * count, pa.date32()),
            "status": pa.array(np.where(called, "called", "active")),
            "called_date": pa.array(
                np.where(called, np.datetime64("2026-03-01"), np.datetime64("NaT")).astype(
                    "datetime64[D]"
                ),
                pa.date32(),
                from_pandas=True,
            ),
            "amount_called": pa.array(
                np.where(called, edges.called / 100.0, np.nan), from_pandas=True
            ).cast(pa.decimal128(18, 2)),
            "amount_paid": pa.array(np.zeros(count)).cast(pa.decimal128(18, 2)),
        }
    )
    engine = connect(f"duckdb://{folder / 'lake.duckdb'}")
    ensure_lake(engine)
    engine.create_table_from_arrow("_bench", records, temporary=True)
    columns = ", ".join(records.column_names)
    engine.execute("load", f"INSERT INTO rec_guarantee ({columns}) SELECT {columns} FROM _bench")
    engine.execute("load", "DROP TABLE _bench")
    del records
    rows = []
    window = window_for(day)
    started = time.perf_counter()
    step = full_graph(engine, window)
    with engine.transaction():
        step.save(engine)
    written = engine.scalar("rows", "SELECT count(*) FROM guarantee_graph")
    seconds = time.perf_counter() - started
    rows.append(("lake, full run: edges, kernel, results saved", seconds, f"{written:,} rows"))
    step.close(engine)
    # Incremental runs, each after more guarantees are called (the active ones in
    # record order, none twice): near the changes, and once over the whole graph.
    import socialcredit.graph.near as graph_near

    done = 0
    for calls, near in ((1_000, True), (10_000, True), (100_000, True), (1_000, False)):
        engine.execute(
            "calls",
            f"INSERT INTO rec_guarantee ({columns}) SELECT 'calls{done}', partner_id, "
            "record_id || '-c', subject_key, DATE '2026-06-15', principal_kind, principal_key, "
            "contract_ref, amount, start_date, 'called', DATE '2026-05-20', amount, 0 "
            "FROM rec_guarantee WHERE status = 'active' AND batch_id = 'bench' "
            f"ORDER BY record_id LIMIT {calls} OFFSET {done}",
        )
        limit = graph_near.NEAR_LIMIT
        graph_near.NEAR_LIMIT = limit if near else 0
        started = time.perf_counter()
        step = graph_since(
            engine,
            window,
            {"guarantee": [f"calls{done}"]},
            "SELECT subject_key FROM subject_changes WHERE FALSE",
            stored=True,
        )
        affected = engine.scalar("affected", f"SELECT count(*) FROM {step.affected}")
        with engine.transaction():
            step.save(engine)
        seconds = time.perf_counter() - started
        graph_near.NEAR_LIMIT = limit
        rows.append(
            (
                f"lake, incremental run: {calls:,} more calls, {step.path} graph",
                seconds,
                f"{affected:,} to rescore",
            )
        )
        step.close(engine)
        done += calls
    engine.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lake", action="store_true", help="also run the step through DuckDB")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows: list[tuple[str, float, str, float]] = []

    started = time.perf_counter()
    nodes, edges = generate(rng, args.people)
    rows.append(
        (
            "generate edges",
            time.perf_counter() - started,
            f"{len(edges.guarantor):,} edges, {nodes:,} nodes",
            peak_gib(),
        )
    )

    started = time.perf_counter()
    result = analyse(edges, nodes)
    kernel = time.perf_counter() - started
    circles = len(np.unique(result.label[result.circle_size > 0]))
    exposed = int((result.exposure > 0).sum())
    rows.append(
        (
            "exposure through chains + circles",
            kernel,
            f"{exposed:,} exposed, {circles:,} circles",
            peak_gib(),
        )
    )

    seeds = np.zeros(nodes, dtype=bool)
    seeds[rng.integers(0, args.people, 1_000)] = True
    started = time.perf_counter()
    reach = upstream(result.graph, seeds)
    rows.append(
        (
            "reach of 1,000 changed guarantors",
            time.perf_counter() - started,
            f"{int(reach.sum()):,} to rescore",
            peak_gib(),
        )
    )

    if args.lake:
        with tempfile.TemporaryDirectory() as folder:
            for name, seconds, note in through_lake(nodes, edges, Path(folder)):
                rows.append((name, seconds, note, peak_gib()))

    print("\n| step | seconds | peak memory | |\n|---|---:|---:|---|")
    for name, seconds, note, peak in rows:
        print(f"| {name} | {seconds:.1f} | {peak:.2f} GiB | {note} |")
    met = kernel <= GOAL_SECONDS and rows[1][3] * 2**30 <= GOAL_GIB * 1e9
    verdict = "met" if met else "NOT met"
    print(f"\ngoal (kernel <= {GOAL_SECONDS:.0f} s and <= {GOAL_GIB:.0f} GB): {verdict}")


if __name__ == "__main__":
    main()
