"""The wallboard in a real browser (Debian's chromium) against a real server: today's
figures come from the server (a reload shows the same), a threshold turns a tile red
with an alert, the agent grid shows an agent's current call, TV mode hides the controls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.events import InteractionArrived
from callcenter.telephony.base import FakeTelephony
from tests.api.conftest import password, start
from tests.e2e.conftest import Site
from tests.serving import serving_app

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, 1366x768."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def _wallboard(page: Page, site: Site, username: str = "sup", query: str = "") -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("#login-button")
    page.wait_for_url(site.url + "/wallboard")
    if query:
        page.goto(site.url + "/wallboard" + query)


def _call(site: Site, interaction_id: str, caller: str = "+4930555100") -> None:
    """early-1 (logged in) takes a call from `caller` to the hotline and keeps it."""
    me = site.h.auth("early-1")
    site.h.inject(InteractionArrived(interaction_id, "hotline", caller=caller))
    r = site.h.post("/api/agents/early-1/accept", headers=me,
                    json={"interaction_id": interaction_id})
    assert r.status_code == 200, r.text


def _end(site: Site, interaction_id: str) -> None:
    me = site.h.auth("early-1")
    for action in ("hangup", "wrapup"):
        r = site.h.post(f"/api/agents/early-1/{action}", headers=me,
                        json={"interaction_id": interaction_id})
        assert r.status_code == 200, r.text


def test_a_reload_shows_the_same_todays_figures(site: Site, page: Page) -> None:
    """Two calls answered before the page opens are counted in today's figures (from the
    server, not from the page's own socket), and again after a reload."""
    assert site.h.post("/api/agents/early-1/login",
                       headers=site.h.auth("early-1")).status_code == 200
    for n in (1, 2):
        _call(site, f"rl-{n}")
        _end(site, f"rl-{n}")
    _wallboard(page, site)
    tile = page.locator('.tile[data-queue="hotline"]')
    for _ in range(2):
        expect(tile.locator(".offered")).to_have_text("2")
        expect(tile.locator(".answered")).to_have_text("2")
        expect(tile.locator(".abandoned")).to_have_text("0")
        expect(tile.locator(".sl")).to_have_text("100 %")
        page.reload()


def test_a_threshold_turns_the_tile_red_and_raises_the_alert(site: Site, page: Page) -> None:
    """A red level milder than amber is shown beside its field; with red above 1 waiting,
    a second waiting call turns the hotline's tile red and the alert names it."""
    _wallboard(page, site)
    tile = page.locator('.tile[data-queue="hotline"]')
    expect(tile.locator(".waiting")).to_have_text("0")
    form = page.locator("#threshold-form")
    form.locator("select[name=queue_id]").select_option("hotline")
    form.locator("input[name=waiting_amber]").fill("3")
    form.locator("input[name=waiting_red]").fill("1")
    form.get_by_role("button", name="Save thresholds").click()
    expect(form.locator("#waiting_red-error")).to_contain_text("must not be below")
    expect(form.locator("input[name=waiting_red]")).to_be_focused()

    form.locator("input[name=waiting_amber]").fill("0")
    form.get_by_role("button", name="Save thresholds").click()
    expect(page.locator("#threshold-saved")).to_have_text("Saved the thresholds of hotline.")
    site.h.inject(InteractionArrived("red-1", "hotline"))
    expect(tile).to_have_attribute("data-level", "amber")
    expect(page.locator("#alerts")).to_be_hidden()
    site.h.inject(InteractionArrived("red-2", "hotline"))
    expect(tile).to_have_attribute("data-level", "red")
    expect(tile.locator(".level-badge")).to_have_text("red")
    expect(page.locator("#alerts")).to_contain_text("Queue hotline is red: 2 waiting is above 1")


