"""`/api/ws` over a real socket: uvicorn on a loopback port, the `websockets` client.

uvicorn serves the harness's app (whose lifespan the harness already runs, so
`lifespan="off"`) on the harness's event loop; each client call goes through the
same portal, so sockets, arrivals and agent actions interleave in test order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from callcenter.core.events import InteractionArrived
from tests.api.conftest import Harness
from tests.serving import serving_app

Message = dict[str, Any]


@contextlib.asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port; its `ws://` URL of the event stream."""
    async with serving_app(app) as base:
        yield base.replace("http://", "ws://", 1) + "/api/ws"


class Live:
    """The harness plus its app served on a socket; synchronous client calls."""

    def __init__(self, harness: Harness, url: str) -> None:
        self.h = harness
        self.url = url

    def connect(self, query: str = "", headers: dict[str, str] | None = None
                ) -> ClientConnection:
        """Open a socket to `/api/ws` with the server's own `Origin`, as its pages do."""
        origin = Origin(self.url.replace("ws://", "http://", 1).removesuffix("/api/ws"))

        async def _open() -> ClientConnection:
            return await connect(self.url + query, origin=origin, additional_headers=headers)
        found: ClientConnection = self.h.portal.call(_open)
        return found

    def connect_as(self, username: str) -> ClientConnection:
        """A socket logged in as `username` with a bearer token."""
        return self.connect(headers={"Authorization": f"Bearer {self.h.token(username)}"})

    def next(self, ws: ClientConnection, timeout: float = 60.0) -> Message:
        """The next message (the timeout only fails a hang)."""
        async def _recv() -> Message:
            found: Message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            return found
        message: Message = self.h.portal.call(_recv)
        return message

    def drain(self, ws: ClientConnection, done: Callable[[list[Message]], bool]
              ) -> list[Message]:
        """Every message up to the one after which `done(messages)` holds: the test names the
        message it waits for, so a slow machine delays the answer but cannot cut it short.
        A socket delivers in order: what was published before that message is read too."""
        out: list[Message] = []
        while not done(out):
            out.append(self.next(ws))
        return out

    def close(self, ws: ClientConnection) -> None:
        """Close the socket from the client's side."""
        self.h.portal.call(ws.close)

    def wait_subscribers(self, count: int) -> None:
        """Wait until the hub has `count` subscribers (60 s: only against a hang)."""
        async def _wait() -> None:
            events = self.h.server.runtime.events
            async with asyncio.timeout(60):
                while events.subscribers != count:
                    await asyncio.sleep(0.01)
        self.h.portal.call(_wait)


@pytest.fixture
def live(sqlite_harness: Harness) -> Iterator[Live]:
    """A started app served on a free loopback port."""
    with sqlite_harness.portal.wrap_async_context_manager(_serving(sqlite_harness.app)) as url:
        yield Live(sqlite_harness, url)


def _interactions(messages: list[Message]) -> set[str]:
    return {m["interaction_id"] for m in messages if "interaction_id" in m}


def seen(kind: str, **fields: Any) -> Callable[[list[Message]], bool]:
    """`done` for `Live.drain`: a message of type `kind` with these fields has arrived."""
    return lambda messages: any(
        m["type"] == kind and all(m.get(k) == v for k, v in fields.items()) for m in messages)


def test_an_agent_receives_its_own_offer(live: Live) -> None:
    """After an arrival, the offered agent's socket gets the `OfferToAgent` for it."""
    h = live.h
    ws = live.connect_as("early-1")
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    h.inject(InteractionArrived("x1", "hotline"))
    offers = [m for m in live.drain(ws, seen("OfferToAgent", interaction_id="x1"))
              if m["type"] == "OfferToAgent"]
    assert [(m["interaction_id"], m["agent_id"], m["queue_id"]) for m in offers] == [
        ("x1", "early-1", "hotline")]
    live.close(ws)


def test_an_agent_does_not_receive_another_agents_offer(live: Live) -> None:
    """An offer to early-2 never reaches early-1's socket, which gets only its own."""
    h = live.h
    ws = live.connect_as("early-1")
    h.post("/api/agents/early-2/login", headers=h.auth("early-2"))
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"), json={"ready": False})
    h.inject(InteractionArrived("x1", "hotline"))  # only early-2 is available
    h.post("/api/agents/early-1/ready", headers=h.auth("early-1"))
    h.inject(InteractionArrived("x2", "hotline"))
    # early-1's reservation for x2 comes after anything x1 or early-2 could have leaked.
    messages = live.drain(ws, seen("AgentStateChanged", agent_id="early-1", state="reserved"))
    assert {m.get("agent_id") for m in messages} == {"early-1"}
    assert _interactions(messages) == {"x2"}
    assert [m["state"] for m in messages if m["type"] == "AgentStateChanged"] == [
        "paused", "available", "reserved"]
    live.close(ws)


