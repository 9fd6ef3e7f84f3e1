"""Compile a scorecard spec into engine SQL for batch scoring.

The output has, per subject, ``score``, ``tier``, one ``sub_<dimension>`` per
dimension and ``reason_1..4`` / ``lost_1..4`` (feature and points lost), the
same numbers :func:`.evaluate.evaluate` gives for one subject.
"""

from __future__ import annotations

from socialcredit.scorecard.evaluate import MAX_REASONS
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec
from socialcredit.scorecard.tiers import tier_sql

__all__ = ["points_sql", "score_sql"]


def _literal(value: float) -> str:
    """A double literal that reads back as exactly ``value``."""
    return f"CAST({value!r} AS DOUBLE)"


def points_sql(feature: FeatureSpec, column: str) -> str:
    """CASE expression giving the points of ``column`` under ``feature``.

    NaN counts as missing, as in the Python evaluator.
    """
    if feature.kind == "numeric":
        cases = [f"WHEN {column} IS NULL OR isnan({column}) THEN {feature.missing_points}"]
        cases += [
            f"WHEN {column} < {_literal(edge)} THEN {points}"
            for edge, points in zip(feature.edges, feature.points, strict=False)
        ]
        default = feature.points[-1]
    else:
        cases = [f"WHEN {column} IS NULL THEN {feature.missing_points}"]
        for group in feature.groups:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in group.values)
            cases.append(f"WHEN CAST({column} AS VARCHAR) IN ({values}) THEN {group.points}")
        default = feature.other_points
    return f"CASE {' '.join(cases)} ELSE {default} END"


def score_sql(spec: ScorecardSpec, features: str) -> str:
    """SELECT over the table ``features`` (subject_key + one column per feature)."""
    point_cols = ", ".join(f"{points_sql(f, f.name)} AS p_{f.name}" for f in spec.features)
    total = " + ".join([str(spec.base_points), *(f"p_{f.name}" for f in spec.features)])
    lo, hi = spec.scaling.min_score, spec.scaling.max_score
    clipped = f"least(greatest({total}, {lo}), {hi})"
    subs = []
    for dimension in spec.dimensions:
        worst, best = spec.dimension_range(dimension)
        own = " + ".join(f"p_{f.name}" for f in spec.features if f.dimension == dimension) or "0"
        span = best - worst
        subs.append(
            f"350 + (1200 * (({own}) - ({worst})) + {span}) // {2 * span} AS sub_{dimension}"
            if span
            else f"650 AS sub_{dimension}"
        )
    # Reasons: unpivot points lost per feature, rank, keep the top MAX_REASONS.
    lost = " UNION ALL ".join(
        f"SELECT subject_key, '{f.name}' AS feature, {order} AS ord, {f.best} - p_{f.name} AS lost "
        f"FROM points WHERE p_{f.name} < {f.best}"
        for order, f in enumerate(spec.features)
    )
    picks = ", ".join(
        f"max(CASE WHEN rn = {i} THEN feature END) AS reason_{i}, "
        f"max(CASE WHEN rn = {i} THEN lost END) AS lost_{i}"
        for i in range(1, MAX_REASONS + 1)
    )
    return (
        f"WITH points AS (SELECT subject_key, {point_cols} FROM {features}), "
        f"totals AS (SELECT subject_key, {clipped} AS score, {', '.join(subs)} FROM points), "
        f"ranked AS (SELECT subject_key, feature, lost, row_number() OVER (PARTITION BY "
        f"subject_key ORDER BY lost DESC, ord) AS rn FROM ({lost}) l), "
        f"reasons AS (SELECT subject_key, {picks} FROM ranked WHERE rn <= {MAX_REASONS} "
        "GROUP BY subject_key) "
        f"SELECT t.subject_key, t.score, {tier_sql('t.score')} AS tier, "
        f"{', '.join('t.sub_' + d for d in spec.dimensions)}, "
        f"{', '.join(f'r.reason_{i}, r.lost_{i}' for i in range(1, MAX_REASONS + 1))} "
        "FROM totals t LEFT JOIN reasons r ON r.subject_key = t.subject_key"
    )
