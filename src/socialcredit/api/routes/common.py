"""What the route modules share: the running service's state and the public shape of
a dispute (never with the person's subject key: partners see disputes too)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from socialcredit.api.state import ServiceState
from socialcredit.store.models import Dispute

__all__ = ["dispute_json", "service_state"]


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def dispute_json(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute_id": dispute.dispute_id,
        "partner_id": dispute.partner_id,
        "category": dispute.category,
        "record_id": dispute.record_id,
        "reason": dispute.reason,
        "status": dispute.status,
        "opened_at": dispute.opened_at.isoformat(),
        "deadline": dispute.deadline.isoformat(),
        "resolved_at": dispute.resolved_at.isoformat() if dispute.resolved_at else None,
        "resolution": dispute.resolution,
    }
