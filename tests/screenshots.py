"""Screenshots of every main screen, from a fresh demo, in one command.

    make screenshots                        # the same as:
    python -m tests.screenshots             # writes docs/screenshots/*.png and docs/screens.md
    python -m tests.screenshots --only wallboard,desktop-call --out /tmp/shots

Starts `callcenter demo` on a free loopback port with a temporary database (its
half-hour warm-up fills the queues and the day's figures), logs in as each role with
Playwright on Debian's chromium (`/usr/bin/chromium`, never a downloaded browser),
and saves one PNG per row of `SCREENS`: 1366x768 unless the row gives a width (375:
a phone). The agent goes ready and waits for an offer (with the caller's customer
popped up when the directory knows the number), then accepts it.

A new screen is one more row of `SCREENS`. A screen that is still a placeholder, or
that fails to draw, is photographed as it is, with a warning: the run goes on and
exits 1 at the end only if a screen could not be photographed at all.
`docs/screens.md` is written from the same table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import CHROMIUM_ARGS
from tests.serving import free_port, wait_until_serving
from tests.tools import CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("callcenter")
WIDE, HIGH = 1366, 768
PHONE_HIGH = 812


@dataclass(frozen=True)
class Screen:
    """One screenshot: file name (no suffix), who is logged in (None: nobody), the path
    (`{interaction}`: a completed call's id), a caption, the viewport width, and a step
    to take on the page first (a name in `STEPS`)."""

    name: str
    role: str | None
    path: str
    caption: str
    width: int = WIDE
    step: str = ""


SCREENS: tuple[Screen, ...] = (
    Screen("login", None, "/", "The login form"),
    Screen("desktop-offer", "agent", "/desktop", "Agent desktop: an offer with the caller's "
           "customer popped up", step="offer"),
    Screen("desktop-call", "agent", "/desktop", "Agent desktop: the call in progress",
           step="accept"),
    Screen("wallboard", "supervisor", "/wallboard", "Wallboard: queues, the day's figures, "
           "agents"),
    Screen("wallboard-tv", "supervisor", "/wallboard?tv=1", "Wallboard in TV mode, for a "
           "wall display"),
    Screen("admin", "admin", "/admin", "Administration"),
    Screen("admin-users", "admin", "/admin/users", "Administration: users"),
    Screen("admin-agents", "admin", "/admin/agents", "Administration: agents"),
    Screen("admin-teams", "admin", "/admin/teams", "Administration: teams"),
    Screen("admin-skills", "admin", "/admin/skills", "Administration: skills"),
    Screen("admin-queues", "admin", "/admin/queues", "Administration: queues"),
    Screen("admin-calendars", "admin", "/admin/calendars", "Administration: calendars"),
    Screen("admin-dispositions", "admin", "/admin/dispositions",
           "Administration: disposition codes"),
    Screen("admin-customers", "admin", "/admin/customers", "Administration: customers"),
    Screen("admin-ivr", "admin", "/admin/ivr", "Administration: IVR flows"),
    Screen("admin-audit", "admin", "/admin/audit", "Administration: audit log"),
    Screen("campaigns", "supervisor", "/campaigns", "Campaigns"),
    Screen("reports", "supervisor", "/reports", "Reports"),
    Screen("reports-queues", "supervisor", "/reports/queues", "Reports: queues"),
    Screen("reports-agents", "supervisor", "/reports/agents", "Reports: agents"),
    Screen("reports-campaigns", "supervisor", "/reports/campaigns", "Reports: campaigns"),
    Screen("reports-interactions", "supervisor", "/reports/interactions",
           "Reports: interactions"),
    Screen("interaction", "supervisor", "/reports/interactions/{interaction}",
           "Reports: one interaction's detail"),
    Screen("api-docs", "admin", "/docs", "The API's documentation (Swagger UI, served "
           "locally)"),
    Screen("desktop-phone", "agent", "/desktop", "Agent desktop at 375 px wide", width=375),
    Screen("wallboard-phone", "supervisor", "/wallboard", "Wallboard at 375 px wide",
           width=375),
)
"""Every main screen, in the order they are taken (and listed in docs/screens.md)."""

OFFER = ".call.offer"
TIMEOUT = 15_000  # ms, for a page to draw
OFFER_WAIT = 120_000  # ms, for the demo to offer the person a call


def _offer(page: Page, tries: int = 4) -> None:
    """Log the agent in, go ready, and wait for an offer, preferring one whose caller
    the directory knew (its customer shows): up to `tries` offers of unknown callers
    are rejected (going ready again should the engine pause the agent for them)."""
    page.locator("#state").filter(has_text="logged out").wait_for(timeout=TIMEOUT)
    page.click("#login")
    page.click("#ready")
    for _ in range(tries):
        page.locator(OFFER).first.wait_for(timeout=OFFER_WAIT)
        page.wait_for_timeout(300)
        if page.locator(f"{OFFER} .customer").count():
            return
        page.locator(f"{OFFER} button.reject").first.click()
        page.locator(OFFER).first.wait_for(state="detached", timeout=TIMEOUT)
        page.wait_for_timeout(500)
        if page.locator("#state").inner_text().strip() == "paused":
            page.click("#ready")
    page.locator(OFFER).first.wait_for(timeout=OFFER_WAIT)


def _accept(page: Page) -> None:
    """Accept the offer on the screen and wait for the connected call."""
    page.locator(f"{OFFER} button.accept").first.click()
    page.locator(".call.connected").first.wait_for(timeout=TIMEOUT)


STEPS: dict[str, Callable[[Page], None]] = {"offer": _offer, "accept": _accept}
"""What a screen's `step` does on the page before the picture."""


@contextlib.contextmanager
def demo(workdir: Path) -> Iterator[str]:
    """`callcenter demo` on a free loopback port with a database in `workdir`; its URL,
    once it serves. Stopped with Ctrl-C (SIGINT) afterwards."""
    port = free_port()
    log = workdir / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(CLI), "demo", "--port", str(port), "--db",
                                 str(workdir / "demo.db"), "--drain-seconds", "0"],
                                stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir,
                                env={**os.environ, "COLUMNS": "120"},
                                preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                 signal.SIG_DFL))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(proc, base, log)
            yield base
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def warmed_up(base: str, calls: int = 30, seconds: float = 120.0) -> str:
    """Wait until the demo has stored `calls` completed calls (its warm-up); the id of
    one of them."""
    token = httpx.post(f"{base}/api/login", json={"username": "supervisor",
                                                  "password": "supervisor"}).json()["token"]
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        while True:
            page = c.get("/api/interactions", params={"outcome": "completed"}).json()
            if page["total"] >= calls or (page["items"] and time.monotonic() > deadline):
                return str(page["items"][0]["interaction_id"])
            if time.monotonic() > deadline + 60:
                raise SystemExit(f"the demo at {base} completed no call")
            time.sleep(1)


