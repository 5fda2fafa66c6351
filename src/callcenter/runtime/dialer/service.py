"""The live dialer: every running campaign, paced once a second on the runtime's clock.

    dialer = DialerService(engine, driver, clock, store, dialing_of(telephony))
    await dialer.start()                 # loads the running campaigns, arms the tick
    await dialer.apply("spring", "paused")
    await dialer.stop()                  # last writes stored

Once a (clock) second, for each running campaign: the engine's view of the
campaign's agents (`AgentView`: agents eligible for its queue ``campaign:NAME``)
and the calls in flight make a `PacingState`; the campaign's pacer says how many
calls to launch; that many leads come from its `LeadQueue`; the telephony adapter
places them (`Dialing.originate`). While more inbound interactions wait for the
campaign's agents than `DialerSettings.inbound_waiting_max`, nothing is dialed.

What the lines do comes back as `DialUpdate`s: a live answer arrives in the
campaign's queue as an interaction (its id is the call's id), and is a drop if no
agent is connected `grace` (2 s) later: the engine ends it with reason `dropped`
and the adapter plays the information message and hangs up. The service watches
the engine's commands (a driver sink) for connects and finished interactions.
After each tick the ended attempts, the changed leads and the numbers a
do-not-call disposition blocked are stored in one write (`DialerStore.save`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from callcenter.clock import Clock, Timer
from callcenter.core.agent_state import AgentState
from callcenter.core.commands import Command, Connect, RecordInteraction
from callcenter.core.config import QueueConfig
from callcenter.core.dialer.campaign import CallOutcome, Campaign, DialMode, DncScope
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead, LeadState
from callcenter.core.dialer.queue import OUTBOUND_PRIORITY, campaign_of_queue, campaign_queue
from callcenter.core.dialer.run import AgentView, Call, CampaignRun, Opened, Writes
from callcenter.core.dialer.windows import HolidayCalendar
from callcenter.core.engine import Engine
from callcenter.core.events import CallerHungUp, Event, InteractionArrived, QueueConfigured
from callcenter.core.interaction_state import InteractionState
from callcenter.core.ivr_events import FlowEnded, IvrCommand
from callcenter.runtime.dialer.agent_side import AgentSide
from callcenter.runtime.driver import DriverStopped, EngineDriver
from callcenter.telephony.base import (
    Dialing,
    DialingFlows,
    DialingUnsupported,
    DialStatus,
    DialUpdate,
)

log = logging.getLogger(__name__)

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
_TAKEN = (InteractionState.CONNECTED, InteractionState.WRAP_UP)
_NO_CONTACT = {DialStatus.BUSY: CallOutcome.BUSY, DialStatus.NO_ANSWER: CallOutcome.NO_ANSWER,
               DialStatus.ANSWERING_MACHINE: CallOutcome.ANSWERING_MACHINE,
               DialStatus.FAILED: CallOutcome.FAILED}


@dataclass(frozen=True, slots=True)
class DialerSettings:
    """How the live dialer runs."""

    tick: float = 1.0
    """Seconds (engine clock) between pacing decisions."""
    grace: float = 2.0
    """A live answer not connected to an agent this long after the answer is a drop."""
    inbound_waiting_max: int = 0
    """Dial only while at most this many inbound interactions wait for the campaign's
    agents (blending: inbound service level first)."""
    wrap_up: float = 10.0
    """Wrap-up seconds of the campaign queues."""
    lead_refresh: float = 60.0
    """Seconds between looks for leads stored while a campaign runs (an import)."""


class DialerStore(Protocol):
    """The store as the dialer needs it (`callcenter.store.dialer.SqlDialerStore`)."""

    def states(self) -> dict[str, str]:
        """Every campaign's state (`running`, `paused`, `stopped`)."""
        ...

    def open(self, name: str, now: float) -> Opened:
        """The campaign, its leads and its recent live answers."""
        ...

    def ensure_queue(self, queue: QueueConfig) -> QueueConfig:
        """Store the campaign's queue unless it is stored (agents can then list it); the
        stored configuration (an admin may have changed it)."""
        ...

    def dnc(self) -> DncRegistry:
        """Every do-not-call list."""
        ...

    def lead_count(self, name: str) -> int:
        """How many leads the campaign has in the store."""
        ...

    def leads(self, name: str) -> list[Lead]:
        """The campaign's stored leads."""
        ...

    def save(self, writes: Writes) -> None:
        """Store the attempts, the leads and the blocked numbers of one tick."""
        ...

    def quota_hold(self, name: str) -> Callable[[Mapping[str, str]], bool] | None:
        """A test of a lead's fields, true when a full survey quota cell holds the lead;
        None when none does."""
        ...


