"""The runtime's wiring: engine + driver + pub/sub around the telephony adapter it is given.

    runtime = build_runtime(RuntimeSettings(), sip_adapter, queues=qs, agents=ags,
                            persist=store.persist)
    await runtime.start()
    ...
    await runtime.stop()

The runtime knows no scenario: it runs the `queues` and `agents` it is given with the
adapter it is given (`runtime.simulated.build_simulated` builds the `sim` adapter from
a scenario and passes it here). With IVR `flows` (the `sip` adapter's, or a scenario's
`[ivr]` for the `sim` adapter), the driver runs a `CallCenter` (engine + IVR)
instead of the engine alone; the store and the pub/sub still get engine commands
only, the telephony adapter gets both kinds.

With a `dialer_store` the runtime also runs the live dialer (`runtime.dialer`): the
campaigns stored as running, dialed through the telephony adapter's dialing side
(`telephony.base.Dialing`).

Nothing here is module-level state: every object belongs to the `Runtime` it built.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast, get_args

import numpy as np

from callcenter.clock import Clock, LoopClock
from callcenter.core.center import CallCenter, CenterCommand
from callcenter.core.commands import Command
from callcenter.core.config import AgentConfig, EngineSettings, QueueConfig
from callcenter.core.csat import RecordSurvey
from callcenter.core.engine import Engine
from callcenter.core.events import CallerHungUp, WrapUpDone
from callcenter.core.ivr import IvrRunner
from callcenter.core.ivr_flow import Flow
from callcenter.crm.directory import Directory, MemoryDirectory
from callcenter.runtime.dialer import DialerService, DialerSettings, DialerStore, build_dialer
from callcenter.runtime.driver import SHUTDOWN, Backlog, EngineDriver, Sink
from callcenter.runtime.lookups import CustomerLookups
from callcenter.runtime.pubsub import CommandHub
from callcenter.telephony.base import Dialing, Telephony


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    """How the runtime runs: how fast, from when, in what batches."""

    speed: float = 1.0
    """Engine seconds per real second (60: a simulated minute every second)."""
    start: float | None = None
    """Engine time (Unix seconds) to begin at; None: now."""
    warm_up: float = 0.0
    """Engine seconds before `start` to live through first at the clock's warm-up speed
    (`callcenter.clock.LoopClock`): the demo's busy hour is there at once."""
    max_batch: int = 256
    """Events the driver hands to the engine before one persistence call."""


class Runtime:
    """The running pieces of one node; `start()` and `stop()` in that order."""

    def __init__(self, engine: Engine, clock: Clock,
                 driver: EngineDriver[Any], telephony: Telephony, events: CommandHub,
                 center: CallCenter | None = None) -> None:
        self.engine = engine
        """The routing engine (the API reads queues and agents here)."""
        self.center = center
        """The engine and the IVR together, when the runtime runs flows."""
        self.clock = clock
        self.driver = driver
        self.telephony = telephony
        self.events = events
        """Every command list, published for websockets and wallboards."""
        self.lookups: CustomerLookups | None = None
        """The IVR's customer lookups, when the runtime runs flows."""
        self.dialer: DialerService | None = None
        """The live dialer, when the runtime runs campaigns."""

    async def start(self) -> None:
        """Start the driver, then telephony (whose first reports need the driver), then
        the dialer."""
        await self.driver.start()
        await self.telephony.start(self.driver.report_line)
        if self.dialer is not None:
            await self.dialer.start()

    async def drain(self, grace: float) -> list[str]:
        """A graceful stop's first part: take no new calls (the dialer stops, telephony's
        new calls are turned away), let the calls in progress end on their own for up to
        `grace` seconds of the clock, then close those left: `CallerHungUp(call,
        "shutdown")` (a call waiting or ringing ends `lost`, a conversation ends, both
        with exit reason `shutdown`), and a wrap-up still open is done (no disposition).
        Their rows are complete instead of being found open, and closed as `lost` with
        `lost_on_restart`, by the next start. A queued callback (the customer is not on
        the line) is left open. The ids of the calls closed."""
        self.driver.draining = True
        if self.dialer is not None:
            await self.dialer.stop()
            self.dialer = None
        await self.driver.settled()
        deadline = self.clock.time() + grace
        changed = asyncio.Event()
        timer = self.clock.call_at(deadline, changed.set)

        def progress(_command: Command) -> bool:
            changed.set()
            return False  # queues nothing: only wakes the loop below

        watch = self.events.subscribe(progress)
        try:
            while self.engine.open_interactions() and self.clock.time() < deadline:
                changed.clear()
                await changed.wait()
                await self.driver.settled()
        finally:
            timer.cancel()
            watch.close()
        left = self.engine.open_interactions()
        for iid in left:
            self.driver.report(CallerHungUp(iid, SHUTDOWN))
        await self.driver.settled()
        for agent in self.engine.agents():  # hung up, in wrap-up: finish it
            for iid in agent.wrapping:
                self.driver.report(WrapUpDone(agent.agent_id, iid))
        await self.driver.settled()
        return left

    async def stop(self) -> None:
        """Stop the dialer (its last writes stored) and telephony (no new events), let
        the driver finish what is queued, close the subscriptions."""
        if self.dialer is not None:
            await self.dialer.stop()
        await self.telephony.stop()
        if self.lookups is not None:
            await self.lookups.close()
        await self.driver.stop()
        self.events.close()


