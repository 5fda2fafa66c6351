"""The peer: the same transport work as the server under test, with no engine and no store.

    python bench/_serve_peer.py --port PORT --rate 50 --seed 1

A bare FastAPI app under uvicorn (same versions, same settings as the server under
test) that speaks the same protocol to the same load generator:

- callers arrive as a Poisson stream of `--rate` per second (on the event loop's
  clock), from `POST /bench/go` on, as in the server under test; each arrival is
  noted at its scheduled moment (on the `time.time()` scale, as the server under
  test notes it), so that a late wake-up of the loop counts in the latency, and at
  the moment it ran (the loop's lag);
- an arrival goes to the longest-idle agent whose socket is open and ready (a
  deque), else waits in a FIFO; the agent's socket gets the same messages, in the
  same order and shape, as from `/api/ws` (`OfferToAgent` and the agent's state
  changes, `Connect`, `Disconnect`), through a per-socket queue and sender task;
- `POST /api/login` hands out a random token (no password hash: logins are not
  measured), and the agent actions (`login`, `accept`, `hangup`, `wrapup`) check the
  bearer token, validate a pydantic body, change the agent's state and answer with
  the agent's view, as the real routes do.

Nothing is stored, nothing is committed, there are no skills, priorities or timers:
this is the floor a Python ASGI server on this machine sets for the work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

QUEUE_ID = "bench"


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class LoginBody(BaseModel):
    ready: bool = True


class InteractionBody(BaseModel):
    interaction_id: str = Field(min_length=1, max_length=100)


class WrapUpBody(InteractionBody):
    disposition: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=4000)


class AgentView(BaseModel):
    agent_id: str
    state: str
    reason: str
    offers: list[str]
    connected: list[str]
    wrapping: list[str]


class Agent:
    __slots__ = ("call", "id", "outbox", "state")

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.state = "logged_out"
        self.call: str | None = None
        self.outbox: asyncio.Queue[dict[str, Any]] | None = None

    def view(self) -> AgentView:
        held = [self.call] if self.call else []
        return AgentView(agent_id=self.id, state=self.state, reason="",
                         offers=held if self.state == "reserved" else [],
                         connected=held if self.state == "busy" else [],
                         wrapping=held if self.state == "wrap_up" else [])


class Peer:
    """Agents, idle order, waiting callers, and the arrival stream."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = random.Random(seed)
        self.agents: dict[str, Agent] = {}
        self.tokens: dict[str, str] = {}
        self.idle: deque[str] = deque()
        self.waiting: deque[str] = deque()
        self.arrived: dict[str, float] = {}
        self.reported: dict[str, float] = {}

    def send(self, agent: Agent, message: dict[str, Any]) -> None:
        if agent.outbox is not None:
            agent.outbox.put_nowait(message)

    def set_state(self, agent: Agent, state: str) -> None:
        agent.state = state
        self.send(agent, {"type": "AgentStateChanged", "agent_id": agent.id, "state": state,
                          "reason": "", "at": time.time()})

    def dispatch(self) -> None:
        while self.waiting and self.idle:
            agent = self.agents[self.idle.popleft()]
            if agent.state != "available" or agent.outbox is None:
                continue
            iid = self.waiting.popleft()
            agent.call = iid
            self.send(agent, {"type": "OfferToAgent", "interaction_id": iid,
                              "agent_id": agent.id, "queue_id": QUEUE_ID, "channel": "voice",
                              "expires_at": time.time() + 20.0})
            self.set_state(agent, "reserved")

    def available(self, agent: Agent) -> None:
        agent.call = None
        self.set_state(agent, "available")
        self.idle.append(agent.id)
        self.dispatch()

    async def arrivals(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        wall = time.time() - due  # the loop's clock to time.time()
        n = 0
        while True:
            due += self.rng.expovariate(self.rate)
            await asyncio.sleep(max(0.0, due - loop.time()))
            n += 1
            iid = f"peer-{n}"
            self.arrived[iid] = wall + due
            self.reported[iid] = time.time()
            self.waiting.append(iid)
            self.dispatch()


def build(rate: float, seed: int) -> FastAPI:
    peer = Peer(rate, seed)

    tasks: list[asyncio.Task[None]] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(lifespan=lifespan)

    @app.post("/bench/go", include_in_schema=False)
    async def go() -> dict[str, bool]:
        if not tasks:
            tasks.append(asyncio.create_task(peer.arrivals()))
        return {"going": True}

    def agent_of(agent_id: str, authorization: str | None) -> Agent:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or peer.tokens.get(token.strip()) != agent_id:
            raise HTTPException(401, "not logged in")
        return peer.agents[agent_id]

    def holding(agent: Agent, iid: str, state: str) -> None:
        if agent.state != state or agent.call != iid:
            raise HTTPException(409, f"agent {agent.id!r} is {agent.state}")

    @app.post("/api/login")
    async def login(body: LoginRequest) -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        peer.tokens[token] = body.username
        peer.agents.setdefault(body.username, Agent(body.username))
        return {"token": token, "token_type": "bearer", "username": body.username,
                "role": "agent", "agent_id": body.username, "expires_in": 43200.0}

    @app.post("/bench/tokens", include_in_schema=False)
    async def tokens(usernames: list[str]) -> dict[str, str]:
        out = {}
        for name in usernames:
            out[name] = token = secrets.token_urlsafe(32)
            peer.tokens[token] = name
            peer.agents.setdefault(name, Agent(name))
        return out

    @app.post("/api/agents/{agent_id}/login", response_model=AgentView)
    async def agent_login(agent_id: str, body: LoginBody,
                          authorization: str | None = Header(None)) -> AgentView:
        agent = agent_of(agent_id, authorization)
        peer.available(agent)
        return agent.view()

    @app.post("/api/agents/{agent_id}/accept", response_model=AgentView)
    async def accept(agent_id: str, body: InteractionBody,
                     authorization: str | None = Header(None)) -> AgentView:
        agent = agent_of(agent_id, authorization)
        holding(agent, body.interaction_id, "reserved")
        peer.send(agent, {"type": "Connect", "interaction_id": body.interaction_id,
                          "agent_id": agent_id})
        peer.set_state(agent, "busy")
        return agent.view()

    @app.post("/api/agents/{agent_id}/hangup", response_model=AgentView)
    async def hangup(agent_id: str, body: InteractionBody,
                     authorization: str | None = Header(None)) -> AgentView:
        agent = agent_of(agent_id, authorization)
        holding(agent, body.interaction_id, "busy")
        peer.send(agent, {"type": "Disconnect", "interaction_id": body.interaction_id,
                          "agent_id": agent_id, "reason": "agent_hung_up"})
        peer.set_state(agent, "wrap_up")
        return agent.view()

    @app.post("/api/agents/{agent_id}/wrapup", response_model=AgentView)
    async def wrapup(agent_id: str, body: WrapUpBody,
                     authorization: str | None = Header(None)) -> AgentView:
        agent = agent_of(agent_id, authorization)
        holding(agent, body.interaction_id, "wrap_up")
        peer.available(agent)
        return agent.view()

    @app.get("/bench/cpu", include_in_schema=False)
    async def cpu() -> dict[str, float]:
        return {"cpu_s": time.process_time(), "arrived": len(peer.arrived)}

    @app.get("/bench/stats", include_in_schema=False)
    async def stats() -> dict[str, Any]:
        return {"arrived": peer.arrived, "reported": peer.reported,
                "cpu_s": time.process_time(), "server_errors": {}}

    @app.websocket("/api/ws")
    async def events(ws: WebSocket) -> None:
        scheme, _, token = (ws.headers.get("authorization") or "").partition(" ")
        agent_id = peer.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        await ws.accept()
        if agent_id is None:
            await ws.close(code=1008, reason="not logged in")
            return
        agent = peer.agents[agent_id]
        outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        agent.outbox = outbox

        async def forward() -> None:
            while True:
                await ws.send_json(await outbox.get())

        async def until_gone() -> None:
            while (await ws.receive())["type"] != "websocket.disconnect":
                pass

        tasks = [asyncio.create_task(forward()), asyncio.create_task(until_gone())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            agent.outbox = None
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect,
                                         RuntimeError, OSError):
                    await task

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(build(args.rate, args.seed), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
