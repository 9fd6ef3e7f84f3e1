"""The service itself: liveness, the rules in force, and who a key is."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from socialcredit.api.models.base import Public
from socialcredit.rights.profiles import ProfileName

__all__ = ["CallerPublic", "Health", "Rules"]


class Health(Public):
    status: Literal["ok"]


class Rules(Public):
    """The jurisdiction profile and what it means for partners and people."""

    profile: ProfileName
    consent_required: bool = Field(description="A score read needs the person's consent")
    legal_basis_required: bool = Field(description="A score read must state its legal basis")
    legal_bases: list[str]
    purposes: list[str] = Field(description="Purposes a partner may read a score for")
    dispute_deadline_days: int
    notice_working_days: int
    review_deadline_days: int


class CallerPublic(Public):
    """The kind of key in use, its partner and scopes (never the key)."""

    kind: Literal["partner", "operator", "citizen"]
    partner_id: str | None
    scopes: list[str]
