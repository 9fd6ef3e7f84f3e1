"""Batches: nothing valid lost, nothing added twice, refusals that name the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialcredit.engines import Engine
from socialcredit.errors import ForbiddenDataError, InputError, SchemaError, UnreadableFileError
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from tests.utils.records import PERSON_A, PERSON_B, resident, row, write_csv


def _ingest(
    lake: Engine,
    keyer: SubjectKeyer,
    path: Path,
    category: str = "payment",
    partner: str = "river-grid",
    **options: str,
):  # type: ignore[no-untyped-def]
    return ingest_file(
        lake,
        keyer,
        path,
        partner=partner,
        category_name=category,
        rejections_dir=path.parent / "rej",
        **options,
    )


def _count(lake: Engine, table: str) -> int:
    return int(lake.scalar("count", f"SELECT count(*) FROM {table}"))


def test_reingesting_the_same_file_adds_nothing(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [row("payment", f"r{i}") for i in range(5)] + [row("payment", "bad", kind="lottery")],
    )
    first = _ingest(lake, keyer, path)
    second = _ingest(lake, keyer, path)
    assert (first.accepted, first.rejected, first.duplicates) == (5, 1, 0)
    assert (second.accepted, second.rejected, second.duplicates) == (0, 1, 5)
    assert _count(lake, "rec_payment") == 5
    ledger = lake.query(
        "ledger", "SELECT accepted, duplicates, file_sha256 FROM batches ORDER BY started_at"
    ).to_pylist()
    assert [(r["accepted"], r["duplicates"]) for r in ledger] == [(5, 0), (0, 5)]
    assert ledger[0]["file_sha256"] == ledger[1]["file_sha256"] == first.file_sha256


def test_same_record_id_from_another_partner_is_a_new_record(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", [row("payment", "r1")])
    _ingest(lake, keyer, path, partner="one-partner")
    report = _ingest(lake, keyer, path, partner="other-partner")
    assert report.accepted == 1
    assert _count(lake, "rec_payment") == 2


def test_changed_record_is_rejected_as_conflict(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    _ingest(lake, keyer, write_csv(tmp_path / "a.csv", [row("payment", "r1")]))
    changed = write_csv(
        tmp_path / "b.csv", [row("payment", "r1", amount_due="999"), row("payment", "r2")]
    )
    report = _ingest(lake, keyer, changed)
    assert (report.accepted, report.rejected, report.duplicates) == (1, 1, 0)
    rules = lake.query("r", "SELECT field, rule FROM rejections").to_pylist()
    assert rules == [{"field": "record_id", "rule": "conflict"}]


def test_repeated_record_in_one_file(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [row("payment", "r1"), row("payment", "r1"), row("payment", "r1", amount_due="5")],
    )
    report = _ingest(lake, keyer, path)
    assert (report.accepted, report.duplicates, report.rejected) == (1, 1, 1)
    rules = lake.query("r", "SELECT row_number, rule FROM rejections").to_pylist()
    assert rules == [{"row_number": 3, "rule": "conflict_in_file"}]


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        ("religion", "religion"),
        ("political_view", "political_opinion"),
        ("ethnicity", "ethnicity"),
        ("health_condition", "health"),
        ("sexual_orientation", "sex_life_or_orientation"),
        ("fingerprint", "biometric_or_genetic"),
        ("union_member", "trade_union_membership"),
    ],
)
def test_forbidden_column_refuses_the_batch(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, column: str, rule: str
) -> None:
    path = write_csv(tmp_path / "f.csv", [row("payment", "r1", **{column: "x"})])
    with pytest.raises(ForbiddenDataError, match=column) as caught:
        _ingest(lake, keyer, path)
    assert (caught.value.field, caught.value.rule) == (column, rule)
    assert _count(lake, "rec_payment") == 0
    assert _count(lake, "batches") == 0


def test_forbidden_category_value_refuses_the_batch(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "f.csv", [row("payment", "r1"), row("payment", "r2", kind="hospital")]
    )
    with pytest.raises(ForbiddenDataError, match=r"kind value 'hospital'.*health"):
        _ingest(lake, keyer, path)
    assert _count(lake, "rec_payment") == 0


def test_unknown_column_is_refused(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row("payment", "r1", shoe_size="42")])
    with pytest.raises(SchemaError, match="shoe_size"):
        _ingest(lake, keyer, path)


def test_missing_required_column_is_refused(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    record = row("payment", "r1")
    del record["due_date"]
    with pytest.raises(SchemaError, match=r"lacks required column.*due_date"):
        _ingest(lake, keyer, write_csv(tmp_path / "f.csv", [record]))


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", "", "empty"),
        ("garbage.parquet", "not parquet", "cannot be read as parquet"),
        ("notes.txt", "x", "cannot tell the format"),
    ],
)
def test_unreadable_files(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, name: str, content: str | None, error: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=error):
        _ingest(lake, keyer, path)


def test_bad_partner_and_category(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row("payment", "r1")])
    with pytest.raises(InputError, match="not a partner id"):
        _ingest(lake, keyer, path, partner="River Grid")
    with pytest.raises(InputError, match="accepted categories"):
        _ingest(lake, keyer, path, category="activity")


def test_partner_id_column_must_match(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [
            row("payment", "r1", partner_id="river-grid"),
            row("payment", "r2", partner_id="someone-else"),
        ],
    )
    report = _ingest(lake, keyer, path)
    assert (report.accepted, report.rejected) == (1, 1)


def test_jsonl_with_a_broken_line(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    lines = [
        json.dumps(row("payment", "r1")),
        "{not json",
        json.dumps(row("payment", "r2")),
        json.dumps(row("payment", "r3", amount_due=12.5)),
    ]
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _ingest(lake, keyer, path)
    assert (report.rows, report.accepted, report.rejected) == (4, 3, 1)
    assert lake.query("r", "SELECT row_number, rule FROM rejections").to_pylist() == [
        {"row_number": 2, "rule": "unparseable"}
    ]


def test_csv_line_with_extra_field_is_rejected_alone(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", [row("payment", f"r{i}") for i in range(4)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, lines[2] + ",surplus")
    lines.append(lines[-1].replace("r3", "r9").replace("lottery", "x") + "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _ingest(lake, keyer, path)
    assert (report.rows, report.accepted, report.rejected, report.duplicates) == (6, 5, 1, 0)
    assert lake.query("r", "SELECT row_number, rule FROM rejections").to_pylist() == [
        {"row_number": 2, "rule": "unparseable"}
    ]


def test_typed_parquet(lake: Engine, keyer: SubjectKeyer, tmp_path: Path) -> None:
    import datetime as dt

    table = pa.table(
        {
            "record_id": ["r1", "r2", "r3"],
            "resident_id": [PERSON_A, PERSON_B, "bad"],
            "observed_date": [dt.date(2026, 2, 1)] * 3,
            "kind": ["utility", "phone", "loan"],
            "due_date": [dt.date(2026, 1, 10)] * 3,
            "paid_date": [dt.date(2026, 1, 9), None, None],
            "amount_due": [120.5, 80.0, 1500.0],
            "amount_paid": [120.5, 0.0, None],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    report = _ingest(lake, keyer, tmp_path / "f.parquet")
    assert (report.accepted, report.rejected) == (2, 1)
    stored = lake.query("r", "SELECT amount_due, paid_date FROM rec_payment ORDER BY record_id")
    assert [float(v) for v in stored.column("amount_due").to_pylist()] == [120.5, 80.0]


def test_subjects_keep_only_fairness_attributes(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    _ingest(
        lake,
        keyer,
        write_csv(
            tmp_path / "f.csv", [row("payment", "r1"), row("payment", "r2", person=PERSON_B)]
        ),
    )
    subjects = lake.query(
        "s", "SELECT subject_key, birth_year, sex, region FROM subjects ORDER BY birth_year"
    ).to_pylist()
    assert subjects == [
        {"subject_key": keyer.key(PERSON_A), "birth_year": 1949, "sex": "F", "region": "110105"},
        {"subject_key": keyer.key(PERSON_B), "birth_year": 1991, "sex": "M", "region": "360426"},
    ]


def test_raw_resident_ids_never_reach_the_lake_file(keyer: SubjectKeyer, tmp_path: Path) -> None:
    from socialcredit.engines import connect
    from socialcredit.lake.schema import ensure_lake

    people = [resident(i) for i in range(1, 60)]
    engine = connect(f"duckdb://{tmp_path / 'lake.duckdb'}")
    ensure_lake(engine)
    rows = [row("payment", f"r{i}", person=p) for i, p in enumerate(people)]
    rows.append(row("payment", "bad", person=people[0], kind="lottery"))
    _ingest(engine, keyer, write_csv(tmp_path / "f.csv", rows))
    engine.execute("checkpoint", "CHECKPOINT")
    engine.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("lake.duckdb*"))
    assert keyer.key(people[0]).encode() in data
    for person in people:
        assert person.encode() not in data
        assert person[:6].encode() + person[6:14].encode() not in data


@pytest.mark.parametrize("bad_id", ["000X", "11010519X9123100X2", "abcdefghijklmnopqr", "１１０"])
def test_malformed_resident_ids_are_rejected_not_fatal(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, bad_id: str
) -> None:
    """Any text at all in resident_id is a row-level rejection, never a failed batch."""
    path = write_csv(
        tmp_path / "f.csv", [row("payment", "r1"), row("payment", "r2", person=bad_id)]
    )
    report = _ingest(lake, keyer, path)
    assert (report.accepted, report.rejected) == (1, 1)
