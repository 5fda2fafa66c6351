"""Outbound simulation: a campaign's agents, its dialer, and the people it calls.

A small discrete-event simulation (a heap of (time, seq, ...) entries, so ties
run in the order they were scheduled) that asks a `Pacer` once a second how
many calls to launch and plays the calls out:

- each attempt is a live answer, an answering machine (detected and hung up,
  no agent needed), busy, or no answer; live answers and machines answer after
  a time drawn from the time-to-answer model, busy fails within seconds, no
  answer rings until the ring timeout;
- a live answer takes the longest-waiting ready agent; with none ready it
  waits, and one that finds no agent within 2 s hears the information
  message and is a drop;
- the agent talks, wraps up (a fixed or a lognormal time, `OutcomeModel.wrap_sigma`),
  and is ready again.

Agents work `shift_seconds` at the start of every day; dialing stops at the end
of the shift, calls already up are finished.

Common random numbers: the k-th attempt of a run meets the same callee (the same
uniform deciding its outcome, the same answer time, the same talk time)
whatever the dialer, so dialers compared with the same seed see the same
traffic. The live-answer rate may follow a schedule (`OutcomeModel.live_rates`),
for answer-rate swings; the outcome is still decided by the attempt's uniform.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.core.dialer.drops import DAY, DEFAULT_CAP, DropLedger, worst_window
from callcenter.core.dialer.estimates import DialHistory
from callcenter.core.dialer.pacing import Pacer, PacingState
from callcenter.scenario.callees import LIVE, MACHINE, OutcomeModel, Traffic

_TICK, _RESOLVE, _DROP_CHECK, _TALK_END, _WRAP_END = range(5)


@dataclass(frozen=True, slots=True)
class OutboundScenario:
    """A campaign to simulate."""

    agents: int = 50
    days: int = 5
    shift_seconds: float = 8 * 3600.0
    tick: float = 1.0  # the pacer is asked this often
    grace: float = 2.0  # a live answer waits this long for an agent, then is dropped
    cap: float = DEFAULT_CAP
    model: OutcomeModel = field(default_factory=OutcomeModel)


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One simulated day (0-based `day`): what was dialed, answered, dropped, talked."""

    day: int
    dialed: int
    lives: int
    drops: int
    machines: int
    talk_seconds: float  # conversation time within the day's shift
    handle_seconds: float  # talk plus wrap-up within the day's shift


@dataclass(frozen=True, slots=True)
class OutboundResult:
    """What happened: counts, talk time, and one (time, dropped) row per live answer."""

    dialer: str
    agents: int
    agent_seconds: float  # logged-in time (agents x shift x days)
    talk_seconds: float  # conversation time within the shifts
    dialed: int
    lives: int
    drops: int
    machines: int
    live_rows: tuple[tuple[float, bool], ...]
    end: float  # end of the last shift
    handle_seconds: float = 0.0  # talk plus wrap-up within the shifts
    days: tuple[DayFigures, ...] = ()

    @property
    def occupancy(self) -> float:
        """Handling time (talk + wrap-up) over logged-in time: agents never pause here."""
        return self.handle_seconds / self.agent_seconds if self.agent_seconds else 0.0

    @property
    def talk_minutes_per_agent_hour(self) -> float:
        """Minutes of conversation per logged-in agent-hour."""
        return self.talk_seconds / 60.0 / (self.agent_seconds / 3600.0)

    @property
    def drop_rate(self) -> float:
        """Drops per live answer over the whole run."""
        return self.drops / self.lives if self.lives else 0.0

    def worst_rate(self, span: float = DAY) -> float:
        """The worst trailing-window drop rate, at any instant up to the end of the run."""
        return worst_window(self.live_rows, span, self.end).rate


def simulate(scenario: OutboundScenario, pacer: Pacer, seed: int,
             history: DialHistory | None = None,
             progress: Callable[[int], None] | None = None) -> OutboundResult:
    """Run the campaign with this pacer against the traffic of `seed`; `progress` is
    called with the number of days done after each simulated day."""
    run = _Run(scenario, pacer, Traffic(scenario.model, seed), history or DialHistory())
    return run.run(progress)


class _Day:
    __slots__ = ("dialed", "drops", "handle", "lives", "machines", "talk")

    def __init__(self) -> None:
        self.dialed = self.lives = self.drops = self.machines = 0
        self.talk = self.handle = 0.0