def test_a_supervisor_gets_a_snapshot_then_deltas(live: Live) -> None:
    """A supervisor (by cookie) first gets queues and agents, then each change."""
    h = live.h
    h.inject(InteractionArrived("w1", "hotline"))
    ws = live.connect(headers={"Cookie": f"callcenter_session={h.token('sup')}"})
    first = live.next(ws)
    assert first["type"] == "Snapshot"
    assert {"queue_id": "hotline", "channel": "voice", "waiting": 1} in first["queues"]
    agents = {a["agent_id"]: a["state"] for a in first["agents"]}
    assert agents["early-1"] == "logged_out"
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    reserved = seen("AgentStateChanged", agent_id="early-1", state="reserved")
    offered = seen("InteractionStateChanged", interaction_id="w1", state="offered")
    found = {(m["type"], m.get("agent_id"), m.get("interaction_id"), m.get("state"))
             for m in live.drain(ws, lambda ms: reserved(ms) and offered(ms))}
    assert {("AgentStateChanged", "early-1", None, "reserved"),
            ("InteractionStateChanged", "early-1", "w1", "offered")} <= found
    assert not any(t in {"OfferToAgent", "Snapshot"} for t, *_ in found)
    live.close(ws)


def test_a_connection_without_credentials_is_closed_with_1008(live: Live) -> None:
    """No token, header or cookie: the server closes the socket with policy violation."""
    ws = live.connect()
    with pytest.raises(ConnectionClosed) as closed:
        live.next(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert live.h.server.runtime.events.subscribers == 0


def test_an_unknown_token_is_closed_with_1008(live: Live) -> None:
    """A bearer token the server never issued is refused like no token."""
    ws = live.connect(headers={"Authorization": "Bearer not-a-token"})
    with pytest.raises(ConnectionClosed) as closed:
        live.next(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_a_disconnect_unsubscribes(live: Live) -> None:
    """Closing the socket removes its subscription from the runtime's hub."""
    ws = live.connect_as("early-1")
    live.wait_subscribers(1)
    live.close(ws)
    live.wait_subscribers(0)


def _close_code(live: Live, ws: ClientConnection) -> int | None:
    """The close code the server sent, once the socket ends (messages before it skipped)."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            live.next(ws)
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


def test_deactivating_the_user_closes_its_socket_with_1008(live: Live) -> None:
    """An admin deactivating an agent user closes that user's open socket."""
    h = live.h
    ws = live.connect_as("early-1")
    live.wait_subscribers(1)
    r = h.request("PUT", "/api/admin/users/early-1", json={"role": "agent", "active": False},
                  headers=h.auth("root"))
    assert r.status_code == 200, r.text
    assert _close_code(live, ws) == 1008


def test_logout_closes_the_sockets_of_its_token_with_1008(live: Live) -> None:
    """Logging out ends the socket opened with the same token."""
    token = live.h.token("sup")
    ws = live.connect(headers={"Cookie": f"callcenter_session={token}"})
    live.wait_subscribers(1)
    live.h.post("/api/logout", headers={"Authorization": f"Bearer {token}"})
    assert _close_code(live, ws) == 1008


def test_a_revoked_socket_unsubscribes(live: Live) -> None:
    """Once its login is revoked, the socket's subscription leaves the hub."""
    ws = live.connect_as("early-1")
    live.wait_subscribers(1)
    revoke = functools.partial(live.h.server.logins.revoke, usernames={"early-1"})
    live.h.portal.call(revoke)
    live.wait_subscribers(0)
    live.close(ws)


def test_a_supervisor_outside_the_team_gets_no_agent_of_it(live: Live) -> None:
    """sup-2 (no team) gets a snapshot without agents and none of early-1's changes, but
    the interaction no agent holds yet."""
    h = live.h
    ws = live.connect(headers={"Cookie": f"callcenter_session={h.token('sup-2')}"})
    first = live.next(ws)
    assert first["type"] == "Snapshot" and first["agents"] == []
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    h.inject(InteractionArrived("w1", "hotline"))
    h.inject(InteractionArrived("w2", "hotline"))  # early-1 is reserved: w2 waits
    # w2's change comes after everything early-1's login and w1's offer could have leaked.
    messages = live.drain(ws, seen("InteractionStateChanged", interaction_id="w2"))
    assert ("InteractionStateChanged", "w1") in {(m["type"], m.get("interaction_id"))
                                                 for m in messages}
    assert [m for m in messages if m.get("agent_id") is not None] == []
    live.close(ws)


def test_a_team_change_closes_a_supervisors_socket_with_4001(live: Live) -> None:
    """An admin's team change tells sup's open socket to reconnect (4001)."""
    h = live.h
    ws = live.connect(headers={"Cookie": f"callcenter_session={h.token('sup')}"})
    assert live.next(ws)["type"] == "Snapshot"
    r = h.request("POST", "/api/admin/teams", headers=h.auth("root"),
                  json={"name": "blue", "supervisors": ["sup"], "agents": []})
    assert r.status_code == 201, r.text
    assert _close_code(live, ws) == 4001


def test_a_token_in_the_url_is_refused(live: Live) -> None:
    """`?token=` (which access logs would keep) is closed with 1008 saying why, even for a
    live token."""
    ws = live.connect(f"?token={live.h.token('sup')}")
    with pytest.raises(ConnectionClosed) as closed:
        live.next(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "no token in the URL" in closed.value.rcvd.reason
