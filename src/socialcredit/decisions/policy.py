"""Credit policies: what a lender may decide from a person's credit score, and on
which terms. Versioned, published by the operator, read by every decision.

A policy covers credit products only: each action has a fixed set of purposes
and a fixed set of terms. A policy cannot restrict anything outside credit
(jobs, travel, schooling, dating) because no such action or term exists here.

>>> policy = default_policy()
>>> policy.actions["loan"].band_for(720).outcome
'approve'
>>> policy.actions["loan"].band_for(400).outcome
'decline'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcredit.errors import InputError
from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

__all__ = [
    "ACTIONS",
    "ActionRule",
    "Band",
    "CreditPolicy",
    "approval_cutoffs",
    "default_policy",
    "parse_policy",
]

#: action -> (purposes it may be asked for, terms a band may set, description)
ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "loan": (
        ("credit_application",),
        ("max_amount_cny", "annual_rate_pct", "max_term_months"),
        "a personal loan",
    ),
    "credit_card": (
        ("credit_application",),
        ("limit_cny", "annual_rate_pct"),
        "a credit card",
    ),
    "credit_line_increase": (
        ("account_review",),
        ("max_increase_cny",),
        "a higher limit on an existing credit account",
    ),
    "tenancy": (
        ("rental_application",),
        ("deposit_months",),
        "a rental contract (rent is a monthly obligation)",
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
            allowed_terms = ACTIONS[action][1]
            for band in rule.bands:
                unknown = sorted(set(band.terms) - set(allowed_terms))
                if unknown:
                    raise ValueError(
                        f"{action}: terms {', '.join(unknown)} are not terms of {action}; "
                        f"allowed: {', '.join(allowed_terms)}"
                    )
                if band.outcome != "approve" and band.terms:
                    raise ValueError(f"{action}: only an approving band carries terms")
        return self

    def purposes(self, action: str) -> tuple[str, ...]:
        return ACTIONS[action][0]


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
