"""The HTTP service (FastAPI): partner, citizen and operator routes under /v1,
OpenAPI at /docs, one JSON error shape."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from socialcredit.api.auth import PURPOSES, RateLimiter
from socialcredit.api.errors import install_error_handlers
from socialcredit.api.lake import install_lake_release
from socialcredit.api.middleware import Hardening
from socialcredit.api.models.service import Health, Rules
from socialcredit.api.routes import (
    certificates,
    citizens,
    console_data,
    decisions,
    operators,
    partners,
)
from socialcredit.api.state import ServiceState
from socialcredit.console import mount_console
from socialcredit.lake.workspace import Workspace
from socialcredit.rights.profiles import LEGAL_BASES
from socialcredit.settings import Settings
from socialcredit.store.audit import AuditWriter

__all__ = ["create_app"]


def create_app(settings: Settings) -> FastAPI:
    """The service over the workspace of ``settings`` (its lake and store)."""
    workspace = Workspace.open(settings)
    workspace.keyer()  # refuse to start without the right secret
    workspace.store()
    writer = AuditWriter(workspace.store())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What start-up allocated lives as long as the service: keep it out of the
        # garbage collector's full passes, which otherwise stall requests under load.
        gc.freeze()
        yield
        writer.close()
        for name in ("hot_reader", "score_reader", "key_reader", "caller_reader"):
            if getattr(app.state, name, None) is not None:
                await getattr(app.state, name).aclose()
        if getattr(app.state, "async_audit_writer", None) is not None:
            await app.state.async_audit_writer.aclose()

    app = FastAPI(
        lifespan=lifespan,
        title="socialcredit",
        version="1",
        description="Credit records in, explained scores out: partners furnish records and "
        "read scores for a permissible purpose; people read their own file and contest it.",
    )
    app.state.service = ServiceState(settings, workspace)
    app.state.store = workspace.store()
    app.state.limiter = RateLimiter()
    app.state.audit_writer = writer
    install_error_handlers(app)
    app.add_middleware(Hardening)
    install_lake_release(app, workspace)
    # The decisions router first: the hot path is matched before the other routes.
    for module in (decisions, partners, citizens, operators):
        app.include_router(module.router)
    app.include_router(decisions.me_router)
    app.include_router(certificates.me_router)
    app.include_router(certificates.public_router)

    app.include_router(console_data.router)
    mount_console(app)

    @app.get("/v1/health", tags=["service"], summary="Liveness")
    def health() -> Health:
        return Health(status="ok")

    @app.get("/v1/rules", tags=["service"], summary="The rules in force (no key needed)")
    def rules() -> Rules:
        """The jurisdiction profile and what it means for partners and people."""
        return Rules(
            profile=settings.profile,
            consent_required=settings.consent_required,
            legal_basis_required=settings.legal_basis_required,
            legal_bases=list(LEGAL_BASES),
            purposes=list(PURPOSES),
            dispute_deadline_days=settings.dispute_deadline_days,
            notice_working_days=settings.notice_working_days,
            review_deadline_days=settings.review_deadline_days,
        )

    return app
