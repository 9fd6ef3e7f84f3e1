"""The national benchmark on the embedded engine: simulate, ingest, full score,
incremental score after 1% of people changed, and the credit policy's batch
impact report; time and peak memory of each step.

    python benchmarks/national.py --citizens 10000000 [--dir D] [--keep]

Each step runs in its own process (peak resident memory from wait4). The change
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
    "change": """
import json, sys
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from socialcredit.settings import Settings
from socialcredit.workspace import Workspace
from socialcredit.ingest import ingest_file
root = Path(sys.argv[1])
feed = pq.read_table(root / "feeds" / "river-grid-utility.payment.parquet")
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
        step("simulate", str(options.citizens), "parquet")
        step("ingest")
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