class _Run:
    def __init__(self, sc: OutboundScenario, pacer: Pacer, traffic: Traffic,
                 history: DialHistory) -> None:
        self.sc, self.pacer, self.traffic, self.history = sc, pacer, traffic, history
        self.ledger = DropLedger(sc.cap)
        self.heap: list[tuple[float, int, int, int, float]] = []
        self.seq = 0
        self.now = 0.0
        self.ready: deque[int] = deque()
        self.talking: dict[int, float] = {}  # agent -> talk start
        self.wrapping: dict[int, float] = {}  # agent -> wrap start
        self.ringing: dict[int, float] = {}  # attempt -> launch time
        self.waiting: dict[int, float] = {}  # attempt -> answer time (insertion = FIFO)
        self.talk_of: dict[int, float] = {}  # attempt -> talk seconds, for live answers
        self.call_of: dict[int, int] = {}  # agent -> the attempt it talks to
        self.dialed = self.lives = self.drops = self.machines = 0
        self.talk_seconds = self.handle_seconds = 0.0
        self.rows: list[tuple[float, bool]] = []
        self.shift_end = 0.0
        self.per_day: list[_Day] = []
        self.today = _Day()

    def schedule(self, at: float, kind: int, who: int, value: float = 0.0) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, who, value))

    def run(self, progress: Callable[[int], None] | None) -> OutboundResult:
        sc = self.sc
        for day in range(sc.days):
            start = day * DAY
            self.shift_end = start + sc.shift_seconds
            self.today = _Day()
            self.per_day.append(self.today)
            self.now = start
            self.ready.extend(a for a in range(sc.agents) if a not in self.talking
                              and a not in self.wrapping and a not in self.ready)
            ticks = int(sc.shift_seconds / sc.tick)
            for i in range(ticks):
                self.schedule(start + i * sc.tick, _TICK, 0)
            self._drain()
            if progress is not None:
                progress(day + 1)
        return OutboundResult(
            dialer=self.pacer.name, agents=sc.agents,
            agent_seconds=sc.agents * sc.shift_seconds * sc.days,
            talk_seconds=self.talk_seconds, dialed=self.dialed, lives=self.lives,
            drops=self.drops, machines=self.machines, live_rows=tuple(self.rows),
            end=(sc.days - 1) * DAY + sc.shift_seconds,
            handle_seconds=self.handle_seconds,
            days=tuple(DayFigures(i, d.dialed, d.lives, d.drops, d.machines, d.talk, d.handle)
                       for i, d in enumerate(self.per_day)),
        )

    def _drain(self) -> None:
        heap = self.heap
        while heap:
            at, _, kind, who, value = heapq.heappop(heap)
            self.now = at
            if kind == _TICK:
                self._tick()
            elif kind == _RESOLVE:
                self._resolve(who, value)
            elif kind == _DROP_CHECK:
                if who in self.waiting:
                    del self.waiting[who]
                    del self.talk_of[who]
                    self._live_done(dropped=True)
            elif kind == _TALK_END:
                del self.talking[who]
                self.wrapping[who] = at
                self.history.talk(value)
                wrap = self.traffic.wrap(self.call_of.pop(who))
                self._handled(max(0.0, min(at + wrap, self.shift_end) - at))
                self.schedule(at + wrap, _WRAP_END, who, wrap)
            else:  # _WRAP_END
                del self.wrapping[who]
                self.history.wrap(value)
                self._agent_ready(who)

    def _tick(self) -> None:
        now = self.now
        state = PacingState(
            ready=len(self.ready), talk_started=tuple(self.talking.values()),
            wrap_started=tuple(self.wrapping.values()), ringing=tuple(self.ringing.values()),
            waiting=tuple(self.waiting.values()), logged_in=self.sc.agents,
            estimates=self.history.estimates(now), drops=self.ledger,
            closes_at=self.shift_end,
        )
        for _ in range(self.pacer.decide(state, now)):
            k = self.dialed
            self.dialed += 1
            self.today.dialed += 1
            outcome, seconds, talk = self.traffic.attempt(k, now)
            self.ringing[k] = now
            if outcome == LIVE:
                self.talk_of[k] = talk
            elif outcome == MACHINE:
                self.machines += 1
                self.today.machines += 1
            self.schedule(now + seconds, _RESOLVE, k, float(outcome == LIVE))

    def _resolve(self, k: int, live: float) -> None:
        launched = self.ringing.pop(k)
        self.history.attempt(bool(live), self.now - launched)
        if not live:
            return
        if self.ready:
            self._connect(self.ready.popleft(), k)
        else:
            self.waiting[k] = self.now
            self.schedule(self.now + self.sc.grace, _DROP_CHECK, k)

    def _agent_ready(self, agent: int) -> None:
        if self.waiting:
            k = next(iter(self.waiting))
            del self.waiting[k]
            self._connect(agent, k)
        else:
            self.ready.append(agent)

    def _connect(self, agent: int, k: int) -> None:
        now = self.now
        talk = self.talk_of.pop(k)
        self.talking[agent] = now
        self.call_of[agent] = k
        talked = max(0.0, min(now + talk, self.shift_end) - now)
        self.talk_seconds += talked
        self.today.talk += talked
        self._handled(talked)
        self.schedule(now + talk, _TALK_END, agent, talk)
        self._live_done(dropped=False)

    def _handled(self, seconds: float) -> None:
        self.handle_seconds += seconds
        self.today.handle += seconds

    def _live_done(self, dropped: bool) -> None:
        self.lives += 1
        self.drops += dropped
        self.today.lives += 1
        self.today.drops += dropped
        self.ledger.record(self.now, dropped)
        self.rows.append((self.now, dropped))

