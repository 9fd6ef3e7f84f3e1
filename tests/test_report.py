from __future__ import annotations

import csv

import pytest

from socialcredit.errors import IdentityError, NotFoundError
from socialcredit.rights.report import build_report
from socialcredit.scorecard import default_spec
from tests.utils.nation import Nation
from tests.utils.records import resident


def _people(nation: Nation, feed: str) -> list[str]:
    with open(nation.root / "feeds" / feed, encoding="utf-8") as handle:
        return [r["resident_id"] for r in csv.DictReader(handle)]


def test_report_of_a_person_with_a_court_case(nation: Nation) -> None:
    for person in _people(nation, "metro-people-court.judgment.csv")[:40]:
        try:
            report = build_report(nation.engine, nation.keyer, person)
        except (IdentityError, NotFoundError):
            continue  # a deliberately malformed row of the feed
        assert report["subject_key"] == nation.keyer.key(person)
        assert person not in str(report)
        assert 350 <= report["score"] <= 950
        assert set(report["subscores"]) == set(default_spec().dimensions)
        assert len(report["reasons"]) <= 4
        assert report["records"]["judgment"], "the court record is on file"
        for reason in report["reasons"]:
            assert reason["en"]
            assert reason["zh"]
            assert reason["points_lost"] > 0
            assert all(r["partner_id"] for r in reason["records"])
        assert report["history"][-1]["score"] == report["score"]
        return
    pytest.fail("no court-listed person found")


def test_reasons_show_the_records_behind_them(nation: Nation) -> None:
    found = nation.engine.query(
        "late",
        "SELECT subject_key FROM score_history WHERE reason_1 = 'ch_worst_days_late_24m' LIMIT 1",
    ).to_pylist()
    assert found
    key = found[0]["subject_key"]
    people = {
        nation.keyer.key(p): p
        for p in _people(nation, "river-grid-utility.payment.csv")
        + _people(nation, "skyline-telecom.payment.csv")
    }
    person = people.get(key)
    if person is None:
        pytest.skip("the person's payments came only from other feeds")
    report = build_report(nation.engine, nation.keyer, person)
    late = report["reasons"][0]
    assert late["feature"] == "ch_worst_days_late_24m"
    assert late["records"]
    assert f"{late['value']:.0f} days" in late["en"]


def test_unknown_and_invalid_people(nation: Nation) -> None:
    with pytest.raises(NotFoundError, match="no score on file"):
        build_report(nation.engine, nation.keyer, resident(999, birth="19700101"))
    with pytest.raises(IdentityError, match="check character"):
        build_report(nation.engine, nation.keyer, "110105194912310021")


def test_report_says_how_to_reach_the_next_tier(nation: Nation) -> None:
    for person in _people(nation, "metro-people-court.judgment.csv")[:60]:
        try:
            report = build_report(nation.engine, nation.keyer, person)
        except (IdentityError, NotFoundError):
            continue
        plan = report["improvement"]
        if plan["next_tier"] is None or not plan["changes"]:
            continue
        assert plan["score"] == report["score"]
        assert all(c["points"] > 0 and c["en"] and c["zh"] for c in plan["changes"])
        return
    pytest.fail("nobody with an actionable way up found")
