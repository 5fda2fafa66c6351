"""The role x route matrix (`role_matrix.OPS`): every operation the app serves, tried by
every subject (admin, supervisor, a supervisor outside early-1's team, agent early-1 on
itself, agent early-2 on early-1, a user of role agent linked to no agent, anonymous).

- A subject the route refuses gets the documented refusal (401 without a login, 403
  naming the reason) and changes nothing: every table, the engine's event count and what
  the telephony was told are as before. Tried on one shared stage per database (SQLite
  and PostgreSQL) on which every resource the request would change exists.
- An allowed subject gets the route's documented success code (its OpenAPI 2xx; the
  pages' own answers): reads, and changes to resources of their own, on the shared
  stage per database; the other changes each on a fresh stage per database arranged so
  that the change can succeed.
- `/api/ws` by subject, the open routes, and the Origin checks of changes by cookie.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from callcenter.api import ServerSettings, cases, create_app
from callcenter.core.events import AgentLogin
from tests.api import role_stage as st
from tests.api.conftest import Harness, password, start
from tests.api.role_matrix import OPS, Op
from tests.api.role_stage import ADMIN, ANONYMOUS, SUBJECTS, USER_OF, Stage, staged
from tests.postgres import scratch_schema
from tests.serving import serving_app

APP = create_app(ServerSettings(database_url="sqlite://"))
DOCUMENT = APP.openapi()


def _success(op: Op) -> int:
    """The operation's documented success code: the one 2xx of its OpenAPI responses
    (200 for the routes outside the schema: pages, assets, probes)."""
    item = DOCUMENT["paths"].get(op.route, {}).get(op.method.lower())
    if item is None:
        return 200
    (code,) = [int(c) for c in item["responses"] if c.startswith("2")]
    return code


def _documented(op: Op) -> set[str]:
    """The status codes the OpenAPI document lists for the operation."""
    return set(DOCUMENT["paths"][op.route][op.method.lower()]["responses"])


def _served() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves; a WebSocket as `WS`."""
    found = set()
    for route in iter_route_contexts(APP.routes):
        methods = (route.methods or {"WS"}) - {"HEAD"}
        found |= {(method, route.path or "") for method in methods}
    return found


_SHARED_ROUTES = Counter((op.method, op.route) for op in OPS)


def _name(op: Op) -> str:
    """The path in a case's id: the route, with the query where one route has rows with
    several queries."""
    query = op.target.partition("?")[2]
    return op.route + (f"?{query}" if _SHARED_ROUTES[op.method, op.route] > 1 and query
                       else "")


def _cases(kind: str) -> list[Any]:
    out = []
    for index, op in enumerate(OPS):
        for subject in SUBJECTS:
            allowed = op.allows(subject)
            wanted = {"refused": not allowed, "read": allowed and not op.changes,
                      "shared": allowed and op.changes and op.shared,
                      "own": allowed and op.changes and not op.shared}[kind]
            if wanted:
                out.append(pytest.param(index, subject,
                                        id=f"{subject}-{op.method}-{_name(op)}"))
    return out


@dataclass
class World:
    """The shared stage with every shared arrangement made, the ids each chose, and its
    footprint as the last refused request left it (None once an allowed one ran)."""

    stage: Stage
    fills: dict[int, dict[str, str]]
    footprint: tuple[Any, ...] | None = None


