"""Credit policies: credit products only, every term within bounds (prices too),
rates that never rise with the score, and versions whose content never changes."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from socialcredit.decisions.policy import (
    ACTIONS,
    TERMS,
    CreditPolicy,
    approval_cutoffs,
    default_policy,
    parse_policy,
)
from socialcredit.errors import InputError

#: Every default policy the package has shipped, by version, and the SHA-256 of its
#: content. A store keeps the version it published; a changed default needs a new
#: version (and a line here), or stores and decisions would name one version for two
#: policies.
SHIPPED = {
    "credit-default-1": "6f81bf92e5ef4a2d3b8d15fb2b859c4e5cc680af40613504d905952b141b876a",
    "credit-default-2": "36fa3ad48b2b3eed2a7325ac6af29c5121b999039161bce7eb23d6e73fbeac77",
}
FIRST_DEFAULT = Path(__file__).with_name("credit-default-1.json")


def _digest(policy: CreditPolicy) -> str:
    canonical = json.dumps(policy.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _spec(**actions: Any) -> dict[str, Any]:
    return {"version": "test-1", "actions": actions}


def _rule(*bands: dict[str, Any]) -> dict[str, Any]:
    return {"bands": [*bands, {"min_score": 350, "outcome": "decline"}]}


def test_the_packaged_default_is_a_shipped_version_unchanged() -> None:
    policy = default_policy()
    assert policy.version in SHIPPED, "a changed default policy needs a new version"
    assert _digest(policy) == SHIPPED[policy.version], (
        f"default_policy.json changed but still says {policy.version}; give it a new version"
    )
    first = parse_policy(FIRST_DEFAULT.read_text(encoding="utf-8"))
    assert _digest(first) == SHIPPED["credit-default-1"], "stores holding it still load it"
    assert policy.version != first.version


def test_the_default_decides_deposit_waivers() -> None:
    policy = default_policy()
    assert policy.purposes("deposit_waiver") == ("deposit_waiver_application",)
    rule = policy.actions["deposit_waiver"]
    approving = [band for band in rule.bands if band.outcome == "approve"]
    assert approving
    assert all(band.terms["max_waived_cny"] > 0 for band in approving)
    waived = [band.terms["max_waived_cny"] for band in approving]
    assert waived == sorted(waived, reverse=True), "a higher band waives at least as much"
    assert approval_cutoffs(policy)["deposit_waiver"] == min(b.min_score for b in approving)


def test_every_action_may_set_a_fee_and_credit_accounts_a_rate() -> None:
    for action in ACTIONS.values():
        assert "fee_cny" in action.terms
        assert set(action.terms) <= set(TERMS)
    for name in ("loan", "credit_card", "credit_line_increase"):
        assert "annual_rate_pct" in ACTIONS[name].terms


def test_prices_are_terms_of_the_decision() -> None:
    spec = _spec(
        loan=_rule(
            {"min_score": 700, "outcome": "approve", "terms": {"annual_rate_pct": 3.5}},
            {
                "min_score": 600,
                "outcome": "approve",
                "terms": {"annual_rate_pct": 8.0, "fee_cny": 199.5},
            },
        ),
        deposit_waiver=_rule(
            {"min_score": 650, "outcome": "approve", "terms": {"max_waived_cny": 3000}},
            {
                "min_score": 600,
                "outcome": "approve",
                "terms": {"max_waived_cny": 1000, "fee_cny": 15},
            },
        ),
    )
    policy = parse_policy(json.dumps(spec))
    assert policy.actions["loan"].band_for(640).terms == {"annual_rate_pct": 8.0, "fee_cny": 199.5}
    assert policy.actions["deposit_waiver"].band_for(610).terms == {
        "max_waived_cny": 1000,
        "fee_cny": 15,
    }


@pytest.mark.parametrize(
    ("action", "terms", "message"),
    [
        (
            "loan",
            {"annual_rate_pct": -1},
            "loan band from 600: annual_rate_pct -1 is out of bounds",
        ),
        ("loan", {"annual_rate_pct": 39}, "annual_rate_pct 39 is out of bounds; give 0 to 36"),
        ("loan", {"annual_rate_pct": "NaN"}, "annual_rate_pct nan is out of bounds"),
        ("loan", {"fee_cny": -0.01}, "loan band from 600: fee_cny -0.01 is out of bounds"),
        ("credit_card", {"fee_cny": 1e9}, "credit_card band from 600: fee_cny 1e+09"),
        ("loan", {"max_term_months": 12.5}, "max_term_months 12.5 is not a whole number"),
        ("loan", {"max_term_months": 0}, "max_term_months 0 is out of bounds; give 1 to 360"),
        ("deposit_waiver", {"max_waived_cny": -500}, "deposit_waiver band from 600: max_waived"),
        ("deposit_waiver", {"max_waived_cny": 5e6}, "max_waived_cny 5e+06 is out of bounds"),
        ("tenancy", {"deposit_months": 24}, "tenancy band from 600: deposit_months 24"),
        ("deposit_waiver", {"annual_rate_pct": 5}, "not terms of deposit_waiver"),
    ],
)
def test_bad_terms_are_refused_naming_band_and_field(
    action: str, terms: dict[str, Any], message: str
) -> None:
    spec = _spec(**{action: _rule({"min_score": 600, "outcome": "approve", "terms": terms})})
    with pytest.raises(InputError, match="credit policy refused") as refused:
        parse_policy(json.dumps(spec))
    assert message in str(refused.value)


def test_a_higher_band_never_pays_a_higher_rate() -> None:
    rising = _spec(
        loan=_rule(
            {"min_score": 700, "outcome": "approve", "terms": {"annual_rate_pct": 9.9}},
            {"min_score": 650, "outcome": "approve", "terms": {"max_amount_cny": 1000}},
            {"min_score": 600, "outcome": "approve", "terms": {"annual_rate_pct": 5.9}},
        )
    )
    with pytest.raises(InputError, match=r"loan band from 700: annual_rate_pct 9\.9 is higher"):
        parse_policy(json.dumps(rising))
    level = copy.deepcopy(rising)
    level["actions"]["loan"]["bands"][0]["terms"]["annual_rate_pct"] = 5.9
    assert parse_policy(json.dumps(level)).actions["loan"].best().terms["annual_rate_pct"] == 5.9


@pytest.mark.parametrize(
    "action", ["flight_booking", "employment", "school_admission", "dating", "travel", "blacklist"]
)
def test_a_policy_naming_an_action_outside_credit_does_not_load(action: str) -> None:
    band = {"min_score": 600, "outcome": "approve", "terms": {"fee_cny": 10}}
    with pytest.raises(InputError, match=f"action '{action}' is not a credit product"):
        parse_policy(json.dumps(_spec(**{action: _rule(band)})))
    beside = _spec(deposit_waiver=_rule(), **{action: _rule()})
    with pytest.raises(InputError, match="not a credit product"):
        parse_policy(json.dumps(beside))


def test_policies_round_trip_through_json() -> None:
    for policy in (default_policy(), parse_policy(FIRST_DEFAULT.read_text(encoding="utf-8"))):
        assert parse_policy(policy.model_dump_json()) == policy
