"""The browser UI over HTTP: pages and assets with their content types, and the pages
that need a login sending a browser without one (or with the wrong role) elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from callcenter.web import STATIC
from tests.api.conftest import Harness, start


@pytest.fixture(scope="module")
def h(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One started app on a SQLite file for the module."""
    yield from start(f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}")


def _cookie(h: Harness, username: str) -> dict[str, str]:
    """A browser's request headers after `username` logged in: the session cookie only."""
    return {"Cookie": f"callcenter_session={h.token(username)}"}


def test_the_login_page_is_html_with_a_form(h: Harness) -> None:
    """GET / answers the login form as HTML, with a same-origin content security policy."""
    r = h.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form id="login-form"' in r.text and 'type="password"' in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize(("name", "media_type"), [
    ("common.js", "text/javascript; charset=utf-8"),
    ("desktop.js", "text/javascript; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"),
    ("icon.svg", "image/svg+xml"),
])
def test_assets_have_their_content_types(h: Harness, name: str, media_type: str) -> None:
    """Scripts, style sheet and icon come from /static/ with the right content type."""
    r = h.get(f"/static/{name}")
    assert (r.status_code, r.headers["content-type"]) == (200, media_type)
    assert r.content == (STATIC / name).read_bytes()


@pytest.mark.parametrize("path", ["/static/nothing.js", "/static/..%2Fweb%2F__init__.py",
                                  "/static/__init__.py", "/static/.hidden.js"])
def test_other_files_are_not_served(h: Harness, path: str) -> None:
    """Unknown names, other types and paths out of the folder are 404."""
    assert h.get(path).status_code == 404


def test_every_asset_a_page_names_exists() -> None:
    """Each /static/ file a page or script refers to is in the package's static folder."""
    named: set[str] = set()
    for page in STATIC.glob("*.html"):
        named.update(re.findall(r'(?:src|href)="/static/([^"]+)"', page.read_text()))
    for script in STATIC.glob("*.js"):
        named.update(re.findall(r'from "\./([^"]+)"', script.read_text()))
    assert named and {n for n in named if not (STATIC / n).is_file()} == set()


@pytest.mark.parametrize("path", ["/wallboard", "/desktop"])
def test_a_browser_without_a_login_is_sent_to_the_login_page(h: Harness, path: str) -> None:
    """Without a session cookie the page answers 303 to /."""
    r = h.get(path)
    assert (r.status_code, r.headers["location"]) == (303, "/")
    stale = h.get(path, headers={"Cookie": "callcenter_session=expired-or-made-up"})
    assert (stale.status_code, stale.headers["location"]) == (303, "/")


def test_an_agent_gets_the_desktop_and_not_the_wallboard(h: Harness) -> None:
    """An agent's cookie opens /desktop; /wallboard sends it to /desktop."""
    cookie = _cookie(h, "early-1")
    desk = h.get("/desktop", headers=cookie)
    assert (desk.status_code, desk.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert '<script type="module" src="/static/desktop.js">' in desk.text
    r = h.get("/wallboard", headers=cookie)
    assert (r.status_code, r.headers["location"]) == (303, "/desktop")


@pytest.mark.parametrize("username", ["sup", "root"])
def test_staff_get_the_wallboard_and_not_the_desktop(h: Harness, username: str) -> None:
    """A supervisor's or admin's cookie opens /wallboard; /desktop (no agent) sends it there."""
    cookie = _cookie(h, username)
    board = h.get("/wallboard", headers=cookie)
    assert (board.status_code, board.headers["content-type"]) == (200,
                                                                  "text/html; charset=utf-8")
    assert '<script type="module" src="/static/wallboard.js">' in board.text
    r = h.get("/desktop", headers=cookie)
    assert (r.status_code, r.headers["location"]) == (303, "/wallboard")


def test_every_page_has_one_sign_out_link() -> None:
    """Each page offers exactly one sign-out link (the login page once signed in), and
    every page but the login has the navigation bar."""
    pages = sorted(STATIC.glob("*.html"))
    assert [p.name for p in pages] == ["403.html", "404.html", "admin.html", "campaigns.html",
                                       "cases.html", "customers.html",
                                       "desktop.html", "login.html", "orders.html",
                                       "reports.html",
                                       "surveys.html", "wallboard.html"]
    assert all(p.read_text().count("data-logout") == 1 for p in pages)
    assert all('<nav id="nav" aria-label="Main">' in p.read_text()
               for p in pages if p.name != "login.html")


@pytest.mark.parametrize("path", ["/nothing-here", "/admin/x/y", "/wallboard/extra"])
def test_a_browser_gets_the_html_404_page_where_no_page_is(h: Harness, path: str) -> None:
    """A page path that does not exist answers the friendly HTML 404 page."""
    r = h.get(path, headers=_cookie(h, "root"))
    assert (r.status_code, r.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert "404 · Page not found" in r.text


@pytest.mark.parametrize("path", ["/api/nothing", "/static/nothing.js", "/api/admin/queues/zz"])
def test_the_api_and_assets_keep_json_404s(h: Harness, path: str) -> None:
    """Under /api and /static a 404 stays JSON with its detail."""
    r = h.get(path, headers=_cookie(h, "root"))
    assert (r.status_code, r.headers["content-type"]) == (404, "application/json")
    assert r.json()["detail"]


@pytest.mark.parametrize(("username", "path"), [
    ("early-1", "/admin"), ("early-1", "/reports"), ("early-1", "/campaigns/x"),
    ("early-1", "/surveys/x"), ("sup", "/admin/queues")])
def test_a_role_a_page_is_not_for_gets_the_html_403_page(h: Harness, username: str,
                                                         path: str) -> None:
    """An agent on a staff screen, a supervisor on administration: the HTML 403 page."""
    r = h.get(path, headers=_cookie(h, username))
    assert (r.status_code, r.headers["content-type"]) == (403, "text/html; charset=utf-8")
    assert "403 · Not for your role" in r.text


@pytest.mark.parametrize(("username", "path", "script"), [
    ("root", "/admin", "admin.js"), ("root", "/admin/queues", "admin.js"),
    ("sup", "/campaigns", "campaigns.js"), ("sup", "/reports/interactions/ix-9", "reports.js"),
    ("root", "/reports", "reports.js")])
def test_each_role_opens_its_screens(h: Harness, username: str, path: str,
                                     script: str) -> None:
    """An admin opens administration, staff open campaigns and reports: each the shell
    of its module."""
    r = h.get(path, headers=_cookie(h, username))
    assert (r.status_code, r.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert f'<script type="module" src="/static/{script}">' in r.text


def test_the_pages_are_not_in_the_api_schema(h: Harness) -> None:
    """/openapi.json lists the API only, not the pages or assets."""
    paths = h.get("/openapi.json").json()["paths"]
    assert not {"/", "/desktop", "/wallboard", "/static/{name}"} & set(paths)


def test_staff_open_the_survey_results_page(h: Harness) -> None:
    """A supervisor's cookie opens /surveys/{campaign}: the shell with its module and charts."""
    r = h.get("/surveys/poll", headers=_cookie(h, "sup"))
    assert r.status_code == 200
    assert '<script type="module" src="/static/surveys.js">' in r.text
    assert '<script src="/static/vendor/chart.umd.min.js">' in r.text
