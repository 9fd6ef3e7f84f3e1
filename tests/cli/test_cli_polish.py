"""What a first-time user of the command line hit: help that shows flags as flags and
reads as sentences, errors that say what is wrong, a refused ingestion that prints no
empty table and leaves no spinner behind, no half-made workspace, a short or wrong
secret refused, a partner that is not registered refused, one lake per engine said."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialcredit.decisions.policy import ACTIONS
from tests.utils.cli import as_json, run
from tests.utils.records import PERSON_B, row, write_csv

SECRET = "cli-polish-test-secret-0123456789abcdef"
LIVE = {"SOCIALCREDIT_SUBJECT_KEY_SECRET": SECRET}
WIDE = {"COLUMNS": "200"}


def _help(*command: str) -> str:
    result = run(*command, "--help", env=WIDE)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _register(ws: Path, partner: str) -> None:
    added = run("partners", "add", partner, "--name", partner, "--kind", "bank", "-w", str(ws))
    assert added.returncode == 0, added.stderr


@pytest.mark.parametrize(
    "command", [("ingest",), ("score",), ("keys", "create"), ("erase",), ("audit", "verify")]
)
def test_flags_are_shown_as_flags(command: tuple[str, ...]) -> None:
    shown = _help(*command)
    assert re.search(r"^\s+--json\s{2,}Print one JSON document", shown, re.MULTILINE), shown
    assert "<bool>" not in shown


def test_model_fit_shows_its_monotone_options() -> None:
    shown = _help("model", "fit")
    assert "--no-monotone" in shown
    assert "--no-no-monotone" not in shown
    assert re.search(r"^\s+--no-monotone\s{2,}Impose no monotone trend", shown, re.MULTILINE)


def test_help_text_is_not_wrapped_mid_sentence() -> None:
    shown = _help("ingest")
    assert (
        "Every row is checked; valid rows are kept, invalid ones listed in a rejection file "
        "(row, field, value, rule)." in shown
    )


def test_scopes_help_lists_decision_scopes() -> None:
    shown = _help("keys", "create")
    assert "decisions:<action>" in shown
    for action in ACTIONS:
        assert action in shown


@pytest.mark.parametrize("command", [("keys", "create"), ("keys", "revoke"), ("partners", "add")])
def test_store_commands_have_no_engine_option(command: tuple[str, ...]) -> None:
    assert "--engine" not in _help(*command)


def test_refused_ingest_prints_no_table_and_leaves_no_spinner(tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "p-x.payment.csv", [row("payment", "r1", religion="none")])
    ws = tmp_path / "ws"
    _register(ws, "p-x")
    refused = run("ingest", str(feed), "-w", str(ws), env=LIVE)
    assert refused.returncode == 2
    assert "religion" in refused.stderr
    assert refused.stdout.strip() == "", "no table when nothing was ingested"
    assert not any(0x2800 <= ord(c) <= 0x28FF for c in refused.stderr), refused.stderr
    assert "p-x.payment.csv" not in refused.stderr.replace(f"refused: {feed}", "")


def test_missing_file_with_a_plain_name_says_no_such_file(tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "batch.csv"), "-w", str(tmp_path / "ws"), env=LIVE)
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "--partner" not in result.stderr


@pytest.mark.parametrize("secret", ["12345", "x" * 31, "密" * 10])
def test_short_secret_is_refused(tmp_path: Path, secret: str) -> None:
    feed = write_csv(tmp_path / "p-x.payment.csv", [row("payment", "r1")])
    result = run(
        "ingest",
        str(feed),
        "-w",
        str(tmp_path / "ws"),
        env={"SOCIALCREDIT_SUBJECT_KEY_SECRET": secret},
    )
    assert result.returncode == 3
    assert "SOCIALCREDIT_SUBJECT_KEY_SECRET is" in result.stderr
    assert "at least 32 bytes" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_score_with_another_secret_exits_non_zero(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _register(ws, "p-x")
    feed = write_csv(tmp_path / "p-x.payment.csv", [row("payment", "r1")])
    assert run("ingest", str(feed), "-w", str(ws), env=LIVE).returncode == 0
    assert run("score", "-w", str(ws), env=LIVE).returncode == 0
    other = run("score", "-w", str(ws), env={"SOCIALCREDIT_SUBJECT_KEY_SECRET": "y" * 40})
    assert other.returncode == 3
    assert "differs" in other.stderr


def test_file_named_for_an_unregistered_partner_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    feed = write_csv(tmp_path / "ghost-bank.payment.csv", [row("payment", "r1")])
    refused = run("ingest", str(feed), "-w", str(ws), "--json", env=LIVE)
    assert refused.returncode == 2
    message = as_json(refused)["failed"][0]["message"]
    assert "ghost-bank" in message
    assert "socialcredit partners add ghost-bank" in message
    _register(ws, "ghost-bank")
    accepted = run("ingest", str(feed), "-w", str(ws), "--json", env=LIVE)
    assert accepted.returncode == 0, accepted.stderr
    assert as_json(accepted)["accepted"] == 1


def test_failed_live_ingest_leaves_no_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "new"
    missing = run("ingest", str(tmp_path / "p-x.payment.csv"), "-w", str(ws), env=LIVE)
    assert missing.returncode == 2
    assert not ws.exists()
    no_secret = run("ingest", str(tmp_path / "p-x.payment.csv"), "-w", str(ws))
    assert no_secret.returncode == 3
    assert not ws.exists()
    existing = tmp_path / "kept"
    _register(existing, "p-x")
    again = run("ingest", str(tmp_path / "p-x.payment.csv"), "-w", str(existing), env=LIVE)
    assert again.returncode == 2
    assert (existing / "workspace.json").exists(), "a workspace that was there stays"


def test_score_on_spark_says_the_spark_lake_is_separate(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _register(ws, "p-x")
    feed = write_csv(
        tmp_path / "p-x.payment.csv", [row("payment", "r1"), row("payment", "r2", person=PERSON_B)]
    )
    assert run("ingest", str(feed), "-w", str(ws), env=LIVE).returncode == 0
    result = run("score", "-w", str(ws), "--engine", "spark://local[1]", env=LIVE)
    assert result.returncode == 4
    assert "Spark lake" in result.stderr
    assert "separate" in result.stderr
    assert "lake.duckdb" in result.stderr


def test_messages_point_to_the_schema_command(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _register(ws, "p-x")
    feed = write_csv(tmp_path / "p-x.payment.csv", [row("payment", "r1", colour="blue")])
    result = run("ingest", str(feed), "-w", str(ws), "--json", env=LIVE)
    assert result.returncode == 2
    message = as_json(result)["failed"][0]["message"]
    assert "socialcredit schema payment" in message
    assert "docs/records.md" not in message
