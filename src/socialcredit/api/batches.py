"""A furnished batch across the store and the lake, idempotent by its key.

The store's row (``api_batches``) is written first, *pending*, with the batch's id
chosen before the lake sees it; the lake then commits the batch under that id;
then the row is completed with the answer, together with its audit entry. A
failure between the lake's commit and the store's completion (a crash, a store
that went away) is finished from the lake: by a retry with the same
Idempotency-Key, which answers what the batch really was, or at the next start
(:func:`recover_batches`). A pending row whose batch never reached the lake is
ingested again by a retry, and dropped at the next start.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from socialcredit.api.models.records import BatchPublic, RejectedRow
from socialcredit.engines import Engine
from socialcredit.store import Store, audit
from socialcredit.store.models import ApiBatch

__all__ = ["REJECTIONS_SHOWN", "complete", "from_lake", "is_pending", "recover_batches", "reserve"]

REJECTIONS_SHOWN = 1000
_PENDING = {"pending": True}


def is_pending(report: dict[str, Any]) -> bool:
    return bool(report.get("pending"))


def reserve(store: Store, partner: str, key: str) -> tuple[str, dict[str, Any] | None, bool]:
    """The batch id of ``key`` (a new one: its pending row written), the first answer
    when the batch was completed before, and whether a pending row was there already
    (an earlier attempt failed: its batch may be in the lake)."""
    for _ in range(2):  # a concurrent first request with the same key: read its row
        with store.session() as session:
            known = session.get(ApiBatch, (partner, key))
        if known is not None:
            pending = is_pending(known.report)
            return known.batch_id, None if pending else known.report, pending
        batch_id = uuid.uuid4().hex[:16]
        try:
            with store.session() as session, session.begin():
                session.add(
                    ApiBatch(
                        partner_id=partner,
                        idempotency_key=key,
                        batch_id=batch_id,
                        report=_PENDING,
                        received_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
        except IntegrityError:
            continue
        return batch_id, None, False
    raise RuntimeError(f"batch {key!r} of {partner!r} neither found nor written")


def from_lake(lake: Engine, batch_id: str) -> BatchPublic | None:
    """The answer of a batch the lake committed (``None``: it did not), made from the
    lake's ledger and its rejections."""
    rows = lake.query(
        "batch ledger",
        "SELECT batch_id, partner_id, category, file_sha256, file_format, rows_in, accepted, "
        "rejected, duplicates, epoch(finished_at) - epoch(started_at) AS elapsed "
        "FROM batches WHERE batch_id = ?",
        [batch_id],
    ).to_pylist()
    if not rows:
        return None
    ledger = rows[0]
    rejected = lake.query(
        "batch rejections",
        "SELECT row_number, field, value, rule, message FROM rejections WHERE batch_id = ? "
        f"ORDER BY row_number, field LIMIT {REJECTIONS_SHOWN}",
        [batch_id],
    ).to_pylist()
    return BatchPublic(
        batch_id=batch_id,
        partner=ledger["partner_id"],
        category=ledger["category"],
        file=f"upload.{ledger['file_format']}",
        file_sha256=ledger["file_sha256"],
        format=ledger["file_format"],
        rows=ledger["rows_in"],
        accepted=ledger["accepted"],
        rejected=ledger["rejected"],
        duplicates=ledger["duplicates"],
        elapsed_s=round(float(ledger["elapsed"]), 3),
        rejected_rows=[
            RejectedRow(
                row=str(r["row_number"]),
                field=r["field"] or "",
                value=r["value"] or "",
                rule=r["rule"] or "",
                message=r["message"] or "",
            )
            for r in rejected
        ],
    )


def complete(
    store: Store,
    partner: str,
    key: str,
    answer: BatchPublic,
    *,
    actor: str,
    actor_kind: str,
) -> BatchPublic:
    """Record ``answer`` on the pending row of ``key`` with its audit entry, once: when
    the row is complete already, its answer (replayed)."""
    with store.session() as session, session.begin():
        row = session.execute(
            select(ApiBatch)
            .where(ApiBatch.partner_id == partner, ApiBatch.idempotency_key == key)
            .with_for_update()
        ).scalar_one()
        if not is_pending(row.report):
            return BatchPublic.model_validate(row.report | {"replayed": True})
        row.report = answer.model_dump(mode="json")
        audit.append(
            session,
            actor=actor,
            actor_kind=actor_kind,
            action="records_furnished",
            detail={
                "batch_id": answer.batch_id,
                "category": answer.category,
                "accepted": answer.accepted,
            },
        )
    return answer


def recover_batches(store: Store, lake: Engine) -> int:
    """At start: complete every pending batch the lake committed (the audit entry is
    the system's), drop those it did not. Answers how many were completed."""
    with store.session() as session:
        pending = [
            (row.partner_id, row.idempotency_key, row.batch_id)
            for row in session.execute(
                select(ApiBatch.partner_id, ApiBatch.idempotency_key, ApiBatch.batch_id).where(
                    ApiBatch.report["pending"].as_boolean().is_(True)
                )
            )
        ]
    completed = 0
    for partner, key, batch_id in pending:
        answer = from_lake(lake, batch_id)
        if answer is None:
            with store.session() as session, session.begin():
                row = session.get(ApiBatch, (partner, key))
                if row is not None and is_pending(row.report):
                    session.delete(row)
            continue
        complete(store, partner, key, answer, actor="system", actor_kind="system")
        completed += 1
    return completed
