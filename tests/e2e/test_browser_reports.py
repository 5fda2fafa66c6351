"""The reports screen in a real browser (Debian's chromium) against a real server: a
supervisor filters the agent report to one agent, drills down from its handled count
to the interactions behind it, exports that list as CSV (the downloaded rows are the
API's), and opens one interaction's detail with its timeline; the satisfaction section
shows CSAT per queue with its chart."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.csat import SurveyResult
from callcenter.core.events import CallerHungUp, InteractionArrived
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.csat import record_surveys
from callcenter.store.history import record_interaction, record_span
from callcenter.store.models import InteractionRow
from tests.api.conftest import MONDAY_9AM, password
from tests.e2e.conftest import Site

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change
T0 = MONDAY_9AM - 86_400  # the Sunday before: the running engine writes nothing then
RANGE = {"since": datetime.fromtimestamp(T0, UTC).isoformat(),
         "until": datetime.fromtimestamp(T0 + 3600, UTC).isoformat()}


def _call(iid: str, agent: str | None, arrived: float, answered: float | None,
          disposition: str = "") -> InteractionRecord:
    """A hotline call (seconds after T0): answered ones talk 120 s and wrap up 10 s,
    the unanswered one is abandoned after 30 s."""
    ended = arrived + 30 if answered is None else answered + 120
    return InteractionRecord(
        iid, "voice", "hotline", "hotline", 0, T0 + arrived,
        None if answered is None else T0 + answered, T0 + ended,
        T0 + ended + (0 if answered is None else 10),
        "abandoned" if answered is None else "completed", agent_id=agent,
        offers=0 if agent is None else 1,
        first_offered_at=None if agent is None else T0 + arrived, disposition=disposition,
        talk_seconds=0 if answered is None else 120, wrap_seconds=0 if answered is None else 10,
        caller_number=f"+49301110{iid[-1]}")


CALLS = [_call("hot-1", "early-1", 60, 70, "sale"), _call("hot-2", "early-2", 300, 305),
         _call("hot-3", None, 400, None), _call("hot-4", "early-1", 900, 904)]
SPANS = [("available", 0, 60, ""), ("reserved", 60, 70, ""), ("busy", 70, 190, ""),
         ("wrap_up", 190, 200, ""), ("paused", 200, 500, "lunch")]


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, at a laptop's size, downloads on."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   accept_downloads=True)
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
    page.wait_for_url(site.url + "/wallboard")  # where staff land


def _same(cell: str, value: Any) -> bool:
    """A CSV cell written by the page is the API's value (numbers compared as numbers)."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == str(value).lower()
    if isinstance(value, int | float):
        return float(cell) == float(value)
    return cell == str(value)


def test_a_filtered_report_drills_down_exports_and_opens_an_interaction(
        site: Site, page: Page, tmp_path: Path) -> None:
    """Filtered to early-1, the agent report shows its 2 handled calls and 2:00 of talk;
    the count opens the list of those 2 calls, whose CSV holds the API's rows; hot-1's
    detail shows its answer by early-1, its disposition, notes and timeline."""
    with site.h.server.sessions.begin() as session:
        for record in CALLS:
            record_interaction(session, record)
        row = session.get(InteractionRow, "hot-1")
        assert row is not None
        row.notes = "Wants the offer by e-mail"  # the agent's wrap-up notes
        for state, start, end, reason in SPANS:
            record_span(session, AgentSpan("early-1", state, T0 + start, T0 + end, reason))
        record_span(session, AgentSpan("early-2", "busy", T0 + 305, T0 + 425))
    _log_in(page, site, "sup")
    page.goto(site.url + f"/reports/agents?{urlencode(RANGE)}")
    handled = page.get_by_role("table", name="Handled interactions and AHT per agent")
    expect(handled.locator("tbody tr")).to_have_count(2)  # early-1 and early-2
    page.get_by_label("Agent", exact=True).select_option("early-1")
    page.get_by_role("button", name="Show").click()
    expect(handled.locator("tbody tr")).to_have_count(1)
    expect(handled.locator("tbody tr")).to_contain_text("early-1")
    states = page.get_by_role("table", name="Time by state (h:mm:ss)").locator("tbody td")
    # logged in 0-500 s: 8:20; ready 1:00; ringing 0:10; talk 2:00; hold 0; wrap 0:10; paused 5:00
    expect(states).to_have_text(["early-1", "8:20", "1:00", "0:10", "2:00", "0:00", "0:10",
                                 "5:00"])
    expect(page.get_by_role("table", name="Paused time by reason (h:mm:ss)")).to_contain_text(
        "lunch")

    handled.get_by_role("link", name="2 handled by early-1: list them").click()
    page.wait_for_url("**/reports/interactions?**")
    rows = page.get_by_role("table", name="Interactions, newest first").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("hot-4")  # newest arrival first
    expect(rows.nth(1)).to_contain_text("hot-1")

    with page.expect_download() as info:
        page.get_by_role("button", name="Export interactions CSV").click()
    path = tmp_path / "interactions.csv"
    info.value.save_as(path)
    with path.open(newline="") as f:
            header, *lines = list(csv.reader(f))
    r = site.h.get("/api/interactions", headers=site.h.auth("sup"),
                   params={**RANGE, "agent": "early-1", "outcome": "completed", "limit": 1000})
    assert r.status_code == 200, r.text
    expected = r.json()["items"]
    assert [row[0] for row in lines] == ["hot-4", "hot-1"]
    assert header == list(expected[0])
    for line, item in zip(lines, expected, strict=True):
        assert all(_same(cell, item[name]) for cell, name in zip(line, header, strict=True)), (
            line, item)

    rows.nth(1).get_by_role("link", name="hot-1").click()
    page.wait_for_url(site.url + "/reports/interactions/hot-1")
    expect(page.get_by_role("heading", name="Interaction hot-1")).to_be_visible()
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(6)  # arrived, queued, offered, answered, ended, completed
    expect(page.locator('#timeline li[data-step="answered"]')).to_contain_text("by early-1")
    expect(page.locator("dl.facts")).to_contain_text("sale")
    expect(page.locator("#notes")).to_have_text("Wants the offer by e-mail")


