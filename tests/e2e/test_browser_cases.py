"""Cases in a real browser (Debian's chromium): a supervisor on the wallboard sees an
SLA breach pushed over the event stream, with a link to the case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.api import cases
from callcenter.clock import FakeClock
from tests.api.conftest import MONDAY_9AM, password, start
from tests.e2e.conftest import Site
from tests.serving import serving_app

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """An app on a fake clock (Monday 09:00), its SLA swept only when the test says."""
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}", clock=FakeClock(MONDAY_9AM),
                         settings={"case_sweep_seconds": 0}):
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


def test_a_supervisor_sees_the_breach_on_the_wallboard(site: Site, page: Page) -> None:
    """A fault report with a 15-minute first-response target, untouched for 15 minutes:
    the sweep's breach appears in the wallboard's alerts, linking to the case."""
    h, root = site.h, site.h.auth("root")
    for path, body in [("/api/admin/case-types", {"id": "fault", "label": "Fault report"}),
                       ("/api/admin/sla-policies", {"type_id": "fault", "priority": "high",
                                                    "first_response_seconds": 900})]:
        assert h.post(path, json=body, headers=root).status_code == 201
    r = h.post("/api/cases", headers=h.auth("early-1"), json={
        "type_id": "fault", "priority": "high", "subject": "No dial tone"})
    case_id = r.json()["id"]
    page.goto(site.url + "/")
    page.fill("#username", "sup")
    page.fill("#password", password("sup"))
    page.click("#login-button")
    page.wait_for_url(site.url + "/wallboard")
    expect(page.locator("#agent-grid, .wallboard").first).to_be_visible()
    while h.server.case_alerts.subscribers == 0:  # the wallboard's socket is subscribed
        page.wait_for_timeout(50)
    clock = h.server.runtime.clock
    assert isinstance(clock, FakeClock)

    async def fifteen_minutes_later() -> list[cases.crm.SlaAlert]:
        clock.advance(900)
        await h.server.runtime.driver.settled()
        return await cases.sweep(h.server)
    alerts = h.portal.call(fifteen_minutes_later)
    assert [(a.case_id, a.level) for a in alerts] == [(case_id, "breached")]
    alert = page.locator(".case-alert")
    expect(alert).to_contain_text(f"Case #{case_id} (high) first response breached: No dial tone")
    expect(alert.get_by_role("link")).to_have_attribute("href", f"/cases?id={case_id}")