def test_the_agent_grid_shows_the_agents_current_call(site: Site, page: Page) -> None:
    """While early-1 talks to a caller, its row shows its team, the call's id, caller and
    queue, and the call's duration; filtering by state keeps it, another state hides it."""
    assert site.h.post("/api/agents/early-1/login",
                       headers=site.h.auth("early-1")).status_code == 200
    _wallboard(page, site)
    row = page.locator('#agents tr[data-agent="early-1"]')
    expect(row.locator(".state")).to_have_text("available")
    _call(site, "grid-1", caller="+4930555777")
    expect(row.locator(".state")).to_have_text("busy")
    expect(row.locator(".call-id")).to_have_text("grid-1")
    expect(row.locator(".caller")).to_have_text("+4930555777")
    expect(row.locator(".call-queue")).to_have_text("hotline")
    expect(row.locator(".call-time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(row.locator(".team")).to_have_text("floor")
    page.select_option("#filter-state", "busy")
    expect(page.locator("#agents tr[data-agent]")).to_have_count(1)
    page.select_option("#filter-state", "paused")
    expect(row).to_have_count(0)
    page.select_option("#filter-state", "")
    expect(row.get_by_role("button", name="Listen")).to_be_visible()


def test_tv_mode_hides_the_controls(site: Site, page: Page) -> None:
    """/wallboard?tv=1 shows the tiles and the grid without the navigation, the
    thresholds form, the filters and the action buttons."""
    _wallboard(page, site, query="?tv=1")
    expect(page.locator('.tile[data-queue="hotline"] .waiting')).to_have_text("0")
    expect(page.locator('#agents tr[data-agent="early-1"]')).to_be_visible()
    for hidden in ("#nav", "#threshold-form", "#filter-team", "#tv-button",
                   '#agents tr[data-agent="early-1"] td.actions'):
        expect(page.locator(hidden)).to_be_hidden()


def test_force_logout_asks_first(site: Site, page: Page) -> None:
    """Force logout opens a confirmation: Cancel leaves the agent logged in, Confirm logs
    it out."""
    assert site.h.post("/api/agents/early-2/login",
                       headers=site.h.auth("early-2")).status_code == 200
    _wallboard(page, site)
    row = page.locator('#agents tr[data-agent="early-2"]')
    expect(row.locator(".state")).to_have_text("available")
    dialog = page.locator("dialog#confirm")
    row.get_by_role("button", name="Force logout").click()
    expect(dialog).to_contain_text("Force logout early-2?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(row.get_by_role("button", name="Force logout")).to_be_focused()
    assert site.h.server.runtime.engine.agent_state("early-2").value == "available"
    row.get_by_role("button", name="Force logout").click()
    dialog.get_by_role("button", name="Confirm").click()
    expect(row.locator(".state")).to_have_text("logged out")


def test_the_grid_sorts_by_a_column_both_ways(site: Site, page: Page) -> None:
    """Sorted by state, the one available agent comes first; sorted again, last."""
    assert site.h.post("/api/agents/late-3/login",
                       headers=site.h.auth("root")).status_code == 200
    _wallboard(page, site)
    rows = page.locator("#agents tr[data-agent]")
    expect(rows.first).to_have_attribute("data-agent", "early-1")  # by agent id at first
    header = page.locator('#agent-grid th[data-sort="state"]')
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_have_attribute("data-agent", "late-3")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows.last).to_have_attribute("data-agent", "late-3")


class Monitoring(FakeTelephony):
    """The fake telephony with silent monitoring: remembers the listens started."""

    def __init__(self) -> None:
        super().__init__()
        self.listening: set[str] = set()

    async def listen(self, interaction_id: str, phone: str) -> str:
        listen_id = f"{interaction_id}-{phone}"
        self.listening.add(listen_id)
        return listen_id

    async def stop_listening(self, listen_id: str) -> bool:
        found = listen_id in self.listening
        self.listening.discard(listen_id)
        return found


def test_a_supervisor_listens_to_a_call_from_the_grid(tmp_path: Path, page: Page) -> None:
    """Listen on early-1's call asks the telephony to put the supervisor's phone on it;
    Stop listening ends that listen."""
    telephony = Monitoring()
    for h in start(f"sqlite:///{tmp_path / 'listen.db'}", telephony=telephony):
        with h.portal.wrap_async_context_manager(serving_app(h.app)) as url:
            site = Site(h, url)
            assert h.post("/api/agents/early-1/login",
                          headers=h.auth("early-1")).status_code == 200
            _wallboard(page, site)
            _call(site, "ls-1")
            row = page.locator('#agents tr[data-agent="early-1"]')
            expect(row.locator(".call-id")).to_have_text("ls-1")
            row.get_by_role("button", name="Listen").click()
            expect(page.locator("#grid-status")).to_have_text(
                "Listening to ls-1 (early-1) on phone sup.")
            assert telephony.listening == {"ls-1-sup"}
            row.get_by_role("button", name="Stop listening").click()
            expect(page.locator("#grid-status")).to_have_text("Stopped listening to ls-1.")
            assert telephony.listening == set()
