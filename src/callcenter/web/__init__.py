"""The browser UI: a login page, the agent desktop and the supervisor wallboard.

Plain HTML, CSS and JavaScript modules in `static/`, no build step and nothing
fetched from elsewhere; the pages talk to the JSON API (`/api/...`) and the event
stream (`/api/ws`) with the session cookie that `POST /api/login` sets.

    app.include_router(callcenter.web.router)

- `GET /`: the login form (after login: agents to `/desktop`, others to `/wallboard`);
- `GET /desktop`: an agent's desktop; without a login 303 to `/`, a supervisor or
  admin 303 to `/wallboard`;
- `GET /wallboard`: supervisors and admins; without a login 303 to `/`, an agent
  303 to `/desktop`;
- an agent user linked to no agent (and no agent of its name) has neither page: both
  303 to `/`, which shows whom the login belongs to (sent from one page to the other,
  its browser went round until it gave up).
- `GET /static/{name}`: the pages' scripts, styles and icon.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response

from callcenter.api.auth import STAFF, Principal
from callcenter.api.deps import credential
from callcenter.api.state import server_of

__all__ = ["STATIC", "router"]

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
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _file(name: str) -> FileResponse:
    path = STATIC / name
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=_HEADERS)


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


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """A script, style sheet or image of the pages (only files of known types)."""
    path = STATIC / name
    if ("/" in name or "\\" in name or name.startswith(".") or path.suffix not in MEDIA_TYPES
            or not path.is_file()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return _file(name)
