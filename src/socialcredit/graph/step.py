"""The graph step of a score run: everyone's guarantees in force out of the lake as
edge arrays, :mod:`socialcredit.graph.kernel` over them, the results back into the
lake table the guarantees dimension reads (``guarantee_graph``).

The engine only exports edges and takes the results back (Arrow both ways), so the
same NumPy/SciPy code runs whichever engine holds the lake, and gives the same
answer: amounts are whole cents, and every sum is exact.

A full run builds every guarantor's edges from their records, keeps them
(``guarantee_edges``) and writes every result. An incremental run rebuilds the
edges of the guarantors with changed records (the candidates) only, runs the kernel
over the whole graph again (seconds for ten million people) and writes, and
rescores, only the guarantors a change can reach: the candidates whose guarantees
in force moved (the seeds: :mod:`socialcredit.graph.fingerprint` tells), whoever is
up to :data:`~socialcredit.graph.kernel.DEPTH` steps up the chain from a seed, and
the members of any circle a seed is in or was in. No one else's exposure or circle
can have moved (docs/scoring.md says why). When nothing about guarantees changed,
the step is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from socialcredit.engines import Engine
from socialcredit.features.base import Window, date_literal
from socialcredit.features.dimensions.guarantees import (
    CATEGORY,
    GRAPH_TABLE,
    in_window,
    latest_sql,
)
from socialcredit.graph.fingerprint import fingerprints, key_numbers
from socialcredit.graph.kernel import Analysis, Edges, analyse, upstream
from socialcredit.lake.changes import in_batches
from socialcredit.records import CATEGORIES

__all__ = [
    "COLUMNS",
    "EDGES_TABLE",
    "TABLES",
    "GraphStep",
    "edges_sql",
    "full_graph",
    "graph_since",
    "graph_tables",
    "guarantee_circles",
]

#: the edges of the last run's graph (:func:`edges_sql`), kept so that an incremental run
#: reads the changed guarantors' records only
EDGES_TABLE = "guarantee_edges"
#: the lake tables of the graph step (:func:`socialcredit.lake.schema.ensure_lake`). A run
#: replaces the results of its window and drops those of earlier as-of dates: the table
#: holds the latest window, and a back-dated run's beside it until the next run.
TABLES = {
    GRAPH_TABLE: (
        "as_of DATE, negative_cutoff DATE, subject_key VARCHAR, chain_exposure DOUBLE, "
        "called_unpaid DOUBLE, circle_size BIGINT, circle_guarantees BIGINT, circle_key VARCHAR, "
        "fingerprint BIGINT"
    ),
    EDGES_TABLE: "subject_key VARCHAR, principal_key VARCHAR, exposure BIGINT, called BIGINT",
}
COLUMNS = [c.split()[0] for c in TABLES[GRAPH_TABLE].split(", ")]
_ROWS, _AFFECTED, _SEEDS = "_graph_rows", "_graph_affected", "_graph_seeds"
_EDGES, _CANDIDATES = "_graph_edges", "_graph_candidates"


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
                f"DELETE FROM {EDGES_TABLE} WHERE {EDGES_TABLE}.subject_key IN "
                f"(SELECT subject_key FROM {_CANDIDATES})",
            )
        engine.execute("save edges", f"INSERT INTO {EDGES_TABLE} SELECT * FROM {_EDGES}")

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


@dataclass(frozen=True)
class _Graph:
    keys: pa.Array  # node number -> key
    analysis: Analysis
    #: per node: its guarantees in force, as one number (:mod:`.fingerprint`); 0: none
    fingerprint: np.ndarray
    #: per node: whether it signed any guarantee in force
    guarantor: np.ndarray


def _compute(engine: Engine, source: str) -> _Graph:
    """Export the edges (``source``: a query with the columns of :func:`edges_sql`),
    number the nodes, run the kernel."""
    table = engine.query("guarantee edges", source)
    guarantors = table.column("subject_key").combine_chunks()
    # One pass of hashing numbers every node: guarantors first, then principals.
    encoded = pc.dictionary_encode(
        pa.concat_arrays([guarantors, table.column("principal_key").combine_chunks()])
    )
    numbers = np.asarray(encoded.indices, dtype=np.int64)
    keys = encoded.dictionary

    def cents(name: str) -> np.ndarray:
        return np.asarray(table.column(name).combine_chunks(), dtype=np.int64)

    split = len(guarantors)
    edges = Edges(numbers[:split], numbers[split:], cents("exposure"), cents("called"))
    nodes = len(keys)
    return _Graph(
        keys,
        analyse(edges, nodes),
        fingerprints(key_numbers(keys), edges, nodes),
        np.bincount(edges.guarantor, minlength=nodes) > 0,
    )


def _circle_keys(graph: _Graph, nodes: np.ndarray) -> pa.Array:
    """Each node's circle, named by the least key among its members (the same whatever
    order the nodes were numbered in); null for a node in no circle."""
    a = graph.analysis
    members = np.flatnonzero(a.circle_size > 0)
    index = np.full(len(a.label), -1, dtype=np.int64)
    if len(members):
        order = np.asarray(pc.sort_indices(graph.keys.take(pa.array(members))))
        by_key = members[order]
        labels, first = np.unique(a.label[by_key], return_index=True)
        least = by_key[first]
        index[members] = least[np.searchsorted(labels, a.label[members])]
    picked = index[nodes]
    return graph.keys.take(pa.array(picked, mask=picked < 0))


def _rows(graph: _Graph, nodes: np.ndarray) -> pa.Table:
    """The results of the guarantors among ``nodes``."""
    a = graph.analysis
    nodes = nodes[graph.guarantor[nodes]]
    return pa.table(
        {
            "subject_key": graph.keys.take(pa.array(nodes)),
            "chain_exposure": pa.array(a.exposure[nodes] / 100.0, pa.float64()),
            "called_unpaid": pa.array(a.called[nodes] / 100.0, pa.float64()),
            "circle_size": pa.array(a.circle_size[nodes], pa.int64()),
            "circle_guarantees": pa.array(a.circle_guarantees[nodes], pa.int64()),
            "circle_key": _circle_keys(graph, nodes),
            "fingerprint": pa.array(graph.fingerprint[nodes], pa.int64()),
        }
    )


def _step(engine: Engine, window: Window, rows: pa.Table, relation: str) -> GraphStep:
    engine.create_table_from_arrow(_ROWS, rows, temporary=True)
    return GraphStep(window.with_table(GRAPH_TABLE, relation), _temporary=[_ROWS])


def full_graph(engine: Engine, window: Window) -> GraphStep:
    """Every guarantor's results as of ``window`` (a full run: :meth:`GraphStep.save`
    replaces the lake's)."""
    engine.execute("graph edges", f"CREATE OR REPLACE TEMP TABLE {_EDGES} AS {edges_sql(window)}")
    graph = _compute(engine, f"SELECT * FROM {_EDGES}")
    step = _step(engine, window, _rows(graph, np.arange(len(graph.keys))), _ROWS)
    step.writes = "all"
    step._temporary.append(_EDGES)
    return step


