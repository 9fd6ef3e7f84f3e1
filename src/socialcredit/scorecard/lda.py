"""The search for a less discriminatory scorecard: alternatives to one scorecard,
each measured for accuracy (ROC AUC) and for adverse impact at the cut-offs that
decide (the tiers' and the credit policy's), and the frontier between the two.

Protected attributes (age band, sex, province, ...) are given as ``groups``: they
are measured, never read. Every candidate reads only the features the scorecard
searched from reads, or fewer; a column of the data named like a group is left out.

The alternatives:

- ``base``: the scorecard searched from: trained here (:class:`ScorecardTrainer`),
  or given (``start``, e.g. the expert default).
- ``shrink F xA``: the points of the features F driving the gap multiplied by A
  (0.75, 0.5, 0.25): each bin's distance from 0 points (a neutral value for the
  expert scorecard, an average one for a trained scorecard) is capped at that
  share. F is each driver alone, then the first two, the first three. At A = 0
  the features are dropped (``drop F``).
- trained only, refitted so that the other features learn what they can:
  ``refit without F`` (the first driver, the first two, the first three) and
  ``fairness penalty M`` along a path of M: the fit also pays M times the
  size-weighted variance of the groups' mean log-odds (:func:`.train.group_gap`).

The drivers are the features whose mean points favour the best-treated group over
the disadvantaged one most, at the base's worst comparison (its lowest significant
adverse impact ratio, or its lowest ratio when no gap is significant).

Each candidate's AUC is cross-validated for a trained base (every candidate
refitted on each training part, out-of-fold scores), and measured on all rows
for a given scorecard (nothing is fitted to them). Its adverse impact is measured
on the same scores as the fairness report does (:mod:`socialcredit.monitoring.impact`):
``worst_ratio`` is the lowest ratio whose gap to the best-treated group is
significant after correction (1.0 when none is). A candidate passes when
``worst_ratio`` >= ``min_air``. The frontier holds the candidates no other beats on
both AUC and worst ratio. The chosen one is, of the candidates that pass, the
fairest (highest worst ratio) of those whose AUC is within ``auc_tolerance`` of the
best passing AUC (a smaller difference is noise: then fairness decides), the more
accurate on a tie; when none passes, the fairest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from socialcredit.errors import InputError
from socialcredit.monitoring.groups import age_bands
from socialcredit.monitoring.impact import (
    FOUR_FIFTHS,
    Comparison,
    compare_groups,
    group_labels,
    group_rates,
    worst_significant,
)
from socialcredit.scorecard.spec import (
    FairnessRecord,
    FrontierPoint,
    ScorecardSpec,
    protected_term,
)
from socialcredit.scorecard.tabular import Column, column_from_values, target_values, to_columns
from socialcredit.scorecard.train import ScorecardTrainer
from socialcredit.scorecard.vectorised import feature_points_array, score_columns

__all__ = [
    "DEFAULT_AUC_TOLERANCE",
    "DEFAULT_FACTORS",
    "DEFAULT_FAIRNESS_PENALTIES",
    "Candidate",
    "FairnessSearch",
    "driving_features",
    "groups_from_columns",
    "impact_of",
    "shrink_points",
]

DEFAULT_FACTORS = (0.75, 0.5, 0.25, 0.0)
#: AUCs closer than this count as equal when choosing: then the fairer wins
DEFAULT_AUC_TOLERANCE = 0.001
DEFAULT_FAIRNESS_PENALTIES = (1.0, 2.0, 4.0, 8.0, 16.0)
#: a numeric group column with more distinct values than this must be banded first
MAX_GROUP_VALUES = 12
Kind = Literal["base", "shrink", "refit", "penalty"]


def shrink_points(
    spec: ScorecardSpec, factors: Mapping[str, float], version: str | None = None
) -> ScorecardSpec:
    """``spec`` with the points of each feature named in ``factors`` multiplied by its
    factor and rounded (a factor of 0 drops the feature); the base points stay.

    >>> from socialcredit.scorecard import FeatureSpec
    >>> tenure = FeatureSpec(name="tenure", dimension="d", edges=(1, 3, 5), points=(-22, -7, 7, 18))
    >>> spec = ScorecardSpec(version="v", base_points=600, dimensions=("d",), features=(tenure,))
    >>> shrink_points(spec, {"tenure": 0.5}).feature("tenure").points
    (-11, -4, 4, 9)
    """
    unknown = set(factors) - {f.name for f in spec.features}
    if unknown:
        raise InputError(f"scorecard {spec.version} has no feature {', '.join(sorted(unknown))}")
    data = spec.model_dump(mode="json")
    data["version"] = version or spec.version
    data["features"] = []
    for feature in spec.features:
        factor = factors.get(feature.name, 1.0)
        if not 0 <= factor <= 1:
            raise InputError(f"factor for {feature.name} must be between 0 and 1, not {factor}")
        if factor == 0:
            continue
        item = feature.model_dump(mode="json")
        if factor != 1:
            item["points"] = [round(factor * p) for p in feature.points]
            item["missing_points"] = round(factor * feature.missing_points)
            item["other_points"] = round(factor * feature.other_points)
            for group in item["groups"]:
                group["points"] = round(factor * group["points"])
        data["features"].append(item)
    return ScorecardSpec.model_validate(data)


def groups_from_columns(
    columns: Mapping[str, Column], names: Sequence[str]
) -> dict[str, np.ndarray]:
    """Each row's group in the columns ``names``: a categorical column's values; a
    numeric age (a name with "age") in the fairness report's age bands; another
    numeric column's values when it has at most ``MAX_GROUP_VALUES`` of them."""
    found = {}
    for name in names:
        if name not in columns:
            raise InputError(
                f"fairness column {name!r} is not in the data; columns: {', '.join(columns)}"
            )
        column = columns[name]
        if column.kind == "categorical":
            found[name] = group_labels(column.values)
        elif protected_term(name) == "age":
            found[name] = age_bands(column.values)
        else:
            present = column.values[~np.isnan(column.values)]
            if len(np.unique(present)) > MAX_GROUP_VALUES:
                raise InputError(
                    f"fairness column {name!r} has {len(np.unique(present))} distinct numbers; "
                    f"give groups (at most {MAX_GROUP_VALUES} values, or text)"
                )
            found[name] = group_labels([None if v != v else f"{v:g}" for v in column.values])
    return found


