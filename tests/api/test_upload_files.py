"""Uploads hold raw resident IDs: the file an upload is written to leaves the
workspace whatever the ingestion's outcome, and erasing a person leaves their
resident ID and subject key in no file of the workspace."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from socialcredit.identity import parse
from socialcredit.lake.files import UPLOADS
from tests.utils.records import row, write_csv
from tests.utils.service import Service


def _holding(root: Path, *needles: str) -> list[str]:
    """Files under ``root`` whose bytes hold any of ``needles`` (any case)."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes().lower()
            if any(needle.lower().encode() in data for needle in needles):
                found.append(str(path.relative_to(root)))
    return found


def _post(service: Service, body: bytes, key: str, content_type: str = "text/csv") -> int:
    answer = service.client.post(
        "/v1/records/payment",
        content=body,
        headers=service.auth(service.bank) | {"Idempotency-Key": key, "Content-Type": content_type},
    )
    return int(answer.status_code)


@pytest.mark.parametrize(
    ("kind", "status"),
    [("accepted", 200), ("forbidden column", 422), ("not parquet", 422), ("bad jsonl", 422)],
)
def test_upload_file_is_removed_on_every_path(service: Service, kind: str, status: int) -> None:
    person = service.citizen_id
    media = "text/csv"
    if kind == "accepted":
        content = write_csv(service.root / "b.csv", [row("payment", "u1", person=person)])
    elif kind == "forbidden column":
        bad = [row("payment", "u1", person=person, religion="none")]
        content = write_csv(service.root / "b.csv", bad)
    elif kind == "not parquet":
        content, media = f"PAR1 {person} not parquet", "application/vnd.apache.parquet"
    else:
        content, media = f'{{"resident_id": "{person}", ', "application/x-ndjson"
    body = content.read_bytes() if isinstance(content, Path) else content.encode()
    assert _post(service, body, kind, media) == status
    root = service.workspace.root
    assert not any((root / UPLOADS).iterdir())
    assert _holding(root / "tmp", person) == []


def test_erasure_leaves_the_person_in_no_file_of_the_workspace(service: Service) -> None:
    root, person = service.workspace.root, service.citizen_id
    key = service.workspace.keyer().key(parse(person).number)
    # The demo keeps its partner files in the workspace: CSV, and here one as Parquet.
    shutil.copytree(service.root / "feeds", root / "feeds")
    payments = root / "feeds" / "harbour-bank.payment.csv"
    table = pacsv.read_csv(
        payments, convert_options=pacsv.ConvertOptions(column_types={"resident_id": "string"})
    )
    pq.write_table(table, root / "feeds" / "harbour-bank.payment.parquet")
    payments.unlink()
    # An upload a killed process left behind, and a batch with one of their rows rejected.
    (root / UPLOADS).mkdir(parents=True, exist_ok=True)
    orphan = root / UPLOADS / "tmp0rphan.csv"
    orphan.write_text(f"record_id,resident_id\nr1,{person.lower()}\n", encoding="utf-8")
    long_ago = time.time() - 3600
    os.utime(orphan, (long_ago, long_ago))
    rows = [row("payment", "e1", person=person), row("payment", "e2", person=person, kind="x")]
    assert _post(service, write_csv(service.root / "e.csv", rows).read_bytes(), "e") == 200
    before = _holding(root, person, key)
    assert any(name.startswith("feeds/") for name in before), before
    assert str(UPLOADS / orphan.name) in before, before

    erased = service.client.post(
        "/v1/erasures", headers=service.auth(service.operator), json={"resident_id": person}
    )
    assert erased.status_code == 200, erased.text
    assert _holding(root, person, key) == []
    assert not orphan.exists()
    others = pq.read_table(root / "feeds" / "harbour-bank.payment.parquet")
    assert 0 < others.num_rows < table.num_rows, "only the person's rows left the file"
