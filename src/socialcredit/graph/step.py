"""The graph step of a score run: everyone's guarantees in force out of the lake as
edge arrays, :mod:`socialcredit.graph.kernel` over them, the results back into the
lake table the guarantees dimension reads (``guarantee_graph``).

The engine only exports edges and takes the results back (Arrow both ways), so the
same NumPy/SciPy code runs whichever engine holds the lake, and gives the same
answer: amounts are whole cents, and every sum is exact.

Keys are numbered once. ``guarantee_nodes`` gives every key that ever stood in a
guarantee in force a node number, kept from run to run (erasure takes a key's
number away with it); ``guarantee_edges`` holds the last run's edges in those
numbers. A run numbers only the keys it has not seen, and the engine hands the
kernel integers: no key is read, hashed or sent for a node whose guarantees did not
change.

A full run builds every guarantor's edges from their records, keeps them and
writes every result. An incremental run rebuilds the edges of the guarantors with
changed records (the candidates) only, reads the other edges as the integers kept,
runs the kernel over the whole graph again (a few seconds for ten million people,
in NumPy and SciPy) and writes, and rescores, only the guarantors a change can
reach: the candidates whose guarantees in force moved (the seeds:
:mod:`socialcredit.graph.fingerprint` tells), whoever is up to
:data:`~socialcredit.graph.kernel.DEPTH` steps up the chain from a seed, and the
members of any circle a seed is in or was in. No one else's exposure or circle can
have moved (docs/scoring.md says why). When nothing about guarantees changed, the
step is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.features.base import Window, date_literal
from socialcredit.features.dimensions.guarantees import (
    CATEGORY,
    GRAPH_TABLE,
    in_window,
    latest_sql,
)
from socialcredit.graph.arrays import (
    Graph,
    graph_fingerprints,
    load,
    load_part,
    mask,
    upload,
)
from socialcredit.graph.near import WALK_TABLES, near, reach
from socialcredit.lake.changes import in_batches
from socialcredit.records import CATEGORIES

__all__ = [
    "COLUMNS",
    "EDGES_TABLE",
    "NODES_TABLE",
    "TABLES",
    "GraphStep",
    "edges_sql",
    "full_graph",
    "graph_since",
    "graph_tables",
    "guarantee_circles",
]

#: the edges of the last run's graph in node numbers, kept so that an incremental run
#: reads the changed guarantors' records only
EDGES_TABLE = "guarantee_edges"
#: every key that stood in a guarantee in force, with the node number it keeps
NODES_TABLE = "guarantee_nodes"
#: the lake tables of the graph step (:func:`socialcredit.lake.schema.ensure_lake`). A run
#: replaces the results of its window and drops those of earlier as-of dates: the table
#: holds the latest window, and a back-dated run's beside it until the next run.
TABLES = {
    GRAPH_TABLE: (
        "as_of DATE, negative_cutoff DATE, subject_key VARCHAR, chain_exposure DOUBLE, "
        "called_unpaid DOUBLE, circle_size BIGINT, circle_guarantees BIGINT, circle_key VARCHAR, "
        "fingerprint BIGINT"
    ),
    EDGES_TABLE: "guarantor BIGINT, principal BIGINT, exposure BIGINT, called BIGINT",
    NODES_TABLE: "node BIGINT, key VARCHAR",
}
COLUMNS = [c.split()[0] for c in TABLES[GRAPH_TABLE].split(", ")]
_ROWS, _AFFECTED, _SEEDS = "_graph_rows", "_graph_affected", "_graph_seeds"
_EDGES, _CANDIDATES = "_graph_edges", "_graph_candidates"
#: keys this run numbered (node, key), saved with the run
_NEW = "_graph_new_nodes"
#: the edges this run built from records, in node numbers
_NUMBERED = "_graph_numbered_edges"
#: the candidates' node numbers (node, key)
_CANDIDATE_NODES = "_graph_candidate_nodes"
_RESULTS, _MEMBERS, _CIRCLES, _PICKED = (
    "_graph_results",
    "_graph_members",
    "_graph_circle_names",
    "_graph_picked",
)
#: every numbered key, the lake's and this run's
_ALL_NODES = f"(SELECT node, key FROM {NODES_TABLE} UNION ALL SELECT node, key FROM {_NEW})"
_STEP_TABLES = [_EDGES, _NEW, _NUMBERED, _RESULTS, _MEMBERS, _CIRCLES, _ROWS]


@dataclass
class GraphStep:
    """What the graph step gives a score run.

    ``window`` is the run's window, reading the step's own results (before they are
    saved); ``affected`` a table of the subject keys whose results may have changed
    (an incremental run rescores them), None when every result was rewritten (a full
    run) or none changed.
    """

    window: Window
    affected: str | None = None
    #: how :meth:`save` writes: "all" (every row), "some" (the affected people's) or
    #: "none" (nothing changed)
    writes: str = "none"
    #: how an incremental run computed: "near" its changes, or over the "whole" graph
    path: str = "whole"
    _temporary: list[str] = field(default_factory=list)

    def save(self, engine: Engine) -> None:
        """Write the results into the lake; call inside the run's transaction."""
        if self.writes == "none":
            return
        mine = in_window(self.window, GRAPH_TABLE)
        if self.writes == "all":
            engine.execute(
                "save graph",
                f"DELETE FROM {GRAPH_TABLE} WHERE {GRAPH_TABLE}.as_of < {self.window.day} "
                f"OR ({mine})",
            )
        else:
            engine.execute(
                "save graph",
                f"DELETE FROM {GRAPH_TABLE} WHERE {mine} AND {GRAPH_TABLE}.subject_key IN "
                f"(SELECT subject_key FROM {self.affected})",
            )
        columns = ", ".join(COLUMNS[2:])
        engine.execute(
            "save graph",
            f"INSERT INTO {GRAPH_TABLE} SELECT {self.window.day}, "
            f"{date_literal(self.window.negative_cutoff)}, {columns} FROM {_ROWS}",
        )
        if self.writes == "all":
            engine.execute("save edges", f"DELETE FROM {EDGES_TABLE}")
        else:
            engine.execute(
                "save edges",
                f"DELETE FROM {EDGES_TABLE} WHERE {EDGES_TABLE}.guarantor IN "
                f"(SELECT node FROM {_CANDIDATE_NODES})",
            )
        engine.execute("save edges", f"INSERT INTO {EDGES_TABLE} SELECT * FROM {_NUMBERED}")
        engine.execute("save nodes", f"INSERT INTO {NODES_TABLE} SELECT node, key FROM {_NEW}")

    def close(self, engine: Engine) -> None:
        """Drop the step's temporary tables."""
        for table in self._temporary:
            engine.execute("clean up", f"DROP TABLE IF EXISTS {table}")


