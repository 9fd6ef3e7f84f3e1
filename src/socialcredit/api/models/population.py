"""The population dashboard's figures (the web console's first page)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from socialcredit.api.models.base import Public, Timestamp
from socialcredit.api.models.disputes import DisputeInQueue

__all__ = [
    "DisputeAge",
    "DisputeFigures",
    "Drop",
    "FairnessDrift",
    "FairnessRatio",
    "HistogramBin",
    "IngestionHealth",
    "Population",
    "ReasonCount",
    "RegionMean",
    "Run",
    "TierCount",
]


class Run(Public):
    run_id: str
    as_of: dt.date
    scorecard_version: str
    subjects: int
    created_at: Timestamp


class HistogramBin(Public):
    low: int
    high: int
    count: int


class TierCount(Public):
    tier: str
    low: int
    high: int
    en: str
    zh: str
    count: int
    previous: int | None = Field(description="In the previous run (none: no previous run)")
    change: int | None


class RegionMean(Public):
    province: str = Field(description="The province's code (first two digits of a region)")
    zh: str
    en: str
    people: int
    mean_score: float


class ReasonCount(Public):
    feature: str
    en: str
    zh: str
    people: int = Field(description="People for whom it is one of the top reasons")
    mean_points_lost: float


class Drop(Public):
    subject_key: str
    score: int
    tier: str
    previous_score: int
    change: int


class IngestionHealth(Public):
    partner_id: str
    batches: int
    rows_in: int | None
    accepted: int | None
    rejected: int | None
    duplicates: int | None
    last_batch: Timestamp | None
    rejection_rate: float


class DisputeAge(Public):
    age_days: int
    open: int
    overdue: int


class DisputeFigures(Public):
    deadline_days: int
    total: int
    overdue: int
    by_age: list[DisputeAge]
    oldest: list[DisputeInQueue]


class FairnessRatio(Public):
    """A group's approval rate at a cut-off over the best-treated group's."""

    attribute: str = Field(description="sex, age_band or province")
    group: str
    cutoff: int
    ratio: float
    n: int
    p_value: float
    significant: bool = Field(description="After correcting for the comparisons made")


class FairnessDrift(Public):
    """The fairness of the scorecard people are scored by, on its newest run."""

    scorecard_version: str
    run_id: str
    as_of: dt.date
    cutoffs: list[int] = Field(description="The tier cut-offs and the live policy's")
    threshold: float = Field(description="Four fifths")
    lowest: FairnessRatio | None = Field(
        description="The lowest significant ratio below the threshold, else the lowest below"
    )
    flagged: bool = Field(description="A ratio is significantly below the threshold")
    previous_run: str | None = Field(description="The scorecard's run before (none: first)")
    previous_as_of: dt.date | None
    previous_lowest: FairnessRatio | None
    previous_flagged: bool | None
    new: bool = Field(description="Flagged now and not on the run before")


class Population(Public):
    """Score distribution, tiers and their change since the previous run, mean score by
    province, the most common reasons, the biggest drops, ingestion per partner and
    open disputes by age."""

    run: Run | None = Field(description="The run people see (none: nothing scored yet)")
    previous_run: Run | None
    histogram: list[HistogramBin]
    tiers: list[TierCount]
    regions: list[RegionMean] = Field(description="Provinces with enough people to show")
    reasons: list[ReasonCount]
    biggest_drops: list[Drop]
    ingestion: list[IngestionHealth]
    disputes: DisputeFigures
    min_group: int = Field(description="Smallest group a figure is shown for")
    fairness: FairnessDrift | None = Field(
        description="The four-fifths rule for the scorecard of the run shown (none: no run)"
    )
