"""The composition root: engine + driver + telephony + pub/sub, built from settings.

    runtime = build_runtime(RuntimeSettings("hotline", speed=60), persist=store.persist)
    await runtime.start()
    ...
    await runtime.stop()

With IVR `flows` (the `sip` adapter's, or a scenario's `[ivr]` for the `sim`
adapter), the driver runs a `CallCenter` (engine + IVR)
instead of the engine alone; the store and the pub/sub still get engine commands
only, the telephony adapter gets both kinds.

With a `dialer_store` the runtime also runs the live dialer (`runtime.dialer`): the
campaigns stored as running, dialed through the telephony adapter's outbound side.

Nothing here is module-level state: every object belongs to the `Runtime` it built.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, cast, get_args

import numpy as np

from callcenter.clock import Clock, LoopClock
from callcenter.core.center import CallCenter, CenterCommand
from callcenter.core.commands import Command, InteractionStateChanged, RecordInteraction
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.events import CallerHungUp, WrapUpDone
from callcenter.core.interaction_state import InteractionState
from callcenter.core.ivr import IvrRunner
from callcenter.core.ivr_flow import Flow
from callcenter.crm.directory import Directory, MemoryDirectory
from callcenter.runtime.dialer import DialerService, DialerSettings, DialerStore, build_dialer
from callcenter.runtime.driver import SHUTDOWN, Backlog, EngineDriver, Sink
from callcenter.runtime.lookups import CustomerLookups
from callcenter.runtime.pubsub import CommandHub
from callcenter.scenario.load import load_scenario
from callcenter.scenario.spec import IvrModel, Scenario
from callcenter.telephony.base import Outbound, Telephony
from callcenter.telephony.sim import SimTelephony


def example_scenarios() -> Path:
    """The folder of example scenarios shipped with the package."""
    return Path(str(resources.files("callcenter.examples") / "scenarios"))


def scenario_path(name: str | Path) -> Path:
    """A scenario file: an example's name (`hotline`) or a path to a TOML file."""
    path = Path(name)
    if path.suffix:
        return path
    found = example_scenarios() / f"{name}.toml"
    if not found.exists():
        known = ", ".join(p.stem for p in sorted(example_scenarios().glob("*.toml")))
        raise ValueError(f"no example scenario {str(name)!r} (examples: {known})")
    return found


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    """What to run: the scenario (queues, agents, callers) and how fast."""

    scenario: str | Path = "hotline"
    """An example's name or a scenario file."""
    speed: float = 1.0
    """Engine seconds per real second (60: a simulated minute every second)."""
    start: float | None = None
    """Engine time (Unix seconds) to begin at; None: now."""
    seed: int | None = None
    """Seed of the synthetic callers and bots; None: the scenario's."""
    bots: bool = True
    """Bot agents log in and answer offers; False leaves the agents to people."""
    breaks: bool = True
    """Bot agents take their shift's breaks."""
    max_batch: int = 256
    """Events the driver hands to the engine before one persistence call."""


class Runtime:
    """The running pieces of one node; `start()` and `stop()` in that order."""

    def __init__(self, scenario: Scenario, engine: Engine, clock: Clock,
                 driver: EngineDriver[Any], telephony: Telephony, events: CommandHub,
                 center: CallCenter | None = None) -> None:
        self.scenario = scenario
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
        self._agent_of: dict[str, str] = {}
        """The agent of each open interaction that has one (for a drain's wrap-ups)."""

    async def track(self, commands: list[Command]) -> None:
        """A driver sink: follow which agent each open interaction is with."""
        for c in commands:
            if isinstance(c, InteractionStateChanged) and c.agent_id is not None:
                self._agent_of[c.interaction_id] = c.agent_id
            elif isinstance(c, RecordInteraction):
                self._agent_of.pop(c.record.interaction_id, None)

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
        for iid in self.engine.open_interactions():  # hung up, in wrap-up: finish it
            agent = self._agent_of.get(iid)
            if agent is not None and self.engine.interaction_state(iid) is WRAP_UP:
                self.driver.report(WrapUpDone(agent, iid))
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


_ENGINE_COMMANDS = get_args(Command)
WRAP_UP = InteractionState.WRAP_UP


