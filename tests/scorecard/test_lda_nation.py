"""The search on a scored synthetic nation, as the default scorecard is chosen: the
training dataset's groups are the lake's subjects', and every alternative to the
expert default reads the platform's own features and nothing protected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from socialcredit.engines import Engine
from socialcredit.features import FEATURES
from socialcredit.monitoring.groups import age_bands
from socialcredit.scorecard import default_spec
from socialcredit.scorecard.lda import FairnessSearch, groups_from_columns
from socialcredit.scorecard.tabular import read_table, split_target
from socialcredit.scoring.datasets import training_dataset
from socialcredit.scoring.versions import publish_scorecard
from tests.utils.nation import Nation

GROUPS = ["age_band", "sex", "province"]


@pytest.fixture(scope="module")
def dataset(nation: Nation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset") / "nation.parquet"
    training_dataset(
        nation.engine,
        nation.keyer,
        nation.root / "feeds" / nation.manifest["truth"],
        out,
        as_of=dt.date.fromisoformat(nation.run.as_of),
        groups=True,
    )
    return out


@pytest.mark.slow
def test_the_dataset_groups_are_the_subjects(nation: Nation, dataset: Path) -> None:
    table = pq.read_table(dataset)
    assert table.column_names[-3:] == GROUPS
    subjects = {
        row["subject_key"]: row
        for row in nation.engine.query(
            "subjects", "SELECT subject_key, birth_year, sex, region FROM subjects"
        ).to_pylist()
    }
    year = dt.date.fromisoformat(nation.run.as_of).year
    for row in table.select(["subject_key", *GROUPS]).to_pylist():
        person = subjects[row["subject_key"]]
        assert row["sex"] == person["sex"]
        assert row["province"] == person["region"][:2]
        assert row["age_band"] == age_bands([year - person["birth_year"]])[0]


@pytest.mark.slow
def test_alternatives_to_the_expert_default(dataset: Path, lake: Engine) -> None:
    columns, bad = split_target(read_table(dataset), "default_12m")
    groups = groups_from_columns(columns, GROUPS)
    inputs = {k: v.values for k, v in columns.items() if k not in GROUPS}
    search = FairnessSearch(start=default_spec()).fit(inputs, bad, groups)
    assert search.candidates_[0].spec == default_spec()
    for candidate in search.candidates_:
        assert candidate.spec.protected_features() == {}
        assert {f.column for f in candidate.spec.features} <= set(FEATURES)
        assert set(candidate.spec.dimensions) == set(default_spec().dimensions)
    assert set(search.drivers_) <= {f.name for f in default_spec().features}
    # the chosen scorecard is one the platform scores with (published in a lake of its own)
    published = publish_scorecard(lake, search.spec_)
    assert published["version"] == search.spec_.version
    rng = np.random.default_rng(0)
    shuffled = {k: rng.permutation(v) for k, v in groups.items()}
    again = FairnessSearch(start=default_spec()).fit(inputs, bad, shuffled)
    assert again.candidates_[0].auc == search.candidates_[0].auc, "groups only measure"
