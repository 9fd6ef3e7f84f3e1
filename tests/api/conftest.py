"""A running service over a small nation, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.postgres import postgres_schema
from tests.utils.service import Service, start_service


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    store_url = None
    if request.param == "postgresql":
        store_url = postgres_schema(request.getfixturevalue("postgres"))
    with start_service(tmp_path, store_url) as running:
        yield running
