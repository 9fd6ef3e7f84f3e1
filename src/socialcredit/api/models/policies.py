"""Credit policy versions as operators list and publish them (a policy's content is
:class:`socialcredit.decisions.CreditPolicy` itself)."""

from __future__ import annotations

from typing import Literal

from socialcredit.api.models.base import Public, Timestamp

__all__ = ["PoliciesPublic", "PolicyPublished", "PolicyVersionPublic"]


class PolicyPublished(Public):
    version: str
    live: Literal[True]


class PolicyVersionPublic(Public):
    version: str
    live: bool
    published_at: Timestamp
    published_by: str


class PoliciesPublic(Public):
    policies: list[PolicyVersionPublic]
