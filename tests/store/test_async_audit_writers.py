"""The request path's audit writer on PostgreSQL: several writers (processes, in
production) and the store's own appends interleave on one chain, each batch is one
statement that moves the head only from where it was, and the chain verifies."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from socialcredit.api.hot import AsyncAuditWriter
from socialcredit.store import audit, open_store
from socialcredit.store.models import AuditEntry, Partner
from tests.utils.postgres import postgres_schema

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on an event loop of its own (another test may have left one running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _append(writer: AsyncAuditWriter, n: int, tag: str) -> list[int]:
    return list(
        await asyncio.gather(
            *(
                writer.append(
                    actor=f"{tag}{i}",
                    actor_kind="partner",
                    action="score_read",
                    subject_key=f"{i:032x}",
                    purpose="credit_application",
                    detail={"n": i, "writer": tag},
                )
                for i in range(n)
            )
        )
    )


@pytest.mark.parametrize("turns", [3, 0], ids=["compare-and-set", "row-lock"])
def test_writers_interleave_on_one_chain(
    postgres: Any, turns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialcredit.api.hot._TURNS", turns)
    store = open_store(postgres_schema(postgres))
    with store.session() as session, session.begin():  # an entry from elsewhere first
        audit.append(session, actor="op", actor_kind="operator", action="start")

    async def run() -> list[int]:
        one, two = AsyncAuditWriter(store), AsyncAuditWriter(store)
        try:
            first = asyncio.gather(_append(one, 150, "a"), _append(two, 150, "b"))
            await asyncio.sleep(0)
            # the store's own appends, between the writers' batches
            await asyncio.to_thread(_append_sync, store)
            a, b = await first
            return a + b
        finally:
            await one.aclose()
            await two.aclose()

    seqs = _run(run())
    assert len(set(seqs)) == 300
    with store.session() as session:
        assert session.query(AuditEntry).count() == 302
        result = audit.verify(session)
    assert result.ok, result
    store.dispose()


def _append_sync(store: Any) -> None:
    with store.session() as session, session.begin():
        audit.append(session, actor="op", actor_kind="operator", action="between")


def test_rows_come_with_their_entries(postgres: Any) -> None:
    store = open_store(postgres_schema(postgres))
    partner = {
        "partner_id": "river-grid",
        "name": "River Grid",
        "kind": "utility",
        "created_at": dt.datetime(2026, 1, 1),
    }
    row = {c.name: partner.get(c.name) for c in Partner.__table__.columns}

    async def run() -> int:
        writer = AsyncAuditWriter(store)
        try:
            return await writer.append(
                ((Partner.__table__, row),), actor="op", actor_kind="operator", action="partner"
            )
        finally:
            await writer.aclose()

    seq = _run(run())
    with store.session() as session:
        assert session.get(Partner, "river-grid") is not None
        assert session.get(AuditEntry, seq).action == "partner"
        assert audit.verify(session).ok
    store.dispose()
