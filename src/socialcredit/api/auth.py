"""Who is calling: Bearer API keys (hashed at rest), scopes, rate limits, purposes.

Partners, operators and citizens each have keys. Citizens' keys are issued by
the operator; a real identity provider is out of scope (README).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from socialcredit.api.errors import ApiError
from socialcredit.store import keys

__all__ = [
    "PURPOSES",
    "Caller",
    "Citizen",
    "DisputeAnswerer",
    "Furnisher",
    "Operator",
    "ScoreReader",
    "authenticated",
    "require",
    "require_purpose",
]

#: Purposes a partner may read a score for. Credit scores measure whether people
#: meet the obligations they took on; they are not for deciding jobs, dates or travel.
PURPOSES = (
    "credit_application",
    "account_review",
    "rental_application",
    "deposit_waiver_application",
    "insurance_underwriting",
    "collection",
)


@dataclass(frozen=True)
class Caller:
    credential_id: str
    kind: str
    partner_id: str | None
    subject_key: str | None
    scopes: tuple[str, ...]


class RateLimiter:
    """A token bucket per credential: ``rate`` requests a minute, bursts up to a tenth."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, credential_id: str, rate_per_minute: int) -> bool:
        per_second = rate_per_minute / 60.0
        burst = max(1.0, rate_per_minute / 10.0)
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(credential_id, (burst, now))
            tokens = min(burst, tokens + (now - last) * per_second)
            if tokens < 1.0:
                self._buckets[credential_id] = (tokens, now)
                return False
            self._buckets[credential_id] = (tokens - 1.0, now)
            return True


def authenticated(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'")
    plain = authorization[7:].strip()
    with request.app.state.store.engine.connect() as connection:
        credential = keys.find_key(connection, plain)
    if credential is None:
        raise ApiError(401, "unknown or revoked API key")
    if not request.app.state.limiter.allow(credential.credential_id, credential.rate_per_minute):
        raise ApiError(429, f"rate limit of {credential.rate_per_minute} requests a minute reached")
    return Caller(
        credential.credential_id,
        credential.kind,
        credential.partner_id,
        credential.subject_key,
        tuple(credential.scopes),
    )


def require(scope: str):  # type: ignore[no-untyped-def]
    """Dependency: the caller holds ``scope``."""

    def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if not keys.scope_allows(list(caller.scopes), scope):
            raise ApiError(403, f"this key lacks the scope {scope!r}")
        return caller

    return check


def require_area(area: str):  # type: ignore[no-untyped-def]
    """Dependency: the caller holds some scope of ``area`` (e.g. any ``records:...``)."""

    def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if not any(s == "*" or s.startswith(f"{area}:") for s in caller.scopes):
            raise ApiError(403, f"this key holds no '{area}:' scope")
        return caller

    return check


def require_purpose(purpose: str | None) -> str:
    if purpose is None:
        raise ApiError(
            400, f"state the purpose of the query (?purpose=), one of {', '.join(PURPOSES)}"
        )
    if purpose not in PURPOSES:
        raise ApiError(
            403, f"{purpose!r} is not a permissible purpose; permissible: {', '.join(PURPOSES)}"
        )
    return purpose


#: Typed dependencies for route signatures.
Furnisher = Annotated[Caller, Depends(require_area("records"))]
ScoreReader = Annotated[Caller, Depends(require("scores:read"))]
DisputeAnswerer = Annotated[Caller, Depends(require("disputes:answer"))]
Citizen = Annotated[Caller, Depends(require("me"))]
Operator = Annotated[Caller, Depends(require("*"))]
