"""Credit decisions: a versioned credit policy maps a published score to approve,
refer or decline with terms, for credit products only; adverse outcomes carry
their reasons and a right to human review."""

from socialcredit.decisions.decide import Decision, decide
from socialcredit.decisions.policy import (
    ACTIONS,
    CreditPolicy,
    default_policy,
    parse_policy,
)

__all__ = ["ACTIONS", "CreditPolicy", "Decision", "decide", "default_policy", "parse_policy"]
