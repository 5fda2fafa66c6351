"""The role x route matrix: 401 without credentials, 403 for a role or agent not allowed
(an agent on another agent, a supervisor on an agent outside its teams), on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.api.conftest import Harness, password, start
from tests.postgres import scratch_schema
from tests.serving import serving_app

AGENT_SELF = "agent-self"  # early-1 on /api/agents/early-1/...
AGENT_OTHER = "agent-other"  # early-2 on /api/agents/early-1/...
SUPERVISOR = "supervisor"  # sup, whose team holds early-1
OUTSIDER = "supervisor-outside"  # sup-2, in no team
ADMIN = "admin"
USER_OF = {AGENT_SELF: "early-1", AGENT_OTHER: "early-2", SUPERVISOR: "sup",
           OUTSIDER: "sup-2", ADMIN: "root"}
EVERYONE = frozenset(USER_OF)
ON_SELF = frozenset({AGENT_SELF, SUPERVISOR, ADMIN})
STAFF = frozenset({SUPERVISOR, OUTSIDER, ADMIN})
TEAM = frozenset({SUPERVISOR, ADMIN})
IX = {"interaction_id": "none"}
ADMINS = frozenset({ADMIN})
CAMPAIGN = {"name": "roles", "caller_id": "+4930123456"}

ROUTES: list[tuple[str, str, dict[str, Any] | None, frozenset[str]]] = [
    ("GET", "/api/queues", None, EVERYONE),
    ("GET", "/api/interactions", None, EVERYONE),
    ("POST", "/api/logout", None, EVERYONE),
    ("GET", "/api/agents", None, STAFF),
    ("GET", "/api/agents/early-1", None, ON_SELF),
    ("GET", "/api/agents/early-1/work", None, ON_SELF),
    ("POST", "/api/agents/early-1/login", {"ready": False}, ON_SELF),
    ("POST", "/api/agents/early-1/ready", None, ON_SELF),
    ("POST", "/api/agents/early-1/pause", {"reason": "lunch"}, ON_SELF),
    ("POST", "/api/agents/early-1/accept", IX, ON_SELF),
    ("POST", "/api/agents/early-1/reject", IX, ON_SELF),
    ("POST", "/api/agents/early-1/hangup", IX, ON_SELF),
    ("POST", "/api/agents/early-1/wrapup", IX, ON_SELF),
    ("POST", "/api/agents/early-1/transfer", {**IX, "queue_id": "hotline"}, ON_SELF),
    ("POST", "/api/agents/early-1/hold", IX, ON_SELF),
    ("POST", "/api/agents/early-1/resume", IX, ON_SELF),
    ("GET", "/api/agents/early-1/preview", None, ON_SELF),
    ("POST", "/api/agents/early-1/preview/dial", None, ON_SELF),
    ("POST", "/api/agents/early-1/preview/skip", {"reason": "busy line"}, ON_SELF),
    ("POST", "/api/agents/early-1/callback", {**IX, "at": "2030-03-04T10:00"}, ON_SELF),
    ("POST", "/api/agents/early-1/logout", None, ON_SELF),
    ("GET", "/api/supervisor/snapshot", None, STAFF),
    ("GET", "/api/supervisor/queues", None, STAFF),
    ("GET", "/api/supervisor/agents", None, STAFF),
    ("POST", "/api/supervisor/agents/early-1/pause", {"reason": "coaching"}, TEAM),
    ("POST", "/api/supervisor/agents/early-1/logout", None, TEAM),
    ("GET", "/api/reports/queues?since=2025-03-03&until=2025-03-04", None, STAFF),
    ("GET", "/api/reports/agents?since=2025-03-03&until=2025-03-04", None, STAFF),
    ("GET", "/api/reports/agents?since=2025-03-03&until=2025-03-04&agent=early-1", None,
     TEAM),
    ("GET", "/api/campaigns", None, STAFF),
    ("POST", "/api/campaigns", CAMPAIGN, ADMINS),
    ("GET", "/api/campaigns/roles", None, STAFF),
    ("PUT", "/api/campaigns/roles", {"caller_id": "+4930123456"}, ADMINS),
    ("POST", "/api/campaigns/roles/start", None, ADMINS),
    ("POST", "/api/campaigns/roles/pause", None, ADMINS),
    ("POST", "/api/campaigns/roles/stop", None, ADMINS),
    ("POST", "/api/campaigns/roles/leads", None, ADMINS),
    ("GET", "/api/campaigns/roles/leads", None, STAFF),
    ("GET", "/api/campaigns/roles/compliance", None, STAFF),
    ("GET", "/api/campaigns/roles/dnc", None, STAFF),
    ("POST", "/api/campaigns/roles/dnc", {"number": "+4930123457"}, ADMINS),
    ("DELETE", "/api/campaigns/roles/dnc/+4930123457", None, ADMINS),
    ("GET", "/api/dnc", None, STAFF),
    ("POST", "/api/dnc", {"number": "+4930123457"}, ADMINS),
    ("DELETE", "/api/dnc/+4930123457", None, ADMINS),
    ("DELETE", "/api/campaigns/roles", None, ADMINS),
    ("POST", "/api/interactions/none/recording/pause", None, EVERYONE),
    ("POST", "/api/interactions/none/recording/resume", None, EVERYONE),
    ("GET", "/api/interactions/none/recordings", None, STAFF),
    ("GET", "/api/recordings/1/audio", None, STAFF),
    ("GET", "/api/voicemails", None, STAFF),
    ("GET", "/api/ivr-runs/none", None, STAFF),
    ("POST", "/api/supervisor/interactions/none/listen", {}, STAFF),
    ("DELETE", "/api/supervisor/listens/none", None, STAFF),
    ("GET", "/api/admin/customers", None, STAFF),
    ("POST", "/api/admin/customers", {"name": "Roles"}, ADMINS),
    ("GET", "/api/admin/customers/1", None, STAFF),
    ("PUT", "/api/admin/customers/1", {"name": "Roles"}, ADMINS),
    ("POST", "/api/admin/customers/import", None, ADMINS),
    ("DELETE", "/api/admin/customers/1", None, ADMINS),
]
CASES = [pytest.param(method, path, body, who, who in allowed, id=f"{who}:{method} {path}")
         for method, path, body, allowed in ROUTES for who in sorted(USER_OF)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Harness]:
    """One started app for the module on each database."""
    if request.param == "sqlite":
        yield from start(f"sqlite:///{tmp_path_factory.mktemp('roles') / 'api.db'}")
        return
    with scratch_schema(request.getfixturevalue("postgres_database"), "roles") as url:
        yield from start(url.render_as_string(hide_password=False))


@pytest.mark.parametrize(("method", "path", "body"),
                         [pytest.param(m, p, b, id=f"{m} {p}") for m, p, b, _ in ROUTES])
def test_no_credentials_is_401(shared: Harness, method: str, path: str,
                               body: dict[str, Any] | None) -> None:
    """Every route but login and /metrics needs a login."""
    assert shared.request(method, path, json=body).status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "who", "allowed"), CASES)
def test_role_matrix(matrix: Harness, method: str, path: str, body: dict[str, Any] | None,
                     who: str, allowed: bool) -> None:
    """A role the route allows gets past the check; any other gets 403."""
    user = USER_OF[who]
    headers = ({"Authorization": f"Bearer {matrix.token(user)}"} if path == "/api/logout"
               else matrix.auth(user))
    r = matrix.request(method, path, json=body, headers=headers)
    if allowed:
        assert r.status_code not in (401, 403), r.text
    else:
        assert r.status_code == 403, r.text


def test_an_agent_may_not_search_another_agents_interactions(shared: Harness) -> None:
    """An agent asking for another agent's interactions gets 403."""
    r = shared.get("/api/interactions", params={"agent": "early-1"},
                   headers=shared.auth("early-2"))
    assert r.status_code == 403


