"""socialcredit model: fit, evaluate, compare, dataset, publish, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialcredit.features import FEATURES
from tests.utils.cli import as_json, run

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def german_spec(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("model") / "german.json"
    result = run(
        "model",
        "fit",
        str(DATA / "german.csv"),
        "--target",
        "bad",
        "--out",
        str(out),
        "--monotone",
        "duration_in_month=increasing",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    return out, as_json(result)


def test_fit_writes_a_spec_and_lists_exclusions(german_spec: tuple[Path, dict[str, Any]]) -> None:
    out, result = german_spec
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert spec["format"] == "socialcredit.scorecard/1"
    assert spec["version"] == result["version"]
    assert "age_in_years" in result["excluded"]
    assert "age_in_years" not in result["features"]
    assert 0.7 < result["cv_auc"] < 0.9


def test_evaluate_json_and_report(german_spec: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = german_spec
    report = tmp_path / "report.html"
    result = run(
        "model",
        "evaluate",
        str(out),
        str(DATA / "german.csv"),
        "--target",
        "bad",
        "--json",
        "--report",
        str(report),
    )
    assert result.returncode == 0, result.stderr
    data = as_json(result)
    assert data["n"] == 1000
    assert 0.5 < data["auc"] <= 1
    assert data["gini"] == pytest.approx(2 * data["auc"] - 1, abs=1e-6)
    assert 0 < data["ks"] < 1
    assert data["psi"] == pytest.approx(0, abs=1e-6)
    assert sum(band["n"] for band in data["calibration"]) == 1000
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    assert "ROC curve" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_compare_two_versions(german_spec: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = german_spec
    other = tmp_path / "other.json"
    assert (
        run(
            "model",
            "fit",
            str(DATA / "german.csv"),
            "--target",
            "bad",
            "--out",
            str(other),
            "--max-bins",
            "4",
            "--no-monotone",
        ).returncode
        == 0
    )
    data = as_json(
        run(
            "model",
            "compare",
            str(out),
            str(other),
            str(DATA / "german.csv"),
            "--target",
            "bad",
            "--json",
        )
    )
    assert data["n"] == 1000
    assert data["moved_up"] + data["moved_down"] + data["unchanged_tier"] == 1000
    assert {"auc_champion", "auc_challenger"} <= set(data)


def test_publish_refuses_a_scorecard_over_outside_data(
    german_spec: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = german_spec
    result = run(
        "model",
        "publish",
        str(out),
        "--workspace",
        str(tmp_path / "ws"),
        "--json",
        env={"SOCIALCREDIT_SUBJECT_KEY_SECRET": "s" * 32},
    )
    assert result.returncode == 2
    assert "does not compute" in as_json(result)["error"]["message"]


def test_fit_refuses_forbidden_columns_and_bad_targets(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("income,religion,bad\n1,a,0\n2,b,1\n3,a,0\n4,b,1\n", encoding="utf-8")
    result = run("model", "fit", str(data), "--target", "bad", "--out", str(tmp_path / "s.json"))
    assert result.returncode == 2
    assert "religion" in result.stderr
    data.write_text("income,bad\n1,0\n2,0\n", encoding="utf-8")
    result = run("model", "fit", str(data), "--target", "bad", "--out", str(tmp_path / "s.json"))
    assert result.returncode == 2
    assert "single class" in result.stderr
    result = run("model", "fit", str(data), "--target", "nope", "--out", str(tmp_path / "s.json"))
    assert result.returncode == 2
    assert "not in the data" in result.stderr


def test_train_publish_score_on_the_lake(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("demo", "--citizens", "3000", "--seed", "5", "--workspace", str(ws)).returncode == 0
    train = tmp_path / "train.parquet"
    made = as_json(
        run(
            "model",
            "dataset",
            "--truth",
            str(ws / "feeds" / "truth" / "outcomes.csv"),
            "--out",
            str(train),
            "--workspace",
            str(ws),
            "--json",
        )
    )
    assert made["rows"] == 3000
    assert "resident_id" not in made["columns"]
    dims = tmp_path / "dims.json"
    dims.write_text(
        json.dumps({c: FEATURES[c].dimension for c in made["columns"] if c in FEATURES}),
        encoding="utf-8",
    )
    spec = tmp_path / "lake.json"
    fitted = run(
        "model",
        "fit",
        str(train),
        "--target",
        "default_12m",
        "--out",
        str(spec),
        "--dimension-map",
        str(dims),
        "--json",
    )
    assert fitted.returncode == 0, fitted.stderr
    assert "subject_key" in as_json(fitted)["excluded"]
    published = run("model", "publish", str(spec), "--workspace", str(ws), "--json")
    assert published.returncode == 0, published.stderr
    scored = as_json(run("score", "--workspace", str(ws), "--json"))
    assert scored["scorecard_version"] == as_json(fitted)["version"]


def test_evaluate_names_a_missing_target(german_spec: tuple[Path, dict[str, Any]]) -> None:
    out, _ = german_spec
    result = run(
        "model", "evaluate", str(out), str(DATA / "german.csv"), "--target", "nope", "--json"
    )
    assert result.returncode == 2
    assert "target column 'nope' is not in" in as_json(result)["error"]["message"]