class DialerService(AgentSide):
    """The live dialer of one runtime (see the module's docstring); its agent side
    (preview, callbacks) is `AgentSide`."""

    def __init__(self, engine: Engine, driver: EngineDriver[Any], clock: Clock,
                 store: DialerStore, dialing: Dialing | DialingUnsupported,
                 holidays: HolidayCalendar, settings: DialerSettings | None = None) -> None:
        """`dialing` is the adapter's dialing side, or why it has none (campaigns
        then cannot start)."""
        self.settings = settings or DialerSettings()
        self._engine = engine
        self._driver = driver
        self._clock = clock
        self._store = store
        self._dialing = dialing
        self._holidays = holidays
        self._dnc = DncRegistry()
        self._runs: dict[str, CampaignRun] = {}
        self._draining: dict[str, CampaignRun] = {}
        """Stopped campaigns whose calls in flight have not all ended."""
        self._calls: dict[str, tuple[CampaignRun, Call]] = {}
        self._early: dict[str, list[DialUpdate]] = {}
        self._timer: Timer | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._unsaved = Writes()
        self._running = False
        self._looked_for_leads = float("-inf")
        self.flows: frozenset[str] | None = None
        """The IVR flows the runtime runs (agentless campaigns need theirs); None: any."""
        driver.add_sink("dialer", self._on_commands)

    def call_lead(self, interaction_id: str) -> tuple[str, Lead] | None:
        """The campaign and lead of a live outbound call (None: no dialer call, or one
        that has ended): what the desktop's script merges."""
        found = self._calls.get(interaction_id)
        return None if found is None else (found[0].campaign.name, found[1].lead)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Load the do-not-call lists and the running or paused campaigns; arm the tick."""
        if isinstance(self._dialing, Dialing):
            self._dialing.on_dial(self._on_update)
        self._dnc = await asyncio.to_thread(self._store.dnc)
        self._running = True
        states = await asyncio.to_thread(self._store.states)
        for name, state in sorted(states.items()):
            if state in (RUNNING, PAUSED) and isinstance(self._dialing, Dialing):
                try:
                    await self.apply(name, state)
                except DialingUnsupported as exc:  # e.g. its flow is gone from the config
                    log.error("campaign %s is not dialed: %s", name, exc)
        self._arm()

    async def stop(self) -> None:
        """Stop ticking and store what is left (calls in flight are left to the adapter)."""
        self._running = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.settled()
        await self._flush()

    async def settled(self) -> None:
        """Wait for the current tick and the adapter tasks it started."""
        while self._tick_task is not None or self._tasks:
            pending = [t for t in (self._tick_task, *self._tasks) if t is not None]
            await asyncio.gather(*pending, return_exceptions=True)
            if self._tick_task is not None and self._tick_task.done():
                self._tick_task = None

    def check_dialing(self) -> Dialing:
        """The adapter's dialing side; `DialingUnsupported` when it has none."""
        if isinstance(self._dialing, DialingUnsupported):
            raise self._dialing
        return self._dialing

    # ------------------------------------------------------------------ campaign states

    async def apply(self, name: str, state: str) -> None:
        """The campaign's stored state changed: run it, pause it, or stop it."""
        run = self._runs.get(name)
        if state == STOPPED:
            if run is not None:
                run.paused = True
                await self._end_previews(run)
                self._draining[name] = self._runs.pop(name)
                await self._flush()
            return
        if run is None:
            self.check_dialing()
            run = self._draining.pop(name, None) or await self._open(name)
            try:
                self._check_flow(run.campaign)
            except DialingUnsupported:
                self._draining[name] = run  # its calls in flight are still followed
                run.paused = True
                raise
            self._runs[name] = run
        run.paused = state == PAUSED
        if run.paused:
            await self._end_previews(run)

    def check_start(self, c: Campaign) -> None:
        """`DialingUnsupported` saying why `c` cannot run here: the adapter places no
        calls, or (agentless) runs no flows on them or lacks the campaign's flow."""
        self.check_dialing()
        self._check_flow(c)

    def _check_flow(self, c: Campaign) -> None:
        """An agentless campaign needs an adapter that runs flows on outbound calls and a
        flow the runtime runs; `DialingUnsupported` naming what is missing."""
        if c.dial_mode is not DialMode.AGENTLESS:
            return
        if not isinstance(self._dialing, DialingFlows):
            raise DialingUnsupported(f"the telephony adapter {type(self._dialing).__name__} "
                                      "runs no IVR flows on outbound calls (agentless)")
        if self.flows is not None and c.flow not in self.flows:
            known = ", ".join(sorted(self.flows)) or "none"
            raise DialingUnsupported(f"campaign {c.name!r}: flow {c.flow!r} is not one the "
                                      f"server runs (flows: {known})")

    async def _open(self, name: str) -> CampaignRun:
        opened = await asyncio.to_thread(self._store.open, name, self._clock.time())
        c = opened.campaign
        cfg = campaign_queue(c, wrap_up=self.settings.wrap_up, grace=self.settings.grace)
        cfg = await asyncio.to_thread(self._store.ensure_queue, cfg)
        if self._engine.queue(cfg.id) != cfg:
            await self._driver.submit(QueueConfigured(cfg))
        queue = LeadQueue(c, self._dnc, self._holidays)
        queue.extend(opened.leads)
        _hold(queue, await asyncio.to_thread(self._store.quota_hold, name))
        now = self._clock.time()
        for lead in opened.leads:  # an attempt a stopped process left open: it failed
            if lead.state is LeadState.DIALING:
                queue.record_outcome(lead.id, CallOutcome.FAILED, now)
        return CampaignRun(c, queue, opened.lives, grace=self.settings.grace,
                           warn=log.warning)

    # ------------------------------------------------------------------ do-not-call

    def block(self, number: str, campaign: str | None = None) -> None:
        """A number went on a do-not-call list (the API): never handed out from now on."""
        self._dnc.add(number, campaign)

    def unblock(self, number: str, campaign: str | None = None) -> None:
        """A number came off an internal do-not-call list."""
        self._dnc.remove(number, campaign)

    def national(self, name: str, numbers: list[str]) -> None:
        """A national list was imported (replaces the list of that name)."""
        self._dnc.import_national(name, numbers)

    def add_leads(self, name: str, leads: list[Lead]) -> int:
        """Leads stored while the campaign runs join its queue; returns how many."""
        run = self._runs.get(name)
        if run is None:
            return 0
        return run.queue.extend(lead for lead in leads if lead.id not in run.queue)

    # ------------------------------------------------------------------ figures

    def figures(self, name: str) -> dict[str, object] | None:
        """Live figures of a running or paused campaign; None when it is not running."""
        run = self._runs.get(name)
        if run is None:
            return None
        now = self._clock.time()
        return run.figures(self._view(run, now), now)

    def run_of(self, name: str) -> CampaignRun | None:
        """The campaign's live state (None when it is not running)."""
        return self._runs.get(name)

    def _view(self, run: CampaignRun, now: float) -> AgentView:
        """The campaign's agents as the engine has them, and inbound work waiting for them."""
        qid = run.queue_id
        view = AgentView()
        inbound: set[str] = set()
        for a in self._engine.agents(qid):
            if not a.logged_in or a.level(qid) < 1:
                continue
            view.logged_in += 1
            since = now if a.since is None else a.since
            if a.state is AgentState.AVAILABLE:
                view.ready += 1
            elif a.state in (AgentState.BUSY, AgentState.RESERVED):
                view.talk_started.append(since)
            elif a.state is AgentState.WRAP_UP:
                view.wrap_started.append(since)
            inbound.update(q for q in a.queues if campaign_of_queue(q) is None)
        view.inbound_waiting = sum(self._engine.waiting_count(q) for q in inbound
                                   if self._engine.queue(q) is not None)
        return view

    # ------------------------------------------------------------------ the tick

    def _arm(self) -> None:
        if not self._running:
            return
        tick = self.settings.tick
        self._timer = self._clock.call_at(self._clock.time() + tick, self._on_tick)

    def _on_tick(self) -> None:
        self._timer = None
        if self._tick_task is None or self._tick_task.done():
            self._tick_task = asyncio.get_running_loop().create_task(self._tick())
        self._arm()

    async def _tick(self) -> None:
        try:
            now = self._clock.time()
            if now - self._looked_for_leads >= self.settings.lead_refresh:
                self._looked_for_leads = now
                await self._new_leads()
            for run in list(self._runs.values()):
                await self._pace(run)
            await self._flush()
        except Exception:
            log.exception("dialer tick failed")

    async def _new_leads(self) -> None:
        """Leads stored since a campaign was opened (an import: API or command line),
        and the survey quota cells filled since (their leads are held back)."""
        for name, run in list(self._runs.items()):
            _hold(run.queue, await asyncio.to_thread(self._store.quota_hold, name))
            if await asyncio.to_thread(self._store.lead_count, name) > len(run.queue):
                stored = await asyncio.to_thread(self._store.leads, name)
                self.add_leads(name, stored)

    async def _pace(self, run: CampaignRun) -> None:
        if not isinstance(self._dialing, Dialing) or self._driver.degraded:
            return  # no new calls while the store is not taking writes
        now = self._clock.time()
        await self._reservations(run, now)
        n = run.to_dial(self._view(run, now), now, self.settings.inbound_waiting_max)
        c = run.campaign
        for lead in run.leads(n, now):
            try:
                call_id = await self._dialing.originate(lead.number, c.name,
                                                         caller_id=c.caller_id)
            except Exception:
                log.exception("campaign %s: originate %s failed", c.name, lead.number)
                failed = run.launched(f"failed-{run.dialed}-{lead.id}", lead, now)
                run.no_contact(failed, CallOutcome.FAILED, now)
                continue
            self._calls[call_id] = (run, run.launched(call_id, lead, now))
            for update in self._early.pop(call_id, []):
                self._on_update(update)

    async def _flush(self) -> None:
        async with self._lock:
            writes, self._unsaved = self._unsaved, Writes()
            runs = [*self._runs.values(), *self._draining.values()]
            for run in runs:
                name = run.campaign.name
                writes.leads.setdefault(name, []).extend(run.queue.take_changes())
                writes.attempts += run.attempts
                scope = None if run.campaign.dnc_scope is DncScope.GLOBAL else name
                writes.blocked += [(number, scope) for number in run.blocked]
                run.attempts, run.blocked = [], []
                if name in self._draining and not run.calls:
                    del self._draining[name]
            if not writes:
                return
            try:
                await asyncio.to_thread(self._store.save, writes)
            except Exception:
                log.exception("storing %d dial attempts failed; kept for the next tick",
                              len(writes.attempts))
                self._unsaved = writes

    # ------------------------------------------------------------------ what the lines do

    def _on_update(self, update: DialUpdate) -> None:
        found = self._calls.get(update.call_id)
        if found is None:
            if update.campaign_id in self._runs and len(self._early) < 10_000:
                self._early.setdefault(update.call_id, []).append(update)  # before originate
            return
        run, call = found
        status = update.status
        if call.reserved is not None and status is not DialStatus.ENDED:
            self._reserved_update(run, call, update, _NO_CONTACT)
        elif status is DialStatus.ANSWERED and call.answered is None \
                and run.campaign.dial_mode is DialMode.AGENTLESS:
            run.answered(call, update.at)
            call.in_flow = True
            c = run.campaign
            if isinstance(self._dialing, DialingFlows):
                self._dialing.enter_flow(call.call_id, c.flow, call.lead.number, c.caller_id)
        elif status is DialStatus.ANSWERED and call.answered is None:
            run.answered(call, update.at)
            self._report(InteractionArrived(call.interaction_id, run.queue_id,
                                            OUTBOUND_PRIORITY, caller=call.lead.number))
            self._clock.call_at(update.at + run.grace, lambda: self._grace_over(run, call))
        elif status in _NO_CONTACT and call.answered is None:
            self._calls.pop(call.call_id, None)
            run.no_contact(call, _NO_CONTACT[status], update.at)
        elif status is DialStatus.ENDED and call.answered is not None and not call.dropped:
            self._report(CallerHungUp(call.interaction_id))

    def _grace_over(self, run: CampaignRun, call: Call) -> None:
        """`grace` seconds after a live answer: no agent yet is a drop."""
        if not self._running or call.agent is not None or call.dropped \
                or call.call_id not in self._calls:
            return
        state = self._engine.interaction_state(call.interaction_id)
        if state is None or state in _TAKEN:
            return  # connected (the sink hears of it next) or already over
        run.dropped(call, self._clock.time())
        self._report(CallerHungUp(call.interaction_id, "dropped"))
        if isinstance(self._dialing, Dialing):
            self._spawn(self._dialing.drop_dial(call.call_id, run.campaign.information_message))

    async def _on_commands(self, commands: Sequence[Command | IvrCommand]) -> None:
        """The driver's sink: connects and finished interactions of campaign calls."""
        for c in commands:
            if isinstance(c, Connect):
                found = self._calls.get(c.interaction_id)
                if found is not None and not found[1].dropped and found[1].agent is None:
                    found[0].connected(found[1], c.agent_id, self._clock.time())
                    if found[1].reserved is not None:
                        self._reserved_over(found[0], found[1], CallOutcome.ANSWERED.value)
            elif isinstance(c, FlowEnded):
                found = self._calls.get(c.call_id)
                if found is not None and found[1].in_flow:
                    del self._calls[c.call_id]
                    found[0].flow_ended(found[1], dict(c.variables), self._clock.time())
            elif isinstance(c, RecordInteraction):
                found = self._calls.pop(c.record.interaction_id, None)
                if found is None:
                    continue
                run, call = found
                if call.reserved is not None and call.agent is None:
                    self._reserved_over(run, call, CallOutcome.NO_ANSWER.value)
                run.finished(call, c.record, self._clock.time())
                if call.agent is not None and isinstance(self._dialing, Dialing):
                    self._spawn(self._dialing.hang_up_dial(call.call_id))

    def _report(self, event: Event) -> None:
        try:
            self._driver.report(event)
        except DriverStopped:
            log.warning("dialer event after the driver stopped: %r", event)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        async def logged() -> None:
            try:
                await work
            except Exception:
                log.exception("outbound call action failed")

        task = asyncio.get_running_loop().create_task(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _hold(queue: LeadQueue, held: Callable[[Mapping[str, str]], bool] | None) -> None:
    """Hold back the queue's leads that `held` holds (a full quota cell); None: none."""
    if held is None:
        queue.hold(None)
    else:
        queue.hold(lambda lead: held(lead.fields))
