"""The agent desktop in a real browser shows the customer a call's IVR flow found, with
the offer and during the call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.ivr import CallEntered
from callcenter.core.ivr_flow import Flow, Lookup, ToQueue
from tests.api.conftest import password, start
from tests.e2e.conftest import Site, desktop_ready
from tests.serving import serving_app

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

FLOW = Flow("main", "find", {"find": Lookup("q", "q"), "q": ToQueue("hotline")})


def enter(site: Site, call_id: str, caller: str) -> None:
    """A call enters FLOW (reported on the server's event loop)."""
    async def report() -> None:
        site.h.telephony.inject(CallEntered(call_id, "main", caller=caller))
    site.h.portal.call(report)


@pytest.fixture
def ivr_site(tmp_path: Path) -> Iterator[Site]:
    """A fresh app whose calls start in FLOW, served on a loopback port."""
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}", ivr_flows={"main": FLOW}):
        with harness.portal.wrap_async_context_manager(serving_app(harness.app)) as url:
            yield Site(harness, url)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_desktop_pops_the_customer_up(ivr_site: Site, page: Page) -> None:
    """A stored customer's call is offered with its name, account and segment, and the
    connected call keeps showing them; an unknown caller shows none."""
    h = ivr_site.h
    r = h.post("/api/admin/customers", headers=h.auth("root"),
               json={"name": "Ada Lovelace", "numbers": ["(202) 555-0143"],
                     "account": "K-1001", "segment": "vip"})
    assert r.status_code == 201, r.text
    page.goto(ivr_site.url + "/")
    page.fill("#username", "early-1")
    page.fill("#password", password("early-1"))
    page.click("#login-button")
    page.wait_for_url(ivr_site.url + "/desktop")
    desktop_ready(page)
    page.click("#login")
    page.click("#ready")
    expect(page.locator("#state")).to_have_text("available")

    enter(ivr_site, "pop-1", "+12025550143")
    offer = page.locator('.call.offer[data-interaction="pop-1"]')
    expect(offer.locator(".customer")).to_have_text("Ada Lovelace (account K-1001) · vip")
    offer.locator("button.accept").click()
    call = page.locator('.call.connected[data-interaction="pop-1"]')
    expect(call.locator(".customer")).to_have_text("Ada Lovelace (account K-1001) · vip")
    call.locator("button.hangup").click()
    page.locator('form.wrapping[data-interaction="pop-1"] button.done').click()
    expect(page.locator("#state")).to_have_text("available")

    enter(ivr_site, "pop-2", "+12025550100")
    offer = page.locator('.call.offer[data-interaction="pop-2"]')
    expect(offer.locator(".caller")).to_be_visible()
    expect(offer.locator(".customer")).to_have_count(0)
