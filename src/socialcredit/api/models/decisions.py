"""Credit decisions, as the partner that asked and the person read them, and the
human reviews people ask for."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from socialcredit.api.auth import PURPOSES
from socialcredit.api.models.base import Body, Public, Term, Timestamp, absent
from socialcredit.decisions import ACTIONS
from socialcredit.decisions.policy import Outcome
from socialcredit.rights.profiles import LEGAL_BASES

__all__ = [
    "DecisionAnswer",
    "DecisionCreate",
    "DecisionPublic",
    "DecisionReason",
    "DecisionsPublic",
    "Overturned",
    "ReviewCreate",
    "ReviewInQueue",
    "ReviewPublic",
    "ReviewQueue",
    "ReviewResolve",
    "ReviewsPublic",
    "Terms",
    "Versions",
]

ReviewStatus = Literal["open", "confirmed", "overturned"]


class DecisionCreate(Body):
    resident_id: str = Field(min_length=1, max_length=40)
    action: str = Field(max_length=50, description=f"one of {', '.join(ACTIONS)}")
    purpose: str = Field(max_length=50, description=f"one of {', '.join(PURPOSES)}")
    legal_basis: str | None = Field(
        default=None,
        max_length=30,
        description=f"eu profile: required, one of {', '.join(LEGAL_BASES)}",
    )


class Terms(Public):
    """The terms of an approving band; each is present only when the policy sets it."""

    max_amount_cny: Term = Field(default=None, description="Loan: the most it lends, CNY")
    max_term_months: Term = Field(default=None, description="Loan: the longest term, months")
    limit_cny: Term = Field(default=None, description="Credit card: the limit, CNY")
    max_increase_cny: Term = Field(
        default=None, description="Credit line increase: the most it adds, CNY"
    )
    deposit_months: Term = Field(default=None, description="Tenancy: deposit, months of rent")
    max_waived_cny: Term = Field(
        default=None, description="Deposit waiver: the most deposit waived, CNY"
    )
    annual_rate_pct: Term = Field(default=None, description="The price: percent a year")
    fee_cny: Term = Field(default=None, description="The price: a one-off fee, CNY")


class DecisionReason(Public):
    """A principal reason of an adverse decision: a feature that cost points."""

    feature: str
    points_lost: int
    label: str | None = Field(
        default=None, exclude_if=absent, description="The feature in plain words (English)"
    )
    label_zh: str | None = Field(
        default=None, exclude_if=absent, description="The feature in plain words (Chinese)"
    )


class Versions(Public):
    """What the decision was made from: every decision can be reproduced."""

    scorecard: str | None = Field(description="The scorecard of the score (none: no score)")
    policy: str
    score_run: str | None = Field(description="The run of the score (none: no score)")


class DecisionAnswer(Public):
    """The answer to a partner's request: the decision, its terms, the principal reasons
    when adverse, and the versions it was made from."""

    decision_id: str
    decision: Outcome
    adverse: bool = Field(
        description="A decline, or an approval on less than the best terms: the person may "
        "ask for a human review"
    )
    terms: Terms
    reasons: list[DecisionReason]
    notes: list[str] = Field(description="Why, in plain words (English, then Chinese)")
    score: int | None = Field(description="The published score (none: a thin file)")
    tier: str | None
    versions: Versions
    rights: str = Field(description="What the person may do about the decision")


class ReviewPublic(Public):
    """A person's request that a human look again at an adverse decision, and its outcome."""

    review_id: str
    decision_id: str
    partner_id: str
    statement: str
    status: ReviewStatus
    requested_at: Timestamp
    deadline: Timestamp
    overdue: bool
    resolved_at: Timestamp | None
    resolution: str | None = Field(description="The reviewer's written reason")


class DecisionPublic(Public):
    """A decision on file, with the outcome of any human review."""

    decision_id: str
    partner_id: str
    action: str
    purpose: str
    legal_basis: str | None
    decision: Outcome
    adverse: bool
    terms: Terms
    reasons: list[DecisionReason]
    notes: list[str]
    score: int | None
    tier: str | None
    versions: Versions
    decided_at: Timestamp
    review: ReviewPublic | None


class DecisionsPublic(Public):
    decisions: list[DecisionPublic]


class ReviewCreate(Body):
    decision_id: str = Field(min_length=1, max_length=32)
    statement: str = Field(
        min_length=1, max_length=4000, description="What the reviewer should know"
    )


class ReviewResolve(Body):
    outcome: Literal["confirm", "overturn"]
    reason: str = Field(min_length=1, max_length=4000, description="Written, shown to the person")


class ReviewsPublic(Public):
    reviews: list[ReviewPublic]


class ReviewInQueue(ReviewPublic):
    """A review in the operators' queue, with the decision's full explanation."""

    decision: DecisionPublic


class Overturned(Public):
    policy_version: str
    action: str
    overturned: int = Field(description="Decisions of this policy and action overturned")


class ReviewQueue(Public):
    reviews: list[ReviewInQueue]
    overturned_by_policy: list[Overturned]
