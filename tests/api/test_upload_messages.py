"""A refused upload says what is wrong with the file sent, never where the server keeps
it (its temporary file) nor the SQL it ran to read it."""

from __future__ import annotations

import pytest

from tests.utils.service import Service

#: What the server alone knows: none of it belongs in an answer.
SERVER_SIDE = (
    "tmp",
    "uploads",
    "CREATE",
    "SELECT",
    "_stg",
    "read_csv",
    "read_json",
    "read_parquet",
    "-- SQL",
    "LINE 1",
)

BODIES = {
    "parquet that is not": ("application/vnd.apache.parquet", b"PAR1 this is no parquet file"),
    "parquet of text": ("application/vnd.apache.parquet", b"record_id,resident_id\nr1,x\n"),
    "jsonl that is not": ("application/x-ndjson", b'{"record_id": "r1", \n{{{\n'),
    "csv without rows": ("text/csv", b"record_id,resident_id\n"),
    "csv of binary": ("text/csv", bytes(range(256)) * 4),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_a_refused_upload_names_no_server_file(service: Service, name: str) -> None:
    media, body = BODIES[name]
    answered = service.client.post(
        "/v1/records/payment",
        headers=service.auth(service.bank) | {"Content-Type": media, "Idempotency-Key": name},
        content=body,
    )
    assert answered.status_code == 422, answered.text
    message = answered.json()["error"]["message"]
    assert message, answered.text
    assert not [part for part in SERVER_SIDE if part in message], message
