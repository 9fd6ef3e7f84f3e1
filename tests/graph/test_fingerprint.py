"""A guarantor's fingerprint: the same guarantees give the same number in any order,
and any change to them (a principal, an amount, a call) gives another."""

from __future__ import annotations

import numpy as np

from socialcredit.graph.fingerprint import fingerprints
from socialcredit.graph.kernel import Edges


def _edges(rows: list[tuple[int, int, int, int]]) -> Edges:
    return Edges(*(np.asarray(column, dtype=np.int64) for column in zip(*rows, strict=True)))


def test_the_same_guarantees_in_any_order_give_the_same_fingerprint() -> None:
    book = [(0, 1, 500, 0), (0, 2, 700, 0), (1, 3, 0, 200)]
    first = fingerprints(_edges(book), 4)
    again = fingerprints(_edges(book[::-1]), 4)
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
        assert fingerprints(_edges(changed), 4)[0] != first[0], changed


def test_fingerprints_of_some_nodes_are_those_of_all() -> None:
    rng = np.random.default_rng(3)
    rows = [
        (int(g), int(p), int(e), int(c))
        for g, p, e, c in zip(
            rng.integers(0, 50, 400),
            rng.integers(0, 50, 400),
            rng.integers(0, 10_000, 400),
            rng.integers(0, 3, 400) * 100,
            strict=True,
        )
    ]
    everyone = fingerprints(_edges(rows), 50)
    among = np.zeros(50, dtype=bool)
    among[[3, 17, 42]] = True
    some = fingerprints(_edges(rows), 50, among=among)
    assert some[among].tolist() == everyone[among].tolist()
    assert not some[~among].any()
