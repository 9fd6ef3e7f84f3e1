"""The search for a less discriminatory scorecard: protected attributes measured and
never read, the gap's drivers found and shrunk, a frontier that is one, a choice
that passes, the same frontier for the same seed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from socialcredit.errors import InputError, SpecError
from socialcredit.monitoring.groups import age_bands
from socialcredit.scorecard import FeatureSpec, ScorecardSpec
from socialcredit.scorecard.lda import FairnessSearch, groups_from_columns, shrink_points
from socialcredit.scorecard.spec import protected_term
from socialcredit.scorecard.tabular import read_table, split_target
from socialcredit.scorecard.train import ScorecardTrainer
from socialcredit.scorecard.vectorised import score_columns

DATA = Path(__file__).resolve().parents[2] / "data"
GERMAN_PROTECTED = ("age_in_years", "personal_status_and_sex", "foreign_worker")


def _tenure_nation(
    rows: int = 6000, seed: int = 3
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """Risk follows a latent trait alone; tenure follows it a little and age a lot
    (the young cannot have lived long anywhere), as in the synthetic nation."""
    rng = np.random.default_rng(seed)
    young = rng.random(rows) < 0.4
    latent = rng.standard_normal(rows)
    bad = (rng.random(rows) < 1 / (1 + np.exp(2.5 + 1.2 * latent))).astype(int)
    signal = latent + 0.8 * rng.standard_normal(rows)
    tenure = rng.exponential(np.where(young, 1.0, 4.0) * np.exp(0.15 * latent))
    groups = {
        "age_band": np.where(young, "18-29", "30+").astype(object),
        "sex": rng.choice(np.array(["F", "M"], dtype=object), rows),
    }
    return {"signal": signal, "tenure": tenure}, bad, groups


EXPERT_LIKE = ScorecardSpec(
    version="tenure-test",
    base_points=603,
    dimensions=("general",),
    features=(
        FeatureSpec(
            name="signal",
            dimension="general",
            edges=(-1.5, -1, -0.5, 0, 0.5, 1, 1.5),
            points=(-60, -40, -20, -5, 5, 20, 35, 50),
        ),
        FeatureSpec(name="tenure", dimension="general", edges=(1, 3, 5), points=(-30, -10, 10, 25)),
    ),
)
CUTOFFS = (600, 640)


def test_a_given_scorecard_loses_its_gap_not_its_accuracy() -> None:
    x, bad, groups = _tenure_nation()
    search = FairnessSearch(start=EXPERT_LIKE, cutoffs=CUTOFFS, min_air=0.8).fit(x, bad, groups)
    assert next(iter(search.drivers_)) == "tenure"
    base = next(c for c in search.candidates_ if c.name == "base")
    assert base.worst is not None
    assert base.worst.group == "18-29"
    assert base.worst.ratio < 0.8
    assert not base.passes
    chosen = search.chosen_
    assert chosen.passes
    assert "tenure" in chosen.name
    assert chosen.auc >= base.auc - 0.01
    assert search.auc_measure_ == "all rows"
    # the chosen candidate's scorecard is the written one, with how it was chosen
    assert search.spec_.fairness is not None
    assert search.spec_.fairness.chosen == chosen.name
    assert search.spec_.fairness.start == "tenure-test"
    assert search.spec_.version.startswith("tenure-test-fair-")
    assert (score_columns(search.spec_, x) == score_columns(chosen.spec, x)).all()
    # its AUC and gap are what the scores show
    from sklearn.metrics import roc_auc_score

    assert chosen.auc == pytest.approx(roc_auc_score(bad, -score_columns(chosen.spec, x)))


def test_the_frontier_is_the_undominated_set() -> None:
    x, bad, groups = _tenure_nation()
    candidates = FairnessSearch(start=EXPERT_LIKE, cutoffs=CUTOFFS).fit(x, bad, groups).candidates_

    def dominated(c: object) -> bool:
        return any(
            o.auc >= c.auc  # type: ignore[attr-defined]
            and o.worst_ratio >= c.worst_ratio  # type: ignore[attr-defined]
            and (o.auc > c.auc or o.worst_ratio > c.worst_ratio)  # type: ignore[attr-defined]
            for o in candidates
        )

    assert any(c.on_frontier for c in candidates)
    for candidate in candidates:
        assert candidate.on_frontier is not dominated(candidate)


def test_a_scorecard_reading_a_protected_attribute_is_refused() -> None:
    x, bad, groups = _tenure_nation()
    unfair = EXPERT_LIKE.model_copy(
        update={
            "features": (
                *EXPERT_LIKE.features,
                FeatureSpec(name="age_years", dimension="general", edges=(30,), points=(-20, 10)),
            )
        }
    )
    with pytest.raises(SpecError, match="protected attribute"):
        FairnessSearch(start=unfair).fit(x | {"age_years": x["tenure"]}, bad, groups)


def test_shrinking_points() -> None:
    shrunk = shrink_points(EXPERT_LIKE, {"tenure": 0.5}, version="v2")
    assert shrunk.version == "v2"
    assert shrunk.feature("tenure").points == (-15, -5, 5, 12)  # round half to even
    assert shrunk.feature("signal") == EXPERT_LIKE.feature("signal")
    assert shrunk.base_points == EXPERT_LIKE.base_points
    dropped = shrink_points(EXPERT_LIKE, {"tenure": 0.0})
    assert [f.name for f in dropped.features] == ["signal"]
    assert shrink_points(EXPERT_LIKE, {}) == EXPERT_LIKE
    with pytest.raises(InputError, match="no feature nope"):
        shrink_points(EXPERT_LIKE, {"nope": 0.5})
    with pytest.raises(InputError, match="between 0 and 1"):
        shrink_points(EXPERT_LIKE, {"tenure": 1.5})


def test_the_fairness_penalty_narrows_the_groups_mean_gap() -> None:
    x, bad, groups = _tenure_nation()

    def gap(penalty: float) -> float:
        trainer = ScorecardTrainer(penalties=(1e-3,), fairness_penalty=penalty)
        scores = trainer.fit(x, bad, groups=groups).decision_function(x)
        young = groups["age_band"] == "18-29"
        return float(scores[~young].mean() - scores[young].mean())

    assert gap(0.0) > 5
    assert gap(16.0) < gap(0.0) / 2
    with pytest.raises(InputError, match="needs the groups"):
        ScorecardTrainer(fairness_penalty=1.0).fit(x, bad)


# -- a trained base, on real credit data -------------------------------------------------


def _german() -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    columns, bad = split_target(read_table(DATA / "german.csv"), "bad")
    groups = groups_from_columns(columns, ["age_in_years", "personal_status_and_sex"])
    return {k: v.values for k, v in columns.items()}, bad, groups


def _search(seed: int = 0) -> FairnessSearch:
    return FairnessSearch(
        trainer=ScorecardTrainer(penalties=(3e-3, 3e-2), max_bins=8),
        cv=3,
        drivers=2,
        factors=(0.5, 0.0),
        fairness_penalties=(2.0, 8.0),
        random_state=seed,
    )


@pytest.fixture(scope="module")
def german_search() -> tuple[
    FairnessSearch, dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]
]:
    x, bad, groups = _german()
    return _search().fit(x, bad, groups), x, bad, groups


@pytest.mark.slow
def test_no_candidate_reads_a_protected_attribute(german_search) -> None:  # type: ignore[no-untyped-def]
    search, x, _, _ = german_search
    kinds = {c.kind for c in search.candidates_}
    assert kinds == {"base", "shrink", "refit", "penalty"}
    allowed = {name for name in x if protected_term(name) is None}
    for candidate in search.candidates_:
        assert candidate.spec.protected_features() == {}
        assert {f.column for f in candidate.spec.features} <= allowed, candidate.name
    assert search.auc_measure_ == "cross-validated"


@pytest.mark.slow
def test_permuting_the_protected_columns_changes_no_candidate(german_search) -> None:  # type: ignore[no-untyped-def]
    """The data's protected columns are not inputs: shuffled, every candidate is the same
    scorecard and scores everyone the same."""
    search, x, bad, groups = german_search
    rng = np.random.default_rng(5)
    shuffled = x | {name: rng.permutation(x[name]) for name in GERMAN_PROTECTED}
    again = _search().fit(shuffled, bad, groups)
    for first, second in zip(search.candidates_, again.candidates_, strict=True):
        assert first.spec.to_json() == second.spec.to_json()
        assert (score_columns(first.spec, x) == score_columns(first.spec, shuffled)).all()
    assert search.spec_.to_json() == again.spec_.to_json()


@pytest.mark.slow
def test_the_groups_only_measure_the_base(german_search) -> None:  # type: ignore[no-untyped-def]
    """The base is fitted without the groups: other groups, same base scorecard."""
    search, x, bad, groups = german_search
    rng = np.random.default_rng(6)
    other = {k: rng.permutation(v) for k, v in groups.items()}
    again = _search().fit(x, bad, other)
    base = next(c for c in search.candidates_ if c.kind == "base")
    other_base = next(c for c in again.candidates_ if c.kind == "base")
    assert base.spec.to_json() == other_base.spec.to_json()
    assert base.auc == other_base.auc


@pytest.mark.slow
def test_the_frontier_is_reproducible_by_seed(german_search) -> None:  # type: ignore[no-untyped-def]
    search, x, bad, groups = german_search
    same = _search(seed=0).fit(x, bad, groups)
    assert json.dumps(same.as_json()) == json.dumps(search.as_json())
    assert same.spec_.to_json() == search.spec_.to_json()
    other = _search(seed=1).fit(x, bad, groups)
    assert [c["auc"] for c in other.as_json()["candidates"]] != [
        c["auc"] for c in search.as_json()["candidates"]
    ], "other folds, other cross-validated AUCs"


def test_groups_from_columns() -> None:
    columns, _ = split_target(read_table(DATA / "german.csv"), "bad")
    groups = groups_from_columns(columns, ["age_in_years", "foreign_worker"])
    ages = columns["age_in_years"].values
    assert (groups["age_in_years"] == age_bands(ages)).all()
    assert set(groups["foreign_worker"]) == {"yes", "no"}
    with pytest.raises(InputError, match="distinct numbers"):
        groups_from_columns(columns, ["credit_amount"])
    with pytest.raises(InputError, match="not in the data"):
        groups_from_columns(columns, ["religion_of_nobody"])


def test_the_search_needs_groups_and_cutoffs() -> None:
    x, bad, groups = _tenure_nation(600)
    with pytest.raises(InputError, match="at least one protected attribute"):
        FairnessSearch(start=EXPERT_LIKE).fit(x, bad, {})
    with pytest.raises(InputError, match="at least one cut-off"):
        FairnessSearch(start=EXPERT_LIKE, cutoffs=()).fit(x, bad, groups)
    with pytest.raises(InputError, match="rows"):
        FairnessSearch(start=EXPERT_LIKE).fit(x, bad, {"sex": groups["sex"][:10]})
