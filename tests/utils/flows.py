"""Cash flow shared with consent, as tests build it: monthly account rows and the
person's consent to share them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer, parse
from socialcredit.rights.consents import grant_sharing_consents

BANK = "harbour-bank"
PURPOSE = "cash_flow_sharing"
#: the as-of date the tests score at: every month below is over and reported by then
AS_OF = dt.date(2026, 11, 30)

#: an ordinary month of a current account
MONTH: dict[str, Any] = {
    "account_ref": "current",
    "inflows": "9000.00",
    "income_credits": "1",
    "regular_payer": "yes",
    "outflows": "7000.00",
    "end_balance": "5000.00",
    "min_balance": "1000.00",
    "overdraft_events": "0",
    "insufficient_funds_events": "0",
    "bills_on_time": "3",
    "bills_late": "0",
}


def flow(rid: str, person: str, period: dt.date, **changes: Any) -> dict[str, Any]:
    """The row of ``person``'s account for the month ``period`` (reported on the 5th
    after it); ``changes`` may set any column, ``month`` included."""
    following = (period.replace(day=28) + dt.timedelta(days=8)).replace(day=5)
    values = {
        "record_id": rid,
        "resident_id": person,
        "observed_date": following.isoformat(),
        "month": period.isoformat(),
    }
    return values | MONTH | changes


def months(first: dt.date, count: int) -> list[dt.date]:
    """``count`` first days of months from ``first`` on."""
    found, day = [], first
    for _ in range(count):
        found.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=8)).replace(day=1)
    return found


def consent_in_lake(
    lake: Engine, keyer: SubjectKeyer, *people: str, partner: str = BANK, days: int = 365
) -> None:
    """The people's consents for ``partner``, granted through the Python API in the lake
    alone (a lake used without a store)."""
    keys = [keyer.key(parse(p).number) for p in people]
    grant_sharing_consents(
        lake,
        pa.table({"subject_key": keys, "partner_id": [partner] * len(keys)}),
        purpose=PURPOSE,
        days=days,
        actor="test",
        store=None,
    )
