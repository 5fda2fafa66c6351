"""One simulation run: synthetic callers and bot agents around the real routing Engine.

The callers arrive (Poisson per interval, or replayed from a trace), wait up to
their patience, may take a callback when the expected wait is long, and talk for
their handle time once connected. The bot agents log in and out by shift, take
breaks, and answer offers after an answer delay (or reject some). Everything else
(who gets which call, timeouts, wrap-up, escalation, exits) is the Engine's job.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial
from typing import Any

import numpy as np

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    ExitQueue,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
    WithdrawOffer,
)
from callcenter.core.config import AgentConfig, SkillRequirement
from callcenter.core.csat import RecordSurvey, SurveyResult, SurveyStarted
from callcenter.core.engine import Engine
from callcenter.core.events import (
    AgentHungUp,
    CallbackRequested,
    CallerHungUp,
    InteractionArrived,
)
from callcenter.core.ivr import EnterQueue, FlowEnded, IvrCommand, RequestCallback
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.scenario.models import Never, Sampler, UniformSource, poisson_arrivals
from callcenter.scenario.spec import DAY, AgentGroup, CallbackChoice, Scenario
from callcenter.scenario.trace import TraceCall
from callcenter.sim.agents import Roster
from callcenter.sim.environment import Entry, Environment
from callcenter.sim.ivr_run import FlowBrain, flow_callers
from callcenter.sim.staffing import StaffingPlan

Progress = Callable[[float], None]
"""Called with the simulated time reached (engine seconds) as the run goes."""

_DRAIN_LIMIT = DAY  # after the horizon, wait at most this long for open calls to finish


@dataclass(frozen=True, slots=True)
class RunResult:
    """The rows of one run and the window its KPIs are measured over."""

    records: list[InteractionRecord]
    spans: list[AgentSpan]
    window_start: float
    window_end: float
    unfinished: int
    arrivals: int
    agents: tuple[AgentConfig, ...]
    flows: list[FlowEnded] = field(default_factory=list)
    """One `FlowEnded` per call that went through an IVR flow (scenarios with `[ivr]`)."""
    surveys: list[SurveyResult] = field(default_factory=list)
    """One row per post-call survey offered (queue nodes with `survey_flow`); the survey
    flows' own `FlowEnded` rows are left out of `flows`."""


class _Stream:
    """Samplers for one arrival stream (or a trace's queue)."""

    __slots__ = ("callback", "flow", "handle", "patience", "priority", "queue_id", "skills")

    def __init__(self, queue_id: str, handle: Sampler, patience: Sampler | None,
                 callback: CallbackChoice | None, priority: int,
                 skills: tuple[SkillRequirement, ...], flow: str | None = None) -> None:
        self.flow = flow  # callers start in this IVR flow (the samplers are then unused)
        self.queue_id = queue_id
        self.handle = handle
        self.patience = patience
        self.callback = callback
        self.priority = priority
        self.skills = skills


class _Call:
    """What the simulated caller side knows about one interaction."""

    __slots__ = ("connected", "handle_time", "offers", "on_line", "patience", "stream")

    def __init__(self, stream: _Stream, handle_time: float | None) -> None:
        self.stream = stream
        self.handle_time = handle_time
        self.patience: Entry | None = None
        self.offers: dict[str, Entry] = {}
        self.connected = False
        self.on_line = True  # waiting on the phone (not a callback, not gone)


