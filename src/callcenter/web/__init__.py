"""The browser UI: one page per screen, for every role, over the JSON API.

One way to build every screen: a static HTML shell in `static/` and small ES modules,
no build step and nothing fetched from elsewhere. The modules read and change
everything through the JSON API (`/api/...`) with the session cookie that
`POST /api/login` sets, and follow the event stream (`/api/ws`) so that no screen
needs a reload to show a change. `nav.js` draws the one navigation bar, by role, from
`GET /api/me`; `charts.js` wraps the vendored Chart.js.

    app.include_router(callcenter.web.router)
    install_error_pages(app)

- `GET /`: the login form (after login: agents to `/desktop`, others to `/wallboard`);
- `GET /desktop`: an agent's desktop; without a login 303 to `/`, a supervisor or
  admin 303 to `/wallboard`;
- `GET /wallboard`: supervisors and admins; without a login 303 to `/`, an agent
  303 to `/desktop`;
- an agent user linked to no agent (and no agent of its name) has neither page: both
  303 to `/`, which shows whom the login belongs to (sent from one page to the other,
  its browser went round until it gave up).
- the other screens (`PAGES`): without a login 303 to `/`; a role they are not for
  gets the HTML 403 page;
- any other path outside `/api`, `/static` and the documentation: the HTML 404 page
  (the API keeps answering JSON).
- `GET /static/{name}`: the pages' scripts, styles and icon.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from callcenter.api.auth import STAFF, Principal, Role
from callcenter.api.deps import credential
from callcenter.api.state import server_of

__all__ = ["PAGES", "STATIC", "Page", "install_error_pages", "router"]

STATIC = Path(str(resources.files("callcenter.web") / "static"))
"""The folder the pages and assets are served from (shipped as package data)."""

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Everything comes from this origin; the pages use no inline script or style.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "media-src 'self' blob:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True, slots=True)
class Page:
    """A screen: the shell it is served from and the roles it is for."""

    file: str
    roles: frozenset[Role]


_ADMIN = frozenset({Role.ADMIN})
PAGES: dict[str, Page] = {
    "/admin": Page("admin.html", _ADMIN),
    "/admin/{section}": Page("admin.html", _ADMIN),
    "/campaigns": Page("campaigns.html", STAFF),
    "/campaigns/{name}": Page("campaigns.html", STAFF),
    "/cases": Page("cases.html", STAFF),
    "/orders": Page("orders.html", STAFF),
    "/customers": Page("customers.html", STAFF),
    "/customers/{customer_id}": Page("customers.html", STAFF),
    "/reports": Page("reports.html", STAFF),
    "/reports/{section}": Page("reports.html", STAFF),
    "/reports/interactions/{interaction_id}": Page("reports.html", STAFF),
    "/surveys": Page("surveys.html", STAFF),
    "/surveys/{name}": Page("surveys.html", STAFF),
}
"""The screens besides the login, the desktop and the wallboard, by path. A shell's
module reads `location.pathname` for the section or object it shows."""

router = APIRouter(include_in_schema=False)


def _file(name: str, code: int = status.HTTP_200_OK) -> FileResponse:
    path = STATIC / name
    return FileResponse(path, status_code=code, media_type=MEDIA_TYPES[path.suffix],
                        headers=_HEADERS)


def _user(request: Request) -> Principal | None:
    token = credential(request)
    return server_of(request).logins.lookup(token) if token else None


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER,
                            headers={"Cache-Control": "no-store"})


@router.get("/")
async def login_page() -> Response:
    """The login form."""
    return _file("login.html")


@router.get("/desktop")
async def desktop_page(request: Request) -> Response:
    """The agent desktop (a logged-in user acting as an agent)."""
    user = _user(request)
    if user is None:
        return _go("/")
    if user.agent_id is None:
        return _go("/wallboard" if user.role in STAFF else "/")
    return _file("desktop.html")


@router.get("/wallboard")
async def wallboard_page(request: Request) -> Response:
    """The supervisor wallboard (supervisors and admins)."""
    user = _user(request)
    if user is None:
        return _go("/")
    if user.role not in STAFF:
        return _go("/" if user.agent_id is None else "/desktop")
    return _file("wallboard.html")


def _screen(page: Page) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        user = _user(request)
        if user is None:
            return _go("/")
        if user.role not in page.roles:
            return _file("403.html", status.HTTP_403_FORBIDDEN)
        return _file(page.file)
    return serve


for _path, _page in PAGES.items():
    router.add_api_route(_path, _screen(_page), methods=["GET"],
                         name=f"page {_path}")


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """A script, style sheet or image of the pages (only files of known types)."""
    path = STATIC / name
    if ("/" in name or "\\" in name or name.startswith(".") or path.suffix not in MEDIA_TYPES
            or not path.is_file()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return _file(name)


_MACHINE = ("/api", "/static", "/openapi.json", "/metrics", "/docs", "/redoc")


def _for_people(request: Request) -> bool:
    path = request.url.path
    return (request.method in ("GET", "HEAD")
            and not any(path == p or path.startswith(p + "/") for p in _MACHINE))


async def _page_errors(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_404_NOT_FOUND and _for_people(request):
        return _file("404.html", status.HTTP_404_NOT_FOUND)
    return await http_exception_handler(request, exc)


def install_error_pages(app: FastAPI) -> None:
    """Answer a person's browser with the HTML 404 page where no page is; the API and
    the assets keep their JSON errors."""
    app.add_exception_handler(StarletteHTTPException, _page_errors)
