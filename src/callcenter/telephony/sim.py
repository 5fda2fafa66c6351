"""The `sim` telephony adapter: synthetic callers and bot agents on the runtime's clock.

Callers arrive as a Poisson process per arrival stream of a scenario (the intraday
rate of its intervals, on its weekdays), wait up to their patience, and talk for
their handle time once connected; the distributions are the simulator's own
(`callcenter.scenario.models`). Every caller calls from a phone number (E.164), some
of them the example customers' (`callcenter.scenario.phones`). Bot agents (optional)
log in at start, answer offers after their group's answer delay (rejecting some), end
the conversation after the caller's handle time, take their shift's breaks, and go
ready again `recover_after` seconds after the engine paused them for missed offers.
Without bots, callers connected to a (human) agent hang up after their handle time.

Outbound calls for the dialer (`originate`, `hang_up_dial`, `drop_dial`: the
`telephony.base.Dialing` protocol) are simulated callees in `sim_dialer.py`; bots
answer a campaign's offers at once.

In a runtime that runs IVR flows, streams with a `flow` start in it and modelled
callers answer its menus as in the simulator (sim_ivr.py).

Everything runs on `Clock.call_at`: with a `LoopClock(speed=60)` a simulated
minute passes every second; with a `FakeClock` a test moves time by hand.
Interaction ids are `<prefix>-<n>`; the prefix defaults to the start time in
base 36 plus a random tag, so ids stay unique across restarts against the same
database, even when a fixed start time repeats.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np

from callcenter.clock import Clock, Timer
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    OfferToAgent,
    RecordInteraction,
    WithdrawOffer,
)
from callcenter.core.csat import SurveyStarted
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    CallerHungUp,
    Event,
    InteractionArrived,
    OfferAccepted,
    OfferRejected,
)
from callcenter.core.ivr import (
    CallEntered,
    EnterQueue,
    FlowEnded,
    IvrCommand,
    IvrEvent,
    ReleaseCall,
)
from callcenter.scenario.bots import Bot
from callcenter.scenario.callees import OutcomeModel
from callcenter.scenario.ivr_callers import IVR_COMMANDS
from callcenter.scenario.models import Never, Sampler, poisson_arrivals
from callcenter.scenario.phones import caller_number
from callcenter.scenario.spec import AgentGroup, ArrivalStream, IvrModel, Scenario
from callcenter.telephony.base import OnDial, Report
from callcenter.telephony.sim_dialer import SimDialing, auto_answers
from callcenter.telephony.sim_ivr import SimFlows

_PAUSED = "paused"
_LOGGED_OUT = "logged_out"


class _Stream:
    __slots__ = ("handle", "patience", "spec")

    def __init__(self, spec: ArrivalStream, handle: Sampler, patience: Sampler | None) -> None:
        self.spec = spec
        self.handle = handle
        self.patience = patience


class _Call:
    __slots__ = ("answers", "handle", "hangup", "patience")

    def __init__(self, handle: Callable[[], float]) -> None:
        self.handle = handle
        self.patience: Timer | None = None
        self.hangup: Timer | None = None
        self.answers: dict[str, Timer] = {}

    def timers(self) -> list[Timer]:
        out = list(self.answers.values())
        out += [t for t in (self.patience, self.hangup) if t is not None]
        return out


class SimTelephony:
    """Synthetic callers (and optionally bot agents) for a scenario, in real time."""

    def __init__(self, scenario: Scenario, clock: Clock, rng: np.random.Generator, *,
                 bots: bool | Collection[str] = True, breaks: bool = True,
                 queues: Collection[str] | None = None, id_prefix: str | None = None,
                 callees: OutcomeModel | None = None, ivr: IvrModel | None = None,
                 ivr_seed: int | None = None, shifts: bool = False) -> None:
        """`bots`: True drives every agent of the scenario's groups, False none, a
        collection those agents (each with its group's answer model). `queues`: the
        queues the engine runs (None: the scenario's); arrival streams to other queues
        stay silent. `callees`: how the people outbound calls reach behave. `ivr`: the
        flows and their caller model, when the runtime runs them (else `flow` streams
        stay silent); IVR caller n draws from `(ivr_seed, 0, n)`, the seed defaulting
        to the scenario's, as in the simulator. `shifts`: bots of a group with a shift
        log in at its start and out at its end (as in the simulator), else all at once."""
        if scenario.trace is not None:
            raise ValueError("the sim adapter needs [[arrivals]]; trace replay is for "
                             "`callcenter simulate`")
        self._scenario = scenario
        self._clock = clock
        arr_rng, pat_rng, ht_rng, bot_rng = rng.spawn(4)
        self._arrival_rng = arr_rng
        streams = [self._stream(s, p, h) for s, p, h in zip(
            scenario.arrivals, pat_rng.spawn(len(scenario.arrivals)),
            ht_rng.spawn(len(scenario.arrivals)), strict=True)]
        self._streams = [s for s in streams if (ivr is not None if s.spec.flow is not None
                                                else queues is None or s.spec.queue_id in queues)]
        self._queue_handle = {q.id: Sampler(scenario.caller_model(q.id).handle_time, r)
                              for q, r in zip(scenario.queues,
                                              ht_rng.spawn(len(scenario.queues)), strict=True)}
        self._bots: dict[str, Bot] = {}
        if bots:
            for g, g_rng in zip(scenario.groups, bot_rng.spawn(len(scenario.groups)),
                                strict=True):
                bot = Bot(g, g_rng)
                self._bots.update((a.id, bot) for a in g.agents
                                  if bots is True or a.id in bots)
        self._breaks = breaks
        self._shifts = shifts
        self._prefix = id_prefix
        self._report: Report | None = None
        self._calls: dict[str, _Call] = {}
        self._surveying: set[str] = set()  # callers kept for a post-call survey
        self._bridged: dict[str, str] = {}  # interaction id -> the agent it is connected to
        self._paused: set[str] = set()  # bridged calls whose (simulated) recording is paused
        self._state: dict[str, str] = dict.fromkeys(self._bots, _LOGGED_OUT)
        self._on_break: set[str] = set()
        self._pending: set[Timer] = set()
        self.arrivals = 0
        """Callers who have arrived so far."""
        self.dialing = SimDialing(clock, rng.spawn(1)[0], callees or OutcomeModel(), self._at,
                                  self._adopt, lambda: self._prefix or "sim")
        """The outbound calls (sim_dialer.py)."""
        self._flows = None if ivr is None else SimFlows(
            scenario, ivr, scenario.seed if ivr_seed is None else ivr_seed, clock,
            lambda at, action: partial(self._cancel, self._at(at, action)), self._send,
            rng.spawn(1)[0])
        self._number_rng = rng.spawn(1)[0]  # spawned last: the draws above stay as they were

    def _stream(self, spec: ArrivalStream, p_rng: np.random.Generator,
                h_rng: np.random.Generator) -> _Stream:
        if spec.flow is not None:  # its callers take their queue's model (sim_ivr.py)
            return _Stream(spec, Sampler(Never(), h_rng), None)
        model = self._scenario.caller_model(spec.queue_id)
        patience = spec.patience if spec.patience is not None else model.patience
        handle = spec.handle_time if spec.handle_time is not None else model.handle_time
        return _Stream(spec, Sampler(handle, h_rng),
                       None if isinstance(patience, Never) else Sampler(patience, p_rng))

    # ------------------------------------------------------------------ lifecycle

    async def start(self, report: Report) -> None:
        """Log the bots in and put today's remaining arrivals (and breaks) on the clock."""
        self._report = report
        now = self._clock.time()
        if self._prefix is None:
            self._prefix = f"sim{np.base_repr(int(now), 36).lower()}{secrets.token_hex(3)}"
        shifted = {a.id for g in self._scenario.groups if g.shift is not None
                   for a in g.agents} if self._shifts else set()
        for aid in self._bots:
            if aid not in shifted:
                report(AgentLogin(aid))
        self._schedule_day(datetime.fromtimestamp(now, self._scenario.zone()).date())

    async def stop(self) -> None:
        """Cancel every pending caller, bot and arrival timer."""
        for t in self._pending:
            t.cancel()
        self._pending.clear()
        self._report = None

    def _at(self, when: float, action: Callable[[], None]) -> Timer:
        holder: list[Timer] = []

        def fire() -> None:
            self._pending.discard(holder[0])
            action()

        timer = self._clock.call_at(when, fire)
        holder.append(timer)
        self._pending.add(timer)
        return timer

    def _cancel(self, timer: Timer | None) -> None:
        if timer is not None:
            timer.cancel()
            self._pending.discard(timer)

    def _send(self, event: Event | IvrEvent) -> None:
        if self._report is not None:
            self._report(event)

    # ------------------------------------------------------------------ the day's plan

    def _schedule_day(self, day: date) -> None:
        sc, now = self._scenario, self._clock.time()
        times: list[float] = []
        owners: list[int] = []
        for i, st in enumerate(self._streams):
            s = st.spec
            if day.weekday() not in s.weekdays:
                continue
            starts = np.array([sc.epoch(day, t) for t in s.starts])
            drawn = poisson_arrivals(self._arrival_rng, starts, s.length,
                                     np.asarray(s.expected, dtype=np.float64))
            times += drawn.tolist()
            owners += [i] * len(drawn)
        order = sorted((t, o) for t, o in zip(times, owners, strict=True) if t >= now)
        self._feed(order, 0)
        if self._shifts:
            for g in sc.groups:
                if g.shift is not None and day.weekday() in g.shift.weekdays:
                    self._schedule_shift(g, day, now)
        if self._breaks:
            for g in sc.groups:
                if g.shift is not None and any(a.id in self._bots for a in g.agents):
                    self._schedule_breaks(g, day, now)
        self._at(sc.epoch(day + timedelta(days=1)),
                 lambda: self._schedule_day(day + timedelta(days=1)))

    def _feed(self, order: list[tuple[float, int]], i: int) -> None:
        """Only the next arrival sits on the clock; each one arms the one after."""
        if i >= len(order):
            return
        when, owner = order[i]

        def arrive() -> None:
            self._arrive(self._streams[owner])
            self._feed(order, i + 1)

        self._at(when, arrive)

    def _schedule_shift(self, g: AgentGroup, day: date, now: float) -> None:
        """Log the group's bots in at the shift's start (now, when it has begun) and out at
        its end (the engine lets them finish their work first)."""
        assert g.shift is not None
        begin, end = (self._scenario.epoch(day, t) for t in (g.shift.start, g.shift.end))
        if end <= now:
            return
        for a in g.agents:
            if a.id in self._bots:
                self._at(max(begin, now), partial(self._login, a.id))
                self._at(end, partial(self._logout, a.id))

    def _schedule_breaks(self, g: AgentGroup, day: date, now: float) -> None:
        assert g.shift is not None
        sc = self._scenario
        for i, a in enumerate(g.agents):
            if a.id not in self._bots:
                continue
            for b in g.shift.breaks:
                begin = sc.epoch(day, b.start + i * b.stagger)
                if begin >= now:
                    self._at(begin, partial(self._pause, a.id, b.reason))
                    self._at(begin + b.duration, partial(self._ready, a.id))

    # ------------------------------------------------------------------ callers

    def _arrive(self, stream: _Stream) -> None:
        self.arrivals += 1
        iid = f"{self._prefix}-{self.arrivals}"
        number = caller_number(self._number_rng)
        if stream.spec.flow is not None and self._flows is not None:
            self._flows.arrive(iid, stream.spec.flow, self.arrivals, number)
            return
        call = _Call(stream.handle)
        self._calls[iid] = call
        s = stream.spec
        self._send(InteractionArrived(iid, s.queue_id, s.priority, s.skills, caller=number))
        if stream.patience is not None:
            patience = stream.patience()
            if patience != math.inf:
                call.patience = self._at(self._clock.time() + patience,
                                         partial(self._send, CallerHungUp(iid)))

    # ------------------------------------------------------------------ outbound (sim_dialer.py)

    def on_dial(self, callback: OnDial) -> None:
        """Send outbound calls' `DialUpdate`s to `callback`."""
        self.dialing.on_dial(callback)

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        """Call `number` for a campaign (a simulated callee); its id."""
        return self.dialing.originate(number, campaign_id)

    async def hang_up_dial(self, call_id: str) -> None:
        """End an outbound call (the engine ends a connected one by itself)."""
        self.dialing.hang_up(call_id)

    async def drop_dial(self, call_id: str, message: str) -> None:
        """A drop: the information message takes no simulated time; the call is gone."""
        self.dialing.hang_up(call_id)

    def enter_flow(self, call_id: str, flow: str, caller: str, dialed: str) -> None:
        """An answered outbound call starts `flow` (an agentless campaign): the callee is
        one of the flows' modelled callers (sim_ivr.py), numbered after the arrivals."""
        self._calls.pop(call_id, None)  # the callee talks to the flow, not an agent
        if self._flows is None:
            self._send(CallEntered(call_id, flow, caller=caller, dialed=dialed))
            return
        self.arrivals += 1
        self._flows.callers.enter(call_id, flow, self.arrivals, self._clock.time(),
                                  caller=caller)

    def _adopt(self, call_id: str, talk: float) -> None:
        self._calls[call_id] = _Call(lambda: talk)

    # ------------------------------------------------------------------ bots

    def _login(self, aid: str) -> None:
        if self._state[aid] == _LOGGED_OUT:
            self._send(AgentLogin(aid))

    def _logout(self, aid: str) -> None:
        if self._state[aid] != _LOGGED_OUT:
            self._send(AgentLogout(aid))

    def _pause(self, aid: str, reason: str) -> None:
        if self._state[aid] != _LOGGED_OUT:
            self._on_break.add(aid)
            self._send(AgentPause(aid, reason))

    def _ready(self, aid: str) -> None:
        self._on_break.discard(aid)
        if self._state[aid] != _LOGGED_OUT:
            self._send(AgentReady(aid))

    def _recover(self, aid: str) -> None:
        if self._state[aid] == _PAUSED and aid not in self._on_break:
            self._send(AgentReady(aid))

    # ------------------------------------------------------------------ engine commands

    async def execute(self, commands: Sequence[Command | IvrCommand]) -> None:
        """Act on offers, connects, disconnects and exits; mirror the bots' states."""
        for c in commands:
            if isinstance(c, OfferToAgent):
                self._on_offer(c)
            elif isinstance(c, WithdrawOffer):
                call = self._calls.get(c.interaction_id)
                if call is not None:
                    self._cancel(call.answers.pop(c.agent_id, None))
            elif isinstance(c, Connect):
                self._bridged[c.interaction_id] = c.agent_id
                self._on_connect(c)
            elif isinstance(c, Disconnect):
                self._bridged.pop(c.interaction_id, None)
                self._paused.discard(c.interaction_id)
                call = self._calls.get(c.interaction_id)
                if call is not None:  # whoever ended it, the other side's plan is void
                    self._cancel(call.hangup)
                    call.hangup = None
            elif isinstance(c, ExitQueue):
                call = self._calls.get(c.interaction_id)
                if c.action == "hangup":  # the line is released (also a call turned away
                    self._forget(c.interaction_id)  # before the engine saw it)
                elif call is not None:  # off the line: a voicemail or callback
                    self._cancel(call.patience)
                    call.patience = None
            elif isinstance(c, RecordInteraction):
                iid = c.record.interaction_id
                if iid in self._surveying:  # the caller stays for the survey
                    gone = self._calls.pop(iid, None)
                    for t in gone.timers() if gone is not None else ():
                        self._cancel(t)
                else:
                    self._forget(iid)
            elif isinstance(c, SurveyStarted):
                self._surveying.add(c.call_id)
                if self._flows is not None:
                    self._flows.execute(c)
            elif isinstance(c, ReleaseCall | FlowEnded):
                if isinstance(c, ReleaseCall) or c.outcome == "abandoned" \
                        or c.outcome.startswith("voicemail:"):  # the caller's line is done
                    self._surveying.discard(c.call_id)
                if self._flows is not None:
                    self._flows.execute(c)
            elif isinstance(c, AgentStateChanged):
                self._on_state(c)
            elif isinstance(c, IVR_COMMANDS) and self._flows is not None:
                self._flows.execute(c)
                if isinstance(c, EnterQueue):  # the flow queued the caller: ours now
                    handle, patience = self._flows.queued(c)
                    call = self._calls[c.call_id] = _Call(handle)
                    if patience != math.inf:
                        call.patience = self._at(self._clock.time() + patience,
                                                 partial(self._send, CallerHungUp(c.call_id)))

    def connected_agent(self, interaction_id: str) -> str | None:
        """The agent the call is connected to now, if any."""
        return self._bridged.get(interaction_id)

    def recording(self, interaction_id: str) -> str | None:
        """A simulated call is recorded while it is connected to an agent (no audio is
        made): `recording`, `paused`, or None when it is not connected."""
        if interaction_id not in self._bridged:
            return None
        return "paused" if interaction_id in self._paused else "recording"

    async def pause_recording(self, interaction_id: str) -> bool:
        """Pause the connected call's recording (while payment details are taken);
        False when it is not connected or paused already."""
        if interaction_id not in self._bridged or interaction_id in self._paused:
            return False
        self._paused.add(interaction_id)
        return True

    async def resume_recording(self, interaction_id: str) -> bool:
        """Record the paused call again; False when it was not paused."""
        if interaction_id not in self._paused:
            return False
        self._paused.discard(interaction_id)
        return True

    def _forget(self, call_id: str) -> None:
        """The call is over: cancel what its caller still had planned."""
        self._bridged.pop(call_id, None)
        self._paused.discard(call_id)
        call = self._calls.pop(call_id, None)
        if call is not None:
            for t in call.timers():
                self._cancel(t)
        if self._flows is not None:
            self._flows.left(call_id)

    def _on_offer(self, c: OfferToAgent) -> None:
        bot = self._bots.get(c.agent_id)
        if bot is None:
            return  # a person's phone rings; the answer comes through the API
        call = self._calls.get(c.interaction_id)
        if call is None:  # not one of ours (e.g. created through the API): adopt it
            call = self._calls[c.interaction_id] = _Call(self._queue_handle[c.queue_id])
        if auto_answers(c.queue_id):  # outbound: on auto-answer
            ev: Event = OfferAccepted(c.agent_id, c.interaction_id)
            at = self._clock.time()
        else:
            if bot.reject and bot.uniform.random() < bot.reject:
                ev = OfferRejected(c.agent_id, c.interaction_id)
            else:
                ev = OfferAccepted(c.agent_id, c.interaction_id)
            at = self._clock.time() + (bot.delay() if bot.delay is not None else 0.0)
        if at < c.expires_at:  # otherwise the bot lets it ring out
            call.answers[c.agent_id] = self._at(at, partial(self._send, ev))

    def _on_connect(self, c: Connect) -> None:
        call = self._calls.get(c.interaction_id)
        if call is None:
            return
        call.answers.pop(c.agent_id, None)
        self._cancel(call.patience)
        call.patience = None
        end: Event = (AgentHungUp(c.agent_id, c.interaction_id) if c.agent_id in self._bots
                      else CallerHungUp(c.interaction_id))
        call.hangup = self._at(self._clock.time() + call.handle(), partial(self._send, end))

    def _on_state(self, c: AgentStateChanged) -> None:
        aid = c.agent_id
        if aid not in self._state:
            return
        self._state[aid] = c.state
        if c.state == _LOGGED_OUT:
            self._on_break.discard(aid)
        elif c.state == _PAUSED and aid not in self._on_break:
            bot = self._bots[aid]
            self._at(self._clock.time() + bot.recover_after, partial(self._recover, aid))