def _keys(engine: Engine, step: str, sql: str) -> pa.Array:
    return engine.query(step, sql).column(0).combine_chunks()


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
    if not stored:  # no results of the starting run to compare with: everyone involved
        step = full_graph(engine, window)
        rows = engine.query("graph rows", f"SELECT subject_key FROM {_ROWS}")
        before = _keys(
            engine,
            "graph before",
            f"SELECT x.subject_key FROM {GRAPH_TABLE} x WHERE {in_window(window)}",
        )
        affected = pa.concat_arrays([rows.column("subject_key").combine_chunks(), before])
    else:
        # The edges of the last run, but the changed guarantors' as their records are now.
        engine.execute(
            "graph candidates", f"CREATE OR REPLACE TEMP TABLE {_CANDIDATES} AS {seeds_sql}"
        )
        theirs = window.with_table(
            CATEGORY,
            f"(SELECT * FROM {CATEGORIES[CATEGORY].table} WHERE subject_key IN "
            f"(SELECT subject_key FROM {_CANDIDATES}))",
        )
        engine.execute(
            "graph edges", f"CREATE OR REPLACE TEMP TABLE {_EDGES} AS {edges_sql(theirs)}"
        )
        graph = _compute(
            engine,
            f"SELECT * FROM {EDGES_TABLE} WHERE subject_key NOT IN (SELECT subject_key FROM "
            f"{_CANDIDATES}) UNION ALL SELECT * FROM {_EDGES}",
        )
        candidates = _keys(engine, "graph candidates", f"SELECT subject_key FROM {_CANDIDATES}")
        seeds = _moved(engine, window, graph, candidates)
        engine.create_table_from_arrow(_SEEDS, pa.table({"subject_key": seeds}), temporary=True)
        step_seeds = [_SEEDS]
        before = _keys(
            engine,
            "circles before",
            f"SELECT g.subject_key FROM {GRAPH_TABLE} g WHERE {in_window(window, 'g')} AND "
            f"g.circle_key IN (SELECT s.circle_key FROM {GRAPH_TABLE} s WHERE "
            f"{in_window(window, 's')} AND s.subject_key IN (SELECT subject_key FROM {_SEEDS}))",
        )
        reach = _reach(graph, seeds)
        # Everyone with a changed record is rebuilt, as well as whom a moved seed reaches
        # and the members of the circles the seeds were in: all of them get new rows.
        affected = pa.concat_arrays([graph.keys.filter(pa.array(reach)), candidates, before])
        renewed = reach | _mask(graph, pa.concat_arrays([candidates, before]))
        step = _step(
            engine,
            window,
            _rows(graph, np.flatnonzero(renewed)),
            f"(SELECT * FROM {_ROWS} UNION ALL SELECT {', '.join(f'g.{c}' for c in COLUMNS[2:])} "
            f"FROM {GRAPH_TABLE} g WHERE {in_window(window, 'g')} "
            f"AND g.subject_key NOT IN (SELECT subject_key FROM {_AFFECTED}))",
        )
        step.writes = "some"
        step._temporary += [*step_seeds, _EDGES, _CANDIDATES]
    engine.create_table_from_arrow(
        _AFFECTED, pa.table({"subject_key": pc.unique(affected)}), temporary=True
    )
    step.affected = _AFFECTED
    step._temporary.append(_AFFECTED)
    return step


