"""An ingestion killed with SIGKILL leaves the whole batch or none of it, and
the same file then ingests cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socialcredit.engines import connect
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from socialcredit.lake.schema import ensure_lake
from socialcredit.simulate import simulate

#: each case kills a real process mid-ingest and opens the lake again: seconds a case
pytestmark = pytest.mark.slow

SCRIPT = """
import sys
from pathlib import Path
from socialcredit.engines import connect
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from socialcredit.lake.schema import ensure_lake
engine = connect("duckdb://" + sys.argv[1])
ensure_lake(engine)
print("ready", flush=True)
ingest_file(engine, SubjectKeyer("k"), Path(sys.argv[2]), partner="river-grid-utility",
            category_name="payment", rejections_dir=Path(sys.argv[3]))
print("done", flush=True)
"""


def _start(lake: Path, feed: Path, rejections: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(lake), str(feed), str(rejections)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture(scope="module")
def big_feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A feed of about 340,000 payments, and how long ingesting it takes here."""
    root = tmp_path_factory.mktemp("crash")
    simulate(root, citizens=40_000, seed=5)
    feed = root / "river-grid-utility.payment.csv"
    started = time.perf_counter()
    with _start(root / "timing.duckdb", feed, root / "rej") as proc:
        proc.wait()
    return feed, time.perf_counter() - started


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.1])
def test_sigkill_leaves_all_or_nothing(
    big_feed: tuple[Path, float], tmp_path: Path, fraction: float
) -> None:
    feed, duration = big_feed
    lake = tmp_path / "lake.duckdb"
    with _start(lake, feed, tmp_path / "rej") as proc:
        time.sleep(duration * fraction)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None
        finished = proc.stdout.read().strip() == "done"

    engine = connect(f"duckdb://{lake}")
    ensure_lake(engine)
    records = int(engine.scalar("n", "SELECT count(*) FROM rec_payment"))
    batches = engine.query("b", "SELECT accepted FROM batches").column("accepted").to_pylist()
    assert batches in ([], [records]), (records, batches)
    if finished:
        assert batches == [records]
        assert records > 0

    report = ingest_file(
        engine,
        SubjectKeyer("k"),
        feed,
        partner="river-grid-utility",
        category_name="payment",
        rejections_dir=tmp_path / "rej",
    )
    total = int(engine.scalar("n", "SELECT count(*) FROM rec_payment"))
    engine.close()
    assert report.duplicates == records
    assert total == records + report.accepted == report.rows - report.rejected