_ENGINE_COMMANDS = (*get_args(Command), RecordSurvey)
"""What the persistence sink stores: the engine's commands, and the IVR's post-call
survey rows (stored, journaled and retried with them, so no rating is lost)."""


def engine_commands(sink: Sink[Command]) -> Sink[CenterCommand]:
    """`sink` fed with the engine's commands of each list, and the IVR's survey rows
    (the IVR's other commands are left out)."""
    async def only_engine(commands: list[CenterCommand]) -> None:
        kept = [c for c in commands if isinstance(c, _ENGINE_COMMANDS)]
        if kept:
            await sink(cast(list[Command], kept))

    return only_engine


def build_runtime(settings: RuntimeSettings, telephony: Telephony, *,
                  queues: Sequence[QueueConfig], agents: Sequence[AgentConfig],
                  engine_settings: EngineSettings | None = None, seed: int = 0,
                  persist: Sink[Command] | None = None, clock: Clock | None = None,
                  flows: Mapping[str, Flow] | None = None,
                  directory: Directory | None = None,
                  dialer_store: DialerStore | None = None, dialing: Dialing | None = None,
                  dialer: DialerSettings | None = None,
                  backlog: Backlog | None = None) -> Runtime:
    """Wire a runtime around `telephony`: an engine running `queues` and `agents` with
    `engine_settings` (its random strategy seeded from `seed`, as the simulator seeds
    it), on `clock` (default: a `LoopClock` at `settings.speed`). `persist` stores
    commands before they are acknowledged (the server plugs the store in here).

    With `flows` (IVR flows by id) the driver runs a `CallCenter`: calls start in a
    flow (`CallEntered`) and reach the engine's queues from there. The IVR's customer
    lookups are answered from `directory` (the server passes the store's; none: nobody
    is found).

    With `dialer_store` the runtime runs the live dialer (`dialer` settings), placing
    calls through `dialing` (default: the telephony adapter's own dialing side).

    `backlog` (the server's `DurableSink`, also its `persist`) tells the driver when
    the store is not taking writes; new calls are then turned away through the
    telephony adapter, as they are while the runtime drains."""
    _, eng_rng = np.random.default_rng(seed).spawn(2)  # the adapter draws from the other
    engine_settings = replace(engine_settings or EngineSettings(), interaction_changes=True,
                              agent_changes=True)
    engine = Engine(queues, agents, engine_settings, random.Random(int(eng_rng.integers(2**63))))
    if clock is None:
        clock = LoopClock(settings.speed, settings.start, warm_up=settings.warm_up)
    events = CommandHub()
    if flows is not None:
        ivr = IvrRunner(flows, status=lambda c: (engine.position(c), engine.expected_wait(c)))
        center = CallCenter(engine, ivr)
        center_driver = EngineDriver(center, clock, None if persist is None else
                                     engine_commands(persist), max_batch=settings.max_batch,
                                     backlog=backlog)
        lookups = CustomerLookups(directory or MemoryDirectory(), center_driver.report)
        center_driver.add_sink("directory", lookups)
        center_driver.add_sink("telephony", telephony.execute)
        center_driver.add_sink("pubsub", engine_commands(events))
        runtime = Runtime(engine, clock, center_driver, telephony, events, center)
        runtime.lookups = lookups
    else:
        driver = EngineDriver(engine, clock, persist, max_batch=settings.max_batch,
                              backlog=backlog)
        driver.add_sink("telephony", telephony.execute)
        driver.add_sink("pubsub", events)
        runtime = Runtime(engine, clock, driver, telephony, events)
    runtime.driver.refuse = telephony.execute
    if dialer_store is not None:
        runtime.dialer = build_dialer(engine, runtime.driver, clock, telephony, dialer_store,
                                      dialing=dialing, settings=dialer,
                                      flows=() if flows is None else list(flows))
    return runtime
