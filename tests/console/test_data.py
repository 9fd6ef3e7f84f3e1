"""The console's JSON endpoints without a browser: who may read them, the audit of
an operator's read, and figures that agree with the lake."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from socialcredit.console.runcache import RunCache
from tests.utils.console import ConsoleNation, Server


def _call(server: Server, path: str, key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{server.url}{path}")
    request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    "path",
    [
        "/v1/operator/population",
        "/v1/operator/scorecard",
        "/v1/operator/disputes",
        "/v1/operator/people/x/report?purpose=dispute_review",
    ],
)
@pytest.mark.parametrize("who", ["partner", "citizen"])
def test_operator_endpoints_refuse_other_keys(
    server: Server, console_nation: ConsoleNation, path: str, who: str
) -> None:
    status, body = _call(server, path, getattr(console_nation, who))
    assert status == 403
    assert "scope" in body["error"]["message"]


def test_an_operator_read_needs_a_purpose_and_the_person_sees_it(
    server: Server, console_nation: ConsoleNation
) -> None:
    base = f"/v1/operator/people/{console_nation.citizen_key}/report"
    status, body = _call(server, base, console_nation.operator)
    assert status == 400
    assert "dispute_review" in body["error"]["message"]
    status, body = _call(server, f"{base}?purpose=snooping", console_nation.operator)
    assert status == 400
    status, body = _call(server, f"{base}?purpose=complaint_handling", console_nation.operator)
    assert status == 200
    own = _call(server, "/v1/me/report", console_nation.citizen)[1]
    assert own["score"] == body["score"]
    reads = [(a["by"], a["action"], a["purpose"]) for a in own["accesses"]]
    assert ("operator", "operator_access", "complaint_handling") in reads
    missing = _call(server, "/v1/operator/people/nobody/report?purpose=dispute_review", "x")
    assert missing[0] == 401


def test_population_agrees_with_the_lake(server: Server, console_nation: ConsoleNation) -> None:
    figures = _call(server, "/v1/operator/population", console_nation.operator)[1]
    lake = server.app.state.service.lake
    run = figures["run"]["run_id"]
    by_tier = {
        r["tier"]: r["n"]
        for r in lake.query(
            "check",
            "SELECT tier, count(*) AS n FROM score_history WHERE run_id = ? GROUP BY 1",
            [run],
        ).to_pylist()
    }
    assert {t["tier"]: t["count"] for t in figures["tiers"] if t["count"]} == by_tier
    # The published run is shown, not the challenger scored on the same day.
    assert not figures["run"]["scorecard_version"].endswith("-challenger")
    drops = figures["biggest_drops"]
    assert drops == sorted(drops, key=lambda d: d["change"])
    assert all(d["score"] - d["previous_score"] == d["change"] < 0 for d in drops)
    accepted = lake.scalar("check", "SELECT sum(accepted) FROM batches")
    assert sum(p["accepted"] for p in figures["ingestion"]) == accepted


def test_run_cache_recomputes_after_an_erasure(server: Server) -> None:
    lake = server.app.state.service.lake
    cache = RunCache(size=2)
    calls: list[int] = []
    assert cache.get(lake, ("a",), lambda: calls.append(1) or len(calls)) == 1
    assert cache.get(lake, ("a",), lambda: calls.append(1) or len(calls)) == 1
    lake.execute("erasure", "INSERT INTO erasures VALUES ('e1', now()::TIMESTAMP, 'test', 0)")
    assert cache.get(lake, ("a",), lambda: calls.append(1) or len(calls)) == 2
    cache.get(lake, ("b",), lambda: 0)
    cache.get(lake, ("c",), lambda: 0)  # the oldest entry goes
    assert cache.get(lake, ("a",), lambda: calls.append(1) or len(calls)) == 3
