"""The audit log's hash chain, checked."""

from __future__ import annotations

from pydantic import Field

from socialcredit.api.models.base import Public

__all__ = ["AuditProblem", "AuditVerification"]


class AuditProblem(Public):
    seq: int | None = Field(description="The entry at fault (none: the chain as a whole)")
    problem: str


class AuditVerification(Public):
    ok: bool
    entries: int
    erased: int = Field(description="Entries redacted by erasures")
    problems: list[AuditProblem]