def impact_of(
    scores: np.ndarray, groups: Mapping[str, np.ndarray], cutoffs: Sequence[int]
) -> tuple[Comparison | None, Comparison | None]:
    """(the lowest ratio with a significant gap, the lowest ratio of any compared group)
    of ``scores`` at ``cutoffs``."""
    comparisons = compare_groups(group_rates(scores, groups, cutoffs), cutoffs)
    return worst_significant(comparisons), min(comparisons, key=lambda c: c.ratio, default=None)


def driving_features(
    spec: ScorecardSpec,
    columns: Mapping[str, np.ndarray],
    labels: np.ndarray,
    worse: str,
    better: str,
) -> list[tuple[str, float]]:
    """Features by how much more their points give group ``better`` than ``worse``
    (mean points), largest first; only those that favour ``better``."""
    gaps = []
    for feature in spec.features:
        points = feature_points_array(feature, columns[feature.column])
        gap = float(points[labels == better].mean() - points[labels == worse].mean())
        if gap > 0:
            gaps.append((feature.name, round(gap, 3)))
    return sorted(gaps, key=lambda item: -item[1])


@dataclass(frozen=True)
class _Plan:
    """A candidate before it is measured: what changes from the base."""

    name: str
    kind: Kind
    factors: Mapping[str, float] = field(default_factory=dict)
    without: tuple[str, ...] = ()  # features (not refitted: columns) left out
    penalty: float = 0.0


