"""A guarantor's guarantees in force as one number, to tell whether they changed
between two runs without comparing the edges one by one.

A change elsewhere in someone's file (a disputed bill, a new contract) notes them
as changed, but moves nobody else's exposure unless their guarantees moved. The
fingerprint is a sum over the guarantor's edges of a 64-bit mix of the principal's
node number and the edge's amounts: the same set of guarantees gives the same
number whatever the order, and a different set a different one but for a chance of
about 2**-64. Node numbers are kept in the lake (``guarantee_nodes``) and a key
keeps its number from run to run, so fingerprints of two runs compare.
"""

from __future__ import annotations

import numpy as np

from socialcredit.graph.kernel import Edges

__all__ = ["fingerprints"]


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every bit of the input moves every bit of the output."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)))


def fingerprints(edges: Edges, nodes: int, among: np.ndarray | None = None) -> np.ndarray:
    """Per node (int64): the sum of the mixes of its edges; 0 for a node with none.
    ``among`` (a mask of nodes) limits the work to those nodes' edges; the others
    are left 0."""
    if among is not None:
        mine = among[edges.guarantor]
        edges = Edges(
            *(
                column[mine]
                for column in (edges.guarantor, edges.principal, edges.exposure, edges.called)
            )
        )
    principal = _mix(edges.principal.astype(np.uint64) ^ np.uint64(0x2545F4914F6CDD1D))
    exposure = _mix(edges.exposure.astype(np.uint64) ^ np.uint64(0x5851F42D4C957F2D))
    called = _mix(edges.called.astype(np.uint64) ^ np.uint64(0x14057B7EF767814F))
    mixed = _mix(principal ^ exposure ^ (called << np.uint64(1)))
    total = np.zeros(nodes, dtype=np.uint64)
    np.add.at(total, edges.guarantor, mixed)
    return total.view(np.int64)
