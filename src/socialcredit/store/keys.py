"""API keys: created once (the plain key is shown once), stored only as SHA-256
hashes, with scopes; revocation takes effect on the next request.

Scopes: ``records:<category>`` or ``records:*`` (furnish records),
``scores:read`` (read published scores for a permissible purpose),
``disputes:answer`` (answer disputes about the partner's records),
``decisions:<action>`` or ``decisions:*`` (ask credit decisions); operators
hold ``*``; citizens hold ``me`` (their own file).

A key may expire (``expires_at``): from then on it is answered as an unknown key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from typing import Literal

from sqlalchemy.orm import Session

from socialcredit.decisions.policy import ACTIONS
from socialcredit.errors import InputError, NotFoundError
from socialcredit.records import CATEGORIES
from socialcredit.settings import utc_now
from socialcredit.store.models import Credential, Partner

__all__ = [
    "PARTNER_SCOPES",
    "create_key",
    "hash_key",
    "lifetime",
    "revoke_key",
    "scope_allows",
]

Kind = Literal["partner", "operator", "citizen"]
PARTNER_SCOPES = (
    *(f"records:{c}" for c in CATEGORIES),
    "records:*",
    "scores:read",
    "disputes:answer",
    *(f"decisions:{a}" for a in ACTIONS),
    "decisions:*",
)


_LIFETIME = re.compile(r"^([1-9][0-9]{0,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def lifetime(text: str) -> dt.timedelta:
    """How long a key lasts, written ``<n>h``, ``<n>d`` or ``<n>w``.

    >>> lifetime("90d")
    datetime.timedelta(days=90)
    """
    matched = _LIFETIME.match(text.strip())
    if matched is None:
        raise InputError(
            f"{text!r} is not a lifetime: a whole number above 0 and a unit, h (hours), "
            "d (days) or w (weeks), e.g. 90d"
        )
    return dt.timedelta(**{_UNITS[matched.group(2)]: int(matched.group(1))})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def scope_allows(scopes: list[str], needed: str) -> bool:
    """``needed`` is granted by itself, by ``area:*`` or by ``*``."""
    area = needed.split(":", 1)[0]
    return "*" in scopes or needed in scopes or f"{area}:*" in scopes


def create_key(
    session: Session,
    kind: Kind,
    *,
    partner_id: str | None = None,
    subject_key: str | None = None,
    scopes: list[str] | None = None,
    rate_per_minute: int = 6000,
    expires_in: dt.timedelta | None = None,
) -> tuple[Credential, str]:
    """A new credential and its plain key (never stored; show it once). Once
    ``expires_in`` has passed, the key is answered as an unknown one."""
    if kind == "partner":
        if partner_id is None or session.get(Partner, partner_id) is None:
            raise NotFoundError(f"partner {partner_id!r} is not registered")
        unknown = sorted(set(scopes or []) - set(PARTNER_SCOPES))
        if unknown or not scopes:
            raise InputError(
                f"partner scopes must be some of {', '.join(PARTNER_SCOPES)}; got "
                f"{', '.join(unknown) or 'none'}"
            )
        granted = list(scopes)
    elif kind == "operator":
        granted = ["*"]
    else:
        if subject_key is None:
            raise InputError("a citizen key needs the person's subject key")
        granted = ["me"]
    plain = f"sc{kind[0]}_{secrets.token_urlsafe(32)}"
    now = utc_now()
    credential = Credential(
        credential_id=uuid.uuid4().hex,
        kind=kind,
        partner_id=partner_id,
        subject_key=subject_key,
        key_hash=hash_key(plain),
        scopes=granted,
        rate_per_minute=rate_per_minute,
        created_at=now,
        revoked_at=None,
        expires_at=None if expires_in is None else now + expires_in,
    )
    session.add(credential)
    return credential, plain


def revoke_key(session: Session, credential_id: str) -> Credential:
    credential = session.get(Credential, credential_id)
    if credential is None:
        raise NotFoundError(f"no key {credential_id!r}")
    if credential.revoked_at is None:
        credential.revoked_at = utc_now()
    return credential
