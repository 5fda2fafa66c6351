"""A small harness for engine tests: one real `Engine`, a clock, and what it said."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
    WithdrawOffer,
)
from callcenter.core.config import AgentConfig, EngineSettings, Membership, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)
from callcenter.core.interaction_state import InteractionState
from callcenter.core.model import RandomSource
from callcenter.core.records import AgentSpan, InteractionRecord

C = TypeVar("C")


def agent(
    agent_id: str,
    *queues: str | tuple[str, int],
    skills: dict[str, int] | None = None,
    voice: int = 1,
    chat: int = 1,
    email: int = 1,
) -> AgentConfig:
    """An agent config: queues as ids (tier 1) or (id, tier) pairs."""
    members = tuple(
        Membership(q) if isinstance(q, str) else Membership(q[0], q[1]) for q in queues
    )
    return AgentConfig(
        agent_id,
        skills=tuple((skills or {}).items()),
        queues=members,
        capacity=(("voice", voice), ("chat", chat), ("email", email)),
    )


class Harness:
    """Holds an engine and a clock; feeds events; fires timers the way the shell would."""

    def __init__(
        self,
        queues: Iterable[QueueConfig],
        agents: Iterable[AgentConfig],
        settings: EngineSettings | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        self.engine = Engine(queues, agents, settings, rng)
        self.now = 0.0
        self.commands: list[Command] = []

    # ---------------------------------------------------------------- driving

    def run_until(self, t: float) -> list[Command]:
        """Fire `TimerExpired` at each deadline up to and including `t`; the clock ends at t."""
        out: list[Command] = []
        while (d := self.engine.next_deadline()) is not None and d <= t:
            self.now = max(self.now, d)
            out += self.engine.handle(TimerExpired(), self.now)
        self.now = max(self.now, t)
        self.commands += out
        return out

    def send(self, event: Event, at: float | None = None) -> list[Command]:
        """Run the timers up to `at` (default: now), then handle `event` at that time."""
        if at is not None:
            assert at >= self.now, f"time runs backwards: {at} < {self.now}"
            self.run_until(at)
        out = self.engine.handle(event, self.now)
        self.commands += out
        return out

    def login(self, *agent_ids: str, at: float | None = None, ready: bool = True) -> None:
        """Log the agents in, in order."""
        for aid in agent_ids:
            self.send(AgentLogin(aid, ready=ready), at)

    def arrive(self, iid: str, queue_id: str, at: float | None = None,
               **kw: Any) -> list[Command]:
        """An interaction arrives."""
        return self.send(InteractionArrived(iid, queue_id, **kw), at)

    def answer(self, agent_id: str, iid: str, at: float | None = None) -> list[Command]:
        """The agent accepts the offer."""
        return self.send(OfferAccepted(agent_id, iid), at)

    def hang_up(self, agent_id: str, iid: str, at: float | None = None) -> list[Command]:
        """The agent ends the conversation."""
        return self.send(AgentHungUp(agent_id, iid), at)

    def take(self, iid: str, queue_id: str, at: float | None = None, **kw: Any) -> str:
        """An interaction arrives and the one agent offered it accepts. Returns the agent."""
        out = self.arrive(iid, queue_id, at, **kw)
        offers = of_type(out, OfferToAgent)
        assert len(offers) == 1, f"expected one offer for {iid}, got {offers}"
        self.answer(offers[0].agent_id, iid)
        return offers[0].agent_id

    def handle_call(self, iid: str, queue_id: str, at: float, talk: float = 10.0,
                    **kw: Any) -> str:
        """An interaction arrives, is answered at once by whoever is offered it, and ends
        after `talk` seconds. Returns the agent that took it."""
        aid = self.take(iid, queue_id, at, **kw)
        self.hang_up(aid, iid, at + talk)
        return aid

    # ---------------------------------------------------------------- looking

    def state(self, agent_id: str) -> AgentState:
        """The agent's state."""
        return self.engine.agent_state(agent_id)

    def ix_state(self, iid: str) -> InteractionState | None:
        """The interaction's state (None once ended)."""
        return self.engine.interaction_state(iid)

    def of(self, kind: type[C]) -> list[C]:
        """Every command of this type so far."""
        return of_type(self.commands, kind)

    def offers_to(self, agent_id: str) -> list[str]:
        """Interaction ids offered to the agent so far, in order."""
        return [o.interaction_id for o in self.of(OfferToAgent) if o.agent_id == agent_id]

    def offered(self, iid: str) -> list[str]:
        """Agents offered the interaction so far, in order."""
        return [o.agent_id for o in self.of(OfferToAgent) if o.interaction_id == iid]

    def withdrawals(self, iid: str) -> list[WithdrawOffer]:
        """Offers of the interaction that were withdrawn."""
        return [w for w in self.of(WithdrawOffer) if w.interaction_id == iid]

    def record(self, iid: str) -> InteractionRecord:
        """The interaction's row (exactly one must have been emitted)."""
        rows = [r.record for r in self.of(RecordInteraction) if r.record.interaction_id == iid]
        assert len(rows) == 1, f"{iid}: expected one row, got {rows}"
        return rows[0]

    def has_record(self, iid: str) -> bool:
        """True once the interaction's row was emitted."""
        return any(r.record.interaction_id == iid for r in self.of(RecordInteraction))

    def spans(self, agent_id: str) -> list[AgentSpan]:
        """The agent's closed state spans, in order."""
        return [s.span for s in self.of(RecordAgentSpan) if s.span.agent_id == agent_id]

    def state_changes(self, agent_id: str) -> list[AgentStateChanged]:
        """The agent's announced state changes, in order."""
        return [c for c in self.of(AgentStateChanged) if c.agent_id == agent_id]


def of_type(commands: Iterable[Command], kind: type[C]) -> list[C]:
    """The commands of one type, in order."""
    return [c for c in commands if isinstance(c, kind)]


@pytest.fixture
def make() -> Callable[..., Harness]:
    """Build a `Harness` from queue and agent configs (plus settings / rng)."""
    return Harness
