"""Every main screen, as its role, passes axe-core's WCAG 2 A and AA rules in a real
browser (Debian's chromium): contrast, labels, names, aria, unique ids. axe-core is
vendored for the tests only (tests/e2e/vendor/, not part of the package)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.events import InteractionArrived
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 375, "height": 740}

# WCAG 2 A and AA, and two of axe's best practices the screens once broke (a column
# header without text, two landmarks of one name).
RUN_AXE = """async () => [
  await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}),
  await axe.run(document, {runOnly: {type: 'rule',
                                     values: ['empty-table-header', 'landmark-unique']}}),
].flatMap(r => r.violations).map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
}))"""


def _log_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("#login-button")
    page.wait_for_url(lambda url: url != site.url + "/")
    expect(page.locator("#who")).not_to_be_empty()


def _login(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    expect(page.locator("#login-button")).to_be_visible()


def _desktop(stage: str = "offer") -> Callable[[Page, Site], None]:
    """early-1 logs in to the queues, goes ready, and is offered a call; then, by
    `stage`, accepts it ("call") and hangs up ("wrapup")."""
    def open_desktop(page: Page, site: Site) -> None:
        _log_in(page, site, "early-1")
        page.wait_for_url(site.url + "/desktop")
        desktop_ready(page)
        page.click("#login")
        expect(page.locator("#state")).to_have_text("paused")
        page.click("#ready")
        expect(page.locator("#state")).to_have_text("available")
        site.h.inject(InteractionArrived("a11y-1", "hotline", caller="+4930555123"))
        offer = page.locator('.call.offer[data-interaction="a11y-1"]')
        expect(offer.locator(".caller")).to_have_text("+4930555123")
        if stage == "offer":
            return
        offer.locator("button.accept").click()
        expect(page.locator("#state")).to_have_text("busy")
        if stage == "call":
            return
        page.locator('.call.connected[data-interaction="a11y-1"] button.hangup').click()
        expect(page.locator('form.wrapping[data-interaction="a11y-1"]')).to_be_visible()
    return open_desktop


def _history(site: Site) -> None:
    """One call to the hotline, answered by early-1 and wrapped up: the reports have a row."""
    me = site.h.auth("early-1")
    assert site.h.post("/api/agents/early-1/login", headers=me).status_code == 200
    assert site.h.post("/api/agents/early-1/ready", headers=me).status_code == 200
    site.h.inject(InteractionArrived("hist-1", "hotline", caller="+4930555100"))
    for action in ("accept", "hangup", "wrapup"):
        r = site.h.post(f"/api/agents/early-1/{action}", headers=me,
                        json={"interaction_id": "hist-1"})
        assert r.status_code == 200, r.text


def _campaign(site: Site) -> None:
    """The campaign `spring`, stopped, with no leads."""
    r = site.h.post("/api/campaigns", headers=site.h.auth("root"), json={
        "name": "spring", "caller_id": "+4930123456", "default_region": "DE",
        "timezone": "Europe/Berlin"})
    assert r.status_code in (200, 201), r.text


def _wallboard(page: Page, site: Site) -> None:
    _log_in(page, site, "sup")
    page.wait_for_url(site.url + "/wallboard")
    expect(page.locator('.tile[data-queue="hotline"]')).to_be_visible()
    expect(page.locator("#agents tr").first).to_be_visible()


def _case(site: Site) -> None:
    """A complaint type with a policy on the hotline calendar, and case 1 with a note."""
    root = site.h.auth("root")
    for path, body in [("/api/admin/case-types", {"id": "complaint", "label": "Complaint"}),
                       ("/api/admin/sla-policies", {"type_id": "complaint",
                                                    "first_response_seconds": 3600,
                                                    "calendar_id": "hotline"}),
                       ("/api/cases", {"type_id": "complaint", "subject": "Bill too high",
                                       "interaction_id": "ix-1"}),
                       ("/api/cases/1/notes", {"body": "Called back", "visibility": "customer"})]:
        r = site.h.post(path, headers=root, json=body)
        assert r.status_code == 201, r.text


def _screen(role: str, path: str, ready: str, *, click: str | None = None,
            then: str | None = None,
            given: Callable[[Site], None] | None = None) -> Callable[[Page, Site], None]:
    """Open `path` as `role` (after `given` set the data up) and wait for `ready`; then
    click the button named `click` and wait for `then`."""
    def open_screen(page: Page, site: Site) -> None:
        if given is not None:
            given(site)
        _log_in(page, site, role)
        page.goto(site.url + path)
        expect(page.locator("#who")).not_to_be_empty()
        expect(page.locator(ready).first).to_be_visible()
        if click is not None:
            page.get_by_role("button", name=click).first.click()
            expect(page.locator(then or ready).first).to_be_visible()
    return open_screen


def _admin(section: str, ready: str = "main .section-body table") -> Callable[[Page, Site], None]:
    return _screen("root", f"/admin/{section}", ready)


SCREENS: dict[str, tuple[Callable[[Page, Site], None], dict[str, int]]] = {
    "login": (_login, WIDE),
    "desktop": (_desktop(), WIDE),
    "desktop-375": (_desktop(), NARROW),
    "desktop-call": (_desktop("call"), WIDE),
    "desktop-wrapup": (_desktop("wrapup"), WIDE),
    "wallboard": (_wallboard, WIDE),
    "wallboard-375": (_wallboard, NARROW),
    "wallboard-tv": (_screen("sup", "/wallboard?tv=1", '.tile[data-queue="hotline"]'), WIDE),
    "admin": (_screen("root", "/admin", "main nav.sections"), WIDE),
    "admin-queues": (_screen("root", "/admin/queues", '#queue-list tr[data-queue="hotline"]'),
                     WIDE),
    "admin-queues-edit": (_screen("root", "/admin/queues", '#queue-list tr[data-queue="hotline"]',
                                  click="Edit hotline", then="#queue-form"), WIDE),
    "admin-users": (_screen("root", "/admin/users", "table.data tbody tr"), WIDE),
    "admin-users-new": (_screen("root", "/admin/users", "table.data tbody tr",
                                click="New user", then="main form"), WIDE),
    "admin-agents": (_admin("agents"), WIDE),
    "admin-teams": (_admin("teams", "main .section-body"), WIDE),
    "admin-skills": (_admin("skills", "main .section-body"), WIDE),
    "admin-calendars": (_admin("calendars", "main .section-body"), WIDE),
    "admin-dispositions": (_admin("dispositions", "main .section-body"), WIDE),
    "admin-customers": (_admin("customers", "#customer-search"), WIDE),
    "admin-ivr": (_admin("ivr", "main .section-body"), WIDE),
    "admin-scripts": (_admin("scripts", "#scripts-table"), WIDE),
    "admin-scripts-375": (_admin("scripts", "#scripts-table"), NARROW),
    "admin-audit": (_admin("audit", "main .section-body table"), WIDE),
    "admin-audit-375": (_admin("audit", "main .section-body table"), NARROW),
    "admin-privacy": (_admin("privacy", "main .section-body table"), WIDE),
    "admin-privacy-375": (_admin("privacy", "main .section-body table"), NARROW),
    "campaigns": (_screen("sup", "/campaigns", "#campaign-list"), WIDE),
    "campaigns-375": (_screen("sup", "/campaigns", "#campaign-list", given=_campaign), NARROW),
    "campaign": (_screen("root", "/campaigns/spring", "#campaign-state", given=_campaign),
                 WIDE),
    "campaign-375": (_screen("root", "/campaigns/spring", "#campaign-state", given=_campaign),
                     NARROW),
    "reports-queues": (_screen("sup", "/reports/queues", "main table.data", given=_history),
                       WIDE),
    "reports-agents": (_screen("sup", "/reports/agents", "main table.data", given=_history),
                       WIDE),
    "reports-interactions": (_screen("sup", "/reports/interactions", "main table.data tbody tr",
                                     given=_history), WIDE),
    "reports-interaction": (_screen("sup", "/reports/interactions/hist-1", "#timeline li",
                                    given=_history), WIDE),
    "reports-campaigns": (_screen("sup", "/reports/campaigns", "main .section-body",
                                  given=_campaign), WIDE),
    "reports-csat": (_screen("sup", "/reports/csat", "main table.data", given=_history), WIDE),
    "reports-csat-375": (_screen("sup", "/reports/csat", "main table.data", given=_history),
                         NARROW),
    "cases": (_screen("sup", "/cases", "#case-rows tr", given=_case), WIDE),
    "cases-375": (_screen("sup", "/cases", "#case-rows tr", given=_case), NARROW),
    "case": (_screen("sup", "/cases?id=1", ".timeline li", given=_case), WIDE),
    "admin-sla-policies": (_screen("root", "/admin/sla-policies", "main .section-body table",
                                   given=_case), WIDE),
    "reports-fcr": (_screen("sup", "/reports/fcr", "main table.data", given=_history), WIDE),
    "orders": (_screen("sup", "/orders", "main table"), WIDE),
    "orders-375": (_screen("sup", "/orders", "main table"), NARROW),
    "admin-catalog": (_admin("catalog"), WIDE),
    "admin-catalog-new": (_screen("root", "/admin/catalog", "table.data",
                                  click="New catalog item", then="main form"), WIDE),
    "404": (_screen("sup", "/no-such-page", "#home"), WIDE),
    "403": (_screen("early-1", "/admin", "main"), WIDE),
}


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " / ".join(node["summary"].splitlines()[1:3])
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def browser_page(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context (no cookies) and page at the screen's viewport."""
    _, viewport = SCREENS[request.node.callspec.params["screen"]]
    context = chromium.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_screen_has_no_wcag_a_or_aa_violations(site: Site, browser_page: Page,
                                                   screen: str) -> None:
    """axe-core finds no WCAG 2 A/AA violation (nor an empty column header or two landmarks
    of one name) on the screen as its role sees it."""
    open_screen, _ = SCREENS[screen]
    open_screen(browser_page, site)
    # The pages' CSP refuses inline scripts (add_script_tag's), so axe is evaluated
    # through the DevTools protocol instead, leaving the CSP as a person has it.
    browser_page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    violations = browser_page.evaluate(RUN_AXE)
    assert violations == [], f"{screen}:\n{_report(violations)}"
