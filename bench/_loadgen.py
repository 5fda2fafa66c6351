"""The load generator of `bench/server.py`: N agents on WebSockets and REST, one asyncio loop.

Each agent logs in (`POST /api/login`, a bearer token), opens `/api/ws` and a
keep-alive HTTP connection of its own (as a desktop does), logs in to
routing ready (`POST /api/agents/{id}/login`), then for every `OfferToAgent` on
its socket: accept, talk `talk` seconds, hang up, wrap up `wrap` seconds, finish
wrap-up, and wait for the next offer. The moment each message arrives is read with
`time.time()` as soon as the socket hands it over, before parsing.

The run: setup (every agent connected and ready), then `POST /bench/go` starts the
server's callers (none arrive during setup, so no backlog is measured), `settle`
seconds for the load to reach its steady state (agents busy, wrapping up, free
again), `seconds` of measurement, `grace` seconds for the measured calls to
finish. Then the server's arrival times (`GET /bench/stats`)
are joined with the offers by interaction id: latency = offer at the socket -
caller's scheduled arrival (when its arrival was due, not when the server's loop
got round to it: a stall counts in full), for the callers due in the measured
window. The loop's lag (reported - scheduled) is given apart.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import h11
import httpx
import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

SETUP_CONCURRENCY = 20
"""Agents connecting and going ready at once (hundreds of handshakes at once time out)."""


@dataclass(frozen=True)
class Plan:
    base: str
    agents: list[str]
    password: str
    talk: float
    wrap: float
    seconds: float
    settle: float
    grace: float
    password_logins: int = 3
    """Agents that log in with their password (`POST /api/login`, an argon2 check of
    ~0.1-0.3 s of server CPU each); the others get their tokens from `/bench/tokens`."""
    setup_timeout: float = 300.0


@dataclass
class Tally:
    offers: dict[str, float] = field(default_factory=dict)
    handled: dict[str, float] = field(default_factory=dict)
    """Interaction id -> when its wrap-up was acknowledged."""
    errors: Counter[str] = field(default_factory=Counter)
    ready: int = 0
    stopping: bool = False


class _Connection:
    """One agent's keep-alive HTTP/1.1 connection (a desktop holds one), spoken with h11.

    A shared httpx pool costs the load generator several times the CPU per request,
    and once more requests wait than it has connections its bookkeeping grows until
    the load generator, not the server, sets the pace; one connection per agent, one
    request at a time, keeps it out of the way."""

    def __init__(self, base: str) -> None:
        url = httpx.URL(base)
        self.host, self.port = url.host, url.port or 80
        self._conn: h11.Connection | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._answered = False

    async def post(self, path: str, body: bytes, headers: list[tuple[str, str]]) -> int:
        """POST `body` (JSON) to `path`; the status code (the response body is read and
        dropped). Raises `OSError`, `TimeoutError` or `h11.ProtocolError` (the connection
        is dropped). A kept-alive connection the server closed while it was idle (before
        any answer) is replaced and the request sent again once, as httpx does."""
        reused = self._conn is not None
        try:
            async with asyncio.timeout(60.0):
                try:
                    return await self._post(path, body, headers)
                except (ConnectionResetError, h11.RemoteProtocolError):
                    if not reused or self._answered:
                        raise
                    self.close()
                    return await self._post(path, body, headers)
        except BaseException:
            self.close()
            raise

    async def _post(self, path: str, body: bytes, headers: list[tuple[str, str]]) -> int:
        if self._conn is None or self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            self._conn = h11.Connection(h11.CLIENT)
        conn, reader, writer = self._conn, self._reader, self._writer
        writer.write(conn.send(h11.Request(
            method="POST", target=path,
            headers=[("Host", self.host), ("Content-Type", "application/json"),
                     ("Content-Length", str(len(body))), *headers]))
            + conn.send(h11.Data(data=body)) + conn.send(h11.EndOfMessage()))
        status, self._answered = 0, False
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status, self._answered = event.status_code, True
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("the server closed the connection")
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        else:
            self.close()
        return status

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._conn, self._reader, self._writer = None, None, None


class _Agent:
    def __init__(self, agent_id: str, plan: Plan, client: httpx.AsyncClient,
                 tally: Tally) -> None:
        self.id = agent_id
        self.plan = plan
        self.client = client
        self.http = _Connection(plan.base)
        self.tally = tally
        self.headers: list[tuple[str, str]] = []
        self.ws: ClientConnection | None = None
        self.offers: asyncio.Queue[str] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    async def post(self, path: str, body: dict[str, Any]) -> bool:
        try:
            status = await self.http.post(path, json.dumps(body).encode(), self.headers)
        except (OSError, TimeoutError, h11.ProtocolError) as exc:
            self.tally.errors[f"{path.rsplit('/', 1)[-1]}: {type(exc).__name__}"] += 1
            return False
        if not 200 <= status < 300:
            self.tally.errors[f"{path.rsplit('/', 1)[-1]}: HTTP {status}"] += 1
            return False
        return True

    async def login(self) -> str | None:
        """Log in with the password; the token, or None (counted)."""
        r = await self.client.post("/api/login", json={"username": self.id,
                                                       "password": self.plan.password})
        if not r.is_success:
            self.tally.errors[f"login: HTTP {r.status_code}"] += 1
            return None
        return str(r.json()["token"])

    async def setup(self, token: str, gate: asyncio.Semaphore) -> None:
        """Connect, start reading and working, go ready."""
        async with gate:
            await self._setup(token)

    async def _setup(self, token: str) -> None:
        try:
            self.headers = [("Authorization", f"Bearer {token}")]
            url = self.plan.base.replace("http://", "ws://") + "/api/ws"
            self.ws = await connect(url, max_size=None, ping_interval=None,
                                    additional_headers=self.headers)
            self.tasks = [asyncio.create_task(self.read()), asyncio.create_task(self.work())]
            if await self.post(f"/api/agents/{self.id}/login", {"ready": True}):
                self.tally.ready += 1
        except (httpx.HTTPError, OSError, WebSocketException) as exc:
            self.tally.errors[f"setup: {type(exc).__name__}"] += 1

    async def read(self) -> None:
        """Note each offer's arrival; count drops, withdrawn offers and lost sockets."""
        assert self.ws is not None
        tally = self.tally
        try:
            async for raw in self.ws:
                now = time.time()
                msg = json.loads(raw)
                kind = msg["type"]
                if kind == "OfferToAgent":
                    iid = msg["interaction_id"]
                    tally.offers.setdefault(iid, now)
                    self.offers.put_nowait(iid)
                elif kind == "Dropped":
                    tally.errors["socket messages dropped"] += msg["dropped"]
                elif kind == "WithdrawOffer":
                    tally.errors[f"offer withdrawn ({msg['reason']})"] += 1
        except ConnectionClosed:
            pass
        if not tally.stopping:
            tally.errors["socket closed by the server"] += 1

    async def work(self) -> None:
        """Accept, talk, hang up, wrap up, one offer after the other."""
        plan = self.plan
        base = f"/api/agents/{self.id}"
        while True:
            iid = await self.offers.get()
            body = {"interaction_id": iid}
            if not await self.post(f"{base}/accept", body):
                continue
            await asyncio.sleep(plan.talk)
            if not await self.post(f"{base}/hangup", body):
                continue
            await asyncio.sleep(plan.wrap)
            if await self.post(f"{base}/wrapup", {**body, "disposition": ""}):
                self.tally.handled[iid] = time.time()


