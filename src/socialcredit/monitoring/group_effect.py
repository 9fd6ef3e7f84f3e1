"""What one dimension does to each group: for the fairness report, everyone is
scored again without the dimension (:func:`.dimension_effect.compare_without`), and
for each group of sex, age band and province the report shows how many people have
data in it, the mean score change it makes (among everyone, and among those with
data), and, at the report's cut-offs, the worst significant adverse impact ratio
with and without it: whether the dimension narrows or widens a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from socialcredit.engines import Engine
from socialcredit.features import DIMENSIONS
from socialcredit.identity import province_name
from socialcredit.monitoring.dimension_effect import EFFECT_TABLE, compare_without
from socialcredit.monitoring.groups import ATTRIBUTES, group_columns_sql
from socialcredit.monitoring.impact import (
    Comparison,
    GroupRates,
    compare_groups,
    worst_significant,
)
from socialcredit.scorecard import ScorecardSpec
from socialcredit.scoring.notice import DEFAULT_NOTICE_DAYS

__all__ = ["effect_by_group"]


def _rates(rows: list[dict[str, Any]], column: str, cuts: Sequence[int]) -> list[GroupRates]:
    return [
        GroupRates(r["attribute"], r["grp"], r["n"], {c: float(r[f"{column}_{c}"]) for c in cuts})
        for r in rows
    ]


def _name(attribute: str, group: str) -> str:
    return province_name(group) if attribute == "province" else group


def _named(found: Comparison | None) -> dict[str, Any] | None:
    return (
        None if found is None else found.as_json() | {"group": _name(found.attribute, found.group)}
    )


def effect_by_group(
    engine: Engine,
    spec: ScorecardSpec,
    dimension: str,
    *,
    as_of: dt.date,
    cutoffs: Sequence[int],
    notice_days: int = DEFAULT_NOTICE_DAYS,
    features_ready: bool = False,
) -> dict[str, Any]:
    """The effect of ``dimension`` of ``spec`` on every group, as of ``as_of``."""
    compare_without(
        engine,
        spec,
        dimension,
        as_of=as_of,
        notice_days=notice_days,
        features_ready=features_ready,
    )
    at = ", ".join(
        f"avg(CASE WHEN score >= {c} THEN 1.0 ELSE 0.0 END) AS with_{c}, "
        f"avg(CASE WHEN score_without >= {c} THEN 1.0 ELSE 0.0 END) AS without_{c}"
        for c in cutoffs
    )
    people = (
        f"SELECT e.score, e.score_without, e.has_data, {group_columns_sql(as_of)} "
        f"FROM {EFFECT_TABLE} e JOIN subjects s ON s.subject_key = e.subject_key"
    )
    union = " UNION ALL ".join(
        f"SELECT '{a}' AS attribute, {a} AS grp, score, score_without, has_data FROM p"
        for a in ATTRIBUTES
    )
    rows = engine.query(
        "dimension effect by group",
        f"WITH p AS ({people}) SELECT attribute, grp, count(*) AS n, "
        "avg(CASE WHEN has_data THEN 1.0 ELSE 0.0 END) AS with_data, "
        "avg(score - score_without) AS mean_change, "
        "avg(CASE WHEN has_data THEN score - score_without END) AS mean_change_with_data, "
        f"{at} FROM ({union}) g WHERE grp IS NOT NULL "
        "GROUP BY attribute, grp ORDER BY attribute, grp",
    ).to_pylist()
    worst = {
        column: worst_significant(compare_groups(_rates(rows, column, cutoffs), cutoffs))
        for column in ("with", "without")
    }
    totals = [r for r in rows if r["attribute"] == ATTRIBUTES[0]]
    people_n = sum(r["n"] for r in totals)
    groups = []
    for attribute in ATTRIBUTES:
        for r in (r for r in rows if r["attribute"] == attribute):
            groups.append(
                {
                    "attribute": attribute,
                    "group": r["grp"],
                    "name": _name(attribute, r["grp"]),
                    "n": r["n"],
                    "with_data": round(float(r["with_data"]), 4),
                    "mean_change": round(float(r["mean_change"]), 2),
                    "mean_change_with_data": None
                    if r["mean_change_with_data"] is None
                    else round(float(r["mean_change_with_data"]), 2),
                }
            )
    return {
        "dimension": dimension,
        "name_en": DIMENSIONS[dimension].name_en,
        "name_zh": DIMENSIONS[dimension].name_zh,
        "people": people_n,
        "with_data": round(sum(r["with_data"] * r["n"] for r in totals) / max(1, people_n), 4),
        "worst_with": _named(worst["with"]),
        "worst_without": _named(worst["without"]),
        "groups": groups,
    }
