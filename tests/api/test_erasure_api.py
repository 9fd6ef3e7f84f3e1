"""Erasing a person through the API, on SQLite and PostgreSQL: everything about
them leaves the lake and the store, the audit chain still verifies with their
entries redacted, and tampering is still detected afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from socialcredit.store import audit
from tests.utils.service import Service, a_full_file


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def _rows_containing(service: Service, needle: str) -> dict[str, int]:
    """Per table of the store: rows whose text form contains ``needle``."""
    store = service.workspace.store()
    found: dict[str, int] = {}
    with store.engine.connect() as connection:
        if store.dialect == "postgresql":
            tables = connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            ).scalars()
            match = "SELECT count(*) FROM {table} AS x WHERE x::text LIKE :needle"
        else:
            tables = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).scalars()
            match = ""
        for table in list(tables):
            if match:
                sql = match.format(table=table)
            else:
                columns = [c[1] for c in connection.execute(text(f"PRAGMA table_info('{table}')"))]
                sql = f"SELECT count(*) FROM {table} WHERE " + " OR ".join(
                    f"CAST({c} AS TEXT) LIKE :needle" for c in columns
                )
            count = connection.execute(text(sql), {"needle": f"%{needle}%"}).scalar_one()
            if count:
                found[table] = count
    return found


def test_erasure_removes_the_person_from_lake_and_store(service: Service) -> None:
    made = a_full_file(service)
    op, me = service.auth(service.operator), service.auth(service.citizen)
    key = service.workspace.keyer().key(service.citizen_id)
    before = _rows_containing(service, key)
    for table in ("published_scores", "disputes", "consents", "decisions", "reviews"):
        assert before.get(table), f"control: {table} holds the person before"
    assert before.get("credentials")
    assert before.get("audit_log")
    if service.workspace.store().dialect == "sqlite":
        on_disk = {p.name for p in _files_containing(service.workspace.root, key.encode())}
        assert {"lake.duckdb", "store.sqlite"} <= on_disk, "control: the key is on disk before"

    erased = service.client.post(
        "/v1/erasures", headers=op, json={"resident_id": service.citizen_id}
    )
    assert erased.status_code == 200, erased.text
    result = erased.json()
    assert result["removed"]["subjects"] == 1
    assert result["removed"]["score_history"] >= 1
    assert result["removed"]["record_holds"] == 1  # the open dispute's hold
    store_counts = result["store"]
    for table in ("published_scores", "disputes", "decisions", "reviews", "credentials"):
        assert store_counts[table] == 1, (table, store_counts)
    assert store_counts["consents"] >= 1
    assert store_counts["audit_log"] >= 4  # score read, self access, dispute, decision...

    # (a) the person is gone: their key no longer works, nothing is served about them
    assert service.client.get("/v1/me/report", headers=me).status_code == 401
    assert service.client.get("/v1/me/decisions", headers=me).status_code == 401
    gone = service.client.get(
        f"/v1/decisions/{made['decision_id']}", headers=service.auth(made["lender"])
    )
    assert gone.status_code == 404
    again = service.client.post(
        "/v1/erasures", headers=op, json={"resident_id": service.citizen_id}
    )
    assert again.status_code == 404

    # (b) the chain verifies, with the redacted entries counted
    verified = service.client.get("/v1/audit/verify", headers=op).json()
    assert verified["ok"] is True, verified["problems"]
    assert verified["erased"] == store_counts["audit_log"]

    # (c) no trace: no row of any table, and on SQLite no byte of any file
    assert _rows_containing(service, key) == {}
    if service.workspace.store().dialect == "sqlite":
        root = service.workspace.root
        assert (root / "store.sqlite").exists()
        assert (root / "lake.duckdb").exists()
        assert _files_containing(root, key.encode()) == []
        assert _files_containing(root, service.citizen_id.encode()) == []
    with service.workspace.store().session() as session:
        erasures = session.execute(
            text("SELECT detail FROM audit_log WHERE action = 'erasure'")
        ).scalars()
        assert [key not in str(d) for d in erasures] == [True]


def test_redacted_entries_still_detect_tampering(service: Service) -> None:
    a_full_file(service)
    op = service.auth(service.operator)
    erased = service.client.post(
        "/v1/erasures", headers=op, json={"resident_id": service.citizen_id}
    )
    assert erased.status_code == 200, erased.text
    store = service.workspace.store()

    def problems_after(*statements: str) -> list[dict[str, Any]]:
        with store.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        with store.session() as session:
            return audit.verify(session).problems

    with store.session() as session:
        assert audit.verify(session).ok
        redacted = session.execute(
            text("SELECT seq, action FROM audit_log WHERE erased_at IS NOT NULL ORDER BY seq")
        ).all()
        intact = session.execute(
            text("SELECT max(seq) FROM audit_log WHERE erased_at IS NULL AND action <> 'erasure'")
        ).scalar_one()
    seq, action = redacted[0]

    # a redacted entry's remaining fields are still covered
    altered = problems_after(f"UPDATE audit_log SET action = 'nothing' WHERE seq = {seq}")
    assert {"seq": seq, "problem": "content was altered"} in altered
    problems_after(f"UPDATE audit_log SET action = '{action}' WHERE seq = {seq}")
    assert problems_after() == []

    # its digest too: nulling it does not turn the entry into an unchecked one
    with store.session() as session:
        kept = session.execute(
            text(f"SELECT personal_digest FROM audit_log WHERE seq = {seq}")
        ).scalar_one()
    digest = problems_after(f"UPDATE audit_log SET personal_digest = NULL WHERE seq = {seq}")
    assert {"seq": seq, "problem": "content was altered"} in digest
    assert (
        problems_after(f"UPDATE audit_log SET personal_digest = '{kept}' WHERE seq = {seq}") == []
    )

    # a redaction that no erasure accounts for hides an access: detected
    hidden = problems_after(
        "UPDATE audit_log SET salt = NULL, subject_key = NULL, purpose = NULL, "
        f"detail = NULL, erased_at = '2026-01-01 00:00:00' WHERE seq = {intact}"
    )
    assert any("redacted but erasure entries account for" in p["problem"] for p in hidden)

    # personal data put back into a redacted entry: detected
    back = problems_after(
        f"UPDATE audit_log SET subject_key = 'someone' WHERE seq = {redacted[1][0]}"
    )
    assert {"seq": redacted[1][0], "problem": "marked erased but still holds personal data"} in (
        back
    )

    # and deleting an entry still breaks the chain
    deleted = problems_after(f"DELETE FROM audit_log WHERE seq = {redacted[2][0]}")
    assert {"seq": redacted[2][0] + 1, "problem": f"entry {redacted[2][0]} is missing"} in deleted
