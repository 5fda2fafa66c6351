"""The edge of the server: every request's size and text checked before a route sees it.

`Edge` is an ASGI middleware around the whole app (`create_app` adds it), so no route,
old or new, can forget it:

- **Size.** A body larger than the route's limit is refused with 413 before it is read
  when its `Content-Length` says so, else as soon as the bytes that arrived pass the
  limit. Routes marked `@upload` (the CSV imports) may take `max_upload` bytes, every
  other route `max_body`.
- **Text a database cannot store** (`callcenter.core.text`: NUL, lone surrogates, bytes
  that are not UTF-8) is refused with 422 naming the field, in the path (named by the
  route's path parameter), the query string (by parameter), a JSON body (by the field's
  path, `capacity[0].slots`, as FastAPI names it), a form body, and the plain fields of a
  multipart body. A file in a multipart body and a CSV body are read by their route,
  whose CSV reader names the line and column (`callcenter.csv_import`); any other body is
  checked as UTF-8 text as it streams in. A WebSocket's path and query are checked too;
  its handshake is then refused with the 422 (or closed with 1007 where the server
  cannot send an HTTP answer).

A body checked whole (JSON, form) is read up to the limit, then handed to the app as
it came. A body checked as it streams (multipart, CSV, other) raises `BadText` or
`BodyTooLarge` from `receive` in the route that reads it: both are `HTTPException`s,
answered by `callcenter.api.errors`, and by the middleware itself when they reach it.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callcenter.api.errors import BadText, BodyTooLarge, FieldError, invalid
from callcenter.api.multipart import MultipartError, MultipartParser, Part, PartEnd, boundary_of
from callcenter.core.text import unstorable, unstorable_bytes

F = TypeVar("F", bound=Callable[..., Any])
_UPLOAD = "__callcenter_upload__"


def upload(endpoint: F) -> F:
    """Mark a route's endpoint as taking an upload (a CSV file): its body may be as
    large as the server's `max_upload`, not only `max_body`."""
    setattr(endpoint, _UPLOAD, True)
    return endpoint


