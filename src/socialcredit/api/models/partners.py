"""Partners: the institutions that furnish records and ask for scores and decisions."""

from __future__ import annotations

from pydantic import Field

from socialcredit.api.models.base import Body, Public

__all__ = ["PartnerCreate", "PartnerPublic"]


class PartnerCreate(Body):
    partner_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=50)


class PartnerPublic(Public):
    partner_id: str
    name: str
    kind: str