def edges_sql(window: Window) -> str:
    """The guarantees in force as of ``window``: guarantor, principal, and in cents
    what the guarantor can still be called for and what was called and is unpaid."""
    return (
        "SELECT subject_key, principal_key, CAST(exposure * 100 AS BIGINT) AS exposure, "
        f"CAST(called_unpaid * 100 AS BIGINT) AS called FROM ({latest_sql(window)}) e "
        "WHERE exposure > 0 OR called_unpaid > 0"
    )


def _number(engine: Engine, edges: str) -> int:
    """Number the keys of ``edges`` (a table with the columns of :func:`edges_sql`)
    that the lake has not numbered (into ``_NEW``); returns how many numbers are in use."""
    base = int(
        engine.scalar("graph nodes", f"SELECT coalesce(max(node) + 1, 0) FROM {NODES_TABLE}")
    )
    engine.execute(
        "graph nodes",
        f"CREATE OR REPLACE TEMP TABLE {_NEW} AS SELECT "
        f"{base} + row_number() OVER (ORDER BY k.key) - 1 AS node, k.key FROM "
        f"(SELECT subject_key AS key FROM {edges} UNION SELECT principal_key FROM {edges}) k "
        f"WHERE NOT EXISTS (SELECT 1 FROM {NODES_TABLE} n WHERE n.key = k.key)",
    )
    added = int(engine.scalar("graph nodes", f"SELECT count(*) FROM {_NEW}"))
    engine.execute(
        "graph edges",
        f"CREATE OR REPLACE TEMP TABLE {_NUMBERED} AS SELECT g.node AS guarantor, "
        f"p.node AS principal, e.exposure, e.called FROM {edges} e "
        f"JOIN {_ALL_NODES} g ON g.key = e.subject_key "
        f"JOIN {_ALL_NODES} p ON p.key = e.principal_key",
    )
    return base + added


