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
import queue
import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from socialcredit.store.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from socialcredit.store.database import Store

__all__ = [
    "GENESIS",
    "AuditWriter",
    "Verification",
    "append",
    "append_many",
    "entry_hash",
    "verify",
]

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
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    entries = []
    seq, previous = head.seq, head.entry_hash
    for item in items:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=item["actor"],
            actor_kind=item["actor_kind"],
            action=item["action"],
            subject_key=item.get("subject_key"),
            purpose=item.get("purpose"),
            detail=item.get("detail") or {},
            prev_hash=previous,
            entry_hash="",
        )
        entry.entry_hash = previous = entry_hash(previous, entry)
        entries.append(entry)
    columns = [column.name for column in AuditEntry.__table__.columns]
    session.execute(
        insert(AuditEntry), [{name: getattr(e, name) for name in columns} for e in entries]
    )
    head.seq, head.entry_hash = seq, previous
    session.flush()
    return entries


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
