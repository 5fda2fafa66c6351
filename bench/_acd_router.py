"""The peer for bench/routing.py: a per-queue ACD in the manner of Asterisk's app_queue.

Each queue keeps the list of its members (the agents who serve it, with their tier, the
penalty of app_queue) and a first-in first-out line of waiting calls. An arriving call
loops over its queue's members and rings the available one of the best tier that has
been idle longest (app_queue's `leastrecent`), ties going to the agent configured first.
An agent who becomes free looks at the head of each of its queues' lines and takes the
call that has waited longest. Wrap-up and ring time-outs are timers on one heap, and
`next_deadline()` says when the next is due, as the engine's does.

It speaks the engine's events and emits the engine's commands, for what the benchmark
uses: log-in, arrivals, accepted offers, hang-ups by the agent, wrap-up and offer
timers, longest-idle queues with tiers and required skills, calls of one priority. So
the benchmark can check, event by event, that both produce the same commands: the same
agent for every call, the same state changes, rows and spans. What it leaves out is
the engine's other features (priorities and aging across queues, escalation, other
strategies, transfers, abandons, pauses, channels), not the work of these events.

Plain typed Python: `bench/routing.py` compiles it with mypyc when the engine it is
measured against is the compiled one.
"""

from __future__ import annotations

import heapq
from collections import deque

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    Disconnect,
    InteractionStateChanged,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)
from callcenter.core.interaction_state import InteractionState
from callcenter.core.records import AgentSpan, InteractionRecord

_OFFER = 0
_WRAP = 1


class Member:
    """An agent: its queues, whether it is available and since when."""

    def __init__(self, cfg: AgentConfig, idx: int) -> None:
        self.id = cfg.id
        self.idx = idx
        self.queues: list[Queue] = []
        self.available = False
        self.idle_since = 0.0
        self.state = AgentState.LOGGED_OUT
        self.state_since = 0.0
        self.call: Call | None = None


