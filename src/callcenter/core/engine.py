"""The routing engine: `handle(event, now) -> list[Command]` and `next_deadline()`.

Pure: no clock, no I/O, no global randomness. The live server, the simulator and
the tests all drive this same class; only who supplies `now` differs.

How a decision is made without scanning agents:
- Interaction side: a new or returning interaction looks at the pool of its
  target (queue + extra skills) at its escalation step: a heap of available
  eligible agents ordered by the queue's strategy. The top valid entry wins.
- Agent side: an agent who becomes free looks at the head of each waiting heap
  it is eligible for (a handful: its queues x escalation steps) and takes the
  interaction with the highest score (priority plus aging). Only if there is
  none does it join its pools.
So no interaction waits while an eligible agent sits available (except one who
declined that interaction less than the queue's `retry_after` ago).
"""

from __future__ import annotations

from collections.abc import Iterable

from callcenter.core import agent_state as ast
from callcenter.core.agent_state import AgentInput, AgentState
from callcenter.core.commands import (
    Command,
)
from callcenter.core.config import AgentConfig, EngineSettings, QueueConfig, Strategy
from callcenter.core.errors import RoutingError, UnknownQueue
from callcenter.core.events import (
    AgentConfigured,
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    AgentRemoved,
    CallbackRequested,
    CallerHungUp,
    Event,
    HoldCall,
    InteractionArrived,
    OfferAccepted,
    OfferRejected,
    QueueConfigured,
    QueueRemoved,
    ResumeCall,
    TimerExpired,
    TransferToAgent,
    TransferToNumber,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionInput, InteractionState
from callcenter.core.lifecycle import Lifecycle
from callcenter.core.model import RandomSource

II = InteractionInput
IS = InteractionState


class Engine(Lifecycle):
    """Routes interactions to agents. Feed it events with the time; carry out its commands."""

    def __init__(
        self,
        queues: Iterable[QueueConfig],
        agents: Iterable[AgentConfig],
        settings: EngineSettings | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        super().__init__(rng, settings or EngineSettings())
        self._carry: list[Command] = []
        for q in queues:
            if q.id in self.queues:
                raise RoutingError(f"queue {q.id!r} is configured twice")
            self.queues[q.id] = q
            self._staffed[q.id] = 0
            self._aht[q.id] = q.default_handle_time
            self._waiting_in[q.id] = {}
        self._check_queue_refs()
        for cfg in agents:
            if cfg.id in self.agents:
                raise RoutingError(f"agent {cfg.id!r} is configured twice")
            self._add_agent(cfg)
        for q in self.queues.values():
            self._target(q, ())

    # ------------------------------------------------------------------ public API

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply one event at time `now`; return what should happen, in order.

        Timers due at or before `now` fire first, so a late wake-up stays correct.
        A `RoutingError` (the event is not allowed now) changes nothing of the
        event's own; commands that due timers produced before it are kept and come
        with the next call (and `next_deadline()` asks for that call at once).
        """
        out: list[Command] = self._carry
        self._carry = []
        self._out = out
        self._fire_due(now)
        self._now = now
        try:
            self._dispatch(event)
        except RoutingError:
            self._settle()
            self._carry = out
            raise
        self._settle()
        return out

    def next_deadline(self) -> float | None:
        """When the engine next needs `TimerExpired` (None: nothing pending)."""
        if self._carry:
            return self._now
        heap = self._timers
        while heap and heap[0][2].cancelled:
            self._pop_timer()
        return heap[0][0] if heap else None

    def agent_state(self, agent_id: str) -> AgentState:
        """The agent's current state."""
        return self._agent(agent_id).state

    def interaction_state(self, interaction_id: str) -> InteractionState | None:
        """The state of an open interaction (None once it has ended)."""
        ix = self._ix.get(interaction_id)
        return ix.state if ix else None

    def waiting_count(self, queue_id: str) -> int:
        """Interactions waiting in the queue (callbacks included)."""
        return len(self._waiting_in[queue_id])

    def position(self, interaction_id: str) -> int | None:
        """1-based place in line among its queue's waiting interactions (None if not waiting)."""
        ix = self._ix.get(interaction_id)
        if ix is None or not ix.waiting():
            return None
        # One queue ages all its interactions alike, so the order of their scores is the
        # same at any time: compare the time-invariant keys.
        q = ix.queue
        # Equal keys (same arrival, same priority) are served in the router's order.
        mine = (ix.wait_key(q), ix.wait_seq)
        ahead = sum(1 for other in self._waiting_in[q.id].values()
                    if other is not ix and (other.wait_key(q), other.wait_seq) < mine)
        return ahead + 1

    def expected_wait(self, interaction_id: str) -> float | None:
        """Expected seconds until an agent takes it: place x smoothed handle time / staffed
        agents (None if not waiting or nobody is staffed)."""
        ix = self._ix.get(interaction_id)
        if ix is None or not ix.waiting():
            return None
        staffed = self._staffed[ix.queue.id]
        if staffed == 0:
            return None
        pos = self.position(interaction_id)
        assert pos is not None
        return pos * self._aht[ix.queue.id] / staffed

    def agents_by_state(self) -> dict[AgentState, int]:
        """How many agents are in each state."""
        counts = dict.fromkeys(AgentState, 0)
        for a in self.agents.values():
            counts[a.state] += 1
        return counts

    def open_interactions(self) -> list[str]:
        """Ids of interactions that have not ended."""
        return list(self._ix)

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, event: Event) -> None:
        match event:
            case InteractionArrived():
                self._on_arrived(event)
            case OfferAccepted(agent_id=aid, interaction_id=iid):
                self._on_accepted(self._agent(aid), iid)
            case OfferRejected(agent_id=aid, interaction_id=iid):
                a = self._agent(aid)
                self._decline(a, self._offer_of(a, iid, AgentInput.DECLINE), "rejected")
            case CallerHungUp(interaction_id=iid, reason=reason):
                self._on_caller_hung_up(iid, reason)
            case AgentHungUp(agent_id=aid, interaction_id=iid):
                a = self._agent(aid)
                ix = a.connected.get(iid)
                if ix is None:
                    ast.check(a.id, a.state, AgentInput.HANG_UP)
                    raise RoutingError(f"agent {aid!r} is {a.state.value}: "
                                       f"not connected to {iid!r}")
                self._end_talk(ix, "agent_hung_up")
            case WrapUpDone(agent_id=aid, interaction_id=iid, disposition=disp):
                a = self._agent(aid)
                if iid not in a.wrapping:
                    ast.check(a.id, a.state, AgentInput.WRAP_DONE)
                    raise RoutingError(f"agent {aid!r} is {a.state.value}: "
                                       f"not wrapping up {iid!r}")
                self._wrap_done(a, iid, disp)
            case CallbackRequested(interaction_id=iid):
                self._on_callback(iid)
            case AgentLogin(agent_id=aid, ready=ready):
                self._on_login(self._agent(aid), ready)
            case AgentLogout(agent_id=aid):
                self._on_logout(self._agent(aid))
            case AgentReady(agent_id=aid):
                a = self._agent(aid)
                ast.check(a.id, a.state, AgentInput.READY)
                a.paused, a.pause_reason, a.missed = False, "", 0
                a.logout_pending = False
                self._touch(a)
            case AgentPause(agent_id=aid, reason=reason):
                a = self._agent(aid)
                ast.check(a.id, a.state, AgentInput.PAUSE)
                self._pause(a, reason)
            case TransferToQueue(interaction_id=iid, queue_id=qid):
                self._on_transfer(self._open(iid), self._queue(qid), None)
            case TransferToAgent(interaction_id=iid, agent_id=aid):
                ix = self._open(iid)
                self._on_transfer(ix, ix.queue, self._agent(aid))
            case TransferToNumber(interaction_id=iid, number=number):
                self._on_transfer_out(self._open(iid), number)
            case HoldCall(interaction_id=iid):
                self._on_hold(self._open(iid), True)
            case ResumeCall(interaction_id=iid):
                self._on_hold(self._open(iid), False)
            case TimerExpired():
                pass
            case QueueConfigured(config=cfg):
                self._configure_queue(cfg)
            case AgentConfigured(config=cfg):
                self._configure_agent(cfg)
            case QueueRemoved(queue_id=qid):
                self._remove_queue(qid)
            case AgentRemoved(agent_id=aid):
                self._remove_agent(aid)

    # ------------------------------------------------------------------ configuration

    def _check_queue_refs(self) -> None:
        for q in self.queues.values():
            if q.strategy is Strategy.RANDOM and self._rng is None:
                raise RoutingError(f"queue {q.id!r} uses the random strategy: "
                                   "the engine needs an rng")
            refs = [a.queue_id for a in (q.timeout_action, q.closed_action, q.full_action,
                                          q.no_agents_action) if a.queue_id]
            refs += [r for s in q.escalation for r in s.overflow_to]
            for r in refs:
                if r not in self.queues:
                    raise UnknownQueue(f"queue {q.id!r} refers to unknown queue {r!r}")

    def _configure_queue(self, cfg: QueueConfig) -> None:
        old = self.queues.get(cfg.id)
        if old is not None and self._waiting_in[cfg.id] and old.escalation != cfg.escalation:
            raise RoutingError(f"queue {cfg.id!r} has waiting interactions: "
                               "its escalation steps cannot change now")
        self.queues[cfg.id] = cfg
        try:
            self._check_queue_refs()
        except RoutingError:
            if old is None:
                del self.queues[cfg.id]
            else:
                self.queues[cfg.id] = old
            raise
        self._staffed.setdefault(cfg.id, 0)
        self._waiting_in.setdefault(cfg.id, {})
        self._aht.setdefault(cfg.id, cfg.default_handle_time)
        self._rebuild()

    def _configure_agent(self, cfg: AgentConfig) -> None:
        a = self.agents.get(cfg.id)
        if a is None:
            self._add_agent(cfg)
            return
        if a.logged_in:
            raise RoutingError(f"agent {cfg.id!r} is logged in: log it out to change it")
        self._tiers_for(cfg)  # refuses unknown memberships before anything changes
        self._replace_agent_config(a, cfg)
        self._rebuild()

    def _remove_queue(self, queue_id: str) -> None:
        self._queue(queue_id)
        held = [ix.id for ix in self._ix.values() if ix.queue.id == queue_id]
        if held:
            raise RoutingError(f"queue {queue_id!r} still has {len(held)} open interactions")
        refs = sorted(q.id for q in self.queues.values() if q.id != queue_id and queue_id in
                      {a.queue_id for a in (q.timeout_action, q.closed_action, q.full_action,
                                            q.no_agents_action)}
                      | {r for st in q.escalation for r in st.overflow_to})
        if refs:
            raise RoutingError(f"queue {queue_id!r} is an exit or overflow of {refs}")
        members = sorted(a.id for a in self.agents.values()
                         if any(m.queue_id == queue_id for m in a.cfg.queues))
        if members:
            raise RoutingError(f"queue {queue_id!r} has member agents {members}")
        for table in (self.queues, self._waiting_in, self._staffed, self._aht):
            del table[queue_id]
        self._rebuild()

    def _remove_agent(self, agent_id: str) -> None:
        a = self._agent(agent_id)
        if a.logged_in:
            raise RoutingError(f"agent {agent_id!r} is logged in: log it out to remove it")
        del self.agents[agent_id]
        a.removed = True
        self._rebuild()
