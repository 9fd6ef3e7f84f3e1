"""Due process: a person contests a record; while the dispute is open the record
stops counting; the furnishing partner confirms, corrects or deletes it; an
unanswered dispute past its deadline is resolved in the person's favour. Every
step rescores the person at once and is written to the audit log.

A held record is listed in the lake's ``record_holds`` table, which every
dimension query leaves out; a deleted record is physically removed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from sqlalchemy import select, update

from socialcredit.engines import Engine
from socialcredit.errors import InputError, NotFoundError
from socialcredit.features import features_sql
from socialcredit.lake.changes import note_change
from socialcredit.records import category as record_category
from socialcredit.scorecard import evaluate
from socialcredit.scoring.runs import run_notice_days
from socialcredit.scoring.versions import stored_scorecard
from socialcredit.settings import utc_now
from socialcredit.store import Store, audit
from socialcredit.store.models import Dispute, PublishedScore

__all__ = [
    "answer_dispute",
    "expire_disputes",
    "open_dispute",
    "rescore_subject",
    "settle_in_lake",
]

Answer = Literal["confirm", "correct", "delete"]
_STATUS = {"confirm": "confirmed", "correct": "corrected", "delete": "deleted"}


def rescore_subject(store: Store, lake: Engine, subject_key: str) -> PublishedScore | None:
    """Recompute one person's published score from the lake as it is now."""
    with store.session() as session, session.begin():
        published = session.get(PublishedScore, subject_key)
        if published is None:
            return None
        spec = stored_scorecard(lake, published.scorecard_version)
        rows = lake.query(
            "one subject",
            features_sql(
                dt.date.fromisoformat(published.as_of),
                subject_key,
                notice_days=run_notice_days(lake, published.run_id),
            ),
        )
        values = rows.to_pylist()[0] if rows.num_rows else {}
        scored = evaluate(spec, values)
        published.score, published.tier = scored.score, scored.tier
        published.subscores = dict(scored.subscores)
        published.reasons = [
            {"feature": r.feature, "points_lost": r.points_lost} for r in scored.reasons
        ]
        published.published_at = utc_now(whole_seconds=True)
        return published


def open_dispute(
    store: Store,
    lake: Engine,
    *,
    subject_key: str,
    partner_id: str,
    category: str,
    record_id: str,
    reason: str,
    deadline_days: int,
    actor: str,
) -> Dispute:
    """A person contests one of their records."""
    table = record_category(category).table
    found = lake.scalar(
        "disputed record",
        f"SELECT count(*) FROM {table} WHERE subject_key = ? AND partner_id = ? AND record_id = ?",
        [subject_key, partner_id, record_id],
    )
    if not found:
        raise NotFoundError(f"no {category} record {record_id!r} from {partner_id!r} in your file")
    if not reason.strip():
        raise InputError("say why the record is wrong (reason)")
    opened = utc_now(whole_seconds=True)
    with store.session() as session, session.begin():
        already = session.execute(
            select(Dispute).where(
                Dispute.partner_id == partner_id,
                Dispute.category == category,
                Dispute.record_id == record_id,
                Dispute.status == "open",
            )
        ).scalar_one_or_none()
        if already is not None:
            raise InputError(f"record {record_id!r} is already disputed ({already.dispute_id})")
        dispute = Dispute(
            dispute_id=uuid.uuid4().hex,
            subject_key=subject_key,
            partner_id=partner_id,
            category=category,
            record_id=record_id,
            reason=reason.strip(),
            status="open",
            opened_at=opened,
            deadline=opened + dt.timedelta(days=deadline_days),
            resolved_at=None,
            resolution=None,
        )
        session.add(dispute)
        audit.append(
            session,
            actor=actor,
            actor_kind="citizen",
            action="dispute_opened",
            subject_key=subject_key,
            detail={"dispute_id": dispute.dispute_id, "category": category},
        )
    lake.execute(
        "hold record",
        "INSERT INTO record_holds VALUES (?, ?, ?, ?, ?)",
        [category, partner_id, record_id, dispute.dispute_id, opened],
    )
    note_change(lake, subject_key, "dispute_opened")
    rescore_subject(store, lake, subject_key)
    return dispute


