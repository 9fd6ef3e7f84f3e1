"""Reads on the request hot path that do not hold the event loop.

On PostgreSQL a small pool of asyncpg connections runs one statement, compiled
once from SQLAlchemy Core, in autocommit: the event loop serves other requests
while the database answers. On SQLite (the embedded
default, one process) one kept connection reads synchronously.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
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


def _asyncpg_statement(statement: Any, store: Store) -> tuple[str, list[str], dict[str, Any]]:
    """SQL with ``$n`` parameters (SQLAlchemy's asyncpg dialect), the names of the
    parameters in order, and the values the statement binds itself."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    compiled = statement.compile(dialect=dialect())  # type: ignore[no-untyped-call]
    return str(compiled), list(compiled.positiontup or ()), dict(compiled.params)


def _dsn(store: Store) -> str:
    """The store's URL for asyncpg: a libpq URL (its ``options`` reach the server as
    they would through libpq)."""
    return store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


#: how the service's own connections show in ``pg_stat_activity``
_NAMED = {
    "read": {"application_name": "socialcredit-read"},
    "audit": {"application_name": "socialcredit-audit"},
}


def _broken() -> tuple[type[BaseException], ...]:
    """What asyncpg raises when a connection is gone (closed by the server, reset; a
    connection told it is being terminated while idle is left in a state that refuses
    the next statement)."""
    import asyncpg

    return (
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.InternalClientError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CannotConnectNowError,
        ConnectionError,
    )


class _Row:
    """A row read by name as an attribute, as SQLAlchemy's rows are."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None


class _PostgresReader(HotReader):
    """One statement on a few asyncpg connections (asyncpg: about half the processor
    time of psycopg's asynchronous connections a statement, measured here), prepared
    once on each."""

    def __init__(self, store: Store, statement: Select[Any], size: int) -> None:
        self._sql, self._names, self._defaults = _asyncpg_statement(statement, store)
        self._dsn = _dsn(store)
        self._size = size
        self._opened = 0
        self._idle: asyncio.LifoQueue[Any] = asyncio.LifoQueue()

    async def _connection(self) -> Any:
        import asyncpg

        while not self._idle.empty():  # the freshest idle one the server has not closed
            connection = self._idle.get_nowait()
            if not connection.is_closed():
                return connection
            self._opened -= 1
        if self._opened < self._size:
            self._opened += 1
            try:
                return await asyncpg.connect(self._dsn, server_settings=_NAMED["read"])
            except BaseException:
                self._opened -= 1
                raise
        return await self._idle.get()

    async def read(self, params: dict[str, Any]) -> Any:
        try:
            return await self._read(params)
        except _broken():  # that connection broke (it is closed): once more
            return await self._read(params)

    async def _read(self, params: dict[str, Any]) -> Any:
        values = self._defaults | params
        arguments = [values[name] for name in self._names]
        connection = await self._connection()
        try:
            record = await connection.fetchrow(self._sql, *arguments)
        except _broken():
            self._opened -= 1
            connection.terminate()
            raise
        except BaseException:
            self._idle.put_nowait(connection)
            raise
        self._idle.put_nowait(connection)
        return None if record is None else _Row(record)

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

        self._dsn = _dsn(store)
        #: the batch statement for each set of tables whose rows come with entries
        self._statements: dict[tuple[Any, ...], str] = {}
        #: the head as this writer last saw it (None: read it)
        self._head: tuple[int, str] | None = None
        self._batch = batch
        self._pending: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]] = []
        self._draining = False
        self._connection: Any = None
        #: the seqs and last hash of the batch being committed, once sent in full
        self._sealed: tuple[list[int], str] | None = None

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
                    seqs = await self._commit_retrying(items)
                except Exception as exc:  # none is answered unlogged
                    if self._connection is not None:
                        self._connection.terminate()
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

    async def _commit_retrying(
        self, items: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]]
    ) -> list[int]:
        """Commit; when the connection turns out broken (the server closed it), once
        more on a new one, unless the batch was in fact committed before it broke."""
        import asyncpg

        self._sealed = None
        try:
            return await self._commit(items)
        except _broken():
            if self._connection is not None:
                self._connection.terminate()
                self._connection = None
            sealed = self._sealed
            if sealed is not None:  # it may have broken at COMMIT, after the server had it
                seqs, last = sealed
                self._connection = await asyncpg.connect(self._dsn, server_settings=_NAMED["audit"])
                kept = await self._connection.fetchval(
                    "SELECT entry_hash FROM audit_log WHERE seq = $1", seqs[-1]
                )
                if kept == last:
                    return seqs
            return await self._commit(items)

    async def _commit(
        self, items: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]]
    ) -> list[int]:
        """One statement a batch, without holding the head's lock across round trips:
        the entries are sealed from the head as last seen, and the statement moves the
        head only if it is still there (compare and set), inserting the entries and
        their rows in the same statement. When another writer moved the head first,
        the head is read again and the batch sealed anew; after a few such turns the
        batch takes the head under its row lock instead."""
        import asyncpg

        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(self._dsn, server_settings=_NAMED["audit"])
            self._head = None
        connection = self._connection
        tables = tuple(dict.fromkeys(table for _, rows, _ in items for table, _ in rows))
        if tables not in self._statements:
            self._statements[tables] = _batch_statement(tables)
        for _ in range(_TURNS):
            seqs = await self._attempt(items, tables, lock=False)
            if seqs is not None:
                return seqs
        async with connection.transaction():
            seqs = await self._attempt(items, tables, lock=True)
        if seqs is None:
            raise ConfigurationError("the audit chain's head moved while it was locked")
        return seqs

    async def _attempt(
        self,
        items: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]],
        tables: tuple[Any, ...],
        *,
        lock: bool,
    ) -> list[int] | None:
        """One turn: the head (read again unless known; under its row lock with
        ``lock``), the batch sealed after it, the statement sent. None when another
        writer had moved the head."""
        connection = self._connection
        if self._head is None or lock:
            self._head = _head_values(
                await connection.fetchrow(
                    "SELECT seq, entry_hash FROM audit_head WHERE head_id = 1"
                    + (" FOR UPDATE" if lock else "")
                )
            )
        seq, previous = self._head
        seqs, last, arguments = self._sealed_batch(items, seq, previous, tables)
        self._sealed = (seqs, last)
        statement = self._statements[tables]
        if await connection.fetchval(statement, seq, previous, seqs[-1], last, *arguments):
            self._head = (seqs[-1], last)
            return seqs
        self._head = None  # another writer moved it
        return None

    def _sealed_batch(
        self,
        items: list[tuple[dict[str, Any], Rows, asyncio.Future[int]]],
        seq: int,
        previous: str,
        tables: tuple[Any, ...],
    ) -> tuple[list[int], str, list[list[Any]]]:
        """The batch's entries chained after (``seq``, ``previous``): their seqs, the last
        hash, and the statement's column arrays (the log's, then each table's)."""
        from socialcredit.store.audit import seal
        from socialcredit.store.models import AuditEntry

        at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        entries, seqs = [], []
        for fields, _, _ in items:
            seq += 1
            values = seal(fields, seq=seq, at=at, prev_hash=previous)
            previous = values["entry_hash"]
            entries.append(values)
            seqs.append(seq)
        arguments = _columns(AuditEntry.__table__, entries)
        for table in tables:
            rows = [values for _, these, _ in items for t, values in these if t is table]
            arguments += _columns(table, rows)
        return seqs, previous, arguments

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


#: compare-and-set turns before a batch takes the head under its row lock
_TURNS = 3


def _head_values(row: Any) -> tuple[int, str]:
    if row is None:
        raise ConfigurationError(
            "the store's audit chain has no head (audit_head row 1): its migrations did not run"
        )
    return int(row["seq"]), str(row["entry_hash"])


def _batch_statement(tables: tuple[Any, ...]) -> str:
    """The one statement of a batch: move the head from ($1, $2) to ($3, $4) if it is
    still at ($1, $2), and only then insert the entries and the rows of ``tables``
    (one array parameter a column, unnested). Returns 1 when it moved the head, 0
    when another writer had."""
    from sqlalchemy.dialects import postgresql

    from socialcredit.store.models import AuditEntry

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    parts = [
        "head AS (UPDATE audit_head SET seq = $3, entry_hash = $4 WHERE head_id = 1 "
        "AND seq = $1 AND entry_hash = $2 RETURNING 1)"
    ]
    number = 5
    for index, table in enumerate((AuditEntry.__table__, *tables)):
        columns = list(table.columns)
        arrays = ", ".join(
            f"${number + i}::{column.type.compile(dialect=dialect)}[]"
            for i, column in enumerate(columns)
        )
        number += len(columns)
        names = ", ".join(column.name for column in columns)
        parts.append(
            f"w{index} AS (INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}) "
            "WHERE EXISTS (SELECT 1 FROM head))"
        )
    return f"WITH {', '.join(parts)} SELECT count(*) FROM head"


def _columns(table: Any, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """One list a column of ``table`` (every column given in every row): JSON values as
    JSON text, which is what asyncpg sends for a json column."""
    return [
        [json.dumps(v) if isinstance(v := row[column.name], dict | list) else v for row in rows]
        for column in table.columns
    ]


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
