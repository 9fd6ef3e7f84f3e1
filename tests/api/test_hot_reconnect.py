"""The request path's connections to PostgreSQL: when the database drops them (a
restart, an administrator), reads go on over new ones without an error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.utils.postgres import postgres_schema
from tests.utils.service import Service, start_service


@pytest.fixture
def on_postgres(postgres: Any, tmp_path: Path) -> Iterator[tuple[Service, str]]:
    url = postgres_schema(postgres)
    with start_service(tmp_path, url) as running:
        yield running, url.rsplit("%3D", 1)[1]


def _read(service: Service) -> Any:
    return service.client.get(
        f"/v1/subjects/{service.citizen_id}/score",
        params={"purpose": "credit_application"},
        headers=service.auth(service.bank),
    )


def _drop(postgres: Any, name: str) -> int:
    rows = postgres.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        (name,),
    ).fetchall()
    return len(rows)


def test_a_read_survives_its_connection_being_dropped(
    on_postgres: tuple[Service, str], postgres: Any
) -> None:
    service, _ = on_postgres
    first = _read(service)
    assert first.status_code == 200, first.text
    assert _drop(postgres, "socialcredit-read") >= 1
    again = _read(service)
    assert again.status_code == 200, again.text
    assert again.json()["score"] == first.json()["score"]


def test_after_the_audit_connection_is_dropped_every_read_is_logged(
    on_postgres: tuple[Service, str], postgres: Any
) -> None:
    service, schema = on_postgres
    assert _read(service).status_code == 200
    assert _drop(postgres, "socialcredit-audit") == 1
    # The server closed it between two batches: the next batch opens a new one.
    for _ in range(3):
        assert _read(service).status_code == 200
    logged = postgres.execute(
        f"SELECT count(*) FROM {schema}.audit_log WHERE action = 'score_read'"
    ).fetchone()[0]
    assert logged == 4