def test_metrics_needs_no_login(shared: Harness) -> None:
    """The Prometheus scrape is open (meant for a private network)."""
    assert shared.get("/metrics").status_code == 200


CHANGES = [pytest.param(m, p, b, id=f"{m} {p}") for m, p, b, _ in ROUTES if m != "GET"]
FOREIGN = "http://testserver:8081"  # another port of the same host: the same site


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_cross_origin_change_with_the_cookie_is_403(matrix: Harness, method: str, path: str,
                                                      body: dict[str, Any] | None) -> None:
    """An admin's cookie sent by a page of another origin changes nothing: 403 naming the
    origin; so is one with no Origin or Referer at all."""
    token = matrix.auth("root")["Authorization"].removeprefix("Bearer ")
    cookie = {"Cookie": f"callcenter_session={token}"}
    r = matrix.request(method, path, json=body, headers={**cookie, "Origin": FOREIGN})
    assert r.status_code == 403, r.text
    assert r.json()["detail"] == (f"cross-site request refused: Origin {FOREIGN!r} is not "
                                  "this server's origin (expected http://testserver)")
    r = matrix.request(method, path, json=body, headers=cookie)
    assert r.status_code == 403, r.text
    r = matrix.request(method, path, json=body,
                       headers={**cookie, "Referer": FOREIGN + "/wallboard"})
    assert r.status_code == 403, r.text


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_a_same_origin_change_with_the_cookie_passes(matrix: Harness, method: str, path: str,
                                                     body: dict[str, Any] | None) -> None:
    """The pages' own requests (cookie, Origin of this server) get past every check."""
    token = (matrix.token("root") if path == "/api/logout"
             else matrix.auth("root")["Authorization"].removeprefix("Bearer "))
    r = matrix.request(method, path, json=body,
                       headers={"Cookie": f"callcenter_session={token}",
                                "Origin": "http://testserver"})
    assert r.status_code not in (401, 403), r.text


