"""The web console in a real headless Chromium: the nation it shows, the server it
talks to, and a browser tab that records every problem it sees."""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from socialcredit.scorecard import ScorecardSpec, default_spec

SECRET = "console-test-secret-of-at-least-32-bytes"
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
class ConsoleNation:
    """The console's nation: two runs, a challenger, published scores, keys."""

    root: Path
    operator: str
    partner: str  # harbour-bank, answers disputes
    partner_id: str
    citizen: str
    citizen_key: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    root: Path
    app: Any


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