def _numbers(engine: Engine, step: str, keys: str) -> np.ndarray:
    """The node numbers of the keys of the query ``keys`` (keys never numbered are
    left out)."""
    found = engine.query(step, f"SELECT n.node FROM {_ALL_NODES} n WHERE n.key IN ({keys})")
    return np.asarray(found.column(0).combine_chunks(), dtype=np.int64)


def _materialise(
    engine: Engine,
    graph: Graph,
    picked: np.ndarray,
    *,
    kept: np.ndarray | None = None,
    window: Window | None = None,
) -> None:
    """The results of the guarantors among ``picked`` (indices) as the table ``_ROWS``,
    with the columns of ``GRAPH_TABLE`` from ``subject_key`` on. A circle is named by
    the least key among its members: the same whatever the numbers. ``kept`` (a mask
    of indices) marks whose circle did not change: theirs is read from the lake's
    results of ``window``."""
    a = graph.analysis
    nodes = picked[graph.guarantor[picked]]
    keep = np.zeros(len(nodes), dtype=bool) if kept is None else kept[nodes]
    circled = nodes[(a.circle_size[nodes] > 0) & ~keep]
    wanted = np.zeros(len(a.label), dtype=bool)
    wanted[a.label[circled]] = True
    members = np.flatnonzero(wanted[a.label] & (a.circle_size > 0))
    engine.create_table_from_arrow(
        _MEMBERS,
        pa.table(
            {
                "node": pa.array(graph.node(members), pa.int64()),
                "label": pa.array(a.label[members], pa.int64()),
            }
        ),
        temporary=True,
    )
    engine.execute(
        "circle names",
        f"CREATE OR REPLACE TEMP TABLE {_CIRCLES} AS SELECT m.label, min(n.key) AS circle_key "
        f"FROM {_MEMBERS} m JOIN {_ALL_NODES} n ON n.node = m.node GROUP BY m.label",
    )
    prints = graph_fingerprints(graph, among=mask(graph.size, nodes))
    engine.create_table_from_arrow(
        _RESULTS,
        pa.table(
            {
                "node": pa.array(graph.node(nodes), pa.int64()),
                "label": pa.array(a.label[nodes], pa.int64()),
                "kept": pa.array(keep, pa.bool_()),
                "chain_exposure": pa.array(a.exposure[nodes] / 100.0, pa.float64()),
                "called_unpaid": pa.array(a.called[nodes] / 100.0, pa.float64()),
                "circle_size": pa.array(a.circle_size[nodes], pa.int64()),
                "circle_guarantees": pa.array(a.circle_guarantees[nodes], pa.int64()),
                "fingerprint": pa.array(prints[nodes], pa.int64()),
            }
        ),
        temporary=True,
    )
    circle = "r.circle_size, r.circle_guarantees, c.circle_key"
    stored = ""
    if window is not None:
        circle = ", ".join(
            f"CASE WHEN r.kept THEN s.{name} ELSE {mine} END AS {name}"
            for name, mine in (
                ("circle_size", "r.circle_size"),
                ("circle_guarantees", "r.circle_guarantees"),
                ("circle_key", "c.circle_key"),
            )
        )
        stored = (
            f"LEFT JOIN (SELECT s.subject_key, s.circle_size, s.circle_guarantees, s.circle_key "
            f"FROM {GRAPH_TABLE} s WHERE {in_window(window, 's')}) s "
            "ON r.kept AND s.subject_key = n.key"
        )
    engine.execute(
        "graph rows",
        f"CREATE OR REPLACE TEMP TABLE {_ROWS} AS SELECT n.key AS subject_key, "
        f"r.chain_exposure, r.called_unpaid, {circle}, r.fingerprint "
        f"FROM {_RESULTS} r JOIN {_ALL_NODES} n ON n.node = r.node "
        f"LEFT JOIN {_CIRCLES} c ON c.label = r.label AND r.circle_size > 0 AND NOT r.kept "
        f"{stored}",
    )


def _everyone(engine: Engine, window: Window) -> Graph:
    """Every guarantor's edges from records, numbered; the results in ``_ROWS``."""
    engine.execute("graph edges", f"CREATE OR REPLACE TEMP TABLE {_EDGES} AS {edges_sql(window)}")
    nodes = _number(engine, _EDGES)
    graph = load(engine, f"SELECT * FROM {_NUMBERED}", nodes)
    _materialise(engine, graph, np.flatnonzero(graph.guarantor))
    return graph


