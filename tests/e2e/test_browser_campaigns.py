"""The campaigns screen in a real browser (Debian's chromium) against a real server on a
fake clock with the fake telephony adapter: an admin creates a campaign, uploads a lead
list whose bad rows are listed (line, column, reason) with nothing stored, uploads the
corrected list, starts the campaign, and watches its live figures move without a reload;
a supervisor reads the campaign but gets no buttons to change it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.clock import FakeClock
from callcenter.core.events import AgentLogin
from callcenter.telephony.base import DialStatus
from tests.api.conftest import MONDAY_9AM, password, start
from tests.api.dialing import advance_settled
from tests.e2e.conftest import Site
from tests.serving import serving_app

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change

BAD_LEADS = ("id,number,name,priority\n"
             "a1,+4930555100,Anna,1\n"
             "a2,12,Bob,2\n"
             "a3,+4930555102,Cem,high\n")
GOOD_LEADS = ("id,number,name,priority\n"
              "a1,+4930555100,Anna,1\n"
              "a2,+4930555101,Bob,2\n"
              "a3,+4930555102,Cem,3\n")


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Site, FakeClock]]:
    """The app on a fake clock from Monday 09:00, served on a loopback port."""
    clock = FakeClock(MONDAY_9AM)
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}", clock=clock):
        with harness.portal.wrap_async_context_manager(serving_app(harness.app)) as url:
            yield Site(harness, url), clock


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def _log_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("#login-button")
    page.wait_for_url(site.url + "/wallboard")


def _give_skill(site: Site, agent_id: str, campaign: str) -> None:
    h = site.h
    agent = h.get(f"/api/admin/agents/{agent_id}", headers=h.auth("root")).json()
    agent["skills"].append({"skill": f"campaign:{campaign}", "level": 1})
    del agent["id"]
    assert h.request("PUT", f"/api/admin/agents/{agent_id}", headers=h.auth("root"),
                     json=agent).status_code == 200


def _upload(page: Page, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    page.set_input_files("#lead-file", str(path))
    page.locator("#leads button", has_text="Import").click()


def test_an_admin_creates_uploads_starts_and_watches_the_figures_move(
        clocked: tuple[Site, FakeClock], page: Page, tmp_path: Path) -> None:
    """Create `autumn` on the page (a drop cap of 2 is refused beside its field first); a
    lead CSV with two bad rows lists lines 3 and 4 with their columns and stores nothing;
    the good CSV stores 3 leads; Start with early-1 ready dials, and the Dialed figure goes
    0 -> 1 -> 2 on the open page as the clock moves."""
    site, clock = clocked
    _log_in(page, site, "root")
    page.goto(site.url + "/campaigns")
    expect(page.locator("#campaign-list")).to_contain_text("No campaigns yet.")
    form = page.locator("#new form")
    form.locator('[name="name"]').fill("autumn")
    form.locator('[name="caller_id"]').fill("+4930999000")
    form.locator('[name="default_region"]').fill("DE")
    form.locator('[name="timezone"]').fill("Europe/Berlin")
    cap = form.locator('[name="drop_cap"]')
    cap.fill("2")
    form.locator("button[type=submit]").click()
    expect(cap).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error")).to_have_text("a fraction in (0, 1), got 2.0")
    expect(cap).to_be_focused()
    cap.fill("0.03")
    form.locator("button[type=submit]").click()
    page.wait_for_url(site.url + "/campaigns/autumn")
    expect(page.locator("#campaign-state")).to_have_text("stopped")

    page.locator("details.mapping summary").click()
    page.fill("#lead-id-column", "id")
    page.fill("#lead-priority-column", "priority")
    _upload(page, tmp_path, "bad.csv", BAD_LEADS)
    rows = page.locator("#lead-import-result table.rejected-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        ["3", "number", "not a valid phone number: '12' (default region DE)"])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["4", "priority", "priority: not a whole number: 'high'"])
    expect(page.locator("#lead-import-result .form-error")).to_have_text(
        "2 rows rejected, nothing imported")
    expect(page.locator("#lead-list tbody")).to_have_text("No leads.")

    _upload(page, tmp_path, "good.csv", GOOD_LEADS)
    expect(page.locator("#lead-import-result")).to_have_text(
        "3 rows read, 3 leads stored.")
    expect(page.locator("#lead-list tbody tr")).to_have_count(3)
    expect(page.locator("#lead-list tbody tr").nth(1).locator("td").nth(1)).to_have_text(
        "+4930555101")

    _give_skill(site, "early-1", "autumn")
    site.h.inject(AgentLogin("early-1"))
    page.click("#campaign-start")
    expect(page.locator("#campaign-state")).to_have_text("running")
    dialed = page.locator('#live-figures [data-figure="dialed"]')
    expect(dialed).to_have_text("0")
    expect(page.locator('#live-figures [data-figure="agents"]')).to_have_text("1")

    advance_settled(site.h, clock, 1.5)
    expect(dialed).to_have_text("1")
    expect(page.locator('#live-figures [data-figure="in_flight"]')).to_have_text("1")
    (call_id,) = site.h.telephony.dials
    site.h.telephony.dial_update(call_id, DialStatus.BUSY, clock.time())
    advance_settled(site.h, clock, 1.5)
    expect(dialed).to_have_text("2")

    page.click("#campaign-pause")
    expect(page.locator("#campaign-state")).to_have_text("paused")
    expect(page.locator("#drop-cap")).to_contain_text("Not dialing.")


def test_a_supervisor_reads_a_campaign_without_the_buttons_to_change_it(
        clocked: tuple[Site, FakeClock], page: Page) -> None:
    """The supervisor sees the campaign's state, settings and compliance table, and no
    Start button, settings form or lead upload (admins change campaigns)."""
    site, _ = clocked
    h = site.h
    assert h.post("/api/campaigns", json={"name": "winter", "caller_id": "+4930999000"},
                  headers=h.auth("root")).status_code == 201
    _log_in(page, site, "sup")
    page.goto(site.url + "/campaigns/winter")
    expect(page.locator("#campaign-state")).to_have_text("stopped")
    expect(page.locator("#settings dl.settings")).to_contain_text("+4930999000")
    expect(page.locator('#compliance tr[data-key="attempts"] td')).to_have_text("0")
    expect(page.locator("#campaign-start")).to_have_count(0)
    expect(page.locator("#settings form")).to_have_count(0)
    expect(page.locator("#lead-file")).to_have_count(0)


def test_an_admin_keeps_the_do_not_call_lists(clocked: tuple[Site, FakeClock], page: Page,
                                              tmp_path: Path) -> None:
    """On the list page: a number added to the global list shows; a CSV with a bad row
    lists it and adds nothing; the good CSV adds 1 and counts 1 already listed; Remove
    takes the first number off; a national list imported shows with its 2 numbers."""
    site, _ = clocked
    _log_in(page, site, "root")
    page.goto(site.url + "/campaigns")
    panel = page.locator("#global-dnc")
    panel.locator('[name="number"]').fill("+4930111000")
    panel.locator("button", has_text="Add").click()
    rows = panel.locator("table.dnc-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("+4930111000")

    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text("number\n+4930222000\n030 222\n")
    good.write_text("number\n+4930222000\n+4930111000\n")
    page.set_input_files("#global-dnc-import", str(bad))
    panel.locator("button", has_text="Import").click()
    expect(panel.locator("table.rejected-rows tbody tr td")).to_have_text(
        ["3", "number", "not an E.164 number: '030 222'"])
    expect(rows).to_have_count(1)
    page.set_input_files("#global-dnc-import", str(good))
    panel.locator("button", has_text="Import").click()
    expect(panel.locator(".import-result")).to_have_text(
        "2 rows read: 1 added, 1 already on the list.")
    expect(rows).to_have_count(2)
    panel.get_by_role("button", name="Remove +4930111000").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("+4930222000")

    national = page.locator("#national-dnc")
    national.locator("#national-name").fill("DE-REG")
    page.set_input_files("#national-file", str(good))
    national.locator("button", has_text="Import").click()
    expect(national.locator("table.national tbody tr td")).to_have_text(["DE-REG", "2"])
