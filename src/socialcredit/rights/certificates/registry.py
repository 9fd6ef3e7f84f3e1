"""Certificates in the operational store: issuing one, listing and revoking a
person's, and the status lists verifiers fetch whole.

Issuing and revoking are written to the audit log (``certificate_issued``,
``certificate_revoked``, purpose ``certificate``) in the same transaction, so
they appear in the person's "who looked and why". A status list is built from
the store when asked for, so a revocation shows in it at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialcredit.errors import NotFoundError
from socialcredit.rights.certificates import credential as vc
from socialcredit.rights.certificates import status
from socialcredit.rights.certificates.credential import stamp
from socialcredit.rights.certificates.issuer import Issuer
from socialcredit.settings import utc_now
from socialcredit.store import Store, audit
from socialcredit.store.models import Certificate, PublishedScore

__all__ = [
    "PURPOSE",
    "certificate_json",
    "find",
    "issue",
    "list_for",
    "preview",
    "revoke",
    "state_of",
    "status_list",
]

#: The purpose the audit log records for issuing and revoking.
PURPOSE = "certificate"
#: A list takes new certificates until it is this full, so that a free random
#: position is always quick to find.
_FILL = status.LIST_SIZE * 3 // 4
_ATTEMPTS = 5

State = Literal["active", "expired", "revoked"]


def _standing(session: Session, subject_key: str) -> vc.Standing:
    published = session.get(PublishedScore, subject_key)
    if published is None:
        raise NotFoundError(
            "no published score for this person yet: a certificate states a published score"
        )
    return vc.Standing(
        score=published.score,
        tier=published.tier,
        subscores={d: int(v) for d, v in published.subscores.items() if v is not None},
        as_of=published.as_of,
    )


def preview(store: Store, subject_key: str, request: vc.CertificateRequest) -> dict[str, Any]:
    """Exactly what a certificate issued now with ``request`` would say about the
    person (its ``credentialSubject``, with a placeholder pseudonym) and how long it
    would be valid. Nothing is stored, signed or logged."""
    with store.session() as session:
        standing = _standing(session, subject_key)
    now = utc_now(whole_seconds=True)
    return {
        "credentialSubject": vc.claims(request, standing, "urn:socialcredit:holder:…"),
        "validFrom": stamp(now),
        "validUntil": stamp(now + dt.timedelta(days=request.days)),
    }


def _allocate(session: Session) -> tuple[int, int]:
    """A random free position in the newest list not yet :data:`_FILL` full."""
    current = session.execute(select(func.max(Certificate.status_list))).scalar() or 1
    used = set(
        session.execute(
            select(Certificate.status_index).where(Certificate.status_list == current)
        ).scalars()
    )
    if len(used) >= _FILL:
        current, used = current + 1, set()
    while True:
        index = secrets.randbelow(status.LIST_SIZE)
        if index not in used:
            return current, index


def issue(
    store: Store,
    issuer: Issuer,
    subject_key: str,
    request: vc.CertificateRequest,
    *,
    actor: str,
    actor_kind: str,
) -> Certificate:
    """Sign and keep a certificate of ``subject_key``'s published score, disclosing
    what ``request`` chose; log it. ``NotFoundError`` without a published score."""
    for attempt in range(_ATTEMPTS):
        try:
            return _issue_once(store, issuer, subject_key, request, actor, actor_kind)
        except IntegrityError:
            # Two issuers picked the same free position at once (PostgreSQL; SQLite
            # serialises writers): pick again.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _issue_once(
    store: Store,
    issuer: Issuer,
    subject_key: str,
    request: vc.CertificateRequest,
    actor: str,
    actor_kind: str,
) -> Certificate:
    now = utc_now(whole_seconds=True)
    until = now + dt.timedelta(days=request.days)
    certificate_id = str(uuid.uuid4())
    with store.session() as session, session.begin():
        standing = _standing(session, subject_key)
        number, index = _allocate(session)
        document = vc.unsigned(
            certificate_id=certificate_id,
            issuer=issuer.id,
            subject=vc.claims(request, standing, vc.holder_id(subject_key, certificate_id)),
            status=status.entry(issuer.status_url(number), index),
            valid_from=stamp(now),
            valid_until=stamp(until),
        )
        signed = issuer.sign(document, now)
        row = Certificate(
            certificate_id=certificate_id,
            subject_key=subject_key,
            disclose=request.disclose,
            claims=signed["credentialSubject"],
            credential=signed,
            key_id=signed["proof"]["verificationMethod"],
            status_list=number,
            status_index=index,
            issued_at=now,
            expires_at=until,
            revoked_at=None,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=actor,
            actor_kind=actor_kind,
            action="certificate_issued",
            subject_key=subject_key,
            purpose=PURPOSE,
            detail={
                "certificate_id": certificate_id,
                "disclose": request.disclose,
                "subscores": request.subscores,
                "days": request.days,
            },
        )
    return row


def find(store: Store, certificate_id: str, subject_key: str | None = None) -> Certificate:
    """The certificate ``certificate_id`` (of ``subject_key`` when given)."""
    with store.session() as session:
        row = session.get(Certificate, certificate_id)
    if row is None or row.subject_key is None or subject_key not in (None, row.subject_key):
        raise NotFoundError(
            f"no certificate {certificate_id!r}"
            + (" of yours" if subject_key is not None else "")
            + " (list them: GET /v1/me/certificates or socialcredit certificate list)"
        )
    return row


def list_for(store: Store, subject_key: str) -> list[Certificate]:
    """The person's certificates, the newest first."""
    with store.session() as session:
        return list(
            session.execute(
                select(Certificate)
                .where(Certificate.subject_key == subject_key)
                .order_by(Certificate.issued_at.desc(), Certificate.certificate_id)
            ).scalars()
        )