def test_a_cross_origin_login_is_403(matrix: Harness) -> None:
    """A login form posted from another origin opens no session."""
    r = matrix.post("/api/login", json={"username": "root", "password": password("root")},
                    headers={"Origin": FOREIGN})
    assert r.status_code == 403 and "set-cookie" not in r.headers


def _handshake(h: Harness, cookie: str, origin: str | None) -> int | str:
    """Open `/api/ws` on the harness's app served on a loopback port: the handshake's
    refusal status, or the first message's type."""
    async def run() -> int | str:
        async with serving_app(h.app) as base:
            url = base.replace("http://", "ws://", 1) + "/api/ws"
            own = base if origin == "own" else origin
            try:
                async with connect(url, origin=None if own is None else Origin(own),
                                   additional_headers={"Cookie": cookie}) as ws:
                    found: str = json.loads(await asyncio.wait_for(ws.recv(), 60))["type"]
                    return found
            except InvalidStatus as exc:
                assert b"cross-site" in exc.response.body
                return exc.response.status_code
    found: int | str = h.portal.call(run)
    return found


def test_a_websocket_from_a_foreign_origin_is_refused(matrix: Harness) -> None:
    """An admin's cookie on a socket opened by another origin's page (or with no Origin)
    is refused at the handshake with 403; the server's own page gets its snapshot."""
    cookie = f"callcenter_session={matrix.token('root')}"
    assert _handshake(matrix, cookie, "http://127.0.0.1:1") == 403
    assert _handshake(matrix, cookie, None) == 403
    assert _handshake(matrix, cookie, "own") == "Snapshot"


def test_health_needs_no_login_and_says_only_whether_work_is_taken(shared: Harness) -> None:
    """`/health` is open (for a load balancer) and tells nothing but the status and the
    size of the backlog."""
    r = shared.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "backlog": {"batches": 0, "commands": 0}}
