"""A person's file, as they (or an operator, audited) read it, and the records
that wait out the notice period."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from socialcredit.api.models.base import Public, Timestamp
from socialcredit.api.models.consents import ConsentPublic
from socialcredit.api.models.decisions import DecisionPublic
from socialcredit.api.models.disputes import DisputePublic
from socialcredit.api.models.records import AnyRecord, PendingRecord, RecordsByCategory

__all__ = [
    "Access",
    "Change",
    "FilePublic",
    "FileReason",
    "HeldForMonitoring",
    "HistoryRow",
    "Names",
    "Notifications",
    "Plan",
]

#: A feature's value: a number, a category, or none (nothing on file).
FeatureValue = float | str | None


class Names(Public):
    en: str
    zh: str


class FileReason(Public):
    """Why the score is not higher: a feature, the points it cost, in plain words, and
    the records behind it."""

    feature: str
    label: str
    label_zh: str
    dimension: str
    points_lost: int
    value: FeatureValue = Field(description="The person's value of the feature")
    en: str
    zh: str
    records: list[AnyRecord] = Field(description="The records behind it (the first 20)")
    records_total: int


class Change(Public):
    """One change the person can make, and the points it is worth."""

    feature: str
    label: str
    target: str
    points: int
    en: str
    zh: str


class Plan(Public):
    """The fewest changes that lift the score into the next tier."""

    score: int
    tier: str
    next_tier: str | None = Field(description="None: already in the top tier")
    needed: int = Field(description="Points needed to reach the next tier")
    reachable: bool = Field(description="Whether the changes listed get there")
    changes: list[Change]


class HistoryRow(Public):
    run_id: str
    as_of: dt.date
    scorecard_version: str
    score: int
    tier: str


class HeldForMonitoring(Public):
    """Held only to check that scores are fair across groups; never scored."""

    birth_year: int | None
    sex: str | None
    region: str | None
    province: str | None


class Access(Public):
    """Someone read or changed the file: who, when, why."""

    at: Timestamp
    by: str = Field(description="The partner, or the kind of actor (citizen, operator)")
    action: str
    purpose: str | None


class FilePublic(Public):
    """A person's whole file: score, tier, subscores, reasons, how to reach the next
    tier, every record and its source, every access, disputes, consents and every
    credit decision with any human review."""

    subject_key: str
    score: int
    tier: str
    tier_en: str
    tier_zh: str
    as_of: dt.date
    run_id: str
    scorecard_version: str
    subscores: dict[str, int] = Field(description="Score per dimension, by dimension id")
    dimension_names: dict[str, Names]
    reasons: list[FileReason]
    features: dict[str, FeatureValue] = Field(description="The person's value of each feature")
    improvement: Plan
    records: RecordsByCategory
    pending: list[PendingRecord] = Field(description="Negative records not counting yet")
    history: list[HistoryRow] = Field(description="Every score the person was given")
    held_for_fairness_monitoring_only: HeldForMonitoring
    disputes: list[DisputePublic]
    consents: list[ConsentPublic]
    decisions: list[DecisionPublic]
    accesses: list[Access]


class Notifications(Public):
    notice_working_days: int = Field(description="How long a negative record waits to count")
    pending: list[PendingRecord]
