"""A service killed (SIGKILL) while it ingests an upload leaves the upload's file,
full of raw resident IDs, in the workspace; the next start removes it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
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

SECRET = "upload-crash-test-secret-of-32-bytes"


#: a real service process, killed and started again
pytestmark = pytest.mark.slow


def serving(root: Path, port: int) -> AbstractContextManager[subprocess.Popen[bytes]]:
    return serve_process(root, port, SECRET)


def _batch(people: int) -> tuple[bytes, str]:
    """A CSV of ``people`` payments (about 120 bytes a row) and one resident ID in it."""
    ids = [resident(seq % 1000, birth=f"19{50 + seq // 1000 % 40}0101") for seq in range(people)]
    lines = ["record_id,resident_id,observed_date,kind,due_date,paid_date,amount_due,amount_paid"]
    lines += [
        f"c{n},{number},2026-02-01,utility,2026-01-10,2026-01-09,120.50,120.50"
        for n, number in enumerate(ids)
    ]
    return ("\n".join(lines) + "\n").encode(), ids[-1]


def test_upload_left_by_a_killed_service_is_removed_at_start(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    space = Workspace.open(Settings(workspace=root, subject_key_secret=SECRET))
    space.keyer()
    with space.store().session() as session, session.begin():
        session.add(Partner(partner_id="big-bank", name="Big", kind="bank", created_at=utc_now()))
        session.flush()
        _, key = keys.create_key(session, "partner", partner_id="big-bank", scopes=["records:*"])
    space.close()
    body, someone = _batch(200_000)
    port = free_port()
    with serving(root, port) as server:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/records/payment",
            data=body,
            headers={
                "Authorization": f"Bearer {key}",
                "Idempotency-Key": "big",
                "Content-Type": "text/csv",
            },
        )

        def send() -> None:
            with contextlib.suppress(urllib.error.URLError, ConnectionError):
                urllib.request.urlopen(request, timeout=120).read()  # killed under it

        sender = threading.Thread(target=send)
        sender.start()
        written = []
        for _ in range(6000):  # wait until the whole upload is on disk, then kill
            written = [p for p in (root / "tmp").rglob("*.csv") if p.stat().st_size == len(body)]
            if written or server.poll() is not None:
                break
            time.sleep(0.01)
        assert written, "control: the upload reached the disk"
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        sender.join(timeout=60)
    assert written[0].exists(), "control: the killed service left the upload behind"

    with serving(root, free_port()):
        leftovers = [
            p
            for p in (root / "tmp").rglob("*")
            if p.is_file() and someone.encode() in p.read_bytes()
        ]
        assert leftovers == []
        assert not written[0].exists()
