"""A real server and Debian's chromium for browser tests.

The app is the API tests' (`tests.api.conftest.start`: the hotline example from a
Monday 09:00, no bots, `FakeTelephony`), served by uvicorn on a free loopback port
on the harness's event loop, so the test injects calls while the browser watches.
Playwright drives `/usr/bin/chromium`; it never downloads a browser. Without that
file the tests skip, except under CI, where they fail (`tests/tools.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.api.conftest import Harness, start
from tests.serving import serving_app
from tests.tools import CHROMIUM, require

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass(frozen=True)
class Site:
    """The started app (to inject calls and read the store) and its URL."""

    h: Harness
    url: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A fresh app on a SQLite file, served on a loopback port."""
    for harness in start(f"sqlite:///{tmp_path / 'e2e.db'}"):
        with harness.portal.wrap_async_context_manager(serving_app(harness.app)) as url:
            yield Site(harness, url)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's chromium under Playwright (skips without it, fails under CI)."""
    require("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def desktop_ready(page: Page) -> None:
    """Wait until the agent desktop has drawn the agent's state (logged out): its script
    has wired the buttons, so a click is not lost on a page still loading."""
    expect(page.locator("#state")).to_have_text("logged out")
