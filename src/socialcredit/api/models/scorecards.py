"""The live scorecard as the console shows it, and its champion/challenger comparison."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from socialcredit.api.models.base import Public
from socialcredit.api.models.files import Names
from socialcredit.scorecard.scaling import Scaling

__all__ = ["Comparison", "FeatureRow", "ScorecardPublic"]


class RangeBin(Public):
    kind: Literal["range"]
    low: float | None = Field(description="Inclusive; none: no lower bound")
    high: float | None = Field(description="Exclusive; none: no upper bound")
    points: int


class ValuesBin(Public):
    kind: Literal["values"]
    values: list[str]
    points: int


class OtherBin(Public):
    kind: Literal["other"]
    points: int


class MissingBin(Public):
    kind: Literal["missing"]
    points: int


Bin = Annotated[RangeBin | ValuesBin | OtherBin | MissingBin, Field(discriminator="kind")]


class FeatureRow(Public):
    feature: str
    en: str
    zh: str
    dimension: str
    kind: Literal["numeric", "categorical"]
    actionable: bool
    bins: list[Bin]


class Comparison(Public):
    """Champion and challenger over the people both runs scored."""

    champion: str
    challenger: str
    n: int
    tier_moves: dict[str, dict[str, int]] = Field(
        description="People by champion tier, then challenger tier"
    )
    moved_up: int
    moved_down: int
    unchanged_tier: int
    mean_score_change: float
    score_change_abs_p90: float
    champion_run: str
    challenger_run: str
    champion_as_of: dt.date
    challenger_as_of: dt.date


class ScorecardPublic(Public):
    version: str
    source: Literal["published", "latest_run", "default"] = Field(
        description="Published; else the one the latest run used; else the default"
    )
    scaling: Scaling
    dimensions: dict[str, Names]
    features: list[FeatureRow]
    comparison: Comparison | None = Field(
        description="When another version has scored the population"
    )
