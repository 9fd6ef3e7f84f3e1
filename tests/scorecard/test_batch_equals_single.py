"""The compiled (engine) scorecard, in both its chained and flat forms, and the
Python evaluator agree on every subject: score, tier, subscores and reasons. Plus
the scorecard's invariants."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.engines import connect
from socialcredit.scorecard import MAX_REASONS, ScorecardSpec, evaluate, score_sql
from tests.utils.scorecards import SPEC, rows, specs

#: features of the default scorecard where a larger value is better
HIGHER_IS_BETTER = {
    "ch_on_time_share",
    "ch_months_since_late30",
    "ch_history_months",
    "fu_fulfilled_share",
    "pc_identity_verified",
    "pc_years_at_address",
    "pc_phone_tenure_years",
    "pc_employment_verified",
    "cf_income_regularity",
    "cf_buffer_months",
    "cf_bills_on_time_share",
}


def _batch(
    spec: ScorecardSpec, subjects: list[dict[str, Any]], *, chained: bool = True
) -> list[dict[str, Any]]:
    engine = connect("duckdb://:memory:")
    data = {"subject_key": [f"s{i:04d}" for i in range(len(subjects))]}
    for feature in spec.features:
        values = [s.get(feature.name) for s in subjects]
        data[feature.name] = (
            pa.array(values, pa.float64())
            if feature.kind == "numeric"
            else pa.array(values, pa.string())
        )
    engine.create_table_from_arrow("feats", pa.table(data), temporary=True)
    sql = f"{score_sql(spec, 'feats', chained=chained)} ORDER BY subject_key"
    result = engine.query("score", sql).to_pylist()
    engine.close()
    return result


def _assert_agree(spec: ScorecardSpec, subjects: list[dict[str, Any]]) -> None:
    chained, flat = _batch(spec, subjects), _batch(spec, subjects, chained=False)
    assert chained == flat
    for values, batch in zip(subjects, chained, strict=True):
        single = evaluate(spec, values)
        assert batch["score"] == single.score
        assert batch["tier"] == single.tier
        for dimension in spec.dimensions:
            assert batch[f"sub_{dimension}"] == single.subscores[dimension]
        expected = [(r.feature, r.points_lost) for r in single.reasons]
        got = [
            (batch[f"reason_{i}"], batch[f"lost_{i}"])
            for i in range(1, MAX_REASONS + 1)
            if batch[f"reason_{i}"] is not None
        ]
        assert got == expected


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=40))
def test_batch_equals_single_on_random_subjects(subjects: list[dict[str, Any]]) -> None:
    _assert_agree(SPEC, subjects)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs(),
    st.lists(
        st.dictionaries(
            st.sampled_from([f"f{i}" for i in range(6)]),
            st.one_of(st.none(), st.floats(-1e6, 1e6), st.sampled_from(["x", "y", "z", "w"])),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_batch_equals_single_for_any_spec(spec: ScorecardSpec, raw: list[dict[str, Any]]) -> None:
    subjects = []
    for values in raw:
        fixed: dict[str, Any] = {}
        for feature in spec.features:
            value = values.get(feature.name)
            if feature.kind == "numeric":
                fixed[feature.name] = value if isinstance(value, float) else None
            else:
                fixed[feature.name] = value if isinstance(value, str) else None
        subjects.append(fixed)
    _assert_agree(spec, subjects)


@settings(max_examples=200)
@given(rows)
def test_every_score_is_within_350_and_950(values: dict[str, Any]) -> None:
    assert 350 <= evaluate(SPEC, values).score <= 950
    assert all(350 <= s <= 950 for s in evaluate(SPEC, values).subscores.values())


@settings(max_examples=300)
@given(rows, st.sampled_from([f.name for f in SPEC.features]), st.floats(0.0, 1e4))
def test_improving_any_input_never_lowers_the_score(
    values: dict[str, Any], feature: str, step: float
) -> None:
    current = values[feature]
    if current is None or math.isnan(current):
        return
    better = current + step if feature in HIGHER_IS_BETTER else current - step
    assert evaluate(SPEC, values | {feature: better}).score >= evaluate(SPEC, values).score


def test_reasons_are_at_most_four_and_ranked() -> None:
    worst = {f.name: None for f in SPEC.features} | {
        "ch_worst_days_late_24m": 120.0,
        "fu_defaults": 3.0,
        "ch_on_time_share": 0.2,
        "fu_enforcement_refused": 2.0,
        "ch_amount_overdue": 9000.0,
    }
    reasons = evaluate(SPEC, worst).reasons
    assert len(reasons) == 4
    assert [r.points_lost for r in reasons] == sorted(
        (r.points_lost for r in reasons), reverse=True
    )
    assert evaluate(SPEC, worst).score == 350
