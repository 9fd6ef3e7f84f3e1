"""Running the command line as a user does: a real process, JSON on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCREDIT_")}
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "socialcredit", *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)


LIVE = {"SOCIALCREDIT_SUBJECT_KEY_SECRET": "cli-test-secret-of-at-least-32-bytes"}
