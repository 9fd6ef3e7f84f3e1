"""The audit log: every read of a person's data and every change, append-only and
hash-chained, so that an altered, inserted or deleted entry is detected.

entry_hash = SHA-256(prev_hash + "\\n" + canonical JSON of the entry). Appends take
a lock on the chain's head row (``SELECT ... FOR UPDATE`` on PostgreSQL, the
database write lock on SQLite), so concurrent requests never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.store.models import AuditEntry, AuditHead

__all__ = ["GENESIS", "Verification", "append", "entry_hash", "verify"]

GENESIS = "0" * 64


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "actor_kind": entry.actor_kind,
        "action": entry.action,
        "subject_key": entry.subject_key,
        "purpose": entry.purpose,
        "detail": entry.detail,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    actor_kind: str,
    action: str,
    subject_key: str | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (commit to make it count)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.head_id == 1).with_for_update()
    ).scalar_one()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        subject_key=subject_key,
        purpose=purpose,
        detail=detail or {},
        prev_hash=head.entry_hash,
        entry_hash="",
    )
    entry.entry_hash = entry_hash(head.entry_hash, entry)
    session.add(entry)
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    problems: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def verify(session: Session) -> Verification:
    """Walk the chain from the start; report every entry that does not fit."""
    problems: list[dict[str, Any]] = []
    previous_hash, expected_seq, count = GENESIS, 1, 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        count += 1
        if entry.seq != expected_seq:
            problems.append({"seq": entry.seq, "problem": f"entry {expected_seq} is missing"})
        if entry.prev_hash != previous_hash:
            problems.append({"seq": entry.seq, "problem": "does not follow the entry before it"})
        if entry_hash(entry.prev_hash, entry) != entry.entry_hash:
            problems.append({"seq": entry.seq, "problem": "content was altered"})
        previous_hash, expected_seq = entry.entry_hash, entry.seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.entry_hash != previous_hash):
        problems.append({"seq": head.seq, "problem": "entries after the last one were deleted"})
    return Verification(not problems, count, problems)
