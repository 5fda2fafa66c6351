"""The desktop's customer panel in a real browser (Debian's chromium): an agent on a call
with an unknown caller finds and chooses the customer, then corrects the home address,
which the history records with the call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.events import InteractionArrived
from tests.api.conftest import password, start
from tests.e2e.conftest import Site
from tests.serving import serving_app

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}"):
        with harness.portal.wrap_async_context_manager(serving_app(harness.app)) as url:
            yield Site(harness, url)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_an_agent_chooses_the_caller_and_corrects_the_address(site: Site, page: Page) -> None:
    """Search, Choose, Save address: the customer is the call's, and its address history
    names the agent and the call."""
    h = site.h
    r = h.post("/api/admin/customers", headers=h.auth("root"),
               json={"name": "Ada Lovelace", "account": "K-77"})
    ada = r.json()["id"]
    agent = h.auth("early-1")
    assert h.post("/api/agents/early-1/login", headers=agent, json={"ready": True}).is_success
    h.inject(InteractionArrived("ix-1", "hotline"))
    assert h.post("/api/agents/early-1/accept", headers=agent,
                  json={"interaction_id": "ix-1"}).is_success
    page.goto(site.url + "/")
    page.fill("#username", "early-1")
    page.fill("#password", password("early-1"))
    page.click("#login-button")
    page.wait_for_url(site.url + "/desktop")
    panel = page.locator(".customer-panel")
    panel.get_by_role("searchbox", name="Find the caller").fill("K-77")
    panel.get_by_role("button", name="Search").click()
    panel.get_by_role("button", name="Choose Ada Lovelace").click()
    expect(panel.locator("h3").first).to_contain_text("Ada Lovelace")
    panel.get_by_label("City").fill("Hamburg")
    panel.get_by_label("Street").fill("9 Side St")
    panel.get_by_role("button", name="Save address").click()
    expect(panel.get_by_role("status")).to_have_text("Address saved.")
    view = h.get(f"/api/customers/{ada}", headers=h.auth("root")).json()
    assert [(c["after"]["city"], c["changed_by"], c["interaction_id"])
            for c in view["address_history"]] == [("Hamburg", "early-1", "ix-1")]
