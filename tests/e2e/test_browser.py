"""The pages in a real browser (Debian's chromium) against a real server: an agent
handles a call from offer to wrap-up, a supervisor's wallboard follows the queue and
the agents, a wrong password is refused on the page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from callcenter.core.commands import Hold, TransferExternal
from callcenter.core.config import AgentConfig
from callcenter.core.events import InteractionArrived
from callcenter.store.configs import save_agent
from callcenter.store.history import search_interactions
from callcenter.store.models import AgentRow
from callcenter.store.users import (
    add_agent,
    add_supervisor,
    create_team,
    get_user,
    save_disposition,
)
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
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


def test_an_agent_handles_a_call_from_offer_to_wrap_up(site: Site, page: Page,
                                                       tmp_path: Path) -> None:
    """Log in, go ready, accept the injected call's offer, hang up, wrap up with a
    disposition: the stored interaction row carries it."""
    with site.h.server.sessions.begin() as session:
        save_disposition(session, "sale", "Sale")
        save_disposition(session, "info", "Information")
    _log_in(page, site, "early-1")
    page.wait_for_url(site.url + "/desktop")
    state = page.locator("#state")
    expect(state).to_have_text("logged out")
    page.click("#login")
    expect(state).to_have_text("paused")
    page.click("#ready")
    expect(state).to_have_text("available")

    site.h.inject(InteractionArrived("web-1", "hotline", caller="+4930555123"))
    offer = page.locator('.call.offer[data-interaction="web-1"]')
    expect(offer.locator(".caller")).to_have_text("+4930555123")
    expect(offer.locator(".queue")).to_have_text("hotline")
    expect(offer.locator(".countdown")).to_contain_text(" s")
    expect(state).to_have_text("reserved")
    offer.locator("button.accept").click()

    call = page.locator('.call.connected[data-interaction="web-1"]')
    expect(call.locator(".caller")).to_have_text("+4930555123")
    expect(state).to_have_text("busy")
    page.screenshot(path=tmp_path / "desktop.png", full_page=True)
    call.locator("button.hangup").click()

    wrap = page.locator('form.wrapping[data-interaction="web-1"]')
    expect(state).to_have_text("wrap up")
    wrap.locator("select.disposition").select_option("sale")
    wrap.locator("textarea.notes").fill("wants the yearly plan")
    wrap.locator("button.done").click()
    expect(state).to_have_text("available")
    expect(page.locator('#recent tr[data-interaction="web-1"] .disposition')).to_have_text("sale")

    with site.h.server.sessions() as session:
        (row,) = search_interactions(session, agent_id="early-1").items
    assert (row.interaction_id, row.outcome, row.disposition, row.caller_number) == (
        "web-1", "completed", "sale", "+4930555123")


def test_a_refused_action_shows_the_apis_message(site: Site, page: Page) -> None:
    """A wrap-up the server refuses (the queue requires a disposition, set on the admin's
    Queues screen) shows its message beside the disposition; with a code chosen the
    wrap-up goes through."""
    with site.h.server.sessions.begin() as session:
        save_disposition(session, "sale", "Sale")
    _log_in(page, site, "root")  # the admin's Queues screen sets the requirement
    page.wait_for_url(lambda url: url != site.url + "/")
    page.goto(site.url + "/admin/queues")
    page.get_by_role("button", name="Edit hotline").click()
    form = page.locator("#queue-form")
    form.get_by_label("Agents must choose a disposition code at wrap-up").check()
    form.get_by_role("button", name="Save queue").click()
    expect(page.locator(".section-body .status")).to_contain_text("Queue hotline saved")
    admin = site.h.auth("root")
    assert site.h.get("/api/admin/queues/hotline",
                      headers=admin).json()["require_disposition"] is True
    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url(site.url + "/")
    _log_in(page, site, "early-1")
    page.wait_for_url(site.url + "/desktop")
    desktop_ready(page)
    page.click("#login")
    page.click("#ready")
    expect(page.locator("#state")).to_have_text("available")
    site.h.inject(InteractionArrived("web-2", "hotline"))
    page.locator('.call.offer[data-interaction="web-2"] button.accept').click()
    page.locator('.call.connected[data-interaction="web-2"] button.hangup').click()
    wrap = page.locator('form.wrapping[data-interaction="web-2"]')
    wrap.locator("button.done").click()
    expect(wrap.locator(".field-error")).to_contain_text("requires a disposition code")
    expect(wrap.locator("select.disposition")).to_be_focused()
    expect(page.locator("#state")).to_have_text("wrap up")
    wrap.locator("select.disposition").select_option("sale")
    wrap.locator("button.done").click()
    expect(page.locator("#state")).to_have_text("available")


def test_the_wallboard_follows_the_queue_and_the_agents(site: Site, page: Page,
                                                        tmp_path: Path) -> None:
    """A supervisor's wallboard shows the waiting count go up on a call's arrival and
    down when it is offered, and the agent's state change."""
    with site.h.server.sessions.begin() as session:  # sup-2 supervises early-1 and early-2
        team = create_team(session, "wall")
        for agent_id in ("early-1", "early-2"):
            if session.get(AgentRow, agent_id) is None:
                save_agent(session, AgentConfig(agent_id))
            add_agent(session, team, agent_id)
        add_supervisor(session, team, get_user(session, "sup-2"))
    _log_in(page, site, "sup-2")
    page.wait_for_url(site.url + "/wallboard")
    tile = page.locator('.tile[data-queue="hotline"]')
    row = page.locator('#agents tr[data-agent="early-1"]')
    expect(tile.locator(".waiting")).to_have_text("0")
    expect(row.locator(".state")).to_have_text("logged out")
    expect(page.locator("#agents tr")).to_have_count(2)  # its team's agents only

    before = time.monotonic()
    site.h.inject(InteractionArrived("wb-1", "hotline"))
    expect(tile.locator(".waiting")).to_have_text("1")
    oldest = tile.locator(".oldest")
    expect(oldest).to_have_text(re.compile(r"^\d+:\d\d$"))
    minutes, seconds = oldest.inner_text().split(":")
    # It ticks from the arrival: never more than the real time since the injection
    # (times the server's speed), however slowly the page drew it.
    speed = site.h.server.settings.speed
    assert 60 * int(minutes) + int(seconds) <= (time.monotonic() - before) * speed + 1

    me = site.h.auth("early-1")
    assert site.h.post("/api/agents/early-1/login", headers=me).status_code == 200
    expect(row.locator(".state")).to_have_text("reserved")  # offered the waiting call
    expect(tile.locator(".waiting")).to_have_text("0")
    expect(page.locator('.count[data-state="reserved"] strong')).to_have_text("1")
    site.h.post("/api/agents/early-1/accept", headers=me, json={"interaction_id": "wb-1"})
    expect(row.locator(".state")).to_have_text("busy")
    page.screenshot(path=tmp_path / "wallboard.png", full_page=True)

    site.h.post("/api/agents/early-1/hangup", headers=me, json={"interaction_id": "wb-1"})
    site.h.post("/api/agents/early-1/wrapup", headers=me, json={"interaction_id": "wb-1"})
    expect(tile.locator(".answered")).to_have_text("1")
    expect(tile.locator(".sl")).to_have_text("100 %")


