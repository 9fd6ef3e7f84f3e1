from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from socialcredit.scorecard import Scaling


def test_base_score_at_base_odds_and_pdo_doubles() -> None:
    s = Scaling(pdo=50, base_score=600, base_odds=20)
    assert s.score_of_log_odds(math.log(20)) == 600
    assert s.score_of_log_odds(math.log(40)) == 650
    assert s.score_of_log_odds(math.log(10)) == 550


@pytest.mark.parametrize(("log_odds", "score"), [(-100.0, 350), (100.0, 950), (math.inf, 950)])
def test_scores_are_clipped_to_the_scale(log_odds: float, score: int) -> None:
    if math.isinf(log_odds):
        assert Scaling().clip(10**9) == score
    else:
        assert Scaling().score_of_log_odds(log_odds) == score


@given(st.floats(min_value=-50, max_value=50))
def test_every_score_is_within_350_and_950(log_odds: float) -> None:
    assert 350 <= Scaling().score_of_log_odds(log_odds) <= 950


@given(st.floats(min_value=-10, max_value=10), st.floats(min_value=0.001, max_value=5))
def test_more_log_odds_never_lower_the_score(log_odds: float, more: float) -> None:
    s = Scaling()
    assert s.score_of_log_odds(log_odds + more) >= s.score_of_log_odds(log_odds)


def test_round_trip_between_score_and_log_odds() -> None:
    s = Scaling(pdo=40, base_score=650, base_odds=30)
    assert s.score_of_log_odds(s.log_odds_of_score(700)) == 700


def test_bounds_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="must be below"):
        Scaling(min_score=900, max_score=800)
