"""The audit log: every read of a person's data and every change, append-only and
hash-chained, so that an altered, inserted or deleted entry is detected, and
redactable, so that a person's erasure does not break the chain.

Each entry has a personal part (subject_key, purpose, detail) and the rest (seq,
at, actor, actor_kind, action). The personal part is hashed with a random
per-entry salt::

    personal_digest = SHA-256(salt + "\\n" + canonical JSON of the personal part)
    entry_hash      = SHA-256(prev_hash + "\\n" + canonical JSON of the rest
                              and personal_digest)

Erasing a person nulls the salt and the personal part of their entries and sets
``erased_at``; the stored digest still chains the entry, and without the salt it
cannot be linked to anyone (see :func:`redact`). Entries written before the
salted format (migration 0004, up to ``audit_head.legacy_seq``) keep their old
hash, over the personal fields themselves; a redacted old entry can only be
checked by its place in the chain.

The chain alone does not resist someone who can rewrite the store and recompute
every hash after a change: signed anchors of the head, kept outside the store
(:mod:`socialcredit.store.anchors`), do.

Appends take a lock on the chain's head row (``SELECT ... FOR UPDATE`` on
PostgreSQL, the database write lock on SQLite), so concurrent requests never
fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import secrets
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, null, select, update
from sqlalchemy.orm import Session

from socialcredit.settings import utc_now
from socialcredit.store.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from socialcredit.store.database import Store

__all__ = [
    "ERASURE",
    "GENESIS",
    "AuditWriter",
    "Verification",
    "append",
    "append_many",
    "entry_hash",
    "personal_digest",
    "redact",
    "seal",
    "verify",
]

GENESIS = "0" * 64
#: The action of the entry that records an erasure; its detail counts the
#: entries it redacted (``audit_entries``), which verification checks.
ERASURE = "erasure"


def _canonical(body: Mapping[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def personal_digest(
    salt: str, subject_key: str | None, purpose: str | None, detail: dict[str, Any] | None
) -> str:
    """The salted hash of an entry's personal part."""
    personal = {"subject_key": subject_key, "purpose": purpose, "detail": detail}
    return _sha256(f"{salt}\n{_canonical(personal)}")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The chained hash of an entry (its column values) in the salted format."""
    body = {
        "seq": entry["seq"],
        "at": entry["at"].isoformat(),
        "actor": entry["actor"],
        "actor_kind": entry["actor_kind"],
        "action": entry["action"],
        "personal_digest": entry["personal_digest"],
    }
    return _sha256(f"{prev_hash}\n{_canonical(body)}")


def _legacy_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash of an entry written before migration 0004."""
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
    return _sha256(f"{prev_hash}\n{_canonical(body)}")


def seal(fields: Mapping[str, Any], *, seq: int, at: dt.datetime, prev_hash: str) -> dict[str, Any]:
    """Every column of a new entry from ``append``'s fields: a fresh salt, the
    personal digest and the chained hash. Both writers (this module's and the
    asynchronous one) build entries here, so their hashes cannot drift apart."""
    salt = secrets.token_hex(16)
    subject_key, purpose = fields.get("subject_key"), fields.get("purpose")
    detail = fields.get("detail") or {}
    values: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "actor": fields["actor"],
        "actor_kind": fields["actor_kind"],
        "action": fields["action"],
        "subject_key": subject_key,
        "purpose": purpose,
        "detail": detail,
        "salt": salt,
        "personal_digest": personal_digest(salt, subject_key, purpose, detail),
        "erased_at": None,
        "prev_hash": prev_hash,
    }
    values["entry_hash"] = entry_hash(prev_hash, values)
    return values


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
    return append_many(
        session,
        [
            {
                "actor": actor,
                "actor_kind": actor_kind,
                "action": action,
                "subject_key": subject_key,
                "purpose": purpose,
                "detail": detail,
            }
        ],
    )[0]


