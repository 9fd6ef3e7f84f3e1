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
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from socialcredit.api import create_app
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.scorecard import ScorecardSpec, default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.store import keys
from socialcredit.store.models import Partner
from tests.conftest import ingest_feeds

SECRET = "console-test-secret"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Where the tests leave a screenshot of each page (ignored by git; the README's
#: copies live in docs/screenshots).
SCREENSHOTS = Path(
    os.environ.get(
        "SOCIALCREDIT_SCREENSHOTS", Path(__file__).parents[1] / "_artifacts" / "screenshots"
    )
)


def challenger_spec() -> ScorecardSpec:
    """The default scorecard with every numeric bin worth 6 points more: a challenger."""
    spec = default_spec()
    features = tuple(
        f.model_copy(update={"points": tuple(p + 6 for p in f.points)})
        if f.kind == "numeric"
        else f
        for f in spec.features
    )
    return spec.model_copy(update={"version": f"{spec.version}-challenger", "features": features})


@dataclass(frozen=True)
class Nation:
    root: Path
    operator: str
    partner: str  # harbour-bank, answers disputes
    partner_id: str
    citizen: str
    citizen_key: str


@pytest.fixture(scope="session")
def console_nation(tmp_path_factory: pytest.TempPathFactory) -> Nation:
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
    return Nation(root, operator, partner, "harbour-bank", citizen, citizen_key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    root: Path
    app: Any


@pytest.fixture
def server(console_nation: Nation, tmp_path: Path) -> Iterator[Server]:
    """The real service on a free port, over this test's own copy of the nation."""
    shutil.copytree(console_nation.root / "ws", tmp_path / "ws")
    app = create_app(Settings(workspace=tmp_path / "ws", subject_key_secret=SECRET))
    port = _free_port()
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


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        message = (
            "chromium is not on PATH: the console tests drive the system Chromium "
            "(apt-get install chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Console:
    """One browser tab on the console, recording every console error, page error,
    failed request and error response for the test to check."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"),
        )
        self.page.on(
            "response",
            lambda r: (
                self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
            ),
        )

    def open(self, path: str) -> None:
        """Go to a console page and wait until it has fetched and drawn everything."""
        self.page.goto(f"{self.base}/console/{path}")
        self.ready()

    def ready(self) -> None:
        self.page.wait_for_selector("body[data-ready='true']", timeout=20_000)

    def sign_in(self, key: str) -> None:
        self.page.goto(f"{self.base}/console/")
        self.page.fill("#key", key)
        with self.page.expect_navigation():
            self.page.press("#key", "Enter")
        self.ready()

    def sign_out(self) -> None:
        self.page.click("text=Sign out")
        self.page.wait_for_url("**/console/index.html")
        self.ready()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


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
