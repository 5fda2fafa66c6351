"""A real app on a real database: a SQLite file, and PostgreSQL when a server answers.

The engine runs the hotline example from a Monday 09:00 (open hours) with no bots
and a `FakeTelephony`, so calls arrive only when a test injects them. Supervisor
`sup` supervises team `floor`, every stored agent; `sup-2` supervises no team. The app's
lifespan and an `httpx.AsyncClient` over `ASGITransport` run on an event loop in
a helper thread (an anyio blocking portal); tests call it synchronously.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.engine import URL

from callcenter.api import ServerSettings, create_app
from callcenter.api.state import Server
from callcenter.core.events import Event
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.models import AgentRow, UserRow
from callcenter.store.users import add_agent, add_supervisor, create_team, get_user, hash_password
from callcenter.telephony.base import FakeTelephony
from tests.postgres import scratch_database, scratch_schema

MONDAY_9AM = load_scenario(scenario_path("hotline")).epoch(date(2025, 3, 3), 9 * 3600)
USERS = {  # username: role; every password is `password(username)`
    "early-1": "agent",
    "early-2": "agent",
    "sup": "supervisor",
    "sup-2": "supervisor",
    "root": "admin",
}


def password(username: str) -> str:
    """The test password of a user in USERS (long enough, not common, without the name)."""
    return "pass-phrase-" + username[::-1]


@functools.cache
def _hashes() -> dict[str, str]:
    """argon2 hashes of the USERS' passwords, made once (each costs a good part of a second)."""
    return {name: hash_password(password(name)) for name in USERS}


def seed_floor(url: str) -> None:
    """Store team `floor`: every stored agent, supervised by `sup` (the agents are
    stored by the app's first start)."""
    engine = create_engine_for(url)
    try:
        with session_factory(engine).begin() as session:
            team = create_team(session, "floor")
            for agent_id in session.scalars(select(AgentRow.id)):
                add_agent(session, team, agent_id)
            add_supervisor(session, team, get_user(session, "sup"))
    finally:
        engine.dispose()


def seed_users(url: str) -> None:
    """Migrate the database and create the USERS."""
    migrate(url)
    engine = create_engine_for(url)
    try:
        with session_factory(engine).begin() as session:
            session.add_all(UserRow(username=name, password_hash=_hashes()[name], role=role)
                            for name, role in USERS.items())
    finally:
        engine.dispose()


class Harness:
    """A started app: synchronous requests, its server objects, its fake telephony.

    The client keeps no cookies between requests: each request carries only the
    credentials the test gives it.
    """

    def __init__(self, app: FastAPI, portal: BlockingPortal, telephony: FakeTelephony) -> None:
        self.app = app
        self.portal = portal
        self.telephony = telephony
        self._tokens: dict[str, str] = {}
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://testserver")

    @property
    def server(self) -> Server:
        """The app's resources."""
        found: Server = self.app.state.server
        return found

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, answered before this returns."""
        response: httpx.Response = self.portal.call(self._request, method, path, kwargs)
        return response

    async def _request(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        try:
            return await self._client.request(method, path, **kwargs)
        finally:
            self._client.cookies.clear()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET `path`."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST `path`."""
        return self.request("POST", path, **kwargs)

    def inject(self, event: Event) -> None:
        """A line event (an arrival, a caller hanging up), handled before this returns."""
        self.portal.call(self._inject, event)

    async def _inject(self, event: Event) -> None:
        self.telephony.inject(event)
        await self.server.runtime.driver.settled()

    def token(self, username: str) -> str:
        """Log `username` in; its bearer token."""
        r = self.post("/api/login", json={"username": username, "password": password(username)})
        assert r.status_code == 200, r.text
        token: str = r.json()["token"]
        return token

    def auth(self, username: str) -> dict[str, str]:
        """Headers with a bearer token of `username` (one login per user and app; tests
        that log out use `token` for a login of their own)."""
        if username not in self._tokens:
            self._tokens[username] = self.token(username)
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def start(url: str, *, drain_seconds: float = 0, seed: bool = True,
          settings: dict[str, Any] | None = None, telephony: FakeTelephony | None = None,
          **options: Any) -> Iterator[Harness]:
    """Seed the users (unless `seed` is false: a restart), start the app on `url` (its
    lifespan; `options`: more arguments of `create_app`; its journal in a folder of its
    own; a stop closes the calls still in progress at once unless `drain_seconds`;
    `settings`: more `ServerSettings` fields; `telephony`: a fake of the test's own),
    yield it, stop it."""
    if seed:
        seed_users(url)
    telephony = FakeTelephony() if telephony is None else telephony
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        server_settings = ServerSettings(
            database_url=url, start=MONDAY_9AM, bots=False, journal=f"{folder}/journal",
            drain_seconds=drain_seconds, **(settings or {}))
        app = create_app(server_settings, telephony=telephony, **options)
        portal = stack.enter_context(start_blocking_portal())
        stack.enter_context(portal.wrap_async_context_manager(app.router.lifespan_context(app)))
        if seed:
            seed_floor(url)
        harness = Harness(app, portal, telephony)
        try:
            yield harness
        finally:
            portal.call(harness.aclose)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """A database of our own on the PostgreSQL server, dropped after the session."""
    with scratch_database("callcenter_api") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'api.db'}"
        return
    base: URL = request.getfixturevalue("postgres_database")
    with scratch_schema(base, "api") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def harness(db_url: str) -> Iterator[Harness]:
    """A started app on each database."""
    yield from start(db_url)


@pytest.fixture
def sqlite_harness(tmp_path: Path) -> Iterator[Harness]:
    """A started app of its own on a SQLite file."""
    yield from start(f"sqlite:///{tmp_path / 'api.db'}")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One started app on a SQLite file for a whole module (the role matrix)."""
    yield from start(f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}")
