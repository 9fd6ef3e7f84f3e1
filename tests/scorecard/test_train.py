"""The trainer on real credit data: exact round trips, three scoring paths that
agree, monotone points, protected attributes left out, sklearn conventions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from socialcredit.engines import connect
from socialcredit.errors import ForbiddenDataError, InputError
from socialcredit.scorecard import ScorecardSpec, evaluate, score_sql
from socialcredit.scorecard.tabular import read_table, split_target
from socialcredit.scorecard.train import ScorecardTrainer, feature_name

DATA = Path(__file__).resolve().parents[2] / "data"
DATASETS = ["german", "credit_data"]


def _load(name: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    columns, y = split_target(read_table(DATA / f"{name}.csv"), "bad")
    return {k: v.values for k, v in columns.items()}, y


@pytest.fixture(scope="module", params=DATASETS)
def fitted(request: pytest.FixtureRequest) -> tuple[str, ScorecardTrainer, dict, np.ndarray]:  # type: ignore[type-arg]
    x, y = _load(request.param)
    return request.param, ScorecardTrainer().fit(x, y), x, y


def _engine_scores(spec: ScorecardSpec, x: dict[str, np.ndarray]) -> list[int]:
    engine = connect("duckdb://:memory:")
    data = {"_row": np.arange(len(next(iter(x.values()))))}
    for name, values in x.items():
        data[name] = (
            pa.array(values, pa.float64())
            if values.dtype.kind == "f"
            else pa.array(values.tolist(), pa.string())
        )
    engine.create_table_from_arrow("rows_in", pa.table(data), temporary=True)
    result = engine.query("score", f"{score_sql(spec, 'rows_in', key='_row')} ORDER BY _row")
    engine.close()
    return result.column("score").to_pylist()


@pytest.mark.slow
def test_three_scoring_paths_agree_and_stay_in_range(fitted) -> None:  # type: ignore[no-untyped-def]
    _, trainer, x, _ = fitted
    spec = trainer.spec_
    vectorised = trainer.decision_function(x).tolist()
    engine = _engine_scores(spec, x)
    rows = [{k: v[i] for k, v in x.items()} for i in range(len(vectorised))]
    single = [evaluate(spec, r).score for r in rows]
    assert vectorised == engine == single
    assert all(350 <= s <= 950 for s in vectorised)


@pytest.mark.slow
def test_spec_round_trips_and_scores_identically(fitted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, trainer, x, _ = fitted
    path = tmp_path / "spec.json"
    path.write_text(trainer.spec_.to_json(), encoding="utf-8")
    loaded = ScorecardSpec.from_json(path.read_text(encoding="utf-8"))
    assert loaded == trainer.spec_
    assert loaded.to_json() == trainer.spec_.to_json()
    assert _engine_scores(loaded, x) == trainer.decision_function(x).tolist()


@pytest.mark.slow
def test_higher_score_means_lower_predicted_risk(fitted) -> None:  # type: ignore[no-untyped-def]
    _, trainer, x, _ = fitted
    scores = trainer.decision_function(x)
    risk = trainer.predict_proba(x)[:, 1]
    order = np.argsort(scores)
    assert np.all(np.diff(risk[order]) <= 1e-12)
    assert np.allclose(trainer.predict_proba(x).sum(axis=1), 1.0)


@pytest.mark.slow
def test_protected_attributes_are_left_out_and_listed(fitted) -> None:  # type: ignore[no-untyped-def]
    name, trainer, _, _ = fitted
    expected = (
        {"personal_status_and_sex", "age_in_years", "foreign_worker"}
        if name == "german"
        else {"Age", "Marital"}
    )
    assert expected <= set(trainer.excluded_)
    assert not expected & set(trainer.features_)
    trainer.spec_.ensure_fair()
    assert trainer.spec_.training is not None
    assert set(trainer.spec_.training.excluded) == set(trainer.excluded_)


@pytest.mark.slow
def test_monotone_features_have_monotone_points(fitted) -> None:  # type: ignore[no-untyped-def]
    _, trainer, _, _ = fitted
    for binned in trainer.bins_:
        if binned.kind != "numeric" or binned.direction == 0:
            continue
        feature = next((f for f in trainer.spec_.features if f.column == binned.name), None)
        if feature is None:
            continue
        steps = np.diff(feature.points)
        # risk rising with the value means points falling with it, and vice versa
        assert np.all(steps <= 0) if binned.direction > 0 else np.all(steps >= 0), feature.name


@pytest.mark.slow
@pytest.mark.parametrize(("name", "floor"), [("german", 0.75), ("credit_data", 0.82)])
def test_generalises_to_held_out_rows(name: str, floor: float) -> None:
    x, y = _load(name)
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=0.3, stratify=y, random_state=0)
    trainer = ScorecardTrainer().fit({k: v[train] for k, v in x.items()}, y[train])
    assert trainer.score({k: v[test] for k, v in x.items()}, y[test]) >= floor


@pytest.mark.slow
def test_forced_direction_is_respected() -> None:
    x, y = _load("credit_data")
    # Forced against the data (risk rising with seniority): the most the fit may do
    # is give seniority no effect; it can never reward it.
    trainer = ScorecardTrainer(directions={"Seniority": "increasing"}, cv=2).fit(x, y)
    seniority = [f for f in trainer.spec_.features if f.column == "Seniority"]
    if seniority:
        assert np.all(np.diff(seniority[0].points) <= 0)
    else:
        assert trainer.excluded_["Seniority"] == "no effect after fitting"
    # Forced with the data: points rise with seniority.
    natural = ScorecardTrainer(directions={"Seniority": "decreasing"}, cv=2).fit(x, y)
    points = next(f for f in natural.spec_.features if f.column == "Seniority").points
    assert np.all(np.diff(points) >= 0)
    assert points[-1] > points[0]


def test_forbidden_columns_are_refused() -> None:
    x, y = _load("german")
    x["religion"] = np.asarray(["a"] * len(y), dtype=object)
    with pytest.raises(ForbiddenDataError, match="religion"):
        ScorecardTrainer().fit(x, y)


@pytest.mark.slow
def test_unseen_category_and_missing_value() -> None:
    x, y = _load("credit_data")
    trainer = ScorecardTrainer(cv=2).fit(x, y)
    row = {k: v[:1].copy() for k, v in x.items()}
    home = next(f for f in trainer.spec_.features if f.column == "Home")
    row["Home"] = np.asarray(["a houseboat"], dtype=object)
    assert evaluate(trainer.spec_, {k: v[0] for k, v in row.items()}).points[home.name] == (
        home.other_points
    )
    row["Income"] = np.asarray([np.nan])
    assert trainer.decision_function(row).tolist() == _engine_scores(trainer.spec_, row)


def test_sklearn_conventions() -> None:
    x, y = _load("german")
    trainer = ScorecardTrainer(max_bins=8, cv=2)
    with pytest.raises(NotFittedError):
        check_is_fitted(trainer)
    assert clone(trainer).get_params() == trainer.get_params()
    trainer.fit(x, y)
    check_is_fitted(trainer)
    assert list(trainer.classes_) == [0, 1]
    assert trainer.n_features_in_ == len(x)
    assert set(trainer.predict(x).tolist()) <= {0, 1}
    json.loads(trainer.spec_.to_json())


def test_bad_targets_are_refused() -> None:
    x, _ = _load("german")
    with pytest.raises(InputError, match="0/1"):
        ScorecardTrainer().fit(x, np.full(len(next(iter(x.values()))), 2))
    with pytest.raises(InputError, match="single class"):
        ScorecardTrainer().fit(x, np.zeros(len(next(iter(x.values())))))


@pytest.mark.parametrize(
    ("column", "name"),
    [
        ("Credit Amount (EUR)", "credit_amount_eur"),
        ("Seniority", "seniority"),
        ("3rd_party", "f_3rd_party"),
    ],
)
def test_feature_names(column: str, name: str) -> None:
    assert feature_name(column) == name


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASETS)
def test_file_trained_and_engine_scored_rows_agree(name: str) -> None:
    """A file read for training and the same file loaded by the engine for scoring
    mean the same values ("yes"/"no" stays text, never a boolean)."""
    from socialcredit.scorecard.batch import load_rows, score_rows

    x, y = _load(name)
    trainer = ScorecardTrainer(cv=2).fit(x, y)
    engine = connect("duckdb://:memory:")
    load_rows(engine, DATA / f"{name}.csv")
    scored = score_rows(engine, trainer.spec_)
    engine.close()
    assert scored.tolist() == trainer.decision_function(x).tolist()
