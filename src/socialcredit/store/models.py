"""The operational store's tables (SQLAlchemy 2). SQLite by default, PostgreSQL in
production, the same code; the schema is created and changed by Alembic
migrations (``migrations/``), never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiBatch",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Certificate",
    "Consent",
    "Credential",
    "CreditDecision",
    "Dispute",
    "Partner",
    "PolicyVersion",
    "PublishedScore",
    "Review",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Partner(Base):
    """An institution that furnishes records and reads scores."""

    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Credential(Base):
    """An API key, kept only as its SHA-256 hash, with scopes and a rate limit."""

    __tablename__ = "credentials"

    credential_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # partner, operator, citizen
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.partner_id"))
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scopes: Mapped[list[Any]] = mapped_column()
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: None: the key lasts until revoked.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PublishedScore(Base):
    """The latest published score of each person: what partners and people read."""

    __tablename__ = "published_scores"

    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(20))
    subscores: Mapped[dict[str, Any]] = mapped_column()
    reasons: Mapped[list[Any]] = mapped_column()
    as_of: Mapped[str] = mapped_column(String(10))
    scorecard_version: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Dispute(Base):
    """A person contesting one record; the record stops counting while it is open."""

    __tablename__ = "disputes"

    dispute_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    partner_id: Mapped[str] = mapped_column(String(63), index=True)
    category: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One read or change of a person's data: append-only, hash-chained.

    The personal part (subject_key, purpose, detail) is hashed with a random
    ``salt`` into ``personal_digest``, which the chain covers; erasing a person
    nulls the salt and the personal part and sets ``erased_at`` (see ``audit``).
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(50))
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[str | None] = mapped_column(String(50))
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    salt: Mapped[str | None] = mapped_column(String(32))
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row), locked while appending so entries never interleave.

    ``legacy_seq`` is the last entry written before salted entries (migration
    0004): entries up to it are hashed the old way."""

    __tablename__ = "audit_head"

    head_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
    legacy_seq: Mapped[int] = mapped_column(BigInteger)


class ApiBatch(Base):
    """A batch received through the API, by idempotency key, for exact replays."""

    __tablename__ = "api_batches"

    partner_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    report: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Consent(Base):
    """A person's consent for one partner to read their score for one purpose."""

    __tablename__ = "consents"

    consent_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    partner_id: Mapped[str] = mapped_column(String(63))
    purpose: Mapped[str] = mapped_column(String(50))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PolicyVersion(Base):
    """A published credit policy version; exactly one is live."""

    __tablename__ = "credit_policies"

    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    live: Mapped[bool] = mapped_column(Boolean, index=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_by: Mapped[str] = mapped_column(String(32))


class CreditDecision(Base):
    """One automated credit decision, as answered: kept for the person, for review
    and for monitoring the policy."""

    __tablename__ = "decisions"

    decision_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    partner_id: Mapped[str] = mapped_column(String(63), index=True)
    action: Mapped[str] = mapped_column(String(50))
    purpose: Mapped[str] = mapped_column(String(50))
    legal_basis: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(10))
    adverse: Mapped[bool] = mapped_column(Boolean)
    terms: Mapped[dict[str, Any]] = mapped_column()
    reasons: Mapped[list[Any]] = mapped_column()
    notes: Mapped[list[Any]] = mapped_column()
    score: Mapped[int | None] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(20))
    scorecard_version: Mapped[str | None] = mapped_column(String(100))
    run_id: Mapped[str | None] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Review(Base):
    """A person's request that a human review an adverse automated decision."""

    __tablename__ = "reviews"

    review_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    decision_id: Mapped[str] = mapped_column(
        ForeignKey("decisions.decision_id"), unique=True, index=True
    )
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    partner_id: Mapped[str] = mapped_column(String(63), index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open, confirmed, overturned
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(Text)


class Certificate(Base):
    """A credit certificate a person asked for, as issued: what it discloses, its
    bit in a revocation status list, and when it was revoked.

    Erasing the person keeps the row without anything about them (no subject key,
    claims or credential) and revokes it, so its status bit stays set."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("status_list", "status_index", name="uq_certificates_status"),
    )

    certificate_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    disclose: Mapped[str] = mapped_column(String(10))
    claims: Mapped[dict[str, Any] | None] = mapped_column()
    credential: Mapped[dict[str, Any] | None] = mapped_column()
    key_id: Mapped[str] = mapped_column(String(300))
    status_list: Mapped[int] = mapped_column(Integer)
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