def full_graph(engine: Engine, window: Window) -> GraphStep:
    """Every guarantor's results as of ``window`` (a full run: :meth:`GraphStep.save`
    replaces the lake's)."""
    _everyone(engine, window)
    return GraphStep(
        window.with_table(GRAPH_TABLE, _ROWS), writes="all", _temporary=list(_STEP_TABLES)
    )


def graph_since(
    engine: Engine, window: Window, batches: dict[str, list[str]], noted: str, *, stored: bool
) -> GraphStep:
    """The results of an incremental run (see the module docstring). ``batches`` are
    the batches received since the run it starts from, ``noted`` a query of the people
    noted as changed since; ``stored``: the lake holds that run's results."""
    ids = batches.get(CATEGORY, [])
    received = (
        f"SELECT subject_key FROM {CATEGORIES[CATEGORY].table} WHERE {in_batches(ids)}"
        if ids
        else ""
    )
    seeds_sql = f"{received} UNION {noted}" if received else noted
    if stored and not ids:
        involved = engine.scalar(
            "graph changes",
            f"SELECT count(*) FROM ({noted}) n WHERE n.subject_key IN (SELECT subject_key "
            f"FROM {CATEGORIES[CATEGORY].table}) OR n.subject_key IN "
            f"(SELECT x.subject_key FROM {GRAPH_TABLE} x WHERE {in_window(window)})",
        )
        if not involved:
            return GraphStep(window)
    if stored:
        step = _since(engine, window, seeds_sql)
    else:  # no results of the starting run to compare with: everyone involved
        step = full_graph(engine, window)
        engine.execute(
            "graph affected",
            f"CREATE OR REPLACE TEMP TABLE {_AFFECTED} AS SELECT subject_key FROM {_ROWS} "
            f"UNION SELECT x.subject_key FROM {GRAPH_TABLE} x WHERE {in_window(window)}",
        )
    step.affected = _AFFECTED
    step._temporary.append(_AFFECTED)
    return step


def _since(engine: Engine, window: Window, seeds_sql: str) -> GraphStep:
    """The stored run's edges, but the changed guarantors' (the candidates) as their
    records are now; the results of whoever a moved guarantee can reach."""
    engine.execute("graph candidates", f"CREATE OR REPLACE TEMP TABLE {_CANDIDATES} AS {seeds_sql}")
    theirs = window.with_table(
        CATEGORY,
        f"(SELECT * FROM {CATEGORIES[CATEGORY].table} WHERE subject_key IN "
        f"(SELECT subject_key FROM {_CANDIDATES}))",
    )
    engine.execute("graph edges", f"CREATE OR REPLACE TEMP TABLE {_EDGES} AS {edges_sql(theirs)}")
    nodes = _number(engine, _EDGES)
    engine.execute(
        "graph candidates",
        f"CREATE OR REPLACE TEMP TABLE {_CANDIDATE_NODES} AS SELECT n.node, n.key "
        f"FROM {_ALL_NODES} n WHERE n.key IN (SELECT subject_key FROM {_CANDIDATES})",
    )
    current = (
        f"(SELECT e.guarantor, e.principal, e.exposure, e.called FROM {EDGES_TABLE} e "
        f"WHERE e.guarantor NOT IN (SELECT node FROM {_CANDIDATE_NODES}) "
        f"UNION ALL SELECT guarantor, principal, exposure, called FROM {_NUMBERED})"
    )
    candidates = _moved(engine, window)
    seeds = _numbers(engine, "graph seeds", f"SELECT subject_key FROM {_SEEDS}")
    # Members of the circles the seeds were in, by the stored results.
    before_sql = (
        f"SELECT g.subject_key FROM {GRAPH_TABLE} g WHERE {in_window(window, 'g')} AND "
        f"g.circle_key IN (SELECT s.circle_key FROM {GRAPH_TABLE} s WHERE "
        f"{in_window(window, 's')} AND s.subject_key IN (SELECT subject_key FROM {_SEEDS}))"
    )
    before = _numbers(engine, "circles before", before_sql)
    # Everyone with a changed record is rebuilt, as well as whom a moved seed reaches
    # and the members of the circles the seeds are in or were in: all get new rows.
    part = near(engine, current, nodes, seeds, candidates, before)
    if part is not None:
        graph, picked, kept = part
        _materialise(engine, graph, picked, kept=kept, window=window)
        renewed = graph.node(picked)
        path = "near"
    else:
        graph = load(engine, f"SELECT * FROM {current} e", nodes)
        whole = reach(graph, seeds)
        whole[candidates] = True
        whole[before] = True
        renewed = np.flatnonzero(whole)
        _materialise(engine, graph, renewed)
        path = "whole"
    upload(engine, _PICKED, renewed)
    engine.execute(
        "graph affected",
        f"CREATE OR REPLACE TEMP TABLE {_AFFECTED} AS SELECT n.key AS subject_key "
        f"FROM {_PICKED} p JOIN {_ALL_NODES} n ON n.node = p.node "
        f"UNION SELECT subject_key FROM {_CANDIDATES} UNION {before_sql}",
    )
    return GraphStep(
        window.with_table(
            GRAPH_TABLE,
            f"(SELECT * FROM {_ROWS} UNION ALL SELECT "
            f"{', '.join(f'g.{c}' for c in COLUMNS[2:])} FROM {GRAPH_TABLE} g "
            f"WHERE {in_window(window, 'g')} "
            f"AND g.subject_key NOT IN (SELECT subject_key FROM {_AFFECTED}))",
        ),
        writes="some",
        path=path,
        _temporary=[*_STEP_TABLES, _CANDIDATES, _CANDIDATE_NODES, _SEEDS, _PICKED, *WALK_TABLES],
    )