def test_the_report_of_today_follows_a_call_that_ends(site: Site, page: Page) -> None:
    """The queue report of the engine's day shows no interaction, then, without a
    reload, the call that arrived and was abandoned meanwhile."""
    _log_in(page, site, "sup")
    page.goto(site.url + "/reports/queues")
    expect(page.get_by_role("table", name="Per queue over the range")).to_contain_text(
        "Nothing in this range.")
    site.h.inject(InteractionArrived("live-1", "hotline"))
    site.h.inject(CallerHungUp("live-1"))
    totals = page.get_by_role("table", name="Per queue over the range").locator("tbody td")
    expect(totals).to_have_text(["hotline", "1", "0", "1"])  # offered, handled, abandoned


def test_the_campaign_report_lists_a_campaign_and_its_dispositions(site: Site,
                                                                   page: Page) -> None:
    """A new campaign with one disposition code and no leads: its row shows 0 leads and
    0 attempts, and the code is listed with 0 leads."""
    r = site.h.post("/api/campaigns", headers=site.h.auth("root"), json={
        "name": "spring", "caller_id": "+4930123456",
        "dispositions": [{"code": "sale", "category": "success", "label": "Sale"}]})
    assert r.status_code == 201, r.text
    _log_in(page, site, "sup")
    page.goto(site.url + "/reports/campaigns")
    row = page.get_by_role("table", name="Per campaign").locator("tbody tr")
    expect(row.locator("td").nth(0)).to_have_text("spring")
    expect(row.locator("td").nth(1)).to_have_text("0")  # leads
    expect(row.locator("td").nth(6)).to_have_text("0")  # attempts
    codes = page.get_by_role("table", name="Leads by last disposition").locator("tbody td")
    expect(codes).to_have_text(["spring", "sale", "Sale", "success", "0", "0.0 %"])


def test_the_satisfaction_report_shows_csat_per_queue_and_a_chart(site: Site,
                                                                   page: Page) -> None:
    """Three surveys on the Sunday (ratings 5 and 2, one not answered): the queue's row
    reads 3 offered, 2 answered, response 66.7 %, CSAT 50.0 %, mean 3.50, and the chart
    is drawn."""
    with site.h.server.sessions.begin() as session:
        record_surveys(session, [
            SurveyResult(f"s{n}", "hotline", "early-1", "csat", T0 + 60 * n, T0 + 60 * n + 20,
                         rating, None, None)
            for n, rating in enumerate([5, 2, None], start=1)])
    _log_in(page, site, "sup")
    page.goto(f"{site.url}/reports/csat?{urlencode(RANGE)}")
    row = page.get_by_role("table", name="CSAT per queue").locator("tbody td")
    expect(row).to_have_text(["hotline", "3", "2", "66.7 %", "50.0 %", "3.50",
                              "0", "1", "0", "0", "1", "0"])
    expect(page.get_by_role("img", name="Surveys answered and not answered per day, and CSAT "
                                        "in percent")).to_be_visible()
