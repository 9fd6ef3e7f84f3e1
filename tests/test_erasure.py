"""Erasure removes the bytes, not only the rows: after compaction the erased
person's subject key is in no file of the workspace."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from socialcredit.erasure import erase_expired, erase_person
from socialcredit.errors import NotFoundError
from socialcredit.scorecard import default_spec
from socialcredit.scoring import score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.workspace import Workspace
from tests.conftest import ingest_feeds


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


def test_erasing_a_person_leaves_no_bytes(workspace: Workspace, tmp_path: Path) -> None:
    person = _someone(tmp_path)
    key = workspace.keyer().key(person).encode()
    assert _files_containing(workspace.root, key), "control: the key is on disk before"
    engine = workspace.engine()
    others = engine.scalar(
        "others", "SELECT count(*) FROM rec_payment WHERE subject_key <> ?", [key.decode()]
    )
    result = erase_person(engine, workspace.keyer(), person)
    assert result["removed"]["subjects"] == 1
    assert result["removed"]["score_history"] >= 1
    engine.compact()
    assert _files_containing(workspace.root, key) == []
    assert engine.scalar("others", "SELECT count(*) FROM rec_payment") == others
    log = engine.query("log", "SELECT * FROM erasures").to_pylist()
    assert len(log) == 1
    assert log[0]["kind"] == "person"
    assert key.decode() not in str(log)
    with pytest.raises(NotFoundError):
        erase_person(engine, workspace.keyer(), person)
    workspace.close()


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
    engine.compact()
    assert engine.scalar("n", "SELECT count(*) FROM rec_payment") == before - removed
    workspace.close()
