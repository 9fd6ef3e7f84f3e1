"""The console's score range and tier table come from the scorecard package."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialcredit.console import mount_console
from socialcredit.scorecard import MAX_SCORE, MIN_SCORE, TIERS


def test_the_pages_get_the_range_and_tiers_the_scores_use() -> None:
    app = FastAPI()
    mount_console(app)
    with TestClient(app) as client:
        answer = client.get("/console/js/scale.js")
        page = client.get("/console/js/report.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    consts = dict(re.findall(r"export const (\w+) = (.+);", answer.text))
    assert int(consts["MIN_SCORE"]) == MIN_SCORE
    assert int(consts["MAX_SCORE"]) == MAX_SCORE
    assert json.loads(consts["TIERS"]) == [
        {"id": t.id, "low": t.low, "high": t.high} for t in TIERS
    ]
    # the static files are still served next to it
    assert page.status_code == 200
    assert 'from "./scale.js"' in page.text
