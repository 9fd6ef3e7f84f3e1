"""A record observed in the future is rejected by rule through the API as through the
command line; the valid rows beside it are kept."""

from __future__ import annotations

from tests.utils.records import row, write_csv
from tests.utils.service import Service


def test_furnished_row_observed_in_the_future_is_rejected(service: Service) -> None:
    body = write_csv(
        service.root / "future.csv",
        [
            row("payment", "future-ok", person=service.citizen_id),
            row("payment", "future-far", person=service.citizen_id, observed_date="9999-12-31"),
        ],
    ).read_bytes()
    headers = service.auth(service.bank) | {"Idempotency-Key": "f-1", "Content-Type": "text/csv"}
    answer = service.client.post("/v1/records/payment", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert [(r["field"], r["rule"]) for r in report["rejected_rows"]] == [
        ("observed_date", "observed_in_future")
    ]
