"""Published scores as partners read them, and publishing a run."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from socialcredit.api.models.base import Body, Public, Timestamp

__all__ = ["PublishCreate", "PublishedPublic", "ScorePublic", "ScoreReason"]


class ScoreReason(Public):
    """A feature that cost the person points, most costly first."""

    feature: str
    points_lost: int
    label: str = Field(description="The feature in plain words (English)")


class ScorePublic(Public):
    """A person's published score, read for a stated purpose."""

    subject_key: str = Field(description="The person's pseudonymous key")
    score: int
    tier: str
    subscores: dict[str, int] = Field(description="Score per dimension, by dimension id")
    reasons: list[ScoreReason]
    as_of: dt.date
    scorecard_version: str
    open_disputes: int = Field(description="Disputes the person has open about their records")
    purpose: str
    legal_basis: str | None


class PublishCreate(Body):
    run_id: str | None = Field(default=None, max_length=32, description="Default: the latest run")


class PublishedPublic(Public):
    """A run made the published scores."""

    run_id: str
    published: int = Field(description="People with a published score now")
    changed: int = Field(description="Published scores written (all of them for a full copy)")
    published_at: Timestamp
