"""API keys: issued by operators (the plain key is shown once), revoked at once."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from socialcredit.api.models.base import Body, Public, Timestamp, absent

__all__ = ["KeyCreate", "KeyCreated", "KeyRevoked"]


class KeyCreate(Body):
    kind: Literal["partner", "operator", "citizen"]
    partner_id: str | None = Field(default=None, min_length=2, max_length=63)
    scopes: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )
    resident_id: str | None = Field(
        default=None, min_length=1, max_length=32, description="for a citizen key"
    )
    rate_per_minute: int = Field(default=6000, ge=1, le=1_000_000)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="The key stops working after this many days"
    )


class KeyCreated(Public):
    credential_id: str
    key: str = Field(description="The plain key: shown this once, stored only as a hash")
    scopes: list[str]
    expires_at: Timestamp | None = Field(
        default=None, exclude_if=absent, description="When the key stops working (UTC)"
    )


class KeyRevoked(Public):
    credential_id: str
    revoked_at: Timestamp
