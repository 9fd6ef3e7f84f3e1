"""The person's "my certificates" page in a real Chromium: the live preview shows
exactly what the certificate then says, printing shows the service's printable page
with its QR code, revoking shows at once, and both are in "who looked and why"."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from tests.utils.console import Console, ConsoleNation, Server


def _api(server: Server, path: str, key: str) -> Any:
    request = urllib.request.Request(f"{server.url}{path}")
    request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _preview(console: Console) -> dict[str, str]:
    """The preview's lines, once the preview of the latest choice is drawn."""
    console.page.wait_for_selector("#preview[data-state='ready']")
    rows = console.page.locator("#preview tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
        for i in range(rows.count())
    }


def _open(console: Console, nation: ConsoleNation) -> None:
    console.sign_in(nation.citizen)
    with console.page.expect_navigation():
        console.page.click("header nav >> text=My certificates")
    console.ready()
    assert console.page.url.endswith("/console/certificates.html")


def test_issue_with_a_preview_print_and_revoke(
    console: Console, console_nation: ConsoleNation, server: Server
) -> None:
    _open(console, console_nation)
    page = console.page
    # The default: the tier only, not one digit besides the dates.
    shown = _preview(console)
    assert list(shown) == ["Tier", "Score as of", "Valid until"]
    assert not re.search(r"\d", shown["Tier"])

    page.check("input[name=disclose][value=band]")
    page.check("#subscores")
    page.fill("#display-name", "Li Xiaoming")
    page.fill("#days", "31")
    page.wait_for_selector("#preview[data-state='error']")
    assert "1 to 30 days" in page.locator("#preview").inner_text()
    page.fill("#days", "14")
    shown = _preview(console)
    assert shown["Name"] == "Li Xiaoming"
    assert re.fullmatch(r"\d{3}–\d{3} \(on a scale of 350–950\)", shown["Score band"])

    page.click("#issue button[type=submit]")
    page.wait_for_selector("#notice:not(:empty)")
    console.ready()
    (issued,) = _api(server, "/v1/me/certificates", console_nation.citizen)["certificates"]
    claims = issued["claims"]
    band = claims["scoreBand"]
    assert shown["Score band"].startswith(f"{band['min']}–{band['max']}")
    assert claims["name"] == "Li Xiaoming"
    assert len(claims["subscores"]) >= 3
    # Name, tier, band, one line per subscore, date and validity: as issued.
    assert len(shown) == 5 + len(claims["subscores"])
    assert "score" not in claims
    rows = page.locator("#mine-title ~ div tbody tr")
    assert rows.count() == 1
    assert "active" in rows.first.inner_text()

    page.click(f"[data-certificate='{issued['id']}'] button.print")
    frame = page.frame_locator("#printable-frame")
    assert frame.locator("h1").inner_text() == "Credit certificate"
    assert frame.locator("svg.qr").count() == 1
    assert "Li Xiaoming" in frame.locator("body").inner_text()
    console.screenshot("certificates")

    page.click(f"[data-certificate='{issued['id']}'] button.revoke")
    page.click(f"form.revoke[data-certificate='{issued['id']}'] button[type=submit]")
    page.wait_for_selector("#mine-title ~ div tbody tr .badge.revoked")
    console.ready()
    assert "revoked" in page.locator("#notice").inner_text()
    assert page.locator("button.revoke").count() == 0
    listing = _api(server, "/v1/me/certificates", console_nation.citizen)["certificates"]
    assert listing[0]["state"] == "revoked"

    # Both are in "who looked at this file and why".
    console.open("report.html")
    accesses = page.locator("#accesses-title ~ div").inner_text()
    assert "certificate issued" in accesses
    assert "certificate revoked" in accesses
    console.assert_clean()


def test_in_chinese_and_at_phone_width(phone: Console, console_nation: ConsoleNation) -> None:
    _open(phone, console_nation)
    page = phone.page
    page.click("#lang-switch")
    assert page.locator("#title").inner_text() == "我的信用证明"
    shown = _preview(phone)
    assert list(shown) == ["信用等级", "评分日期", "有效期至"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375 px"
    phone.screenshot("phone-certificates")
    page.click("#lang-switch")
    phone.assert_clean()
