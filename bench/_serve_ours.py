"""The server under test, in a process of its own (started by `bench/server.py`).

    python bench/_serve_ours.py --db URL --scenario FILE --port PORT

`create_app(ServerSettings(...))` under uvicorn, as `callcenter serve` runs it, with
two additions that only measure:

- the sim adapter is wrapped (through the public `Telephony` protocol) so that the
  wall-clock moment each caller arrives is written down as the adapter reports it:
  the start of the latency the benchmark measures. With `speed=1` and no `start`
  the engine's clock is `time.time()` (`LoopClock`), the same clock the load
  generator reads on the same machine.
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
from collections.abc import Sequence
from typing import Any

import numpy as np
import uvicorn
from fastapi import Request

from callcenter.api.app import create_app
from callcenter.api.auth import Role
from callcenter.api.settings import ServerSettings
from callcenter.api.state import server_of
from callcenter.clock import LoopClock
from callcenter.core.commands import Command
from callcenter.core.events import Event, InteractionArrived
from callcenter.scenario.load import load_scenario
from callcenter.store.users import agent_of_user, get_user
from callcenter.telephony.base import Report, Telephony
from callcenter.telephony.sim import SimTelephony


class TimedArrivals:
    """A telephony adapter that notes when each caller arrives, then passes everything on;
    its callers start at `go()`, not at `start()`."""

    def __init__(self, inner: Telephony) -> None:
        self.inner = inner
        self.arrived: dict[str, float] = {}
        self._report: Report | None = None
        self._going = False

    async def start(self, report: Report) -> None:
        self._report = report

    async def go(self) -> None:
        """Start the inner adapter (its callers begin to arrive); once only."""
        if self._going or self._report is None:
            return
        self._going = True
        arrived, report = self.arrived, self._report

        def timed(event: Event) -> None:
            if isinstance(event, InteractionArrived):
                arrived[event.interaction_id] = time.time()
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
    timed = TimedArrivals(SimTelephony(scenario, clock, tel_rng, bots=False))
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
        return {u: server.logins.open(u, Role.AGENT, a) for u, a in agents.items()}

    @app.get("/bench/stats", include_in_schema=False)
    async def stats(request: Request) -> dict[str, Any]:
        driver = server_of(request).runtime.driver.stats
        errors = {"engine errors": driver.engine_errors,
                  "persist errors": driver.persist_errors,
                  "adapter events refused": driver.peer_refused,
                  **{f"sink {k} errors": v for k, v in driver.sink_errors.items()}}
        return {"arrived": timed.arrived, "cpu_s": time.process_time(),
                "server_errors": errors,
                "batches": driver.batches, "events": driver.events}

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
