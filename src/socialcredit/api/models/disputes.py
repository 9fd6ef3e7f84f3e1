"""Disputes: a person contests a record; its partner (or the deadline) settles it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from socialcredit.api.models.base import Body, Public, Timestamp
from socialcredit.records import CATEGORIES

__all__ = [
    "DisputeAnswer",
    "DisputeCreate",
    "DisputeInQueue",
    "DisputePublic",
    "DisputeQueue",
    "DisputesExpired",
    "DisputesPublic",
]

DisputeStatus = Literal["open", "confirmed", "corrected", "deleted", "upheld_by_default"]


class DisputeCreate(Body):
    partner_id: str = Field(min_length=2, max_length=63)
    category: str = Field(max_length=20, description=f"one of {', '.join(CATEGORIES)}")
    record_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class DisputeAnswer(Body):
    answer: Literal["confirm", "correct", "delete"] = Field(
        description="confirm (the record stands), correct or delete (it goes)"
    )
    note: str = Field(min_length=1, max_length=2000)


class DisputePublic(Public):
    """One dispute, as the person and the partner see it (never the person's key:
    partners read disputes too)."""

    dispute_id: str
    partner_id: str
    category: str
    record_id: str
    reason: str
    status: DisputeStatus
    opened_at: Timestamp
    deadline: Timestamp = Field(description="The partner answers by then, or the person wins")
    resolved_at: Timestamp | None
    resolution: str | None


class DisputesPublic(Public):
    disputes: list[DisputePublic]


class DisputesExpired(Public):
    resolved: list[DisputePublic] = Field(
        description="Disputes past their deadline, now resolved in the person's favour"
    )


class DisputeInQueue(DisputePublic):
    """A dispute in the operators' queue: with the person's key, its age, and whether
    it is overdue."""

    subject_key: str
    age_days: int
    overdue: bool


class DisputeQueue(Public):
    now: Timestamp = Field(description="The moment ages and overdue flags were computed at")
    disputes: list[DisputeInQueue]