def _pairs(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The (name, value) pairs of a query string or form body, percent-decoded."""
    for item in raw.split(b"&"):
        if item:
            name, _, value = item.replace(b"+", b" ").partition(b"=")
            yield unquote_to_bytes(name), unquote_to_bytes(value)


def check_pairs(raw: bytes) -> None:
    """`BadText` for the first parameter of a query string or form body whose name or
    value is not storable text."""
    for name, value in _pairs(raw):
        label = name.decode("utf-8", "replace")
        why = unstorable_bytes(name)
        if why is not None:
            raise BadText("query", f"a parameter name {why}")
        why = unstorable_bytes(value)
        if why is not None:
            raise BadText(label, why)


def _path_label(parts: list[str | int]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


def check_json(value: Any, parts: list[str | int] | None = None) -> None:
    """`BadText` for the first string (key or value) in a parsed JSON document that is
    not storable, named by its path."""
    parts = [] if parts is None else parts
    if isinstance(value, str):
        why = unstorable(value)
        if why is not None:
            raise BadText(_path_label(parts), why)
    elif isinstance(value, dict):
        for key, item in value.items():
            why = unstorable(key)
            if why is not None:
                raise BadText(_path_label(parts), f"a key {why}")
            check_json(item, [*parts, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_json(item, [*parts, i])


def _check_json_body(body: bytes) -> None:
    if b"\\u" not in body and b"\x00" not in body:  # the common case: plain UTF-8 text
        why = unstorable_bytes(body)
        if why is None:
            return
        raise BadText("body", why)
    why = unstorable_bytes(body)
    if why is not None:
        raise BadText("body", why)
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON: FastAPI's own check names it
    check_json(document)


class _TextStream:
    """Checks bytes arriving in chunks as UTF-8 text (for `field`)."""

    def __init__(self, field: str) -> None:
        self.field = field
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise BadText(self.field, f"is not UTF-8 text ({exc.reason})") from None
        why = unstorable(text)
        if why is not None:
            raise BadText(self.field, why)


class _MultipartFields:
    """Checks the plain fields of a multipart body as it streams in (files are left to
    their readers)."""

    def __init__(self, content_type: str) -> None:
        try:
            self._parser: MultipartParser | None = MultipartParser(boundary_of(content_type))
        except MultipartError:
            self._parser = None  # the route answers the malformed body
        self._field: _TextStream | None = None

    def feed(self, data: bytes, final: bool) -> None:
        if self._parser is None:
            return
        try:
            for event in self._parser.feed(data):
                if isinstance(event, Part):
                    why = unstorable(event.header_text)
                    if why is not None:
                        raise BadText(event.name or "body", f"a part's header {why}")
                    self._field = None if event.is_file else _TextStream(event.name or "body")
                elif isinstance(event, PartEnd):
                    if self._field is not None:
                        self._field.feed(b"", final=True)
                    self._field = None
                elif self._field is not None:
                    self._field.feed(event)
        except MultipartError:
            self._parser = None


class Edge:
    """The ASGI middleware that checks each request's size and text (see the module)."""

    def __init__(self, app: ASGIApp, *, router: Router, max_body: int,
                 max_upload: int) -> None:
        self.app = app
        self.router = router
        self.max_body = max_body
        self.max_upload = max_upload

    def _route(self, scope: Scope) -> tuple[Any, dict[str, Any]]:
        """The endpoint `scope` goes to (None: no route), and its path parameters."""
        for route in iter_route_contexts(self.router.routes):
            match, child = route.matches(scope)
            if match is Match.FULL:
                return child.get("endpoint"), child.get("path_params", {})
        return None, {}

    def _check_path(self, scope: Scope) -> None:
        raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        decoded = unquote_to_bytes(raw.split(b"?", 1)[0])
        why = unstorable_bytes(decoded)
        if why is None:
            return
        # Match the routes on the path with the bad bytes kept (as surrogates), so the
        # path parameter that holds them can be named.
        _, params = self._route({**scope, "path": decoded.decode("utf-8", "surrogateescape")})
        for name, value in params.items():
            if isinstance(value, str) and unstorable(value) is not None:
                raise BadText(name, why)
        raise BadText("path", why)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept",
                                   "websocket.http.response.start"):
                started = True
            await send(message)

        try:
            self._check_path(scope)
            check_pairs(scope.get("query_string", b""))
            if scope["type"] == "http":
                receive = await self._body(scope, receive)
            await self.app(scope, receive, send_noting)
        except (BadText, BodyTooLarge) as exc:
            if started:
                raise
            await _refuse(scope, send, exc)

    async def _body(self, scope: Scope, receive: Receive) -> Receive:
        """The `receive` the app is given: checked as its bytes arrive, or replaying a
        body read and checked whole here."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        endpoint, _ = self._route(scope)
        takes_upload = getattr(endpoint, _UPLOAD, False)
        limit = self.max_upload if takes_upload else self.max_body
        length = headers.get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            raise BodyTooLarge(limit)
        content_type = headers.get("content-type", "")
        kind = content_type.split(";", 1)[0].strip().lower()
        if not kind or kind == "application/json" or (
                kind.startswith("application/") and kind.endswith("+json")):
            body = await _read_all(receive, limit)
            _check_json_body(body)
            return _replay(body, receive)
        if kind == "application/x-www-form-urlencoded":
            body = await _read_all(receive, limit)
            check_pairs(body)
            return _replay(body, receive)
        if kind == "multipart/form-data":
            fields = _MultipartFields(content_type)
            return _counted(receive, limit, fields.feed)
        if takes_upload:
            return _counted(receive, limit, None)  # a CSV: its reader checks each cell
        text = _TextStream("body")
        return _counted(receive, limit, text.feed)


async def _read_all(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`body` once, then what `receive` tells (the client's disconnect)."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replaying


def _counted(receive: Receive, limit: int,
             check: Callable[[bytes, bool], None] | None) -> Callable[[], Awaitable[Message]]:
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            if check is not None:
                check(chunk, not message.get("more_body", False))
        return message
    return counting


async def _refuse(scope: Scope, send: Send, exc: BadText | BodyTooLarge) -> None:
    if isinstance(exc, BadText):
        response = invalid([FieldError(field=exc.field, message=exc.detail)])
    else:
        response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    if scope["type"] == "websocket":
        if "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start",
                        "status": response.status_code, "headers": response.raw_headers})
            await send({"type": "websocket.http.response.body", "body": response.body})
        else:
            await send({"type": "websocket.close", "code": 1007,
                        "reason": str(exc.detail)[:120]})
        return
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
