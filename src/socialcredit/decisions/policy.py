"""Credit policies: what a lender may decide from a person's credit score, and on
which terms. Versioned, published by the operator, read by every decision.

A policy covers credit products only: each action has a fixed set of purposes
and a fixed set of terms. A policy cannot restrict anything outside credit
(jobs, travel, schooling, dating) because no such action or term exists here.
Every term has bounds; prices (``annual_rate_pct``, ``fee_cny``) are terms like
any other, so a better band's subsidised rate is part of the decision and of its
explanation, and a higher band never pays a higher rate.

>>> policy = default_policy()
>>> policy.actions["loan"].band_for(720).outcome
'approve'
>>> policy.actions["loan"].band_for(400).outcome
'decline'
>>> policy.actions["deposit_waiver"].band_for(720).terms
{'max_waived_cny': 10000.0}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcredit.errors import InputError
from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

__all__ = [
    "ACTIONS",
    "TERMS",
    "Action",
    "ActionRule",
    "Band",
    "CreditPolicy",
    "Term",
    "approval_cutoffs",
    "default_policy",
    "parse_policy",
]


@dataclass(frozen=True)
class Term:
    """What a band may set for one term: its bounds and how it reads in a sentence
    (``{}`` is the value)."""

    low: float
    high: float
    unit: str
    en: str
    zh: str
    whole: bool = False


#: Every term a band may set. The bounds catch slips (a rate of 390 for 3.90) and
#: keep prices lawful: 36% a year is the ceiling above which Chinese courts void
#: the interest (and the US Military Lending Act's cap on consumer credit).
TERMS: dict[str, Term] = {
    "max_amount_cny": Term(0, 10_000_000, "CNY", "up to {} CNY", "最高 {} 元"),
    "limit_cny": Term(0, 10_000_000, "CNY", "a limit of {} CNY", "额度 {} 元"),
    "max_increase_cny": Term(0, 10_000_000, "CNY", "an increase of up to {} CNY", "最多提高 {} 元"),
    "max_waived_cny": Term(
        0, 1_000_000, "CNY", "deposits waived up to {} CNY", "免押金额最高 {} 元"
    ),
    "deposit_months": Term(
        0, 12, "months of rent", "a deposit of {} months' rent", "押金 {} 个月租金"
    ),
    "max_term_months": Term(
        1, 360, "months", "a term of up to {} months", "期限最长 {} 个月", whole=True
    ),
    "annual_rate_pct": Term(0, 36, "percent a year", "an annual rate of {}%", "年利率 {}%"),
    "fee_cny": Term(0, 100_000, "CNY", "a fee of {} CNY", "费用 {} 元"),
}


@dataclass(frozen=True)
class Action:
    """A credit product a policy may decide: the purposes a partner may ask it
    for, the terms a band may set, and its name in English and Chinese."""

    purposes: tuple[str, ...]
    terms: tuple[str, ...]
    en: str
    zh: str


ACTIONS: dict[str, Action] = {
    "loan": Action(
        ("credit_application",),
        ("max_amount_cny", "max_term_months", "annual_rate_pct", "fee_cny"),
        "a personal loan",
        "个人贷款",
    ),
    "credit_card": Action(
        ("credit_application",),
        ("limit_cny", "annual_rate_pct", "fee_cny"),
        "a credit card",
        "信用卡",
    ),
    "credit_line_increase": Action(
        ("account_review",),
        ("max_increase_cny", "annual_rate_pct", "fee_cny"),
        "a higher limit on an existing credit account",
        "提高现有信用账户额度",
    ),
    # Rent is a monthly obligation: the landlord extends credit for the month ahead.
    "tenancy": Action(
        ("rental_application",),
        ("deposit_months", "fee_cny"),
        "a rental contract",
        "租赁合同",
    ),
    # A waived deposit is credit too: the rental, car-hire, hotel or equipment
    # provider carries the risk of an unpaid bill that the deposit would have covered.
    "deposit_waiver": Action(
        ("deposit_waiver_application",),
        ("max_waived_cny", "fee_cny"),
        "a deposit waiver",
        "免押金",
    ),
}

Outcome = Literal["approve", "refer", "decline"]


class Band(BaseModel):
    """Scores from ``min_score`` up to the next band: an outcome and its terms."""

    model_config = ConfigDict(extra="forbid")

    min_score: int = Field(ge=MIN_SCORE, le=MAX_SCORE)
    outcome: Outcome
    terms: dict[str, float] = Field(default_factory=dict)


class ActionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bands: list[Band] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _descending(cls, bands: list[Band]) -> list[Band]:
        lows = [band.min_score for band in bands]
        if lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows):
            raise ValueError("bands must be listed from the highest min_score down, no repeats")
        if lows[-1] != MIN_SCORE:
            raise ValueError(
                f"the last band must start at {MIN_SCORE} so that every score has an outcome"
            )
        return bands

    def band_for(self, score: int) -> Band:
        for band in self.bands:
            if score >= band.min_score:
                return band
        return self.bands[-1]

    def best(self) -> Band:
        return self.bands[0]


class CreditPolicy(BaseModel):
    """One version of the credit policy."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    description: str = ""
    actions: dict[str, ActionRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _credit_only(self) -> CreditPolicy:
        for action, rule in self.actions.items():
            if action not in ACTIONS:
                raise ValueError(
                    f"action {action!r} is not a credit product; a policy decides only "
                    f"{', '.join(ACTIONS)}"
                )
            allowed_terms = ACTIONS[action].terms
            for band in rule.bands:
                unknown = sorted(set(band.terms) - set(allowed_terms))
                if unknown:
                    raise ValueError(
                        f"{action}: terms {', '.join(unknown)} are not terms of {action}; "
                        f"allowed: {', '.join(allowed_terms)}"
                    )
                if band.outcome != "approve" and band.terms:
                    raise ValueError(f"{action}: only an approving band carries terms")
                for name, value in band.terms.items():
                    _check_term(action, band, name, value)
            _check_rates(action, rule)
        return self

    def purposes(self, action: str) -> tuple[str, ...]:
        return ACTIONS[action].purposes


def _check_term(action: str, band: Band, name: str, value: float) -> None:
    term = TERMS[name]
    # Written so that NaN fails too.
    if not term.low <= value <= term.high:
        raise ValueError(
            f"{action} band from {band.min_score}: {name} {value:g} is out of bounds; "
            f"give {term.low:g} to {term.high:g} {term.unit}"
        )
    if term.whole and value != int(value):
        raise ValueError(
            f"{action} band from {band.min_score}: {name} {value:g} is not a whole number "
            f"of {term.unit}"
        )


def _check_rates(action: str, rule: ActionRule) -> None:
    """Risk-based pricing runs one way: a band never pays a higher rate than a band
    below it."""
    lower: tuple[int, float] | None = None
    for band in reversed(rule.bands):
        rate = band.terms.get("annual_rate_pct")
        if rate is None:
            continue
        if lower is not None and rate > lower[1]:
            raise ValueError(
                f"{action} band from {band.min_score}: annual_rate_pct {rate:g} is higher "
                f"than the {lower[1]:g} of the band from {lower[0]}; a higher score never "
                "pays a higher rate"
            )
        lower = (band.min_score, rate)


def parse_policy(text: str) -> CreditPolicy:
    """A policy from its JSON text; every problem is an :class:`InputError`."""
    try:
        return CreditPolicy.model_validate_json(text)
    except ValueError as exc:
        raise InputError(f"credit policy refused: {exc}") from exc


def default_policy() -> CreditPolicy:
    """The policy shipped with the package (``default_policy.json``)."""
    text = resources.files("socialcredit.decisions").joinpath("default_policy.json").read_text()
    return CreditPolicy.model_validate(json.loads(text))


def approval_cutoffs(policy: CreditPolicy) -> dict[str, int]:
    """Per action, the lowest score the policy approves automatically (for fairness
    monitoring at the policy's own cut-offs).

    >>> approval_cutoffs(default_policy())["loan"]
    600
    """
    found = {}
    for action, rule in policy.actions.items():
        approving = [band.min_score for band in rule.bands if band.outcome == "approve"]
        if approving:
            found[action] = min(approving)
    return found
