"""Scripts in a real browser (Debian's chromium): an agent runs a questionnaire on a
call from the desktop's script panel, answers survive a reload, and the closing step
records the outcome; an admin sees a script's mistakes beside the editor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from callcenter.core.events import InteractionArrived
from callcenter.store.models import ScriptRunRow
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _login(page: Page, site: Site, username: str, lands: str) -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", password(username))
    page.click("#login-button")
    page.wait_for_url(site.url + lands)


def test_an_agent_runs_a_questionnaire_on_a_call(site: Site, page: Page) -> None:
    """On an inbound call the agent chooses the satisfaction questionnaire, answers two
    steps, reloads (the run resumes at the third), answers to the end and finishes:
    the run is stored `complete` with the call."""
    h = site.h
    r = h.post("/api/admin/scripts", headers=h.auth("root"),
               json={"text": (EXAMPLES / "satisfaction.yaml").read_text()})
    assert r.status_code == 201, r.text
    _login(page, site, "early-1", "/desktop")
    desktop_ready(page)
    page.click("#login")
    expect(page.locator("#state")).to_have_text("paused")
    page.click("#ready")
    h.inject(InteractionArrived("sv-1", "hotline", caller="+4930700001"))
    page.locator('.call.offer[data-interaction="sv-1"] button.accept').click()
    panel = page.locator("section.script-panel")
    panel.get_by_label("Script").select_option("after_sale")
    panel.locator("#script-start").click()
    expect(panel.locator("#script-step-text")).to_contain_text("this is early-1")
    panel.locator("#script-next").click()
    panel.get_by_label("Yes").check()
    panel.locator("#script-next").click()
    expect(panel.locator("#script-step-text")).to_contain_text("All in all")
    page.reload()
    expect(page.locator("#state")).to_have_text("busy")
    expect(panel.locator("#script-step-text")).to_contain_text("All in all")
    panel.get_by_label("4").check()
    panel.locator("#script-next").click()
    expect(panel.locator("#script-step-text")).to_contain_text("recommend")
    panel.get_by_label("9").check()
    panel.locator("#script-next").click()
    panel.locator("#script-finish").click()
    expect(panel).to_contain_text("This script has ended: complete.")
    with h.server.sessions() as session:
        run = session.scalar(select(ScriptRunRow))
        assert run is not None and (run.interaction_id, run.outcome) == ("sv-1", "complete")


def test_an_admin_sees_each_mistake_beside_the_editor(site: Site, page: Page) -> None:
    """A script with an unknown merge field: Check lists it with its line beside the
    editor, and nothing is stored."""
    _login(page, site, "root", "/wallboard")
    page.goto(site.url + "/admin/scripts")
    text = (EXAMPLES / "satisfaction.yaml").read_text().replace(
        "{first_name}, this is", "{frist_name}, this is")
    page.fill("#script-text", text)
    page.click("#script-check")
    expect(page.locator("#script-problems li")).to_have_count(1)
    expect(page.locator("#script-problems li").first).to_contain_text(
        "Line 7 (steps[0].say): unknown merge field {frist_name}")
    expect(page.locator("#scripts-rows")).to_contain_text("No scripts yet")
