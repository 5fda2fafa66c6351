"""Cross-site requests refused: the `Origin` check of every state-changing request and of
the WebSocket handshake (an ASGI middleware, so it runs before any body is read).

A browser sends the session cookie with any request to this host, whichever page
asks (SameSite treats another port of the same host as the same site). So:

- a request with a method that changes state (anything but GET, HEAD, OPTIONS) and
  the WebSocket handshake are refused with **403** when they carry an `Origin` (else
  a `Referer`) that is neither this server's own origin (the scheme and `Host` of the
  request) nor one of `ServerSettings.allowed_origins`;
- such a request carrying neither header is refused too when it would be
  authenticated by the session cookie (no `Authorization: Bearer`): browsers always
  send `Origin` on these, so only a stripped request lacks it;
- scripts that authenticate with a bearer token and send no `Origin` pass.

The 403 body names the origin and what was expected; a refused WebSocket handshake
is answered 403 with the same body where the server allows it (the ASGI
`websocket.http.response` extension), else closed before it opens.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from callcenter.api.auth import COOKIE_NAME

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL (lower case, default ports dropped); None when it
    has none (`null`, a relative or malformed URL)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in {"http", "https"} or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def own_origin(scope: Scope, headers: Headers) -> str | None:
    """The origin this request was sent to: its scheme and `Host` header."""
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"),
                                                  scope.get("scheme", "http"))
    host = headers.get("host")
    return origin_of(f"{scheme}://{host}") if host else None


def _cookie_only(headers: Headers) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return False
    return f"{COOKIE_NAME}=" in headers.get("cookie", "")


def refusal(scope: Scope, allowed: Collection[str]) -> str | None:
    """Why this request is refused as cross-site, or None when it may go on."""
    if scope["type"] == "http" and scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    sent = headers.get("origin")
    named = "Origin"
    if sent is None and headers.get("referer"):
        sent, named = headers["referer"], "Referer"
    own = own_origin(scope, headers)
    if sent is None:
        if _cookie_only(headers):
            return ("cross-site check: a request authenticated by the session cookie must "
                    "carry an Origin (or Referer) header")
        return None
    origin = origin_of(sent)
    if origin is not None and (origin == own or origin in allowed):
        return None
    shown = origin or sent[:100]
    expected = ", ".join([o for o in [own] if o] + sorted(allowed)) or "none"
    return (f"cross-site request refused: {named} {shown!r} is not this server's origin "
            f"(expected {expected})")


class OriginCheck:
    """The ASGI middleware (outermost but for the size limit: nothing is read first)."""

    def __init__(self, app: ASGIApp, allowed: Collection[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(o for o in (origin_of(a) for a in allowed) if o)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        reason = refusal(scope, self.allowed)
        if reason is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await receive()  # websocket.connect: the handshake is answered after it
        body = json.dumps({"detail": reason}).encode()
        start = {"status": 403, "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]}
        if scope["type"] == "http":
            await send({"type": "http.response.start", **start})
            await send({"type": "http.response.body", "body": body})
        elif "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", **start})
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
