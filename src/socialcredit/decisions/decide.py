"""One credit decision from a published score and the live policy: pure, no I/O.

Three rules protect people from a machine saying no on too little:

- no published score (a thin file): refer to a person, never decline;
- an open dispute about the person's records: a decline becomes a referral;
- every adverse outcome (a decline, or approval on less than the best terms,
  such as a higher rate) carries its principal reasons and the person's right
  to a human review.

Every decision on a score is explained in its notes, in English then Chinese:
the band the score falls in, its outcome and terms, the best terms the policy
offers, and the principal reasons (:mod:`socialcredit.decisions.explain`).

>>> from socialcredit.decisions.policy import default_policy
>>> d = decide(default_policy(), "loan", score=520, reasons=[], open_disputes=0)
>>> d.outcome, d.adverse
('decline', True)
>>> decide(default_policy(), "loan", score=520, reasons=[], open_disputes=1).outcome
'refer'
>>> decide(default_policy(), "deposit_waiver", score=610, reasons=[], open_disputes=0).terms
{'max_waived_cny': 2000.0, 'fee_cny': 20.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from socialcredit.decisions.explain import CONTESTED, NO_SCORE, explain
from socialcredit.decisions.policy import CreditPolicy

__all__ = ["Decision", "decide"]

REASONS_SHOWN = 4


@dataclass(frozen=True)
class Decision:
    outcome: str
    adverse: bool
    terms: dict[str, float]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def decide(
    policy: CreditPolicy,
    action: str,
    *,
    score: int | None,
    reasons: list[dict[str, Any]],
    open_disputes: int,
) -> Decision:
    """``reasons`` are the published score's ranked reasons (``feature``, ``points_lost``,
    and ``label``/``label_zh`` when known)."""
    rule = policy.actions[action]
    if score is None:
        return Decision("refer", False, {}, notes=list(NO_SCORE))
    band = rule.band_for(score)
    outcome = band.outcome
    contested = outcome == "decline" and open_disputes > 0
    if contested:
        outcome = "refer"
    adverse = outcome == "decline" or (outcome == "approve" and band is not rule.best())
    shown = [r for r in reasons if r.get("points_lost", 0) > 0][:REASONS_SHOWN] if adverse else []
    notes = [*explain(policy, action, score, reasons=shown), *(CONTESTED if contested else ())]
    return Decision(outcome, adverse, dict(band.terms), shown, notes)
