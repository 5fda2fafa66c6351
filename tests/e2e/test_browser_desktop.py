"""The agent desktop in a real browser (Debian's chromium): the calls panel follows the
state, an offer rings (Web Audio), is announced and notifies in the background, a missed
offer says so, a pause asked during a call shows as the next state and applies after
wrap-up, the keyboard shortcuts, and a transfer chosen from the directory."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.events import CallerHungUp, InteractionArrived
from callcenter.store.history import search_interactions
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change

# The page's Notification, recorded: each notification made and the permission asked.
FAKE_NOTIFICATION = """
window.__notes = [];
window.Notification = class {
  static permission = "default";
  static async requestPermission() { window.Notification.permission = "granted"; return "granted"; }
  constructor(title, options) {
    this.seen = { title, body: options.body, closed: false };
    window.__notes.push(this.seen);
  }
  close() { this.seen.closed = true; }
};
"""

# Whether the tab is in the front: the page asks document.visibilityState and hasFocus().
IN_FRONT = """(front) => {
  Object.defineProperty(document, "visibilityState", { configurable: true,
    get: () => (front ? "visible" : "hidden") });
  document.hasFocus = () => front;
}"""


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) with the recorded Notification, and a page."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(FAKE_NOTIFICATION)
    try:
        yield context.new_page()
    finally:
        context.close()


def _desktop(page: Page, site: Site, username: str = "early-1") -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("#login-button")
    page.wait_for_url(site.url + "/desktop")
    desktop_ready(page)


def _ready(page: Page) -> None:
    page.click("#login")
    expect(page.locator("#state")).to_have_text("paused")
    page.click("#ready")
    expect(page.locator("#state")).to_have_text("available")


def test_the_calls_panel_follows_the_state(site: Site, page: Page) -> None:
    """Logged out, paused at login, ready, paused for lunch, logged out again: the calls
    panel says each; the state button and the page link have distinct names."""
    _desktop(page, site)
    panel = page.locator("#work")
    expect(panel).to_have_text("Logged out: log in to take calls.")
    expect(page.get_by_role("button", name=re.compile("^Log out of queues"))).to_have_count(1)
    expect(page.get_by_role("link", name="Sign out")).to_have_count(1)
    expect(page.get_by_role("button", name="Log out", exact=True)).to_have_count(0)
    page.click("#login")
    expect(panel).to_have_text("Paused (login): press Ready to take calls.")
    page.click("#ready")
    expect(panel).to_have_text("No calls: waiting for an offer…")
    page.select_option("#pause-reason", "lunch")
    page.click("#pause")
    expect(page.locator("#state")).to_have_text("paused")
    expect(panel).to_have_text("Paused (lunch): press Ready to take calls.")
    page.get_by_role("button", name=re.compile("^Log out of queues")).click()
    expect(page.locator("#state")).to_have_text("logged out")
    expect(panel).to_have_text("Logged out: log in to take calls.")


def test_an_offer_rings_is_announced_notifies_in_the_background_and_a_missed_one_says_so(
        site: Site, page: Page) -> None:
    """In front, an offer rings (the page started its oscillators), is announced and
    makes no notification; the caller hangs up while it rings: it is listed as missed
    and the ringing stops. In the background, with notifications allowed from the
    button, the next offer raises a desktop notification naming the caller, closed once
    the offer is accepted."""
    _desktop(page, site)
    page.click("#notify")
    expect(page.locator("#notify-state")).to_have_text("Desktop notifications on.")
    expect(page.locator("#notify")).to_be_hidden()
    _ready(page)
    page.evaluate(IN_FRONT, True)

    site.h.inject(InteractionArrived("ring-1", "hotline", caller="+4930700001"))
    offer = page.locator('.call.offer[data-interaction="ring-1"]')
    expect(offer.locator(".ringing")).to_have_text("Ringing")
    expect(page.locator("body")).to_have_attribute("data-ringing", "true")
    expect(page.locator("body")).to_have_attribute("data-rings", re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#announce")).to_contain_text("Incoming call from +4930700001")
    assert page.evaluate("window.__notes") == []

    site.h.inject(CallerHungUp("ring-1"))
    missed = page.locator('#missed li[data-interaction="ring-1"]')
    expect(missed).to_have_text(
        re.compile(r"^Missed call from \+4930700001 at \d{1,2}:\d\d:\d\d( [AP]M)?$"))
    expect(page.locator("body")).to_have_attribute("data-ringing", "false")
    expect(page.locator("#work")).to_have_text("No calls: waiting for an offer…")

    page.evaluate(IN_FRONT, False)
    site.h.inject(InteractionArrived("ring-2", "hotline", caller="+4930700002"))
    expect(page.locator('.call.offer[data-interaction="ring-2"]')).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-notified", "1")
    assert page.evaluate("window.__notes") == [
        {"title": "Incoming call", "body": "+4930700002 · queue hotline", "closed": False}]
    page.locator('.call.offer[data-interaction="ring-2"] button.accept').click()
    expect(page.locator('.call.connected[data-interaction="ring-2"]')).to_be_visible()
    assert page.evaluate("window.__notes.map((n) => n.closed)") == [True]  # no stale alert


def test_the_shortcuts_accept_and_hang_up_keep_the_focus_and_spare_the_fields(
        site: Site, page: Page) -> None:
    """Alt+A accepts (the focus goes to the call's Hang up), Alt+H hangs up (the focus
    goes to the disposition); Alt+P typed in the notes does not pause, Alt+P outside a
    field does (shown as the next state)."""
    _desktop(page, site)
    _ready(page)
    site.h.inject(InteractionArrived("key-1", "hotline", caller="+4930700003"))
    expect(page.locator('.call.offer[data-interaction="key-1"]')).to_be_visible()
    page.keyboard.press("Alt+a")
    call = page.locator('.call.connected[data-interaction="key-1"]')
    expect(call.locator("button.hangup")).to_be_focused()
    expect(page.locator("#state")).to_have_text("busy")
    page.keyboard.press("Alt+h")
    wrap = page.locator('form.wrapping[data-interaction="key-1"]')
    expect(wrap.locator("select.disposition")).to_be_focused()
    notes = wrap.locator("textarea.notes")
    notes.click()
    notes.press("Alt+p")
    expect(page.locator("#next")).to_have_text("Next: available")
    page.locator("#work-title").focus()
    page.keyboard.press("Alt+p")
    expect(page.locator("#next")).to_have_text("Next: paused (break)")
    expect(page.locator("#state")).to_have_text("wrap up")


def test_a_pause_asked_during_a_call_is_shown_next_and_applies_after_wrap_up(
        site: Site, page: Page) -> None:
    """Pause for lunch during a call: the state stays busy with "Next: paused (lunch)";
    after wrap-up the agent is paused for lunch, the notes are in the history and the
    day's figures count the call."""
    _desktop(page, site)
    _ready(page)
    site.h.inject(InteractionArrived("nx-1", "hotline", caller="+4930700004"))
    page.locator('.call.offer[data-interaction="nx-1"] button.accept').click()
    call = page.locator('.call.connected[data-interaction="nx-1"]')
    expect(call.locator("button.hangup")).to_be_focused()
    expect(page.locator("#next")).to_have_text("Next: available")
    page.select_option("#pause-reason", "lunch")
    page.click("#pause")
    expect(page.locator("#next")).to_have_text("Next: paused (lunch)")
    expect(page.locator("#state")).to_have_text("busy")
    call.locator("button.hangup").click()
    wrap = page.locator('form.wrapping[data-interaction="nx-1"]')
    expect(page.locator("#next")).to_have_text("Next: paused (lunch)")
    wrap.locator("textarea.notes").fill("Asked about the new tariff")
    wrap.locator("button.done").click()
    expect(page.locator("#state")).to_have_text("paused")
    expect(page.locator("#reason")).to_have_text("(lunch)")
    expect(page.locator("#next")).to_be_hidden()
    expect(page.locator("#work")).to_have_text("Paused (lunch): press Ready to take calls.")
    expect(page.locator('#recent tr[data-interaction="nx-1"] .notes')).to_have_text(
        "Asked about the new tariff")
    expect(page.locator("#today-handled")).to_have_text("1")
    expect(page.locator('#today-states tr[data-state="busy"]')).to_be_visible()
    with site.h.server.sessions() as session:
        (row,) = search_interactions(session, agent_id="early-1").items
    assert (row.interaction_id, row.notes) == ("nx-1", "Asked about the new tariff")