async def _cpu(client: httpx.AsyncClient) -> dict[str, float]:
    """The server's CPU seconds so far and how many callers have arrived."""
    r = await client.get("/bench/cpu")
    r.raise_for_status()
    return {k: float(v) for k, v in r.json().items()}


async def _tokens(client: httpx.AsyncClient, agents: list[_Agent],
                  logins: int) -> tuple[dict[str, str], float]:
    """Tokens for every agent (the first few by password); seconds per password login."""
    tokens: dict[str, str] = {}
    t = time.perf_counter()
    for a in agents[:logins]:
        token = await a.login()
        if token is not None:
            tokens[a.id] = token
    login_s = (time.perf_counter() - t) / max(1, min(logins, len(agents)))
    rest = [a.id for a in agents[logins:]]
    if rest:
        r = await client.post("/bench/tokens", json=rest)
        r.raise_for_status()
        tokens.update(r.json())
    return tokens, login_s


async def drive(plan: Plan) -> dict[str, Any]:
    """Run the plan against the server at `plan.base`; the figures of the measured window."""
    tally = Tally()
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    # The server's own origin: a password login leaves a session cookie in the client,
    # and a cookie-authenticated POST without an Origin is refused (403) as cross-site.
    async with httpx.AsyncClient(base_url=plan.base, limits=limits, timeout=60.0,
                                 headers={"Origin": plan.base}) as client:
        agents = [_Agent(a, plan, client, tally) for a in plan.agents]
        t_setup = time.time()
        tokens, login_s = await _tokens(client, agents, plan.password_logins)
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        setups = [asyncio.create_task(a.setup(tokens[a.id], gate))
                  for a in agents if a.id in tokens]
        try:
            done, _ = await asyncio.wait(setups, timeout=plan.setup_timeout)
            if len(done) < len(setups):
                tally.errors["setup timed out"] += len(setups) - len(done)
            setup_s = time.time() - t_setup
            (await client.post("/bench/go")).raise_for_status()  # callers start now
            await asyncio.sleep(plan.settle)
            t0, cpu0 = time.time(), (await _cpu(client))["cpu_s"]
            await asyncio.sleep(plan.seconds)
            t1, cpu1 = time.time(), (await _cpu(client))["cpu_s"]
            await asyncio.sleep(plan.grace)
            r = await client.get("/bench/stats")
            r.raise_for_status()
            stats = r.json()
        finally:
            tally.stopping = True
            work = [*setups, *(a.tasks[1] for a in agents if a.tasks)]
            for t in work:
                t.cancel()
            await asyncio.gather(*work, return_exceptions=True)
            await asyncio.gather(*(asyncio.wait_for(a.ws.close(), 5.0) for a in agents
                                   if a.ws is not None), return_exceptions=True)
            for a in agents:
                a.http.close()
            reads = [a.tasks[0] for a in agents if a.tasks]
            for t in reads:
                t.cancel()
            await asyncio.gather(*reads, return_exceptions=True)
    figures = _figures(plan, tally, stats, t0, t1, cpu1 - cpu0, setup_s)
    figures["password_login_ms"] = login_s * 1e3
    return figures


