"""Scorecards: spec (data), compile (engine SQL), evaluate (one subject), expert default."""

from socialcredit.scorecard.compile import points_sql, score_sql
from socialcredit.scorecard.evaluate import MAX_REASONS, Reason, Scored, evaluate
from socialcredit.scorecard.expert import default_spec
from socialcredit.scorecard.scaling import Scaling
from socialcredit.scorecard.spec import CategoryGroup, FeatureSpec, ScorecardSpec, load_spec
from socialcredit.scorecard.tiers import TIERS, tier_of

__all__ = [
    "MAX_REASONS",
    "TIERS",
    "CategoryGroup",
    "FeatureSpec",
    "Reason",
    "Scaling",
    "ScorecardSpec",
    "Scored",
    "default_spec",
    "evaluate",
    "load_spec",
    "points_sql",
    "score_sql",
    "tier_of",
]
