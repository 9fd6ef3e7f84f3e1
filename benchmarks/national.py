"""The national benchmark on the embedded engine: simulate, ingest, full score,
publishing into PostgreSQL, incremental score after 1% of people changed and
its publishing (only the changed people), a second full score on the same
records, and the credit policy's batch impact report; time and peak memory of
each step.

    python benchmarks/national.py --citizens 10000000 [--months 18] [--dir D] [--keep]
    python benchmarks/national.py --dir D --from-ingested   # reuse D's ingested lake

Each step runs in its own process (peak resident memory from wait4). The nation
is simulated in slices of at most 1,000,000 people (one process each, different
seeds), so that simulation fits in memory; each slice's partners furnish as
their own regional branch (``harbour-bank-3``), since record ids are unique per
partner. ``--months 18`` gives about 25 records a person (about 250,000,000 for
10,000,000 people). The change step writes a batch of late payment records
(observed before the as-of date, with new record ids on every call) for 1% of
people and ingests it; the incremental step then recomputes only the people with
changes (``score --since last``) from the feature state the full run kept, and
its digest is checked against the second full run on the same records. The
ratio printed at the end is incremental / second full run. The policy step
measures approval rates and adverse impact by group at the live credit policy's
cut-offs.

The Spark engine's time on a slice is measured by ``benchmarks/engines.py``.
Every feed of the nation is simulated, guarantees (the graph step runs in each
score) and consented cash flow included; there is no contact graph: the platform
scores no one by whom they know.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
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
from socialcredit.lake.workspace import Workspace
from socialcredit.ingest import ingest_file
from socialcredit.simulate.consents import grant_chosen_consents
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pacsv
root = Path(sys.argv[1])
ws = Workspace.open(Settings(workspace=root / "ws"), mode="demo")
engine, keyer = ws.engine(), ws.keyer()
rows = accepted = 0
for index in range(int(sys.argv[2])):
    folder = root / "feeds" / f"s{index}"
    manifest = json.loads((folder / "manifest.json").read_text())
    # the slice's people who let their bank (this slice's branch) share their cash flow
    # consent first, as in the demo
    chosen = manifest.get("consents")
    if chosen and index:
        people = pacsv.read_csv(folder / chosen["file"], convert_options=pacsv.ConvertOptions(
            column_types={"resident_id": pa.string(), "partner_id": pa.string()}))
        people = people.set_column(1, "partner_id", pc.binary_join_element_wise(
            people.column("partner_id"), pa.scalar(f"-{index}"), ""))
        pacsv.write_csv(people, folder / "consents-branch.csv")
        manifest["consents"] = {**chosen, "file": "consents-branch.csv"}
    grant_chosen_consents(engine, keyer, folder, manifest, store=None)
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
import json, sys, uuid
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.ingest import ingest_file
root = Path(sys.argv[1])
feed = pq.read_table(root / "feeds" / "s0" / "river-grid-utility.payment.parquet")
people = pc.unique(feed.column("resident_id"))
share = max(1, int(sys.argv[2]) // 100)
chosen = people.slice(0, share)
late = feed.filter(pc.is_in(feed.column("resident_id"), value_set=chosen))
# new record ids on every call, so that a rerun on the same lake adds new records
tag = "-late-" + uuid.uuid4().hex[:8]
late = late.set_column(0, "record_id", pc.binary_join_element_wise(
    late.column("record_id"), pa.scalar(tag), ""))
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
from socialcredit.lake.workspace import Workspace
from socialcredit.scoring.runs import score_population
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
from socialcredit.lake.workspace import Workspace
from socialcredit.scoring.runs import score_population
from socialcredit.scorecard import default_spec
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
run = score_population(ws.engine(), default_spec(), as_of=dt.date.fromisoformat(sys.argv[2]))
ws.close()
print(json.dumps({"subjects": run.subjects, "digest": run.scores_digest[:16]}))
""",
    "publish": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.store import open_store
from socialcredit.publish.scores import publish_run
ws = Workspace.open(Settings(workspace=Path(sys.argv[1]) / "ws"))
store = open_store(sys.argv[2])
result = publish_run(store, ws.engine())
store.dispose()
ws.close()
print(json.dumps({"published": result["published"], "changed": result["changed"]}))
""",
    "policy": """
import json, sys
from pathlib import Path
from socialcredit.settings import Settings
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.fairness import TIER_CUTOFFS, fairness_report
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
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL to publish into (a new schema is made; '' skips publishing)",
    )
    parser.add_argument(
        "--from-ingested",
        action="store_true",
        help="reuse the lake already ingested in --dir (skip simulate and ingest)",
    )
    options = parser.parse_args()
    root = options.dir or Path(tempfile.mkdtemp(prefix="socialcredit-national-"))
    if options.from_ingested and not (root / "ws").exists():
        raise SystemExit(f"--from-ingested: {root / 'ws'} holds no workspace")
    if not options.from_ingested:
        shutil.rmtree(root / "ws", ignore_errors=True)
        shutil.rmtree(root / "feeds", ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, float, int, dict[str, object]]] = []

    def step(name: str, *args: str) -> dict[str, object]:
        seconds, peak, result = run_step(name, str(root), *args)
        rows.append((name, seconds, peak, result))
        print(f"{name}: {seconds:.1f} s, {peak / 2**30:.2f} GiB, {result}", flush=True)
        return result

    try:
        if not options.from_ingested:
            simulate_and_ingest(root, options, rows, step)
        step("score")
        store = _schema_url(options.postgres) if options.postgres else ""
        if store:
            step("publish", store)
        step("change", str(options.citizens))
        incremental = step("incremental")
        if store:  # over the full run: only the changed people are written
            took, peak, published = run_step("publish", str(root), store)
            rows.append(("publish incremental", took, peak, published))
            print(f"publish incremental: {took:.1f} s, {published}", flush=True)
        full = step("full_again", str(incremental["as_of"]))
        step("policy")
    finally:
        if not options.keep and options.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    same = incremental["digest"] == full["digest"]
    seconds = {name: s for name, s, _, _ in rows}
    print(
        f"\n{options.citizens:,} citizens, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| step | seconds | peak memory | result |")
    print("|---|---:|---:|---|")
    for name, took, peak, result in rows:
        shown = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in result.items()
        )
        print(f"| {name} | {took:.1f} | {peak / 2**30:.2f} GiB | {shown[:120]} |")
    print(f"\nincremental digest equals the full run's: {same}")
    print(
        f"incremental / full (same lake, second full run): "
        f"{seconds['incremental'] / seconds['full_again']:.1%}"
    )
    if "publish" in seconds:
        print(f"full score + publishing: {seconds['score'] + seconds['publish']:.1f} s")
    if not same:
        raise SystemExit("incremental and full runs differ")


def _schema_url(postgres: str) -> str:
    import psycopg

    schema = f"national_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres}?options=-csearch_path%3D{schema}"


def simulate_and_ingest(
    root: Path,
    options: argparse.Namespace,
    rows: list[tuple[str, float, int, dict[str, object]]],
    step: Callable[..., dict[str, object]],
) -> None:
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


if __name__ == "__main__":
    main()
