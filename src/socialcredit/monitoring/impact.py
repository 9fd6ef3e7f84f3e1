"""Adverse impact at score cut-offs: one way to measure it, for the fairness report
of a run and for the search for a less discriminatory scorecard.

For each attribute (sex, age band, province, ...) and each cut-off, a group's
approval rate is the share of its members scoring at or above the cut-off, and its
adverse impact ratio is that rate over the best-treated group's rate. Only groups of
at least ``MIN_GROUP`` people are compared (smaller ones say more about chance than
about the scorecard). Each comparison carries the p-value of a two-proportion z-test
against the best-treated group and is significant when below ``ALPHA`` divided by
the number of comparisons made for that attribute (Bonferroni): with 31 provinces
and five cut-offs some ratios fall below 0.8 by chance alone.

>>> rates = [GroupRates("sex", "F", 2000, {650: 0.5}), GroupRates("sex", "M", 2000, {650: 0.3})]
>>> worst = lowest(compare_groups(rates, (650,)))
>>> worst.group, worst.ratio, worst.significant
('M', 0.6, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ALPHA",
    "FOUR_FIFTHS",
    "MIN_GROUP",
    "Comparison",
    "GroupRates",
    "compare_groups",
    "group_labels",
    "group_rates",
    "lowest",
    "two_proportion_p",
    "worst_significant",
]

FOUR_FIFTHS = 0.8
MIN_GROUP = 100
ALPHA = 0.05


@dataclass(frozen=True)
class GroupRates:
    """One group's size and approval rate at each cut-off."""

    attribute: str
    group: str
    n: int
    rates: Mapping[int, float]


@dataclass(frozen=True)
class Comparison:
    """One group at one cut-off against the best-treated group of its attribute."""

    attribute: str
    group: str
    cutoff: int
    ratio: float
    n: int
    p_value: float
    significant: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "group": self.group,
            "cutoff": self.cutoff,
            "ratio": round(self.ratio, 4),
            "n": self.n,
            "p_value": round(self.p_value, 6),
            "significant": self.significant,
        }


def two_proportion_p(rate: float, n: int, best: float, best_n: int) -> float:
    """Two-sided p-value that two approval rates differ (pooled z-test).

    >>> two_proportion_p(0.5, 100, 0.5, 100)
    1.0
    """
    pooled = (rate * n + best * best_n) / (n + best_n)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / best_n))
    if spread == 0:
        return 1.0
    return math.erfc(abs(best - rate) / spread / math.sqrt(2))


def group_labels(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Each row's group as text; "" where it is unknown (None or NaN).

    >>> group_labels(["F", None, float("nan"), 1]).tolist()
    ['F', '', '', '1']
    """
    return np.asarray(["" if v is None or v != v else str(v) for v in values], dtype=object)


def group_rates(
    scores: np.ndarray, groups: Mapping[str, Sequence[Any] | np.ndarray], cutoffs: Sequence[int]
) -> list[GroupRates]:
    """Sizes and approval rates of every group of every attribute (``None``: no group)."""
    values = np.asarray(scores, dtype=float)
    found = []
    for attribute, labels in groups.items():
        text = group_labels(labels)
        if len(text) != len(values):
            raise ValueError(
                f"attribute {attribute!r} has {len(text)} values for {len(values)} scores"
            )
        for group in sorted(set(text.tolist()) - {""}):
            members = values[text == group]
            found.append(
                GroupRates(
                    attribute,
                    group,
                    len(members),
                    {cut: float(np.mean(members >= cut)) for cut in cutoffs},
                )
            )
    return found


def _best(rates: Sequence[GroupRates], cut: int) -> GroupRates | None:
    """The best-treated group at ``cut`` (the first, on a tie)."""
    return max(rates, key=lambda r: r.rates[cut], default=None)


def compare_groups(rates: Sequence[GroupRates], cutoffs: Sequence[int]) -> list[Comparison]:
    """Every eligible group (at least ``MIN_GROUP`` people) at every cut-off against the
    best-treated eligible group of its attribute, with significance after Bonferroni."""
    comparisons = []
    for attribute in dict.fromkeys(r.attribute for r in rates):
        eligible = [r for r in rates if r.attribute == attribute and r.n >= MIN_GROUP]
        alpha = ALPHA / max(1, len(eligible) * len(cutoffs))
        tops = {cut: _best(eligible, cut) for cut in cutoffs}
        for row in eligible:
            for cut, top in tops.items():
                if top is None or top.rates[cut] <= 0:
                    continue
                rate, best = row.rates[cut], top.rates[cut]
                p_value = two_proportion_p(rate, row.n, best, top.n)
                comparisons.append(
                    Comparison(
                        attribute, row.group, cut, rate / best, row.n, p_value, p_value < alpha
                    )
                )
    return comparisons


def lowest(comparisons: Sequence[Comparison], threshold: float = FOUR_FIFTHS) -> Comparison | None:
    """The fairness report's headline: of the ratios below ``threshold``, the lowest
    significant one, or the lowest when none is significant (None: none below)."""
    below = [c for c in comparisons if c.ratio < threshold]
    significant = [c for c in below if c.significant]
    return min(significant or below, key=lambda c: c.ratio, default=None)


def worst_significant(comparisons: Sequence[Comparison]) -> Comparison | None:
    """The lowest ratio whose gap to the best-treated group is significant (None: no
    group's rate differs significantly from the best's)."""
    return min((c for c in comparisons if c.significant), key=lambda c: c.ratio, default=None)