class Queue:
    """A queue's members (agent, tier) in configuration order, and its line of calls."""

    def __init__(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.id = cfg.id
        self.members: list[tuple[Member, int]] = []
        self.line: deque[Call] = deque()


class Call:
    """One call: when it arrived, was offered, answered and ended."""

    def __init__(self, iid: str, queue: Queue, now: float) -> None:
        self.id = iid
        self.queue = queue
        self.arrived = now
        self.offered = 0.0
        self.answered = 0.0
        self.ended = 0.0
        self.agent: Member | None = None
        self.ring: Timer | None = None


class Timer:
    """A ring time-out or the end of a wrap-up; a cancelled one is dropped when it surfaces."""

    def __init__(self, at: float, kind: int, call: Call, member: Member) -> None:
        self.at = at
        self.kind = kind
        self.call = call
        self.member = member
        self.cancelled = False


class QueueRouter:
    """Per-queue member lists and lines; the engine's `handle` and `next_deadline`."""

    def __init__(self, queues: list[QueueConfig], agents: list[AgentConfig]) -> None:
        self.queues: dict[str, Queue] = {q.id: Queue(q) for q in queues}
        self.members: dict[str, Member] = {}
        self.calls: dict[str, Call] = {}
        self.timers: list[tuple[float, int, Timer]] = []
        self.seq = 0
        self.out: list[Command] = []
        for idx, cfg in enumerate(agents):
            m = Member(cfg, idx)
            self.members[cfg.id] = m
            skills = cfg.skill_map()
            for ms in cfg.queues:
                q = self.queues[ms.queue_id]
                if all(skills.get(r.skill, 0) >= r.min_level for r in q.cfg.required_skills):
                    q.members.append((m, ms.tier))
                    m.queues.append(q)

    # ------------------------------------------------------------------ the interface

    def next_deadline(self) -> float | None:
        """When the next live timer is due (None: none is set)."""
        heap = self.timers
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def handle(self, event: Event, now: float) -> list[Command]:
        """Fire the timers due by `now`, each at its own time; then apply `event`."""
        heap = self.timers
        while heap and heap[0][0] <= now:
            timer = heapq.heappop(heap)[2]
            if not timer.cancelled:
                self._fire(timer)
        if isinstance(event, InteractionArrived):
            self._arrive(event.interaction_id, self.queues[event.queue_id], now)
        elif isinstance(event, OfferAccepted):
            self._answer(self.calls[event.interaction_id], now)
        elif isinstance(event, AgentHungUp):
            self._hang_up(self.calls[event.interaction_id], now)
        elif isinstance(event, AgentLogin):
            m = self.members[event.agent_id]
            self._state(m, AgentState.AVAILABLE, now, span=False)
            self._free(m, now)
        elif not isinstance(event, TimerExpired):
            raise NotImplementedError(f"the peer does not take {type(event).__name__}")
        out = self.out
        self.out = []
        return out

    # ------------------------------------------------------------------ routing

    def _arrive(self, iid: str, q: Queue, now: float) -> None:
        call = Call(iid, q, now)
        self.calls[iid] = call
        self.out.append(InteractionStateChanged(iid, InteractionState.QUEUED, q.id, None, now))
        best: Member | None = None
        best_tier = 0
        for m, tier in q.members:  # the loop over the queue's members
            if not m.available:
                continue
            if (best is None or tier < best_tier
                    or (tier == best_tier and (m.idle_since < best.idle_since
                                               or (m.idle_since == best.idle_since
                                                   and m.idx < best.idx)))):
                best, best_tier = m, tier
        if best is None:
            q.line.append(call)
        else:
            self._offer(call, best, now)

    def _free(self, m: Member, now: float) -> None:
        """`m` has no work: it takes the longest-waiting call at a head of its lines."""
        oldest: Call | None = None
        for q in m.queues:
            if q.line:
                head = q.line[0]
                if oldest is None or head.arrived < oldest.arrived:
                    oldest = head
        if oldest is not None:
            oldest.queue.line.popleft()
            self._offer(oldest, m, now)
            return
        m.available = True
        m.idle_since = now
        if m.state is not AgentState.AVAILABLE:
            self._state(m, AgentState.AVAILABLE, now)

    def _offer(self, call: Call, m: Member, now: float) -> None:
        q = call.queue
        m.available = False
        m.call = call
        call.agent = m
        call.offered = now
        expires = now + q.cfg.offer_timeout
        call.ring = self._arm(Timer(expires, _OFFER, call, m))
        self.out.append(InteractionStateChanged(call.id, InteractionState.OFFERED, q.id, m.id,
                                                now))
        self.out.append(OfferToAgent(call.id, m.id, q.id, q.cfg.channel, expires))
        self._state(m, AgentState.RESERVED, now)

    # ------------------------------------------------------------------ the call's life

    def _answer(self, call: Call, now: float) -> None:
        m = call.agent
        assert m is not None and call.ring is not None
        call.ring.cancelled = True
        call.ring = None
        call.answered = now
        self.out.append(InteractionStateChanged(call.id, InteractionState.CONNECTED,
                                                call.queue.id, m.id, now))
        self.out.append(Connect(call.id, m.id))
        self._state(m, AgentState.BUSY, now)

    def _hang_up(self, call: Call, now: float) -> None:
        m = call.agent
        assert m is not None
        call.ended = now
        self.out.append(InteractionStateChanged(call.id, InteractionState.WRAP_UP,
                                                call.queue.id, m.id, now))
        self.out.append(Disconnect(call.id, m.id, "agent_hung_up"))
        self._arm(Timer(now + call.queue.cfg.wrap_up, _WRAP, call, m))
        self._state(m, AgentState.WRAP_UP, now)

    def _fire(self, timer: Timer) -> None:
        if timer.kind != _WRAP:
            raise NotImplementedError("the peer does not take ring time-outs")
        call, m, now = timer.call, timer.member, timer.at
        q = call.queue
        del self.calls[call.id]
        m.call = None
        self.out.append(InteractionStateChanged(call.id, InteractionState.COMPLETED, q.id, m.id,
                                                now))
        self.out.append(RecordInteraction(InteractionRecord(
            interaction_id=call.id, channel=q.cfg.channel, queue_id=q.id, first_queue_id=q.id,
            priority=0, arrived_at=call.arrived, answered_at=call.answered,
            ended_at=call.ended, completed_at=now, outcome="completed", agent_id=m.id,
            exit_reason="", exit_action="", offers=1, transfers=0, callback=False,
            disposition="", first_offered_at=call.offered,
            talk_seconds=call.ended - call.answered, wrap_seconds=now - call.ended,
            service_level_threshold=q.cfg.service_level_threshold,
            short_abandon=q.cfg.short_abandon, caller_number=None, hold_seconds=0.0,
        )))
        self._free(m, now)

    # ------------------------------------------------------------------ bookkeeping

    def _arm(self, timer: Timer) -> Timer:
        self.seq += 1
        heapq.heappush(self.timers, (timer.at, self.seq, timer))
        return timer

    def _state(self, m: Member, state: AgentState, now: float, span: bool = True) -> None:
        """The agent's shown state changes: the span of the old one, then the new one."""
        if span:
            self.out.append(RecordAgentSpan(AgentSpan(m.id, m.state.value, m.state_since, now,
                                                      "")))
        m.state = state
        m.state_since = now
        self.out.append(AgentStateChanged(m.id, state, "", now))
