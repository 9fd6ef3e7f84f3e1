"""Erasure on a real PostgreSQL leaves no byte of the person's subject key in any
file of the store's tables, indexes and TOAST tables, logs no bound parameter, and
is recorded in the audit log even for a person only the lake knew.

How the bytes are read: when this process can read the server's data directory
(the same machine, a user allowed to read it), each relation's files are read
after a CHECKPOINT (``pg_relation_filepath``), including the files the relations
had before the erasure; otherwise every page is read through ``pageinspect``'s
``get_raw_page``, which is what the files hold once the buffers are written. Either
way the scan sees the bytes of dead rows and of free space inside pages, which
SQL queries cannot: a plain VACUUM leaves a deleted row's bytes in a page's free
space when no live row is moved over them."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from socialcredit.identity import parse
from socialcredit.rights.erasure import erase_person
from socialcredit.store import audit
from tests.utils.postgres import POSTGRES_URL
from tests.utils.records import resident, row, write_csv
from tests.utils.service import Service, a_full_file, start_service

PAGE = 8192

_RELATIONS = """
WITH tables AS (SELECT oid FROM pg_class WHERE relnamespace = to_regnamespace(%(schema)s)
                AND relkind IN ('r', 'm')),
     toast AS (SELECT reltoastrelid AS oid FROM pg_class
               WHERE oid IN (SELECT oid FROM tables) AND reltoastrelid <> 0),
     heaps AS (SELECT oid FROM tables UNION SELECT oid FROM toast),
     indexes AS (SELECT indexrelid AS oid FROM pg_index WHERE indrelid IN (SELECT oid FROM heaps))
SELECT r.oid::regclass::text, pg_relation_filepath(r.oid), pg_relation_size(r.oid)
FROM (SELECT oid FROM heaps UNION SELECT oid FROM indexes) r ORDER BY 1
"""


@pytest.fixture
def schema(postgres: Any) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    postgres.execute(f"CREATE SCHEMA {name}")
    yield name
    postgres.execute(f"DROP SCHEMA {name} CASCADE")


def _url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


class Scanner:
    """Finds which relations of a schema hold some bytes, in their files or pages."""

    def __init__(self, postgres: Any, schema: str) -> None:
        self.postgres, self.schema = postgres, schema
        data = postgres.execute("SHOW data_directory").fetchone()[0]
        self.data = Path(data)
        self.files = os.access(self.data / "base", os.R_OK | os.X_OK)
        if not self.files:
            postgres.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        self.seen: set[Path] = set()

    def relations(self) -> list[tuple[str, str, int]]:
        return list(self.postgres.execute(_RELATIONS, {"schema": self.schema}).fetchall())

    def _file_bytes(self, path: str) -> bytes:
        base = self.data / path
        chunks, segment = [], 0
        while True:
            part = base if segment == 0 else base.with_name(f"{base.name}.{segment}")
            if not part.exists():
                return b"".join(chunks)
            self.seen.add(part)
            chunks.append(part.read_bytes())
            segment += 1

    def _page_bytes(self, relation: str, size: int) -> bytes:
        return b"".join(
            bytes(self.postgres.execute("SELECT get_raw_page(%s, %s)", (relation, n)).fetchone()[0])
            for n in range(size // PAGE)
        )

    def holding(self, needle: bytes) -> list[str]:
        """Relations whose bytes contain ``needle``; with files, also any file this
        scanner read before (a relation's old file after a rewrite) that still does."""
        self.postgres.execute("CHECKPOINT")
        found = []
        for relation, path, size in self.relations():
            data = self._file_bytes(path) if self.files else self._page_bytes(relation, size)
            if needle in data:
                found.append(relation)
        for old in sorted(self.seen):
            if old.exists() and needle in old.read_bytes() and old.name not in found:
                found.append(f"old file {old.name}")
        return found


def test_erasure_leaves_no_byte_of_the_key(
    tmp_path: Path, postgres: Any, schema: str, caplog: pytest.LogCaptureFixture
) -> None:
    with start_service(tmp_path, _url(schema)) as service:
        a_full_file(service)
        key = service.workspace.keyer().key(service.citizen_id)
        scanner = Scanner(postgres, schema)
        before = {name.split(".")[-1] for name in scanner.holding(key.encode())}
        for table in ("published_scores", "audit_log", "consents", "credentials", "decisions"):
            assert table in before, f"control: {table} holds the key before ({before})"

        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
        erased = _erase(service)
        assert erased.status_code == 200, erased.text
        assert scanner.holding(key.encode()) == []
        assert scanner.holding(service.citizen_id.encode()) == []

        logged = caplog.text
        assert "DELETE FROM" in logged, "control: statements were logged"
        assert key not in logged
        assert "parameters hidden" in logged


def _erase(service: Service) -> Any:
    return service.client.post(
        "/v1/erasures",
        headers=service.auth(service.operator),
        json={"resident_id": service.citizen_id},
    )


def test_failed_statement_shows_no_parameters(tmp_path: Path, schema: str) -> None:
    """An error's message (what the service logs) names the statement, not the values."""
    from sqlalchemy.exc import IntegrityError

    from socialcredit.store import open_store

    store = open_store(_url(schema))
    secret = "a3f1c0ffee" * 3
    try:
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO partners (partner_id, name, kind, created_at) "
                    "VALUES (:p, :p, 'bank', now())"
                ),
                {"p": secret},
            )
        with pytest.raises(IntegrityError) as failure, store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO partners (partner_id, name, kind, created_at) "
                    "VALUES (:p, 'x', 'bank', now())"
                ),
                {"p": secret},
            )
        message = str(failure.value)
        assert "INSERT INTO partners" in message
        assert "parameters hidden" in message
        assert f"'{secret}'" not in message.split("[SQL:")[-1]
    finally:
        store.dispose()


def test_erasing_a_person_only_the_lake_knows_is_audited(tmp_path: Path, schema: str) -> None:
    with start_service(tmp_path, _url(schema)) as service:
        newcomer = resident(7, birth="19900101")
        feed = write_csv(tmp_path / "late.csv", [row("payment", "late-1", person=newcomer)])
        answer = service.client.post(
            "/v1/records/payment",
            content=feed.read_bytes(),
            headers=service.auth(service.bank)
            | {"Idempotency-Key": "late", "Content-Type": "text/csv"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == 1
        store = service.workspace.store()
        with store.session() as session:
            erasures_before = session.execute(
                text("SELECT count(*) FROM audit_log WHERE action = :a"), {"a": audit.ERASURE}
            ).scalar_one()
        result = erase_person(
            service.workspace.engine(), service.workspace.keyer(), newcomer, store=store
        )
        assert result["removed"]["subjects"] == 1
        assert not any(result["store"].values()), "control: the store knew nothing of them"
        with store.session() as session:
            details = (
                session.execute(
                    text("SELECT detail FROM audit_log WHERE action = :a ORDER BY seq"),
                    {"a": audit.ERASURE},
                )
                .scalars()
                .all()
            )
            assert audit.verify(session).ok
        assert len(details) == erasures_before + 1
        key = service.workspace.keyer().key(parse(newcomer).number)
        assert key not in str(details[-1])
