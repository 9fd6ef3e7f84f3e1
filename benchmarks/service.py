"""The service under load, on this machine, load from a second process on 127.0.0.1.

    python benchmarks/service.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                 [--seconds 60] [--connections 32] [--workers 1]

1. Publishing 1,000,000 scores into PostgreSQL (COPY), timed.
2. Ingestion through the API: a ~1,000,000-record Parquet payment batch POSTed to
   /v1/records/payment, records/s.
3. wrk against POST /v1/decisions and GET /v1/subjects/{id}/score?purpose=... (one
   server (``socialcredit serve --workers N``, default one process); every decision
   and read hash-chain audited in PostgreSQL, the decision stored with it) and, in
   the same run with the same server settings and as many processes, a bare FastAPI
   endpoint returning a constant.

``--load-only`` skips 1 and 2 (for working on the request path).
Prints tables for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx2 as httpx  # the test extra's HTTP client

BENCH_SECRET = "benchmark-secret-of-at-least-32-bytes"
BARE = """
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/constant")
def constant() -> dict[str, str]:
    return {"status": "ok"}
if __name__ == "__main__":
    # served as `socialcredit serve` serves: a TCP socket bound first (uvicorn's own,
    # with protocol 0, leaves Nagle's algorithm on in its multi-process mode)
    import socket
    from uvicorn.supervisors import Multiprocess
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[1])))
    sock.set_inheritable(True)
    workers = int(sys.argv[2])
    config = uvicorn.Config("bare:app", workers=workers, access_log=False, log_level="warning")
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
"""


def _schema_url(postgres: str) -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres}?options=-csearch_path%3D{schema}"


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def _wrk(
    url: str, seconds: int, connections: int, headers: dict[str, str], body: str | None = None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if body is not None:
        script = Path(tempfile.mkdtemp()) / "post.lua"
        script.write_text(
            f'wrk.method = "POST"\nwrk.body = [[{body}]]\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99_ms = float(p99[1]) * factor[p99[2]] if p99 else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    return {
        "rps": rate,
        "p99_ms": p99_ms,
        "non_2xx": int(errors[1]) if errors else 0,
        "socket_errors": socket_errors[0] if socket_errors else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--load-only", action="store_true", help="skip publishing and ingest")
    options = parser.parse_args()
    os.environ["SOCIALCREDIT_SUBJECT_KEY_SECRET"] = BENCH_SECRET
    root = Path(tempfile.mkdtemp(prefix="socialcredit-service-"))

    from socialcredit.features import DIMENSIONS
    from socialcredit.lake.workspace import Workspace
    from socialcredit.publish.scores import publish_run
    from socialcredit.scorecard import MAX_SCORE, MIN_SCORE
    from socialcredit.settings import Settings, utc_now
    from socialcredit.simulate import simulate
    from socialcredit.store.keys import create_key
    from socialcredit.store.models import Consent, Partner

    store_url = _schema_url(options.postgres)
    space = Workspace.open(
        Settings(workspace=root / "ws", store=store_url, subject_key_secret=BENCH_SECRET)
    )
    lake = space.engine()
    # 1. 1,000,000 score rows in the lake, published into PostgreSQL.
    lake.execute(
        "runs",
        "INSERT INTO score_runs VALUES ('bench', DATE '2026-06-30', 'expert', "
        "'duckdb', 1000000, '', now()::TIMESTAMP, 7)",
    )
    subscores = ", ".join(f"sub_{d}" for d in DIMENSIONS)
    into = (
        "INSERT INTO score_rows (run_id, as_of, scorecard_version, subject_key, score, tier, "
        f"{subscores}, reason_1, lost_1, reason_2, lost_2) SELECT 'bench', DATE '2026-06-30', "
    )
    values = ", ".join("700" for _ in DIMENSIONS)
    lake.execute(
        "history",
        f"{into}'expert', md5(i::VARCHAR)[:32], "
        f"{MIN_SCORE} + (i * 7919) % {MAX_SCORE - MIN_SCORE}, "
        f"'good', {values}, 'ch_history_months', 20, 'pc_years_at_address', 10 "
        f"FROM range({100 if options.load_only else 1_000_000}) r(i)",
    )
    started = time.perf_counter()
    published = publish_run(space.store(), lake, "bench")
    publish_s = time.perf_counter() - started
    # A real person to read, keys.
    feeds = simulate(root / "feeds", citizens=120_000, seed=2, fmt="parquet")
    batch = root / "feeds" / "river-grid-utility.payment.parquet"
    rows = next(f["rows"] for f in feeds["feeds"] if f["file"] == batch.name)
    import pyarrow.parquet as pq

    person = pq.read_table(batch, columns=["resident_id"]).column(0)[0].as_py()
    lake.execute(
        "person",
        f"{into}'expert', '{space.keyer().key(person)}', 590, 'fair', {values}, "
        "'ch_history_months', 20, 'pc_years_at_address', 10",
    )
    publish_run(space.store(), lake, "bench")
    with space.store().session() as session, session.begin():
        session.add(
            Partner(
                partner_id="river-grid-utility",
                name="grid",
                kind="utility",
                created_at=dt.datetime(2026, 1, 1),
            )
        )
        session.flush()
        now = utc_now()
        session.add(
            Consent(
                consent_id="bench",
                subject_key=space.keyer().key(person),
                partner_id="river-grid-utility",
                purpose="credit_application",
                granted_at=now,
                expires_at=now + dt.timedelta(days=1),
                revoked_at=None,
            )
        )
        _, key = create_key(
            session,
            "partner",
            partner_id="river-grid-utility",
            scopes=["records:*", "scores:read", "decisions:*"],
            rate_per_minute=10_000_000,
        )
    space.close()

    command = Path(sys.executable).parent / "socialcredit"
    server = subprocess.Popen(
        [str(command), "serve", "--port", "8731", "--workers", str(options.workers)],
        env=os.environ
        | {"SOCIALCREDIT_WORKSPACE": str(root / "ws"), "SOCIALCREDIT_STORE": store_url},
    )
    # The bare endpoint runs beside it (idle while the service is measured), measured
    # before and after the service: the machine's noise falls on both alike.
    (root / "bare.py").write_text(BARE)
    bare = subprocess.Popen(
        [sys.executable, str(root / "bare.py"), "8732", str(options.workers)], cwd=root
    )
    bare_url = "http://127.0.0.1:8732/constant"
    try:
        _wait("http://127.0.0.1:8731/v1/health")
        _wait(bare_url)
        headers = {"Authorization": f"Bearer {key}"}
        # 2. Ingestion through the API.
        ingest_s, accepted = float("nan"), 0
        if not options.load_only:
            started = time.perf_counter()
            answer = httpx.post(
                "http://127.0.0.1:8731/v1/records/payment",
                content=batch.read_bytes(),
                headers=headers
                | {"Idempotency-Key": "bench", "Content-Type": "application/vnd.apache.parquet"},
                timeout=600,
            )
            ingest_s = time.perf_counter() - started
            answer.raise_for_status()
            accepted = answer.json()["accepted"]
        # 3. Load.
        asked = f'{{"resident_id": "{person}", "action": "loan", "purpose": "credit_application"}}'
        decisions_url = "http://127.0.0.1:8731/v1/decisions"
        first = httpx.post(decisions_url, content=asked, headers=headers)
        assert first.status_code == 200, first.text
        constant_before = _wrk(bare_url, options.seconds, options.connections, {})
        decisions = _wrk(decisions_url, options.seconds, options.connections, headers, asked)
        url = f"http://127.0.0.1:8731/v1/subjects/{person}/score?purpose=credit_application"
        assert httpx.get(url, headers=headers).status_code == 200
        scores = _wrk(url, options.seconds, options.connections, headers)
        constant_after = _wrk(bare_url, options.seconds, options.connections, {})
        # 4. Decisions while the same batch is uploaded again (a new Idempotency-Key:
        # read, validated, every row a duplicate), 8 connections.
        during: dict[str, float] | None = None
        if not options.load_only:
            again = threading.Thread(
                target=httpx.post,
                args=("http://127.0.0.1:8731/v1/records/payment",),
                kwargs={
                    "content": batch.read_bytes(),
                    "headers": headers
                    | {
                        "Idempotency-Key": "again",
                        "Content-Type": "application/vnd.apache.parquet",
                    },
                    "timeout": 600,
                },
            )
            again.start()
            during = _wrk(decisions_url, min(options.seconds, 10), 8, headers, asked)
            again.join()
    finally:
        server.terminate()
        server.wait()
        bare.terminate()
        bare.wait()
    constant = {
        "rps": (constant_before["rps"] + constant_after["rps"]) / 2,
        "p99_ms": max(constant_before["p99_ms"], constant_after["p99_ms"]),
    }

    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores\n")
    print("| what | result |")
    print("|---|---|")
    print(f"| publish {published['published']:,} scores into PostgreSQL | {publish_s:.1f} s |")
    print(
        f"| ingest a {rows:,}-record Parquet batch through the API | {ingest_s:.1f} s, "
        f"{rows / ingest_s:,.0f} records/s ({accepted:,} accepted) |"
    )
    print(
        f"\nwrk, {options.workers} server process(es), {options.connections} connections, "
        f"{options.seconds} s each\n"
    )
    print("| endpoint | requests/s | p99 | non-2xx | socket errors |")
    print("|---|---:|---:|---:|---|")
    for name, result in (
        ("POST /v1/decisions (store read, decision + audit entry committed)", decisions),
        ("GET score (store read + audited)", scores),
        ("bare FastAPI constant, before", constant_before),
        ("bare FastAPI constant, after", constant_after),
    ):
        print(
            f"| {name} | {result['rps']:,.0f} | {result['p99_ms']:.1f} ms | "
            f"{result['non_2xx']} | {result['socket_errors']} |"
        )
    if during is not None:
        print(
            f"| POST /v1/decisions during an upload, 8 connections | {during['rps']:,.0f} | "
            f"{during['p99_ms']:.1f} ms | {during['non_2xx']} | {during['socket_errors']} |"
        )
    print(
        f"\nbare endpoint (mean of before and after): {constant['rps']:,.0f} requests/s, "
        f"p99 {constant['p99_ms']:.1f} ms (the larger)"
    )
    print(
        f"decisions at {decisions['rps'] / constant['rps']:.0%} of the bare endpoint, "
        f"p99 {decisions['p99_ms'] / constant['p99_ms']:.2f}x the bare endpoint's"
    )
    print(f"score reads at {scores['rps'] / constant['rps']:.0%} of the bare endpoint")


if __name__ == "__main__":
    main()
