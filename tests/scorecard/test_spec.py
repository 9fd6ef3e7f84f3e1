from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from socialcredit.errors import SpecError
from socialcredit.scorecard import (
    ScorecardSpec,
    default_spec,
    load_spec,
)
from socialcredit.scorecard.expert import build
from tests.utils.scorecards import specs


def test_shipped_default_is_the_expert_table_compiled() -> None:
    assert default_spec() == build()
    assert default_spec().to_json() == build().to_json()


@given(specs())
def test_specs_round_trip_through_json_exactly(spec: ScorecardSpec) -> None:
    text = spec.to_json()
    again = ScorecardSpec.from_json(text)
    assert again == spec
    assert again.to_json() == text


def _with_feature(name: str) -> str:
    spec = json.loads(default_spec().to_json())
    spec["features"][0]["name"] = name
    return json.dumps(spec)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("religion_score", "religion"),
        ("ch_political_view", "political_opinion"),
        ("health_flag", "health"),
    ],
)
def test_spec_using_forbidden_data_does_not_load(name: str, rule: str) -> None:
    with pytest.raises(SpecError, match=rule):
        ScorecardSpec.from_json(_with_feature(name))


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("birth_year", "birth_year"),
        ("sex", "sex"),
        ("pc_region_code", "region"),
        ("age_band", "age"),
        ("marital_status", "marital"),
        ("foreign_worker", "foreign"),
    ],
)
def test_spec_using_protected_attributes_may_not_score_people(name: str, term: str) -> None:
    spec = ScorecardSpec.from_json(_with_feature(name))
    assert spec.protected_features() == {name: term}
    with pytest.raises(SpecError, match=rf"protected attribute\(s\) {name} \({term}\)"):
        spec.ensure_fair()
    default_spec().ensure_fair()


def test_protected_attributes_refuse_population_scoring(lake) -> None:  # type: ignore[no-untyped-def]
    from socialcredit.scoring.runs import score_population

    with pytest.raises(SpecError, match="protected"):
        score_population(lake, ScorecardSpec.from_json(_with_feature("age_band")))


def test_malformed_specs_say_why(tmp_path: Path) -> None:
    spec = json.loads(default_spec().to_json())
    spec["features"][0]["points"] = [1]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.json.*edges need"):
        load_spec(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(SpecError, match="not JSON"):
        load_spec(path)
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "absent.json")