def _moved(engine: Engine, window: Window) -> np.ndarray:
    """The candidates whose guarantees in force moved since the stored results, into
    ``_SEEDS``: their fingerprint now differs from the one stored (a person noted for a
    disputed bill, whose guarantees are as they were, moves nobody else). Returns the
    candidates' node numbers."""
    numbered = engine.query("graph candidates", f"SELECT node, key FROM {_CANDIDATE_NODES}")
    nodes = np.asarray(numbered.column("node").combine_chunks(), dtype=np.int64)
    # The candidates' edges now are the ones this run built from their records.
    theirs = load_part(engine, "graph candidates", f"SELECT * FROM {_NUMBERED}")
    prints = graph_fingerprints(theirs)
    at, held = theirs.where(nodes)
    now_values = np.zeros(len(nodes), dtype=np.int64)
    now_values[held] = prints[at[held]]
    now = dict(zip(numbered.column("key").to_pylist(), now_values.tolist(), strict=True))
    stored = engine.query(
        "fingerprints before",
        f"SELECT g.subject_key, g.fingerprint FROM {GRAPH_TABLE} g WHERE {in_window(window, 'g')} "
        f"AND g.subject_key IN (SELECT subject_key FROM {_CANDIDATES})",
    )
    before = dict(zip(*(stored.column(c).to_pylist() for c in stored.column_names), strict=True))
    candidates = engine.query("graph candidates", f"SELECT subject_key FROM {_CANDIDATES}")
    moved = [
        key for key in candidates.column(0).to_pylist() if before.get(key, 0) != now.get(key, 0)
    ]
    engine.create_table_from_arrow(
        _SEEDS, pa.table({"subject_key": pa.array(moved, pa.string())}), temporary=True
    )
    return nodes


def graph_tables(engine: Engine, window: Window) -> dict[str, str]:
    """What to read the graph's results from as of ``window`` (the ``tables`` of
    :func:`socialcredit.features.features_sql`): nothing to name when the lake holds
    this window, else a temporary table computed now (e.g. a dataset as of another
    date; the keys it numbers are not kept)."""
    held = engine.scalar(
        "graph window", f"SELECT count(*) FROM {GRAPH_TABLE} x WHERE {in_window(window)}"
    )
    if held:
        return {}
    _everyone(engine, window)
    engine.execute(
        "graph window", f"CREATE OR REPLACE TEMP TABLE _graph_window AS SELECT * FROM {_ROWS}"
    )
    for table in _STEP_TABLES:
        engine.execute("clean up", f"DROP TABLE IF EXISTS {table}")
    return {GRAPH_TABLE: "_graph_window"}


def guarantee_circles(engine: Engine) -> int:
    """How many guarantee circles the score runs as of the latest date found."""
    return int(
        engine.scalar(
            "circles",
            f"SELECT count(DISTINCT circle_key) FROM {GRAPH_TABLE} WHERE circle_size > 0 "
            f"AND as_of = (SELECT max(as_of) FROM {GRAPH_TABLE})",
        )
    )
