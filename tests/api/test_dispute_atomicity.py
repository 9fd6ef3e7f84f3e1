"""Answering a dispute writes to the store and to the lake: a failure in either leaves
both as they were, or what the store settled is finished in the lake at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from socialcredit.api.state import ServiceState
from socialcredit.rights import disputes
from socialcredit.store.models import Dispute
from tests.utils.service import Service


def _opened(service: Service) -> dict[str, Any]:
    opened = service.dispute_a_bank_payment("I paid this on time")
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


def _answer(service: Service, dispute: dict[str, Any], answer: str, note: str) -> Any:
    return service.client.post(
        f"/v1/disputes/{dispute['dispute_id']}/answer",
        headers=service.auth(service.bank),
        json={"answer": answer, "note": note},
    )


def _in_lake(service: Service, dispute: dict[str, Any]) -> tuple[int, int]:
    """(the disputed record's rows, the dispute's holds) in the lake."""
    lake = service.workspace.engine()
    records = lake.scalar(
        "record",
        "SELECT count(*) FROM rec_payment WHERE partner_id = 'harbour-bank' AND record_id = ?",
        [dispute["record_id"]],
    )
    holds = lake.scalar(
        "holds", "SELECT count(*) FROM record_holds WHERE dispute_id = ?", [dispute["dispute_id"]]
    )
    return int(records), int(holds)


def _status(service: Service, dispute: dict[str, Any]) -> str:
    with service.workspace.store().session() as session:
        found = session.get(Dispute, dispute["dispute_id"])
        assert found is not None
        return found.status


@pytest.mark.parametrize("answer", ["delete", "confirm"])
def test_a_nul_in_the_note_is_refused_and_changes_nothing(service: Service, answer: str) -> None:
    dispute = _opened(service)
    refused = _answer(service, dispute, answer, "x\u0000")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "invalid"
    assert "note" in refused.json()["error"]["message"]
    assert _in_lake(service, dispute) == (1, 1)
    assert _status(service, dispute) == "open"
    # The dispute can still be answered properly.
    assert _answer(service, dispute, answer, "checked").status_code == 200
    assert _status(service, dispute) == ("deleted" if answer == "delete" else "confirmed")


def test_a_failed_store_write_leaves_the_lake_as_it_was(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispute = _opened(service)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(disputes.audit, "append", broken)
    with pytest.raises(RuntimeError, match="went away"):
        _answer(service, dispute, "delete", "our mistake")
    monkeypatch.undo()
    assert _in_lake(service, dispute) == (1, 1)
    assert _status(service, dispute) == "open"


def test_a_failed_lake_write_is_finished_at_start(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispute = _opened(service)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the lake went away")

    monkeypatch.setattr(disputes, "note_change", broken)
    with pytest.raises(RuntimeError, match="went away"):
        _answer(service, dispute, "delete", "our mistake")
    monkeypatch.undo()
    # Settled in the store; the lake's part rolled back as one, the record still held.
    assert _status(service, dispute) == "deleted"
    assert _in_lake(service, dispute) == (1, 1)
    # What the service makes at start-up finishes it.
    ServiceState(service.workspace.settings, service.workspace)
    assert _in_lake(service, dispute) == (0, 0)
    assert disputes.settle_in_lake(service.workspace.store(), service.workspace.engine()) == 0
