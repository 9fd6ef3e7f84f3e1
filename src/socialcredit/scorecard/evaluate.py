"""Score one subject in Python, from a spec and a dict of feature values.

The batch path (:mod:`.compile`) gives the same numbers for every subject; a
property test holds the two together.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE, NEUTRAL_SUBSCORE
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec
from socialcredit.scorecard.tiers import tier_of

__all__ = [
    "MAX_REASONS",
    "Reason",
    "Scored",
    "evaluate",
    "feature_points",
    "is_missing",
    "subscore",
]

#: Reasons kept per subject: the four features with the most points lost (docs/scoring.md).
MAX_REASONS = 4

Value = float | str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """A feature that cost points: how many against its best bin."""

    feature: str
    points_lost: int
    value: Value


@dataclass(frozen=True, slots=True)
class Scored:
    score: int
    tier: str
    subscores: dict[str, int]
    points: dict[str, int]
    reasons: tuple[Reason, ...]


def is_missing(value: Value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def feature_points(feature: FeatureSpec, value: Value) -> int:
    """Points of one feature value."""
    if is_missing(value):
        return feature.missing_points
    if feature.kind == "numeric":
        return feature.points[bisect_right(feature.edges, float(value))]  # type: ignore[arg-type]
    for group in feature.groups:
        if str(value) in group.values:
            return group.points
    return feature.other_points


def subscore(points: int, worst: int, best: int) -> int:
    """A dimension's points on the score range: MIN_SCORE at its worst, MAX_SCORE at
    its best.

    Integer arithmetic (round half up) so every engine gives the same value.
    """
    span = best - worst
    if span == 0:
        return NEUTRAL_SUBSCORE
    return MIN_SCORE + (2 * (MAX_SCORE - MIN_SCORE) * (points - worst) + span) // (2 * span)


def evaluate(spec: ScorecardSpec, values: Mapping[str, Value]) -> Scored:
    """Score, tier, subscores, points per feature and the main reasons of one subject."""
    points = {f.name: feature_points(f, values.get(f.column)) for f in spec.features}
    total = spec.scaling.clip(spec.base_points + sum(points.values()))
    subscores = {}
    for dimension in spec.dimensions:
        worst, best = spec.dimension_range(dimension)
        own = sum(points[f.name] for f in spec.features if f.dimension == dimension)
        subscores[dimension] = subscore(own, worst, best)
    lost = [
        (f.best - points[f.name], order, f.name)
        for order, f in enumerate(spec.features)
        if f.best - points[f.name] > 0
        # consented data a person did not share costs nothing and explains nothing
        and not (f.consented and is_missing(values.get(f.column)))
    ]
    lost.sort(key=lambda item: (-item[0], item[1]))
    reasons = tuple(
        Reason(name, amount, values.get(spec.feature(name).column))
        for amount, _, name in lost[:MAX_REASONS]
    )
    return Scored(total, tier_of(total), subscores, points, reasons)