def _moved(engine: Engine, window: Window, graph: _Graph, candidates: pa.Array) -> pa.Array:
    """The candidates whose guarantees in force moved since the stored results: their
    fingerprint now differs from the one stored (a person noted for a disputed bill,
    whose guarantees are as they were, moves nobody else)."""
    engine.create_table_from_arrow(_SEEDS, pa.table({"subject_key": candidates}), temporary=True)
    stored = engine.query(
        "fingerprints before",
        f"SELECT g.subject_key, g.fingerprint FROM {GRAPH_TABLE} g WHERE {in_window(window, 'g')} "
        f"AND g.subject_key IN (SELECT subject_key FROM {_SEEDS})",
    )
    before = dict(zip(*(stored.column(c).to_pylist() for c in stored.column_names), strict=True))
    found = pc.index_in(candidates, value_set=graph.keys).to_pylist()
    now = [0 if i is None else int(graph.fingerprint[i]) for i in found]
    keys = candidates.to_pylist()
    return pa.array(
        [k for k, n in zip(keys, now, strict=True) if before.get(k, 0) != n], pa.string()
    )


def _mask(graph: _Graph, keys: pa.Array) -> np.ndarray:
    """Mask of the nodes of ``keys`` (keys not in the graph are left out)."""
    found = np.asarray(pc.index_in(keys, value_set=graph.keys).drop_null(), dtype=np.int64)
    mask = np.zeros(len(graph.keys), dtype=bool)
    mask[found] = True
    return mask


def _reach(graph: _Graph, seeds: pa.Array) -> np.ndarray:
    """Mask of the nodes whose results a change at ``seeds`` can move: up the chain
    within the depth, and the members of any circle a seed is in now."""
    a = graph.analysis
    mask = _mask(graph, seeds)
    found = np.flatnonzero(mask)
    reach = upstream(a.graph, mask)
    circled = found[a.circle_size[found] > 0]
    if len(circled):
        reach |= np.isin(a.label, a.label[circled])
    return reach


def graph_tables(engine: Engine, window: Window) -> dict[str, str]:
    """What to read the graph's results from as of ``window`` (the ``tables`` of
    :func:`socialcredit.features.features_sql`): nothing to name when the lake holds
    this window, else a temporary table computed now (e.g. a dataset as of another
    date)."""
    held = engine.scalar(
        "graph window", f"SELECT count(*) FROM {GRAPH_TABLE} x WHERE {in_window(window)}"
    )
    if held:
        return {}
    graph = _compute(engine, edges_sql(window))
    rows = _rows(graph, np.arange(len(graph.keys)))
    engine.create_table_from_arrow("_graph_window", rows, temporary=True)
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
