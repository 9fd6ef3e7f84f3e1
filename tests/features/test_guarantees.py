"""The guarantees dimension end to end on a hand-made book of guarantees: the numbers
of the graph step as features, explanations in numbers that never name the other
party, nothing lost by anyone who signed nothing, and incremental runs that
recompute exactly whom a changed guarantee reaches."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from socialcredit.engines import Engine
from socialcredit.features import features_sql
from socialcredit.graph.step import guarantee_circles
from socialcredit.identity import SubjectKeyer, uscc
from socialcredit.ingest import ingest_file
from socialcredit.rights.erasure import erase_person
from socialcredit.rights.report import build_report
from socialcredit.scorecard import ScorecardSpec, default_spec
from socialcredit.scoring.runs import ScoreRun, score_population
from socialcredit.simulate import simulate
from tests.utils.nation import ingest_feeds
from tests.utils.records import ORGANISATION, resident, row, write_csv

AS_OF = dt.date(2026, 6, 30)
#: the people of the book, by name: each a resident ID
PEOPLE = {name: resident(i + 1) for i, name in enumerate("ABCDEFGXYZNP")}
#: (guarantor, principal, amount guaranteed, called and unpaid), as in tests/graph
BOOK = [
    ("A", "B", 100_000, 0),
    ("B", "C", 50_000, 0),
    ("B", "O", 200_000, 0),
    ("C", "D", 20_000, 20_000),
    ("D", "E", 10_000, 0),
    ("E", "D", 10_000, 0),
    ("F", "A", 30_000, 0),
    ("G", "C", 1_000, 0),
    ("X", "Y", 50_000, 0),
    ("Y", "Z", 50_000, 0),
    ("Z", "X", 8_000, 8_000),
]


def _guarantee(
    rid: str, guarantor: str, principal: str, amount: int, called: int
) -> dict[str, Any]:
    firm = principal == "O"
    changes: dict[str, Any] = {
        "principal_kind": "organisation" if firm else "person",
        "principal_id": ORGANISATION if firm else PEOPLE[principal],
        "contract_ref": f"L-{rid}",
        "amount": str(amount),
        "principal_outstanding": str(amount),
        "observed_date": "2026-05-01",
    }
    if called:
        changes |= {
            "status": "called",
            "principal_outstanding": "",
            "principal_standing": "",
            "called_date": "2026-04-01",
            "amount_called": str(called),
            "amount_paid": "0",
        }
    return row("guarantee", rid, PEOPLE[guarantor], **changes)


def _ingest(lake: Engine, keyer: SubjectKeyer, path: Path, category: str, partner: str) -> None:
    ingest_file(
        lake, keyer, path, partner=partner, category_name=category, rejections_dir=path.parent
    )


@pytest.fixture
def book(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> Engine:
    """The book ingested, and a bill for everyone (N and P signed nothing)."""
    rows = [_guarantee(f"g{i}", *entry) for i, entry in enumerate(BOOK)]
    _ingest(lake, keyer, write_csv(tmp_path / "g.csv", rows), "guarantee", "harbour-bank")
    bills = [row("payment", f"p{n}", person) for n, person in PEOPLE.items()]
    _ingest(lake, keyer, write_csv(tmp_path / "p.csv", bills), "payment", "river-grid")
    return lake


def _features(lake: Engine, keyer: SubjectKeyer) -> dict[str, dict[str, Any]]:
    rows = lake.query("features", features_sql(AS_OF)).to_pylist()
    named = {keyer.key(number): name for name, number in PEOPLE.items()}
    return {named[r["subject_key"]]: r for r in rows}


def _column(features: dict[str, dict[str, Any]], name: str) -> dict[str, float]:
    return {person: f[name] for person, f in features.items() if f[name]}


def test_the_graph_step_gives_each_guarantor_its_numbers(book: Engine, keyer: SubjectKeyer) -> None:
    score_population(book, default_spec(), as_of=AS_OF)
    features = _features(book, keyer)
    assert _column(features, "gu_chain_exposure") == {
        "B": 10_000,
        "A": 5_000,
        "F": 2_500,
        "G": 1_000,
        "Y": 4_000,
        "X": 2_000,
        "Z": 1_000,
    }
    assert _column(features, "gu_called_unpaid") == {"C": 20_000, "Z": 8_000}
    assert _column(features, "gu_circle_size") == {"D": 2, "E": 2, "X": 3, "Y": 3, "Z": 3}
    assert _column(features, "gu_outstanding")["B"] == 250_000
    assert guarantee_circles(book) == 2
    # People who signed nothing have no guarantee feature at all.
    for person in ("N", "P", "O"):
        assert all(
            features.get(person, {}).get(f) is None for f in ("gu_in_force", "gu_outstanding")
        )


def _without_guarantees(spec: ScorecardSpec) -> ScorecardSpec:
    return spec.model_copy(
        update={
            "version": spec.version + "-without-guarantees",
            "dimensions": tuple(d for d in spec.dimensions if d != "guarantees"),
            "features": tuple(f for f in spec.features if f.dimension != "guarantees"),
        }
    )


def _scores(lake: Engine, run: ScoreRun) -> dict[str, int]:
    rows = lake.query(
        "scores", "SELECT subject_key, score FROM score_history WHERE run_id = ?", [run.run_id]
    )
    return {r["subject_key"]: r["score"] for r in rows.to_pylist()}


def test_signing_nothing_costs_nothing(book: Engine, keyer: SubjectKeyer) -> None:
    spec = default_spec()
    with_them = _scores(book, score_population(book, spec, as_of=AS_OF))
    without = _scores(book, score_population(book, _without_guarantees(spec), as_of=AS_OF))
    signed = {keyer.key(PEOPLE[g]) for g, *_ in BOOK}
    for key in with_them.keys() - signed:
        assert with_them[key] == without[key]
    # Guarantees in order cost nothing either; a call left unpaid does.
    assert with_them[keyer.key(PEOPLE["E"])] <= without[keyer.key(PEOPLE["E"])]
    assert with_them[keyer.key(PEOPLE["C"])] < without[keyer.key(PEOPLE["C"])]
    for feature in (f for f in spec.features if f.dimension == "guarantees"):
        assert feature.missing_points == 0
        assert feature.best == 0


def _guarantees_only(spec: ScorecardSpec) -> ScorecardSpec:
    """The guarantees dimension alone, so that its features are the reasons."""
    return spec.model_copy(
        update={
            "version": spec.version + "-guarantees-only",
            "dimensions": ("guarantees",),
            "features": tuple(f for f in spec.features if f.dimension == "guarantees"),
        }
    )


def test_the_report_explains_in_numbers_and_never_names_the_other_party(
    book: Engine, keyer: SubjectKeyer
) -> None:
    score_population(book, _guarantees_only(default_spec()), as_of=AS_OF)
    report = build_report(book, keyer, PEOPLE["Z"])
    reasons = {r["feature"]: r for r in report["reasons"]}
    assert reasons["gu_called_unpaid"]["en"] == (
        "Lenders called 8,000 yuan under guarantees you signed, and it is unpaid."
    )
    assert reasons["gu_called_unpaid"]["zh"] == "您签署的担保被要求代偿8,000元，尚未偿还。"
    circle = reasons["gu_circle_size"]
    assert circle["en"] == (
        "1 of your guarantees are part of a circle of 3 parties who guarantee each other's debts."
    )
    assert [r["record_id"] for r in circle["records"]] == ["g10"]
    assert circle["points_lost"] > 0
    shown = str(report)
    others = [PEOPLE[p] for p in "XY"] + [keyer.key(PEOPLE[p]) for p in "XY"]
    assert not any(other in shown for other in others)
    assert "principal_key" not in shown
    assert "principal_id" not in shown
    # Advice is what the person can do: pay what was called.
    assert "gu_called_unpaid" in [c["feature"] for c in report["improvement"]["changes"]]

    report = build_report(book, keyer, PEOPLE["B"])
    reasons = {r["feature"]: r for r in report["reasons"]}
    assert reasons["gu_outstanding"]["en"] == (
        "You guarantee 2 loans with 250,000 yuan outstanding; 0 of them are overdue."
    )
    assert reasons["gu_outstanding"]["zh"] == (
        "您为2笔贷款提供担保，担保余额250,000元，其中0笔逾期。"
    )
    chain = reasons["gu_chain_exposure"]
    assert chain["value"] == 10_000
    assert [r["contract_ref"] for r in chain["records"]] == ["L-g1"]  # the guarantee of C


def test_an_organisation_is_a_principal_but_never_a_subject(
    book: Engine, keyer: SubjectKeyer
) -> None:
    key = keyer.key(uscc.key_text(ORGANISATION))
    assert (
        book.scalar("subjects", "SELECT count(*) FROM subjects WHERE subject_key = ?", [key]) == 0
    )
    assert (
        book.scalar("edges", "SELECT count(*) FROM rec_guarantee WHERE principal_key = ?", [key])
        == 1
    )


def _history(lake: Engine, run: ScoreRun) -> list[dict[str, Any]]:
    return lake.query(
        "history",
        "SELECT * EXCLUDE (run_id) FROM score_history WHERE run_id = ? ORDER BY subject_key",
        [run.run_id],
    ).to_pylist()


def test_a_new_call_rescores_whom_it_reaches_and_equals_a_full_run(
    book: Engine, keyer: SubjectKeyer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 1.0)
    spec = default_spec()
    first = score_population(book, spec, as_of=AS_OF)
    # E's guarantee of D is called: E is in a circle with D, and nobody guarantees E.
    called = _guarantee("g5", "E", "D", 10_000, 6_000) | {"record_id": "g5-called"}
    called["contract_ref"] = "L-g5"
    _ingest(book, keyer, write_csv(tmp_path / "late.csv", [called]), "guarantee", "harbour-bank")
    incremental = score_population(book, spec, since=first.run_id)
    full = score_population(book, spec, as_of=AS_OF)
    assert incremental.scores_digest == full.scores_digest != first.scores_digest
    assert _history(book, incremental) == _history(book, full)
    # Whom it reaches: E itself, then D (guarantees E), then C and G (guarantee D),
    # B (guarantees C), and D's circle; A and F are more than three steps up.
    assert incremental.recomputed == len({"E", "D", "C", "G", "B"})
    features = _features(book, keyer)
    assert features["E"]["gu_called_unpaid"] == 6_000
    # E's call reaches D at half, and comes back round the circle at an eighth.
    assert features["D"]["gu_chain_exposure"] == 6_000 / 2 + 6_000 / 8
    # Nothing changed since: nobody is recomputed and the graph step is skipped.
    again = score_population(book, spec, since="last")
    assert (again.recomputed, again.scores_digest) == (0, full.scores_digest)


def test_incremental_equals_full_on_a_nation_with_new_guarantee_batches(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = simulate(tmp_path / "feeds", citizens=600, seed=17)
    late = "lotus-sme-bank.guarantee.csv"
    ingest_feeds(
        lake,
        keyer,
        tmp_path / "feeds",
        {**manifest, "feeds": [f for f in manifest["feeds"] if f["file"] != late]},
        tmp_path / "rejections",
    )
    spec = default_spec()
    first = score_population(lake, spec)
    as_of = dt.date.fromisoformat(first.as_of)
    # A lender's whole book of guarantees arrives late: many people change.
    _ingest(lake, keyer, tmp_path / "feeds" / late, "guarantee", "lotus-sme-bank")
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 1.0)
    incremental = score_population(lake, spec, since=first.run_id)
    full = score_population(lake, spec, as_of=as_of)
    assert incremental.scores_digest == full.scores_digest != first.scores_digest
    assert _history(lake, incremental) == _history(lake, full)
    assert incremental.recomputed is not None
    assert incremental.recomputed < full.subjects

    # Then one guarantee in a chain is called: only whom it reaches is recomputed.
    chained = lake.query(
        "a guarantor who is guaranteed",
        "SELECT g.subject_key, g.record_id, g.contract_ref FROM rec_guarantee g WHERE "
        "g.partner_id = 'harbour-bank' AND g.status = 'active' AND g.observed_date < "
        "DATE '2026-06-10' AND g.subject_key IN (SELECT principal_key FROM rec_guarantee) "
        "ORDER BY g.record_id LIMIT 1",
    ).to_pylist()[0]
    with open(tmp_path / "feeds" / "harbour-bank.guarantee.csv", encoding="utf-8") as handle:
        original = next(r for r in csv.DictReader(handle) if r["record_id"] == chained["record_id"])
    called = original | {
        "record_id": chained["record_id"] + "-called",
        "observed_date": "2026-06-15",  # after the last report, before the notice cut-off
        "status": "called",
        "principal_outstanding": "",
        "principal_standing": "",
        "called_date": "2026-06-12",
        "amount_called": original["amount"],
        "amount_paid": "0",
    }
    _ingest(lake, keyer, write_csv(tmp_path / "call.csv", [called]), "guarantee", "harbour-bank")
    one = score_population(lake, spec, since="last")
    whole = score_population(lake, spec, as_of=as_of)
    assert one.scores_digest == whole.scores_digest != full.scores_digest
    assert _history(lake, one) == _history(lake, whole)
    assert one.recomputed is not None
    assert 1 <= one.recomputed < 50


def test_erasing_a_guarantor_rescores_whom_their_guarantees_reached(
    book: Engine, keyer: SubjectKeyer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 1.0)
    spec = default_spec()
    first = score_population(book, spec, as_of=AS_OF)
    erase_person(book, keyer, PEOPLE["C"])  # the call on C was what reached B, G, A and F
    incremental = score_population(book, spec, since=first.run_id)
    full = score_population(book, spec, as_of=AS_OF)
    assert incremental.scores_digest == full.scores_digest
    assert _history(book, incremental) == _history(book, full)
    assert not _column(_features(book, keyer), "gu_chain_exposure").keys() & {"A", "B", "F", "G"}
    assert (
        book.scalar(
            "erased",
            "SELECT count(*) FROM guarantee_graph WHERE subject_key = ?",
            [keyer.key(PEOPLE["C"])],
        )
        == 0
    )


def _numbering(lake: Engine) -> dict[str, int]:
    rows = lake.query("nodes", "SELECT key, node FROM guarantee_nodes").to_pylist()
    return {r["key"]: r["node"] for r in rows}


def _edges_by_key(lake: Engine) -> list[tuple[str, str, int, int]]:
    return sorted(
        (r["g"], r["p"], r["exposure"], r["called"])
        for r in lake.query(
            "edges",
            "SELECT g.key AS g, p.key AS p, e.exposure, e.called FROM guarantee_edges e "
            "JOIN guarantee_nodes g ON g.node = e.guarantor "
            "JOIN guarantee_nodes p ON p.node = e.principal",
        ).to_pylist()
    )


def test_keys_keep_their_node_numbers_and_an_incremental_run_numbers_only_new_keys(
    book: Engine, keyer: SubjectKeyer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 1.0)
    spec = default_spec()
    first = score_population(book, spec, as_of=AS_OF)
    before = _numbering(book)
    # every guarantor and principal of the book (10 people and the firm), numbered once
    assert len(before) == len(set(before.values())) == 11
    assert sorted(before.values()) == list(range(11))
    # N now guarantees P: two keys never seen; nobody else's guarantees change.
    new = _guarantee("g-new", "N", "P", 5_000, 0)
    _ingest(book, keyer, write_csv(tmp_path / "new.csv", [new]), "guarantee", "harbour-bank")
    incremental = score_population(book, spec, since=first.run_id)
    after = _numbering(book)
    assert {k: after[k] for k in before} == before
    assert {after[keyer.key(PEOPLE[n])] for n in "NP"} == {11, 12}
    assert incremental.recomputed == 1  # N; being guaranteed moves nothing of P's
    kept = _edges_by_key(book)
    full = score_population(book, spec, as_of=AS_OF)
    assert incremental.scores_digest == full.scores_digest
    # the full run keeps the numbers too, and holds the same edges
    assert _numbering(book) == after
    assert _edges_by_key(book) == kept
    assert len(kept) == len(BOOK) + 1


def test_a_lake_that_kept_edges_by_key_is_rebuilt_on_open(
    book: Engine, keyer: SubjectKeyer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialcredit.lake.schema import ensure_lake
    from socialcredit.lake.state import state_run

    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 1.0)
    spec = default_spec()
    first = score_population(book, spec, as_of=AS_OF)
    assert state_run(book) == first.run_id
    # The shape of the kept edges before keys were numbered.
    book.execute("old", "DROP TABLE guarantee_edges")
    book.execute(
        "old",
        "CREATE TABLE guarantee_edges (subject_key VARCHAR, principal_key VARCHAR, "
        "exposure BIGINT, called BIGINT)",
    )
    book.execute("old", "INSERT INTO guarantee_edges VALUES ('a', 'b', 1, 0)")
    ensure_lake(book)
    columns = book.query("edges", "SELECT * FROM guarantee_edges LIMIT 0").column_names
    assert columns == ["guarantor", "principal", "exposure", "called"]
    assert book.scalar("edges", "SELECT count(*) FROM guarantee_edges") == 0
    assert state_run(book) is None  # the next run rebuilds from records
    again = score_population(book, spec, since=first.run_id)
    assert again.scores_digest == first.scores_digest
    assert len(_edges_by_key(book)) == len(BOOK)
