"""Who is calling: Bearer API keys (hashed at rest), scopes, rate limits, purposes.

Partners, operators and citizens each have keys. Citizens' keys are issued by
the operator; a real identity provider is out of scope (README).

Every route takes its caller from here, as typed ``Annotated`` dependencies
(:data:`Operator`, :data:`Citizen`, ...) made of four steps: the hash of the key
in the ``Authorization`` header (:func:`bearer_hash`), the live credential found
for it (:func:`key_lookup`), its rate limit (:func:`admit`) and its scope
(:func:`require_scope`). The hot path (``POST /v1/decisions``) calls the same
four itself: it extends the key lookup with what it reads anyway, so that its
caller and its inputs come back in one round trip, and FastAPI resolving a
dependency costs a few percent of a decision.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy import FromClause, Select, bindparam, func, select

from socialcredit.api.errors import ApiError
from socialcredit.store import keys
from socialcredit.store.models import Consent, Credential, Dispute

__all__ = [
    "AUTHORIZATION_PARAMETER",
    "PURPOSES",
    "Caller",
    "Citizen",
    "DisputeAnswerer",
    "Furnisher",
    "KeyHash",
    "Operator",
    "Person",
    "ScoreReader",
    "admit",
    "authenticated",
    "bearer_hash",
    "key_lookup",
    "person_of",
    "require",
    "require_purpose",
    "require_scope",
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


@dataclass(frozen=True)
class Person:
    """A citizen's key: the person whose own file it reads."""

    credential_id: str
    subject_key: str


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


_CREDENTIALS = Credential.__table__
#: What :func:`admit` makes a caller of.
_CALLER_COLUMNS = tuple(
    _CREDENTIALS.c[name]
    for name in (
        "credential_id",
        "kind",
        "partner_id",
        "subject_key",
        "scopes",
        "rate_per_minute",
        "expires_at",
    )
)


def key_lookup(*columns: Any, joined: FromClause | None = None) -> Select[Any]:
    """The live credential of the key whose hash is bound as ``key_hash``, with
    ``columns`` read in the same statement (from ``joined``: the credentials joined to
    what the columns come from). Core, not the ORM: it runs on every request.
    """
    return (
        select(*_CALLER_COLUMNS, *columns)
        .select_from(_CREDENTIALS if joined is None else joined)
        .where(_CREDENTIALS.c.key_hash == bindparam("key_hash"))
        .where(_CREDENTIALS.c.revoked_at.is_(None))
    )


_KEY_LOOKUP = key_lookup()


def subject_facts() -> tuple[Any, Any]:
    """Columns for :func:`key_lookup`: the number of open disputes of the subject bound as
    ``key``, and of the caller's partner's live consents from that subject for the
    purpose bound as ``purpose`` at the moment bound as ``now`` (what a score read and a
    decision both check, in their one round trip)."""
    open_disputes = (
        select(func.count())
        .where(Dispute.subject_key == bindparam("key"), Dispute.status == "open")
        .scalar_subquery()
        .label("open_disputes")
    )
    consents = (
        select(func.count())
        .where(
            Consent.subject_key == bindparam("key"),
            Consent.partner_id == _CREDENTIALS.c.partner_id,
            Consent.purpose == bindparam("purpose"),
            Consent.revoked_at.is_(None),
            Consent.expires_at > bindparam("now"),
        )
        .scalar_subquery()
        .label("consents")
    )
    return open_disputes, consents


_AUTHORIZATION = "'Bearer <key>': the API key the operator issued"
#: The header in OpenAPI, for a route that reads it itself (``openapi_extra``).
AUTHORIZATION_PARAMETER = {
    "name": "authorization",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": _AUTHORIZATION,
}


def bearer_hash(authorization: str | None) -> str:
    """The hash (what the store keeps) of the key sent as ``Authorization: Bearer <key>``;
    401 when the header holds none."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'")
    return keys.hash_key(authorization[7:].strip())


async def key_hash(
    authorization: Annotated[str | None, Header(description=_AUTHORIZATION)] = None,
) -> str:
    """Dependency: :func:`bearer_hash` of the request's ``Authorization`` header."""
    return bearer_hash(authorization)


#: The hash of the request's API key; 401 when it sends none.
KeyHash = Annotated[str, Depends(key_hash)]


def _expired(expires_at: dt.datetime | str | None) -> bool:
    if expires_at is None:
        return False
    if isinstance(expires_at, str):  # SQLite's text, from a raw driver
        expires_at = dt.datetime.fromisoformat(expires_at)
    return expires_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def admit(request: Request, credential: Any | None) -> Caller:
    """The caller of a credential row from :func:`key_lookup`, within its rate limit:
    401 when no live credential has the key (an expired key is answered as an unknown
    one), 429 over the limit, with ``Retry-After``."""
    if credential is None or _expired(credential.expires_at):
        raise ApiError(401, "unknown or revoked API key")
    limiter: RateLimiter = request.app.state.limiter
    if not limiter.allow(credential.credential_id, credential.rate_per_minute):
        raise ApiError(
            429,
            f"rate limit of {credential.rate_per_minute} requests a minute reached",
            # The bucket refills one request in this many seconds: then one more passes.
            headers={"Retry-After": str(max(1, math.ceil(60 / credential.rate_per_minute)))},
        )
    scopes = credential.scopes  # a list, or its JSON text from a raw driver
    return Caller(
        credential.credential_id,
        credential.kind,
        credential.partner_id,
        credential.subject_key,
        tuple(json.loads(scopes) if isinstance(scopes, str) else scopes),
    )


def authenticated(request: Request, hashed: KeyHash) -> Caller:
    """Dependency: the caller whose live key the request sends."""
    with request.app.state.store.engine.connect() as connection:
        credential = connection.execute(_KEY_LOOKUP, {"key_hash": hashed}).first()
    return admit(request, credential)


def require_scope(caller: Caller, scope: str) -> Caller:
    """``caller``, when it holds ``scope``; 403 otherwise."""
    if not keys.scope_allows(list(caller.scopes), scope):
        raise ApiError(403, f"this key lacks the scope {scope!r}")
    return caller


def require(scope: str) -> Callable[[Caller], Awaitable[Caller]]:
    """Dependency: the caller holds ``scope``."""

    async def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        return require_scope(caller, scope)

    return check


def require_area(area: str) -> Callable[[Caller], Awaitable[Caller]]:
    """Dependency: the caller holds some scope of ``area`` (e.g. any ``records:...``)."""

    async def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if not any(s == "*" or s.startswith(f"{area}:") for s in caller.scopes):
            raise ApiError(403, f"this key holds no '{area}:' scope")
        return caller

    return check


def person_of(caller: Caller) -> Person:
    """The person whose own key ``caller`` holds; 403 for any other key."""
    require_scope(caller, "me")
    if caller.subject_key is None:  # an operator's key holds every scope, and no person
        raise ApiError(403, "this route reads the file of the key's own person: use their key")
    return Person(caller.credential_id, caller.subject_key)


async def _person(caller: Annotated[Caller, Depends(authenticated)]) -> Person:
    return person_of(caller)


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
Citizen = Annotated[Person, Depends(_person)]
Operator = Annotated[Caller, Depends(require("*"))]
