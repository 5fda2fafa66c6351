"""The administration screen in a real browser (Debian's chromium) against a real
server: the server's field errors show beside their fields, a saved record shows in
the list, and the audit log shows the change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import password
from tests.e2e.conftest import Site

pytestmark = pytest.mark.requires_tool("chromium")  # skipped without it, failed under CI

TIMEOUT = 10_000  # ms a page may take to show a change


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page, at a laptop's size."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
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
    page.wait_for_url(site.url + "/wallboard")  # where staff land


def test_a_skill_error_shows_beside_its_field_then_the_skill_is_listed(site: Site,
                                                                       page: Page) -> None:
    """A skill id of 101 characters is refused beside the id field; a valid id is saved,
    listed, and said to be saved."""
    _log_in(page, site, "root")
    page.goto(site.url + "/admin/skills")
    page.get_by_role("button", name="New skill").click()
    page.get_by_label("Skill id").fill("x" * 101)
    page.get_by_label("Description").fill("Speaks Italian")
    page.get_by_role("button", name="Create").click()
    error = page.locator('input[name="id"] + .field-error')
    expect(error).to_contain_text("at most 100 characters")
    expect(page.get_by_label("Skill id")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Skill id").fill("italian")
    page.get_by_role("button", name="Create").click()
    expect(page.locator('tr[data-key="italian"]')).to_contain_text("Speaks Italian")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text(
        "Saved skill “italian”.")
