"""The web console over a national population: each page's time until fully drawn
in headless Chromium, and each JSON endpoint's time.

    python benchmarks/console.py [--citizens 1000000] [--dir DIR] [--loads 5]

Builds a nation with benchmarks/pipeline.py's steps (simulate, ingest, score) in
DIR/ws, or reuses one already there; adds an earlier run and a challenger run,
publishes the latest run into the store, opens a few disputes and makes keys
(once). Then starts the server (one process on 127.0.0.1) and measures:

- each endpoint: the first request after start (cold) and the median of the
  next ones (warm), from a client on the same machine;
- each page: from navigation start until ``body[data-ready]`` (every fetch done,
  every chart drawn), first visit of a fresh browser profile (cold) and the
  median of the reloads after it (warm).

Goal: every page under 1 s. Prints a table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from pipeline import run_step  # the nation is built the way pipeline.py builds it

SERVER = """
import sys, uvicorn
from socialcredit.api import create_app
from socialcredit.settings import Settings
app = create_app(Settings(workspace=sys.argv[1]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log=False, log_level="warning")
"""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DISPUTES = 40


def _prepare(ws: Path) -> dict[str, str]:
    """Runs, published scores, disputes and keys; kept in DIR/console-keys.json."""
    from sqlalchemy import text

    from socialcredit.lake.workspace import Workspace
    from socialcredit.publish.scores import publish_run
    from socialcredit.rights.disputes import open_dispute
    from socialcredit.scorecard import default_spec
    from socialcredit.scoring.runs import score_population
    from socialcredit.settings import Settings
    from socialcredit.store import keys
    from socialcredit.store.models import Partner

    space = Workspace.open(Settings(workspace=ws))
    lake = space.engine()
    latest = lake.query(  # the run pipeline.py made (the first one)
        "latest", "SELECT run_id, as_of FROM score_runs ORDER BY created_at"
    ).to_pylist()[0]
    steps: list[tuple[str, float]] = []
    if lake.scalar("runs", "SELECT count(*) FROM score_runs") < 3:  # not added yet
        started = time.perf_counter()
        score_population(lake, default_spec(), as_of=latest["as_of"] - dt.timedelta(days=91))
        steps.append(("earlier run", time.perf_counter() - started))
        started = time.perf_counter()
        spec = default_spec()
        features = tuple(
            f.model_copy(update={"points": tuple(p + 6 for p in f.points)})
            if f.kind == "numeric"
            else f
            for f in spec.features
        )
        challenger = spec.model_copy(
            update={"version": f"{spec.version}-challenger", "features": features}
        )
        score_population(lake, challenger, as_of=latest["as_of"])
        steps.append(("challenger run", time.perf_counter() - started))
    started = time.perf_counter()
    publish_run(space.store(), lake, latest["run_id"])
    steps.append(("publish", time.perf_counter() - started))
    partners = [
        r["partner_id"]
        for r in lake.query("partners", "SELECT DISTINCT partner_id FROM batches").to_pylist()
    ]
    records = lake.query(
        "records",
        f"SELECT subject_key, partner_id, record_id FROM rec_payment USING SAMPLE {DISPUTES} ROWS",
    ).to_pylist()
    with space.store().session() as session, session.begin():
        for partner in partners:
            session.add(
                Partner(
                    partner_id=partner,
                    name=partner,
                    kind="bench",
                    created_at=dt.datetime(2026, 1, 1),
                )
            )
    for i, record in enumerate(records):
        opened = open_dispute(
            space.store(),
            lake,
            subject_key=record["subject_key"],
            partner_id=record["partner_id"],
            category="payment",
            record_id=record["record_id"],
            reason="benchmark",
            deadline_days=20,
            actor="bench",
        )
        with space.store().session() as session, session.begin():  # spread over 40 days
            session.execute(
                text("UPDATE disputes SET opened_at = :o, deadline = :d WHERE dispute_id = :i"),
                {
                    "o": opened.opened_at - dt.timedelta(days=i),
                    "d": opened.deadline - dt.timedelta(days=i),
                    "i": opened.dispute_id,
                },
            )
    partner = records[0]["partner_id"]
    with space.store().session() as session, session.begin():
        _, operator = keys.create_key(session, "operator", rate_per_minute=1_000_000)
        _, partner_key = keys.create_key(
            session,
            "partner",
            partner_id=partner,
            scopes=["disputes:answer"],
            rate_per_minute=1_000_000,
        )
        _, citizen = keys.create_key(
            session, "citizen", subject_key=records[0]["subject_key"], rate_per_minute=1_000_000
        )
    space.close()
    for name, seconds in steps:
        print(f"prepared: {name} in {seconds:.1f} s", flush=True)
    return {
        "operator": operator,
        "partner": partner_key,
        "citizen": citizen,
        "subject": records[0]["subject_key"],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str, key: str | None = None) -> float:
    request = urllib.request.Request(url)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        answer.read()
    return time.perf_counter() - started


def _wait(url: str) -> None:
    for _ in range(600):
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def _endpoints(base: str, k: dict[str, str], loads: int) -> list[tuple[str, float, float]]:
    purpose = "dispute_review"
    calls = [
        ("GET /v1/operator/population", "/v1/operator/population", k["operator"]),
        ("GET /v1/operator/scorecard", "/v1/operator/scorecard", k["operator"]),
        ("GET /v1/operator/disputes", "/v1/operator/disputes?status=open", k["operator"]),
        (
            "GET /v1/operator/people/{key}/report",
            f"/v1/operator/people/{k['subject']}/report?purpose={purpose}",
            k["operator"],
        ),
        ("GET /v1/me/report", "/v1/me/report", k["citizen"]),
        ("GET /v1/disputes (partner)", "/v1/disputes?status=open", k["partner"]),
    ]
    rows = []
    for name, path, key in calls:
        cold = _get(base + path, key)
        warm = statistics.median(_get(base + path, key) for _ in range(loads))
        rows.append((name, cold, warm))
    return rows


def _pages(base: str, k: dict[str, str], loads: int) -> list[tuple[str, float, float]]:
    from playwright.sync_api import sync_playwright

    pages = [
        ("dashboard (operator)", "dashboard.html", "operator"),
        ("report (citizen)", "report.html", "citizen"),
        (
            "report (operator)",
            f"report.html?subject={k['subject']}&purpose=dispute_review",
            "operator",
        ),
        ("disputes (operator)", "disputes.html", "operator"),
        ("disputes (partner)", "disputes.html", "partner"),
        ("scorecard (operator)", "scorecard.html", "operator"),
    ]
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not on PATH (apt-get install chromium)")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, path, who in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            # Signed in as the sign-in page would leave it.
            context.add_init_script(
                f"sessionStorage.setItem('socialcredit.console.key', {json.dumps(k[who])});"
                f"sessionStorage.setItem('socialcredit.console.kind', {json.dumps(who)});"
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            times = []
            for _ in range(loads + 1):
                started = time.perf_counter()
                page.goto(f"{base}/console/{path}")
                page.wait_for_selector("body[data-ready='true']", timeout=120_000)
                times.append(time.perf_counter() - started)
                if page.locator("#error").inner_text().strip():
                    errors.append(page.locator("#error").inner_text())
            if errors:
                raise SystemExit(f"{name}: {errors}")
            rows.append((name, times[0], statistics.median(times[1:])))
            context.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (kept; reused)")
    parser.add_argument("--loads", type=int, default=5, help="warm loads per page/endpoint")
    options = parser.parse_args()
    root = options.dir or Path(tempfile.mkdtemp(prefix="socialcredit-console-"))
    root.mkdir(parents=True, exist_ok=True)
    ws = root / "ws"
    if not (ws / "lake.duckdb").exists():
        for step, args in (
            ("simulate", (str(root), str(options.citizens), "parquet")),
            ("ingest", (str(root),)),
            ("score", (str(root),)),
        ):
            seconds, _, out = run_step(step, *args)
            print(f"built: {step} in {seconds:.1f} s {out}", flush=True)
        shutil.rmtree(root / "feeds", ignore_errors=True)
    saved = root / "console-keys.json"
    if not saved.exists():
        saved.write_text(json.dumps(_prepare(ws)))
    k = json.loads(saved.read_text())

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(ws), str(port)])
    try:
        _wait(f"{base}/v1/health")
        endpoints = _endpoints(base, k, options.loads)
        pages = _pages(base, k, options.loads)
    finally:
        server.terminate()
        server.wait(timeout=30)
    people = _people(ws)
    print(
        f"\n{people:,} people scored, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
    )
    for title, rows in (("endpoint", endpoints), ("page (until data-ready)", pages)):
        print(f"| {title} | cold ms | warm ms (median) |")
        print("|---|---:|---:|")
        for name, cold, warm in rows:
            print(f"| {name} | {cold * 1000:.0f} | {warm * 1000:.0f} |")
        print()


def _people(ws: Path) -> int:
    from socialcredit.lake.workspace import Workspace
    from socialcredit.settings import Settings

    space = Workspace.open(Settings(workspace=ws))
    count: Any = space.engine().scalar(
        "people", "SELECT subjects FROM score_runs ORDER BY as_of DESC, created_at LIMIT 1"
    )
    space.close()
    return int(count)


if __name__ == "__main__":
    main()