def revoke(
    store: Store,
    certificate_id: str,
    *,
    subject_key: str | None,
    actor: str,
    actor_kind: str,
) -> Certificate:
    """Revoke a certificate (of ``subject_key`` when given): its status bit is set
    from now on. Revoking a revoked certificate changes nothing."""
    with store.session() as session, session.begin():
        row = session.get(Certificate, certificate_id, with_for_update=True)
        if row is None or row.subject_key is None or subject_key not in (None, row.subject_key):
            raise NotFoundError(
                f"no certificate {certificate_id!r}"
                + (" of yours" if subject_key is not None else "")
            )
        if row.revoked_at is None:
            row.revoked_at = utc_now(whole_seconds=True)
            audit.append(
                session,
                actor=actor,
                actor_kind=actor_kind,
                action="certificate_revoked",
                subject_key=row.subject_key,
                purpose=PURPOSE,
                detail={"certificate_id": certificate_id},
            )
    return row


def state_of(row: Certificate, now: dt.datetime | None = None) -> State:
    """``revoked``, ``expired`` or ``active``."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= (now or utc_now()):
        return "expired"
    return "active"


def certificate_json(row: Certificate, *, with_credential: bool = False) -> dict[str, Any]:
    """A certificate as its holder sees it in a list (and with the credential itself)."""
    shown: dict[str, Any] = {
        "id": row.certificate_id,
        "disclose": row.disclose,
        "claims": row.claims,
        "issued_at": row.issued_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "state": state_of(row),
        "status_list": row.status_list,
        "status_index": row.status_index,
    }
    if with_credential:
        shown["credential"] = row.credential
    return shown


def status_list(store: Store, issuer: Issuer, number: int) -> dict[str, Any]:
    """Status list ``number``, whole and signed: the bits of every revoked certificate
    on it. ``NotFoundError`` for a list that does not exist (list 1 always does)."""
    with store.session() as session:
        newest = session.execute(select(func.max(Certificate.status_list))).scalar() or 1
        if not 1 <= number <= newest:
            raise NotFoundError(f"no status list {number}: lists are numbered 1 to {newest}")
        revoked = session.execute(
            select(Certificate.status_index)
            .where(Certificate.status_list == number)
            .where(Certificate.revoked_at.is_not(None))
        ).scalars()
        encoded = status.encode(revoked)
    now = utc_now(whole_seconds=True)
    return issuer.sign(
        status.list_credential(issuer.id, issuer.status_url(number), stamp(now), encoded), now
    )
