"""Erasure removes the bytes, not only the rows: after compaction the erased
person's subject key is in no file of the workspace, lake or store; the audit
chain still verifies, old-format entries included."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text

from socialcredit.errors import NotFoundError
from socialcredit.lake.changes import note_change
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.rights.certificates import CertificateRequest, issuer_for, registry
from socialcredit.rights.erasure import erase_expired, erase_person
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.store import Store, audit, keys, open_store
from socialcredit.store.erasure import erase_person_from_store
from socialcredit.store.models import Consent
from tests.utils.nation import ingest_feeds


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    space = Workspace.open(Settings(workspace=tmp_path / "ws"), mode="demo")
    manifest = simulate(tmp_path / "feeds", citizens=400, seed=3)
    ingest_feeds(space.engine(), space.keyer(), tmp_path / "feeds", manifest, space.rejections_dir)
    score_population(space.engine(), default_spec())
    space.engine().execute("checkpoint", "CHECKPOINT")
    return space


def _someone(tmp_path: Path) -> str:
    with open(tmp_path / "feeds" / "truth" / "outcomes.csv", encoding="utf-8") as handle:
        return next(csv.DictReader(handle))["resident_id"]


def _on_file_in_store(store: Store, key: str) -> None:
    """A citizen key, a consent and audit entries about ``key``."""
    now = dt.datetime(2026, 1, 1)
    with store.session() as session, session.begin():
        keys.create_key(session, "citizen", subject_key=key)
        session.add(
            Consent(
                consent_id=f"c-{key[:8]}",
                subject_key=key,
                partner_id="harbour-bank",
                purpose="credit_application",
                granted_at=now,
                expires_at=now + dt.timedelta(days=30),
                revoked_at=None,
            )
        )
        for purpose in ("credit_application", "account_review"):
            audit.append(
                session,
                actor="someone",
                actor_kind="partner",
                action="score_read",
                subject_key=key,
                purpose=purpose,
                detail={"score": 700},
            )


def test_erasing_a_person_leaves_no_bytes(workspace: Workspace, tmp_path: Path) -> None:
    person = _someone(tmp_path)
    key = workspace.keyer().key(person).encode()
    engine, store = workspace.engine(), workspace.store()
    publish_run(store, engine)
    _on_file_in_store(store, key.decode())
    registry.issue(
        store,
        issuer_for(workspace.root, workspace.settings.public_url),
        key.decode(),
        CertificateRequest(disclose="score", display_name="to be forgotten"),
        actor="test",
        actor_kind="operator",
    )
    on_disk = {p.name for p in _files_containing(workspace.root, key)}
    assert {"lake.duckdb", "store.sqlite"} <= on_disk, "control: the key is on disk before"
    others = engine.scalar(
        "others", "SELECT count(*) FROM rec_payment WHERE subject_key <> ?", [key.decode()]
    )
    note_change(engine, key.decode(), "test")
    result = erase_person(engine, workspace.keyer(), person, store=store, actor="test")
    assert result["removed"]["subjects"] == 1
    assert result["removed"]["subject_changes"] == 1
    assert result["removed"]["score_history"] >= 1
    assert result["store"] == {
        "reviews": 0,
        "decisions": 0,
        "disputes": 0,
        "consents": 1,
        "published_scores": 1,
        "credentials": 1,
        "certificates": 1,
        "audit_log": 3,
    }
    engine.compact()
    assert _files_containing(workspace.root, key) == []
    assert _files_containing(workspace.root, b"to be forgotten") == []  # the certificate
    assert engine.scalar("others", "SELECT count(*) FROM rec_payment") == others
    log = engine.query("log", "SELECT * FROM erasures").to_pylist()
    assert len(log) == 1
    assert log[0]["kind"] == "person"
    assert key.decode() not in str(log)
    with store.session() as session:
        verified = audit.verify(session)
    assert verified.ok, verified.problems
    assert verified.erased == 3
    with pytest.raises(NotFoundError):
        erase_person(engine, workspace.keyer(), person, store=store)
    workspace.close()


@pytest.mark.slow
def test_the_erase_command_clears_lake_and_store(workspace: Workspace, tmp_path: Path) -> None:
    person = _someone(tmp_path)
    key = workspace.keyer().key(person)
    publish_run(workspace.store(), workspace.engine())
    _on_file_in_store(workspace.store(), key)
    workspace.close()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCREDIT_")}
    command = [sys.executable, "-m", "socialcredit", "erase", person, "--json"]
    erased = subprocess.run(
        [*command, "--workspace", str(workspace.root)],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert erased.returncode == 0, erased.stderr
    result = json.loads(erased.stdout)
    assert result["compacted"] is True
    assert result["store"]["published_scores"] == 1
    assert result["store"]["audit_log"] == 2
    assert _files_containing(workspace.root, key.encode()) == []


def _sqlite_store_without_secure_delete(path: Path) -> Store:
    """Many SQLite builds overwrite deleted rows (secure_delete); not all do. Turn it
    off, so that only the vacuum can make the bytes go."""
    store = open_store(f"sqlite:///{path}", migrate=False)

    @event.listens_for(store.engine, "connect")
    def _plain_delete(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    store.migrate()
    return store


def test_store_erasure_vacuums_the_bytes_away(tmp_path: Path) -> None:
    store = _sqlite_store_without_secure_delete(tmp_path / "store.sqlite")
    person, other = "a" * 32, "b" * 32
    _on_file_in_store(store, person)
    _on_file_in_store(store, other)
    with store.session() as session, session.begin():
        session.execute(text("DELETE FROM consents WHERE subject_key = :k"), {"k": other})
    file = (tmp_path / "store.sqlite").read_bytes()
    assert f"c-{other[:8]}".encode() in file, "control: a plain DELETE leaves the bytes"
    removed = erase_person_from_store(store, person, "test")
    assert (removed["consents"], removed["credentials"], removed["audit_log"]) == (1, 1, 2)
    file = (tmp_path / "store.sqlite").read_bytes()
    assert person.encode() not in file
    assert other.encode() in file, "the other person is untouched"
    assert erase_person_from_store(store, person, "test") == dict.fromkeys(removed, 0)
    with store.session() as session:
        verified = audit.verify(session)
        erasures = session.execute(
            text("SELECT actor, subject_key, detail FROM audit_log WHERE action = 'erasure'")
        ).all()
    assert verified.ok, verified.problems
    assert verified.erased == 2
    assert len(erasures) == 1
    assert erasures[0].subject_key is None
    assert json.loads(erasures[0].detail)["audit_entries"] == 2
    store.dispose()


def _old_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """The audit hash as written before migration 0004."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def test_entries_written_before_salting_still_verify(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", migrate=False)
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("socialcredit.store").joinpath("migrations"))
    )
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    person = "c" * 32
    previous = audit.GENESIS
    with store.engine.begin() as connection:
        for seq, subject in ((1, person), (2, None), (3, person)):
            body = {
                "seq": seq,
                "at": f"2025-0{seq}-01T00:00:00",
                "actor": "old",
                "actor_kind": "partner",
                "action": "score_read",
                "subject_key": subject,
                "purpose": "credit_application" if subject else None,
                "detail": {},
            }
            digest = _old_hash(previous, body)
            connection.execute(
                text(
                    "INSERT INTO audit_log (seq, at, actor, actor_kind, action, subject_key, "
                    "purpose, detail, prev_hash, entry_hash) VALUES (:seq, :at, :actor, "
                    ":actor_kind, :action, :subject_key, :purpose, '{}', :prev, :hash)"
                ),
                body | {"at": body["at"].replace("T", " "), "prev": previous, "hash": digest},
            )
            previous = digest
        connection.execute(
            text("UPDATE audit_head SET seq = 3, entry_hash = :h WHERE head_id = 1"),
            {"h": previous},
        )
    store.migrate()
    with store.session() as session, session.begin():
        audit.append(
            session, actor="new", actor_kind="partner", action="score_read", subject_key=person
        )
    with store.session() as session:
        verified = audit.verify(session)
    assert verified.ok, verified.problems
    assert verified.entries == 4
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'forged' WHERE seq = 2"))
    with store.session() as session:
        problems = audit.verify(session).problems
    assert problems == [{"seq": 2, "problem": "content was altered"}]
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'old' WHERE seq = 2"))
    removed = erase_person_from_store(store, person, "test")
    assert removed["audit_log"] == 3  # two old entries, one new
    with store.session() as session:
        verified = audit.verify(session)
    assert verified.ok, verified.problems
    assert verified.erased == 3
    assert person.encode() not in (tmp_path / "store.sqlite").read_bytes()
    store.dispose()


def test_erasing_expired_records(workspace: Workspace) -> None:
    engine = workspace.engine()
    before = engine.scalar("n", "SELECT count(*) FROM rec_payment")
    nothing = erase_expired(engine, dt.date(2026, 6, 30))
    assert sum(nothing["removed"].values()) == 0
    result = erase_expired(engine, dt.date(2030, 6, 30))  # four years on, older bills expire
    removed = result["removed"]["rec_payment"]
    assert 0 < removed < before
    assert (
        engine.scalar("old", "SELECT count(*) FROM rec_payment WHERE due_date < DATE '2025-06-30'")
        == 0
    )
    noted = engine.scalar(
        "noted", "SELECT count(DISTINCT subject_key) FROM subject_changes WHERE cause = 'expired'"
    )
    assert 0 < noted <= removed, "people who lost records are rescored incrementally"
    engine.compact()
    assert engine.scalar("n", "SELECT count(*) FROM rec_payment") == before - removed
    workspace.close()
