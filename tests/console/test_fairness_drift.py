"""The dashboard flags the scorecard people are scored by when, on a new run, a group's
approval rate falls significantly below four fifths of the best-treated group's."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from socialcredit.scorecard.tiers import tier_sql
from tests.utils.console import Console, ConsoleNation, Server

#: points the new run takes from every man (a population change the scorecard amplifies)
DRIFT = 80


def _population(server: Server, key: str) -> dict[str, Any]:
    request = urllib.request.Request(f"{server.url}/v1/operator/population")
    request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        found: dict[str, Any] = json.loads(answer.read())
        return found


def _new_run_with_men_scored_lower(server: Server, published: str) -> None:
    """A run of the published scorecard a day later, everyone as before except men."""
    state = server.app.state.service
    score = (
        f"CASE WHEN subject_key IN (SELECT subject_key FROM subjects WHERE sex = 'M') "
        f"THEN greatest(350, score - {DRIFT}) ELSE score END"
    )
    with state.lake_lock:
        lake = state.lake
        lake.execute(
            "drifted rows",
            f"INSERT INTO score_rows SELECT * REPLACE ('drifted' AS run_id, "
            "CAST(as_of + INTERVAL 1 DAY AS DATE) AS as_of, "
            f"{score} AS score, {tier_sql(score)} AS tier) FROM score_history WHERE run_id = ?",
            [published],
        )
        lake.execute(
            "drifted run",
            "INSERT INTO score_runs SELECT * REPLACE ('drifted' AS run_id, "
            "CAST(as_of + INTERVAL 1 DAY AS DATE) AS as_of, "
            "created_at + INTERVAL 1 DAY AS created_at) FROM score_runs WHERE run_id = ?",
            [published],
        )


def test_a_scorecard_that_stops_passing_is_flagged(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    console.sign_in(console_nation.operator)
    before = _population(server, console_nation.operator)
    fairness = before["fairness"]
    published = before["run"]["run_id"]
    assert fairness["scorecard_version"] == before["run"]["scorecard_version"]
    assert fairness["run_id"] == published
    assert fairness["cutoffs"] == [550, 600, 620, 650, 700]
    assert not fairness["flagged"]
    assert fairness["previous_run"] is not None, "the console nation has an earlier run"
    card = console.page.locator("#fairness")
    assert card.get_attribute("class") == "card wide"
    assert "passes on its newest run" in card.inner_text()

    _new_run_with_men_scored_lower(server, published)
    after = _population(server, console_nation.operator)
    assert after["run"]["run_id"] == published, "people still see the published run"
    drift = after["fairness"]
    assert drift["run_id"] == "drifted"
    assert drift["flagged"]
    assert drift["new"]
    assert (drift["lowest"]["attribute"], drift["lowest"]["group"]) == ("sex", "M")
    assert drift["lowest"]["significant"]
    assert drift["lowest"]["ratio"] < drift["threshold"]
    assert drift["previous_run"] == published
    assert drift["previous_flagged"] is False

    console.open("dashboard.html")
    card = console.page.locator("#fairness")
    assert card.get_attribute("class") == "card wide flagged"
    assert card.get_attribute("role") == "alert"
    text = card.inner_text()
    assert f"{drift['scorecard_version']} no longer passes" in text
    assert f"for sex M at {drift['lowest']['cutoff']}" in text
    assert "It passed on the run before" in text
    console.screenshot("dashboard-fairness-flagged")
    console.page.click("#lang-switch")
    console.ready()
    assert "不再符合规则" in console.page.locator("#fairness").inner_text()
    console.assert_clean()
