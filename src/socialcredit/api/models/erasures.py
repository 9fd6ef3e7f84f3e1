"""Erasure: everything about a person removed, for real."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from socialcredit.api.models.base import Body, Public, Timestamp

__all__ = ["ErasureCreate", "ErasurePublic"]


class ErasureCreate(Body):
    resident_id: str = Field(min_length=1, max_length=32)


class ErasurePublic(Public):
    """What was removed, counted per table; the log keeps that it happened, never whom."""

    erasure_id: str
    at: Timestamp
    kind: Literal["person"]
    removed: dict[str, int] = Field(description="Rows removed from the lake, per table")
    store: dict[str, int] = Field(description="Rows removed from the store, per table")
