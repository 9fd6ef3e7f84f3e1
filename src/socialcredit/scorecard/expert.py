"""The expert default scorecard: works with no outcome data.

Each bin carries an expert's judgement in log-odds of a good outcome against
an average file (positive = better); PDO scaling turns it into points. The
shipped ``default_scorecard.json`` is this table compiled; a test rebuilds it,
so the table below is the single source.

The judgements follow common credit-bureau practice: recent and severe
delinquency weighs most, then defaults and open enforcement, then history
length and verified stability. Enforcement where the court found the person
unable (rather than unwilling) to pay weighs about half.

Cash flow is data a person chooses to share: its features are ``consented`` (no
value is worth 0 points and is never a reason), and its bins sit around 0 for an
ordinary account, so sharing moves a score by what the months show, either way.

Guarantees only ever cost points, and only for what is wrong: a call left unpaid
weighs like a severe delinquency of one's own, a principal overdue or a call further
along the chain less, the amount outstanding and a guarantee circle least. Someone
who signed nothing, or whose guarantees are in order, gets 0 points from them.

The table as the expert wrote it is :data:`JUDGEMENT_VERSION` (:func:`judgement`).
The shipped version scales the points of the features in :data:`FAIRNESS_FACTORS`:
the less discriminatory alternative the search (:mod:`.lda`) chose over the
judgement, because years at an address and with a phone number favour older
people for reasons other than risk (docs/scoring.md, "A less discriminatory default").
"""

from __future__ import annotations

from importlib import resources

from socialcredit.scorecard.scaling import BASE_ODDS, BASE_SCORE, PDO, Scaling
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec

__all__ = [
    "EXPERT",
    "FAIRNESS_FACTORS",
    "JUDGEMENT_VERSION",
    "VERSION",
    "build",
    "default_spec",
    "judgement",
]

VERSION = "expert-2026.3"
#: the expert's table alone, before the fairness adjustment (the default before VERSION)
JUDGEMENT_VERSION = "expert-2026.2"
#: feature -> factor on its points: the alternative chosen from the frontier of AUC
#: against worst adverse impact ratio over JUDGEMENT_VERSION on the synthetic nation
FAIRNESS_FACTORS = {"pc_years_at_address": 0.25, "pc_phone_tenure_years": 0.25}
DIMENSIONS = ("credit_history", "fulfilment", "characteristics", "cash_flow", "guarantees")
SCALING = Scaling(pdo=PDO, base_score=BASE_SCORE, base_odds=BASE_ODDS)
#: log-odds of a file with every feature at its neutral value
INTERCEPT = 2.5

