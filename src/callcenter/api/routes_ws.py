"""`/api/ws`: the live event stream, one JSON object per engine command.

Each connection subscribes to the runtime's `CommandHub` with a filter of its own
and a bounded queue (`pubsub.Subscription`): a client that reads too slowly loses
its oldest messages, which it is told about (`Dropped`), and never holds up the
driver. The subscription ends when the socket does.

- An agent receives its own `OfferToAgent`, `WithdrawOffer`, `Connect`,
  `Disconnect` and `AgentStateChanged`; an offer of a call whose IVR flow found the
  customer also carries `customer` (`customer_id`, `name`, `account`, `segment`).
- A supervisor or admin first receives a `Snapshot` (the queues of
  `GET /api/queues`, the agents of `GET /api/agents`), then the deltas:
  `AgentStateChanged`, `InteractionStateChanged`, `RecordInteraction`,
  `RecordAgentSpan`. A supervisor's are those of its teams' agents, and of
  interactions no agent holds (`deps.scope_of`, as every route); when an admin
  changes a team its sockets are closed with code 4001, to reconnect with the new
  scope.
  The snapshot's `health` (`degraded`, `batches`, `commands`: changes waiting for
  the database, see `callcenter.runtime.durable`) is sent again as a `Health`
  message whenever the server becomes degraded or recovers; the wallboard shows a
  banner meanwhile.
  Staff also receive a `CaseAlert` when a case's SLA target reaches its warning or
  is breached (`api.cases.sweep`: `case_id`, `target` first_response or resolution,
  `level` warning or breached, `due`, `subject`, `agent_id`, `team`, `priority`); a
  supervisor's are those of cases assigned to its teams' agents or to no agent.

Credentials: `Authorization: Bearer` (scripts), else the session cookie (the
pages). Never a query parameter: URLs end up in access logs, so a `token` in the
query is refused. Without a valid login the socket is closed with code 1008
(policy violation), and so it is when its login ends (logout, expiry, or an admin's
change to the user: `Sessions.revoke`). The handshake's `Origin` is checked first
(`api.origin`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from callcenter.api.auth import COOKIE_NAME, STAFF, Principal, Role
from callcenter.api.deps import in_scope, scope_of
from callcenter.api.messages import MessageTexts, message
from callcenter.api.routes_agents import agent_view
from callcenter.api.routes_read import QueueView
from callcenter.api.state import Server, server_of
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    Disconnect,
    InteractionStateChanged,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
    WithdrawOffer,
)
from callcenter.runtime.pubsub import Subscription

router = APIRouter(prefix="/api", tags=["events"])

QUEUE_SIZE = 1000
"""Messages a connection may fall behind before it loses the oldest."""

AGENT_TYPES = (OfferToAgent, WithdrawOffer, Connect, Disconnect, AgentStateChanged)
STAFF_TYPES = (AgentStateChanged, InteractionStateChanged, RecordInteraction, RecordAgentSpan)


__all__ = ["message", "router", "snapshot"]


def _token(ws: WebSocket) -> str | None:
    scheme, _, token = ws.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return ws.cookies.get(COOKIE_NAME) or None


TEAMS_CHANGED = 4001
"""The close code of a supervisor's socket when an admin changed a team."""


def _agent_of(command: Command) -> str | None:
    if isinstance(command, RecordInteraction):
        return command.record.agent_id
    if isinstance(command, RecordAgentSpan):
        return command.span.agent_id
    return getattr(command, "agent_id", None)


def _accepts(user: Principal, scope: frozenset[str] | None) -> Callable[[Command], bool]:
    if user.role in STAFF:
        if scope is None:
            return lambda c: isinstance(c, STAFF_TYPES)
        return lambda c: isinstance(c, STAFF_TYPES) and (
            (agent := _agent_of(c)) is None or agent in scope)
    own = user.agent_id
    return lambda c: isinstance(c, AGENT_TYPES) and c.agent_id == own


def health(server: Server) -> dict[str, Any]:
    """Whether changes wait for the database (new work refused meanwhile)."""
    if server.durable is None:
        return {"degraded": False, "batches": 0, "commands": 0}
    h = server.durable.health()
    return {"degraded": h.degraded, "batches": h.batches, "commands": h.commands}


def snapshot(server: Server, scope: frozenset[str] | None = None) -> dict[str, Any]:
    """Queues with their waiting counts and the agents of `scope` (None: all) with their
    states, now (`at`, engine time, and `speed`, engine seconds per real second, let a
    page tick its clocks)."""
    engine = server.runtime.engine
    queues = [QueueView(queue_id=q.queue_id, channel=q.config.channel, waiting=q.waiting)
              for q in engine.queues()]
    return {"type": "Snapshot", "at": server.runtime.clock.time(),
            "speed": server.settings.speed,
            "queues": [q.model_dump() for q in queues],
            "agents": [agent_view(server, a).model_dump() for a in engine.agent_ids()
                       if in_scope(scope, a)],
            "health": health(server)}