class Photographer:
    """One browser context per (role, width), logged in through the login form."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.pages: dict[tuple[str | None, int], Page] = {}
        self.contexts: list[BrowserContext] = []

    def page(self, role: str | None, width: int) -> Page:
        key = (role, width)
        if key not in self.pages:
            context = self.browser.new_context(
                viewport={"width": width, "height": HIGH if width >= 1024 else PHONE_HIGH},
                reduced_motion="reduce")
            context.set_default_timeout(TIMEOUT)
            self.contexts.append(context)
            page = context.new_page()
            if role is not None:
                page.goto(self.base + "/")
                page.fill("#username", role)
                page.fill("#password", role)  # the demo's password is the login's name
                page.click("#login-button")
                page.wait_for_url(lambda url: not url.rstrip("/").endswith(str(self.base)))
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def settle(page: Page) -> None:
    """Wait for the page's script to draw: the signed-in name in the top bar (pages
    without it: the load event), then a moment for the live stream and the charts."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("load")
        if page.locator("#who").count():
            page.wait_for_function(
                "() => (document.getElementById('who')?.textContent || '').trim() !== ''",
                timeout=TIMEOUT)
    page.wait_for_timeout(1_500)


def shoot(screens: tuple[Screen, ...], out: Path, base: str, interaction: str) -> list[str]:
    """Take every screen into `out`; the names of those that could not be taken."""
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        shots = Photographer(browser, base)
        try:
            for s in screens:
                file = out / f"{s.name}.png"
                try:
                    page = shots.page(s.role, s.width)
                    path = s.path.format(interaction=interaction)
                    if s.step != "accept":  # accepting happens on the offer's page
                        page.goto(base + path)
                    settle(page)
                    if s.step:
                        try:
                            STEPS[s.step](page)
                        except PlaywrightTimeout as exc:
                            print(f"warning: {s.name}: {s.step}: {exc}", file=sys.stderr)
                        page.wait_for_timeout(500)
                    page.screenshot(path=str(file), animations="disabled")
                    print(f"{file}  {s.caption}")
                except Exception as exc:  # one screen never stops the rest
                    failed.append(s.name)
                    print(f"error: {s.name}: {exc}", file=sys.stderr)
        finally:
            shots.close()
            browser.close()
    return failed


def index(screens: tuple[Screen, ...]) -> str:
    """docs/screens.md: every screen with its caption and picture."""
    lines = ["# Screens", "",
             "Every main screen of the browser application, taken from a fresh `callcenter "
             "demo` by `make screenshots` (`python -m tests.screenshots`); regenerate them "
             "after changing a screen. The table of screens is `SCREENS` in "
             "tests/screenshots.py.", ""]
    for s in screens:
        who = f"logged in as `{s.role}`" if s.role else "not logged in"
        size = f"{s.width} px wide" if s.width != WIDE else f"{WIDE}x{HIGH}"
        lines += [f"## {s.caption}", "", f"`{s.path}`, {who}, {size}.", "",
                  f"![{s.caption}](screenshots/{s.name}.png)", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="Folder for the PNGs (default: docs/screenshots).")
    parser.add_argument("--only", default="",
                        help="Comma-separated screen names (default: all).")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"no {CHROMIUM}: install Debian's chromium (scripts/setup-system test)",
              file=sys.stderr)
        return 2
    wanted = {n for n in args.only.split(",") if n}
    unknown = wanted - {s.name for s in SCREENS}
    if unknown:
        print(f"no screen named {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if any(s.step == "accept" for s in SCREENS if s.name in wanted):  # needs an offer first
        wanted |= {s.name for s in SCREENS if s.step == "offer"}
    screens = tuple(s for s in SCREENS if not wanted or s.name in wanted)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="callcenter-screens-") as tmp, \
            demo(Path(tmp)) as base:
        interaction = warmed_up(base)
        failed = shoot(screens, args.out, base, interaction)
    if not wanted and args.out == ROOT / "docs" / "screenshots":
        (ROOT / "docs" / "screens.md").write_text(index(SCREENS), encoding="utf-8")
    if failed:
        print(f"not taken: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
