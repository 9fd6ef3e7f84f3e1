"""A running service over a small nation (the API in a test client), on SQLite or a
real PostgreSQL store, with keys for an operator, two partners and a person."""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from socialcredit.api import create_app
from socialcredit.api.auth import PURPOSES
from socialcredit.errors import IdentityError
from socialcredit.identity import parse
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings, utc_now
from socialcredit.simulate import simulate
from socialcredit.store import keys
from socialcredit.store.models import Consent, Partner, PublishedScore
from tests.utils.nation import ingest_feeds

SECRET = "service-test-secret-of-at-least-32-bytes"
#: A credit policy that declines nearly everyone (adverse decisions on demand).
STRICT = {
    "version": "strict-test-1",
    "description": "declines nearly everyone, to make adverse decisions",
    "actions": {
        "loan": {
            "bands": [
                {"min_score": 950, "outcome": "approve", "terms": {"max_amount_cny": 1000}},
                {"min_score": 350, "outcome": "decline"},
            ]
        }
    },
}


@dataclass
class Service:
    client: TestClient
    workspace: Workspace
    operator: str
    bank: str  # harbour-bank: scores:read, records:*, disputes:answer
    telecom: str  # skyline-telecom: records:payment only
    citizen: str
    citizen_id: str
    root: Path
    stranger_id: str = ""  # another person with a published score, who consented to nothing

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def dispute_a_bank_payment(self, reason: str) -> Any:
        """The person contests their first payment record from harbour-bank (the response)."""
        me = self.auth(self.citizen)
        report = self.client.get("/v1/me/report", headers=me).json()
        record = next(r for r in report["records"]["payment"] if r["partner_id"] == "harbour-bank")
        return self.client.post(
            "/v1/me/disputes",
            headers=me,
            json={
                "partner_id": "harbour-bank",
                "category": "payment",
                "record_id": record["record_id"],
                "reason": reason,
            },
        )


def _valid(resident_id: str) -> bool:
    try:
        parse(resident_id)
    except IdentityError:
        return False
    return True


@dataclass(frozen=True)
class _Made:
    """What building a service's nation hands out: keys, and the people they name."""

    operator: str
    bank: str
    telecom: str
    citizen: str
    citizen_id: str
    stranger_id: str


def _build(root: Path, config: Settings) -> _Made:
    """A 300-person nation in ``root`` (``ws``, ``feeds``): ingested, scored, published,
    with keys for an operator, two partners and a person who lets the bank read."""
    space = Workspace.open(config)
    manifest = simulate(root / "feeds", citizens=300, seed=13)
    ingest_feeds(
        space.engine(),
        space.keyer(),
        root / "feeds",
        manifest,
        space.rejections_dir,
        store=space.store(),
    )
    score_population(space.engine(), default_spec())
    publish_run(space.store(), space.engine())
    with open(root / "feeds" / "harbour-bank.payment.csv", encoding="utf-8") as handle:
        residents = [row["resident_id"] for row in csv.DictReader(handle)]
    person = residents[0]
    with space.store().session() as session:
        stranger = next(
            r
            for r in residents
            if r != person
            and _valid(r)
            and session.get(PublishedScore, space.keyer().key(parse(r).number)) is not None
        )
    with space.store().session() as session, session.begin():
        for partner_id, kind in (("harbour-bank", "bank"), ("skyline-telecom", "telecom")):
            session.add(
                Partner(
                    partner_id=partner_id,
                    name=partner_id,
                    kind=kind,
                    created_at=dt.datetime(2026, 1, 1),
                )
            )
        session.flush()
        _, operator = keys.create_key(session, "operator")
        _, bank = keys.create_key(
            session,
            "partner",
            partner_id="harbour-bank",
            scopes=["records:*", "scores:read", "disputes:answer"],
        )
        _, telecom = keys.create_key(
            session, "partner", partner_id="skyline-telecom", scopes=["records:payment"]
        )
        _, citizen = keys.create_key(session, "citizen", subject_key=space.keyer().key(person))
        now = utc_now()
        for purpose in PURPOSES:  # the person lets the bank read their score
            session.add(
                Consent(
                    consent_id=f"c-{purpose}",
                    subject_key=space.keyer().key(person),
                    partner_id="harbour-bank",
                    purpose=purpose,
                    granted_at=now,
                    expires_at=now + dt.timedelta(days=30),
                    revoked_at=None,
                )
            )
    space.close()
    return _Made(operator, bank, telecom, citizen, person, stranger)