def test_the_wallboard_force_pauses_an_agent(site: Site, page: Page) -> None:
    """The Force pause button, once confirmed, pauses the agent with the chosen reason."""
    assert site.h.post("/api/agents/early-2/login",
                       headers=site.h.auth("early-2")).status_code == 200
    _log_in(page, site, "root")
    page.wait_for_url(site.url + "/wallboard")
    row = page.locator('#agents tr[data-agent="early-2"]')
    expect(row.locator(".state")).to_have_text("available")
    page.select_option("#pause-reason", "lunch")
    row.get_by_role("button", name="Force pause").click()
    dialog = page.locator("dialog#confirm")
    expect(dialog).to_contain_text("Force pause early-2 (lunch)?")
    dialog.get_by_role("button", name="Confirm").click()
    expect(row.locator(".state")).to_have_text("paused")
    expect(row.locator(".reason")).to_have_text("lunch")
    assert site.h.server.runtime.engine.agent_state("early-2").value == "paused"


def test_the_wallboard_reconnects_after_the_socket_drops(site: Site, page: Page) -> None:
    """While /api/ws is down the wallboard shows a disconnected banner and retries; once
    the server takes the socket again the banner goes and live updates resume."""
    routes: list[WebSocketRoute] = []
    refuse = [False]

    def through(ws: WebSocketRoute) -> None:
        if refuse[0]:
            ws.close(code=1011, reason="test: server away")
            return
        ws.connect_to_server()
        routes.append(ws)

    page.route_web_socket("**/api/ws", through)
    _log_in(page, site, "root")
    page.wait_for_url(site.url + "/wallboard")
    banner = page.locator("#banner")
    waiting = page.locator('.tile[data-queue="hotline"] .waiting')
    expect(waiting).to_have_text("0")
    expect(banner).to_be_hidden()

    refuse[0] = True
    routes[-1].close(code=1011, reason="test: dropped")
    expect(banner).to_contain_text("Disconnected")
    refuse[0] = False
    for _ in range(200):  # a later retry gets through
        if len(routes) == 2:
            break
        page.wait_for_timeout(50)
    assert len(routes) == 2
    expect(banner).to_be_hidden()
    site.h.inject(InteractionArrived("rc-1", "hotline"))
    expect(waiting).to_have_text("1")


def test_a_wrong_password_shows_the_error(site: Site, page: Page) -> None:
    """A failed login stays on the form and shows the API's message."""
    page.goto(site.url + "/")
    page.fill("#username", "early-1")
    page.fill("#password", "not-the-password")
    page.click("#login-button")
    expect(page.locator("#error")).to_contain_text("wrong username or password")
    assert page.url == site.url + "/"
    assert page.context.cookies() == []


def test_an_agent_holds_resumes_and_transfers_to_a_number(site: Site, page: Page) -> None:
    """Hold shows the call on hold and tells telephony; resume; a transfer to a number
    ends the agent's part (wrap-up) and the row says where the call went."""
    _log_in(page, site, "early-2")
    page.wait_for_url(site.url + "/desktop")
    desktop_ready(page)
    page.click("#login")
    page.click("#ready")
    expect(page.locator("#state")).to_have_text("available")
    site.h.inject(InteractionArrived("web-9", "hotline", caller="+4930555999"))
    page.locator('.call.offer[data-interaction="web-9"] button.accept').click()
    call = page.locator('.call.connected[data-interaction="web-9"]')
    call.locator("button.hold").click()
    expect(call.locator("h3")).to_have_text("On hold")
    expect(call.locator("button.hold")).to_have_text("Resume")
    call.locator("button.hold").click()
    expect(call.locator("h3")).to_have_text("On a call")
    assert [c.held for c in site.h.telephony.commands
            if isinstance(c, Hold) and c.interaction_id == "web-9"] == [True, False]
    call.locator("input.transfer-number").fill("+49 30 555 0000")
    call.get_by_role("button", name="Transfer to number").click()
    expect(page.locator('form.wrapping[data-interaction="web-9"]')).to_be_visible()
    assert TransferExternal("web-9", "+49305550000") in site.h.telephony.commands
