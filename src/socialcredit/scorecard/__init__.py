"""Scorecards: spec (data), compile (engine SQL), evaluate (one subject), expert default."""

from socialcredit.scorecard.compile import points_sql, score_sql
from socialcredit.scorecard.evaluate import MAX_REASONS, Reason, Scored, evaluate
from socialcredit.scorecard.expert import default_spec
from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE, Scaling
from socialcredit.scorecard.spec import CategoryGroup, FeatureSpec, ScorecardSpec, load_spec
from socialcredit.scorecard.tiers import TIER, TIERS, Tier, tier_of

__all__ = [
    "MAX_REASONS",
    "MAX_SCORE",
    "MIN_SCORE",
    "TIER",
    "TIERS",
    "CategoryGroup",
    "FeatureSpec",
    "Reason",
    "Scaling",
    "ScorecardSpec",
    "Scored",
    "Tier",
    "default_spec",
    "evaluate",
    "load_spec",
    "points_sql",
    "score_sql",
    "tier_of",
]
