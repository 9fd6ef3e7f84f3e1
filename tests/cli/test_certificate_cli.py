"""socialcredit certificate as a person's operator and a verifier run it: real
processes over a real workspace, and a real server whose every request is recorded,
to show that verifying asks the platform nothing about the person."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from socialcredit.api import create_app
from socialcredit.identity import parse
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.rights.certificates.credential import moment_of, stamp
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.store.models import PublishedScore
from tests.utils.cli import as_json, run
from tests.utils.console import free_port
from tests.utils.nation import ingest_feeds

SECRET = "certificate-cli-secret-of-at-least-32-bytes"
#: Nothing listens there: a verifier that tried to fetch from it would fail.
NOWHERE = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Nation:
    workspace: Path
    person: str
    subject_key: str

    def env(self, public_url: str = NOWHERE) -> dict[str, str]:
        return {
            "SOCIALCREDIT_WORKSPACE": str(self.workspace),
            "SOCIALCREDIT_SUBJECT_KEY_SECRET": SECRET,
            "SOCIALCREDIT_PUBLIC_URL": public_url,
        }


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Nation:
    root = tmp_path_factory.mktemp("certificates")
    space = Workspace.open(Settings(workspace=root / "ws", subject_key_secret=SECRET))
    manifest = simulate(root / "feeds", citizens=300, seed=13)
    ingest_feeds(space.engine(), space.keyer(), root / "feeds", manifest, space.rejections_dir)
    score_population(space.engine(), default_spec())
    publish_run(space.store(), space.engine())
    with open(root / "feeds" / "harbour-bank.payment.csv", encoding="utf-8") as handle:
        residents = [row["resident_id"] for row in csv.DictReader(handle)]
    with space.store().session() as session:
        person = next(
            r
            for r in residents
            if session.get(PublishedScore, space.keyer().key(parse(r).number)) is not None
        )
    key = space.keyer().key(parse(person).number)
    space.close()
    return Nation(root / "ws", person, key)


def _ok(result: Any) -> Any:
    assert result.returncode == 0, result.stderr
    return as_json(result)


def _verify(*args: str) -> tuple[int, dict[str, Any]]:
    """Verify as a stranger to the platform: no workspace, no secret, no settings."""
    result = run("certificate", "verify", *args, "--json")
    return result.returncode, as_json(result)


def test_issue_export_and_verify_offline(nation: Nation, tmp_path: Path) -> None:
    env = nation.env()
    cert, issuer, status = tmp_path / "cert.json", tmp_path / "issuer.json", tmp_path / "s.json"
    issued = _ok(
        run(
            "certificate", "issue", nation.person, "--disclose", "tier", "--days", "10",
            "--name", "Li Xiaoming", "--out", str(cert), "--json", env=env,
        )
    )  # fmt: skip
    credential = json.loads(cert.read_text(encoding="utf-8"))
    assert credential == issued["credential"]
    assert not any(ch.isdigit() for ch in json.dumps(credential["credentialSubject"]["tier"]))
    assert set(credential["credentialSubject"]) == {"id", "name", "tier", "scoreAsOf"}
    assert run("certificate", "issuer", "--out", str(issuer), env=env).returncode == 0
    assert run("certificate", "status", "--out", str(status), env=env).returncode == 0

    files = ("--issuer", str(issuer), "--status", str(status))
    code, found = _verify(str(cert), *files)
    assert code == 0, found
    assert (found["valid"], found["revoked"], found["expired"]) == (True, False, False)
    assert found["disclosed"] == credential["credentialSubject"]
    assert found["issuer"] == f"{NOWHERE}/v1/certificates/issuer"

    # One character changed: not valid, exit 1.
    text = cert.read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text.replace("Li Xiaoming", "Li Xiaominh"), encoding="utf-8")
    code, found = _verify(str(tampered), *files)
    assert (code, found["valid"], found["signature"]) == (1, False, False)

    # Past its end: expired.
    ends = moment_of(credential["validUntil"])
    code, found = _verify(str(cert), *files, "--at", stamp(ends - dt.timedelta(seconds=1)))
    assert (code, found["expired"]) == (0, False)
    code, found = _verify(str(cert), *files, "--at", stamp(ends + dt.timedelta(seconds=1)))
    assert (code, found["valid"], found["expired"]) == (1, False, True)

    # A new key: the old certificate still verifies with the new issuer document.
    assert run("certificate", "rotate-key", env=env).returncode == 0
    assert run("certificate", "issuer", "--out", str(issuer), env=env).returncode == 0
    code, found = _verify(str(cert), *files)
    assert (code, found["valid"]) == (0, True)

    # Revoked: the next status list says so.
    revoked = _ok(run("certificate", "revoke", issued["id"], "--json", env=env))
    assert revoked["state"] == "revoked"
    assert run("certificate", "status", "--out", str(status), env=env).returncode == 0
    code, found = _verify(str(cert), *files)
    assert (code, found["valid"], found["revoked"], found["signature"]) == (1, False, True, True)

    listed = _ok(run("certificate", "list", nation.person, "--json", env=env))
    states = {c["id"]: c["state"] for c in listed["certificates"]}
    assert states[issued["id"]] == "revoked"
    page = tmp_path / "page.html"
    _ok(run("certificate", "page", issued["id"], "--lang", "zh", "--out", str(page), "--json",
            env=env))  # fmt: skip
    assert "信用证明" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--disclose", "tier", "--days", "31"), "less than or equal to 30"),
        (("--disclose", "tier", "--subscores"), "a tier certificate holds none"),
        (("--disclose", "everything"), "'tier', 'band' or 'score'"),
    ],
)
def test_refused_requests(nation: Nation, args: tuple[str, ...], message: str) -> None:
    result = run("certificate", "issue", nation.person, *args, "--json", env=nation.env())
    assert result.returncode == 2
    assert message in as_json(result)["error"]["message"]


def test_verify_needs_a_certificate(tmp_path: Path) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"id": "x", "credential": {}}), encoding="utf-8")
    result = run("certificate", "verify", str(answer), "--json")
    assert result.returncode == 2
    assert "save its 'credential' member" in as_json(result)["error"]["message"]


class Recorder:
    """The service behind a recorder of every request it is sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append(
                {
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": scope["query_string"].decode(),
                    "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
                }
            )
        await self.app(scope, receive, send)


