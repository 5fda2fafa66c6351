"""The interactive API documentation, `/docs` (Swagger UI) and `/redoc` (ReDoc), served
with nothing from the internet.

FastAPI's own pages load their scripts, styles and fonts from a CDN, so a machine
without internet showed blank pages. These are the same pages
(`get_swagger_ui_html`, `get_redoc_html`) pointing at copies shipped in the package,
`static/vendor/` (versions, licences and hashes in its README.md), served by
`GET /static/vendor/{name}`. Swagger UI's online validator is off. The app is created
with `docs_url=None, redoc_url=None` and includes this router.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["OPENAPI_URL", "VENDOR", "router"]

OPENAPI_URL = "/openapi.json"
VENDOR = Path(__file__).with_name("static") / "vendor"
"""swagger-ui-dist 5.35.0 and redoc 2.5.4 (npm), unchanged."""
TITLE = "callcenter API"
ICON = "/static/icon.svg"

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The pages' own inline script starts Swagger UI; ReDoc runs a worker from a blob.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "worker-src 'self' blob:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)


def _page(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(_HEADERS)
    return page


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    """Swagger UI on the app's OpenAPI document."""
    return _page(get_swagger_ui_html(
        openapi_url=OPENAPI_URL, title=f"{TITLE} - Swagger UI",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css", swagger_favicon_url=ICON,
        swagger_ui_parameters={"validatorUrl": None}))


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    """ReDoc on the app's OpenAPI document."""
    return _page(get_redoc_html(
        openapi_url=OPENAPI_URL, title=f"{TITLE} - ReDoc",
        redoc_js_url="/static/vendor/redoc.standalone.js", redoc_favicon_url=ICON,
        with_google_fonts=False))


@router.get("/static/vendor/{name}")
async def vendored(name: str) -> Response:
    """A vendored script or style sheet of the documentation pages."""
    path = VENDOR / name
    if ("/" in name or "\\" in name or name.startswith(".") or path.suffix not in _TYPES
            or not path.is_file()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset {name!r}")
    return FileResponse(path, media_type=_TYPES[path.suffix],
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "no-cache"})
