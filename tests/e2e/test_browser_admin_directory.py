"""The administration's customer directory and IVR flow editor in chromium: what the
server rejects is shown where the admin works (the CSV rows by line, the flow's line);
under sip telephony a stored flow runs at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.ivr import CallEntered
from callcenter.flows import parse_flows
from tests.api.conftest import password, start
from tests.api.test_admin_ivr import FLOWS, OTHER, TELEPHONY
from tests.e2e.conftest import Site
from tests.serving import serving_app

TIMEOUT = 15_000


def _admin_page(chromium: Browser, site: Site) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(site.url + "/")
    page.fill("#username", "root")
    page.fill("#password", password("root"))
    page.click("#login-button")
    page.wait_for_url(lambda url: url != site.url + "/")
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def admin(chromium: Browser, site: Site) -> Iterator[Page]:
    """The admin, logged in, in a fresh browser context at 1366x768."""
    yield from _admin_page(chromium, site)


@pytest.fixture
def sip_site(tmp_path: Path) -> Iterator[Site]:
    """An app whose settings name a sip telephony config and its flow file (the calls
    still the fake telephony's), served on a loopback port."""
    (tmp_path / "entry.yaml").write_text(FLOWS, encoding="utf-8")
    config = tmp_path / "telephony.yaml"
    config.write_text(TELEPHONY, encoding="utf-8")
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}",
                         settings={"sip": "127.0.0.1:5999", "telephony_config": str(config)},
                         ivr_flows=parse_flows(FLOWS)):
        with harness.portal.wrap_async_context_manager(serving_app(harness.app)) as url:
            yield Site(harness, url)


def test_a_csv_with_bad_rows_lists_them_and_a_good_one_is_searchable(
        site: Site, admin: Page, tmp_path: Path) -> None:
    """Rows 3 and 4 of a CSV are rejected by line with their column named, nothing is
    stored; the corrected file stores both customers, found by a number search."""
    bad = tmp_path / "bad.csv"
    bad.write_text("name,number,account\nAda Lovelace,+49 30 1234567,K-1\n"
                   "Bob,not a number,K-2\nCy,+49 30 7654321,K-1\n", encoding="utf-8")
    admin.goto(site.url + "/admin/customers")
    expect(admin.locator("#customer-range")).to_have_text("0 customers")
    admin.set_input_files('#customer-import input[name="file"]', str(bad))
    admin.locator("#customer-import").get_by_role("button", name="Import").click()
    rows = admin.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(0).locator("td").nth(1)).to_contain_text("number:")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("4")
    expect(rows.nth(1).locator("td").nth(1)).to_contain_text("account: 'K-1' is already on line 2")
    expect(admin.locator("#customer-range")).to_have_text("0 customers")

    good = tmp_path / "good.csv"
    good.write_text("name,number,account\nAda Lovelace,+49 30 1234567,K-1\n"
                    "Bob,+49 30 7654321,K-2\n", encoding="utf-8")
    admin.set_input_files('#customer-import input[name="file"]', str(good))
    admin.locator("#customer-import").get_by_role("button", name="Import").click()
    expect(admin.locator("#import-report")).to_have_text("Imported 2 customers from 2 rows.")
    expect(admin.locator("#customer-range")).to_have_text("1–2 of 2")

    admin.fill('#customer-search input[name="number"]', "+49 30 7654321")
    admin.locator("#customer-search").get_by_role("button", name="Search").click()
    expect(admin.locator("#customer-list tbody tr")).to_have_count(1)
    expect(admin.locator("#customer-list tbody th")).to_have_text("Bob")


def test_a_flow_sending_calls_to_an_unknown_queue_is_named_by_its_line(
        site: Site, admin: Page) -> None:
    """The check names line 6 (the queue key) and selects it; the fixed text is valid;
    simulated telephony lists no numbers."""
    admin.goto(site.url + "/admin/ivr")
    expect(admin.locator("#telephony-none")).to_contain_text("no telephony numbers or trunks")
    text = ("flows:\n  main:\n    start: q\n    nodes:\n      q:\n"
            "        queue: nowhere\n")
    admin.fill("#ivr-text", text)
    admin.click("#ivr-check")
    result = admin.locator("#ivr-result")
    expect(result).to_contain_text("Line 6: flows.yaml:6: flows.main.nodes.q.queue: "
                                   "no queue 'nowhere'")
    expect(admin.locator("#ivr-text")).to_be_focused()
    expect(admin.locator("#ivr-text")).to_have_attribute("aria-invalid", "true")
    selected = admin.locator("#ivr-text").evaluate(
        "a => a.value.slice(a.selectionStart, a.selectionEnd)")
    assert selected == "        queue: nowhere"

    admin.fill("#ivr-text", text.replace("nowhere", "hotline"))
    admin.click("#ivr-check")
    expect(result).to_have_text("Valid: 1 flow (main).")


def test_under_sip_a_saved_flow_runs_for_the_next_call(
        chromium: Browser, sip_site: Site, tmp_path: Path) -> None:
    """The page shows the flow file and the numbers; the text with a second flow is saved
    and run: the file holds it and a call entering the new flow reaches its queue."""
    for admin in _admin_page(chromium, sip_site):
        admin.goto(sip_site.url + "/admin/ivr")
        expect(admin.locator("#ivr-text")).to_have_value(FLOWS)
        expect(admin.locator("#telephony-numbers tbody tr")).to_have_count(2)
        expect(admin.locator("#telephony-numbers tbody tr").first).to_have_text("4940112233main")
        admin.fill("#ivr-text", OTHER)
        admin.click("#ivr-save")
        expect(admin.locator("#ivr-result")).to_have_text(
            "Stored in entry.yaml: new calls start in 2 flows (main, other); calls already "
            "in a flow go on in theirs.")
    assert (tmp_path / "entry.yaml").read_text(encoding="utf-8") == OTHER
    sip_site.h.inject(CallEntered("ivr-9", "other"))
    assert sip_site.h.server.runtime.engine.interaction_state("ivr-9") is not None
