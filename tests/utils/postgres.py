"""Reaching the real PostgreSQL the tests run against (the ``postgres`` fixture
connects; each test works in a schema of its own)."""

from __future__ import annotations

import os
import uuid
from typing import Any

POSTGRES_URL = os.environ.get(
    "SOCIALCREDIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def postgres_schema(postgres: Any) -> str:
    """A new empty schema on the ``postgres`` connection: the store URL that uses it."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    postgres.execute(f"CREATE SCHEMA {schema}")
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
