"""socialcredit model fit --fairness and model compare --fairness, as a user runs them:
the frontier as JSON and as a page, the chosen scorecard written with how it was
chosen, the same frontier for the same seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialcredit.scorecard import load_spec
from socialcredit.scorecard.spec import protected_term
from tests.utils.cli import as_json, run

DATA = Path(__file__).resolve().parents[2] / "data"
GROUPS = "age_in_years,personal_status_and_sex"


def _fit(out: Path, *extra: str) -> Any:
    result = run(
        "model",
        "fit",
        str(DATA / "german.csv"),
        "--target",
        "bad",
        "--out",
        str(out),
        "--fairness",
        GROUPS,
        "--max-bins",
        "8",
        "--json",
        *extra,
    )
    assert result.returncode == 0, result.stderr
    return as_json(result)


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Path]:
    root = tmp_path_factory.mktemp("lda")
    report = root / "frontier.html"
    return root / "fair.json", _fit(root / "fair.json", "--report", str(report)), report


def test_fit_reports_the_frontier_and_writes_the_chosen_scorecard(
    searched: tuple[Path, Any, Path],
) -> None:
    out, result, report = searched
    search = result["fairness"]
    assert search["start"] == "trained"
    assert search["auc_measure"] == "cross-validated"
    assert search["cutoffs"] == [550, 600, 620, 650, 700], "tiers and the default policy"
    names = [c["name"] for c in search["candidates"]]
    assert names[0] == "base"
    assert any(n.startswith("fairness penalty") for n in names)
    assert any(n.startswith("refit without") for n in names)
    assert search["chosen"] in names
    assert any(c["on_frontier"] for c in search["candidates"])
    chosen = next(c for c in search["candidates"] if c["name"] == search["chosen"])
    assert result["auc"] == chosen["auc"]
    spec = load_spec(out)
    assert spec.version == result["version"]
    assert spec.fairness is not None
    assert spec.fairness.chosen == search["chosen"]
    assert spec.fairness.attributes == tuple(GROUPS.split(","))
    assert [p.name for p in spec.fairness.frontier] == names
    assert all(protected_term(f.column) is None for f in spec.features)
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 1
    assert page.count('class="chosen"') == 1
    assert "<circle" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_the_same_seed_gives_the_same_frontier(
    searched: tuple[Path, Any, Path], tmp_path: Path
) -> None:
    out, result, _ = searched
    again = _fit(tmp_path / "again.json")
    assert again["fairness"] == result["fairness"]
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    other = _fit(tmp_path / "other.json", "--seed", "3")
    assert [c["auc"] for c in other["fairness"]["candidates"]] != [
        c["auc"] for c in result["fairness"]["candidates"]
    ]


def test_compare_places_both_versions_on_the_frontier(
    searched: tuple[Path, Any, Path], tmp_path: Path
) -> None:
    out, result, _ = searched
    champion = tmp_path / "plain.json"
    plain = run(
        "model", "fit", str(DATA / "german.csv"), "--target", "bad", "--out", str(champion),
        "--max-bins", "8", "--json",
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    page = tmp_path / "compare.html"
    compared = run(
        "model", "compare", str(champion), str(out), str(DATA / "german.csv"), "--target", "bad",
        "--fairness", GROUPS, "--report", str(page), "--json",
    )  # fmt: skip
    assert compared.returncode == 0, compared.stderr
    placed = as_json(compared)["fairness"]
    assert placed["challenger"]["version"] == result["version"]
    assert placed["search"]["chosen"] == result["fairness"]["chosen"]
    assert placed["champion"]["auc"] == as_json(compared)["auc_champion"]
    for role in ("champion", "challenger"):
        assert 0 < placed[role]["worst_ratio"] <= 1
    text = page.read_text(encoding="utf-8")
    assert f"champion {load_spec(champion).version}" in text
    assert f"challenger {result['version']}" in text
    human = run(
        "model", "compare", str(champion), str(out), str(DATA / "german.csv"), "--target", "bad",
        "--fairness", GROUPS,
    )  # fmt: skip
    assert human.returncode == 0, human.stderr
    assert "frontier of the search from trained" in human.stdout
    assert "worst significant adverse impact ratio" in human.stdout


def test_a_search_from_a_given_scorecard(tmp_path: Path) -> None:
    trained = tmp_path / "trained.json"
    fitted = run(
        "model", "fit", str(DATA / "german.csv"), "--target", "bad", "--out", str(trained),
        "--max-bins", "8", "--json",
    )  # fmt: skip
    assert fitted.returncode == 0, fitted.stderr
    result = _fit(tmp_path / "from.json", "--from", str(trained), "--cutoffs", "600,650")
    search = result["fairness"]
    assert search["start"] == load_spec(trained).version
    assert search["auc_measure"] == "all rows"
    assert search["cutoffs"] == [600, 650]
    assert {c["name"].split()[0] for c in search["candidates"]} <= {"base", "shrink", "drop"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "default"), "give --fairness too"),
        (("--fairness", "nope"), "fairness column 'nope' is not in the data"),
        (("--fairness", "credit_amount"), "distinct numbers"),
        (("--fairness", GROUPS, "--cutoffs", "six hundred"), "expected whole scores"),
    ],
)
def test_fit_errors(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    result = run(
        "model", "fit", str(DATA / "german.csv"), "--target", "bad", "--out",
        str(tmp_path / "x.json"), "--json", *args,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in as_json(result)["error"]["message"]
    assert not (tmp_path / "x.json").exists()
