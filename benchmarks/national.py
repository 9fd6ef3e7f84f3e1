"""The national benchmark on the embedded engine: simulate, ingest, full score,
incremental score after 1% of people changed, and the credit policy's batch
impact report; time and peak memory of each step.

    python benchmarks/national.py --citizens 10000000 [--months 18] [--dir D] [--keep]

Each step runs in its own process (peak resident memory from wait4). The nation
is simulated in slices of at most 1,000,000 people (one process each, different
seeds), so that simulation fits in memory; each slice's partners furnish as
their own regional branch (``harbour-bank-3``), since record ids are unique per
partner. ``--months 18`` gives about 20 records a person (200,000,000 for
10,000,000 people). The change
step writes a batch of late payment records (observed before the as-of date)
for 1% of people and ingests it; the incremental step then recomputes only the
people with changes (``score --since last``) and checks its digest against a
full run on the same data. The policy step measures approval rates and adverse
impact by group at the live credit policy's cut-offs.

The Spark engine's time on a slice is measured by ``benchmarks/engines.py``.
Relationship propagation is not built (see the README), so there is no contact
graph to simulate.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from pipeline import STEPS, run_step

STEPS |= {
    "simulate_slice": """
import json, sys
from pathlib import Path
from socialcredit.simulate import simulate
root = Path(sys.argv[1])
index, citizens, months = (int(a) for a in sys.argv[2:5])
m = simulate(root / "feeds" / f"s{index}", citizens=citizens, seed=100 + index, fmt="parquet",
             months=months)
print(json.dumps({"records": m["records"], "feeds": len(m["feeds"])}))
""",
    "ingest_slices": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.ingest import ingest_file
root = Path(sys.argv[1])
ws = Workspace.open(Settings(workspace=root / "ws"), mode="demo")
engine, keyer = ws.engine(), ws.keyer()
rows = accepted = 0
for index in range(int(sys.argv[2])):
    folder = root / "feeds" / f"s{index}"
    manifest = json.loads((folder / "manifest.json").read_text())
    for feed in manifest["feeds"]:
        partner = feed["partner"] if index == 0 else f"{feed['partner']}-{index}"
        r = ingest_file(engine, keyer, folder / feed["file"], partner=partner,
                        category_name=feed["category"], rejections_dir=ws.rejections_dir)
        rows += r.rows
        accepted += r.accepted
ws.close()
print(json.dumps({"records": rows, "accepted": accepted}))
""",
    "change": """
import json, sys
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.ingest import ingest_file
root = Path(sys.argv[1])
feed = pq.read_table(root / "feeds" / "s0" / "river-grid-utility.payment.parquet")
people = pc.unique(feed.column("resident_id"))
share = max(1, int(sys.argv[2]) // 100)
chosen = people.slice(0, share)
late = feed.filter(pc.is_in(feed.column("resident_id"), value_set=chosen))
late = late.set_column(0, "record_id", pc.binary_join_element_wise(
    late.column("record_id"), pa.scalar("-late"), ""))
pq.write_table(late, root / "late.parquet")
ws = Workspace.open(Settings(workspace=root / "ws"), mode="demo")
r = ingest_file(ws.engine(), ws.keyer(), root / "late.parquet", partner="river-grid-utility",
                category_name="payment", rejections_dir=ws.rejections_dir)
ws.close()
print(json.dumps({"people": len(chosen), "records": r.accepted}))
""",
    "incremental": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.scoring import score_population
from socialcredit.scorecard import default_spec
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
run = score_population(ws.engine(), default_spec(), since="last")
ws.close()
print(json.dumps({"recomputed": run.recomputed, "subjects": run.subjects,
                  "digest": run.scores_digest[:16], "as_of": run.as_of}))
""",
    "full_again": """
import datetime as dt, json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.scoring import score_population
from socialcredit.scorecard import default_spec
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
run = score_population(ws.engine(), default_spec(), as_of=dt.date.fromisoformat(sys.argv[2]))
ws.close()
print(json.dumps({"subjects": run.subjects, "digest": run.scores_digest[:16]}))
""",
    "policy": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.fairness import TIER_CUTOFFS, fairness_report
from socialcredit.decisions import default_policy
from socialcredit.decisions.policy import approval_cutoffs
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
cuts = approval_cutoffs(default_policy())
report = fairness_report(ws.engine(), cutoffs=(*TIER_CUTOFFS, *cuts.values()))
ws.close()
print(json.dumps({"people": report.people, "cutoffs": len(report.cutoffs),
                  "flags": len(report.flags)}))
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=18, help="months of history simulated")
    parser.add_argument("--slice", type=int, default=1_000_000, help="people per simulated slice")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args()
    root = options.dir or Path(tempfile.mkdtemp(prefix="socialcredit-national-"))
    shutil.rmtree(root / "ws", ignore_errors=True)
    shutil.rmtree(root / "feeds", ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    rows = []

    def step(name: str, *args: str) -> dict[str, object]:
        seconds, peak, result = run_step(name, str(root), *args)
        rows.append((name, seconds, peak, result))
        print(f"{name}: {seconds:.1f} s, {peak / 2**30:.2f} GiB, {result}", flush=True)
        return result

    try:
        slices = []
        left, index = options.citizens, 0
        while left > 0:
            size = min(left, options.slice)
            slices.append(
                run_step("simulate_slice", str(root), str(index), str(size), str(options.months))
            )
            left, index = left - size, index + 1
        seconds = sum(s[0] for s in slices)
        peak = max(s[1] for s in slices)
        records = sum(int(s[2]["records"]) for s in slices)  # type: ignore[call-overload]
        rows.append(("simulate", seconds, peak, {"records": records, "slices": len(slices)}))
        print(f"simulate: {seconds:.1f} s, {records:,} records", flush=True)
        ingested = step("ingest_slices", str(len(slices)))
        rate = int(ingested["records"]) / rows[-1][1]  # type: ignore[call-overload]
        print(f"ingest: {rate:,.0f} records/s", flush=True)
        step("score")
        step("change", str(options.citizens))
        incremental = step("incremental")
        full = step("full_again", str(incremental["as_of"]))
        step("policy")
    finally:
        if not options.keep and options.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    same = incremental["digest"] == full["digest"]
    print(
        f"\n{options.citizens:,} citizens, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| step | seconds | peak memory | result |")
    print("|---|---:|---:|---|")
    for name, seconds, peak, result in rows:
        shown = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in result.items()
        )
        print(f"| {name} | {seconds:.1f} | {peak / 2**30:.2f} GiB | {shown[:120]} |")
    print(f"\nincremental digest equals the full run's: {same}")
    if not same:
        raise SystemExit("incremental and full runs differ")


if __name__ == "__main__":
    main()
