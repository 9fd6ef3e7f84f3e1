"""Fairness monitoring: do scores treat groups alike?

For a score run, at each tier cut-off, the share of each group scoring at or
above it ("approval rate"), and the adverse impact ratio: a group's rate over
the best-treated group's rate for the same attribute. A ratio below 0.8 (the
four-fifths rule) is flagged. Groups are sex, age band and province, derived
from the resident ID and kept for exactly this; no scorecard may use them.
Groups smaller than ``MIN_GROUP`` are reported but not flagged. Every flag
carries the p-value of a two-proportion z-test against the best-treated group,
significant when below 0.05 divided by the number of comparisons made for that
attribute (Bonferroni): with 31 provinces and four cut-offs some ratios fall
below 0.8 by chance alone (:mod:`.impact`, shared with the search for a less
discriminatory scorecard). The headline (``lowest``) is the lowest significant
ratio, or the lowest ratio when none is significant.
Also the population stability index between this run and the one before it,
and on request what chosen dimensions do to each group (:mod:`.group_effect`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.identity import province_name
from socialcredit.monitoring.group_effect import effect_by_group
from socialcredit.monitoring.groups import AGE_BANDS, ATTRIBUTES, group_columns_sql
from socialcredit.monitoring.impact import (
    FOUR_FIFTHS,
    MIN_GROUP,
    GroupRates,
    compare_groups,
    lowest,
)
from socialcredit.scorecard.metrics import psi, score_bands
from socialcredit.scorecard.tiers import TIERS
from socialcredit.scoring.runs import run_notice_days
from socialcredit.scoring.versions import stored_scorecard

__all__ = [
    "AGE_BANDS",
    "FOUR_FIFTHS",
    "MIN_GROUP",
    "TIER_CUTOFFS",
    "FairnessReport",
    "fairness_report",
    "group_columns_sql",
]

TIER_CUTOFFS = tuple(t.low for t in TIERS[1:])


@dataclass(frozen=True)
class FairnessReport:
    run_id: str
    as_of: str
    scorecard_version: str
    people: int
    cutoffs: tuple[int, ...]
    groups: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    lowest: dict[str, Any] | None
    psi_vs_previous: float | None
    previous_run: str | None
    #: action -> the credit policy's approval cut-off, when policy cut-offs were asked for
    policy_cutoffs: dict[str, int] = field(default_factory=dict)
    policy_version: str | None = None
    #: per dimension asked for, its effect by group (:func:`.group_effect.effect_by_group`)
    dimension_effects: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _run(engine: Engine, run_id: str | None) -> dict[str, Any]:
    where = "WHERE run_id = ?" if run_id else ""
    rows = engine.query(
        "score run",
        f"SELECT run_id, as_of, scorecard_version FROM score_runs {where} "
        "ORDER BY created_at DESC LIMIT 1",
        [run_id] if run_id else [],
    ).to_pylist()
    if not rows:
        raise NotFoundError(
            f"no score run {run_id!r}" if run_id else "no score run yet; run socialcredit score"
        )
    found: dict[str, Any] = rows[0]
    return found


def _name(attribute: str, group: str) -> str:
    return province_name(group) if attribute == "province" else group


def _psi(engine: Engine, run: dict[str, Any]) -> tuple[float | None, str | None]:
    """PSI of this run's scores against the run made before it."""
    previous = engine.query(
        "previous run",
        "SELECT run_id FROM score_runs WHERE created_at < (SELECT created_at FROM score_runs "
        "WHERE run_id = ?) ORDER BY created_at DESC LIMIT 1",
        [run["run_id"]],
    ).to_pylist()
    if not previous:
        return None, None
    earlier = str(previous[0]["run_id"])

    def scores(run_id: str) -> np.ndarray:
        found = engine.query("scores", "SELECT score FROM score_history WHERE run_id = ?", [run_id])
        return np.asarray(found.column("score").to_numpy(), dtype=float)

    return psi(score_bands(scores(earlier)), scores(run["run_id"])), earlier


