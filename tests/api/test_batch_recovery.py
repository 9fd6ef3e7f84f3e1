"""A batch the lake committed but the store did not record (the service failed, or was
killed, between the two writes): retrying with the same Idempotency-Key answers what
the batch really was, and the audit log has the batch; a start finishes it too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from socialcredit.api.state import ServiceState
from socialcredit.store import audit
from socialcredit.store.models import ApiBatch, AuditEntry
from tests.utils.records import row, write_csv
from tests.utils.service import Service


def _body(service: Service) -> bytes:
    rows = [row("payment", f"rc{n}", person=service.citizen_id) for n in range(3)]
    rows.append(row("payment", "rc-bad", person=service.citizen_id, amount_due="lots"))
    return write_csv(service.root / "batch.csv", rows).read_bytes()


def _post(service: Service, body: bytes) -> Any:
    return service.client.post(
        "/v1/records/payment",
        content=body,
        headers=service.auth(service.bank) | {"Idempotency-Key": "k-1", "Content-Type": "text/csv"},
    )


def _furnished(service: Service) -> list[dict[str, Any]]:
    with service.workspace.store().session() as session:
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.action == "records_furnished")
        ).scalars()
        return [dict(e.detail or {}) for e in entries]


def _fail_the_store_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash point: the store write after the lake has committed the batch."""

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the service died here")

    monkeypatch.setattr(audit, "append", broken)


def _in_lake(service: Service) -> list[dict[str, Any]]:
    """The batches of the test's upload (of its four records) in the lake."""
    rows = service.workspace.engine().query(
        "batches",
        "SELECT batch_id, accepted, rejected, duplicates FROM batches "
        "WHERE partner_id = 'harbour-bank' AND rows_in = 4",
    )
    return list(rows.to_pylist())


def _crash_after_the_lake(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> tuple[bytes, int, dict[str, Any]]:
    """Post a batch whose store write dies after the lake committed it: (the body, the
    audit entries of furnishing before, the batch the lake holds)."""
    body = _body(service)
    before = len(_furnished(service))
    _fail_the_store_write(monkeypatch)
    with pytest.raises(RuntimeError, match="died here"):
        _post(service, body)
    monkeypatch.undo()
    [committed] = _in_lake(service)
    return body, before, committed


def test_a_retry_answers_what_the_lake_committed(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, before, committed = _crash_after_the_lake(service, monkeypatch)
    assert (committed["accepted"], committed["rejected"]) == (3, 1)
    retried = _post(service, body)
    assert retried.status_code == 200, retried.text
    answer = retried.json()
    assert answer["batch_id"] == committed["batch_id"]
    assert (answer["accepted"], answer["rejected"], answer["duplicates"]) == (3, 1, 0)
    assert answer["replayed"] is True
    assert [r["row"] for r in answer["rejected_rows"]] == ["4"]
    assert len(_in_lake(service)) == 1  # nothing ingested twice
    furnished = _furnished(service)[before:]
    assert [(f["batch_id"], f["accepted"]) for f in furnished] == [(committed["batch_id"], 3)]
    # A third time: the same answer, no second audit entry.
    again = _post(service, body).json()
    assert {k: v for k, v in again.items() if k != "elapsed_s"} == {
        k: v for k, v in answer.items() if k != "elapsed_s"
    }
    assert len(_furnished(service)) == before + 1
    batch = service.client.get(
        f"/v1/batches/{committed['batch_id']}", headers=service.auth(service.bank)
    )
    assert batch.status_code == 200
    assert batch.json()["accepted"] == 3


def test_a_start_records_what_the_lake_committed(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, before, committed = _crash_after_the_lake(service, monkeypatch)
    ServiceState(service.workspace.settings, service.workspace)  # what a start makes
    with service.workspace.store().session() as session:
        recorded = session.get(ApiBatch, ("harbour-bank", "k-1"))
        assert recorded is not None
        assert recorded.batch_id == committed["batch_id"]
        assert recorded.report["accepted"] == 3
    assert [f["batch_id"] for f in _furnished(service)[before:]] == [committed["batch_id"]]


def test_a_refused_batch_can_be_sent_again_with_its_key(service: Service) -> None:
    refused = _post(service, b"record_id,resident_id\n")
    assert refused.status_code == 422
    accepted = _post(service, _body(service))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["accepted"] == 3
    assert "replayed" not in accepted.json()
