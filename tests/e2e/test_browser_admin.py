"""The administration screen in a real browser (Debian's chromium) against a real
server: the server's field errors show beside their fields, a saved record shows in
the list, and the audit log shows the change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from callcenter.store.audit import audit
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


def test_a_user_refused_then_saved_shows_in_the_list_and_the_audit_log(site: Site,
                                                                      page: Page) -> None:
    """A new user with a 5-character password gets the server's error beside the password
    field; with a good one it is listed and said saved; the audit log filtered by user
    root shows its creation, not another admin's entry about the same user."""
    with site.h.server.sessions.begin() as session:  # someone else's entry about nadia
        audit(session, actor="ann", action="update", entity="user", entity_id="nadia",
              after={"role": "agent"})
    _log_in(page, site, "root")
    page.goto(site.url + "/admin/users")
    page.get_by_role("button", name="New user").click()
    page.get_by_label("Username").fill("Nadia")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_role("button", name="Create").click()

    password_field = page.get_by_label("Password")
    expect(page.locator('input[name="password"] + .field-error')).to_have_text(
        "must be at least 10 characters, got 5")
    expect(password_field).to_have_attribute("aria-invalid", "true")
    expect(password_field).to_be_focused()
    password_field.fill("correct horse battery")
    page.get_by_role("button", name="Create").click()

    row = page.locator('tr[data-key="nadia"]')  # usernames are stored in lower case
    expect(row).to_contain_text("Supervisor")
    expect(page.locator(".crud-status")).to_have_text("Saved user “nadia”.")
    expect(page.get_by_role("button", name="Edit user nadia")).to_be_focused()

    page.goto(site.url + "/admin/audit")
    page.get_by_label("User").fill("root")
    page.get_by_label("Object id").fill("nadia")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_have_text("Entries 1–1 of 1, newest first.")
    entry = page.locator("table.audit tbody tr")
    expect(entry.locator(".actor")).to_have_text("root")
    expect(entry.locator(".action")).to_have_text("create")
    expect(entry.locator(".object")).to_have_text("user nadia")
    expect(entry.locator("pre.change")).to_contain_text("role: supervisor")


def test_a_calendar_is_edited_without_json(site: Site, page: Page) -> None:
    """A calendar with an unknown time zone gets the error beside the time zone; then
    Monday-Friday hours and a holiday picked on the page are stored as such."""
    _log_in(page, site, "root")
    page.goto(site.url + "/admin/calendars")
    page.get_by_role("button", name="New calendar").click()
    page.get_by_label("Calendar id").fill("support")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Set Monday–Friday 09:00–17:00").click()
    page.get_by_label("Closes (span 5)").fill("13:00")
    page.get_by_label("Holiday to add").fill("2026-12-25")
    page.get_by_role("button", name="Add holiday").click()
    page.get_by_role("button", name="Create").click()
    expect(page.locator('input[name="timezone"] + .field-error')).to_contain_text("Mars/Olympus")

    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Create").click()
    expect(page.locator('tr[data-key="support"]')).to_contain_text(
        "Mon–Thu 09:00–17:00, Fri 09:00–13:00")
    r = site.h.get("/api/admin/calendars/support", headers=site.h.auth("root"))
    assert r.json() == {
        "id": "support", "timezone": "Europe/Berlin", "holidays": ["2026-12-25"],
        "hours": [{"weekday": 0, "opens": "09:00:00", "closes": "17:00:00"},
                  {"weekday": 1, "opens": "09:00:00", "closes": "17:00:00"},
                  {"weekday": 2, "opens": "09:00:00", "closes": "17:00:00"},
                  {"weekday": 3, "opens": "09:00:00", "closes": "17:00:00"},
                  {"weekday": 4, "opens": "09:00:00", "closes": "13:00:00"}]}


def test_a_customer_is_exported_then_erased_after_typing_their_name(site: Site,
                                                                     page: Page) -> None:
    """Privacy: the export downloads the customer's JSON; the erasure refuses a wrong
    name beside the field, and with the right one the customer is listed as erased."""
    made = site.h.post("/api/admin/customers", json={"name": "Ada Lovelace",
                                                     "numbers": ["+4930555777"]},
                       headers=site.h.auth("root"))
    assert made.status_code == 201, made.text
    _log_in(page, site, "root")
    page.goto(site.url + "/admin/privacy")
    page.get_by_label("Name contains").fill("Lovelace")
    page.get_by_role("button", name="Find").click()
    row = page.get_by_role("row", name="Ada Lovelace")
    with page.expect_download() as info:
        row.get_by_role("button", name="Export JSON").click()
    assert info.value.suggested_filename == f"customer-{made.json()['id']}.json"
    row.get_by_role("button", name="Erase…").click()
    page.get_by_label("Customer's name").fill("Ada")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.locator('input[name="confirm_name"] + .field-error')).to_have_text(
        "is not the customer's name")
    page.get_by_label("Customer's name").fill("Ada Lovelace")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("status").filter(has_text="erased")).to_contain_text(
        "1 numbers")
    page.get_by_label("Name contains").fill("(erased)")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("row", name="(erased)")).to_be_visible()
