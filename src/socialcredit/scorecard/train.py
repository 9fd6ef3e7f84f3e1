"""Learn a scorecard from outcomes, as a scikit-learn estimator.

The model is additive over bins (a scorecard): fine bins per feature
(:mod:`.binning`), one weight per bin step, fitted by ridge-penalised logistic
regression with optional sign bounds that make a feature's effect monotone.
The penalty is chosen by stratified cross-validation on ROC AUC. With a
``fairness_penalty`` and the groups of protected attributes passed to ``fit``
(measured, never inputs), the fit also pays for the spread of the groups' mean
log-odds (:func:`group_gap`): the path the search for a less discriminatory
scorecard walks (:mod:`.lda`). Bin weights become whole points by PDO scaling,
so the output is an ordinary :class:`ScorecardSpec`: the batch engine, the
single-person evaluator and the reasons use it unchanged, and it needs none of
these libraries to score.

>>> trainer = ScorecardTrainer()          # doctest: +SKIP
>>> trainer.fit(frame.drop(columns="bad"), frame["bad"]).spec_.to_json()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from socialcredit.errors import InputError
from socialcredit.monitoring.impact import MIN_GROUP, group_labels
from socialcredit.records.forbidden import ensure_allowed
from socialcredit.scorecard.binning import MISSING, Binned, Direction, design, fit_bins
from socialcredit.scorecard.metrics import score_bands
from socialcredit.scorecard.scaling import BASE_ODDS, BASE_SCORE, PDO, Scaling
from socialcredit.scorecard.spec import (
    CategoryGroup,
    FeatureSpec,
    ScorecardSpec,
    Training,
    protected_term,
)
from socialcredit.scorecard.tabular import Column, column_from_values, target_values, to_columns
from socialcredit.scorecard.vectorised import score_columns

__all__ = ["DEFAULT_PENALTIES", "Groups", "ScorecardTrainer", "feature_name", "group_gap"]

DEFAULT_PENALTIES = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
Monotone = Literal["increasing", "decreasing", "none"]
_DIRECTIONS: dict[str, Direction] = {"increasing": 1, "decreasing": -1, "none": 0}
#: protected attribute -> each row's group (None: unknown), for measuring only
Groups = Mapping[str, Sequence[Any] | np.ndarray]


def feature_name(column: str) -> str:
    """A spec feature name for a data column: lower snake case, starting with a letter.

    >>> feature_name("Credit Amount (EUR)")
    'credit_amount_eur'
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    name = re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
    return name if name[:1].isalpha() else f"f_{name}"


def _fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    penalty: float,
    bounds: list[tuple[float | None, float | None]],
    start: np.ndarray | None = None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """[intercept, weights] minimising mean log-loss + penalty/2 * |weights|^2
    (+ weights . gap . weights / 2: the fairness penalty) within bounds."""
    rows = len(y)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] + x @ w[1:]
        p = expit(z)
        grad = np.empty_like(w)
        grad[0] = np.sum(p - y) / rows
        grad[1:] = x.T @ (p - y) / rows + penalty * w[1:]
        value = np.sum(np.logaddexp(0.0, z) - y * z) / rows + penalty * np.dot(w[1:], w[1:]) / 2
        if gap is not None:
            spread = gap @ w[1:]
            grad[1:] += spread
            value += np.dot(w[1:], spread) / 2
        return float(value), grad

    if start is None:
        start = np.zeros(x.shape[1] + 1)
        start[0] = np.log(y.mean() / (1 - y.mean()))
    result = minimize(
        loss,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None), *bounds],
        options={"maxiter": 2000},
    )
    return np.asarray(result.x)


def group_gap(x: np.ndarray, groups: Groups) -> np.ndarray:
    """The fairness penalty's matrix: ``w . gap . w`` is, summed over the attributes,
    the size-weighted variance of the groups' mean log-odds ``x . w`` around the
    population's (groups under ``MIN_GROUP`` people left out, as when measuring).

    >>> x = np.array([[1.0], [1.0], [0.0], [0.0]] * 50)
    >>> group_gap(x, {"sex": ["F", "F", "M", "M"] * 50})
    array([[0.25]])
    """
    mean = x.mean(axis=0)
    gap = np.zeros((x.shape[1], x.shape[1]))
    for values in groups.values():
        labels = group_labels(values)
        for group in sorted(set(labels.tolist()) - {""}):
            rows = labels == group
            if rows.sum() >= MIN_GROUP:
                spread = x[rows].mean(axis=0) - mean
                gap += rows.mean() * np.outer(spread, spread)
    return gap