#: feature -> (dimension, edges, log-odds per bin, log-odds when missing)
EXPERT: dict[str, tuple[str, tuple[float, ...], tuple[float, ...], float]] = {
    "ch_on_time_share": ("credit_history", (0.5, 0.75, 0.9), (-1.0, -0.5, -0.1, 0.2), 0.0),
    "ch_worst_days_late_24m": (
        "credit_history",
        (1, 30, 60, 90),
        (0.25, 0.1, -0.5, -0.9, -1.3),
        0.0,
    ),
    "ch_late30_count_36m": ("credit_history", (1, 2, 4), (0.1, -0.3, -0.6, -1.0), 0.0),
    "ch_months_since_late30": (
        "credit_history",
        (6, 12, 24, 36),
        (-0.4, -0.25, -0.15, -0.05, 0.0),
        0.1,
    ),
    "ch_history_months": ("credit_history", (6, 12, 24, 36), (-0.6, -0.3, 0.0, 0.15, 0.3), -0.6),
    "ch_amount_overdue": ("credit_history", (0.01, 500, 5000), (0.2, -0.4, -0.8, -1.2), 0.0),
    "fu_fulfilled_share": ("fulfilment", (0.8, 0.95, 0.999), (-0.4, -0.15, 0.0, 0.1), 0.0),
    "fu_breaches_24m": ("fulfilment", (1, 2, 4), (0.1, -0.3, -0.6, -1.0), 0.0),
    "fu_defaults": ("fulfilment", (1, 2), (0.1, -0.6, -1.0), 0.0),
    "fu_amount_outstanding": ("fulfilment", (0.01, 1000, 10000), (0.1, -0.2, -0.4, -0.6), 0.0),
    "fu_enforcement_refused": ("fulfilment", (1, 2), (0.1, -1.6, -2.2), 0.0),
    "fu_enforcement_unable": ("fulfilment", (1, 2), (0.05, -0.8, -1.1), 0.0),
    "fu_penalties_24m": ("fulfilment", (1, 2), (0.05, -0.3, -0.6), 0.0),
    "pc_identity_verified": ("characteristics", (0.5,), (-0.3, 0.15), -0.1),
    "pc_years_at_address": ("characteristics", (1, 3, 5), (-0.3, -0.1, 0.1, 0.25), -0.1),
    "pc_phone_tenure_years": ("characteristics", (1, 3, 5), (-0.3, -0.05, 0.1, 0.2), -0.1),
    "pc_employment_verified": ("characteristics", (0.5,), (-0.2, 0.25), 0.0),
    "cf_income_regularity": ("cash_flow", (0.5, 0.75, 0.95), (-0.35, -0.15, 0.0, 0.15), 0.0),
    "cf_buffer_months": ("cash_flow", (0.25, 1, 3), (-0.3, -0.05, 0.1, 0.25), 0.0),
    "cf_overdrafts_3m": ("cash_flow", (1, 2, 4), (0.1, -0.3, -0.5, -0.8), 0.0),
    "cf_overdrafts_6m": ("cash_flow", (1, 3, 6), (0.05, -0.15, -0.3, -0.5), 0.0),
    "cf_overdrafts_12m": ("cash_flow", (1, 4, 8), (0.1, -0.1, -0.25, -0.4), 0.0),
    "cf_bills_on_time_share": ("cash_flow", (0.8, 0.95, 0.999), (-0.4, -0.15, 0.0, 0.1), 0.0),
    "gu_outstanding": ("guarantees", (0.01, 100_000, 300_000), (0.0, -0.05, -0.15, -0.3), 0.0),
    "gu_overdue": ("guarantees", (1, 2), (0.0, -0.4, -0.7), 0.0),
    "gu_called_unpaid": ("guarantees", (0.01, 10_000, 50_000), (0.0, -0.7, -1.0, -1.3), 0.0),
    "gu_chain_exposure": ("guarantees", (0.01, 5_000, 50_000), (0.0, -0.15, -0.3, -0.45), 0.0),
    "gu_circle_size": ("guarantees", (2, 5), (0.0, -0.25, -0.4), 0.0),
}


def build() -> ScorecardSpec:
    """The shipped default: :func:`judgement` with :data:`FAIRNESS_FACTORS` applied."""
    from socialcredit.scorecard.lda import shrink_points  # heavy; only building needs it

    adjusted = shrink_points(judgement(), FAIRNESS_FACTORS, version=VERSION)
    return adjusted.model_copy(
        update={
            "description": "Expert default scorecard: credit history, fulfilment capacity, "
            "personal characteristics, cash flow shared with consent and guarantees, from "
            "judgement in log-odds, PDO 50 at 600 = 20:1; years at an address and with a "
            f"phone number at a quarter of {JUDGEMENT_VERSION}'s points (fewer points for "
            "age alone)."
        }
    )


def judgement() -> ScorecardSpec:
    """Compile :data:`EXPERT` into a spec with whole points (:data:`JUDGEMENT_VERSION`)."""
    from socialcredit.features import FEATURES
    from socialcredit.records import CATEGORIES
    from socialcredit.scorecard.improve import ACTIONS

    features = tuple(
        FeatureSpec(
            name=name,
            dimension=dimension,
            edges=tuple(float(e) for e in edges),
            points=tuple(SCALING.points(w) for w in weights),
            missing_points=SCALING.points(missing),
            label=FEATURES[name].label,
            actionable=name in ACTIONS,
            consented=bool(CATEGORIES[FEATURES[name].category].consent),
        )
        for name, (dimension, edges, weights, missing) in EXPERT.items()
    )
    return ScorecardSpec(
        version=JUDGEMENT_VERSION,
        description="Expert default scorecard: credit history, fulfilment capacity, "
        "personal characteristics and cash flow shared with consent, from judgement in "
        "log-odds, PDO 50 at 600 = 20:1.",
        scaling=SCALING,
        base_points=round(SCALING.offset + SCALING.factor * INTERCEPT),
        dimensions=DIMENSIONS,
        features=features,
    )


def default_spec() -> ScorecardSpec:
    """The shipped default scorecard (``default_scorecard.json``)."""
    text = resources.files("socialcredit.scorecard").joinpath("default_scorecard.json")
    return ScorecardSpec.from_json(text.read_text(encoding="utf-8"))
