"""The service holds the lake only while a request works on it.

DuckDB lets one process at a time open the lake. So that the command line
(``ingest``, ``score``, ``publish``, ``report``, ``fairness``) works on the
workspace while the service runs, every request that opens the lake
(:meth:`Workspace.engine`) is counted, and the lake is closed as soon as the last
one ends. Requests on the hot path (decisions, score reads) never open it.
While a command holds the lake, a request that needs it waits a few seconds, then
is answered 503 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from socialcredit.api.errors import error_body
from socialcredit.lake.workspace import LAKE_USERS, LakeBusyError, Workspace

__all__ = ["REQUEST_LAKE_WAIT", "ReleaseLake", "install_lake_release"]

#: Seconds a request waits for a command to let go of the lake before its 503.
REQUEST_LAKE_WAIT = 5.0


class ReleaseLake:
    """ASGI middleware: release, when the request ends, the lakes it opened."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        used: list[Workspace] = []
        token = LAKE_USERS.set(used)
        try:
            await self.app(scope, receive, send)
        finally:
            LAKE_USERS.reset(token)
            for workspace in used:  # closing checkpoints the lake: off the event loop
                await anyio.to_thread.run_sync(workspace.release)


def install_lake_release(app: FastAPI, workspace: Workspace) -> None:
    """Count the requests that open the workspace's lake, close it after the last,
    and answer 503 while another process holds it. Whatever opened the lake at
    start-up is released here."""
    workspace.lake_wait = REQUEST_LAKE_WAIT
    workspace.unpin()
    app.add_middleware(ReleaseLake)

    @app.exception_handler(LakeBusyError)
    async def _busy(_: Request, exc: LakeBusyError) -> JSONResponse:
        return JSONResponse(
            error_body(
                503,
                "the lake is in use by an operator command (ingest, score, publish, ...); "
                "retry shortly",
                "lake_busy",
            ),
            status_code=503,
            headers={"Retry-After": "5"},
        )
