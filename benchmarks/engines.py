"""DuckDB against Spark on the same nation: the whole demo (simulate, ingest every
feed, score, check) with each engine, in a fresh process each, so that Spark's
JVM start counts as a user would feel it.

    python benchmarks/engines.py --citizens 100000
    python benchmarks/engines.py --citizens 100000 --spark 'spark://local[4]'

Prints one row per engine and the ratio; fails when the engines' scores differ.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(engine: str, citizens: int, seed: int, workspace: Path) -> tuple[float, dict[str, object]]:
    command = [
        sys.executable,
        "-m",
        "socialcredit",
        "demo",
        "--citizens",
        str(citizens),
        "--seed",
        str(seed),
        "--workspace",
        str(workspace),
        "--engine",
        engine,
        "--json",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{engine}: exit {done.returncode}\n{done.stderr[-4000:]}")
    summary: dict[str, object] = json.loads(done.stdout)
    return wall, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spark", default="spark://", help="Spark engine URL")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.citizens:,} citizens, seed {args.seed}\n")
    print(f"{'engine':<24} {'wall s':>8} {'demo s':>8}  scores_digest")
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for engine in ("duckdb://", args.spark):
            wall, summary = run(engine, args.citizens, args.seed, Path(folder) / engine[:5])
            rows[engine] = (wall, summary)
            print(
                f"{engine:<24} {wall:8.1f} {summary['elapsed_s']:8.1f}  {summary['scores_digest']}"
            )
    (duck_wall, duck), (spark_wall, spark) = rows.values()
    print(f"\nSpark / DuckDB wall time: {spark_wall / duck_wall:.1f}x")
    if duck["scores_digest"] != spark["scores_digest"]:
        sys.exit("the engines' scores differ")


if __name__ == "__main__":
    main()