def _settle_lake(lake: Engine, dispute: Dispute) -> None:
    """The lake's part of a settled dispute, as one transaction: the record goes
    (unless confirmed) and its hold is released. The hold is the mark of work left:
    while it stands the record does not count, whatever the store says."""
    with lake.transaction():
        if dispute.status != "confirmed":  # corrected, deleted or upheld by default
            table = record_category(dispute.category).table
            lake.execute(
                "delete disputed record",
                f"DELETE FROM {table} WHERE partner_id = ? AND record_id = ?",
                [dispute.partner_id, dispute.record_id],
            )
        lake.execute(
            "release hold", "DELETE FROM record_holds WHERE dispute_id = ?", [dispute.dispute_id]
        )
        note_change(lake, dispute.subject_key, f"dispute_{dispute.status}")


def _close(
    store: Store,
    lake: Engine,
    dispute: Dispute,
    status: str,
    note: str,
    actor: str,
    actor_kind: str,
) -> Dispute:
    # The store first: if it fails, nothing has changed anywhere. If the lake then
    # fails, the record stays held (it does not count) and settle_in_lake finishes
    # the lake's part at the next start.
    with store.session() as session, session.begin():
        settled = session.execute(
            update(Dispute)
            .where(Dispute.dispute_id == dispute.dispute_id, Dispute.status == "open")
            .values(status=status, resolved_at=utc_now(whole_seconds=True), resolution=note)
        )
        if settled.rowcount != 1:  # type: ignore[attr-defined]
            raise InputError(f"dispute {dispute.dispute_id} is no longer open")
        audit.append(
            session,
            actor=actor,
            actor_kind=actor_kind,
            action="dispute_resolved",
            subject_key=dispute.subject_key,
            detail={"dispute_id": dispute.dispute_id, "status": status},
        )
    with store.session() as session:
        closed = session.get(Dispute, dispute.dispute_id)
        if closed is None:
            raise NotFoundError(f"dispute {dispute.dispute_id} is gone")
    _settle_lake(lake, closed)
    rescore_subject(store, lake, dispute.subject_key)
    return closed


def settle_in_lake(store: Store, lake: Engine) -> int:
    """Finish in the lake every dispute the store has settled but whose record is still
    held (a failure between the two writes); run at start-up. Answers how many."""
    held = [
        row["dispute_id"]
        for row in lake.query("held records", "SELECT dispute_id FROM record_holds").to_pylist()
    ]
    if not held:
        return 0
    with store.session() as session:
        settled = list(
            session.execute(
                select(Dispute).where(Dispute.dispute_id.in_(held), Dispute.status != "open")
            ).scalars()
        )
    for dispute in settled:
        _settle_lake(lake, dispute)
        rescore_subject(store, lake, dispute.subject_key)
    return len(settled)


def answer_dispute(
    store: Store,
    lake: Engine,
    dispute_id: str,
    *,
    partner_id: str | None,
    answer: Answer,
    note: str,
    actor: str,
    actor_kind: str,
) -> Dispute:
    """The furnishing partner (or an operator, ``partner_id`` None) answers a dispute."""
    if answer not in _STATUS:
        raise InputError(f"answer must be one of {', '.join(_STATUS)}")
    with store.session() as session:
        dispute = session.get(Dispute, dispute_id)
    if dispute is None or (partner_id is not None and dispute.partner_id != partner_id):
        raise NotFoundError(f"no dispute {dispute_id!r} about your records")
    if dispute.status != "open":
        raise InputError(f"dispute {dispute_id} is already {dispute.status}")
    return _close(store, lake, dispute, _STATUS[answer], note, actor, actor_kind)


def expire_disputes(store: Store, lake: Engine, now: dt.datetime | None = None) -> list[Any]:
    """Resolve every open dispute past its deadline in the person's favour."""
    moment = now or utc_now(whole_seconds=True)
    with store.session() as session:
        overdue = list(
            session.execute(
                select(Dispute).where(Dispute.status == "open", Dispute.deadline < moment)
            ).scalars()
        )
    return [
        _close(
            store,
            lake,
            d,
            "upheld_by_default",
            "the furnishing partner did not answer by the deadline",
            "system",
            "system",
        )
        for d in overdue
    ]
