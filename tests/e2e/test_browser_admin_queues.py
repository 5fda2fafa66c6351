"""The administration's queue and agent screens in chromium: a queue made in the
browser routes calls at once to an agent the browser gave it to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.core.events import InteractionArrived
from tests.api.conftest import password
from tests.e2e.conftest import Site, desktop_ready

TIMEOUT = 15_000


@pytest.fixture
def admin(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page for the admin."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def agent(chromium: Browser) -> Iterator[Page]:
    """A second context: the agent's own browser."""
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


def test_a_queue_made_in_the_browser_sends_its_calls_to_the_agent_given_it(
        site: Site, admin: Page, agent: Page) -> None:
    """An invalid max wait shows the server's error beside its field; the corrected
    queue is created; the agent given the queue on the Agents screen is offered its call."""
    _log_in(admin, site, "root")
    admin.wait_for_url(lambda url: url != site.url + "/")  # logged in: on its start page
    admin.goto(site.url + "/admin/queues")
    admin.click("#new-queue")
    form = admin.locator("#queue-form")
    form.locator('input[name="id"]').fill("web-sales")
    form.locator('input[name="max_wait"]').fill("-5")
    form.get_by_role("button", name="Create queue").click()

    max_wait = form.locator('input[name="max_wait"]')
    expect(max_wait).to_have_attribute("aria-invalid", "true")
    error = form.locator("#max_wait-error")
    expect(error).to_contain_text("max_wait must be > 0 seconds")
    assert max_wait.get_attribute("aria-describedby") == "max_wait-error"
    expect(max_wait).to_be_focused()
    expect(admin.locator("#queue-list tr[data-queue='web-sales']")).to_have_count(0)

    max_wait.fill("90")
    form.get_by_role("button", name="Create queue").click()
    row = admin.locator("#queue-list tr[data-queue='web-sales']")
    expect(row).to_contain_text("90 s")
    expect(admin.locator(".section-body .status")).to_have_text(
        "Queue web-sales created: it routes calls now.")

    admin.goto(site.url + "/admin/agents")
    admin.get_by_role("button", name="Edit early-1").click()
    agent_form = admin.locator("#agent-form")
    agent_form.get_by_role("button", name="Add a queue").click()
    added = agent_form.locator("fieldset[name='queues'] li").last
    added.locator("select").select_option("web-sales")
    added.locator("input[type='number']").fill("1")
    agent_form.get_by_role("button", name="Save agent").click()
    expect(admin.locator("#agent-list tr[data-agent='early-1']")).to_contain_text("web-sales (1)")

    _log_in(agent, site, "early-1")
    agent.wait_for_url(site.url + "/desktop")
    desktop_ready(agent)
    agent.click("#login")
    agent.click("#ready")
    expect(agent.locator("#state")).to_have_text("available")
    site.h.inject(InteractionArrived("sales-1", "web-sales", caller="+4930555777"))
    offer = agent.locator('.call.offer[data-interaction="sales-1"]')
    expect(offer.locator(".queue")).to_have_text("web-sales")
    expect(offer.locator(".caller")).to_have_text("+4930555777")
