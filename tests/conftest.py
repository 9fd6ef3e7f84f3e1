"""Shared fixtures: a real DuckDB lake, a keyer, and a small synthetic nation
ingested and scored once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialcredit.engines import Engine, connect
from socialcredit.identity import SubjectKeyer
from socialcredit.lake.schema import ensure_lake
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.simulate import simulate
from tests.utils.cli import run as run_cli
from tests.utils.nation import NATION_CITIZENS, NATION_SEED, SECRET, Nation, ingest_feeds
from tests.utils.postgres import POSTGRES_URL

#: fixture -> the marker of what a test using it needs. A fixture that asks for the
#: ``postgres`` fixture only for some of its parameters (``request.getfixturevalue``)
#: marks those itself: ``pytest.param("postgresql", marks=pytest.mark.postgres)``.
NEEDS = {"postgres": "postgres", "spark": "spark", "browser": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with what its fixtures need, and as ``slow`` each test of a module
    that runs the command line in real processes (:func:`tests.utils.cli.run`, seconds a
    call), so that ``-m "not slow and not spark and not browser and not postgres"``
    leaves them out."""
    for item in items:
        for fixture in NEEDS.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(NEEDS[fixture])
        if getattr(getattr(item, "module", None), "run", None) is run_cli:
            item.add_marker("slow")


@pytest.fixture
def keyer() -> SubjectKeyer:
    return SubjectKeyer(SECRET)


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[Engine]:
    """An empty lake in a DuckDB file of its own."""
    engine = connect(f"duckdb://{tmp_path / 'lake.duckdb'}")
    ensure_lake(engine)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nation]:
    """A small nation: simulated, every feed ingested, scored with the default scorecard."""
    root = tmp_path_factory.mktemp("nation")
    manifest = simulate(root / "feeds", citizens=NATION_CITIZENS, seed=NATION_SEED)
    engine = connect(f"duckdb://{root / 'lake.duckdb'}")
    ensure_lake(engine)
    keyer = SubjectKeyer(SECRET)
    batches = ingest_feeds(engine, keyer, root / "feeds", manifest, root / "rejections")
    run = score_population(engine, default_spec())
    yield Nation(root, manifest, engine, keyer, batches, run)
    engine.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL connection. Missing server: skipped locally, a failure in CI."""
    import psycopg

    try:
        connection = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI needs it; .ci/run starts it)")
        pytest.skip(message)
    yield connection
    connection.close()
