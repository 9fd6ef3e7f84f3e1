"""One decision from a score and a policy: outcome, terms with their prices, and the
explanation in English and Chinese (band, terms, best terms, principal reasons)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcredit.decisions import decide, default_policy
from socialcredit.decisions.explain import CONTESTED, NO_SCORE, terms_text
from socialcredit.decisions.policy import ACTIONS
from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

REASONS = [
    {
        "feature": "late_30",
        "points_lost": 40,
        "label": "Payments 30+ days late",
        "label_zh": "逾期30天以上",
    },
    {
        "feature": "history",
        "points_lost": 12,
        "label": "Short credit history",
        "label_zh": "信用历史较短",
    },
    {"feature": "best", "points_lost": 0, "label": "Nothing lost", "label_zh": "无"},
]


def _upper(rule: Any, band: Any) -> int:
    above = [b.min_score for b in rule.bands if b.min_score > band.min_score]
    return min(above) - 1 if above else MAX_SCORE


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("score", [MIN_SCORE, 560, 605, 640, 660, 690, 720, MAX_SCORE])
def test_every_decision_on_a_score_is_explained_in_both_languages(action: str, score: int) -> None:
    policy = default_policy()
    rule = policy.actions[action]
    band = rule.band_for(score)
    made = decide(policy, action, score=score, reasons=REASONS, open_disputes=0)
    assert made.outcome == band.outcome
    assert made.terms == band.terms
    en, zh = made.notes
    span = f"{band.min_score}-{_upper(rule, band)}"
    assert f"Score {score} falls in the {span} band of credit policy {policy.version}" in en
    assert (
        f"信用分 {score} 位于信用政策 {policy.version} 中{ACTIONS[action].zh}的 {span} 分段" in zh
    )
    if band.terms:
        assert terms_text(action, band.terms, "en") in en
        assert terms_text(action, band.terms, "zh") in zh
    if made.adverse:
        assert [r["feature"] for r in made.reasons] == ["late_30", "history"]
        assert "Payments 30+ days late; Short credit history" in en
        assert "逾期30天以上；信用历史较短" in zh
    else:
        assert made.reasons == []
        assert "Principal reasons" not in en


def test_a_subsidised_rate_is_a_term_and_a_worse_rate_is_adverse() -> None:
    policy = default_policy()
    best = decide(policy, "loan", score=720, reasons=REASONS, open_disputes=0)
    worse = decide(policy, "loan", score=660, reasons=REASONS, open_disputes=0)
    assert best.terms["annual_rate_pct"] < worse.terms["annual_rate_pct"]
    assert (best.adverse, worse.adverse) == (False, True)
    assert "These are the best terms the policy offers for a personal loan." in best.notes[0]
    rate = f"an annual rate of {best.terms['annual_rate_pct']:g}%"
    assert "The best band starts at 700: " in worse.notes[0]
    assert rate in worse.notes[0], "the person sees the rate a higher score would get"
    assert f"年利率 {worse.terms['annual_rate_pct']:g}%" in worse.notes[1]


def test_deposit_waiver_terms_and_the_cut_off_when_declined() -> None:
    policy = default_policy()
    rule = policy.actions["deposit_waiver"]
    cut = min(b.min_score for b in rule.bands if b.outcome == "approve")
    approved = decide(policy, "deposit_waiver", score=cut, reasons=REASONS, open_disputes=0)
    assert approved.outcome == "approve"
    assert approved.terms["max_waived_cny"] > 0
    assert "deposits waived up to" in approved.notes[0]
    assert "免押金额最高" in approved.notes[1]
    declined = decide(policy, "deposit_waiver", score=cut - 1, reasons=REASONS, open_disputes=0)
    assert (declined.outcome, declined.terms) == ("decline", {})
    assert f"approves a deposit waiver from a score of {cut}" in declined.notes[0]
    assert f"该政策自 {cut} 分起批准免押金" in declined.notes[1]


def test_thin_and_contested_files_are_explained_in_both_languages() -> None:
    policy = default_policy()
    thin = decide(policy, "deposit_waiver", score=None, reasons=REASONS, open_disputes=0)
    assert (thin.outcome, thin.adverse, thin.notes) == ("refer", False, list(NO_SCORE))
    contested = decide(policy, "deposit_waiver", score=400, reasons=REASONS, open_disputes=2)
    assert (contested.outcome, contested.adverse, contested.reasons) == ("refer", False, [])
    assert contested.notes[2:] == list(CONTESTED)
    assert ": decline." in contested.notes[0], "the band's own outcome is still shown"


@given(
    action=st.sampled_from(list(ACTIONS)),
    low=st.integers(MIN_SCORE, MAX_SCORE),
    high=st.integers(MIN_SCORE, MAX_SCORE),
)
def test_a_higher_score_never_pays_a_higher_rate(action: str, low: int, high: int) -> None:
    low, high = sorted((low, high))
    policy = default_policy()
    lower = decide(policy, action, score=low, reasons=[], open_disputes=0).terms
    higher = decide(policy, action, score=high, reasons=[], open_disputes=0).terms
    if "annual_rate_pct" in lower and "annual_rate_pct" in higher:
        assert higher["annual_rate_pct"] <= lower["annual_rate_pct"]
