"""The edge: bodies over the limit refused before they are read, text a database cannot
store refused naming its field, and errors answered as JSON without SQL or a stack."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from callcenter.api import ServerSettings, create_app
from callcenter.api.admin.common import Admin
from tests.api.conftest import MONDAY_9AM, Harness, password, seed_users

ADMIN = "root"


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(
        shared: Harness) -> None:
    """An anonymous login announcing 100 MB is refused at once, its body never read."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b"x" * 1024 * 1024

    r = shared.post("/api/login", content=body(),
                    headers={"Content-Length": str(100 * 1024 * 1024),
                             "Content-Type": "application/json"})
    assert r.status_code == 413
    assert "larger than this route takes (1048576 bytes)" in r.json()["detail"]
    assert pulled <= 1  # the transport may hand over the first chunk; no more is read


def test_a_streamed_body_stops_at_the_limit(shared: Harness) -> None:
    """A body without a length is read only until it passes the limit, then 413."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b"x" * 256 * 1024

    r = shared.post("/api/login", content=body(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert pulled <= 6


def test_an_upload_route_takes_more_than_a_json_route(shared: Harness) -> None:
    """A CSV import may be larger than `max_body` (its own limit is `max_upload`)."""
    csv = b"name\n" + b"\n" * (1024 * 1024) + b"Ada\n"  # blank lines are skipped
    assert len(csv) > 1024 * 1024
    r = shared.post("/api/admin/customers/import", content=csv,
                    headers={**shared.auth(ADMIN), "Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 1


def test_a_nul_in_a_path_parameter_names_it(shared: Harness) -> None:
    """A NUL in `{agent_id}` is 422 naming `agent_id`, whatever the route would do."""
    r = shared.post("/api/agents/early%00-1/pause", json={"reason": "x"},
                    headers=shared.auth(ADMIN))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["agent_id"]


def test_an_encoded_surrogate_in_a_query_parameter_names_it(shared: Harness) -> None:
    """A lone surrogate (its UTF-8-like bytes) in `?agent=` is 422 naming `agent`."""
    r = shared.get("/api/interactions?agent=a%ED%A0%80", headers=shared.auth(ADMIN))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["agent"]


def test_a_surrogate_deep_in_a_json_body_names_its_path(shared: Harness) -> None:
    """A lone surrogate in a nested JSON string is named by its path."""
    r = shared.post("/api/admin/customers", content=b'{"name": "A", "fields": {"x": "\\udc00"}}',
                    headers={**shared.auth(ADMIN), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["fields.x"]
    assert "lone surrogate (U+DC00)" in r.json()["detail"]


def test_a_nul_in_a_multipart_field_names_it(shared: Harness) -> None:
    """A plain multipart field holding a NUL is named; the file part is left to its reader."""
    r = shared.post("/api/admin/customers/import", headers=shared.auth(ADMIN),
                    files={"file": ("c.csv", b"name\nA\n", "text/csv")},
                    data={"note": "a\x00b"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["note"]


async def _handshake(app: FastAPI, query: bytes, denial: bool) -> list[dict[str, Any]]:
    """What `app` sends to a WebSocket handshake on `/api/ws?query`."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    extensions = {"websocket.http.response": {}} if denial else {}
    await app({"type": "websocket", "path": "/api/ws", "raw_path": b"/api/ws",
               "query_string": query, "headers": [], "root_path": "",
               "extensions": extensions}, receive, send)
    return sent


def test_a_websocket_with_bad_text_in_its_query_is_refused_naming_it() -> None:
    """A NUL in a WebSocket's `?token=` is a 422 answer to the handshake, naming `token`."""
    app = create_app(ServerSettings(database_url="sqlite://"))
    sent = anyio.run(_handshake, app, b"token=%00", True)
    assert sent[0]["type"] == "websocket.http.response.start"
    assert sent[0]["status"] == 422
    assert json.loads(sent[1]["body"])["errors"][0]["field"] == "token"


def test_a_websocket_without_http_answers_is_closed_with_1007() -> None:
    """Where the server cannot answer a handshake with HTTP, the socket is closed with
    1007 (invalid data), the reason naming the field."""
    app = create_app(ServerSettings(database_url="sqlite://"))
    sent = anyio.run(_handshake, app, b"token=%ED%A0%80", False)
    assert sent == [{"type": "websocket.close", "code": 1007, "reason": sent[0]["reason"]}]
    assert sent[0]["reason"].startswith("token: ")


@pytest.fixture
def failing(tmp_path: Path) -> Iterator[tuple[FastAPI, httpx.Client]]:
    """An app with admin routes that fail as a full disk or a bug would."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    seed_users(url)
    app = create_app(ServerSettings(database_url=url, start=MONDAY_9AM, bots=False))

    async def full(_user: Admin) -> None:
        raise OperationalError("INSERT INTO secret_table VALUES (?)", {}, Exception("disk full"))

    async def bug(_user: Admin) -> None:
        raise RuntimeError("SELECT secret FROM users")

    app.add_api_route("/api/admin/full", full, methods=["POST"])
    app.add_api_route("/api/admin/bug", bug, methods=["POST"])
    with start_blocking_portal() as portal, \
            portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

        class Sync(httpx.Client):
            def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return portal.call(lambda: client.request(*args, **kwargs))

        yield app, Sync()
        portal.call(client.aclose)


def _admin(client: httpx.Client) -> dict[str, str]:
    r = client.post("/api/login", json={"username": ADMIN, "password": password(ADMIN)})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_a_database_failure_is_a_json_503_without_sql(
        failing: tuple[FastAPI, httpx.Client], caplog: pytest.LogCaptureFixture) -> None:
    """A full disk under an admin route answers JSON 503, its SQL only in the log."""
    _, client = failing
    with caplog.at_level(logging.ERROR, "callcenter.api"):
        r = client.post("/api/admin/full", headers=_admin(client))
    assert r.status_code == 503
    assert "secret_table" not in r.text and "INSERT" not in r.text
    assert r.json()["error_id"] in caplog.text
    assert "secret_table" in caplog.text


def test_an_unforeseen_error_is_a_json_500_with_an_id_in_the_log(
        failing: tuple[FastAPI, httpx.Client], caplog: pytest.LogCaptureFixture) -> None:
    """A bug answers `{"detail": "internal error", "error_id"}`, no stack, id logged."""
    _, client = failing
    with caplog.at_level(logging.ERROR, "callcenter.api"):
        r = client.post("/api/admin/bug", headers=_admin(client))
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["detail"] == "internal error"
    assert "SELECT" not in r.text and "Traceback" not in r.text
    assert body["error_id"] in caplog.text
