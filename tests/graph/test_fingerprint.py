"""A guarantor's fingerprint: the same guarantees give the same number in any order,
and any change to them (a principal, an amount, a call) gives another."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from socialcredit.graph.fingerprint import fingerprints, key_numbers
from socialcredit.graph.kernel import Edges

KEYS = pa.array([f"{i:032x}" for i in (0xA1, 0xB2, 0xC3, 0xFFFF_0000_0000_0000 << 64)])


def _edges(rows: list[tuple[int, int, int, int]]) -> Edges:
    return Edges(*(np.asarray(column, dtype=np.int64) for column in zip(*rows, strict=True)))


def test_keys_are_read_as_numbers() -> None:
    assert key_numbers(KEYS).tolist() == [0, 0, 0, 0xFFFF_0000_0000_0000]
    assert key_numbers(pa.array(["00000000000000a100000000000000b2"])).tolist() == [0xA1]


def test_the_same_guarantees_in_any_order_give_the_same_fingerprint() -> None:
    numbers = key_numbers(pa.array([f"{i:016x}{i:016x}" for i in range(1, 5)]))
    book = [(0, 1, 500, 0), (0, 2, 700, 0), (1, 3, 0, 200)]
    first = fingerprints(numbers, _edges(book), 4)
    again = fingerprints(numbers, _edges(book[::-1]), 4)
    assert first.tolist() == again.tolist()
    assert first[2] == first[3] == 0
    assert first[0] != 0
    assert first[1] != 0
    changes = [
        [(0, 1, 500, 0), (0, 3, 700, 0)],  # another principal
        [(0, 1, 700, 0), (0, 2, 500, 0)],  # amounts swapped between principals
        [(0, 1, 500, 0), (0, 2, 700, 1)],  # a call
        [(0, 1, 500, 0)],  # one guarantee fewer
    ]
    for changed in changes:
        assert fingerprints(numbers, _edges(changed), 4)[0] != first[0], changed