def append_many(session: Session, items: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append entries in order, in the caller's transaction: one lock of the chain's
    head, one bulk insert, one update of the head."""
    head = session.execute(
        select(AuditHead).where(AuditHead.head_id == 1).with_for_update()
    ).scalar_one()
    at = utc_now(whole_seconds=True)
    rows = []
    seq, previous = head.seq, head.entry_hash
    for item in items:
        seq += 1
        values = seal(item, seq=seq, at=at, prev_hash=previous)
        previous = values["entry_hash"]
        rows.append(values)
    session.execute(insert(AuditEntry), rows)
    head.seq, head.entry_hash = seq, previous
    session.flush()
    return [AuditEntry(**values) for values in rows]


def redact(session: Session, subject_key: str) -> int:
    """Erase the personal part of every entry about ``subject_key``, in the caller's
    transaction; return how many. Record the erasure with an :data:`ERASURE`
    entry whose detail has ``audit_entries`` = this count, or verification
    reports entries redacted without one."""
    result = session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_key == subject_key)
        .values(
            salt=None,
            subject_key=None,
            purpose=None,
            detail=null(),
            erased_at=utc_now(whole_seconds=True),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    erased: int
    problems: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _content_problem(entry: AuditEntry, legacy_seq: int) -> str | None:
    """Why an entry's content does not match its hash, or None when it does."""
    personal = (entry.salt, entry.subject_key, entry.purpose, entry.detail)
    if entry.erased_at is not None and any(value is not None for value in personal):
        return "marked erased but still holds personal data"
    if entry.seq <= legacy_seq:
        if entry.erased_at is None and _legacy_hash(entry.prev_hash, entry) != entry.entry_hash:
            return "content was altered"
        return None  # a redacted old entry: only its place in the chain is checked
    if entry.personal_digest is None:
        return "content was altered"
    if entry.erased_at is None and (
        entry.salt is None
        or personal_digest(entry.salt, entry.subject_key, entry.purpose, entry.detail)
        != entry.personal_digest
    ):
        return "content was altered"
    fields = {name: getattr(entry, name) for name in ("seq", "at", "actor", "actor_kind")}
    fields |= {"action": entry.action, "personal_digest": entry.personal_digest}
    if entry_hash(entry.prev_hash, fields) != entry.entry_hash:
        return "content was altered"
    return None


def verify(session: Session) -> Verification:
    """Walk the chain from the start; report every entry that does not fit, and
    redactions that no erasure entry accounts for."""
    problems: list[dict[str, Any]] = []
    head = session.get(AuditHead, 1)
    legacy_seq = head.legacy_seq if head is not None else 0
    previous_hash, expected_seq, count, erased, accounted = GENESIS, 1, 0, 0, 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        count += 1
        if entry.seq != expected_seq:
            problems.append({"seq": entry.seq, "problem": f"entry {expected_seq} is missing"})
        if entry.prev_hash != previous_hash:
            problems.append({"seq": entry.seq, "problem": "does not follow the entry before it"})
        problem = _content_problem(entry, legacy_seq)
        if problem is not None:
            problems.append({"seq": entry.seq, "problem": problem})
        elif entry.erased_at is not None:
            erased += 1
        elif entry.action == ERASURE and entry.detail is not None:
            accounted += int(entry.detail.get("audit_entries", 0))
        previous_hash, expected_seq = entry.entry_hash, entry.seq + 1
    if head is not None and (head.seq != expected_seq - 1 or head.entry_hash != previous_hash):
        problems.append({"seq": head.seq, "problem": "entries after the last one were deleted"})
    if erased != accounted:
        problems.append(
            {
                "seq": None,
                "problem": f"{erased} entries are redacted but erasure entries account for "
                f"{accounted}",
            }
        )
    return Verification(not problems, count, erased, problems)


class AuditWriter:
    """Group commit for high-volume audit entries (score reads, decisions).

    Requests queue their entry and wait until it is committed; one writer thread
    appends everything queued in one transaction (one lock of the head, one
    commit). Nothing is served before its entry is durable, and under load the
    commit cost is shared by many entries instead of paid by each. An entry may
    bring rows of other tables (a decision as answered): they commit with it, in
    the same transaction, or not at all.
    """

    def __init__(self, store: Store, batch: int = 500) -> None:
        self._store = store
        self._batch = batch
        self._queue: queue.Queue[_Queued | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, rows: Rows = (), **fields: Any) -> Future[int]:
        """Queue one entry (``append``'s keyword arguments) and ``rows`` to insert with
        it; the future gives the entry's seq once committed."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()
        done: Future[int] = Future()
        self._queue.put((fields, rows, done))
        return done

    def append(self, rows: Rows = (), **fields: Any) -> int:
        """:meth:`submit` and wait: return the entry's seq once committed."""
        return self.submit(rows, **fields).result(timeout=60)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            items = [first]
            while len(items) < self._batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                items.append(item)
            try:
                with self._store.session() as session, session.begin():
                    entries = append_many(session, [fields for fields, _, _ in items])
                    by_table: dict[Table, list[dict[str, Any]]] = {}
                    for _, rows, _ in items:
                        for table, values in rows:
                            by_table.setdefault(table, []).append(values)
                    for table, values_list in by_table.items():
                        session.execute(insert(table), values_list)
                for (_, _, done), entry in zip(items, entries, strict=True):
                    done.set_result(entry.seq)
            except Exception as exc:  # every waiting request fails, none is served unlogged
                for _, _, done in items:
                    done.set_exception(exc)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None


Rows = tuple[tuple["Table", dict[str, Any]], ...]
_Queued = tuple[dict[str, Any], Rows, Future[int]]