async def _forward(ws: WebSocket, sub: Subscription[Command], texts: MessageTexts,
                   customer: Callable[[str], dict[str, str] | None],
                   sending: asyncio.Lock) -> None:
    """Send every queued command until the hub closes (the server stops); each command's
    text is encoded once for all the sockets that send it, but for an offer with a
    `customer` (sent to one agent only)."""
    seen = 0
    async for command in sub:
        async with sending:
            if sub.dropped > seen:
                await ws.send_json({"type": "Dropped", "dropped": sub.dropped - seen})
                seen = sub.dropped
            card = (customer(command.interaction_id) if isinstance(command, OfferToAgent)
                    else None)
            if card is not None:
                await ws.send_json({**message(command), "customer": card})
            else:
                await ws.send_text(texts.text(command))
    await ws.close(code=status.WS_1001_GOING_AWAY)


async def _health_changes(ws: WebSocket, server: Server, sending: asyncio.Lock,
                          told: dict[str, Any]) -> None:
    """Send a `Health` message each time the server becomes degraded or recovers (`told`:
    the health the snapshot said)."""
    if server.durable is None:
        await asyncio.Event().wait()
        return
    changed = asyncio.Event()

    def wake(_health: object) -> None:
        changed.set()

    server.durable.on_change.append(wake)
    if health(server)["degraded"] != told["degraded"]:  # changed since the snapshot
        changed.set()
    try:
        while True:
            await changed.wait()
            changed.clear()
            async with sending:
                await ws.send_json({"type": "Health", **health(server)})
    finally:
        server.durable.on_change.remove(wake)


async def _case_alerts(ws: WebSocket, sub: Subscription[dict[str, Any]],
                       sending: asyncio.Lock) -> None:
    """Send each SLA alert of a case (staff sockets), until the hub closes."""
    async for alert in sub:
        async with sending:
            await ws.send_json(alert)
    await asyncio.Event().wait()  # the server stops: the command stream closes the socket


async def _until_ended(ws: WebSocket, ended: asyncio.Event, within: float) -> None:
    """Close the socket with 1008 once its login ends or, at the latest, expires."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ended.wait(), max(within, 0.0))
    await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="login ended")


async def _until_rescoped(ws: WebSocket, changed: asyncio.Event) -> None:
    """Close the socket with 4001 once an admin changes a team (a supervisor's socket)."""
    await changed.wait()
    await ws.close(code=TEAMS_CHANGED, reason="teams changed: reconnect")


async def _until_gone(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends until it disconnects."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


@router.websocket("/ws")
async def events(ws: WebSocket) -> None:
    """The event stream of the logged-in user (see the module's docstring)."""
    server = server_of(ws)
    token = _token(ws)
    user = server.logins.lookup(token) if token else None
    await ws.accept()
    if "token" in ws.query_params:
        await ws.close(code=status.WS_1008_POLICY_VIOLATION,
                       reason="no token in the URL: use the session cookie or "
                              "Authorization: Bearer")
        return
    if token is None or user is None or (user.role not in STAFF and user.agent_id is None):
        reason = "not logged in" if user is None else "user is not linked to an agent"
        await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
        return
    ended, rescoped = asyncio.Event(), asyncio.Event()
    unwatch = server.logins.watch(token, ended.set)
    unwatch_teams = (server.teams.watch(rescoped.set) if user.role == Role.SUPERVISOR
                     else lambda: None)  # before reading the scope: no change missed
    sub: Subscription[Command] | None = None
    alerts: Subscription[dict[str, Any]] | None = None
    try:
        scope = await scope_of(server, user) if user.role in STAFF else None
        key = None if user.role in STAFF else user.agent_id  # an agent's own commands only
        sub = server.runtime.events.subscribe(_accepts(user, scope), maxsize=QUEUE_SIZE,
                                              key=key)
        told = health(server)
        if user.role in STAFF:
            first = snapshot(server, scope)  # taken after subscribing: no gap
            told = first["health"]
            await ws.send_json(first)
        lookups = server.runtime.lookups
        sending = asyncio.Lock()  # one message at a time on the socket
        tasks = [asyncio.create_task(_forward(ws, sub, server.messages,
                                              lookups.customer if lookups is not None
                                              else lambda _id: None, sending)),
                 asyncio.create_task(_until_gone(ws)),
                 asyncio.create_task(_until_rescoped(ws, rescoped)),
                 asyncio.create_task(_until_ended(ws, ended, server.logins.remaining(user)))]
        if user.role in STAFF:
            tasks.append(asyncio.create_task(_health_changes(ws, server, sending, told)))
            alerts = server.case_alerts.subscribe(
                lambda a: in_scope(scope, a.get("agent_id")) or a.get("agent_id") is None,
                maxsize=QUEUE_SIZE)
            tasks.append(asyncio.create_task(_case_alerts(ws, alerts, sending)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect,
                                         RuntimeError, OSError):
                    await task
    except WebSocketDisconnect:
        pass
    finally:
        if sub is not None:
            sub.close()
        if alerts is not None:
            alerts.close()
        unwatch()
        unwatch_teams()
