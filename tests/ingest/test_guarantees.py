"""Guarantee feeds: only what a person signed, with notice, for a principal checked like
a subject and never stored; relationships refused by name; contracts' role."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.engines import Engine
from socialcredit.errors import ForbiddenDataError
from socialcredit.identity import SubjectKeyer, uscc
from socialcredit.ingest import BatchReport, ingest_file
from tests.utils.records import ORGANISATION, PERSON_A, PERSON_B, row, write_csv


def _ingest(
    lake: Engine, keyer: SubjectKeyer, path: Path, category: str = "guarantee"
) -> BatchReport:
    return ingest_file(
        lake,
        keyer,
        path,
        partner="harbour-bank",
        category_name=category,
        rejections_dir=path.parent / "rej",
    )


def _rejected(lake: Engine) -> list[tuple[int, str, str]]:
    rows = lake.query("r", "SELECT row_number, field, rule FROM rejections ORDER BY 1, 2")
    return [(r["row_number"], r["field"], r["rule"]) for r in rows.to_pylist()]


@pytest.mark.parametrize("column", ["friend_id", "contact_phone", "follower_count", "好友", "亲属"])
def test_a_relationship_column_refuses_the_feed_naming_it(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, column: str
) -> None:
    path = write_csv(tmp_path / "g.csv", [row("guarantee", "g1", **{column: PERSON_B})])
    with pytest.raises(ForbiddenDataError) as refused:
        _ingest(lake, keyer, path)
    assert refused.value.field == column
    assert refused.value.rule == "social_relationships"
    assert column in str(refused.value)
    assert lake.scalar("n", "SELECT count(*) FROM rec_guarantee") == 0


def test_a_guarantee_without_notice_before_it_starts_is_rejected_by_rule(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    rows = [
        row("guarantee", "on-time"),
        row("guarantee", "same-day", notice_date="2025-03-01", contract_ref="HB-2"),
        row("guarantee", "late", notice_date="2025-03-02", contract_ref="HB-3"),
        row("guarantee", "none", notice_date="", contract_ref="HB-4"),
    ]
    report = _ingest(lake, keyer, write_csv(tmp_path / "g.csv", rows))
    assert (report.accepted, report.rejected) == (2, 2)
    assert _rejected(lake) == [(3, "notice_date", "no_notice"), (4, "notice_date", "no_notice")]


def test_without_the_notice_column_every_row_is_rejected(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    rows = [
        {k: v for k, v in row("guarantee", f"g{i}").items() if k != "notice_date"} for i in (1, 2)
    ]
    report = _ingest(lake, keyer, write_csv(tmp_path / "g.csv", rows))
    assert (report.accepted, report.rejected) == (0, 2)
    assert {rule for _, _, rule in _rejected(lake)} == {"no_notice"}


def test_principals_are_checked_and_only_their_keys_are_stored(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    rows = [
        row("guarantee", "person"),
        row("guarantee", "firm", principal_kind="organisation", principal_id=ORGANISATION),
        row(
            "guarantee",
            "firm-lower",
            principal_kind="organisation",
            principal_id=ORGANISATION.lower(),
            contract_ref="HB-2",
        ),
        row("guarantee", "bad-person", principal_id=PERSON_B[:-1] + "9", contract_ref="HB-3"),
        row(
            "guarantee",
            "bad-firm",
            principal_kind="organisation",
            principal_id=ORGANISATION[:-1] + "X",
            contract_ref="HB-4",
        ),
        row("guarantee", "firm-as-person", principal_id=ORGANISATION, contract_ref="HB-5"),
        row("guarantee", "self", principal_id=PERSON_A, contract_ref="HB-6"),
    ]
    report = _ingest(lake, keyer, write_csv(tmp_path / "g.csv", rows))
    assert (report.accepted, report.rejected) == (3, 4)
    assert _rejected(lake) == [
        (4, "principal_id", "checksum"),
        (5, "principal_id", "uscc_checksum"),
        (6, "principal_id", "format"),
        (7, "principal_id", "guarantees_self"),
    ]
    stored = lake.query(
        "stored", "SELECT record_id, principal_key FROM rec_guarantee ORDER BY record_id"
    ).to_pylist()
    assert {r["record_id"]: r["principal_key"] for r in stored} == {
        "firm": keyer.key(uscc.key_text(ORGANISATION)),
        "firm-lower": keyer.key(uscc.key_text(ORGANISATION)),
        "person": keyer.key(PERSON_B),
    }
    columns = lake.query("cols", "SELECT * FROM rec_guarantee LIMIT 0").column_names
    assert "principal_id" not in columns
    every_value = lake.query("all", "SELECT * FROM rec_guarantee").to_pylist()
    assert not any(
        PERSON_B in str(v) or ORGANISATION in str(v) for r in every_value for v in r.values()
    )
    # The principal is not a subject of the record: only the guarantor is.
    assert lake.scalar("subjects", "SELECT count(*) FROM subjects") == 1


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"status": "called"}, "called_date", "called_without_date"),
        (
            {"status": "called", "called_date": "2026-01-05", "amount_called": "200000"},
            "amount_called",
            "called_above_amount",
        ),
        (
            {"status": "called", "called_date": "2025-01-05", "amount_called": "1000"},
            "called_date",
            "called_before_start",
        ),
        ({"amount_paid": "10"}, "amount_paid", "paid_above_called"),
        ({"end_date": "2025-01-01"}, "end_date", "end_before_start"),
        ({"principal_kind": "partner"}, "principal_kind", "not_a_choice"),
    ],
)
def test_rules_across_columns(
    lake: Engine,
    keyer: SubjectKeyer,
    tmp_path: Path,
    changes: dict[str, str],
    field: str,
    rule: str,
) -> None:
    report = _ingest(lake, keyer, write_csv(tmp_path / "g.csv", [row("guarantee", "g", **changes)]))
    assert report.rejected == 1
    assert (1, field, rule) in _rejected(lake)


def test_contracts_take_a_role_and_older_files_without_it_stay_valid(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    old = _ingest(lake, keyer, write_csv(tmp_path / "old.csv", [row("contract", "c1")]), "contract")
    new = _ingest(
        lake,
        keyer,
        write_csv(
            tmp_path / "new.csv",
            [
                row("contract", "c2", role="co_borrower"),
                row("contract", "c3", role="guarantor"),
                row("contract", "c4", role="authorised"),
            ],
        ),
        "contract",
    )
    assert (old.accepted, new.accepted, new.rejected) == (1, 2, 1)
    roles = lake.query("roles", "SELECT record_id, role FROM rec_contract ORDER BY 1").to_pylist()
    assert roles == [
        {"record_id": "c1", "role": None},
        {"record_id": "c2", "role": "co_borrower"},
        {"record_id": "c3", "role": "guarantor"},
    ]
    assert lake.scalar("version", "SELECT max(schema_version) FROM batches") == 2


def test_a_lake_made_before_contract_roles_gets_the_column_and_keeps_its_records(
    tmp_path: Path,
) -> None:
    from socialcredit.engines import connect
    from socialcredit.lake.schema import ensure_lake, record_columns
    from socialcredit.records import CATEGORIES

    engine = connect(f"duckdb://{tmp_path / 'lake.duckdb'}")
    before = [c for c in record_columns(CATEGORIES["contract"]) if c[0] != "role"]
    engine.execute("old", f"CREATE TABLE rec_contract ({', '.join(f'{n} {t}' for n, t in before)})")
    engine.execute(
        "old",
        "INSERT INTO rec_contract (batch_id, partner_id, record_id, status) "
        "VALUES ('b', 'p', 'c1', 'fulfilled')",
    )
    ensure_lake(engine)
    rows = engine.query("after", "SELECT record_id, status, role FROM rec_contract").to_pylist()
    assert rows == [{"record_id": "c1", "status": "fulfilled", "role": None}]
    engine.close()
