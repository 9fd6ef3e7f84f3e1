"""The fairness report's dimension effects by group, checked against the nation
scored again by the NumPy path with and without each dimension."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from socialcredit.features import DIMENSIONS, features_sql
from socialcredit.monitoring.dimension_effect import without_dimension
from socialcredit.monitoring.fairness import FairnessReport, fairness_report
from socialcredit.monitoring.fairness_page import fairness_html
from socialcredit.monitoring.groups import age_bands
from socialcredit.scorecard import default_spec
from socialcredit.scorecard.vectorised import score_columns
from socialcredit.scoring.versions import stored_scorecard
from tests.utils.nation import Nation

EFFECTS = ("cash_flow", "guarantees")


@pytest.fixture(scope="module")
def report(nation: Nation) -> FairnessReport:
    return fairness_report(nation.engine, nation.run.run_id, effects=(*EFFECTS, "no_such"))


def _people(nation: Nation) -> dict[str, np.ndarray]:
    """Everyone's features as of the run and their groups, in subject key order."""
    as_of = dt.date.fromisoformat(nation.run.as_of)
    table = nation.engine.query(
        "people",
        f"SELECT f.*, s.sex, s.birth_year, substr(s.region, 1, 2) AS province FROM "
        f"({features_sql(as_of)}) f JOIN subjects s ON s.subject_key = f.subject_key "
        "ORDER BY f.subject_key",
    )
    columns = {
        name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
    }
    columns["age_band"] = age_bands(as_of.year - columns["birth_year"].astype(float))
    return columns


@pytest.mark.parametrize("dimension", EFFECTS)
def test_effect_by_group_is_the_score_change_without_the_dimension(
    nation: Nation, report: FairnessReport, dimension: str
) -> None:
    effects = {e["dimension"]: e for e in report.dimension_effects}
    assert set(effects) == set(EFFECTS), "a dimension the scorecard lacks is not measured"
    found = effects[dimension]
    spec = stored_scorecard(nation.engine, nation.run.scorecard_version)
    people = _people(nation)
    read = {f.column for f in spec.features}
    values = {k: np.asarray(v, dtype=float) for k, v in people.items() if k in read}
    change = score_columns(spec, values) - score_columns(without_dimension(spec, dimension), values)
    own = [f.name for f in DIMENSIONS[dimension].features]
    has = np.zeros(len(change), dtype=bool)
    for name in own:
        has |= ~np.isnan(np.asarray(people[name], dtype=float))
    assert found["people"] == len(change)
    assert found["with_data"] == pytest.approx(has.mean(), abs=1e-4)
    for group in found["groups"]:
        members = np.asarray(people[group["attribute"]], dtype=object) == group["group"]
        assert group["n"] == members.sum()
        assert group["mean_change"] == pytest.approx(change[members].mean(), abs=0.006)
        assert group["with_data"] == pytest.approx(has[members].mean(), abs=1e-4)
        if has[members].any():
            expected = change[members & has].mean()
            assert group["mean_change_with_data"] == pytest.approx(expected, abs=0.006)
    # nobody without data in the dimension moves (no penalty for not sharing or signing)
    assert (change[~has] == 0).all()


def test_the_scores_with_the_dimension_are_the_runs(nation: Nation) -> None:
    """The effect starts from the run's own scores, recomputed from the same features."""
    from socialcredit.monitoring.dimension_effect import EFFECT_TABLE, compare_without

    compare_without(
        nation.engine, default_spec(), "cash_flow", as_of=dt.date.fromisoformat(nation.run.as_of)
    )
    differing = nation.engine.scalar(
        "differing",
        f"SELECT count(*) FROM {EFFECT_TABLE} e JOIN score_history h "
        "ON h.subject_key = e.subject_key AND h.run_id = ? WHERE h.score <> e.score",
        [nation.run.run_id],
    )
    assert differing == 0


def test_the_page_shows_each_dimension(report: FairnessReport) -> None:
    page = fairness_html(report, "en")
    assert page.count("<h2 class='effect'>") == len(EFFECTS)
    assert DIMENSIONS["cash_flow"].name_en in page
    zh = fairness_html(report, "zh")
    assert DIMENSIONS["guarantees"].name_zh in zh
    none = fairness_html(replace(report, dimension_effects=[]), "en")
    assert "class='effect'" not in none
