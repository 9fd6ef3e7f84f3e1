"""Every console page in a real Chromium: it loads, shows the data the API holds,
switches language, and logs no error and fails no request on the way."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

import pytest

from tests.utils.console import Console, ConsoleNation, Server


def _get(url: str, key: str | None = None) -> bytes:
    request = urllib.request.Request(url)
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        body: bytes = answer.read()
        return body


def _json(server: Server, path: str, key: str) -> dict[str, Any]:
    """What the API itself says (checked against what the page shows)."""
    result: dict[str, Any] = json.loads(_get(f"{server.url}{path}", key))
    return result


def test_dashboard_shows_the_population(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    console.sign_in(console_nation.operator)
    assert console.page.url.endswith("/console/dashboard.html")
    population = _json(server, "/v1/operator/population", console_nation.operator)
    assert population["run"]["subjects"] == sum(t["count"] for t in population["tiers"])
    assert sum(b["count"] for b in population["histogram"]) == population["run"]["subjects"]
    assert population["previous_run"]["as_of"] < population["run"]["as_of"]
    page = console.page
    # The tier table shows the API's counts and changes.
    rows = page.locator("#tiers-title + div tbody tr")
    assert rows.count() == 5
    first = population["tiers"][0]
    assert rows.nth(0).locator("td").nth(2).inner_text() == f"{first['count']:,}"
    # Every chart drew into a canvas.
    for chart in ("chart-histogram", "chart-regions"):
        assert page.locator(f"#{chart} canvas").count() == 1
    regions = population["regions"]
    assert regions == sorted(regions, key=lambda r: -r["mean_score"])
    assert all(r["people"] >= population["min_group"] for r in regions)
    top_reason = population["reasons"][0]
    assert top_reason["en"] in page.locator("#reasons-title + div").inner_text()
    partners = page.locator("#ingestion-title + div tbody tr")
    assert partners.count() == len(population["ingestion"])
    console.screenshot("dashboard")
    console.assert_clean()


def test_follow_a_person_from_the_dashboard_to_their_report(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    console.sign_in(console_nation.operator)
    link = console.page.locator("#drops-title + div a").first
    subject = link.get_attribute("title")
    assert subject
    with console.page.expect_navigation():
        link.click()
    console.ready()
    page = console.page
    assert f"subject={subject}" in page.url
    report = page.locator("#score-value").inner_text()
    published = _json(
        server,
        f"/v1/operator/people/{subject}/report?purpose=data_quality_review",
        console_nation.operator,
    )
    assert report == f"{published['score']:,}"
    for chart in ("chart-gauge", "chart-radar", "chart-history"):
        assert page.locator(f"#{chart} canvas").count() == 1
    # the radar has an axis per dimension the person is scored on: all five
    axes = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-radar'))"
        ".getOption().radar[0].indicator.map((i) => i.name)"
    )
    assert len(axes) == len(published["subscores"]) == 5
    assert axes[3:] == [published["dimension_names"][d]["en"] for d in ("cash_flow", "guarantees")]
    assert page.locator("#reasons-title ~ .reason").count() == len(published["reasons"])
    # The operator's own read is in the file, with its purpose; operators cannot file disputes.
    accesses = page.locator("#accesses-title + div").inner_text()
    assert "Data quality review" in accesses
    assert page.locator("button.dispute").count() == 0
    console.screenshot("report-operator")
    console.assert_clean()


def test_an_operator_must_say_why_before_the_file_opens(
    console: Console, console_nation: ConsoleNation
) -> None:
    console.sign_in(console_nation.operator)
    console.open(f"report.html?subject={console_nation.citizen_key}")
    page = console.page
    assert page.locator("#score-value").count() == 0  # nothing read yet
    page.select_option("#purpose", "complaint_handling")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    console.ready()
    assert page.locator("#score-value").count() == 1
    assert "Handling a complaint" in page.locator("#accesses-title + div").inner_text()
    console.assert_clean()


def test_file_a_dispute_and_see_it_in_both_queues(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    console.sign_in(console_nation.citizen)
    page = console.page
    assert page.url.endswith("/console/report.html")
    console.screenshot("report-citizen")
    before = _json(server, "/v1/me/report", console_nation.citizen)
    record = next(
        r for r in before["records"]["payment"] if r["partner_id"] == console_nation.partner_id
    )
    button = page.locator(f"button.dispute[data-record='{record['record_id']}']")
    button.click()
    page.fill("form[data-record] textarea", "I paid this bill on time.")
    page.click("form[data-record] button[type=submit]")
    page.wait_for_selector("#notice:not(:empty)")
    assert "filed" in page.locator("#notice").inner_text()
    page.wait_for_selector(f"#my-disputes-title + div >> text={record['record_id']}")
    assert page.locator(f"button.dispute[data-record='{record['record_id']}']").count() == 0
    # A language switch redraws what is on screen now, not what the page first loaded.
    page.click("#lang-switch")
    assert record["record_id"] in page.locator("#my-disputes-title + div").inner_text()
    assert "处理中" in page.locator("#my-disputes-title + div").inner_text()
    page.click("#lang-switch")
    console.assert_clean()

    # The operator's queue shows it, linked to the person's report.
    console.sign_out()
    console.sign_in(console_nation.operator)
    console.open("disputes.html")
    queue = page.locator("tbody tr")
    assert queue.count() == 1
    assert record["record_id"] in queue.inner_text()
    assert (
        queue.locator("a").get_attribute("href")
        == f"report.html?subject={console_nation.citizen_key}&purpose=dispute_review"
    )
    console.screenshot("disputes-operator")
    # The dashboard counts it as open.
    console.open("dashboard.html")
    assert "1 open, 0 overdue" in page.locator("#disputes-title + p").inner_text()
    assert page.locator("#chart-disputes canvas").count() == 1

    # The partner answers it; it leaves the open queue and the record stands.
    console.sign_out()
    console.sign_in(console_nation.partner)
    assert page.url.endswith("/console/disputes.html")
    row = page.locator("tbody tr")
    assert row.count() == 1
    console.screenshot("disputes-partner")
    row.locator("select").select_option("confirm")
    row.locator("input[name=note]").fill("Paid 40 days late; statement attached.")
    row.locator("button").click()
    page.wait_for_selector("#notice:not(:empty)")
    assert "confirmed" in page.locator("#notice").inner_text()
    page.wait_for_selector("#content >> text=None.")
    after = _json(server, "/v1/me/report", console_nation.citizen)
    assert after["disputes"][0]["status"] == "confirmed"
    console.assert_clean()


def test_scorecard_and_its_challenger(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    console.sign_in(console_nation.operator)
    console.open("scorecard.html")
    card = _json(server, "/v1/operator/scorecard", console_nation.operator)
    page = console.page
    rows = page.locator("#scorecard-table tbody tr")
    assert rows.count() == sum(len(f["bins"]) for f in card["features"])
    comparison = card["comparison"]
    assert comparison["challenger"].endswith("-challenger")
    assert comparison["n"] == card["comparison"]["n"] > 0
    moved = comparison["moved_up"] + comparison["moved_down"] + comparison["unchanged_tier"]
    assert moved == comparison["n"]
    assert comparison["mean_score_change"] > 0  # every bin of the challenger is worth more
    shown = page.locator("#comparison").inner_text()
    assert comparison["challenger"] in shown
    console.screenshot("scorecard")
    console.assert_clean()


@pytest.mark.parametrize(
    ("page_name", "key_of", "chinese"),
    [
        ("dashboard.html", "operator", "人群概览"),
        ("report.html", "citizen", "信用报告"),
        ("disputes.html", "operator", "异议队列"),
        ("disputes.html", "partner", "异议队列"),
        ("scorecard.html", "operator", "评分卡"),
    ],
)
def test_language_switch_on_every_page(
    console: Console, console_nation: ConsoleNation, page_name: str, key_of: str, chinese: str
) -> None:
    console.sign_in(getattr(console_nation, key_of))
    console.open(page_name)
    page = console.page
    assert page.locator("html").get_attribute("lang") == "en"
    english = page.locator("#title").inner_text()
    page.click("#lang-switch")
    assert page.locator("#title").inner_text() == chinese != english
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "English" in page.locator("#lang-switch").inner_text()
    # The choice is remembered on the next page load.
    console.open(page_name)
    assert page.locator("#title").inner_text() == chinese
    if page_name == "dashboard.html":
        assert "较上次评分的变化" in page.locator("#tiers-title + div").inner_text()
        console.screenshot("dashboard-zh")
    page.click("#lang-switch")
    assert page.locator("#title").inner_text() == english
    console.assert_clean()


def test_keyboard_only_sign_in_and_navigation(
    console: Console, console_nation: ConsoleNation
) -> None:
    console.open("")
    page = console.page
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the language switch, to the key field
    assert page.evaluate("document.activeElement.id") == "key"
    page.keyboard.type(console_nation.operator)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    console.ready()
    # Tab to the "Disputes" link and follow it with Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Disputes":
            break
    else:
        pytest.fail("the Disputes link cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    console.ready()
    assert page.url.endswith("/console/disputes.html")
    console.assert_clean()


@pytest.mark.parametrize(
    ("page_name", "key_of"),
    [("dashboard.html", "operator"), ("report.html", "citizen"), ("disputes.html", "partner")],
)
def test_readable_at_phone_width(
    phone: Console, console_nation: ConsoleNation, page_name: str, key_of: str
) -> None:
    phone.sign_in(getattr(console_nation, key_of))
    phone.open(page_name)
    page = phone.page
    # Nothing wider than the screen except inside the scrolling table boxes.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page_name} is {width} px wide at 375 px"
    phone.screenshot(f"phone-{page_name.removesuffix('.html')}")
    phone.assert_clean()


def test_signed_out_pages_go_to_sign_in(console: Console) -> None:
    console.page.goto(f"{console.base}/console/dashboard.html")
    console.page.wait_for_url("**/console/index.html")
    assert console.page.locator("#key").count() == 1
    console.assert_clean()


def test_every_asset_is_served_from_the_package(console: Console, server: Server) -> None:
    requested: list[str] = []
    console.page.on("request", lambda r: requested.append(r.url))
    console.page.goto(f"{console.base}/console/report.html")
    console.page.wait_for_url("**/console/index.html")
    assert any(url.endswith("/console/vendor/echarts.min.js") for url in requested)
    assert all(url.startswith(server.url) for url in requested)
    assert len(_get(f"{server.url}/console/vendor/echarts.min.js")) > 500_000
    console.assert_clean()


def test_overdue_disputes_are_highlighted_and_expired_by_the_operator(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    from sqlalchemy import select

    from socialcredit.store.models import Dispute

    console.sign_in(console_nation.citizen)
    record = console.page.locator("button.dispute").first.get_attribute("data-record")
    console.page.locator("button.dispute").first.click()
    console.page.fill("form[data-record] textarea", "Not mine.")
    console.page.click("form[data-record] button[type=submit]")
    console.page.wait_for_selector("#notice:not(:empty)")
    console.ready()  # the report is read again after the dispute
    store = server.app.state.store
    with store.session() as session, session.begin():  # the partner let the deadline pass
        for dispute in session.execute(select(Dispute)).scalars():
            dispute.deadline = dispute.opened_at - dt.timedelta(days=1)
    console.sign_out()
    console.sign_in(console_nation.operator)
    console.open("disputes.html")
    page = console.page
    row = page.locator("tbody tr")
    assert row.get_attribute("class") == "overdue"
    assert "Overdue" in row.inner_text()
    assert record is not None
    assert record in row.inner_text()
    page.click("#expire")
    page.wait_for_selector("#notice:not(:empty)")
    assert "1 overdue disputes resolved" in page.locator("#notice").inner_text()
    page.wait_for_selector("#content >> text=None.")
    own = _json(server, "/v1/me/report", console_nation.citizen)
    assert own["disputes"][0]["status"] == "upheld_by_default"
    console.assert_clean()
