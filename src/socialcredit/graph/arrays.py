"""The guarantee graph as arrays: edges exported from the engine, the kernel over
the whole graph or over a part of it, and the small helpers that hand node numbers
back to the engine. Used by :mod:`socialcredit.graph.step` and
:mod:`socialcredit.graph.near`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.graph.fingerprint import fingerprints
from socialcredit.graph.kernel import Analysis, Edges, analyse

__all__ = [
    "Graph",
    "export_edges",
    "graph_fingerprints",
    "kernel",
    "load",
    "load_part",
    "mask",
    "upload",
]


@dataclass(frozen=True)
class Graph:
    """The kernel's answers over the whole graph (``ids`` None: an index is a node
    number) or over a part of it (index ``i`` is node ``ids[i]``, ``ids`` sorted)."""

    edges: Edges
    analysis: Analysis
    #: per index: whether it signed any guarantee in force
    guarantor: np.ndarray
    ids: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.guarantor)

    def node(self, index: np.ndarray) -> np.ndarray:
        return index if self.ids is None else self.ids[index]

    def where(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the index of each of ``nodes``, whether the graph holds it)."""
        if self.ids is None:
            return nodes, np.ones(len(nodes), dtype=bool)
        at = np.searchsorted(self.ids, nodes)
        held = at < len(self.ids)
        held[held] = self.ids[at[held]] == nodes[held]
        return np.where(held, at, 0), held

    def index(self, nodes: np.ndarray) -> np.ndarray:
        """Indices of ``nodes``; with a part, of those of them it holds."""
        at, held = self.where(nodes)
        return np.asarray(at[held])


def export_edges(engine: Engine, step: str, source: str) -> Edges:
    """Export integer edges (``source``: a query with the columns of ``EDGES_TABLE``)."""
    table = engine.query(step, source)

    def column(name: str) -> np.ndarray:
        return np.asarray(table.column(name).combine_chunks(), dtype=np.int64)

    return Edges(column("guarantor"), column("principal"), column("exposure"), column("called"))


def graph_fingerprints(graph: Graph, among: np.ndarray | None = None) -> np.ndarray:
    """Per index: the fingerprint of its edges, by the principals' node numbers."""
    e = graph.edges
    numbered = Edges(e.guarantor, graph.node(e.principal), e.exposure, e.called)
    return fingerprints(numbered, graph.size, among=among)


def kernel(edges: Edges, size: int, ids: np.ndarray | None = None) -> Graph:
    return Graph(edges, analyse(edges, size), np.bincount(edges.guarantor, minlength=size) > 0, ids)


def load(engine: Engine, source: str, nodes: int) -> Graph:
    """The kernel over the whole graph: every edge of ``source``, ``nodes`` numbers."""
    return kernel(export_edges(engine, "guarantee edges", source), nodes)


def load_part(engine: Engine, step: str, source: str) -> Graph:
    """The kernel over the edges of ``source`` alone, numbered afresh."""
    edges = export_edges(engine, step, source)
    ids = np.unique(np.concatenate([edges.guarantor, edges.principal]))
    local = Edges(
        np.searchsorted(ids, edges.guarantor),
        np.searchsorted(ids, edges.principal),
        edges.exposure,
        edges.called,
    )
    return kernel(local, len(ids), ids)


def upload(engine: Engine, table: str, nodes: np.ndarray) -> None:
    engine.create_table_from_arrow(
        table, pa.table({"node": pa.array(nodes, pa.int64())}), temporary=True
    )


def mask(size: int, indices: np.ndarray) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[indices] = True
    return mask
