"""Reads on the request hot path that do not hold the event loop.

On PostgreSQL a small pool of asynchronous psycopg connections runs one
statement, compiled once from SQLAlchemy Core, in autocommit: the event loop
serves other requests while the database answers. On SQLite (the embedded
default, one process) one kept connection reads synchronously.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.exc import DBAPIError

from socialcredit.errors import ConfigurationError
from socialcredit.store import Store

__all__ = ["AsyncAuditWriter", "HotReader", "audited", "open_reader"]


class HotReader:
    """Runs one read statement; ``await reader.read(params)`` gives the first row or None."""

    async def read(self, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class _SyncReader(HotReader):
    def __init__(self, store: Store, statement: Select[Any]) -> None:
        self._store = store
        self._statement = statement
        self._connection: Connection | None = None

    async def read(self, params: dict[str, Any]) -> Any:
        try:
            return self._read(params)
        except DBAPIError as exc:
            if not exc.connection_invalidated or self._connection is None:
                raise
            self._connection.close()  # the database dropped it: once more, on a new one
            self._connection = None
        return self._read(params)

    def _read(self, params: dict[str, Any]) -> Any:
        if self._connection is None:
            self._connection = self._store.engine.connect()
        with self._connection.begin():
            return self._connection.execute(self._statement, params).first()

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _PostgresReader(HotReader):
    def __init__(self, store: Store, statement: Select[Any], size: int) -> None:
        compiled = statement.compile(dialect=store.engine.dialect)
        self._sql = str(compiled)
        self._defaults = dict(compiled.params)
        self._conninfo = store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._size = size
        self._opened = 0
        self._idle: asyncio.LifoQueue[Any] = asyncio.LifoQueue()

    async def _connection(self) -> Any:
        import psycopg
        from psycopg.rows import namedtuple_row

        if self._idle.empty() and self._opened < self._size:
            self._opened += 1
            try:
                return await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, row_factory=namedtuple_row
                )
            except BaseException:
                self._opened -= 1
                raise
        return await self._idle.get()

    async def read(self, params: dict[str, Any]) -> Any:
        import psycopg

        try:
            return await self._read(params)
        except psycopg.OperationalError:  # that connection broke (it is closed): once more
            return await self._read(params)

    async def _read(self, params: dict[str, Any]) -> Any:
        import psycopg

        connection = await self._connection()
        try:
            cursor = await connection.execute(self._sql, self._defaults | params)
            row = await cursor.fetchone()
        except psycopg.OperationalError:
            self._opened -= 1
            await connection.close()
            raise
        except BaseException:
            self._idle.put_nowait(connection)
            raise
        self._idle.put_nowait(connection)
        return row

    async def aclose(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()
            self._opened -= 1


def open_reader(store: Store, statement: Select[Any], *, size: int = 8) -> HotReader:
    if store.dialect == "postgresql":
        return _PostgresReader(store, statement, size)
    return _SyncReader(store, statement)


class AsyncAuditWriter:
    """Group commit on the event loop, for PostgreSQL: what :class:`AuditWriter` does
    with a thread, without one.

    Requests await their entry; while one batch commits, the next gathers. Each
    batch is one transaction on a dedicated asynchronous connection: lock the
    chain's head (``FOR UPDATE``, so other processes and writers interleave
    correctly), insert the entries and the rows that come with them, move the head,
    commit. Nothing is answered before its entry is durable.
    """

    def __init__(self, store: Store, batch: int = 500) -> None:
        from socialcredit.store.models import AuditEntry

        self._conninfo = store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self._columns = [column.name for column in AuditEntry.__table__.columns]
        self._insert = _insert_sql(store, AuditEntry.__table__)
        self._inserts: dict[Any, str] = {}
        self._store = store
        self._batch = batch
        self._pending: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]] = []
        self._draining = False
        self._connection: Any = None

    async def append(self, rows: Rows = (), **fields: Any) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((fields, rows, future))
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                items, self._pending = self._pending[: self._batch], self._pending[self._batch :]
                try:
                    seqs = await self._commit(items)
                except Exception as exc:  # none is answered unlogged
                    if self._connection is not None:
                        await self._connection.close()
                        self._connection = None
                    for _, _, future in items:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, _, future), seq in zip(items, seqs, strict=True):
                    if not future.done():
                        future.set_result(seq)
        finally:
            self._draining = False

    async def _commit(
        self, items: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]]
    ) -> list[int]:
        import psycopg
        from psycopg.types.json import Json

        from socialcredit.store.audit import seal

        if self._connection is None:
            self._connection = await psycopg.AsyncConnection.connect(self._conninfo)
        connection = self._connection
        async with connection.transaction():
            cursor = await connection.execute(
                "SELECT seq, entry_hash FROM audit_head WHERE head_id = 1 FOR UPDATE"
            )
            head = await cursor.fetchone()
            if head is None:
                raise ConfigurationError(
                    "the store's audit chain has no head (audit_head row 1): its migrations "
                    "did not run"
                )
            seq, previous = head
            at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            entries, seqs = [], []
            for fields, _, _ in items:
                seq += 1
                values = seal(fields, seq=seq, at=at, prev_hash=previous)
                previous = values["entry_hash"]
                values["detail"] = Json(values["detail"])
                entries.append({name: values[name] for name in self._columns})
                seqs.append(seq)
            async with connection.cursor() as many:
                await many.executemany(self._insert, entries)
                by_table: dict[Any, list[dict[str, Any]]] = {}
                for _, rows, _ in items:
                    for table, values in rows:
                        by_table.setdefault(table, []).append(
                            {
                                k: Json(v) if isinstance(v, dict | list) else v
                                for k, v in values.items()
                            }
                        )
                for table, values_list in by_table.items():
                    if table not in self._inserts:
                        self._inserts[table] = _insert_sql(self._store, table)
                    await many.executemany(self._inserts[table], values_list)
            await connection.execute(
                "UPDATE audit_head SET seq = %s, entry_hash = %s WHERE head_id = 1", (seq, previous)
            )
        return seqs

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


def _insert_sql(store: Store, table: Any) -> str:
    from sqlalchemy import insert

    return str(insert(table).compile(dialect=store.engine.dialect))


Rows = tuple[tuple[Any, dict[str, Any]], ...]


async def audited(app_state: Any, rows: Rows = (), **fields: Any) -> int:
    """Append an audit entry (and ``rows`` with it) and wait until it is committed,
    without holding the event loop: on the loop for PostgreSQL, through the
    writer thread otherwise."""
    writer: AsyncAuditWriter | None = getattr(app_state, "async_audit_writer", None)
    if writer is None and app_state.store.dialect == "postgresql":
        writer = app_state.async_audit_writer = AsyncAuditWriter(app_state.store)
    if writer is not None:
        return await writer.append(rows, **fields)
    seq: int = await asyncio.wrap_future(app_state.audit_writer.submit(rows, **fields))
    return seq
