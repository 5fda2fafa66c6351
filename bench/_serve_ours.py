"""The server under test, in a process of its own (started by `bench/server.py`).

    python bench/_serve_ours.py --db URL --scenario FILE --port PORT

`create_app(ServerSettings(...))` under uvicorn, as `callcenter serve` runs it, with
two additions that only measure:

- the sim adapter is wrapped (through the public `Telephony` protocol) so that each
  caller's *scheduled* arrival is written down: the moment its arrival timer was
  due (`ScheduledClock` notes the `when` of the timer that is firing), not the
  moment the timer ran. A stalled event loop runs the timer late; counted from the
  due moment, the stall shows in the latency instead of vanishing from it
  (coordinated omission). The moment the adapter reported it is kept too (the
  loop's lag). With `speed=1` and no `start` the engine's clock is `time.time()`
  (`LoopClock`), the same clock the load generator reads on the same machine.
- the wrapper holds the sim adapter's start (its callers) until `POST /bench/go`:
  the load generator calls it once every agent is connected and ready, so the run
  measures the steady state, not the working off of callers who arrived during
  the setup.
- `POST /bench/go` (callers start), `GET /bench/cpu` (this process's CPU seconds,
  all threads), `GET /bench/stats`
  (the arrivals, the driver's error counters) and `POST /bench/tokens` (login
  tokens for a list of agent users, opened as `POST /api/login` opens them but
  without the argon2 check, which costs ~0.1-0.3 s of CPU per login on these
  machines) for the load generator.

Access logs are off (as in the peer): one line per request would be measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import uvicorn
from fastapi import Request

from callcenter.api.app import create_app
from callcenter.api.auth import Role
from callcenter.api.settings import ServerSettings
from callcenter.api.state import server_of
from callcenter.clock import Clock, LoopClock, Timer
from callcenter.core.commands import Command
from callcenter.core.events import Event, InteractionArrived
from callcenter.scenario.load import load_scenario
from callcenter.store.users import agent_of_user, get_user
from callcenter.telephony.base import Report, Telephony
from callcenter.telephony.sim import SimTelephony


class ScheduledClock:
    """A clock that passes everything to `inner` and, while a timer's callback runs,
    holds the engine time that timer was due at (`firing`)."""

    def __init__(self, inner: Clock) -> None:
        self.inner = inner
        self.firing: float | None = None

    def time(self) -> float:
        return self.inner.time()

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        def fire() -> None:
            self.firing = when
            try:
                callback()
            finally:
                self.firing = None

        return self.inner.call_at(when, fire)


class TimedArrivals:
    """A telephony adapter that notes when each caller was due to arrive (and when the
    adapter reported it), then passes everything on; its callers start at `go()`, not
    at `start()`."""

    def __init__(self, inner: Telephony, clock: ScheduledClock) -> None:
        self.inner = inner
        self.clock = clock
        self.arrived: dict[str, float] = {}
        self.reported: dict[str, float] = {}
        self._report: Report | None = None
        self._going = False

    async def start(self, report: Report) -> None:
        self._report = report

    async def go(self) -> None:
        """Start the inner adapter (its callers begin to arrive); once only."""
        if self._going or self._report is None:
            return
        self._going = True
        arrived, reported, report, clock = self.arrived, self.reported, self._report, \
            self.clock

        def timed(event: Event) -> None:
            if isinstance(event, InteractionArrived):
                now = time.time()
                due = clock.firing
                arrived[event.interaction_id] = now if due is None else due
                reported[event.interaction_id] = now
            report(event)

        await self.inner.start(timed)

    async def stop(self) -> None:
        await self.inner.stop()

    async def execute(self, commands: Sequence[Command]) -> None:
        await self.inner.execute(commands)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    clock = LoopClock()  # speed 1, no start: engine time is time.time()
    tel_rng = np.random.default_rng(scenario.seed).spawn(2)[0]
    scheduled = ScheduledClock(clock)
    timed = TimedArrivals(SimTelephony(scenario, scheduled, tel_rng, bots=False), scheduled)
    settings = ServerSettings(database_url=args.db, port=args.port, scenario=args.scenario,
                              bots=False, drain_seconds=0)  # a stop closes calls at once
    app = create_app(settings, clock=clock, telephony=timed)

    @app.get("/bench/cpu", include_in_schema=False)
    async def cpu() -> dict[str, float]:
        return {"cpu_s": time.process_time(), "arrived": len(timed.arrived)}

    @app.post("/bench/go", include_in_schema=False)
    async def go() -> dict[str, bool]:
        await timed.go()
        return {"going": True}

    @app.post("/bench/tokens", include_in_schema=False)
    async def tokens(request: Request, usernames: list[str]) -> dict[str, str]:
        server = server_of(request)

        def linked() -> dict[str, str | None]:
            with server.sessions() as session:
                return {u: agent_of_user(session, get_user(session, u)) for u in usernames}

        agents = await asyncio.to_thread(linked)
        return {u: await server.logins.open(u, Role.AGENT, a) for u, a in agents.items()}

    @app.get("/bench/stats", include_in_schema=False)
    async def stats(request: Request) -> dict[str, Any]:
        driver = server_of(request).runtime.driver.stats
        errors = {"engine errors": driver.engine_errors,
                  "persist errors": driver.persist_errors,
                  "adapter events refused": driver.peer_refused,
                  **{f"sink {k} errors": v for k, v in driver.sink_errors.items()}}
        return {"arrived": timed.arrived, "reported": timed.reported,
                "cpu_s": time.process_time(),
                "server_errors": errors,
                "batches": driver.batches, "events": driver.events}

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