@dataclass(frozen=True)
class Candidate:
    """One measured alternative."""

    name: str
    kind: Kind
    spec: ScorecardSpec
    auc: float
    #: the lowest ratio with a significant gap (None: no significant gap)
    worst: Comparison | None
    #: the lowest ratio of any compared group, significant or not
    lowest: Comparison | None
    passes: bool
    on_frontier: bool = False

    @property
    def worst_ratio(self) -> float:
        return 1.0 if self.worst is None else self.worst.ratio

    def point(self) -> FrontierPoint:
        return FrontierPoint(
            name=self.name,
            auc=round(self.auc, 6),
            worst_ratio=round(self.worst_ratio, 4),
            passes=self.passes,
            on_frontier=self.on_frontier,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "auc": round(self.auc, 6),
            "worst_ratio": round(self.worst_ratio, 4),
            "worst": None if self.worst is None else self.worst.as_json(),
            "lowest": None if self.lowest is None else self.lowest.as_json(),
            "passes": self.passes,
            "on_frontier": self.on_frontier,
            "features": len(self.spec.features),
        }


def _groups(groups: Mapping[str, Any], rows: int) -> dict[str, np.ndarray]:
    if not groups:
        raise InputError("the search needs at least one protected attribute to measure")
    found = {}
    for attribute, values in groups.items():
        labels = group_labels(values)
        if len(labels) != rows:
            raise InputError(f"groups of {attribute!r} have {len(labels)} rows; the data {rows}")
        found[attribute] = labels
    return found


def _frontier(candidates: list[Candidate]) -> list[Candidate]:
    def beaten(c: Candidate) -> bool:
        return any(
            o.auc >= c.auc
            and o.worst_ratio >= c.worst_ratio
            and (o.auc > c.auc or o.worst_ratio > c.worst_ratio)
            for o in candidates
        )

    return [replace(c, on_frontier=not beaten(c)) for c in candidates]


def _choose(candidates: list[Candidate], tolerance: float) -> Candidate:
    passing = [c for c in candidates if c.passes]
    if not passing:
        return max(candidates, key=lambda c: (c.worst_ratio, c.auc))
    best = max(c.auc for c in passing)
    near = [c for c in passing if c.auc >= best - tolerance]
    return max(near, key=lambda c: (c.worst_ratio, c.auc))


