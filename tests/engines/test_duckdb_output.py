"""The embedded engine writes nothing to standard output of its own: DuckDB's progress
bar (on by default, printed to standard output) would break a command's `--json`
answer, and block a process whose output is a pipe nobody reads yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_long_statement_prints_nothing(tmp_path: Path) -> None:
    code = (
        "from socialcredit.engines import connect\n"
        f"engine = connect('duckdb://{tmp_path / 'lake.duckdb'}')\n"
        # DuckDB shows its bar once a statement has run 2 s: this one runs about 4 s
        "engine.scalar('slow', 'SELECT count(*) FROM range(900000000) a(i) "
        "WHERE hash(i) % 7 = 3')\n"
        "engine.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout == ""