def _bounds(binned: list[Binned]) -> list[tuple[float | None, float | None]]:
    bounds: list[tuple[float | None, float | None]] = []
    for spec in binned:
        if spec.kind == "numeric":
            step: tuple[float | None, float | None] = (
                (0.0, None)
                if spec.direction > 0
                else (None, 0.0)
                if spec.direction < 0
                else (None, None)
            )
            bounds += [step] * len(spec.edges) + [(None, None)]
        else:
            bounds += [(None, None)] * spec.width
    return bounds


def _consented(given: Sequence[str] | None) -> set[str]:
    """Columns read from data a person shares only with consent: ``given``, or by default
    the platform's features of such data (cash flow). Not sharing is worth 0 points."""
    if given is not None:
        return set(given)
    from socialcredit.features import FEATURES
    from socialcredit.records import CATEGORIES

    return {name for name, f in FEATURES.items() if CATEGORIES[f.category].consent}


class ScorecardTrainer(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Fit a points scorecard to a 0/1 outcome (1 = bad).

    Parameters mirror the CLI (``socialcredit model fit --help``). Fitted
    attributes end in ``_``: ``spec_`` (the scorecard), ``features_`` (data
    columns used), ``excluded_`` (column -> why it was left out), ``penalty_``,
    ``cv_auc_``, ``bins_``, ``intercept_``, ``classes_``, ``feature_names_in_``.
    ``score`` returns ROC AUC, the measure scorecards are judged by.
    """

    def __init__(
        self,
        *,
        version: str | None = None,
        pdo: float = PDO,
        base_score: int = BASE_SCORE,
        base_odds: float = BASE_ODDS,
        max_bins: int = 20,
        min_share: float = 0.02,
        monotone: Literal["auto", "off"] = "auto",
        directions: Mapping[str, Monotone] | None = None,
        penalties: Sequence[float] = DEFAULT_PENALTIES,
        cv: int = 5,
        dimension_map: Mapping[str, str] | None = None,
        default_dimension: str = "general",
        exclude: Sequence[str] = (),
        fixed: Sequence[str] = (),
        exclude_protected: bool = True,
        fairness_penalty: float = 0.0,
        random_state: int = 0,
        consented: Sequence[str] | None = None,
    ) -> None:
        self.version = version
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.max_bins = max_bins
        self.min_share = min_share
        self.monotone = monotone
        self.directions = directions
        self.penalties = penalties
        self.cv = cv
        self.dimension_map = dimension_map
        self.default_dimension = default_dimension
        self.exclude = exclude
        self.fixed = fixed
        self.exclude_protected = exclude_protected
        self.fairness_penalty = fairness_penalty
        self.random_state = random_state
        self.consented = consented

    # -- fitting -------------------------------------------------------------------------

    def _select(
        self, columns: dict[str, Column], measured: Groups
    ) -> tuple[list[str], dict[str, str]]:
        used, excluded = [], {}
        for name, column in columns.items():
            ensure_allowed(name, what="training column")
            term = protected_term(name)
            if name in measured:
                excluded[name] = "a group measured for fairness, never an input"
            elif name in self.exclude:
                excluded[name] = "excluded on request"
            elif term is not None and self.exclude_protected:
                excluded[name] = f"protected attribute ({term}): fairness monitoring only"
            elif column.kind == "numeric" and np.all(np.isnan(column.values)):
                excluded[name] = "no values"
            elif len({v for v in column.values.tolist() if v == v and v is not None}) < 2:
                excluded[name] = "a single value"
            elif column.kind == "categorical" and len(set(column.values.tolist())) > 0.5 * len(
                column
            ):
                excluded[name] = "an identifier (mostly distinct values), not a feature"
            else:
                used.append(name)
        unknown = set(self.directions or {}) - set(columns)
        if unknown:
            raise InputError(f"directions name unknown column(s): {', '.join(sorted(unknown))}")
        if not used:
            raise InputError("no usable feature column left after exclusions: " + repr(excluded))
        return used, excluded

    def _bins(self, columns: dict[str, Column], used: list[str], y: np.ndarray) -> list[Binned]:
        binned = []
        for name in used:
            forced = (self.directions or {}).get(name)
            if forced is not None and forced not in _DIRECTIONS:
                raise InputError(f"direction for {name!r} must be increasing, decreasing or none")
            direction: Direction | None = (
                _DIRECTIONS[forced]
                if forced is not None
                else (0 if self.monotone == "off" else None)
            )
            binned.append(
                fit_bins(
                    columns[name],
                    y,
                    max_bins=self.max_bins,
                    min_share=self.min_share,
                    direction=direction,
                )
            )
        return binned

    def _gap(
        self, x: np.ndarray, groups: Groups, rows: np.ndarray | None = None
    ) -> np.ndarray | None:
        if not self.fairness_penalty:
            return None
        chosen = groups if rows is None else {k: np.asarray(v)[rows] for k, v in groups.items()}
        return self.fairness_penalty * group_gap(x, chosen)

    def _choose_penalty(
        self, columns: dict[str, Column], used: list[str], y: np.ndarray, groups: Groups
    ) -> tuple[float, float]:
        penalties = sorted(self.penalties, reverse=True)
        if len(penalties) == 1 or self.cv < 2:
            return penalties[0], float("nan")
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        scores = np.zeros(len(penalties))
        for train_rows, test_rows in folds.split(np.zeros(len(y)), y):
            part = {name: columns[name].take(train_rows) for name in used}
            held = {name: columns[name].take(test_rows) for name in used}
            binned = self._bins(part, used, y[train_rows])
            x_train, x_test = design(binned, part), design(binned, held)
            gap = self._gap(x_train, groups, train_rows)
            start = None
            for i, penalty in enumerate(penalties):  # strongest first; warm starts
                start = _fit_logistic(x_train, y[train_rows], penalty, _bounds(binned), start, gap)
                scores[i] += roc_auc_score(y[test_rows], x_test @ start[1:]) / self.cv
        best = int(np.argmax(scores))
        return penalties[best], float(scores[best])

    def fit(self, X: Any, y: Any, groups: Groups | None = None) -> ScorecardTrainer:  # noqa: N803 (scikit-learn convention)
        """Fit to ``X`` and ``y``; ``groups`` (protected attribute -> each row's group)
        only feed the fairness penalty and are never inputs: a column of ``X`` named
        like one is left out."""
        columns = to_columns(X)
        target = target_values(_from_target(y))
        rows = len(next(iter(columns.values())))
        if len(target) != rows:
            raise InputError("X and y have different numbers of rows")
        measured = dict(groups or {})
        for attribute, values in measured.items():
            if len(values) != rows:
                raise InputError(f"groups of {attribute!r} have {len(values)} rows; X has {rows}")
        if self.fairness_penalty < 0 or (self.fairness_penalty and not measured):
            raise InputError(
                "a fairness penalty must be at least 0, and needs the groups to measure "
                f"(got {self.fairness_penalty} with groups {sorted(measured) or 'none'})"
            )
        used, excluded = self._select(columns, measured)
        self.penalty_, self.cv_auc_ = self._choose_penalty(columns, used, target, measured)
        self.bins_ = self._bins(columns, used, target)
        x = design(self.bins_, columns)
        weights = _fit_logistic(
            x, target, self.penalty_, _bounds(self.bins_), gap=self._gap(x, measured)
        )
        self.intercept_ = float(weights[0])
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.asarray(list(columns), dtype=object)
        self.n_features_in_ = len(columns)
        self.target_ = str(getattr(y, "name", None) or "target")
        self.spec_ = self._to_spec(columns, target, weights[1:], excluded)
        self.features_ = [f.column for f in self.spec_.features]
        self.excluded_ = dict(self.spec_.training.excluded) if self.spec_.training else {}
        return self

    # -- from weights to points --------------------------------------------------------

    def _scaling(self) -> Scaling:
        return Scaling(pdo=self.pdo, base_score=self.base_score, base_odds=self.base_odds)

    def _to_spec(
        self,
        columns: dict[str, Column],
        y: np.ndarray,
        weights: np.ndarray,
        excluded: dict[str, str],
    ) -> ScorecardSpec:
        scaling = self._scaling()
        features: list[FeatureSpec] = []
        offset = 0
        shift_total = 0.0
        taken: set[str] = set()
        for spec in self.bins_:
            block, offset = weights[offset : offset + spec.width], offset + spec.width
            x = design([spec], {spec.name: columns[spec.name]})
            # Centre each feature on its training mean: 0 points = an average value,
            # which is also what a value never seen in training (e.g. missing) gets.
            mean = float(np.mean(x @ block))
            shift_total += mean
            feature = self._feature(spec, block, mean, scaling, taken)
            if feature is None:
                excluded[spec.name] = "no effect after fitting"
                continue
            features.append(feature)
        base = round(scaling.offset - scaling.factor * (self.intercept_ + shift_total))
        dimensions = tuple(dict.fromkeys(f.dimension for f in features))
        draft = ScorecardSpec(
            version="draft",
            scaling=scaling,
            base_points=base,
            dimensions=dimensions,
            features=tuple(features),
        )
        scores = score_columns(draft, {f.column: columns[f.column].values for f in features})
        training = Training(
            rows=len(y),
            bad_rate=round(float(y.mean()), 6),
            target=self.target_,
            penalty=self.penalty_,
            auc=round(float(roc_auc_score(y, -scores)), 6),
            bands=score_bands(scores),
            excluded=excluded,
        )
        content = draft.model_copy(update={"training": training}).to_json()
        version = self.version or "trained-" + hashlib.sha256(content.encode()).hexdigest()[:12]
        return draft.model_copy(
            update={
                "version": version,
                "training": training,
                "description": "Trained scorecard: fine bins, "
                "ridge-penalised logistic regression, PDO scaling.",
            }
        )

    def _feature(
        self, spec: Binned, block: np.ndarray, mean: float, scaling: Scaling, taken: set[str]
    ) -> FeatureSpec | None:
        name = feature_name(spec.name)
        while name in taken:
            name += "_"
        taken.add(name)
        dimension = (self.dimension_map or {}).get(spec.name, self.default_dimension)
        # data shared with consent: not sharing is worth 0 points, whatever it predicted
        consented = spec.name in _consented(self.consented)
        common: dict[str, Any] = {
            "name": name,
            "dimension": dimension,
            "label": spec.name,
            "source": None if name == spec.name else spec.name,
            "actionable": spec.name not in self.fixed,
            "consented": consented,
        }
        if spec.kind == "numeric":
            steps = block[: len(spec.edges)]
            contributions = np.concatenate([[0.0], np.cumsum(steps)]) - mean
            points = [scaling.points(-c) for c in contributions]
            has_missing = spec.has_missing and not consented
            missing = scaling.points(-(block[-1] - mean)) if has_missing else 0
            edges, kept = _merge_equal(list(spec.edges), points)
            if len(set(kept)) == 1 and (not has_missing or missing == kept[0]):
                return None
            return FeatureSpec(
                kind="numeric",
                edges=tuple(edges),
                points=tuple(kept),
                missing_points=missing,
                **common,
            )
        level_points = {
            level: scaling.points(-(w - mean))
            for level, w in zip(spec.levels, block[:-1], strict=True)
        }
        other = scaling.points(-(block[-1] - mean))
        missing = level_points.pop(MISSING, other)
        if consented:
            missing = 0
        if not level_points or len(set(level_points.values()) | {other, missing}) == 1:
            return None
        groups: dict[int, list[str]] = {}
        for level, value in level_points.items():
            groups.setdefault(value, []).append(level)
        return FeatureSpec(
            kind="categorical",
            groups=tuple(
                CategoryGroup(values=tuple(sorted(v)), points=p)
                for p, v in sorted(groups.items(), reverse=True)
            ),
            other_points=other,
            missing_points=missing,
            **common,
        )

    # -- using the fitted scorecard ----------------------------------------------------

    def decision_function(self, X: Any) -> np.ndarray:  # noqa: N803
        """Scores (350-950; higher = lower risk)."""
        columns = to_columns(X)
        return score_columns(self.spec_, {k: v.values for k, v in columns.items()})

    def predict_proba(self, X: Any) -> np.ndarray:  # noqa: N803
        """[P(good), P(bad)] per row, from the score through the scaling."""
        scaling = self.spec_.scaling
        log_odds_good = (self.decision_function(X) - scaling.offset) / scaling.factor
        bad = expit(-log_odds_good)
        return np.column_stack([1 - bad, bad])

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:  # noqa: N803
        """ROC AUC of the scores against ``y`` (1 = bad)."""
        target = target_values(_from_target(y))
        return float(roc_auc_score(target, -self.decision_function(X), sample_weight=sample_weight))


def _from_target(y: Any) -> Column:
    return column_from_values("target", np.asarray(y))


def _merge_equal(edges: list[float], points: list[int]) -> tuple[list[float], list[int]]:
    """Drop edges between bins with the same points: same scores, a shorter spec."""
    kept_edges: list[float] = []
    kept_points = [points[0]]
    for edge, value in zip(edges, points[1:], strict=True):
        if value != kept_points[-1]:
            kept_edges.append(edge)
            kept_points.append(value)
    return kept_edges, kept_points
