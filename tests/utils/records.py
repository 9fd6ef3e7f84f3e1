"""Small valid records and the feed files that carry them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from socialcredit.identity import check_character

PERSON_A = "11010519491231002X"
PERSON_B = "360426199101010071"
#: an organisation's unified social credit code (GB 32100)
ORGANISATION = "91110000600037341L"


def resident(seq: int, region: str = "110105", birth: str = "19800101") -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_character(first17)


BASE: dict[str, dict[str, Any]] = {
    "payment": {
        "kind": "utility",
        "due_date": "2026-01-10",
        "paid_date": "2026-01-09",
        "amount_due": "120.50",
        "amount_paid": "120.50",
    },
    "contract": {
        "kind": "rental",
        "start_date": "2025-01-01",
        "due_date": "2026-01-01",
        "fulfilled_date": "2026-01-01",
        "status": "fulfilled",
        "value": "7200",
    },
    "judgment": {
        "kind": "court_enforcement",
        "authority": "Metro District People's Court No. 1",
        "case_ref": "(2025)京0105执1号",
        "filed_date": "2025-06-01",
        "resolved_date": "",
        "amount": "30000",
        "conduct": "refused_to_pay",
    },
    "verification": {"kind": "address", "result": "pass", "since_date": "2020-05-01"},
    "guarantee": {
        "principal_kind": "person",
        "principal_id": PERSON_B,
        "contract_ref": "HB-L-0001",
        "amount": "100000",
        "start_date": "2025-03-01",
        "end_date": "2028-03-01",
        "notice_date": "2025-02-20",
        "status": "active",
        "principal_outstanding": "80000",
        "principal_standing": "current",
        "called_date": "",
        "amount_called": "",
        "amount_paid": "",
    },
}


def row(category: str, rid: str, person: str = PERSON_A, **changes: Any) -> dict[str, Any]:
    """A valid record of ``category`` with id ``rid``, with ``changes`` applied."""
    values = {"record_id": rid, "resident_id": person, "observed_date": "2026-02-01"}
    values |= BASE[category]
    values |= changes
    return values


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
