"""What every request and every answer share, below the routes.

Requests: a path or query holding a control character (NUL above all, which no
store keeps in text: PostgreSQL refuses it, SQLite would keep it) is refused with
422 before any route runs, on every store alike.

Answers: ``X-Content-Type-Options: nosniff`` on all; ``Cache-Control: no-store`` on
every API answer (they are about people, or given to one key) unless the route set
its own; the console may not be framed, and loads only what it serves itself
(``Content-Security-Policy``).

Pure ASGI, not Starlette's ``BaseHTTPMiddleware``: the decisions' hot path pays
a few microseconds for it, not a task and a queue per request.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialcredit.api.errors import error_body

__all__ = ["CONSOLE_POLICY", "Hardening"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: The console's pages: scripts and styles from the service itself (the charts set
#: inline styles, the printable certificate is a frame of inline HTML), never framed.
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_ALL = ((b"x-content-type-options", b"nosniff"),)
_API = (*_ALL, (b"cache-control", b"no-store"))
_CONSOLE = (
    *_ALL,
    (b"content-security-policy", CONSOLE_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
)


def _headers_for(path: str) -> tuple[tuple[bytes, bytes], ...]:
    if path.startswith("/v1/"):
        return _API
    if path == "/console" or path.startswith("/console/"):
        return _CONSOLE
    return _ALL


class Hardening:
    """The ASGI middleware of the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = _headers_for(path)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in extra if item[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        query = unquote(scope.get("query_string", b"").decode("latin-1"))
        if _CONTROL.search(path) or _CONTROL.search(query):
            refused = JSONResponse(
                error_body(
                    422,
                    "the path or query holds a control character (such as NUL, %00): "
                    "send text without one",
                ),
                status_code=422,
            )
            await refused(scope, receive, sending)
            return
        await self.app(scope, receive, sending)
