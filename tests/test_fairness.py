"""Fairness report: rates by group at each cut-off, four-fifths flags, significance."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.monitoring.fairness import TIER_CUTOFFS, fairness_report
from socialcredit.monitoring.fairness_page import fairness_html
from tests.utils.nation import NATION_CITIZENS, Nation


def test_report_on_the_nation(nation: Nation) -> None:
    report = fairness_report(nation.engine, nation.run.run_id)
    assert report.people == NATION_CITIZENS
    sexes = {g["group"]: g for g in report.groups if g["attribute"] == "sex"}
    assert set(sexes) == {"F", "M"}
    assert sum(g["n"] for g in sexes.values()) == NATION_CITIZENS
    rows = nation.engine.query(
        "direct",
        "SELECT s.sex, avg(CASE WHEN h.score >= 650 THEN 1.0 ELSE 0.0 END) AS r "
        "FROM score_history h JOIN subjects s USING (subject_key) WHERE h.run_id = ? "
        "GROUP BY s.sex",
        [nation.run.run_id],
    ).to_pylist()
    for row in rows:
        assert sexes[row["sex"]]["approval"]["650"] == pytest.approx(row["r"], abs=1e-4)
    ages = {g["group"] for g in report.groups if g["attribute"] == "age_band"}
    assert ages <= {"18-29", "30-44", "45-59", "60+"}
    for group in report.groups:
        for cut in TIER_CUTOFFS:
            ratio = group["adverse_impact_ratio"][str(cut)]
            assert ratio is None or ratio >= 0
    assert all(f["ratio"] < 0.8 for f in report.flags)


def _lake_with_groups(lake: Engine, scores: dict[str, list[int]]) -> None:
    subjects, history = [], []
    for i, (sex, values) in enumerate(scores.items()):
        for j, score in enumerate(values):
            key = f"{i}-{j}"
            subjects.append(
                {
                    "subject_key": key,
                    "birth_year": 1980,
                    "sex": sex,
                    "region": "110105",
                    "first_batch": "b",
                }
            )
            history.append({"subject_key": key, "score": score})
    lake.create_table_from_arrow("_s", pa.Table.from_pylist(subjects), temporary=True)
    lake.execute("s", "INSERT INTO subjects SELECT * FROM _s")
    lake.create_table_from_arrow("_h", pa.Table.from_pylist(history), temporary=True)
    lake.execute(
        "h",
        "INSERT INTO score_rows (run_id, as_of, scorecard_version, subject_key, "
        "score, tier) SELECT 'r1', DATE '2026-06-30', 'v', subject_key, score, 'x' FROM _h",
    )
    lake.execute(
        "r",
        "INSERT INTO score_runs VALUES ('r1', DATE '2026-06-30', 'v', 'duckdb', "
        "0, '', TIMESTAMP '2026-07-01 00:00:00', 7)",
    )


def test_a_clearly_disadvantaged_group_is_flagged(lake: Engine) -> None:
    rng = np.random.default_rng(0)
    _lake_with_groups(
        lake,
        {
            "F": rng.integers(640, 760, 2000).tolist(),  # most at or above 650 and 700
            "M": rng.integers(520, 700, 2000).tolist(),  # far fewer above 650
        },
    )
    report = fairness_report(lake)
    flagged = {(f["group"], f["cutoff"]) for f in report.flags if f["significant"]}
    assert ("M", 650) in flagged
    assert ("M", 700) in flagged
    assert report.lowest is not None
    assert report.lowest["group"] == "M"


def test_equal_groups_are_not_flagged(lake: Engine) -> None:
    rng = np.random.default_rng(1)
    _lake_with_groups(
        lake,
        {"F": rng.integers(500, 800, 3000).tolist(), "M": rng.integers(500, 800, 3000).tolist()},
    )
    report = fairness_report(lake)
    assert not [f for f in report.flags if f["attribute"] == "sex"]


def test_no_run_yet(lake: Engine) -> None:
    with pytest.raises(NotFoundError, match="no score run"):
        fairness_report(lake)


def test_policy_cutoffs_and_the_report_page(lake: Engine) -> None:
    from dataclasses import replace

    from socialcredit.decisions.policy import approval_cutoffs, default_policy

    rng = np.random.default_rng(0)
    _lake_with_groups(
        lake,
        {"F": rng.integers(640, 760, 2000).tolist(), "M": rng.integers(520, 700, 2000).tolist()},
    )
    by_action = approval_cutoffs(default_policy())
    assert by_action == {
        "loan": 600,
        "credit_card": 620,
        "credit_line_increase": 620,
        "tenancy": 550,
        "deposit_waiver": 600,
    }
    report = fairness_report(lake, cutoffs=(*TIER_CUTOFFS, *by_action.values()))
    assert report.cutoffs == (550, 600, 620, 650, 700)
    males = next(g for g in report.groups if g["group"] == "M")
    scores_m = lake.query(
        "m",
        "SELECT avg(CASE WHEN score >= 620 THEN 1.0 ELSE 0.0 END) AS r FROM score_history "
        "h JOIN subjects s USING (subject_key) WHERE s.sex = 'M'",
    ).to_pylist()[0]["r"]
    assert males["approval"]["620"] == pytest.approx(scores_m, abs=1e-4)
    report = replace(report, policy_cutoffs=by_action, policy_version=default_policy().version)
    for lang, title in (("en", "Fairness report"), ("zh", "公平性报告")):
        page = fairness_html(report, lang)  # type: ignore[arg-type]
        assert title in page
        assert "class='flag'" in page, "M is flagged at 650 and 700"
        assert "credit_card, credit_line_increase" in page, "policy actions at their cut-off"
        assert "loan, deposit_waiver" in page, "the deposit waiver's cut-off with the loan's"
        assert "deposit_waiver &ge; 600" in page
        assert "<script" not in page
        assert "http" not in page
