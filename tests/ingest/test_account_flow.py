"""Cash flow from a bank: accepted only under the person's live consent, row by row;
never a column about what was bought; totals checked like any other record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.engines import Engine
from socialcredit.errors import ForbiddenDataError
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import BatchReport, ingest_file
from socialcredit.rights.consents import grant_consent, revoke_consent
from socialcredit.settings import utc_now
from socialcredit.store import open_store
from tests.utils.flows import BANK, PURPOSE, consent_in_lake, flow
from tests.utils.records import PERSON_A, PERSON_B, resident, write_csv

MAY = dt.date(2026, 5, 1)


def _ingest(lake: Engine, keyer: SubjectKeyer, path: Path, partner: str = BANK) -> BatchReport:
    return ingest_file(
        lake,
        keyer,
        path,
        partner=partner,
        category_name="account_flow",
        rejections_dir=path.parent / "rej",
    )


def test_rows_count_in_only_under_a_live_consent_for_that_partner(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    withdrawn, expired, nobody = resident(7), resident(8), resident(9)
    consent_in_lake(lake, keyer, PERSON_A)
    consent_in_lake(lake, keyer, PERSON_B, partner="other-bank")  # another partner's
    granted = {
        person: grant_consent(
            store,
            lake,
            subject_key=keyer.key(person),
            partner_id=BANK,
            purpose=PURPOSE,
            days=365,
            actor="test",
            now=now,
        )
        for person, now in ((withdrawn, None), (expired, utc_now() - dt.timedelta(days=400)))
    }
    revoke_consent(
        store,
        lake,
        consent_id=granted[withdrawn].consent_id,
        subject_key=keyer.key(withdrawn),
        actor="test",
    )
    assert granted[expired].expires_at < utc_now(), "control: that consent has expired"
    people = [PERSON_A, PERSON_B, withdrawn, expired, nobody]
    rows = [
        flow(f"m{i}-{j}", p, MAY, account_ref=f"a{j}") for i, p in enumerate(people) for j in (1, 2)
    ]
    report = _ingest(lake, keyer, write_csv(tmp_path / "flows.csv", rows))
    assert (report.accepted, report.rejected) == (2, 8)
    rejected = lake.query(
        "rejections", "SELECT row_number, field, rule, message FROM rejections ORDER BY 1"
    ).to_pylist()
    assert [r["row_number"] for r in rejected] == list(range(3, 11))
    assert {(r["field"], r["rule"]) for r in rejected} == {("resident_id", "consent_required")}
    assert PURPOSE in rejected[0]["message"]
    stored = lake.query("stored", "SELECT record_id FROM rec_account_flow ORDER BY 1")
    assert stored.column("record_id").to_pylist() == ["m0-1", "m0-2"]
    store.dispose()


@pytest.mark.parametrize(
    "column",
    [
        "merchant_category",
        "mcc",
        "merchant_name",
        "product_sku",
        "items_bought",
        "game_hours",
        "app_usage_minutes",
        "location",
        "gps_latitude",
        "counterparty_name",
        "payee",
        "商户名称",
        "交易对手",
    ],
)
def test_a_column_about_what_was_bought_refuses_the_batch_by_name(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, column: str
) -> None:
    consent_in_lake(lake, keyer, PERSON_A)
    rows = [flow("m1", PERSON_A, MAY) | {column: "5411 grocery"}]
    with pytest.raises(ForbiddenDataError, match="purchases_or_lifestyle") as refused:
        _ingest(lake, keyer, write_csv(tmp_path / "flows.csv", rows))
    assert refused.value.field == column
    assert column in str(refused.value)
    assert lake.scalar("stored", "SELECT count(*) FROM rec_account_flow") == 0


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"month": "2026-05-15"}, "month", "month_not_first_day"),
        ({"month": "2026-06-01", "observed_date": "2026-06-20"}, "month", "month_not_over"),
        ({"income_credits": "1.5"}, "income_credits", "not_a_count"),
        ({"overdraft_events": "-1"}, "overdraft_events", "not_a_count"),
        ({"inflows": "-10"}, "inflows", "negative"),
        ({"inflows": "0"}, "income_credits", "income_without_inflows"),
        ({"income_credits": "0"}, "regular_payer", "regular_payer_without_income"),
        ({"min_balance": "6000"}, "min_balance", "min_balance_above_end"),
        ({"regular_payer": "sometimes"}, "regular_payer", "not_a_choice"),
    ],
)
def test_each_broken_rule_is_named(
    lake: Engine,
    keyer: SubjectKeyer,
    tmp_path: Path,
    changes: dict[str, str],
    field: str,
    rule: str,
) -> None:
    consent_in_lake(lake, keyer, PERSON_A)
    report = _ingest(
        lake, keyer, write_csv(tmp_path / "f.csv", [flow("m1", PERSON_A, MAY, **changes)])
    )
    assert report.rejected == 1
    found = lake.query("rejections", "SELECT field, rule FROM rejections").to_pylist()
    assert {"field": field, "rule": rule} in found


def test_an_overdrawn_balance_is_a_balance(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    consent_in_lake(lake, keyer, PERSON_A)
    row = flow(
        "m1", PERSON_A, MAY, end_balance="-250.00", min_balance="-400.00", overdraft_events="2"
    )
    report = _ingest(lake, keyer, write_csv(tmp_path / "f.csv", [row]))
    assert (report.accepted, report.rejected) == (1, 0)
    stored = lake.query(
        "stored", "SELECT end_balance, min_balance FROM rec_account_flow"
    ).to_pylist()
    assert [(float(r["end_balance"]), float(r["min_balance"])) for r in stored] == [
        (-250.0, -400.0)
    ]
