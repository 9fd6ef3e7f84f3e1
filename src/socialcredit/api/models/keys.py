"""API keys: issued by operators (the plain key is shown once), revoked at once."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from socialcredit.api.models.base import Public, Timestamp

__all__ = ["KeyCreate", "KeyCreated", "KeyRevoked"]


class KeyCreate(BaseModel):
    kind: Literal["partner", "operator", "citizen"]
    partner_id: str | None = None
    scopes: list[str] = []
    resident_id: str | None = Field(default=None, description="for a citizen key")
    rate_per_minute: int = Field(default=6000, ge=1, le=1_000_000)


class KeyCreated(Public):
    credential_id: str
    key: str = Field(description="The plain key: shown this once, stored only as a hash")
    scopes: list[str]


class KeyRevoked(Public):
    credential_id: str
    revoked_at: Timestamp
