"""Each rule of each category, one row at a time: the row is rejected with the
field and rule named, and the valid rows beside it are kept."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from tests.utils.records import PERSON_A, resident, row, write_csv

CASES = [
    # (category, changes, field, rule)
    ("payment", {"record_id": ""}, "record_id", "required"),
    ("payment", {"record_id": "x" * 65}, "record_id", "too_long"),
    ("payment", {"resident_id": ""}, "resident_id", "required"),
    ("payment", {"resident_id": "11010519491231002"}, "resident_id", "format"),
    ("payment", {"resident_id": "110105194912310021"}, "resident_id", "checksum"),
    ("payment", {"resident_id": resident(1, region="999999")}, "resident_id", "region"),
    ("payment", {"resident_id": resident(1, birth="19900230")}, "resident_id", "birth_date"),
    ("payment", {"observed_date": "2026-13-01"}, "observed_date", "not_a_date"),
    ("payment", {"observed_date": "01/02/2026"}, "observed_date", "not_a_date"),
    ("payment", {"observed_date": "2026-1-1"}, "observed_date", "not_a_date"),
    ("payment", {"observed_date": "9999-12-31"}, "observed_date", "observed_in_future"),
    ("payment", {"kind": "lottery"}, "kind", "not_a_choice"),
    ("payment", {"due_date": ""}, "due_date", "required"),
    ("payment", {"amount_due": "abc"}, "amount_due", "not_an_amount"),
    ("payment", {"amount_due": "0"}, "amount_due", "not_positive"),
    ("payment", {"amount_paid": "-1"}, "amount_paid", "negative"),
    ("payment", {"paid_date": "2026-03-01"}, "paid_date", "paid_after_observed"),
    ("payment", {"paid_date": "", "amount_paid": "10"}, "paid_date", "paid_amount_without_date"),
    ("contract", {"status": "pending"}, "status", "not_a_choice"),
    ("contract", {"due_date": "2024-12-01"}, "due_date", "due_before_start"),
    ("contract", {"fulfilled_date": "2024-12-01"}, "fulfilled_date", "fulfilled_before_start"),
    ("contract", {"fulfilled_date": ""}, "fulfilled_date", "fulfilled_without_date"),
    (
        "contract",
        {
            "start_date": "2026-05-01",
            "due_date": "2026-06-01",
            "fulfilled_date": "",
            "status": "open",
        },
        "start_date",
        "start_after_observed",
    ),
    ("contract", {"fulfilled_date": "2026-03-01"}, "fulfilled_date", "fulfilled_after_observed"),
    ("contract", {"value": "-5"}, "value", "negative"),
    ("judgment", {"authority": ""}, "authority", "required"),
    ("judgment", {"case_ref": "c" * 70}, "case_ref", "too_long"),
    ("judgment", {"resolved_date": "2025-01-01"}, "resolved_date", "resolved_before_filed"),
    ("judgment", {"filed_date": "2026-03-01"}, "filed_date", "filed_after_observed"),
    ("judgment", {"resolved_date": "2026-03-01"}, "resolved_date", "resolved_after_observed"),
    ("judgment", {"conduct": "unwilling"}, "conduct", "not_a_choice"),
    ("verification", {"result": "maybe"}, "result", "not_a_choice"),
    ("verification", {"since_date": "2027-01-01"}, "since_date", "since_after_observed"),
]


@pytest.mark.parametrize(("category", "changes", "field", "rule"), CASES)
def test_rule_rejects_row_and_keeps_the_rest(
    lake: Engine,
    keyer: SubjectKeyer,
    tmp_path: Path,
    category: str,
    changes: dict[str, str],
    field: str,
    rule: str,
) -> None:
    rows = [row(category, "ok-1"), row(category, "bad", **changes), row(category, "ok-2")]
    path = write_csv(tmp_path / "feed.csv", rows)
    report = ingest_file(
        lake, keyer, path, partner="p-one", category_name=category, rejections_dir=tmp_path / "rej"
    )
    assert (report.rows, report.accepted, report.rejected, report.duplicates) == (3, 2, 1, 0)
    assert report.rejections_file is not None
    with open(report.rejections_file, encoding="utf-8") as handle:
        found = list(csv.DictReader(handle))
    assert [(r["row"], r["field"], r["rule"]) for r in found] == [("2", field, rule)]
    stored = lake.query("ids", f"SELECT record_id FROM rec_{category} ORDER BY record_id")
    assert stored.column("record_id").to_pylist() == ["ok-1", "ok-2"]


@pytest.mark.parametrize("category", ["payment", "contract", "judgment", "verification"])
def test_optional_columns_may_be_absent(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, category: str
) -> None:
    from socialcredit.records import CATEGORIES

    optional = {f.name for f in CATEGORIES[category].fields if not f.required}
    base = {k: v for k, v in row(category, "r1").items() if k not in optional}
    if category == "contract":
        base["status"] = "open"
    path = write_csv(tmp_path / "feed.csv", [base])
    report = ingest_file(
        lake, keyer, path, partner="p-one", category_name=category, rejections_dir=tmp_path / "rej"
    )
    assert report.accepted == 1, report


def test_every_problem_of_a_row_is_listed(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    bad = row(
        "payment",
        "",
        resident_id="110105194912310021",
        kind="lottery",
        amount_due="-3",
        due_date="2026/01/10",
    )
    path = write_csv(tmp_path / "feed.csv", [bad])
    report = ingest_file(
        lake, keyer, path, partner="p-one", category_name="payment", rejections_dir=tmp_path / "rej"
    )
    assert report.rejected == 1
    with open(str(report.rejections_file), encoding="utf-8") as handle:
        rules = {(r["field"], r["rule"]) for r in csv.DictReader(handle)}
    assert rules == {
        ("record_id", "required"),
        ("resident_id", "checksum"),
        ("kind", "not_a_choice"),
        ("amount_due", "not_positive"),
        ("due_date", "not_a_date"),
    }


def test_rejection_file_masks_resident_ids(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "feed.csv", [row("payment", "r1", kind="lottery")])
    report = ingest_file(
        lake, keyer, path, partner="p-one", category_name="payment", rejections_dir=tmp_path / "rej"
    )
    text = Path(str(report.rejections_file)).read_text(encoding="utf-8")
    assert PERSON_A not in text
    stored = lake.query("r", "SELECT value FROM rejections").column("value").to_pylist()
    assert not any(PERSON_A in str(v) for v in stored)


@pytest.mark.parametrize(
    ("allowance", "observed", "accepted"),
    [
        (1, "2026-03-10", True),  # the day it is received
        (1, "2026-03-11", True),  # one day ahead: a partner's clock in another time zone
        (1, "2026-03-12", False),
        (0, "2026-03-11", False),
        (7, "2026-03-17", True),
    ],
)
def test_observed_date_after_receipt_is_rejected(
    lake: Engine,
    keyer: SubjectKeyer,
    tmp_path: Path,
    allowance: int,
    observed: str,
    accepted: bool,
) -> None:
    rows = [
        row("payment", "r1", observed_date=observed, paid_date="", amount_paid=""),
        row("payment", "r2", observed_date="2026-03-01", due_date="2026-02-01"),
    ]
    path = write_csv(tmp_path / "feed.csv", rows)
    report = ingest_file(
        lake,
        keyer,
        path,
        partner="p-one",
        category_name="payment",
        rejections_dir=tmp_path / "rej",
        received=dt.date(2026, 3, 10),
        clock_allowance_days=allowance,
    )
    assert (report.accepted, report.rejected) == ((2, 0) if accepted else (1, 1))
    if not accepted:
        with open(str(report.rejections_file), encoding="utf-8") as handle:
            found = list(csv.DictReader(handle))
        assert [(r["field"], r["rule"]) for r in found] == [("observed_date", "observed_in_future")]
        assert "after the day" in found[0]["message"]
