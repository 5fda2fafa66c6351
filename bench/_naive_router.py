"""The peer for bench/routing.py: a router that scans every agent for every decision.

It speaks the engine's events and commands for the subset the benchmark uses
(arrivals, accept, hang-up, wrap-up timer; longest-idle; skills with levels;
memberships) and decides the same way: an arriving call goes to the longest-idle
eligible available agent; a freed agent takes the oldest waiting call it may
take. What it lacks is indexes: each decision walks all agents or all waiting
calls, as a straightforward ACD would.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from callcenter.core.commands import Command, Connect, OfferToAgent, RecordInteraction
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)
from callcenter.core.records import InteractionRecord


@dataclass
class _Agent:
    cfg: AgentConfig
    skills: dict[str, int]
    queues: set[str]
    available: bool = False
    idle_since: float = 0.0
    call: str | None = None


@dataclass
class _Call:
    id: str
    queue: QueueConfig
    arrived: float
    answered: float | None = None
    ended: float | None = None
    agent: _Agent | None = None


@dataclass
class NaiveRouter:
    """Scan-all routing with the engine's interface (benchmark subset only)."""

    queues: dict[str, QueueConfig]
    agents: dict[str, _Agent] = field(default_factory=dict)
    waiting: list[_Call] = field(default_factory=list)
    calls: dict[str, _Call] = field(default_factory=dict)
    timers: list[tuple[float, int, str]] = field(default_factory=list)
    seq: int = 0

    @classmethod
    def build(cls, queues: list[QueueConfig], agents: list[AgentConfig]) -> NaiveRouter:
        r = cls({q.id: q for q in queues})
        for a in agents:
            r.agents[a.id] = _Agent(a, a.skill_map(), {m.queue_id for m in a.queues})
        return r

    def _eligible(self, a: _Agent, q: QueueConfig) -> bool:
        if q.id not in a.queues:
            return False
        return all(a.skills.get(r.skill, 0) >= r.min_level for r in q.required_skills)

    def next_deadline(self) -> float | None:
        return self.timers[0][0] if self.timers else None

    def handle(self, event: Event, now: float) -> list[Command]:
        out: list[Command] = []
        while self.timers and self.timers[0][0] <= now:
            _, _, aid = heapq.heappop(self.timers)
            self._free(self.agents[aid], now, out)
        if isinstance(event, InteractionArrived):
            call = _Call(event.interaction_id, self.queues[event.queue_id], now)
            self.calls[call.id] = call
            best: _Agent | None = None
            for a in self.agents.values():  # the scan
                if a.available and self._eligible(a, call.queue) and (
                        best is None or a.idle_since < best.idle_since):
                    best = a
            if best is None:
                self.waiting.append(call)
            else:
                self._offer(call, best, now, out)
        elif isinstance(event, OfferAccepted):
            call = self.calls[event.interaction_id]
            call.answered = now
            out.append(Connect(call.id, event.agent_id))
        elif isinstance(event, AgentHungUp):
            call = self.calls.pop(event.interaction_id)
            call.ended = now
            self.seq += 1
            heapq.heappush(self.timers, (now + call.queue.wrap_up, self.seq, event.agent_id))
            out.append(RecordInteraction(InteractionRecord(
                call.id, "voice", call.queue.id, call.queue.id, 0, call.arrived,
                call.answered, now, now, "completed", event.agent_id)))
        elif isinstance(event, AgentLogin):
            self._free(self.agents[event.agent_id], now, out)
        elif isinstance(event, TimerExpired):
            pass
        return out

    def _offer(self, call: _Call, a: _Agent, now: float, out: list[Command]) -> None:
        a.available = False
        a.call = call.id
        call.agent = a
        out.append(OfferToAgent(call.id, a.cfg.id, call.queue.id, "voice",
                                now + call.queue.offer_timeout))

    def _free(self, a: _Agent, now: float, out: list[Command]) -> None:
        for i, call in enumerate(self.waiting):  # oldest first: the list is in arrival order
            if self._eligible(a, call.queue):
                del self.waiting[i]
                self._offer(call, a, now, out)
                return
        a.available = True
        a.idle_since = now