class FairnessSearch(BaseEstimator):  # type: ignore[misc]
    """Search alternatives to a scorecard and choose one from the frontier of AUC
    against worst adverse impact ratio.

    Without ``start`` the base is trained by ``trainer`` (default: a
    :class:`ScorecardTrainer` with its defaults). Fitted attributes: ``candidates_``
    (every alternative, measured), ``chosen_``, ``spec_`` (the chosen scorecard, with
    the search recorded in its ``fairness``), ``drivers_`` (feature -> mean points gap),
    ``worst_comparison_`` (the base's), ``auc_measure_``.
    """

    def __init__(
        self,
        *,
        start: ScorecardSpec | None = None,
        trainer: ScorecardTrainer | None = None,
        cutoffs: Sequence[int] = (550, 600, 620, 650, 700),
        min_air: float = FOUR_FIFTHS,
        auc_tolerance: float = DEFAULT_AUC_TOLERANCE,
        drivers: int = 3,
        factors: Sequence[float] = DEFAULT_FACTORS,
        fairness_penalties: Sequence[float] = DEFAULT_FAIRNESS_PENALTIES,
        cv: int = 5,
        version: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.start = start
        self.trainer = trainer
        self.cutoffs = cutoffs
        self.min_air = min_air
        self.auc_tolerance = auc_tolerance
        self.drivers = drivers
        self.factors = factors
        self.fairness_penalties = fairness_penalties
        self.cv = cv
        self.version = version
        self.random_state = random_state

    # -- measuring --------------------------------------------------------------------

    def _cuts(self) -> tuple[int, ...]:
        cuts = tuple(sorted({int(c) for c in self.cutoffs}))
        if not cuts:
            raise InputError("the search needs at least one cut-off to measure at")
        return cuts

    def _measure(
        self,
        plan: _Plan,
        spec: ScorecardSpec,
        scores: np.ndarray,
        y: np.ndarray,
        groups: Mapping[str, np.ndarray],
    ) -> Candidate:
        spec.ensure_fair()
        worst, lowest = impact_of(scores, groups, self._cuts())
        return Candidate(
            name=plan.name,
            kind=plan.kind,
            spec=spec,
            auc=float(roc_auc_score(y, -scores)),
            worst=worst,
            lowest=lowest,
            passes=worst is None or worst.ratio >= self.min_air,
        )

    # -- the alternatives -------------------------------------------------------------

    def _drivers(
        self,
        spec: ScorecardSpec,
        columns: Mapping[str, np.ndarray],
        y: np.ndarray,
        groups: Mapping[str, np.ndarray],
    ) -> tuple[list[str], Comparison | None]:
        scores = score_columns(spec, columns)
        comparisons = compare_groups(group_rates(scores, groups, self._cuts()), self._cuts())
        worst = worst_significant(comparisons) or min(
            comparisons, key=lambda c: c.ratio, default=None
        )
        if worst is None:
            self.drivers_: dict[str, float] = {}
            return [], None
        best = max(
            (c for c in comparisons if c.attribute == worst.attribute and c.cutoff == worst.cutoff),
            key=lambda c: c.ratio,
        )
        found = driving_features(spec, columns, groups[worst.attribute], worst.group, best.group)
        self.drivers_ = dict(found[: self.drivers])
        return list(self.drivers_), worst

    def _plans(self, drivers: list[str], trained: bool) -> list[_Plan]:
        sets = [(d,) for d in drivers] + [tuple(drivers[:k]) for k in range(2, len(drivers) + 1)]
        plans = [_Plan("base", "base")]
        for features in sets:
            for factor in self.factors:
                label = f"{'drop' if factor == 0 else 'shrink'} {' + '.join(features)}"
                plans.append(
                    _Plan(
                        label if factor == 0 else f"{label} x{factor:g}",
                        "shrink",
                        factors=dict.fromkeys(features, float(factor)),
                    )
                )
        if trained:
            for k in range(1, len(drivers) + 1):
                plans.append(
                    _Plan(
                        f"refit without {' + '.join(drivers[:k])}",
                        "refit",
                        without=tuple(drivers[:k]),
                    )
                )
            for penalty in self.fairness_penalties:
                plans.append(_Plan(f"fairness penalty {penalty:g}", "penalty", penalty=penalty))
        return plans

    def _refit(
        self,
        plan: _Plan,
        base: ScorecardTrainer,
        base_spec: ScorecardSpec,
        inputs: dict[str, Column],
        y: np.ndarray,
        groups: Mapping[str, np.ndarray],
    ) -> ScorecardSpec:
        """The plan's scorecard on these rows, ``base`` (fitted on them) to start from."""
        if plan.kind in ("base", "shrink"):
            names = {f.name for f in base_spec.features}
            present = {k: v for k, v in plan.factors.items() if k in names}
            return shrink_points(base_spec, present)
        trainer = clone(base).set_params(penalties=(base.penalty_,), cv=1)
        if plan.kind == "refit":
            columns = [f.column for f in base_spec.features if f.name in plan.without]
            trainer.set_params(exclude=(*base.exclude, *columns))
            fitted: ScorecardSpec = trainer.fit(_values(inputs), y).spec_
            return fitted
        trainer.set_params(fairness_penalty=plan.penalty)
        penalised: ScorecardSpec = trainer.fit(_values(inputs), y, groups=groups).spec_
        return penalised

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X: Any, y: Any, groups: Mapping[str, Any]) -> FairnessSearch:  # noqa: N803
        """Search on rows ``X`` with outcomes ``y`` (1 = bad), measuring the
        ``groups`` (protected attribute -> each row's group)."""
        columns = to_columns(X)
        target = target_values(column_from_values("target", np.asarray(y)))
        measured = _groups(groups, len(target))
        self.attributes_ = tuple(measured)
        # a protected attribute is measured, never an input, even when X has it
        inputs = {k: v for k, v in columns.items() if k not in measured}
        if self.start is not None:
            candidates = self._search_from(self.start, inputs, target, measured)
            self.auc_measure_: Literal["cross-validated", "all rows"] = "all rows"
        else:
            candidates = self._search_trained(inputs, target, measured)
            self.auc_measure_ = "cross-validated"
        self.candidates_ = _frontier(candidates)
        self.chosen_ = _choose(self.candidates_, self.auc_tolerance)
        self.spec_ = self._record(self.chosen_)
        return self

    def _search_from(
        self,
        start: ScorecardSpec,
        inputs: dict[str, Column],
        y: np.ndarray,
        groups: Mapping[str, np.ndarray],
    ) -> list[Candidate]:
        start.ensure_fair()
        values = _values(inputs)
        drivers, self.worst_comparison_ = self._drivers(start, values, y, groups)
        candidates = []
        for plan in self._plans(drivers, trained=False):
            spec = shrink_points(start, plan.factors)
            candidates.append(self._measure(plan, spec, score_columns(spec, values), y, groups))
        return candidates

    def _search_trained(
        self, inputs: dict[str, Column], y: np.ndarray, groups: Mapping[str, np.ndarray]
    ) -> list[Candidate]:
        trainer = clone(self.trainer or ScorecardTrainer()).set_params(
            random_state=self.random_state
        )
        base = trainer.fit(_values(inputs), y)
        values = _values(inputs)
        drivers, self.worst_comparison_ = self._drivers(base.spec_, values, y, groups)
        plans = self._plans(drivers, trained=True)
        out_of_fold = {plan.name: np.zeros(len(y)) for plan in plans}
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(np.zeros(len(y)), y):
            part = {k: v.take(train) for k, v in inputs.items()}
            held = {k: v.values[test] for k, v in inputs.items()}
            fold_groups = {k: v[train] for k, v in groups.items()}
            fold_base = clone(base).set_params(penalties=(base.penalty_,), cv=1)
            fold_base.fit(_values(part), y[train])
            for plan in plans:
                spec = self._refit(plan, fold_base, fold_base.spec_, part, y[train], fold_groups)
                out_of_fold[plan.name][test] = score_columns(spec, held)
        candidates = []
        for plan in plans:
            spec = self._refit(plan, base, base.spec_, inputs, y, groups)
            candidates.append(self._measure(plan, spec, out_of_fold[plan.name], y, groups))
        return candidates

    def _record(self, chosen: Candidate) -> ScorecardSpec:
        start = self.start.version if self.start is not None else "trained"
        record = FairnessRecord(
            start=start,
            attributes=self.attributes_,
            cutoffs=self._cuts(),
            min_air=self.min_air,
            auc_measure=self.auc_measure_,
            seed=self.random_state,
            chosen=chosen.name,
            frontier=tuple(c.point() for c in self.candidates_),
        )
        spec = chosen.spec.model_copy(update={"fairness": record})
        content = spec.model_copy(update={"version": "draft"}).to_json()
        version = (
            self.version or f"{start}-fair-{hashlib.sha256(content.encode()).hexdigest()[:12]}"
        )
        return spec.model_copy(update={"version": version})

    def as_json(self) -> dict[str, Any]:
        """The search: where from, how measured, the drivers, every candidate, the choice."""
        return {
            "start": self.start.version if self.start is not None else "trained",
            "auc_measure": self.auc_measure_,
            "cutoffs": list(self._cuts()),
            "min_air": self.min_air,
            "seed": self.random_state,
            "drivers": self.drivers_,
            "candidates": [c.as_json() for c in self.candidates_],
            "chosen": self.chosen_.name,
            "version": self.spec_.version,
        }


def _values(columns: Mapping[str, Column]) -> dict[str, np.ndarray]:
    return {k: v.values for k, v in columns.items()}
