"""The guarantee graph's arithmetic, on arrays: exposure through chains, circles, and
who a change can reach. Engine-free: :mod:`socialcredit.graph.step` hands it the
edges any engine exports and writes its answers back.

Nodes are guarantors and principal debtors (people and organisations), numbered
0..n-1; an edge ``u -> v`` is a guarantee in force that ``u`` signed for ``v``'s
debt. Amounts are whole cents (int64), so every sum is exact and the answer does
not depend on the order the edges arrive in, nor on the engine that sent them.

Chain exposure. ``called[v]`` is what lenders have called from ``v`` as a
guarantor and ``v`` has not paid. When ``v`` cannot pay what was called, the
guarantees of ``v``'s own debts are next: whoever guarantees ``v`` is exposed,
and so, one step further, is whoever guarantees them. With ``G`` the 0/1 matrix
of who guarantees whom, exposure is the damped sum over walks of 1 to
:data:`DEPTH` steps::

    exposure = sum_{k=1..DEPTH} DAMPING^k * G^k @ called

counted at most up to what the guarantor can be called for in total (``cap``):
nobody loses more through a guarantee than they signed for. Each term is one
sparse matrix-vector product. ``DAMPING`` is 1/2 (each step further halves what
reaches a guarantor) and ``DEPTH`` is 3: beyond three steps the chance that a call
travels that far is small, and the halving has already cut it to an eighth. Walks,
not simple paths, are counted: inside a circle a call can come back round to
where it started, which the cap bounds.

Circles: the strongly connected components of ``G`` with two or more nodes, where
every member guarantees, through some chain, every other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "DAMPING_SHIFT",
    "DEPTH",
    "Analysis",
    "Edges",
    "adjacency",
    "analyse",
    "chain_exposure",
    "circles",
    "upstream",
]

#: steps a call travels up the chain of guarantors
DEPTH = 3
#: the damping per step is 2**-DAMPING_SHIFT (1/2): exact in integer arithmetic
DAMPING_SHIFT = 1


@dataclass(frozen=True, slots=True)
class Edges:
    """Guarantees in force, one per element: who signed for whom, and in cents what
    the guarantor can still be called for (``exposure``) and what was called and is
    unpaid (``called``)."""

    guarantor: np.ndarray
    principal: np.ndarray
    exposure: np.ndarray
    called: np.ndarray


@dataclass(frozen=True, slots=True)
class Analysis:
    """Per node: exposure through chains (cents, float: a multiple of 1/2**DEPTH),
    what was called from it and is unpaid, what it can be called for in all, and its
    circle; and the graph itself."""

    graph: csr_matrix
    exposure: np.ndarray
    called: np.ndarray
    cap: np.ndarray
    #: component label of every node; members of one circle share it
    label: np.ndarray
    #: size of the node's circle, 0 when it is in none
    circle_size: np.ndarray
    #: per node: how many of its guarantees (edges) lie inside its circle
    circle_guarantees: np.ndarray


def adjacency(guarantor: np.ndarray, principal: np.ndarray, nodes: int) -> csr_matrix:
    """``G``: ``G[u, v] = 1`` when ``u`` guarantees some debt of ``v`` (several
    guarantees between the same two count once)."""
    ones = np.ones(len(guarantor), dtype=np.int64)
    matrix = csr_matrix((ones, (guarantor, principal)), shape=(nodes, nodes))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def chain_exposure(
    graph: csr_matrix, called: np.ndarray, cap: np.ndarray, depth: int = DEPTH
) -> np.ndarray:
    """The damped exposure of every node (see the module docstring), in cents.

    Exact: with the damping 2**-s, ``sum_k G^k called * 2**(s * (depth - k))`` is an
    integer, capped at ``cap * 2**(s * depth)`` before the one division.
    """
    reached = np.asarray(called, dtype=np.int64)
    total = np.zeros(graph.shape[0], dtype=np.int64)
    for step in range(1, depth + 1):
        reached = graph @ reached
        total += reached << (DAMPING_SHIFT * (depth - step))
    scale = DAMPING_SHIFT * depth
    capped = np.minimum(total, np.asarray(cap, dtype=np.int64) << scale)
    return np.asarray(capped / float(1 << scale))


def circles(graph: csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(label of every node, size of every node's circle or 0): strongly connected
    components of two or more nodes."""
    _, label = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(label)
    size = sizes[label]
    return label, np.where(size >= 2, size, 0)


def upstream(graph: csr_matrix, seeds: np.ndarray, depth: int = DEPTH) -> np.ndarray:
    """Mask of the nodes within ``depth`` steps up the chain from a ``seeds`` node
    (the seeds included): those who guarantee a seed, whoever guarantees them, and so
    on. A change at a seed (a guarantee it signed, what was called from it) changes
    the exposure of these nodes and of no other."""
    reached = np.asarray(seeds, dtype=bool).copy()
    frontier = reached.astype(np.int64)
    for _ in range(depth):
        frontier = ((graph @ frontier) > 0) & ~reached
        if not frontier.any():
            break
        reached |= frontier
        frontier = frontier.astype(np.int64)
    return reached


def analyse(edges: Edges, nodes: int, depth: int = DEPTH) -> Analysis:
    """Everything the guarantees dimension needs from the graph, for every node."""
    graph = adjacency(edges.guarantor, edges.principal, nodes)
    called = np.bincount(edges.guarantor, weights=edges.called, minlength=nodes)
    cap = np.bincount(edges.guarantor, weights=edges.exposure + edges.called, minlength=nodes)
    # Sums of whole cents below 2**53 are exact in float64; back to integers.
    called_cents, cap_cents = called.astype(np.int64), cap.astype(np.int64)
    exposure = chain_exposure(graph, called_cents, cap_cents, depth)
    label, circle_size = circles(graph)
    inside = (circle_size[edges.guarantor] > 0) & (label[edges.guarantor] == label[edges.principal])
    circle_guarantees = np.bincount(edges.guarantor[inside], minlength=nodes)
    return Analysis(graph, exposure, called_cents, cap_cents, label, circle_size, circle_guarantees)
