"""An incremental run's graph near its changes (docs/scoring.md): walks over the kept
integer edges in the engine, and the kernel over the part of the graph they find;
the whole graph's reach when the walks find too much.
"""

from __future__ import annotations

import numpy as np

from socialcredit.engines import Engine
from socialcredit.graph.arrays import Graph, load_part, mask, upload
from socialcredit.graph.kernel import DEPTH, upstream

__all__ = ["NEAR_LIMIT", "WALK_TABLES", "near", "reach"]

_FRONTIER, _ABOVE, _PART = "_graph_frontier", "_graph_above", "_graph_part"
WALK_TABLES = [_FRONTIER, _ABOVE, _PART]
#: an incremental run computes near its changes (:func:`_near`) unless the chains above
#: them, or the graph a few steps below, hold more nodes than this: then it reruns the
#: kernel over the whole graph
NEAR_LIMIT = 2_000_000


def step_along(engine: Engine, current: str, nodes: np.ndarray, *, up: bool) -> np.ndarray:
    """The nodes one guarantee away from ``nodes``: who guarantees them (``up``) or
    whom they guarantee."""
    upload(engine, _FRONTIER, nodes)
    source, target = ("principal", "guarantor") if up else ("guarantor", "principal")
    found = engine.query(
        "graph walk",
        f"SELECT DISTINCT e.{target} FROM {current} e "
        f"WHERE e.{source} IN (SELECT node FROM {_FRONTIER})",
    )
    return np.asarray(found.column(0).combine_chunks(), dtype=np.int64)


def walk(
    engine: Engine,
    current: str,
    start: np.ndarray,
    *,
    nodes: int,
    up: bool,
    depth: int | None,
    limit: int,
) -> list[np.ndarray] | None:
    """Breadth-first from ``start``: the nodes first reached at each step (step 0:
    ``start``), up to ``depth`` steps (None: until no new node). None when more than
    ``limit`` nodes are reached."""
    levels = [np.unique(start)]
    reached = mask(nodes, levels[0])
    count = len(levels[0])
    while len(levels[-1]) and (depth is None or len(levels) <= depth):
        found = step_along(engine, current, levels[-1], up=up)
        found = found[~reached[found]]
        reached[found] = True
        count += len(found)
        if count > limit:
            return None
        levels.append(found)
    return levels


def near(
    engine: Engine,
    current: str,
    nodes: int,
    seeds: np.ndarray,
    candidates: np.ndarray,
    before: np.ndarray,
) -> tuple[Graph, np.ndarray, np.ndarray] | None:
    """The results near the changes without the whole graph: (the kernel over a part of
    the graph, the indices to write, the mask of indices whose circle did not change).
    None when the chains above the seeds hold more than :data:`NEAR_LIMIT` nodes.

    Whom a seed reaches is up the chains from it: the walk up, to its end, finds every
    node that guarantees a seed through some chain, and with it every member of a
    circle a seed is in now (members reach each other). Rewritten are those within
    ``DEPTH`` steps up, the candidates, and the members of the circles the seeds are
    in or were in (``before``); their exposure needs the graph ``DEPTH`` steps down
    from them, which the kernel is run over. A circle that holds no seed now and held
    none before is as it was: theirs is kept.
    """
    levels = walk(engine, current, seeds, nodes=nodes, up=True, depth=None, limit=NEAR_LIMIT)
    if levels is None:
        return None
    above = np.concatenate(levels)
    within = np.concatenate(levels[: DEPTH + 1])
    # The circles the seeds are in now: among those above them, whole.
    upload(engine, _ABOVE, above)
    ring = load_part(
        engine,
        "graph circles",
        f"SELECT * FROM {current} e WHERE e.guarantor IN (SELECT node FROM {_ABOVE}) "
        f"AND e.principal IN (SELECT node FROM {_ABOVE})",
    )
    circled = np.zeros(0, dtype=np.int64)
    if ring.size:
        at = ring.index(seeds)
        labels = ring.analysis.label[at[ring.analysis.circle_size[at] > 0]]
        wanted = np.zeros(ring.size, dtype=bool)
        wanted[labels] = True
        circled = ring.node(np.flatnonzero(wanted[ring.analysis.label]))
    changed_circles = np.union1d(np.union1d(circled, before), seeds)
    rewritten = np.union1d(np.union1d(within, candidates), changed_circles)
    down = walk(engine, current, rewritten, nodes=nodes, up=False, depth=DEPTH, limit=NEAR_LIMIT)
    if down is None:
        return None
    upload(engine, _PART, np.concatenate(down))
    part = load_part(
        engine,
        "graph part",
        f"SELECT * FROM {current} e WHERE e.guarantor IN (SELECT node FROM {_PART})",
    )
    kept = np.ones(part.size, dtype=bool)
    kept[part.index(changed_circles)] = False
    return part, part.index(rewritten), kept


def reach(graph: Graph, seeds: np.ndarray) -> np.ndarray:
    """Mask of the nodes whose results a change at ``seeds`` (node numbers) can move:
    up the chain within the depth, and the members of any circle a seed is in now
    (the whole graph's kernel)."""
    a = graph.analysis
    reach = upstream(a.graph, mask(graph.size, seeds))
    circled = seeds[a.circle_size[seeds] > 0]
    if len(circled):
        wanted = np.zeros(len(a.label), dtype=bool)
        wanted[a.label[circled]] = True
        reach |= wanted[a.label]
    return reach