def _world(stage: Stage) -> World:
    st.listening(stage)  # early-1 on ix-1, recorded, sup listening
    st.stored_media(stage)
    fills = {}
    for index, op in enumerate(OPS):
        stage.fills = {}
        if op.arrange is not None and op.shared:
            op.arrange(stage)
        fills[index] = dict(stage.fills)
    for subject in SUBJECTS:
        stage.headers(subject)  # every login opened before any footprint
    return World(stage, fills)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    """One shared stage per database for the module."""
    folder = tmp_path_factory.mktemp("roles")
    if request.param == "sqlite":
        with staged(f"sqlite:///{folder / 'api.db'}", folder) as stage:
            yield _world(stage)
        return
    with scratch_schema(request.getfixturevalue("postgres_database"), "roles") as url, \
            staged(url.render_as_string(hide_password=False), folder) as stage:
        yield _world(stage)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite file for the fresh stages to copy."""
    return st.seeded_sqlite(tmp_path_factory.mktemp("seeded"))


@pytest.fixture(scope="module")
def restore(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, Any]]:
    """A seeded PostgreSQL schema for the fresh stages, and how to put it back."""
    with scratch_schema(request.getfixturevalue("postgres_database"), "fresh") as url:
        rendered = url.render_as_string(hide_password=False)
        with st.restorable(rendered, tmp_path_factory.mktemp("fresh")) as put_back:
            yield rendered, put_back


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stage]:
    """A stage of its own: on a copy of the seeded SQLite file, or on the seeded
    PostgreSQL schema put back as seeded."""
    if request.param == "sqlite":
        with st.copied(request.getfixturevalue("seeded"), tmp_path) as stage:
            yield stage
        return
    url, put_back = request.getfixturevalue("restore")
    put_back()
    with staged(url, tmp_path, seed=False) as stage:
        yield stage


def _send(stage: Stage, op: Op, subject: str, fills: dict[str, str]) -> Any:
    """`op`'s request as `subject` (a login of its own where the request ends it)."""
    if op.own_login and subject != ANONYMOUS:
        headers = {"Authorization": f"Bearer {stage.login(USER_OF[subject])}"}
    else:
        headers = stage.headers(subject)
    options = op.request_options(stage)
    headers.update(options.pop("headers", {}))
    return stage.h.request(op.method, op.target.format(**fills), headers=headers,
                           follow_redirects=False, **options)


def _assert_success(op: Op, subject: str, r: Any) -> None:
    status, location = op.answers.get(subject, (_success(op), None))
    assert r.status_code == status, r.text
    if location is not None:
        assert r.headers["location"] == location


def test_every_route_the_app_serves_is_in_the_matrix() -> None:
    """A route without a row (a new one) fails here, named; so does a row of no route."""
    rows = {(op.method, op.route) for op in OPS} | {("WS", "/api/ws")}
    served = _served()
    assert sorted(served - rows) == [], "routes missing from tests/api/role_matrix.py"
    assert sorted(rows - served) == [], "rows of routes the app does not serve"


@pytest.mark.parametrize(("index", "subject"), _cases("refused"))
def test_a_refused_subject_gets_the_documented_refusal_and_changes_nothing(
        world: World, index: int, subject: str) -> None:
    """401 without a login, 403 naming the reason for a role or a target out of scope;
    no row, engine event or telephony command follows."""
    op, stage = OPS[index], world.stage
    before = world.footprint or st.footprint(stage)
    world.footprint = None
    r = _send(stage, op, subject, world.fills[index])
    assert (r.status_code, r.json()["detail"]) == op.refusal(subject), r.text
    assert str(r.status_code) in _documented(op), "a refusal the OpenAPI does not list"
    assert st.footprint(stage) == before
    world.footprint = before


@pytest.mark.parametrize(("index", "subject"), _cases("read"))
def test_an_allowed_subject_reads_with_the_documented_success(
        world: World, index: int, subject: str) -> None:
    """A read the subject may make answers the route's documented success code."""
    world.footprint = None
    r = _send(world.stage, OPS[index], subject, world.fills[index])
    _assert_success(OPS[index], subject, r)


@pytest.mark.parametrize(("index", "subject"), _cases("shared"))
def test_an_allowed_subject_changes_the_shared_stage_with_the_documented_success(
        world: World, index: int, subject: str) -> None:
    """A change the subject may make to a resource of its own (a created user, team,
    campaign...) answers the route's documented success code."""
    world.footprint = None
    r = _send(world.stage, OPS[index], subject, world.fills[index])
    _assert_success(OPS[index], subject, r)


@pytest.mark.parametrize(("index", "subject"), _cases("own"))
def test_an_allowed_subject_changes_a_stage_of_its_own_with_the_documented_success(
        fresh: Stage, index: int, subject: str) -> None:
    """A change the subject may make (an agent's action, a recording's, a listen), on a
    fresh stage arranged for it, answers the route's documented success code."""
    op = OPS[index]
    if op.arrange is not None:
        op.arrange(fresh)
    _assert_success(op, subject, _send(fresh, op, subject, fresh.fills))


