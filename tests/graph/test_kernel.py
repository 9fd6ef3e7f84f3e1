"""The guarantee graph's kernel: exposure through chains with known numbers, circles,
and the reach of a change, against brute force on random graphs."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.graph.kernel import DEPTH, Edges, analyse, upstream

#: A hand-made book of guarantees: (guarantor, principal, exposure, called), in yuan.
NODES = ["A", "B", "C", "D", "E", "F", "G", "O", "X", "Y", "Z"]
BOOK = [
    ("A", "B", 100_000, 0),
    ("B", "C", 50_000, 0),
    ("B", "O", 200_000, 0),  # O: an organisation, a principal only
    ("C", "D", 0, 20_000),  # called from C, unpaid
    ("D", "E", 10_000, 0),
    ("E", "D", 10_000, 0),  # D and E guarantee each other: a circle of 2
    ("F", "A", 30_000, 0),
    ("G", "C", 1_000, 0),  # exposed through C, but signed for 1,000 only
    ("X", "Y", 50_000, 0),
    ("Y", "Z", 50_000, 0),
    ("Z", "X", 0, 8_000),  # a circle of 3 with a call inside
]


def _edges(book: list[tuple[str, str, int, int]]) -> Edges:
    number = {name: i for i, name in enumerate(NODES)}
    return Edges(
        np.asarray([number[g] for g, _, _, _ in book], dtype=np.int64),
        np.asarray([number[p] for _, p, _, _ in book], dtype=np.int64),
        np.asarray([e * 100 for _, _, e, _ in book], dtype=np.int64),
        np.asarray([c * 100 for _, _, _, c in book], dtype=np.int64),
    )


def _by_name(values: np.ndarray) -> dict[str, float]:
    return {name: float(values[i]) for i, name in enumerate(NODES) if values[i]}


def test_exposure_follows_the_chain_halved_at_each_step_and_capped() -> None:
    result = analyse(_edges(BOOK), len(NODES))
    assert _by_name(result.exposure / 100) == {
        "B": 10_000,  # guarantees C, from whom 20,000 was called: half of it
        "A": 5_000,  # two steps up: a quarter
        "F": 2_500,  # three steps up: an eighth
        "G": 1_000,  # half would be 10,000, but G signed for 1,000
        "Y": 4_000,  # Z was called for 8,000
        "X": 2_000,
        "Z": 1_000,  # round the circle back to Z: at most what Z can be called for
    }
    assert _by_name(result.called / 100) == {"C": 20_000, "Z": 8_000}


def test_circles_are_found_with_the_guarantees_inside_them() -> None:
    result = analyse(_edges(BOOK), len(NODES))
    assert _by_name(result.circle_size) == {"D": 2, "E": 2, "X": 3, "Y": 3, "Z": 3}
    assert _by_name(result.circle_guarantees) == {"D": 1, "E": 1, "X": 1, "Y": 1, "Z": 1}
    label = dict(zip(NODES, result.label.tolist(), strict=True))
    assert label["D"] == label["E"] != label["X"] == label["Y"] == label["Z"]


def test_a_change_reaches_the_guarantors_up_the_chain_within_the_depth() -> None:
    graph = analyse(_edges(BOOK), len(NODES)).graph
    seeds = np.asarray([name == "C" for name in NODES])
    reached = upstream(graph, seeds)
    assert {n for n, hit in zip(NODES, reached, strict=True) if hit} == {"C", "B", "G", "A", "F"}
    one_step = upstream(graph, seeds, depth=1)
    assert {n for n, hit in zip(NODES, one_step, strict=True) if hit} == {"C", "B", "G"}


def test_the_order_of_the_edges_and_of_the_nodes_changes_nothing() -> None:
    before = analyse(_edges(BOOK), len(NODES))
    rng = np.random.default_rng(4)
    order = rng.permutation(len(BOOK))
    renumber = rng.permutation(len(NODES))
    edges = _edges([BOOK[i] for i in order])
    after = analyse(
        Edges(renumber[edges.guarantor], renumber[edges.principal], edges.exposure, edges.called),
        len(NODES),
    )
    for field in ("exposure", "called", "circle_size", "circle_guarantees"):
        assert np.array_equal(getattr(after, field)[renumber], getattr(before, field)), field


@st.composite
def books(draw: st.DrawFn) -> tuple[int, Edges]:
    nodes = draw(st.integers(2, 9))
    count = draw(st.integers(0, 20))
    pairs = [
        draw(
            st.tuples(st.integers(0, nodes - 1), st.integers(0, nodes - 1)).filter(
                lambda p: p[0] != p[1]
            )
        )
        for _ in range(count)
    ]
    amounts = [draw(st.integers(0, 10**7)) for _ in pairs]
    calls = [draw(st.sampled_from([0, 0, 0, 500_000, 3_000_000])) for _ in pairs]
    return nodes, Edges(
        np.asarray([g for g, _ in pairs], dtype=np.int64),
        np.asarray([p for _, p in pairs], dtype=np.int64),
        np.asarray(amounts, dtype=np.int64),
        np.asarray(calls, dtype=np.int64),
    )


def _brute_force(nodes: int, edges: Edges) -> tuple[list[float], list[int]]:
    """Exposure by enumerating every walk, and circle sizes by mutual reachability."""
    out = {
        u: sorted({int(p) for g, p in zip(edges.guarantor, edges.principal, strict=True) if g == u})
        for u in range(nodes)
    }
    called = [int(edges.called[edges.guarantor == u].sum()) for u in range(nodes)]
    cap = [int((edges.exposure + edges.called)[edges.guarantor == u].sum()) for u in range(nodes)]
    exposure = []
    for u in range(nodes):
        total, walks = 0.0, [[u]]
        for k in range(1, DEPTH + 1):
            walks = [[*w, v] for w in walks for v in out[w[-1]]]
            total += sum(called[w[-1]] for w in walks) / 2**k
        exposure.append(min(total, cap[u]))
    reach = [[u == v for v in range(nodes)] for u in range(nodes)]
    for u in range(nodes):
        for v in out[u]:
            reach[u][v] = True
    for w, u, v in itertools.product(range(nodes), repeat=3):
        reach[u][v] = reach[u][v] or (reach[u][w] and reach[w][v])
    size = [sum(reach[u][v] and reach[v][u] for v in range(nodes)) for u in range(nodes)]
    return exposure, [s if s >= 2 else 0 for s in size]


@settings(max_examples=60, deadline=None)
@given(books())
def test_exposure_and_circles_equal_brute_force(book: tuple[int, Edges]) -> None:
    nodes, edges = book
    result = analyse(edges, nodes)
    exposure, size = _brute_force(nodes, edges)
    assert result.exposure.tolist() == exposure
    assert result.circle_size.tolist() == size


@settings(max_examples=60, deadline=None)
@given(books(), books(), st.data())
def test_a_change_moves_nobody_outside_its_reach(
    before_book: tuple[int, Edges], extra: tuple[int, Edges], data: st.DataObject
) -> None:
    """Change the guarantees some people signed (add, drop, call); whoever's results
    move is up the chain from them within the depth (in the new graph), or in a
    circle with them before or after."""
    nodes, before = before_book
    seeds = np.asarray(data.draw(st.lists(st.booleans(), min_size=nodes, max_size=nodes)))
    kept = ~seeds[before.guarantor]
    more = (extra[1].guarantor < nodes) & (extra[1].principal < nodes)
    added = Edges(
        *(getattr(extra[1], f)[more] for f in ("guarantor", "principal", "exposure", "called"))
    )
    added_kept = seeds[added.guarantor]
    after = Edges(
        *(
            np.concatenate([getattr(before, f)[kept], getattr(added, f)[added_kept]])
            for f in ("guarantor", "principal", "exposure", "called")
        )
    )
    old, new = analyse(before, nodes), analyse(after, nodes)
    moved = (
        (old.exposure != new.exposure)
        | (old.called != new.called)
        | (old.circle_size != new.circle_size)
        | (old.circle_guarantees != new.circle_guarantees)
    )
    reach = upstream(new.graph, seeds)
    for result in (old, new):
        in_circle = seeds & (result.circle_size > 0)
        reach |= np.isin(result.label, result.label[in_circle])
    assert not (moved & ~reach).any()