def _figures(plan: Plan, tally: Tally, stats: dict[str, Any], t0: float, t1: float,
             cpu_s: float, setup_s: float) -> dict[str, Any]:
    arrived: dict[str, float] = stats["arrived"]
    window = {iid: t for iid, t in arrived.items() if t0 <= t < t1}
    lat = np.array([tally.offers[iid] - t for iid, t in window.items() if iid in tally.offers])
    errors = Counter(tally.errors)
    errors["never offered"] += len(window) - len(lat)
    errors["offered, not finished"] += sum(1 for iid in window
                                           if iid in tally.offers and iid not in tally.handled)
    errors["agents not ready"] += len(plan.agents) - tally.ready
    errors.update({k: v for k, v in stats["server_errors"].items()})
    errors = Counter({k: v for k, v in errors.items() if v})
    reported: dict[str, float] = stats.get("reported", {})
    lag = np.array([reported[iid] - t for iid, t in window.items() if iid in reported])
    span = t1 - t0
    handled = sum(1 for t in tally.handled.values() if t0 <= t < t1)
    ms = (lambda q: float(np.percentile(lat, q) * 1e3)) if len(lat) else (lambda q: float("nan"))
    return {
        "agents": len(plan.agents), "agents_ready": tally.ready, "seconds": span,
        "setup_s": setup_s,
        "calls_arrived": len(window), "calls_offered": len(lat),
        "arrived_per_s": len(window) / span, "offered_per_s": len(lat) / span,
        "handled_per_s": handled / span,
        "p50_ms": ms(50), "p99_ms": ms(99), "max_ms": float(lat.max() * 1e3) if len(lat) else
        float("nan"),
        "lag_p99_ms": float(np.percentile(lag, 99) * 1e3) if len(lag) else float("nan"),
        "lag_max_ms": float(lag.max() * 1e3) if len(lag) else float("nan"),
        "server_cpu_s": cpu_s,
        "cpu_ms_per_call": cpu_s / handled * 1e3 if handled else float("nan"),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
    }
