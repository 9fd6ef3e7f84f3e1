"""The command line as a user runs it: real processes, JSON on stdout only,
exit statuses that say what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialcredit.decisions import default_policy
from tests.utils.cli import LIVE, as_json, run
from tests.utils.records import row, write_csv


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    workspace = tmp_path_factory.mktemp("demo")
    result = run(
        "demo", "--citizens", "2000", "--seed", "3", "--workspace", str(workspace), "--json"
    )
    assert result.returncode == 0, result.stderr
    return workspace, as_json(result)


def test_demo_summary(demo: tuple[Path, dict[str, Any]]) -> None:
    workspace, summary = demo
    assert json.loads((workspace / "summary.json").read_text(encoding="utf-8")) == summary
    for key in (
        "citizens",
        "records_accepted",
        "records_rejected",
        "tier_counts",
        "score_min",
        "score_max",
        "auc_vs_truth",
        "scores_digest",
        "engine",
        "elapsed_s",
    ):
        assert key in summary, key
    assert summary["citizens"] == 2000
    assert summary["engine"] == "duckdb"
    assert 350 <= summary["score_min"] <= summary["score_max"] <= 950
    assert set(summary["tier_counts"]) == {"poor", "fair", "good", "very_good", "excellent"}


def test_demo_is_reproducible(demo: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    _, first = demo
    again = as_json(
        run("demo", "--citizens", "2000", "--seed", "3", "--workspace", str(tmp_path), "--json")
    )
    assert again["scores_digest"] == first["scores_digest"]


def test_report_and_score_commands(demo: tuple[Path, dict[str, Any]]) -> None:
    workspace, summary = demo
    feed = workspace / "feeds" / "harbour-bank.verification.csv"
    person = feed.read_text(encoding="utf-8").splitlines()[1].split(",")[1].strip('"')
    report = run("report", person, "--workspace", str(workspace), "--json")
    assert report.returncode == 0, report.stderr
    data = as_json(report)
    for key in ("subject_key", "score", "tier", "subscores", "reasons"):
        assert key in data
    human = run("report", person, "--workspace", str(workspace))
    assert human.returncode == 0
    assert str(data["score"]) in human.stdout
    scored = as_json(run("score", "--workspace", str(workspace), "--json"))
    assert scored["scores_digest"] == summary["scores_digest"]
    since = as_json(run("score", "--since", "last", "--workspace", str(workspace), "--json"))
    assert (since["recomputed"], since["scores_digest"]) == (0, summary["scores_digest"])
    moved = run("score", "--since", "last", "--as-of", "2020-01-01", "--workspace", str(workspace))
    assert moved.returncode == 2
    assert "full score" in moved.stderr


def test_fairness_at_policy_cutoffs_with_a_page(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    workspace, _ = demo
    page = tmp_path / "fairness.html"
    result = run(
        "fairness", "--workspace", str(workspace), "--json", "--html", str(page), "--lang", "zh"
    )
    assert result.returncode == 0, result.stderr
    report = as_json(result)
    assert report["policy_version"] == default_policy().version
    assert report["policy_cutoffs"]["loan"] == 600
    assert report["policy_cutoffs"]["deposit_waiver"] == 600
    assert set(report["policy_cutoffs"].values()) <= set(report["cutoffs"])
    assert "公平性报告" in page.read_text(encoding="utf-8")
    tiers_only = as_json(run("fairness", "--workspace", str(workspace), "--json", "--no-policy"))
    assert tiers_only["cutoffs"] == [550, 600, 650, 700]
    assert tiers_only["policy_cutoffs"] == {}


def test_report_errors_have_distinct_exit_codes(demo: tuple[Path, dict[str, Any]]) -> None:
    workspace, _ = demo
    bad = run("report", "110105194912310021", "--workspace", str(workspace), "--json")
    assert bad.returncode == 2
    assert as_json(bad)["error"]["type"] == "IdentityError"
    absent = run("report", "11010519491231002X", "--workspace", str(workspace), "--json")
    assert absent.returncode == 4
    assert "no score on file" in as_json(absent)["error"]["message"]


def test_ingest_json_and_idempotence(tmp_path: Path) -> None:
    feed = write_csv(
        tmp_path / "river-grid.payment.csv",
        [row("payment", f"r{i}") for i in range(3)]
        + [row("payment", "bad", due_date="2026-02-30")],
    )
    ws = str(tmp_path / "ws")
    registered = run(
        "partners", "add", "river-grid", "--name", "River", "--kind", "utility", "-w", ws
    )
    assert registered.returncode == 0, registered.stderr
    first = run("ingest", str(feed), "--workspace", ws, "--json", env=LIVE)
    assert first.returncode == 0, first.stderr
    data = as_json(first)
    assert (data["rows"], data["accepted"], data["rejected"], data["duplicates"]) == (4, 3, 1, 0)
    assert Path(data["rejections_file"]).is_file()
    second = as_json(run("ingest", str(feed), "--workspace", ws, "--json", env=LIVE))
    assert (second["accepted"], second["duplicates"]) == (0, 3)
    human = run("ingest", str(feed), "--workspace", ws, env=LIVE)
    assert "already on file" in human.stderr


def test_ingest_refuses_forbidden_column(tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "f.csv", [row("payment", "r1", religion="none")])
    ws = str(tmp_path / "ws")
    assert run("partners", "add", "p-x", "--name", "X", "--kind", "bank", "-w", ws).returncode == 0
    result = run(
        "ingest",
        str(feed),
        "--partner",
        "p-x",
        "--category",
        "payment",
        "--workspace",
        str(tmp_path / "ws"),
        "--json",
        env=LIVE,
    )
    assert result.returncode == 2
    failed = as_json(result)["failed"][0]
    assert failed["error"] == "ForbiddenDataError"
    assert "religion" in failed["message"]
    assert "religion" in result.stderr


def test_ingest_unreadable_file_fails(tmp_path: Path) -> None:
    result = run(
        "ingest",
        str(tmp_path / "nothing.payment.csv"),
        "--partner",
        "p-x",
        "--workspace",
        str(tmp_path / "ws"),
        env=LIVE,
    )
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_live_workspace_needs_the_secret(tmp_path: Path) -> None:
    feed = write_csv(tmp_path / "p.payment.csv", [row("payment", "r1")])
    result = run("ingest", str(feed), "--workspace", str(tmp_path / "ws"), "--json")
    assert result.returncode == 3
    assert "SOCIALCREDIT_SUBJECT_KEY_SECRET" in as_json(result)["error"]["message"]
    ws = str(tmp_path / "ws")
    assert run("partners", "add", "p-x", "--name", "X", "--kind", "bank", "-w", ws).returncode == 0
    assert run("ingest", str(feed), "--partner", "p-x", "-w", ws, env=LIVE).returncode == 0
    wrong = run(
        "ingest",
        str(feed),
        "--workspace",
        str(tmp_path / "ws"),
        env={"SOCIALCREDIT_SUBJECT_KEY_SECRET": "another-secret-of-at-least-32-bytes"},
    )
    assert wrong.returncode == 3
    assert "differs" in wrong.stderr


def test_simulate_and_schema(tmp_path: Path) -> None:
    result = run("simulate", "--citizens", "200", "--seed", "1", "--out", str(tmp_path), "--json")
    assert result.returncode == 0
    assert len(as_json(result)["feeds"]) >= 8
    schema = as_json(run("schema", "payment", "--json"))
    assert schema["payment"]["required"][:3] == ["record_id", "resident_id", "observed_date"]
    assert run("schema", "activity").returncode == 2


@pytest.mark.parametrize("command", ["demo", "simulate", "ingest", "score", "report", "schema"])
def test_help_explains_every_command(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout
    if command != "schema":
        assert "--workspace" in result.stdout
        assert "--json" in result.stdout
