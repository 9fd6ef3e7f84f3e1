"""A running service leaves the lake to the command line between requests; a second
service on the same workspace, and a service on a port in use, refuse to start."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from socialcredit.lake.workspace import Workspace
from socialcredit.settings import Settings, utc_now
from socialcredit.store import keys
from socialcredit.store.models import Partner
from tests.utils.console import free_port
from tests.utils.records import resident
from tests.utils.service import serve_process

SECRET = "serve-beside-commands-secret-32-bytes"

#: real service processes and commands beside them
pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCREDIT_")}
    env["SOCIALCREDIT_SUBJECT_KEY_SECRET"] = SECRET
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "socialcredit", *args]


def serving(root: Path, port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
    return serve_process(root, port, SECRET)


def _workspace(root: Path) -> str:
    """A live workspace with a registered partner; the partner's key."""
    space = Workspace.open(Settings(workspace=root, subject_key_secret=SECRET))
    space.keyer()
    with space.store().session() as session, session.begin():
        session.add(Partner(partner_id="big-bank", name="Big", kind="bank", created_at=utc_now()))
        session.flush()
        _, key = keys.create_key(session, "partner", partner_id="big-bank", scopes=["records:*"])
    space.close()
    return key


def _furnish(port: int, key: str, idempotency_key: str, first: int) -> dict[str, object]:
    lines = ["record_id,resident_id,observed_date,kind,due_date,paid_date,amount_due,amount_paid"]
    lines += [
        f"r{first + n},{resident(n)},2026-02-01,utility,2026-01-10,2026-01-09,120.50,120.50"
        for n in range(20)
    ]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/records/payment",
        data=("\n".join(lines) + "\n").encode(),
        headers={
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "text/csv",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        loaded: dict[str, object] = json.loads(answer.read())
        return loaded


def test_score_and_publish_run_while_the_service_serves(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    key = _workspace(root)
    port = free_port()
    with serving(root, port):
        assert _furnish(port, key, "first", 0)["accepted"] == 20  # the service used the lake
        scored = subprocess.run(
            _command("score", "-w", str(root), "--json"),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert scored.returncode == 0, scored.stderr
        assert json.loads(scored.stdout)["subjects"] == 20
        published = subprocess.run(
            _command("publish", "-w", str(root), "--json"),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert published.returncode == 0, published.stderr
        assert json.loads(published.stdout)["published"] == 20
        # and the service works on the lake again after the commands
        assert _furnish(port, key, "second", 100)["accepted"] == 20


def test_a_second_service_on_the_workspace_refuses_to_start(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _workspace(root)
    with serving(root, free_port()) as first:
        second = subprocess.run(
            _command("serve", "-w", str(root), "--port", str(free_port())),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 6
        assert "serving on" not in second.stderr
        assert f"already served by process {first.pid}" in " ".join(second.stderr.split())
        assert first.poll() is None
    # once the first one is gone, a service starts again
    with serving(root, free_port()) as again:
        assert again.poll() is None


def test_a_port_in_use_fails_before_serving(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    _workspace(root)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = subprocess.run(
            _command("serve", "-w", str(root), "--port", str(port)),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert refused.returncode == 5
    assert "serving on" not in refused.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in " ".join(refused.stderr.split())
