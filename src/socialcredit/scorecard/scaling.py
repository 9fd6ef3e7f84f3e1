"""Points-to-odds (PDO) scaling: log-odds of a good outcome -> points.

score = offset + factor * ln(odds), where factor = pdo / ln 2 and
offset = base_score - factor * ln(base_odds).
A score of ``base_score`` means odds of ``base_odds`` to 1; every ``pdo`` points
double the odds. Scores are clipped to [``min_score``, ``max_score``].

>>> s = Scaling(pdo=50, base_score=600, base_odds=20)
>>> s.score_of_log_odds(math.log(40))
650
>>> s.clip(1200)
950
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BASE_ODDS",
    "BASE_SCORE",
    "MAX_SCORE",
    "MIN_SCORE",
    "NEUTRAL_SUBSCORE",
    "PDO",
    "Scaling",
]

#: The score range: every score and every dimension's subscore lies in it.
MIN_SCORE = 350
MAX_SCORE = 950
#: A dimension's subscore when no feature of it can move its points.
NEUTRAL_SUBSCORE = (MIN_SCORE + MAX_SCORE) // 2

#: The default scaling (the expert scorecard's, and training's unless told
#: otherwise): BASE_SCORE points at BASE_ODDS good:bad, PDO points to double them.
PDO = 50.0
BASE_SCORE = 600
BASE_ODDS = 20.0


class Scaling(BaseModel):
    """How log-odds become points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pdo: float = Field(PDO, gt=0, description="Points to double the odds")
    base_score: int = Field(BASE_SCORE, description="Score at the base odds")
    base_odds: float = Field(BASE_ODDS, gt=0, description="Odds (good:bad) at the base score")
    min_score: int = MIN_SCORE
    max_score: int = MAX_SCORE

    @model_validator(mode="after")
    def _bounds(self) -> Scaling:
        if not self.min_score < self.max_score:
            raise ValueError(f"min_score {self.min_score} must be below max_score {self.max_score}")
        return self

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def points(self, log_odds: float) -> int:
        """Whole points worth ``log_odds`` (a feature bin's contribution)."""
        return round(self.factor * log_odds)

    def score_of_log_odds(self, log_odds: float) -> int:
        """The clipped score of a total log-odds."""
        return self.clip(round(self.offset + self.factor * log_odds))

    def log_odds_of_score(self, score: float) -> float:
        return (score - self.offset) / self.factor

    def clip(self, score: int) -> int:
        return max(self.min_score, min(self.max_score, score))
