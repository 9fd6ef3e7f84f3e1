"""Compile a scorecard spec into engine SQL for batch scoring.

The output has, per subject, ``score``, ``tier``, one ``sub_<dimension>`` per
dimension and ``reason_1..4`` / ``lost_1..4`` (feature and points lost), the
same numbers :func:`.evaluate.evaluate` gives for one subject.
"""

from __future__ import annotations

from socialcredit.scorecard.evaluate import MAX_REASONS
from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE, NEUTRAL_SUBSCORE
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec
from socialcredit.scorecard.tiers import tier_sql

__all__ = ["points_sql", "quote", "score_sql"]


def _literal(value: float) -> str:
    """A double literal that reads back as exactly ``value``."""
    return f"CAST({value!r} AS DOUBLE)"


def _missing(feature: FeatureSpec, column: str) -> str:
    """Predicate: ``column`` has no value for ``feature`` (NaN counts as missing, as in
    the Python evaluator)."""
    if feature.kind == "numeric":
        # NaN equals NaN in DuckDB, PostgreSQL and Spark alike (unlike IEEE), so this
        # portable test catches it; isnan() does not exist everywhere.
        return f"{column} IS NULL OR {column} = CAST('NaN' AS DOUBLE)"
    return f"{column} IS NULL"


def points_sql(feature: FeatureSpec, column: str) -> str:
    """CASE expression giving the points of ``column`` under ``feature``.

    NaN counts as missing, as in the Python evaluator.
    """
    if feature.kind == "numeric":
        cases = [f"WHEN {_missing(feature, column)} THEN {feature.missing_points}"]
        cases += [
            f"WHEN {column} < {_literal(edge)} THEN {points}"
            for edge, points in zip(feature.edges, feature.points, strict=False)
        ]
        default = feature.points[-1]
    else:
        cases = [f"WHEN {_missing(feature, column)} THEN {feature.missing_points}"]
        for group in feature.groups:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in group.values)
            cases.append(f"WHEN CAST({column} AS VARCHAR) IN ({values}) THEN {group.points}")
        default = feature.other_points
    return f"CASE {' '.join(cases)} ELSE {default} END"


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _ranks(spec: ScorecardSpec) -> str:
    """``rk_<feature>``: the feature's position when sorted by points lost (descending),
    ties in spec order, as the Python evaluator sorts them.

    Every rank is a flat sum of comparisons of the same row's losses, so no
    column depends on another reason: the expression stays polynomial in size
    on engines that inline common table expressions (PostgreSQL).
    """
    names = [f.name for f in spec.features]
    ranks = []
    for i, name in enumerate(names):
        terms = [
            f"CASE WHEN l_{other} {'>=' if j < i else '>'} l_{name} THEN 1 ELSE 0 END"
            for j, other in enumerate(names)
            if j != i
        ]
        ranks.append(f"{' + '.join(terms) or '0'} AS rk_{name}")
    return ", ".join(ranks)


def _reasons(spec: ScorecardSpec) -> str:
    """``reason_k`` / ``lost_k``: the feature at position k-1, if it lost points."""
    parts = []
    for k in range(1, MAX_REASONS + 1):
        hit = [(f.name, f"rk_{f.name} = {k - 1} AND l_{f.name} > 0") for f in spec.features]
        parts.append(
            "CASE " + " ".join(f"WHEN {c} THEN '{n}'" for n, c in hit) + f" END AS reason_{k}"
        )
        parts.append(
            "CASE " + " ".join(f"WHEN {c} THEN l_{n}" for n, c in hit) + f" END AS lost_{k}"
        )
    return ", ".join(parts)


