"""DuckDB leaves its spill files behind when its process is killed (they can hold a
batch's raw resident IDs); opening the lake removes those of processes that are gone,
and never those of a live one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from socialcredit.engines import connect


def test_spill_files_of_dead_processes_are_removed(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    (tmp_path / "tmp").mkdir()
    left = [
        tmp_path / "tmp" / f"duckdb_temp_{dead}_0_storage_DEFAULT-0.tmp",
        tmp_path / "tmp" / f"duckdb_temp_{dead}_0_owner",
    ]
    alive = tmp_path / "tmp" / f"duckdb_temp_{os.getppid()}_0_storage_DEFAULT-0.tmp"
    for path in [*left, alive]:
        path.write_bytes(b"11010519491231002X")
    engine = connect("duckdb://", default_path=tmp_path / "lake.duckdb")
    engine.close()
    assert [path.exists() for path in left] == [False, False]
    assert alive.exists()