@pytest.fixture
def served(nation: Nation) -> Iterator[tuple[str, Recorder]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        Settings(workspace=nation.workspace, subject_key_secret=SECRET, public_url=url)
    )
    recorder = Recorder(app)
    server = uvicorn.Server(
        uvicorn.Config(recorder, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield url, recorder
    server.should_exit = True
    thread.join(timeout=30)
    app.state.service.workspace.close()


def test_verification_asks_the_platform_nothing_about_the_person(
    nation: Nation, served: tuple[str, Recorder], tmp_path: Path
) -> None:
    url, recorder = served
    env = nation.env(url)
    cert = tmp_path / "cert.json"
    issued = _ok(
        run("certificate", "issue", nation.person, "--disclose", "band", "--subscores",
            "--out", str(cert), "--json", env=env)
    )  # fmt: skip
    assert recorder.requests == []  # issuing is the operator's, on the workspace

    # Fetched whole from the URLs the certificate names.
    code, found = _verify(str(cert))
    assert (code, found["valid"]) == (0, True)
    assert [(r["method"], r["path"], r["query"]) for r in recorder.requests] == [
        ("GET", "/v1/certificates/issuer", ""),
        ("GET", "/v1/certificates/status/1", ""),
    ]
    credential = issued["credential"]
    about = (
        issued["id"],
        nation.subject_key,
        nation.person,
        credential["credentialSubject"]["id"],
        credential["credentialStatus"]["statusListIndex"],
    )
    sent = json.dumps(recorder.requests)
    assert not [a for a in about if a in sent.replace('"/v1/certificates/status/1"', "")]
    assert all("authorization" not in r["headers"] for r in recorder.requests)

    # From files: no request at all.
    issuer, status = tmp_path / "issuer.json", tmp_path / "status.json"
    assert run("certificate", "issuer", "--out", str(issuer), env=env).returncode == 0
    assert run("certificate", "status", "--out", str(status), env=env).returncode == 0
    before = len(recorder.requests)
    code, found = _verify(str(cert), "--issuer", str(issuer), "--status", str(status))
    assert (code, found["valid"]) == (0, True)
    assert len(recorder.requests) == before