def fairness_report(
    engine: Engine,
    run_id: str | None = None,
    cutoffs: tuple[int, ...] | None = None,
    effects: Sequence[str] = (),
) -> FairnessReport:
    """The fairness report of a score run (default: the latest), at ``cutoffs``
    (default: the tier cut-offs; pass a credit policy's approval cut-offs too, see
    :func:`socialcredit.decisions.policy.approval_cutoffs`); with the effect by group
    of each dimension in ``effects`` that the run's scorecard has."""
    run = _run(engine, run_id)
    cuts = tuple(sorted(set(cutoffs))) if cutoffs else TIER_CUTOFFS
    as_of: dt.date = run["as_of"]
    at_cuts = ", ".join(
        f"avg(CASE WHEN score >= {cut} THEN 1.0 ELSE 0.0 END) AS at_{cut}" for cut in cuts
    )
    people = (
        f"SELECT h.score, {group_columns_sql(as_of)} "
        "FROM score_history h JOIN subjects s ON s.subject_key = h.subject_key "
        "WHERE h.run_id = ?"
    )
    rows = engine.query(
        "fairness groups",
        f"WITH p AS ({people}) SELECT attribute, grp, count(*) AS n, avg(score) AS mean_score, "
        f"{at_cuts} FROM ("
        + " UNION ALL ".join(
            f"SELECT '{a}' AS attribute, {a} AS grp, score FROM p" for a in ATTRIBUTES
        )
        + ") g "
        "GROUP BY attribute, grp ORDER BY attribute, grp",
        [run["run_id"]],
    ).to_pylist()
    means = {(r["attribute"], r["grp"]): float(r["mean_score"]) for r in rows}
    rates = [
        GroupRates(r["attribute"], r["grp"], r["n"], {cut: float(r[f"at_{cut}"]) for cut in cuts})
        for r in rows
    ]
    names = {(r.attribute, r.group): _name(r.attribute, r.group) for r in rates}
    groups: list[dict[str, Any]] = []
    for attribute in ATTRIBUTES:
        eligible = [r for r in rates if r.attribute == attribute and r.n >= MIN_GROUP]
        best = {cut: max((r.rates[cut] for r in eligible), default=0.0) for cut in cuts}
        for row in (r for r in rates if r.attribute == attribute):
            ratios = {cut: row.rates[cut] / best[cut] if best[cut] > 0 else None for cut in cuts}
            groups.append(
                {
                    "attribute": attribute,
                    "group": row.group,
                    "name": names[(attribute, row.group)],
                    "n": row.n,
                    "mean_score": round(means[(attribute, row.group)], 1),
                    "approval": {str(cut): round(row.rates[cut], 4) for cut in cuts},
                    "adverse_impact_ratio": {
                        str(cut): None if ratio is None else round(ratio, 4)
                        for cut, ratio in ratios.items()
                    },
                }
            )
    comparisons = [c for c in compare_groups(rates, cuts) if c.ratio < FOUR_FIFTHS]
    flags = [c.as_json() | {"group": names[(c.attribute, c.group)]} for c in comparisons]
    worst = lowest(comparisons)
    headline = None if worst is None else flags[comparisons.index(worst)]
    psi, previous = _psi(engine, run)
    effect = _effects(engine, run, effects, cuts) if effects else []
    return FairnessReport(
        run_id=run["run_id"],
        as_of=as_of.isoformat(),
        scorecard_version=run["scorecard_version"],
        people=sum(r["n"] for r in rows if r["attribute"] == "sex"),
        cutoffs=cuts,
        groups=groups,
        flags=flags,
        lowest=headline,
        psi_vs_previous=psi,
        previous_run=previous,
        dimension_effects=effect,
    )


def _effects(
    engine: Engine, run: dict[str, Any], dimensions: Sequence[str], cuts: tuple[int, ...]
) -> list[dict[str, Any]]:
    spec = stored_scorecard(engine, run["scorecard_version"])
    found: list[dict[str, Any]] = []
    for dimension in (d for d in dimensions if d in spec.dimensions):
        found.append(
            effect_by_group(
                engine,
                spec,
                dimension,
                as_of=run["as_of"],
                cutoffs=cuts,
                notice_days=run_notice_days(engine, run["run_id"]),
                features_ready=bool(found),
            )
        )
    return found
