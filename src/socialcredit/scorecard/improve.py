"""How to reach the next tier: the fewest changes to actionable features that
lift a person's score over the next tier's lowest score, with the points each
is worth.

Only features marked ``actionable`` are considered: nobody can change their age,
the length of their history or how long ago something happened. Data a person
chooses to share (``consented``) is never advised to someone who did not share it:
sharing is theirs to decide, not a way to a better tier. Taking the
largest gains first gives the fewest changes (each feature changes once); the
last change is then the smallest one that still suffices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from socialcredit.scorecard.evaluate import Value, evaluate, feature_points, is_missing
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec
from socialcredit.scorecard.tiers import TIERS

__all__ = ["ACTIONS", "Change", "Plan", "next_tier_plan"]

#: plain-language actions for the platform's own actionable features (English, Chinese)
ACTIONS: dict[str, tuple[str, str]] = {
    "ch_amount_overdue": ("Pay overdue bills", "还清逾期账单"),
    "fu_amount_outstanding": ("Settle contracts in default", "履行未履行的合约"),
    "fu_defaults": ("Settle contracts in default", "履行未履行的合约"),
    "fu_enforcement_refused": ("Resolve open court enforcement cases", "了结未结的执行案件"),
    "fu_enforcement_unable": ("Resolve open court enforcement cases", "了结未结的执行案件"),
    "pc_identity_verified": ("Have your identity verified by a partner", "请合作机构核验身份"),
    "pc_employment_verified": (
        "Have your employment verified by a partner",
        "请合作机构核验工作信息",
    ),
    # Cash flow: how the shared accounts are run, never what to buy or to spend less on.
    "cf_overdrafts_3m": (
        "Keep your shared accounts out of overdraft",
        "保持共享账户不透支",
    ),
    "cf_buffer_months": (
        "Keep a balance in your shared accounts that covers more of a month's outgoings",
        "让共享账户的余额覆盖更多月份的支出",
    ),
    "cf_bills_on_time_share": (
        "Pay recurring bills from your shared accounts on time",
        "按时支付共享账户中的定期账单",
    ),
    # Guarantees: what the person can do about what they signed, never about anyone.
    "gu_called_unpaid": (
        "Pay what lenders called under the guarantees you signed",
        "偿还担保被要求代偿的款项",
    ),
    "gu_overdue": (
        "Bring the overdue loans you guarantee up to date",
        "使您担保的逾期贷款恢复正常还款",
    ),
    "gu_outstanding": (
        "Ask lenders to release guarantees you no longer need to give",
        "请贷款机构解除您不再需要提供的担保",
    ),
}


@dataclass(frozen=True)
class Change:
    feature: str
    label: str
    target: str
    points: int
    en: str
    zh: str


@dataclass(frozen=True)
class Plan:
    score: int
    tier: str
    next_tier: str | None
    needed: int
    reachable: bool
    changes: tuple[Change, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _number(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else str(value)


def _bins(feature: FeatureSpec) -> list[tuple[str, int]]:
    """(description, points) of every bin a value can move to."""
    if feature.kind == "numeric":
        bounds = [-math.inf, *feature.edges, math.inf]
        described = []
        for low, high, points in zip(bounds, bounds[1:], feature.points, strict=False):
            if low == -math.inf:
                text = f"below {_number(high)}"
            elif high == math.inf:
                text = f"{_number(low)} or more"
            else:
                text = f"from {_number(low)} to below {_number(high)}"
            described.append((text, points))
        return described
    return [(" or ".join(group.values), group.points) for group in feature.groups]


def _change(feature: FeatureSpec, target: str, gain: int) -> Change:
    label = feature.label or feature.name
    action = ACTIONS.get(feature.name)
    if action is not None:
        en, zh = f"{action[0]}: +{gain} points", f"{action[1]}：+{gain}分"
    else:
        en = f"Bring {label} to {target}: +{gain} points"
        zh = f"将{label}调整为{target}：+{gain}分"
    return Change(feature.name, label, target, gain, en, zh)


def next_tier_plan(spec: ScorecardSpec, values: Mapping[str, Value]) -> Plan:
    """The fewest actionable changes that reach the next tier (if any can)."""
    scored = evaluate(spec, values)
    above = [t for t in TIERS if t.low > scored.score]
    if not above:
        return Plan(scored.score, scored.tier, None, 0, True, ())
    next_tier, threshold = above[0].id, above[0].low
    unclipped = spec.base_points + sum(scored.points.values())
    needed = threshold - unclipped
    options: list[tuple[int, FeatureSpec, list[tuple[str, int]]]] = []
    for feature in spec.features:
        value = values.get(feature.column)
        if not feature.actionable or (feature.consented and is_missing(value)):
            continue
        current = feature_points(feature, value)
        better = [(text, points - current) for text, points in _bins(feature) if points > current]
        if better:
            options.append((max(gain for _, gain in better), feature, better))
    options.sort(key=lambda option: (-option[0], spec.features.index(option[1])))
    chosen: list[Change] = []
    gained = 0
    for _, feature, better in options:
        if gained >= needed:
            break
        still = needed - gained
        sufficient = [(text, gain) for text, gain in better if gain >= still]
        text, gain = (
            min(sufficient, key=lambda item: item[1])
            if sufficient
            else max(better, key=lambda item: item[1])
        )
        chosen.append(_change(feature, text, gain))
        gained += gain
    return Plan(scored.score, scored.tier, next_tier, needed, gained >= needed, tuple(chosen))
