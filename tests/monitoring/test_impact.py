"""Adverse impact from arrays: rates, ratios against the best-treated group,
significance after Bonferroni, groups too small to compare."""

from __future__ import annotations

import math

import numpy as np
import pytest

from socialcredit.monitoring.groups import age_bands
from socialcredit.monitoring.impact import (
    MIN_GROUP,
    GroupRates,
    compare_groups,
    group_rates,
    lowest,
    two_proportion_p,
    worst_significant,
)


def test_rates_and_ratios_are_those_counted_by_hand() -> None:
    scores = np.array([700] * 150 + [600] * 50 + [700] * 60 + [600] * 140)
    sex = ["F"] * 200 + ["M"] * 200
    rates = group_rates(scores, {"sex": sex}, (650,))
    assert [(r.group, r.n, r.rates[650]) for r in rates] == [("F", 200, 0.75), ("M", 200, 0.3)]
    (female, male) = compare_groups(rates, (650,))
    assert female.ratio == 1.0
    assert not female.significant
    assert male.ratio == pytest.approx(0.4)
    assert male.significant
    assert lowest([female, male]) == male == worst_significant([female, male])


def test_the_p_value_is_the_pooled_two_proportion_test() -> None:
    # 30/100 against 50/100: pooled 0.4, z = 0.2 / sqrt(0.4 * 0.6 * 0.02)
    z = 0.2 / math.sqrt(0.4 * 0.6 * 0.02)
    assert two_proportion_p(0.3, 100, 0.5, 100) == pytest.approx(math.erfc(z / math.sqrt(2)))


def test_bonferroni_counts_every_group_at_every_cutoff() -> None:
    """A gap significant alone (p ~ 0.01) is not when 40 comparisons are made."""
    p = two_proportion_p(0.42, 400, 0.51, 400)
    assert 0.005 < p < 0.05
    alone = compare_groups(
        [GroupRates("x", "a", 400, {1: 0.51}), GroupRates("x", "b", 400, {1: 0.42})], (1,)
    )
    assert worst_significant(alone) is not None
    many = [GroupRates("x", "a", 400, dict.fromkeys(range(10), 0.51))] + [
        GroupRates("x", f"g{i}", 400, dict.fromkeys(range(10), 0.42)) for i in range(3)
    ]
    compared = compare_groups(many, tuple(range(10)))
    assert len(compared) == 4 * 10
    assert worst_significant(compared) is None
    assert lowest(compared) is None, "0.42 / 0.51 is above four fifths"
    headline = lowest(compared, threshold=0.9)
    assert headline is not None
    assert headline.ratio == pytest.approx(0.42 / 0.51)
    assert not headline.significant


def test_small_groups_are_neither_best_nor_compared() -> None:
    rates = [
        GroupRates("province", "11", MIN_GROUP - 1, {650: 0.9}),
        GroupRates("province", "31", 500, {650: 0.5}),
        GroupRates("province", "44", 500, {650: 0.25}),
    ]
    compared = compare_groups(rates, (650,))
    assert {c.group for c in compared} == {"31", "44"}
    assert next(c for c in compared if c.group == "44").ratio == 0.5


def test_no_comparison_when_nobody_reaches_the_cutoff() -> None:
    rates = [GroupRates("sex", g, 500, {900: 0.0}) for g in ("F", "M")]
    assert compare_groups(rates, (900,)) == []


def test_unknown_groups_are_left_out() -> None:
    rates = group_rates(np.array([600, 700, 800]), {"sex": ["F", None, float("nan")]}, (650,))
    assert [(r.group, r.n) for r in rates] == [("F", 1)]


def test_age_bands_match_the_report() -> None:
    assert age_bands([17, 18, 29, 29.9, 30, 59, 60, 101]).tolist() == [
        "18-29",  # the report bands an age below 18 with the youngest, as its SQL does
        "18-29",
        "18-29",
        "18-29",
        "30-44",
        "45-59",
        "60+",
        "60+",
    ]


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="2 values for 3 scores"):
        group_rates(np.array([1, 2, 3]), {"sex": ["F", "M"]}, (1,))
