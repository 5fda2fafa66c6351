"""The agent desktop's preview card in a real browser (Debian's chromium) against a real
server with the fake telephony adapter: the reserved lead is shown, skipped, dialed; the
answered call is taken and a callback scheduled in its wrap-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.dialer.leads import Lead
from callcenter.store.leads import add_leads
from callcenter.telephony.base import DialStatus
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def _preview_campaign(site: Site) -> None:
    """Campaign `spring` in preview mode with two leads, early-1 working it, started."""
    h = site.h
    agent = h.get("/api/admin/agents/early-1", headers=h.auth("root")).json()
    agent["skills"].append({"skill": "campaign:spring", "level": 1})
    del agent["id"]
    assert h.request("PUT", "/api/admin/agents/early-1", headers=h.auth("root"),
                     json=agent).status_code == 200
    body = {"name": "spring", "caller_id": "+4930999000", "dial_mode": "preview",
            "preview_timeout": 600}
    assert h.post("/api/campaigns", json=body, headers=h.auth("root")).status_code == 201
    with h.server.sessions.begin() as session:
        add_leads(session, "spring", [
            Lead("l0", "+4930555000", "Europe/Berlin", fields={"name": "Anna", "plan": "gold"}),
            Lead("l1", "+4930555001", "Europe/Berlin", fields={"name": "Bob"})])
    assert h.post("/api/campaigns/spring/start", headers=h.auth("root")).status_code == 200


def test_an_agent_previews_skips_dials_and_schedules_a_callback(site: Site, page: Page) -> None:
    """The desktop shows the reserved lead (name, number, fields) with the agent paused for
    preview; Skip shows the next; Dial rings it; the answer is offered, taken, and in the
    wrap-up a callback for the agent is scheduled at the callee's local time."""
    _preview_campaign(site)
    page.goto(site.url + "/")
    page.fill("#username", "early-1")
    page.fill("#password", password("early-1"))
    page.click("#login-button")
    page.wait_for_url(site.url + "/desktop")
    desktop_ready(page)
    page.click("#login")
    page.click("#ready")
    card = page.locator(".call.preview")
    expect(card.locator(".lead-name")).to_have_text("Anna")
    expect(card.locator(".lead-number")).to_have_text("+4930555000")
    expect(card.locator('.field[data-field="plan"]')).to_have_text("gold")
    expect(page.locator("#reason")).to_have_text("(preview)")
    card.locator("input.skip-reason").fill("asked for next week")
    card.locator("button.skip").click()
    expect(card.locator(".lead-name")).to_have_text("Bob")
    expect(card.locator(".preview-last .outcome")).to_have_text("skipped")
    card.locator("button.dial").click()
    expect(card.locator(".preview-step")).to_have_text("Ringing…")

    fake = site.h.telephony
    (call_id,) = fake.dials
    clock = site.h.server.runtime.clock
    site.h.portal.call(fake.dial_update, call_id, DialStatus.ANSWERED, clock.time())
    offer = page.locator(f'.call.offer[data-interaction="{call_id}"]')
    expect(offer.locator(".caller")).to_have_text("+4930555001")
    offer.locator("button.accept").click()
    page.locator(f'.call.connected[data-interaction="{call_id}"] button.hangup').click()
    wrap = page.locator(f'form.wrapping[data-interaction="{call_id}"]')
    local = datetime.fromtimestamp(clock.time(), BERLIN) + timedelta(hours=2)
    wrap.locator("input.callback-at").fill(local.strftime("%Y-%m-%dT%H:%M"))
    wrap.locator("button.schedule-callback").click()
    expect(wrap.locator(".callback-done")).to_contain_text("(mine)")
    dialer = site.h.server.runtime.dialer
    assert dialer is not None
    run = dialer.run_of("spring")
    assert run is not None
    lead = run.queue.get("l1")
    assert (lead.state.value, lead.callback_agent) == ("callback", "early-1")
