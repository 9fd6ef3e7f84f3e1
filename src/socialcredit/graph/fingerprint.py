"""A guarantor's guarantees in force as one number, to tell whether they changed
between two runs without keeping the edges of the last one.

A change elsewhere in someone's file (a disputed bill, a new contract) notes them
as changed, but moves nobody else's exposure unless their guarantees moved. The
fingerprint is a sum over the guarantor's edges of a 64-bit mix of the principal's
key and the edge's amounts: the same set of guarantees gives the same number
whatever the order, and a different set a different one but for a chance of about
2**-64. It is computed from the keys themselves, never from node numbers, which
differ from run to run.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from socialcredit.graph.kernel import Edges

__all__ = ["fingerprints", "key_numbers"]

_HEX = np.zeros(256, dtype=np.uint64)
_HEX[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10, dtype=np.uint64)
_HEX[np.frombuffer(b"abcdef", np.uint8)] = np.arange(10, 16, dtype=np.uint64)
_HEX[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16, dtype=np.uint64)
_KEY_LENGTH = 32


def key_numbers(keys: pa.Array) -> np.ndarray:
    """The first 64 bits of each key (32 hex digits: a subject's or an organisation's)."""
    fixed = keys.cast(pa.binary(_KEY_LENGTH))
    start = fixed.offset * _KEY_LENGTH
    digits = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)[
        start : start + len(fixed) * _KEY_LENGTH
    ].reshape(-1, _KEY_LENGTH)
    number = np.zeros(len(fixed), dtype=np.uint64)
    for column in range(16):
        number = (number << np.uint64(4)) | _HEX[digits[:, column]]
    return number


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every bit of the input moves every bit of the output."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)))


def fingerprints(numbers: np.ndarray, edges: Edges, nodes: int) -> np.ndarray:
    """Per node (int64): the sum of the mixes of its edges; 0 for a node with none."""
    principal = numbers[edges.principal]
    exposure = _mix(edges.exposure.astype(np.uint64) ^ np.uint64(0x5851F42D4C957F2D))
    called = _mix(edges.called.astype(np.uint64) ^ np.uint64(0x14057B7EF767814F))
    mixed = _mix(principal ^ exposure ^ (called << np.uint64(1)))
    total = np.zeros(nodes, dtype=np.uint64)
    np.add.at(total, edges.guarantor, mixed)
    return total.view(np.int64)