def _greatest(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"greatest({', '.join(terms)})"


def _chained_reasons(spec: ScorecardSpec) -> tuple[list[str], str, str]:
    """The top reasons in O(features x reasons) per row: each feature's loss and spec
    position packed into one integer that sorts as the evaluator does (more points
    lost first, then spec order), and each next reason the greatest key below the
    previous one. Returns the CTEs after ``lost``, the last one's name, and the
    ``reason_k`` / ``lost_k`` columns.

    Each key level reads the one before it many times, so this is only for engines
    that compute a projection once and read it (DuckDB, Spark); an engine that
    substitutes it into every reference (PostgreSQL) would grow the expression
    exponentially with the number of reasons.
    """
    count = len(spec.features)
    keys = [
        f"CAST(l_{f.name} AS BIGINT) * {count} + {count - 1 - i}"
        for i, f in enumerate(spec.features)
    ]
    ctes = [
        f"keyed AS (SELECT *, {', '.join(f'{k} AS k_{i}' for i, k in enumerate(keys))} FROM lost)"
    ]
    before = "keyed"
    for k in range(1, MAX_REASONS + 1):
        if k == 1:
            terms = [f"k_{i}" for i in range(count)]
        else:
            terms = [f"CASE WHEN k_{i} < g_{k - 1} THEN k_{i} END" for i in range(count)]
        ctes.append(f"top_{k} AS (SELECT *, {_greatest(terms)} AS g_{k} FROM {before})")
        before = f"top_{k}"
    columns = []
    for k in range(1, MAX_REASONS + 1):
        lost = f"g_{k} >= {count}"  # a key below the count is a feature that lost nothing
        names = " ".join(
            f"WHEN {count - 1 - i} THEN '{f.name}'" for i, f in enumerate(spec.features)
        )
        columns.append(f"CASE WHEN {lost} THEN CASE g_{k} % {count} {names} END END AS reason_{k}")
        columns.append(f"CASE WHEN {lost} THEN CAST(g_{k} // {count} AS INTEGER) END AS lost_{k}")
    return ctes, before, ", ".join(columns)


def _lost(feature: FeatureSpec) -> str:
    """Points ``feature`` lost against its best bin; none for consented data not shared
    (``m_<feature>``, see :func:`score_sql`)."""
    lost = f"{feature.best} - p_{feature.name}"
    if feature.consented:
        return f"CASE WHEN m_{feature.name} THEN 0 ELSE {lost} END"
    return lost


def score_sql(
    spec: ScorecardSpec, source: str, key: str = "subject_key", *, chained: bool = True
) -> str:
    """SELECT over table ``source`` (``key`` + the columns the features read).

    Yields ``key``, ``score``, ``tier``, ``sub_<dimension>`` and
    ``reason_1..4`` / ``lost_1..4``.

    ``chained`` (DuckDB, Spark) finds the reasons in O(features x reasons) per row
    (:func:`_chained_reasons`); without it, in O(features^2) with every column flat,
    for engines that substitute each projection into every reference (PostgreSQL).
    """
    point_cols = ", ".join(
        [f"{points_sql(f, quote(f.column))} AS p_{f.name}" for f in spec.features]
        + [
            f"coalesce({_missing(f, quote(f.column))}, FALSE) AS m_{f.name}"
            for f in spec.features
            if f.consented
        ]
    )
    total = " + ".join([str(spec.base_points), *(f"p_{f.name}" for f in spec.features)])
    lo, hi = spec.scaling.min_score, spec.scaling.max_score
    subs = []
    for dimension in spec.dimensions:
        worst, best = spec.dimension_range(dimension)
        own = " + ".join(f"p_{f.name}" for f in spec.features if f.dimension == dimension) or "0"
        span = best - worst
        subs.append(
            f"{MIN_SCORE} + ({2 * (MAX_SCORE - MIN_SCORE)} * (({own}) - ({worst})) + {span}) "
            f"// {2 * span} AS sub_{dimension}"
            if span
            else f"{NEUTRAL_SUBSCORE} AS sub_{dimension}"
        )
    lost = ", ".join(f"{_lost(f)} AS l_{f.name}" for f in spec.features)
    ctes = [
        f"points AS (SELECT {quote(key)} AS _key, {point_cols} FROM {source})",
        f"lost AS (SELECT _key, least(greatest({total}, {lo}), {hi}) AS score, "
        f"{', '.join(subs)}, {lost} FROM points)",
    ]
    if chained:
        more, last, reasons = _chained_reasons(spec)
        ctes += more
    else:
        ctes.append(f"ranked AS (SELECT *, {_ranks(spec)} FROM lost)")
        last, reasons = "ranked", _reasons(spec)
    return (
        f"WITH {', '.join(ctes)} SELECT _key AS {quote(key)}, score, "
        f"{tier_sql('score')} AS tier, {', '.join('sub_' + d for d in spec.dimensions)}, "
        f"{reasons} FROM {last}"
    )
