"""Consents: a person lets one partner read their score for one purpose."""

from __future__ import annotations

from pydantic import BaseModel, Field

from socialcredit.api.auth import PURPOSES
from socialcredit.api.models.base import Public, Timestamp

__all__ = ["ConsentCreate", "ConsentPublic", "ConsentsPublic"]


class ConsentCreate(BaseModel):
    partner_id: str = Field(min_length=2, max_length=63)
    purpose: str = Field(description=f"one of {', '.join(PURPOSES)}")
    days: int = Field(default=90, ge=1, le=3650, description="How long it lasts")


class ConsentPublic(Public):
    consent_id: str
    partner_id: str
    purpose: str
    granted_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None


class ConsentsPublic(Public):
    consents: list[ConsentPublic]
