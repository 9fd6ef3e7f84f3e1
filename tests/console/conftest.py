"""The web console in a real headless Chromium, against the real server (uvicorn on
127.0.0.1) over a small nation: two scoring runs, a challenger run, published scores
and keys for an operator, a partner and a person.

The nation is built once; every test gets its own copy and its own server, so a
dispute filed in one test is not seen by another. Chromium is the system's
(``chromium`` on PATH); without it the tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from socialcredit.api import create_app
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.store import keys
from socialcredit.store.models import Partner
from tests.utils.console import (
    CHROMIUM_ARGS,
    SECRET,
    Console,
    ConsoleNation,
    Server,
    challenger_spec,
    chromium_path,
    free_port,
)
from tests.utils.nation import ingest_feeds


@pytest.fixture(scope="session")
def console_nation(tmp_path_factory: pytest.TempPathFactory) -> ConsoleNation:
    root = tmp_path_factory.mktemp("console")
    settings = Settings(workspace=root / "ws", subject_key_secret=SECRET)
    space = Workspace.open(settings)
    manifest = simulate(root / "feeds", citizens=300, seed=13)
    ingest_feeds(space.engine(), space.keyer(), root / "feeds", manifest, space.rejections_dir)
    latest = score_population(space.engine(), default_spec())
    earlier = dt.date.fromisoformat(latest.as_of) - dt.timedelta(days=91)
    score_population(space.engine(), default_spec(), as_of=earlier)
    score_population(space.engine(), challenger_spec(), as_of=dt.date.fromisoformat(latest.as_of))
    publish_run(space.store(), space.engine(), latest.run_id)
    with open(root / "feeds" / "harbour-bank.payment.csv", encoding="utf-8") as handle:
        person = next(csv.DictReader(handle))["resident_id"]
    with space.store().session() as session, session.begin():
        session.add(
            Partner(
                partner_id="harbour-bank",
                name="Harbour Bank",
                kind="bank",
                created_at=dt.datetime(2026, 1, 1),
            )
        )
        session.flush()
        _, operator = keys.create_key(session, "operator")
        _, partner = keys.create_key(
            session, "partner", partner_id="harbour-bank", scopes=["disputes:answer"]
        )
        citizen_key = space.keyer().key(person)
        _, citizen = keys.create_key(session, "citizen", subject_key=citizen_key)
    space.close()
    return ConsoleNation(root, operator, partner, "harbour-bank", citizen, citizen_key)


@pytest.fixture
def server(console_nation: ConsoleNation, tmp_path: Path) -> Iterator[Server]:
    """The real service on a free port, over this test's own copy of the nation."""
    shutil.copytree(console_nation.root / "ws", tmp_path / "ws")
    app = create_app(Settings(workspace=tmp_path / "ws", subject_key_secret=SECRET))
    port = free_port()
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", tmp_path, app)
    running.should_exit = True
    thread.join(timeout=30)
    app.state.service.workspace.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _console(browser: Any, server: Server, **context: Any) -> Iterator[Console]:
    opened = browser.new_context(locale="en-US", **context)
    tab = Console(opened.new_page(), server.url)
    tab.watch()
    yield tab
    opened.close()


@pytest.fixture
def console(browser: Any, server: Server) -> Iterator[Console]:
    """A desktop-sized tab."""
    yield from _console(browser, server, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[Console]:
    """A phone-sized tab (375 px wide)."""
    yield from _console(
        browser, server, viewport={"width": 375, "height": 800}, device_scale_factor=2
    )
