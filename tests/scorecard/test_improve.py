"""How to reach the next tier: enough points, only actionable features, fewest changes."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings

from socialcredit.scorecard import default_spec, evaluate
from socialcredit.scorecard.evaluate import is_missing
from socialcredit.scorecard.improve import _bins, next_tier_plan
from socialcredit.scorecard.tiers import TIER, TIERS
from tests.utils.scorecards import SPEC, rows


def _apply(values: dict[str, Any], feature: str, target: str) -> dict[str, Any]:
    """A value inside the target bin of ``feature``."""
    spec = SPEC.feature(feature)
    for (text, _), (low, high) in zip(
        _bins(spec), itertools.pairwise([-1e12, *spec.edges, 1e12]), strict=False
    ):
        if text == target:
            return values | {feature: low if low > -1e12 else high - 1}
    raise AssertionError(target)


@settings(max_examples=150, deadline=None)
@given(rows)
def test_plan_reaches_the_next_tier_with_actionable_changes(values: dict[str, Any]) -> None:
    plan = next_tier_plan(SPEC, values)
    scored = evaluate(SPEC, values)
    assert plan.score == scored.score
    if plan.next_tier is None:
        assert scored.tier == TIERS[-1].id
        return
    assert all(SPEC.feature(c.feature).actionable for c in plan.changes)
    after = dict(values)
    for change in plan.changes:
        after = _apply(after, change.feature, change.target)
    threshold = TIER[plan.next_tier].low
    if plan.reachable:
        assert evaluate(SPEC, after).score >= threshold
        # fewest changes: no smaller set of actionable features gains enough
        gains = sorted(
            (
                max(p for _, p in _bins(f)) - evaluate(SPEC, values).points[f.name]
                for f in SPEC.features
                # consented data not shared is never advised
                if f.actionable and not (f.consented and is_missing(values.get(f.column)))
            ),
            reverse=True,
        )
        assert sum(gains[: len(plan.changes) - 1]) < plan.needed
    else:
        assert sum(c.points for c in plan.changes) < plan.needed


def test_history_and_tenure_are_never_advised() -> None:
    fixed = {f.name for f in default_spec().features if not f.actionable}
    assert {"ch_history_months", "pc_years_at_address", "ch_months_since_late30"} <= fixed
    assert {"ch_amount_overdue", "pc_employment_verified"} <= {
        f.name for f in default_spec().features if f.actionable
    }


@settings(max_examples=100, deadline=None)
@given(rows)
def test_unshared_cash_flow_is_never_advised_nor_a_reason(values: dict[str, Any]) -> None:
    """Sharing is the person's choice: without cash-flow data the plan never asks for it
    and no reason names it; with it, its features can be both."""
    consented = {f.name for f in SPEC.features if f.consented}
    assert consented, "the default scorecard reads cash flow shared with consent"
    unshared = values | dict.fromkeys(consented)
    plan = next_tier_plan(SPEC, unshared)
    assert not {c.feature for c in plan.changes} & consented
    assert not {r.feature for r in evaluate(SPEC, unshared).reasons} & consented
    assert (
        evaluate(SPEC, unshared).score
        == evaluate(
            SPEC.model_copy(
                update={"features": tuple(f for f in SPEC.features if not f.consented)}
            ),
            unshared,
        ).score
    )


def test_shared_cash_flow_is_advised_without_naming_what_to_buy() -> None:
    worst = {f.name: 0.0 for f in SPEC.features} | {
        "cf_overdrafts_3m": 9.0,
        "cf_buffer_months": -1.0,
        "cf_bills_on_time_share": 0.5,
    }
    plan = next_tier_plan(SPEC, worst)
    advised = {c.feature: c for c in plan.changes}
    assert "cf_overdrafts_3m" in advised, plan
    for change in plan.changes:
        for word in ("spend", "buy", "purchase", "less on"):
            assert word not in change.en.lower(), change.en
