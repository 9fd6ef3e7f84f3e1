"""Cash flow through the service: the person grants the bank a consent to share it (at
most 365 days), the bank's batch is accepted for them and rejected row by row for
someone who did not consent, the months count, and revoking takes them out of the
published score at once."""

from __future__ import annotations

import csv
import datetime as dt
import io

from socialcredit.features import DIMENSIONS, features_sql
from socialcredit.identity import parse
from socialcredit.scorecard import default_spec, evaluate
from socialcredit.scoring.runs import score_population
from tests.utils.flows import BANK, PURPOSE, flow, months
from tests.utils.records import resident
from tests.utils.service import Service


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_shared_months_count_until_the_person_revokes(service: Service) -> None:
    me, bank = service.auth(service.citizen), service.auth(service.bank)
    ops = service.auth(service.operator)
    too_long = {"partner_id": BANK, "purpose": PURPOSE, "days": 366}
    refused = service.client.post("/v1/me/consents", headers=me, json=too_long)
    assert refused.status_code == 422
    assert "365" in refused.json()["error"]["message"]
    granted = service.client.post("/v1/me/consents", headers=me, json=too_long | {"days": 365})
    assert granted.status_code == 201, granted.text
    assert granted.json()["purpose"] == PURPOSE

    # Five months with an overdraft in each, for the person and for someone who did not
    # consent: the person's are stored, the other's rejected one by one.
    stranger = resident(321, region="110101", birth="19900101")
    rows = [
        flow(
            f"api-{who[-4:]}-{i}",
            who,
            month,
            account_ref="api-current",
            overdraft_events="3",
            min_balance="-500.00",
        )
        for who in (service.citizen_id, stranger)
        for i, month in enumerate(months(dt.date(2026, 1, 1), 5))
    ]
    sent = service.client.post(
        "/v1/records/account_flow",
        headers=bank | {"Idempotency-Key": "flows-1", "Content-Type": "text/csv"},
        content=_csv(rows),
    )
    assert sent.status_code == 200, sent.text
    batch = sent.json()
    assert (batch["accepted"], batch["rejected"]) == (5, 5)
    assert {(r["field"], r["rule"]) for r in batch["rejected_rows"]} == {
        ("resident_id", "consent_required")
    }

    lake, keyer = service.workspace.engine(), service.workspace.keyer()
    run = score_population(lake, default_spec())
    assert (
        service.client.post(
            "/v1/scores/publish", headers=ops, json={"run_id": run.run_id}
        ).status_code
        == 200
    )
    report = service.client.get("/v1/me/report", headers=me).json()
    assert set(report["subscores"]) == set(default_spec().dimensions)
    assert report["features"]["cf_overdrafts_3m"] is not None
    assert {r["record_id"] for r in report["records"]["account_flow"]} >= {
        f"api-{service.citizen_id[-4:]}-{i}" for i in range(5)
    }
    key = keyer.key(parse(service.citizen_id).number)
    values = lake.query("features", features_sql(dt.date.fromisoformat(run.as_of), key))
    without = default_spec().model_copy(
        update={
            "dimensions": tuple(d for d in default_spec().dimensions if d != "cash_flow"),
            "features": tuple(f for f in default_spec().features if f.dimension != "cash_flow"),
        }
    )
    off = evaluate(without, values.to_pylist()[0]).score
    assert report["score"] != off, "control: the months shared moved the score"

    # The person stops sharing with the bank: every such consent of theirs is revoked
    # (the one granted here, and one they may hold from the nation's simulation).
    mine = service.client.get("/v1/me/consents", headers=me).json()["consents"]
    sharing = [c["consent_id"] for c in mine if c["purpose"] == PURPOSE]
    assert granted.json()["consent_id"] in sharing
    for consent_id in sharing:
        revoked = service.client.delete(f"/v1/me/consents/{consent_id}", headers=me)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
    after = service.client.get("/v1/me/report", headers=me).json()
    assert after["score"] == off  # at once, as if the dimension were off
    assert all(after["features"][f.name] is None for f in DIMENSIONS["cash_flow"].features)
    assert not [r for r in after["reasons"] if r["feature"].startswith("cf_")]
    assert after["records"]["account_flow"], "on file, shown, until erased"
    consents = service.client.get("/v1/me/consents", headers=me).json()["consents"]
    assert all(c["revoked_at"] is not None for c in consents if c["purpose"] == PURPOSE)

    # A batch sent after the revocation is refused for the person.
    late = service.client.post(
        "/v1/records/account_flow",
        headers=bank | {"Idempotency-Key": "flows-2", "Content-Type": "text/csv"},
        content=_csv([flow("api-late", service.citizen_id, dt.date(2026, 5, 1))]),
    )
    assert (late.json()["accepted"], late.json()["rejected"]) == (0, 1)