def _socket(stage: Stage, subject: str, *then: str) -> list[Any]:
    """Open `/api/ws` as `subject` (the server's own Origin), then log in each agent of
    `then`; the first message, or ["closed", code, reason]."""
    h = stage.h
    headers = stage.headers(subject)
    hub = h.server.runtime.events

    async def run() -> list[Any]:
        async with serving_app(h.app) as base:
            url = base.replace("http://", "ws://", 1) + "/api/ws"
            before = hub.subscribers
            async with connect(url, origin=Origin(base), additional_headers=headers) as ws:
                try:
                    if subject not in (ANONYMOUS, st.UNLINKED):  # subscribed first
                        async with asyncio.timeout(10):
                            while hub.subscribers == before:
                                await asyncio.sleep(0.01)
                    for agent in then:
                        await h.server.runtime.driver.submit(AgentLogin(agent))
                    first: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None
                    return ["closed", closed.rcvd.code, closed.rcvd.reason]
                return [first["type"], first.get("agent_id"),
                        sorted(a["agent_id"] for a in first.get("agents", []))]
    found: list[Any] = h.portal.call(run)
    return found


EVERY_AGENT = sorted([f"early-{i}" for i in range(1, 6)] + [f"late-{i}" for i in range(1, 6)])
SOCKET = {
    ANONYMOUS: ["closed", 1008, "not logged in"],
    st.UNLINKED: ["closed", 1008, "user is not linked to an agent"],
    st.AGENT: ["AgentStateChanged", "early-1", []],  # its own change, once logged in
    st.OTHER: ["AgentStateChanged", "early-2", []],  # early-1's change is not sent
    st.SUPERVISOR: ["Snapshot", None, EVERY_AGENT],  # its team: every agent
    st.OUTSIDER: ["Snapshot", None, []],
    ADMIN: ["Snapshot", None, EVERY_AGENT],
}


@pytest.mark.parametrize("subject", SUBJECTS, ids=[f"{s}-WS-/api/ws" for s in SUBJECTS])
def test_the_event_stream_by_subject(fresh: Stage, subject: str) -> None:
    """Anonymous and an agent user linked to no agent are closed with 1008; an agent
    gets its own changes only (early-1 then early-2 log in); staff first get a snapshot
    of the agents in their scope."""
    assert _socket(fresh, subject, "early-1", "early-2") == SOCKET[subject]


def _case_alert(stage: Stage, subject: str) -> list[Any]:
    """Open `/api/ws` as `subject` with two cases past their 60 s first-response target
    (one of early-1, one of no agent), sweep, then log early-1 in: the first message
    after a staff snapshot, or an agent's first; ["closed", ...] for a refused socket."""
    h = stage.h
    st.case_type(stage)
    stage.call("POST", "/api/admin/sla-policies", 201,
               json={"type_id": "rs-type", "first_response_seconds": 60})
    for agent in ("early-1", None):
        stage.call("POST", "/api/cases", 201, json={
            "type_id": "rs-type", "subject": f"case of {agent}", "agent_id": agent})
    stage.advance(60)
    headers = stage.headers(subject)
    hub = h.server.runtime.events
    staff = subject in (st.SUPERVISOR, st.OUTSIDER, ADMIN)

    async def run() -> list[Any]:
        async with serving_app(h.app) as base:
            url = base.replace("http://", "ws://", 1) + "/api/ws"
            before = hub.subscribers
            async with connect(url, origin=Origin(base), additional_headers=headers) as ws:
                try:
                    if subject not in (ANONYMOUS, st.UNLINKED):
                        async with asyncio.timeout(10):
                            while hub.subscribers == before:
                                await asyncio.sleep(0.01)
                    if staff:  # the snapshot first, then the alerts' subscription
                        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == \
                            "Snapshot"
                        while h.server.case_alerts.subscribers == 0:
                            await asyncio.sleep(0.01)
                    await cases.sweep(h.server)
                    await h.server.runtime.driver.submit(AgentLogin("early-1"))
                    first: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None
                    return ["closed", closed.rcvd.code, closed.rcvd.reason]
                return [first["type"], first.get("subject"), first.get("level")]
    found: list[Any] = h.portal.call(run)
    return found


