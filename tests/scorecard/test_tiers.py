"""The tier table: one place, covering the score range, the same in Python and SQL."""

from __future__ import annotations

import itertools

import duckdb

from socialcredit.scorecard import MAX_SCORE, MIN_SCORE, TIER, TIERS, tier_of
from socialcredit.scorecard.tiers import tier_sql


def test_the_documented_range_and_cut_offs() -> None:
    assert (MIN_SCORE, MAX_SCORE) == (350, 950)
    assert [(t.id, t.low, t.high) for t in TIERS] == [
        ("poor", 350, 549),
        ("fair", 550, 599),
        ("good", 600, 649),
        ("very_good", 650, 699),
        ("excellent", 700, 950),
    ]


def test_tiers_cover_the_range_without_gaps_or_overlaps() -> None:
    assert TIERS[0].low == MIN_SCORE
    assert TIERS[-1].high == MAX_SCORE
    for below, above in itertools.pairwise(TIERS):
        assert below.low <= below.high
        assert above.low == below.high + 1
    assert list(TIER) == [t.id for t in TIERS]


def test_every_score_is_in_the_tier_whose_bounds_hold_it() -> None:
    for score in range(MIN_SCORE, MAX_SCORE + 1):
        tier = TIER[tier_of(score)]
        assert tier.low <= score <= tier.high


def test_the_engine_expression_agrees_with_python_at_every_score() -> None:
    rows = duckdb.sql(
        f"SELECT s, {tier_sql('s')} AS tier FROM range({MIN_SCORE}, {MAX_SCORE + 1}) t(s)"
    ).fetchall()
    assert len(rows) == MAX_SCORE - MIN_SCORE + 1
    assert all(tier == tier_of(score) for score, tier in rows)
