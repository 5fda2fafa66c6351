"""The desktop's knowledge panel in a real browser (Debian's chromium): during a call the
agent searches, reads an article drawn as text (its markup shown, never run), and
transfers the call to a directory entry it found."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.commands import TransferExternal
from callcenter.core.events import InteractionArrived
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_an_agent_reads_an_article_and_transfers_from_the_directory(site: Site,
                                                                    page: Page) -> None:
    """Searching `router` shows the article with `router` marked; opened, its `<b>` is
    text; the field service entry's Transfer puts the caller through to its number."""
    h, root = site.h, site.h.auth("root")
    assert h.post("/api/admin/kb-articles", headers=root, json={
        "title": "No internet", "tags": "router",
        "body": "Restart the <b>router</b> and wait two minutes."}).status_code == 201
    assert h.post("/api/admin/directory-entries", headers=root, json={
        "name": "Field service", "department": "Technical router desk",
        "number": "+4930901820"}).status_code == 201
    page.goto(site.url + "/")
    page.fill("#username", "early-1")
    page.fill("#password", password("early-1"))
    page.click("#login-button")
    desktop_ready(page)
    page.click("#login")
    expect(page.locator("#state")).to_have_text("paused")
    page.click("#ready")
    expect(page.locator("#state")).to_have_text("available")
    h.inject(InteractionArrived("kb-1", "hotline", caller="+4930700009"))
    page.locator('.call.offer[data-interaction="kb-1"] button.accept').click()
    expect(page.locator("#state")).to_have_text("busy")
    panel = page.locator(".knowledge-panel")
    panel.get_by_label("Search").fill("router")
    panel.get_by_role("button", name="Search", exact=True).click()
    expect(panel.locator(".kb-hit mark").first).to_have_text("router")
    panel.get_by_role("button", name="No internet").click()
    expect(panel.locator(".kb-body")).to_have_text(
        "Restart the <b>router</b> and wait two minutes.")
    assert panel.locator(".kb-body b").count() == 0
    panel.get_by_role("button", name="Back to results").click()
    panel.get_by_role("button", name="Transfer the call to Field service").click()
    expect(panel.get_by_role("status")).to_have_text("Call transferred to Field service.")
    assert TransferExternal("kb-1", "+4930901820") in h.telephony.commands
