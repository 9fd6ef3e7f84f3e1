"""One JSON error shape for every 4xx and 5xx answer::

{"error": {"status": 403, "code": "forbidden", "message": "..."}}

Routes declare the statuses they answer with :func:`error_responses`, so the
OpenAPI document describes every error too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from socialcredit.errors import (
    ConfigurationError,
    ForbiddenDataError,
    InputError,
    NotFoundError,
    SocialCreditError,
)

__all__ = [
    "ApiError",
    "ErrorBody",
    "ErrorDetail",
    "describe",
    "error_body",
    "error_responses",
    "install_error_handlers",
]

log = logging.getLogger("socialcredit.api")

CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


#: What each error status means here (the OpenAPI description of the answer).
MEANINGS = {
    400: "The request lacks something the route needs (a stated purpose, a body)",
    401: "No API key, or an unknown or revoked one",
    403: "The key may not do this (its scope, the purpose, or the person's consent)",
    404: "Nothing of that name on file for this caller",
    409: "It exists already",
    413: "The body is too large",
    415: "The body is not in a format the route reads",
    422: "The request is not valid: each problem named, with the field",
    429: "The key's rate limit is reached: retry after a moment",
}


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated")
    code: str = Field(
        description="Stable and machine-readable: the status's name (forbidden, not_found, "
        "invalid, ...) or a finer one (no_consent, forbidden_data, ...)"
    )
    message: str = Field(description="What was wrong, the value, and how to fix it")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route or router answering ``statuses`` in the error shape."""
    return {
        status: {
            "model": ErrorBody,
            "description": MEANINGS[status],
            **(
                {"headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}}
                if status == 401
                else {}
            ),
            **(
                {
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds until the key may ask again",
                        }
                    }
                }
                if status == 429
                else {}
            ),
        }
        for status in statuses
    }


def json_error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """:func:`error_responses` for a route whose success is not JSON (an HTML page):
    its errors are still the JSON error shape, not its success's media type."""
    return {
        status: {
            "description": MEANINGS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
        }
        for status in statuses
    }


class ApiError(Exception):
    """An error with an HTTP status, raised by routes and dependencies."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.headers = headers


def describe(errors: Sequence[Any]) -> str:
    """Validation errors (pydantic's list) as one line: ``field: problem; ...``."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors
    )


def error_body(status: int, message: str, code: str | None = None) -> dict[str, object]:
    """The body of :class:`ErrorBody` (built as a dict: errors are answered under load too)."""
    return {
        "error": {"status": status, "code": code or CODES.get(status, "error"), "message": message}
    }


def _respond(
    status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"} | (headers or {})
    return JSONResponse(error_body(status, message, code), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return _respond(exc.status, exc.message, exc.code, exc.headers)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return _respond(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _respond(422, describe(exc.errors()) or "invalid request")

    @app.exception_handler(SocialCreditError)
    async def _domain(_: Request, exc: SocialCreditError) -> JSONResponse:
        if isinstance(exc, NotFoundError):
            return _respond(404, str(exc))
        if isinstance(exc, ForbiddenDataError):
            return _respond(422, str(exc), "forbidden_data")
        if isinstance(exc, InputError):
            return _respond(422 if not isinstance(exc, ConfigurationError) else 500, str(exc))
        log.exception("internal error")
        return _respond(500, "internal error; the operator has the details in the log")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _respond(500, "internal error; the operator has the details in the log")
