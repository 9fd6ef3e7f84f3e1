"""Consents: a person lets one partner read their score for one purpose, or lets a
bank or payment partner share their cash flow (``cash_flow_sharing``)."""

from __future__ import annotations

from pydantic import Field

from socialcredit.api.auth import PURPOSES
from socialcredit.api.models.base import Body, Public, Timestamp

__all__ = ["ConsentCreate", "ConsentPublic", "ConsentsPublic"]


class ConsentCreate(Body):
    partner_id: str = Field(min_length=2, max_length=63)
    purpose: str = Field(
        max_length=50,
        description=f"one of {', '.join(PURPOSES)} (the partner reads my score), or "
        "cash_flow_sharing (the partner shares my accounts' monthly totals, never what I "
        "bought; they count in my score, down as well as up, until I revoke it)",
    )
    days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="How long it lasts (cash_flow_sharing: at most 365 days)",
    )


class ConsentPublic(Public):
    consent_id: str
    partner_id: str
    purpose: str
    granted_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None


class ConsentsPublic(Public):
    consents: list[ConsentPublic]