def test_a_call_is_transferred_to_an_available_agent_from_the_directory(
        site: Site, page: Page) -> None:
    """The directory lists the available early-2 and the paused late-1 (not choosable);
    choosing early-2 transfers the call: early-1 goes to wrap-up, early-2 is offered it."""
    root = site.h.auth("root")
    _desktop(page, site)
    _ready(page)  # early-1 is ready first: the longest idle, offered the call
    assert site.h.post("/api/agents/early-2/login", headers=root).status_code == 200
    assert site.h.post("/api/agents/late-1/login", headers=root,
                       json={"ready": False}).status_code == 200
    site.h.inject(InteractionArrived("tr-1", "hotline", caller="+4930700005"))
    page.locator('.call.offer[data-interaction="tr-1"] button.accept').click()
    call = page.locator('.call.connected[data-interaction="tr-1"]')
    agents = call.locator("select.transfer-agent")
    expect(agents.locator('option[value="early-2"]')).to_have_text("early-2 · available")
    expect(agents.locator('option[value="late-1"]')).to_have_text("late-1 · paused (login)")
    expect(agents.locator('option[value="late-1"]')).to_be_disabled()
    expect(call.locator('select.transfer-queue option[value="hotline"]')).to_have_text(
        re.compile(r"^hotline \(\d+ waiting\)$"))
    agents.select_option("early-2")
    call.get_by_role("button", name="Transfer to agent").click()
    expect(page.locator('form.wrapping[data-interaction="tr-1"]')).to_be_visible()
    assert site.h.get("/api/agents/early-2", headers=root).json()["offers"] == ["tr-1"]
