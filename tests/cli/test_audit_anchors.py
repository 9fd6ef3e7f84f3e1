"""Anchors of the audit chain, on SQLite and a real PostgreSQL: someone who can write
to the store can truncate the log or rewrite an entry and rehash everything after it,
and the chain alone still verifies; held against signed anchors kept outside the
store, `socialcredit audit verify --anchors` exits 1 and says what happened."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from socialcredit.cli import app
from socialcredit.store import audit, open_store
from socialcredit.store.database import Store
from socialcredit.store.models import AuditEntry, AuditHead
from tests.utils.postgres import POSTGRES_URL

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ws' / 'store.sqlite'}"
    postgres = request.getfixturevalue("postgres")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    postgres.execute(f"CREATE SCHEMA {schema}")
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def logged(tmp_path: Path, store_url: str) -> Iterator[tuple[Store, dict[str, str]]]:
    """A store with 20 audit entries, an operator key outside the workspace, and the
    environment that points the command line at them."""
    (tmp_path / "ws").mkdir()
    store = open_store(store_url)
    _append(store, 20)
    env = {"SOCIALCREDIT_WORKSPACE": str(tmp_path / "ws"), "SOCIALCREDIT_STORE": store_url}
    made = cli("audit", "keygen", "--key", str(tmp_path / "operator.pem"), "--json")
    assert made.exit_code == 0, made.output
    yield store, env
    store.dispose()


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def _append(store: Store, count: int) -> None:
    with store.session() as session, session.begin():
        for i in range(count):
            audit.append(
                session,
                actor="partner-key",
                actor_kind="partner",
                action="score_read",
                subject_key=f"{i:032x}",
                purpose="credit_application",
                detail={"n": i},
            )


def _anchor(tmp_path: Path, env: dict[str, str]) -> Any:
    return cli(
        "audit",
        "anchor",
        "--key",
        str(tmp_path / "operator.pem"),
        "--anchors",
        str(tmp_path / "anchors.jsonl"),
        "--json",
        env=env,
    )


def _verify(tmp_path: Path, env: dict[str, str], *, anchors: bool = True) -> Any:
    args = ["audit", "verify", "--json"]
    if anchors:
        args += [
            "--anchors",
            str(tmp_path / "anchors.jsonl"),
            "--public-key",
            str(tmp_path / "operator.pem.pub"),
        ]
    return cli(*args, env=env)


def _rehash_from(store: Store, first: int) -> None:
    """What a forger with write access does: recompute every hash from entry ``first``
    on and move the head, so that the chain alone verifies again."""
    with store.session() as session, session.begin():
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.seq >= first).order_by(AuditEntry.seq)
        ).scalars()
        previous = session.execute(
            select(AuditEntry.entry_hash).where(AuditEntry.seq == first - 1)
        ).scalar_one()
        for entry in entries:
            entry.personal_digest = audit.personal_digest(
                str(entry.salt), entry.subject_key, entry.purpose, entry.detail
            )
            fields = {name: getattr(entry, name) for name in ("seq", "at", "actor", "actor_kind")}
            fields |= {"action": entry.action, "personal_digest": entry.personal_digest}
            entry.prev_hash, entry.entry_hash = previous, audit.entry_hash(previous, fields)
            previous = entry.entry_hash
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars()
        top = next(iter(last))
        head = session.get(AuditHead, 1)
        assert head is not None
        head.seq, head.entry_hash = top.seq, top.entry_hash


def test_anchor_then_verify(tmp_path: Path, logged: tuple[Store, dict[str, str]]) -> None:
    store, env = logged
    first = _anchor(tmp_path, env)
    assert first.exit_code == 0, first.output
    _append(store, 5)
    second = _anchor(tmp_path, env)
    assert second.exit_code == 0, second.output
    lines = [json.loads(line) for line in (tmp_path / "anchors.jsonl").read_text().splitlines()]
    assert [line["seq"] for line in lines] == [20, 25]
    assert set(lines[0]) == {"seq", "head", "at", "key_id", "prev", "signature"}
    verified = _verify(tmp_path, env)
    assert verified.exit_code == 0, verified.output
    result = json.loads(verified.output)
    assert result["ok"] is True
    assert (result["anchors"]["anchors"], result["anchors"]["latest_seq"]) == (2, 25)
    human = cli(
        "audit",
        "verify",
        "--anchors",
        str(tmp_path / "anchors.jsonl"),
        "--key",
        str(tmp_path / "operator.pem"),
        env=env,
    )
    assert human.exit_code == 0, human.output
    assert "matches 2 signed anchors" in human.output


def test_truncation_is_detected(tmp_path: Path, logged: tuple[Store, dict[str, str]]) -> None:
    store, env = logged
    assert _anchor(tmp_path, env).exit_code == 0
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq > 17"))
        kept = connection.execute(
            text("SELECT entry_hash FROM audit_log WHERE seq = 17")
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_head SET seq = 17, entry_hash = :h WHERE head_id = 1"), {"h": kept}
        )
    plain = _verify(tmp_path, env, anchors=False)
    assert plain.exit_code == 0, "control: the chain alone does not see the truncation"
    verified = _verify(tmp_path, env)
    assert verified.exit_code == 1
    problems = json.loads(verified.output)["problems"]
    assert any("truncation" in p["problem"] and p["seq"] == 20 for p in problems), problems
    refused = _anchor(tmp_path, env)
    assert refused.exit_code == 1, "nothing is anchored over a log that does not verify"
    assert len((tmp_path / "anchors.jsonl").read_text().splitlines()) == 1


def test_truncation_then_new_entries_is_detected(
    tmp_path: Path, logged: tuple[Store, dict[str, str]]
) -> None:
    store, env = logged
    assert _anchor(tmp_path, env).exit_code == 0
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq > 10"))
        kept = connection.execute(
            text("SELECT entry_hash FROM audit_log WHERE seq = 10")
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_head SET seq = 10, entry_hash = :h WHERE head_id = 1"), {"h": kept}
        )
    _append(store, 15)  # the head passes the anchored entry again, with other entries
    assert _verify(tmp_path, env, anchors=False).exit_code == 0
    verified = _verify(tmp_path, env)
    assert verified.exit_code == 1
    problems = json.loads(verified.output)["problems"]
    assert any("rewritten" in p["problem"] and p["seq"] == 20 for p in problems), problems


def test_rewrite_is_detected(tmp_path: Path, logged: tuple[Store, dict[str, str]]) -> None:
    store, env = logged
    assert _anchor(tmp_path, env).exit_code == 0
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_log SET purpose = 'collection' WHERE seq = 5"),
        )
    assert _verify(tmp_path, env, anchors=False).exit_code == 1, "control: a plain edit shows"
    _rehash_from(store, 5)
    assert _verify(tmp_path, env, anchors=False).exit_code == 0, "control: a rehash hides it"
    verified = _verify(tmp_path, env)
    assert verified.exit_code == 1
    problems = json.loads(verified.output)["problems"]
    assert any("rewritten" in p["problem"] and p["seq"] == 20 for p in problems), problems
    human = cli(
        "audit",
        "verify",
        "--anchors",
        str(tmp_path / "anchors.jsonl"),
        "--public-key",
        str(tmp_path / "operator.pem.pub"),
        env=env,
    )
    assert human.exit_code == 1
    assert "does NOT verify" in human.output
    assert "entry 20 differs from the one anchored" in human.output


def test_forged_and_removed_anchor_lines_are_detected(
    tmp_path: Path, logged: tuple[Store, dict[str, str]]
) -> None:
    store, env = logged
    for more in (0, 3, 3):
        _append(store, more)
        assert _anchor(tmp_path, env).exit_code == 0
    path = tmp_path / "anchors.jsonl"
    lines = path.read_text().splitlines()

    # a line edited to vouch for a shorter log (the head of entry 10)
    with store.engine.connect() as connection:
        head10 = connection.execute(
            text("SELECT entry_hash FROM audit_log WHERE seq = 10")
        ).scalar_one()
    edited = json.loads(lines[2]) | {"seq": 10, "head": head10}
    path.write_text("\n".join([*lines[:2], json.dumps(edited)]) + "\n")
    forged = _verify(tmp_path, env)
    assert forged.exit_code == 1
    problems = json.loads(forged.output)["problems"]
    assert [(p["line"], "forged" in p["problem"]) for p in problems] == [(3, True)], problems

    # a line signed by another key
    cli("audit", "keygen", "--key", str(tmp_path / "other.pem"))
    path.write_text("\n".join(lines[:2]) + "\n")
    other = cli(
        "audit",
        "anchor",
        "--key",
        str(tmp_path / "other.pem"),
        "--anchors",
        str(tmp_path / "other.jsonl"),
        env=env,
    )
    assert other.exit_code == 0, other.output
    path.write_text("\n".join([*lines[:2], (tmp_path / "other.jsonl").read_text().strip()]) + "\n")
    stranger = _verify(tmp_path, env)
    assert stranger.exit_code == 1
    assert "not signed by the operator's key" in stranger.output

    # the middle line removed
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    removed = _verify(tmp_path, env)
    assert removed.exit_code == 1
    assert "removed, inserted or reordered" in removed.output

    # not JSON at all
    path.write_text("\n".join([*lines, "garbage"]) + "\n")
    garbage = _verify(tmp_path, env)
    assert garbage.exit_code == 1
    assert "not an anchor" in garbage.output

    path.write_text("\n".join(lines) + "\n")
    assert _verify(tmp_path, env).exit_code == 0


def test_erasure_redactions_keep_anchors_valid(
    tmp_path: Path, logged: tuple[Store, dict[str, str]]
) -> None:
    store, env = logged
    assert _anchor(tmp_path, env).exit_code == 0
    from socialcredit.store.erasure import erase_person_from_store

    erased = erase_person_from_store(store, f"{3:032x}", "cli")
    assert erased["audit_log"] == 1
    verified = _verify(tmp_path, env)
    assert verified.exit_code == 0, verified.output


def test_key_in_the_workspace_or_missing_is_refused(
    tmp_path: Path, logged: tuple[Store, dict[str, str]]
) -> None:
    _, env = logged
    inside = tmp_path / "ws" / "operator.pem"
    assert cli("audit", "keygen", "--key", str(inside)).exit_code == 0
    refused = cli(
        "audit", "anchor", "--key", str(inside), "--anchors", str(tmp_path / "a.jsonl"), env=env
    )
    assert refused.exit_code == 3
    assert "inside the workspace" in refused.output
    missing = cli("audit", "anchor", "--anchors", str(tmp_path / "a.jsonl"), env=env)
    assert missing.exit_code == 3
    assert "SOCIALCREDIT_AUDIT_KEY" in missing.output
    again = cli("audit", "keygen", "--key", str(tmp_path / "operator.pem"))
    assert again.exit_code == 2, "a key is never overwritten"
    from_settings = cli(
        "audit",
        "anchor",
        "--json",
        env=env
        | {
            "SOCIALCREDIT_AUDIT_KEY": str(tmp_path / "operator.pem"),
            "SOCIALCREDIT_AUDIT_ANCHORS": str(tmp_path / "s.jsonl"),
        },
    )
    assert from_settings.exit_code == 0, from_settings.output
    assert (tmp_path / "s.jsonl").read_text().count("\n") == 1
