"""Simulate, ingest and score a nation on the embedded engine; time and peak
memory of each step.

    python benchmarks/pipeline.py --citizens 1000000 [--format parquet|csv] [--keep]

Each step runs in its own process, so its peak resident memory (max RSS, from
wait4) is its own. Prints a table; add it to benchmarks/RESULTS.md with the
date and the machine. Goals on 2 cores: ingest >= 1,000,000 records/s from
Parquet with full validation; score 1,000,000 citizens (features + scorecard +
reasons) in <= 20 s; peak memory <= 4 GB; the fairness report on 1,000,000
people in <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = {
    "simulate": """
import json, sys
from pathlib import Path
from socialcredit.simulate import simulate
m = simulate(Path(sys.argv[1]) / "feeds", citizens=int(sys.argv[2]), seed=1, fmt=sys.argv[3])
print(json.dumps({"records": m["records"], "feeds": len(m["feeds"])}))
""",
    "ingest": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.ingest import ingest_file
from socialcredit.simulate.consents import grant_chosen_consents
root = Path(sys.argv[1])
manifest = json.loads((root / "feeds" / "manifest.json").read_text())
ws = Workspace.open(Settings(workspace=root / "ws"), mode="demo")
engine, keyer = ws.engine(), ws.keyer()
# the people who let their bank share their cash flow consent first, as in the demo
grant_chosen_consents(engine, keyer, root / "feeds", manifest, store=None)
rows = accepted = 0
for feed in manifest["feeds"]:
    r = ingest_file(engine, keyer, root / "feeds" / feed["file"], partner=feed["partner"],
                    category_name=feed["category"], rejections_dir=ws.rejections_dir)
    rows += r.rows
    accepted += r.accepted
ws.close()
print(json.dumps({"records": rows, "accepted": accepted}))
""",
    "score": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.scoring.runs import score_population
from socialcredit.scorecard import default_spec
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
run = score_population(ws.engine(), default_spec())
ws.close()
print(json.dumps({"subjects": run.subjects, "digest": run.scores_digest[:16]}))
""",
    "fairness": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.fairness import fairness_report
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
report = fairness_report(ws.engine())
ws.close()
print(json.dumps({"people": report.people, "flags": len(report.flags)}))
""",
}


def run_step(name: str, *args: str) -> tuple[float, int, dict[str, object]]:
    """(seconds, peak RSS bytes, step output) of one step in a fresh process."""
    started = time.perf_counter()
    # Output to a file, not a pipe: a pipe nobody reads while wait4 waits would block
    # the step once it had written 64 KiB.
    with tempfile.TemporaryFile() as captured:
        proc = subprocess.Popen([sys.executable, "-c", STEPS[name], *args], stdout=captured)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        captured.seek(0)
        output = captured.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"step {name} failed")
    return elapsed, usage.ru_maxrss * 1024, json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args()
    root = options.dir or Path(tempfile.mkdtemp(prefix="socialcredit-bench-"))
    shutil.rmtree(root / "ws", ignore_errors=True)
    shutil.rmtree(root / "feeds", ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        seconds, peak, sim = run_step("simulate", str(root), str(options.citizens), options.format)
        rows.append(
            ("simulate", seconds, peak, f"{sim['records']:,} records in {sim['feeds']} feeds")
        )
        seconds, peak, ing = run_step("ingest", str(root))
        rate = int(ing["records"]) / seconds  # type: ignore[call-overload]
        rows.append(("ingest", seconds, peak, f"{rate:,.0f} records/s ({options.format})"))
        seconds, peak, sco = run_step("score", str(root))
        rows.append(("score", seconds, peak, f"{sco['subjects']:,} citizens"))
        seconds, peak, fair = run_step("fairness", str(root))
        rows.append(("fairness report", seconds, peak, f"{fair['people']:,} people"))
    finally:
        if not options.keep and options.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"\n{options.citizens:,} citizens, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| step | seconds | peak memory | throughput |")
    print("|---|---:|---:|---|")
    for name, seconds, peak, note in rows:
        print(f"| {name} | {seconds:.1f} | {peak / 2**30:.2f} GiB | {note} |")


if __name__ == "__main__":
    main()