class Simulation:
    """Runs one replication of a scenario. Randomness comes only from `rng`, and for IVR
    callers from `seed` (the scenario's by default) and `replication`."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator,
                 days: int | None = None, horizon: float | None = None, *,
                 seed: int | None = None, replication: int = 0) -> None:
        self.scenario = scenario
        self.days = scenario.days if days is None else days
        if horizon is not None:  # a horizon in seconds instead of whole days
            self.days = max(1, math.ceil(horizon / DAY))
        (arr_rng, pat_rng, ht_rng, ans_rng, cb_rng, eng_rng) = rng.spawn(6)
        self._arrival_rng = arr_rng
        agents = [a for g in scenario.groups for a in g.agents]
        self.engine = Engine(scenario.queues, agents, scenario.settings,
                             random.Random(int(eng_rng.integers(2**63))))
        self._t0 = scenario.start_time()
        self._end = scenario.end_time(self.days) if horizon is None else self._t0 + horizon
        self.flow_rows: list[FlowEnded] = []
        self.survey_rows: list[SurveyResult] = []
        self._surveyed: set[str] = set()
        self._brain: FlowBrain | None = None
        if scenario.ivr is None:
            self.env = Environment(self.engine, self._dispatch, self._t0)
        else:
            self._brain = FlowBrain(self.engine, scenario.ivr.flows, self._on_ivr)
            self.env = Environment(self._brain, self._dispatch, self._t0)
            self._ivr = flow_callers(self.env, self._brain, self._dispatch, scenario.ivr,
                                     (scenario.seed if seed is None else seed, replication))
        self.records: list[InteractionRecord] = []
        self.spans: list[AgentSpan] = []
        self._calls: dict[str, _Call] = {}
        self._count = 0
        self._callback_uniform = UniformSource(cb_rng)
        self._streams = self._make_streams(pat_rng, ht_rng)
        self.roster = Roster(self.env, scenario, ans_rng)
        self._staffing = StaffingPlan(self.env, self.roster, scenario) \
            if scenario.trace is not None and scenario.trace.staffing else None
        self._handlers: dict[type, Callable[[Any], None]] = {
            OfferToAgent: self._on_offer,
            WithdrawOffer: self._on_withdraw,
            Connect: self._on_connect,
            ExitQueue: self._on_exit,
            RecordInteraction: self._on_record,
            RecordAgentSpan: self._on_span,
            AgentStateChanged: self.roster.on_state,
        }
        if self._brain is not None:
            self._queue_streams = self._make_queue_streams(rng.spawn(1)[0])
            self._handlers[RecordInteraction] = self._on_record_flow

    # ------------------------------------------------------------------ set-up

    def _make_streams(self, pat_rng: np.random.Generator,
                      ht_rng: np.random.Generator) -> list[_Stream]:
        sc = self.scenario
        streams = []
        if sc.trace is None:
            specs = [(s.queue_id, s.handle_time, s.patience, s.priority, s.skills)
                     for s in sc.arrivals]
        else:  # one pseudo-stream per queue: handle times for calls the trace lacks
            specs = [(q.id, None, None, 0, ()) for q in sc.queues]
        pats, hts = pat_rng.spawn(len(specs)), ht_rng.spawn(len(specs))
        flows = [s.flow for s in sc.arrivals] if sc.trace is None else [None] * len(specs)
        for (qid, ht, pat, prio, skills), p_rng, h_rng, flow in zip(specs, pats, hts, flows,
                                                                     strict=True):
            if flow is not None:
                streams.append(_Stream("", Sampler(Never(), h_rng), None, None, 0, (), flow))
                continue
            model = sc.caller_model(qid)
            patience = pat if pat is not None else model.patience
            streams.append(_Stream(
                qid, Sampler(ht if ht is not None else model.handle_time, h_rng),
                None if isinstance(patience, Never) else Sampler(patience, p_rng),
                model.callback, prio, skills,
            ))
        return streams

    def _schedule_day(self, index: int) -> None:
        """At local midnight of day `index`: that day's arrivals and shifts."""
        sc = self.scenario
        day = sc.start + timedelta(days=index)
        weekday = day.weekday()
        if sc.trace is None:
            chunks, owners = [], []
            for i, s in enumerate(sc.arrivals):
                if weekday not in s.weekdays:
                    continue
                starts = np.array([sc.epoch(day, t) for t in s.starts])
                times = poisson_arrivals(self._arrival_rng, starts, s.length,
                                         np.asarray(s.expected, dtype=np.float64))
                chunks.append(times)
                owners.append(np.full(len(times), i))
            if chunks:
                times = np.concatenate(chunks)
                order = np.argsort(times, kind="stable")
                self._feed(times[order].tolist(), np.concatenate(owners)[order].tolist())
        for g in sc.groups:
            if g.shift is not None and weekday in g.shift.weekdays and not self._managed(g):
                self.roster.schedule_shift(g, day)
        if index + 1 < self.days:
            self.env.call_at(sc.epoch(day + timedelta(days=1)),
                             lambda: self._schedule_day(index + 1))

    def _feed(self, times: list[float], owners: list[int]) -> None:
        """Schedule arrivals one after another (only the next one sits in the heap)."""
        env = self.env
        n = bisect_left(times, self._end)  # nobody arrives after the horizon
        i = 0

        def arrive() -> None:
            nonlocal i
            stream = self._streams[owners[i]]
            if stream.flow is None:
                self._arrive(stream, None, None)
            else:
                self._arrive_flow(stream.flow)
            i += 1
            if i < n:
                env.call_at(times[i], arrive)

        if n:
            env.call_at(times[0], arrive)

    # ------------------------------------------------------------------ callers

    def _arrive(self, stream: _Stream, handle_time: float | None,
                patience: float | None, skills: tuple[SkillRequirement, ...] | None = None,
                queue_id: str | None = None) -> None:
        env = self.env
        self._count += 1
        iid = f"c{self._count}"
        call = _Call(stream, handle_time)
        self._calls[iid] = call
        if patience is None and stream.patience is not None:
            patience = stream.patience()
        if patience is not None and patience != math.inf:
            call.patience = env.schedule(env.now + patience, CallerHungUp(iid))
        env.send(InteractionArrived(iid, queue_id or stream.queue_id, stream.priority,
                                    skills if skills is not None else stream.skills))
        cb = stream.callback
        if cb is not None and call.on_line and not call.connected:
            ewt = self.engine.expected_wait(iid)
            if (ewt is not None and ewt > cb.threshold
                    and self._callback_uniform.random() < cb.probability):
                if cb.delay > 0:
                    env.call_at(env.now + cb.delay, lambda: self._take_callback(iid))
                else:
                    self._take_callback(iid)

    # ------------------------------------------------------------------ IVR callers

    def _make_queue_streams(self, rng: np.random.Generator) -> dict[str, _Stream]:
        """Per queue: the handle time, patience and callback choice of callers a flow
        sends there (counted from when they enter the queue)."""
        sc = self.scenario
        out = {}
        for q, (h_rng, p_rng) in zip(sc.queues, (r.spawn(2) for r in rng.spawn(len(sc.queues))),
                                     strict=True):
            model = sc.caller_model(q.id)
            out[q.id] = _Stream(q.id, Sampler(model.handle_time, h_rng),
                                None if isinstance(model.patience, Never)
                                else Sampler(model.patience, p_rng), model.callback, 0, ())
        return out

    def _arrive_flow(self, flow: str) -> None:
        self._count += 1
        self._ivr.enter(f"c{self._count}", flow, self._count, self.env.now)

    def _on_ivr(self, commands: list[IvrCommand]) -> None:
        """The IVR's commands of one step: the callers answer, the simulation keeps the
        flow rows and takes over callers the flow queued."""
        now = self.env.now
        for c in commands:
            self._ivr.execute(c, now)
            if isinstance(c, EnterQueue):
                self._enter_queue(c)
            elif isinstance(c, RequestCallback):
                call = self._calls.get(c.call_id)
                if call is not None:
                    call.on_line = False
                    if call.patience is not None:
                        Environment.cancel(call.patience)
                        call.patience = None
            elif isinstance(c, SurveyStarted):
                self._surveyed.add(c.call_id)
            elif isinstance(c, FlowEnded):
                if c.call_id in self._surveyed:  # a post-call survey: a survey row, not
                    self._surveyed.discard(c.call_id)  # a second IVR entry of the call
                else:
                    self.flow_rows.append(c)
            elif isinstance(c, RecordSurvey):
                self.survey_rows.append(c.result)

    def _enter_queue(self, c: EnterQueue) -> None:
        """A flow put the caller into a queue: its patience there, and a callback offer."""
        env, iid = self.env, c.call_id
        stream = self._queue_streams[c.queue_id]
        call = self._calls[iid] = _Call(stream, None)
        if stream.patience is not None:
            patience = stream.patience()
            if patience != math.inf:
                call.patience = env.schedule(env.now + patience, CallerHungUp(iid))
        cb = stream.callback
        if cb is not None:
            ewt = self.engine.expected_wait(iid)
            if (ewt is not None and ewt > cb.threshold
                    and self._callback_uniform.random() < cb.probability):
                env.call_at(env.now + cb.delay, lambda: self._take_callback(iid))

    def _on_record_flow(self, c: RecordInteraction) -> None:
        self._on_record(c)
        iid = c.record.interaction_id
        if self._brain is None or iid not in self._brain.ivr:  # else: in its post-call
            self._ivr.left(iid)                                # survey, still on the line

    def _take_callback(self, iid: str) -> None:
        call = self._calls.get(iid)
        if call is None or call.connected or not call.on_line:
            return
        call.on_line = False
        if call.patience is not None:
            Environment.cancel(call.patience)
            call.patience = None
        self.env.send(CallbackRequested(iid))

    # ------------------------------------------------------------------ commands

    def _dispatch(self, cmds: list[Command]) -> None:
        handlers = self._handlers
        for c in cmds:
            h = handlers.get(c.__class__)
            if h is not None:
                h(c)

    def _on_offer(self, c: OfferToAgent) -> None:
        entry = self.roster.answer(c)
        if entry is not None:
            self._calls[c.interaction_id].offers[c.agent_id] = entry

    def _on_withdraw(self, c: WithdrawOffer) -> None:
        call = self._calls.get(c.interaction_id)
        if call is not None:
            entry = call.offers.pop(c.agent_id, None)
            if entry is not None:
                Environment.cancel(entry)

    def _on_connect(self, c: Connect) -> None:
        call = self._calls[c.interaction_id]
        call.offers.pop(c.agent_id, None)
        call.connected = True
        call.on_line = False
        if call.patience is not None:
            Environment.cancel(call.patience)
            call.patience = None
        ht = call.handle_time
        if ht is None:
            ht = call.stream.handle()
        env = self.env
        env.schedule(env.now + ht, AgentHungUp(c.agent_id, c.interaction_id))

    def _on_exit(self, c: ExitQueue) -> None:
        call = self._calls.get(c.interaction_id)
        if call is not None:
            call.on_line = False
            if call.patience is not None:
                Environment.cancel(call.patience)
                call.patience = None

    def _on_record(self, c: RecordInteraction) -> None:
        self.records.append(c.record)
        call = self._calls.pop(c.record.interaction_id, None)
        if call is not None:
            if call.patience is not None:
                Environment.cancel(call.patience)
            for entry in call.offers.values():
                Environment.cancel(entry)

    def _on_span(self, c: RecordAgentSpan) -> None:
        span = c.span
        if span.start < self._t0:  # an agent's first span starts before the simulation
            span = replace(span, start=self._t0)
        self.spans.append(span)

    # ------------------------------------------------------------------ run

    def run(self, progress: Progress | None = None, step: float = 3600.0) -> RunResult:
        """Simulate the horizon, let open calls finish, log everyone out; return the rows."""
        sc, env = self.scenario, self.env
        start, end = self._t0, self._end
        for g in sc.groups:
            if g.shift is None and not self._managed(g):
                for a in g.agents:
                    env.call_at(start, partial(self.roster.login, a.id))
        if sc.trace is not None:
            calls = [c for c in sc.trace.calls if c.arrival < end]
            self._feed_trace(calls)
            if self._staffing is not None:
                self._staffing.schedule()
        env.call_at(start, lambda: self._schedule_day(0))
        t = start
        while t < end:
            t = min(t + step, end)
            env.run(t)
            if progress is not None:
                progress(t)
        limit = end + _DRAIN_LIMIT
        while (self._calls or (self._brain is not None and len(self._ivr))) and env.now < limit:
            env.run(min(env.now + step, limit))
        self.roster.log_out_everyone()
        agents = tuple(a for g in sc.groups for a in g.agents) + tuple(self.roster.extra)
        unfinished = len(self._calls) + (0 if self._brain is None else sum(
            1 for iid in self._ivr if iid not in self._calls))
        return RunResult(self.records, self.spans, start + sc.warmup, end, unfinished,
                         self._count, agents, self.flow_rows, self.survey_rows)

    def _managed(self, g: AgentGroup) -> bool:
        return self._staffing is not None and self._staffing.manages(g)

    def _feed_trace(self, calls: list[TraceCall]) -> None:
        sc = self.scenario
        index = {q.id: i for i, q in enumerate(sc.queues)}
        only = sc.queues[0].id
        env = self.env
        it = iter(calls)

        def arrive(c: TraceCall) -> None:
            qid = c.queue_id or only
            stream = self._streams[index[qid]]
            self._arrive(stream, c.handle_time, c.patience, c.skills, qid)
            nxt = next(it, None)
            if nxt is not None:
                env.call_at(nxt.arrival, partial(arrive, nxt))

        first = next(it, None)
        if first is not None:
            env.call_at(first.arrival, partial(arrive, first))


def run_scenario(scenario: Scenario, rng: np.random.Generator, days: int | None = None,
                 progress: Progress | None = None) -> RunResult:
    """Run one replication."""
    return Simulation(scenario, rng, days).run(progress)


def replication_rngs(seed: int, replications: int) -> list[np.random.Generator]:
    """Independent generators for replications 1..R (replication i is the same for any R)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replications)]


def run_replications(scenario: Scenario, replications: int = 1, seed: int | None = None,
                     days: int | None = None,
                     progress: Callable[[int, float], None] | None = None) -> list[RunResult]:
    """Run `replications` independent replications (seed: the scenario's unless given);
    `progress(i, t)` reports replication `i` (0-based) reaching engine time `t`."""
    out = []
    rngs = replication_rngs(scenario.seed if seed is None else seed, replications)
    for i, rng in enumerate(rngs):
        report = None if progress is None else partial(progress, i)
        out.append(Simulation(scenario, rng, days, seed=seed, replication=i).run(report))
    return out