def engine_commands(sink: Sink[Command]) -> Sink[CenterCommand]:
    """`sink` fed with the engine's commands of each list only (the IVR's are left out)."""
    async def only_engine(commands: list[CenterCommand]) -> None:
        kept = [c for c in commands if isinstance(c, _ENGINE_COMMANDS)]
        if kept:
            await sink(cast(list[Command], kept))

    return only_engine


def build_runtime(settings: RuntimeSettings, *, persist: Sink[Command] | None = None,
                  clock: Clock | None = None, telephony: Telephony | None = None,
                  scenario: Scenario | None = None,
                  queues: Sequence[QueueConfig] | None = None,
                  agents: Sequence[AgentConfig] | None = None,
                  humans: Collection[str] = (),
                  flows: Mapping[str, Flow] | None = None,
                  directory: Directory | None = None,
                  dialer_store: DialerStore | None = None, outbound: Outbound | None = None,
                  dialer: DialerSettings | None = None,
                  backlog: Backlog | None = None) -> Runtime:
    """Wire a runtime. `persist` stores commands before they are acknowledged (the
    server plugs the store in here); `clock` and `telephony` replace the defaults
    (a `LoopClock` at `settings.speed`, the `sim` adapter) in tests.

    `scenario` is the loaded `settings.scenario` (loaded here when None). The engine
    runs `queues` and `agents` (the server passes the store's), else the scenario's;
    the sim adapter's callers go to those queues, and its bots drive those agents but
    for `humans` (agents people log in as).

    With `flows` (IVR flows by id; for the sim adapter by default the scenario's
    `[ivr]` flows) the driver runs a `CallCenter`: calls start in a flow
    (`CallEntered`) and reach the engine's queues from there; the sim adapter's
    modelled callers answer them as in the simulator. The IVR's customer lookups are
    answered from `directory` (the server passes the store's; none: nobody is found).

    With `dialer_store` the runtime runs the live dialer (`dialer` settings), placing
    calls through `outbound` (default: the telephony adapter's own outbound side).

    `backlog` (the server's `DurableSink`, also its `persist`) tells the driver when
    the store is not taking writes; new calls are then turned away through the
    telephony adapter, as they are while the runtime drains."""
    if scenario is None:
        scenario = load_scenario(scenario_path(settings.scenario))
    if queues is None:
        queues = scenario.queues
    if agents is None:
        agents = [a for g in scenario.groups for a in g.agents]
    seed = scenario.seed if settings.seed is None else settings.seed
    tel_rng, eng_rng = np.random.default_rng(seed).spawn(2)
    engine_settings = replace(scenario.settings, interaction_changes=True, agent_changes=True)
    engine = Engine(queues, agents, engine_settings, random.Random(int(eng_rng.integers(2**63))))
    if clock is None:
        clock = LoopClock(settings.speed, settings.start)
    events = CommandHub()
    if flows is None and telephony is None and scenario.ivr is not None:
        flows = scenario.ivr.flows
    if telephony is None:
        bots = {a.id for a in agents}.difference(humans) if settings.bots else set()
        model = None if flows is None else IvrModel(flows) if scenario.ivr is None \
            else replace(scenario.ivr, flows=flows)
        telephony = SimTelephony(scenario, clock, tel_rng, bots=bots, breaks=settings.breaks,
                                 queues={q.id for q in queues}, ivr=model, ivr_seed=seed)
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
        runtime = Runtime(scenario, engine, clock, center_driver, telephony, events, center)
        runtime.lookups = lookups
    else:
        driver = EngineDriver(engine, clock, persist, max_batch=settings.max_batch,
                              backlog=backlog)
        driver.add_sink("telephony", telephony.execute)
        driver.add_sink("pubsub", events)
        runtime = Runtime(scenario, engine, clock, driver, telephony, events)
    runtime.driver.refuse = telephony.execute
    runtime.driver.add_sink("calls", engine_commands(runtime.track))
    if dialer_store is not None:
        runtime.dialer = build_dialer(engine, runtime.driver, clock, telephony, dialer_store,
                                      outbound=outbound, settings=dialer,
                                      flows=() if flows is None else list(flows))
    return runtime