CASE_ALERT = {
    ANONYMOUS: ["closed", 1008, "not logged in"],
    st.UNLINKED: ["closed", 1008, "user is not linked to an agent"],
    st.AGENT: ["AgentStateChanged", None, None],  # no case alert, its own change
    st.SUPERVISOR: ["CaseAlert", "case of early-1", "breached"],  # its team: early-1
    st.OUTSIDER: ["CaseAlert", "case of None", "breached"],  # only the unassigned case
    ADMIN: ["CaseAlert", "case of early-1", "breached"],
}


@pytest.mark.parametrize("subject", [s for s in SUBJECTS if s != st.OTHER],
                         ids=[f"{s}-CaseAlert" for s in SUBJECTS if s != st.OTHER])
def test_case_alerts_reach_staff_in_scope(fresh: Stage, subject: str) -> None:
    """An SLA breach goes to staff as a `CaseAlert`: a supervisor gets those of its
    teams' agents and of unassigned cases, an admin every one; an agent none."""
    assert _case_alert(fresh, subject) == CASE_ALERT[subject]


def test_health_says_only_whether_work_is_taken(fresh: Stage) -> None:
    """`/health` (open to anyone, for a load balancer) tells nothing but the status and
    the size of the backlog."""
    r = fresh.h.get("/health")
    assert (r.status_code, r.json()) == (200, {"status": "ok",
                                               "backlog": {"batches": 0, "commands": 0}})


CHANGES = [pytest.param(op, id=f"{op.method}-{_name(op)}") for op in OPS
           if op.method != "GET" and op.route.startswith("/api/")]
FOREIGN = "http://testserver:8081"  # another port of the same host: the same site


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Harness]:
    """One started app for the Origin checks on each database."""
    if request.param == "sqlite":
        yield from start(f"sqlite:///{tmp_path_factory.mktemp('origin') / 'api.db'}")
        return
    with scratch_schema(request.getfixturevalue("postgres_database"), "origin") as url:
        yield from start(url.render_as_string(hide_password=False))


def _url(op: Op) -> str:
    return op.target.format(customer_id="1", interaction_id="ix-1", case_id="1", policy_id="1",
                            run_id="1", article_id="1", entry_id="1", order_id="1",
                            other_id="2")


@pytest.mark.parametrize("op", CHANGES)
def test_a_cross_origin_change_with_the_cookie_is_403(matrix: Harness, op: Op) -> None:
    """An admin's cookie sent by a page of another origin changes nothing: 403 naming the
    origin; so is one with no Origin or Referer at all."""
    token = matrix.auth("root")["Authorization"].removeprefix("Bearer ")
    cookie = {"Cookie": f"callcenter_session={token}"}
    options = {k: v for k, v in (op.options if isinstance(op.options, dict) else {}).items()
               if k != "headers"}
    r = matrix.request(op.method, _url(op), headers={**cookie, "Origin": FOREIGN}, **options)
    assert r.status_code == 403, r.text
    assert r.json()["detail"] == (f"cross-site request refused: Origin {FOREIGN!r} is not "
                                  "this server's origin (expected http://testserver)")
    r = matrix.request(op.method, _url(op), headers=cookie, **options)
    assert r.status_code == 403, r.text
    r = matrix.request(op.method, _url(op),
                       headers={**cookie, "Referer": FOREIGN + "/wallboard"}, **options)
    assert r.status_code == 403, r.text


@pytest.mark.parametrize("op", CHANGES)
def test_a_same_origin_change_with_the_cookie_passes(matrix: Harness, op: Op) -> None:
    """The pages' own requests (cookie, Origin of this server) get past every check."""
    token = (matrix.token("root") if op.own_login
             else matrix.auth("root")["Authorization"].removeprefix("Bearer "))
    options = op.options if isinstance(op.options, dict) else {}
    r = matrix.request(op.method, _url(op), **{k: v for k, v in options.items()
                                               if k != "headers"},
                       headers={**options.get("headers", {}),
                                "Cookie": f"callcenter_session={token}",
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
