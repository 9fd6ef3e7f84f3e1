"""The demo end to end on the reference nation (20,000 people, seed 7): everyone is
scored, each in the tier the tier table puts their score in, with subscores on the
scale; the summary says what the lake holds; its digest is the digest of the rows
and the same for the same seed; and the scores tell the simulated defaulters apart."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from socialcredit.errors import ConfigurationError
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.dimension_effect import EFFECT_TABLE, compare_without
from socialcredit.monitoring.fairness import fairness_report
from socialcredit.monitoring.groups import group_columns_sql
from socialcredit.monitoring.impact import compare_groups, group_rates, worst_significant
from socialcredit.scorecard import MAX_SCORE, MIN_SCORE, TIER, default_spec
from socialcredit.scoring.digest import digest, sums_of_rows
from socialcredit.settings import Settings
from socialcredit.simulate.demo import CHOSEN_DIMENSIONS, run_demo

CITIZENS, SEED = 20_000, 7


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    settings = Settings(workspace=tmp_path_factory.mktemp("demo") / "w")
    return settings, run_demo(settings, citizens=CITIZENS, seed=SEED)


@pytest.fixture(scope="module")
def rows(reference: tuple[Settings, dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's rows in the lake: everyone's score, tier and subscores."""
    settings, summary = reference
    workspace = Workspace.open(settings)
    try:
        found = workspace.engine().query(
            "rows", "SELECT * FROM score_history WHERE run_id = ?", [summary["run_id"]]
        )
        return found.to_pylist()
    finally:
        workspace.close()


