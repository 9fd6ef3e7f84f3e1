"""Uploads stream to disk under a configurable limit, and their ingestion runs off the
event loop: the service answers other requests while a batch waits for the lake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from tests.utils.records import resident
from tests.utils.service import start_service


def _csv(rows: int, first: int = 0) -> bytes:
    lines = ["record_id,resident_id,observed_date,kind,due_date,paid_date,amount_due,amount_paid"]
    lines += [
        f"s{first + n},{resident(n)},2026-02-01,utility,2026-01-10,2026-01-09,120.50,120.50"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _uploads(root: Path) -> list[Path]:
    folder = root / "ws" / "tmp" / "uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_an_upload_over_the_limit_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    small, large = _csv(10), _csv(200)
    limit = len(small) + 100
    assert len(large) > limit, "control: the large batch is over the limit"
    with start_service(tmp_path, None, max_upload_bytes=limit) as service:
        headers = service.auth(service.bank) | {"Content-Type": "text/csv"}

        def chunks() -> Iterator[
            bytes
        ]:  # streamed, no Content-Length: the limit holds as it arrives
            for start in range(0, len(large), 1000):
                yield large[start : start + 1000]

        refused = service.client.post(
            "/v1/records/payment",
            content=chunks(),
            headers=headers | {"Idempotency-Key": "large"},
        )
        assert refused.status_code == 413, refused.text
        assert f"{limit:,} bytes" in refused.json()["error"]["message"]
        assert _uploads(tmp_path) == []
        declared = service.client.post(
            "/v1/records/payment", content=large, headers=headers | {"Idempotency-Key": "large2"}
        )
        assert declared.status_code == 413, declared.text
        accepted = service.client.post(
            "/v1/records/payment", content=small, headers=headers | {"Idempotency-Key": "small"}
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["accepted"] == 10
        assert _uploads(tmp_path) == []


def test_the_service_answers_while_a_batch_waits_for_the_lake(tmp_path: Path) -> None:
    body = _csv(50)
    with start_service(tmp_path, None) as service:
        lake_lock = service.client.app.state.service.lake_lock  # type: ignore[attr-defined]
        finished: list[str] = []
        answers: dict[str, int] = {}

        def furnish() -> None:
            answer = service.client.post(
                "/v1/records/payment",
                content=body,
                headers=service.auth(service.bank)
                | {"Content-Type": "text/csv", "Idempotency-Key": "held"},
            )
            answers["furnish"] = answer.status_code
            finished.append("furnish")

        lake_lock.acquire()  # as another ingestion would hold it
        # If the batch held the event loop, nothing below would be answered: let go
        # of the lake at the latest after a while, so that the test ends (and fails).
        safety = threading.Timer(30, lake_lock.release)
        safety.start()
        sender = threading.Thread(target=furnish)
        sender.start()
        event = threading.Event()
        while not any(p.stat().st_size == len(body) for p in _uploads(tmp_path)):
            assert sender.is_alive(), "control: the batch is being ingested"
            event.wait(0.01)
        health = service.client.get("/v1/health")
        answers["health"] = health.status_code
        finished.append("health")
        if safety.is_alive():
            safety.cancel()
            lake_lock.release()
        sender.join()
        assert finished == ["health", "furnish"]
        assert answers == {"health": 200, "furnish": 200}