#: one nation on SQLite, built for the first service and copied for each after it:
#: building is most of a service test's time, and nothing in it depends on the settings
_BUILT: list[tuple[Path, _Made]] = []


def _copy_of_the_nation(tmp_path: Path) -> _Made:
    if not _BUILT:
        root = Path(tempfile.mkdtemp(prefix="service-nation-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _BUILT.append(
            (root, _build(root, Settings(workspace=root / "ws", subject_key_secret=SECRET)))
        )
    root, made = _BUILT[0]
    for folder in ("ws", "feeds"):
        shutil.copytree(root / folder, tmp_path / folder)
    return made


@contextmanager
def start_service(tmp_path: Path, store_url: str | None, **settings: Any) -> Iterator[Service]:
    """A service over a 300-person nation; ``settings`` override the defaults. On SQLite
    the nation is a copy of one built once; on PostgreSQL it is built in the store."""
    config = Settings(
        workspace=tmp_path / "ws", subject_key_secret=SECRET, store=store_url, **settings
    )
    made = _build(tmp_path, config) if store_url else _copy_of_the_nation(tmp_path)
    app = create_app(config)
    with TestClient(app) as client:
        yield Service(
            client,
            app.state.service.workspace,
            made.operator,
            made.bank,
            made.telecom,
            made.citizen,
            made.citizen_id,
            tmp_path,
            made.stranger_id,
        )
    app.state.service.workspace.close()


def a_full_file(service: Service) -> dict[str, Any]:
    """Give the fixture's person everything the store can hold about someone: score
    reads, a decision, a review and a dispute (consents come with the fixture)."""
    op, me = service.auth(service.operator), service.auth(service.citizen)
    read = service.client.get(
        f"/v1/subjects/{service.citizen_id}/score",
        params={"purpose": "credit_application"},
        headers=service.auth(service.bank),
    )
    assert read.status_code == 200, read.text
    assert service.client.post("/v1/policies", headers=op, json=STRICT).status_code == 201
    made = service.client.post(
        "/v1/keys",
        headers=op,
        json={"kind": "partner", "partner_id": "harbour-bank", "scopes": ["decisions:*"]},
    )
    lender = made.json()["key"]
    decided = service.client.post(
        "/v1/decisions",
        headers=service.auth(lender),
        json={
            "resident_id": service.citizen_id,
            "action": "loan",
            "purpose": "credit_application",
        },
    )
    assert decided.status_code == 200, decided.text
    decision = decided.json()
    assert decision["adverse"], "the strict policy declines"
    reviewed = service.client.post(
        "/v1/me/reviews",
        headers=me,
        json={"decision_id": decision["decision_id"], "statement": "My income doubled."},
    )
    assert reviewed.status_code == 201, reviewed.text
    disputed = service.dispute_a_bank_payment("I paid this on time")
    assert disputed.status_code == 201, disputed.text
    return {"lender": lender, "decision_id": decision["decision_id"]}


@contextmanager
def serve_process(root: Path, port: int, secret: str) -> Iterator[subprocess.Popen[bytes]]:
    """``socialcredit serve`` on workspace ``root`` in a real process, once it answers
    its health check; stopped on leaving (if it still runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCREDIT_")}
    env["SOCIALCREDIT_SUBJECT_KEY_SECRET"] = secret
    command = [sys.executable, "-m", "socialcredit", "serve", "-w", str(root), "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, "the service did not start"
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