@pytest.mark.slow
def test_the_summary_says_what_the_lake_holds(
    reference: tuple[Settings, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    settings, summary = reference
    written = (settings.workspace / "summary.json").read_text(encoding="utf-8")
    assert json.loads(written) == summary
    assert summary["subjects_scored"] == len(rows) == CITIZENS
    counted = Counter(r["tier"] for r in rows)
    assert summary["tier_counts"] == {tier: counted[tier] for tier in TIER}
    assert all(count > 0 for count in summary["tier_counts"].values()), summary["tier_counts"]
    assert summary["score_min"] == min(r["score"] for r in rows)
    assert summary["score_max"] == max(r["score"] for r in rows)
    assert summary["records_rejected"] > 0
    assert summary["records_accepted"] > 700_000


@pytest.mark.slow
def test_every_score_is_in_its_tier_and_every_subscore_on_the_scale(
    reference: tuple[Settings, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    _, summary = reference
    misplaced = [r for r in rows if not TIER[r["tier"]].low <= r["score"] <= TIER[r["tier"]].high]
    assert not misplaced, misplaced[:3]
    dimensions = summary["dimensions_scored"]
    assert dimensions
    off_scale = [
        (r["subject_key"], d, r[f"sub_{d}"])
        for r in rows
        for d in dimensions
        if r[f"sub_{d}"] is None or not MIN_SCORE <= r[f"sub_{d}"] <= MAX_SCORE
    ]
    assert not off_scale, off_scale[:3]
    # the subscores spread over the scale rather than sitting at one value
    assert all(len({r[f"sub_{d}"] for r in rows}) > 5 for d in dimensions)


@pytest.mark.slow
def test_the_digest_is_the_digest_of_the_rows(
    reference: tuple[Settings, dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    _, summary = reference
    lines = pa.Table.from_pylist(
        [{c: r[c] for c in ("subject_key", "score", "tier")} for r in rows]
    )
    assert digest(sums_of_rows(lines)) == summary["scores_digest"]


@pytest.mark.slow
def test_the_scores_tell_defaulters_apart(reference: tuple[Settings, dict[str, Any]]) -> None:
    _, summary = reference
    assert summary["auc_vs_truth"] >= 0.75


@pytest.mark.slow
def test_the_default_passes_the_four_fifths_rule(
    reference: tuple[Settings, dict[str, Any]],
) -> None:
    """At every tier and credit policy cut-off, no group's approval rate is significantly
    below 0.8 of the best-treated group's (the summary says so, as the report does), and
    no significant gap comes near it: the youngest no longer lose points for their age."""
    settings, summary = reference
    assert summary["fairness_cutoffs"] == [550, 600, 620, 650, 700]
    workspace = Workspace.open(settings)
    try:
        engine = workspace.engine()
        report = fairness_report(engine, summary["run_id"], tuple(summary["fairness_cutoffs"]))
        as_of = dt.date.fromisoformat(summary["as_of"])
        people = engine.query(
            "people",
            f"SELECT h.score, {group_columns_sql(as_of)} FROM score_history h "
            "JOIN subjects s ON s.subject_key = h.subject_key WHERE h.run_id = ?",
            [summary["run_id"]],
        )
    finally:
        workspace.close()
    assert [f for f in report.flags if f["significant"]] == []
    assert summary["fairness_significant_flags"] == 0
    assert summary["fairness_lowest_ratio"] == report.lowest
    groups = {a: people.column(a).to_pylist() for a in ("sex", "age_band", "province")}
    scores = people.column("score").to_numpy()
    cuts = report.cutoffs
    worst = worst_significant(compare_groups(group_rates(scores, groups, cuts), cuts))
    assert worst is None or worst.ratio >= 0.85, worst
    assert summary["auc_vs_truth"] >= 0.778


@pytest.mark.slow
def test_the_chosen_dimensions_add_signal_and_cost_nothing_without_data(
    reference: tuple[Settings, dict[str, Any]],
) -> None:
    """Cash flow (shared with consent) and guarantees (signed): each is scored, each
    adds signal against the truth, and nobody without data in one scores differently
    for it. The comparison is made against the run's own scores, person by person."""
    settings, summary = reference
    assert summary["dimensions_scored"] == [
        "credit_history",
        "fulfilment",
        "characteristics",
        "cash_flow",
        "guarantees",
    ]
    assert set(summary["auc_without"]) == set(CHOSEN_DIMENSIONS)
    for dimension in CHOSEN_DIMENSIONS:
        assert summary["auc_vs_truth"] >= summary["auc_without"][dimension] - 0.002
        assert summary["no_data_penalty"][dimension] == 0
    assert 0.3 * CITIZENS < summary["cash_flow_consented"] < 0.5 * CITIZENS
    assert summary["guarantee_circles"] > 0
    workspace = Workspace.open(settings)
    try:
        engine = workspace.engine()
        for dimension in CHOSEN_DIMENSIONS:
            compare_without(
                engine,
                default_spec(),
                dimension,
                as_of=dt.date.fromisoformat(summary["as_of"]),
                notice_days=settings.notice_working_days,
            )
            found = engine.query(
                "effect against the run",
                f"SELECT count(*) AS people, count(h.subject_key) AS matched, "
                f"count(CASE WHEN h.score <> e.score THEN 1 END) AS differ, "
                f"count(CASE WHEN NOT e.has_data THEN 1 END) AS without_data, "
                f"count(CASE WHEN NOT e.has_data AND e.score <> e.score_without THEN 1 END) "
                f"AS penalised, count(CASE WHEN e.has_data AND e.score <> e.score_without "
                f"THEN 1 END) AS moved FROM {EFFECT_TABLE} e LEFT JOIN score_history h "
                "ON h.subject_key = e.subject_key AND h.run_id = ?",
                [summary["run_id"]],
            ).to_pylist()[0]
            assert found["people"] == found["matched"] == CITIZENS, (dimension, found)
            assert found["differ"] == 0, (dimension, found)
            assert found["without_data"] > 0, (dimension, found)
            assert found["penalised"] == 0, (dimension, found)
            assert found["moved"] > 0, (dimension, found)
    finally:
        workspace.close()


@pytest.mark.slow
def test_the_same_seed_gives_the_same_digest(tmp_path: Path) -> None:
    def demo(folder: str, seed: int) -> str:
        summary = run_demo(Settings(workspace=tmp_path / folder), citizens=1_000, seed=seed)
        return str(summary["scores_digest"])

    first = demo("a", 3)
    assert demo("b", 3) == first
    assert demo("c", 4) != first


def test_demo_refuses_a_live_workspace(tmp_path: Path) -> None:
    (tmp_path / "workspace.json").write_text('{"mode": "live"}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="live workspace"):
        run_demo(Settings(workspace=tmp_path), citizens=100)
