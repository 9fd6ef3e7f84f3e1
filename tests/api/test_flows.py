"""The service end to end: furnishing records, reading scores, the person's file,
the dispute flow, and the audit trail."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import text

from socialcredit.rights.disputes import expire_disputes
from socialcredit.store import audit
from tests.utils.records import row, write_csv
from tests.utils.service import Service


def _csv(tmp: Path, rows: list[dict[str, Any]]) -> bytes:
    return write_csv(tmp / "batch.csv", rows).read_bytes()


def test_furnish_records_with_idempotency(service: Service) -> None:
    body = _csv(
        service.root,
        [row("payment", f"api-{i}", person=service.citizen_id) for i in range(3)]
        + [row("payment", "bad", kind="lottery")],
    )
    headers = service.auth(service.telecom) | {
        "Idempotency-Key": "batch-1",
        "Content-Type": "text/csv",
    }
    first = service.client.post("/v1/records/payment", content=body, headers=headers)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["accepted"], report["rejected"]) == (3, 1)
    assert report["rejected_rows"][0]["rule"] == "not_a_choice"
    again = service.client.post("/v1/records/payment", content=body, headers=headers)
    assert again.json()["replayed"] is True
    assert again.json()["batch_id"] == report["batch_id"]
    fetched = service.client.get(
        f"/v1/batches/{report['batch_id']}", headers=service.auth(service.telecom)
    )
    assert fetched.json()["accepted"] == 3
    other = service.client.get(
        f"/v1/batches/{report['batch_id']}", headers=service.auth(service.bank)
    )
    assert other.status_code == 404  # a partner never sees another partner's batches


def test_furnishing_refusals(service: Service) -> None:
    headers = service.auth(service.bank) | {"Idempotency-Key": "k", "Content-Type": "text/csv"}
    forbidden = service.client.post(
        "/v1/records/payment",
        headers=headers,
        content=_csv(service.root, [row("payment", "r", religion="x")]),
    )
    assert forbidden.status_code == 422
    assert "religion" in forbidden.json()["error"]["message"]
    assert (
        service.client.post(
            "/v1/records/payment", content=b"a", headers=headers | {"Content-Type": "image/png"}
        ).status_code
        == 415
    )
    assert (
        service.client.post("/v1/records/activity", content=b"a", headers=headers).status_code
        == 404
    )


def test_score_reads_are_logged_and_shown_to_the_person(service: Service) -> None:
    read = service.client.get(
        f"/v1/subjects/{service.citizen_id}/score",
        params={"purpose": "rental_application"},
        headers=service.auth(service.bank),
    )
    assert read.status_code == 200, read.text
    assert 350 <= read.json()["score"] <= 950
    mine = service.client.get("/v1/me/report", headers=service.auth(service.citizen))
    assert mine.status_code == 200, mine.text
    report = mine.json()
    assert report["score"] == read.json()["score"]
    assert {"by": "harbour-bank", "action": "score_read", "purpose": "rental_application"} in [
        {k: a[k] for k in ("by", "action", "purpose")} for a in report["accesses"]
    ]
    assert report["records"]["payment"], "every record with its source"
    assert all(r["partner_id"] for records in report["records"].values() for r in records)


def test_dispute_flow(service: Service) -> None:
    mine = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    payments = [r for r in mine["records"]["payment"] if r["partner_id"] == "harbour-bank"]
    contested, unanswered = payments[0], payments[1]
    opened = service.client.post(
        "/v1/me/disputes",
        headers=service.auth(service.citizen),
        json={
            "partner_id": "harbour-bank",
            "category": "payment",
            "record_id": contested["record_id"],
            "reason": "I paid this on time",
        },
    )
    assert opened.status_code == 201, opened.text
    dispute = opened.json()
    assert dispute["status"] == "open"
    duplicate = service.client.post(
        "/v1/me/disputes",
        headers=service.auth(service.citizen),
        json={
            "partner_id": "harbour-bank",
            "category": "payment",
            "record_id": contested["record_id"],
            "reason": "again",
        },
    )
    assert duplicate.status_code == 422
    lake = service.workspace.engine()
    assert lake.scalar("held", "SELECT count(*) FROM record_holds") == 1
    # The partner sees it, another partner does not, and only the partner can answer.
    queue = service.client.get("/v1/disputes", headers=service.auth(service.bank)).json()
    assert [d["dispute_id"] for d in queue["disputes"]] == [dispute["dispute_id"]]
    assert "subject_key" not in queue["disputes"][0]
    assert (
        service.client.post(
            f"/v1/disputes/{dispute['dispute_id']}/answer",
            headers=service.auth(service.telecom),
            json={"answer": "confirm", "note": "x"},
        ).status_code
        == 403
    )
    answered = service.client.post(
        f"/v1/disputes/{dispute['dispute_id']}/answer",
        headers=service.auth(service.bank),
        json={"answer": "delete", "note": "our mistake"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "deleted"
    assert (
        lake.scalar(
            "gone",
            "SELECT count(*) FROM rec_payment WHERE record_id = ? AND partner_id = 'harbour-bank'",
            [contested["record_id"]],
        )
        == 0
    )
    assert lake.scalar("held", "SELECT count(*) FROM record_holds") == 0
    # Unanswered past its deadline: resolved in the person's favour.
    second = service.client.post(
        "/v1/me/disputes",
        headers=service.auth(service.citizen),
        json={
            "partner_id": "harbour-bank",
            "category": "payment",
            "record_id": unanswered["record_id"],
            "reason": "not mine",
        },
    ).json()
    store = service.workspace.store()
    assert expire_disputes(store, lake, dt.datetime(2000, 1, 1)) == []
    closed = expire_disputes(store, lake, dt.datetime.now() + dt.timedelta(days=40))
    assert [d.dispute_id for d in closed] == [second["dispute_id"]]
    mine = service.client.get("/v1/me/disputes", headers=service.auth(service.citizen)).json()
    assert [d["status"] for d in mine["disputes"]] == ["deleted", "upheld_by_default"]
    report = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    ids = {
        r["record_id"] for r in report["records"]["payment"] if r["partner_id"] == "harbour-bank"
    }
    assert contested["record_id"] not in ids
    assert unanswered["record_id"] not in ids
    verified = service.client.get("/v1/audit/verify", headers=service.auth(service.operator))
    assert verified.json()["ok"] is True


def test_a_dispute_takes_the_record_out_of_the_score(service: Service) -> None:
    lake = service.workspace.engine()
    key = service.workspace.keyer().key(service.citizen_id)
    late = lake.query(
        "late",
        "SELECT partner_id, record_id FROM rec_payment WHERE subject_key = ? "
        "AND paid_date > due_date ORDER BY paid_date - due_date DESC LIMIT 1",
        [key],
    ).to_pylist()
    if not late:
        return  # this person never paid late: nothing to take out
    before = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    service.client.post(
        "/v1/me/disputes",
        headers=service.auth(service.citizen),
        json={
            "partner_id": late[0]["partner_id"],
            "category": "payment",
            "record_id": late[0]["record_id"],
            "reason": "disputed",
        },
    )
    after = service.client.get("/v1/me/report", headers=service.auth(service.citizen)).json()
    assert after["score"] >= before["score"]


def test_audit_detects_tampering(service: Service) -> None:
    for _ in range(3):
        service.client.get(
            f"/v1/subjects/{service.citizen_id}/score?purpose=account_review",
            headers=service.auth(service.bank),
        )
    store = service.workspace.store()
    with store.session() as session:
        assert audit.verify(session).ok
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET purpose = 'collection' WHERE seq = 2"))
    with store.session() as session:
        result = audit.verify(session)
    assert not result.ok
    assert {"seq": 2, "problem": "content was altered"} in result.problems
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET purpose = 'account_review' WHERE seq = 2"))
        connection.execute(
            text("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
        )
    with store.session() as session:
        problems = audit.verify(session).problems
    assert any("deleted" in p["problem"] for p in problems)


def test_concurrent_reads_lose_no_audit_entry(service: Service) -> None:
    store = service.workspace.store()
    with store.session() as session:
        before = audit.verify(session).entries
    statuses: list[int] = []

    def read() -> None:
        for _ in range(10):
            response = service.client.get(
                f"/v1/subjects/{service.citizen_id}/score?purpose=credit_application",
                headers=service.auth(service.bank),
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 80
    with store.session() as session:
        result = audit.verify(session)
    assert result.ok, result.problems
    assert result.entries == before + 80


def test_the_person_downloads_their_whole_file(service: Service) -> None:
    me = service.auth(service.citizen)
    whole = service.client.get("/v1/me/export", headers=me)
    assert whole.status_code == 200
    data = whole.json()
    for key in ("score", "records", "history", "accesses", "disputes", "consents", "pending"):
        assert key in data, key
    assert data["consents"], "the bank's consents from the fixture"
    for lang, heading in (("en", "Every record on file"), ("zh", "全部信用记录")):
        page = service.client.get(
            "/v1/me/export", params={"format": "html", "lang": lang}, headers=me
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert heading in page.text
        assert "<svg" in page.text
        assert "http://" not in page.text.replace("http://www.w3.org/2000/svg", "")
    assert (
        service.client.get("/v1/me/export", params={"format": "pdf"}, headers=me).status_code == 422
    )
