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
from callcenter.core.errors import RoutingError, UnknownReference
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
from callcenter.core.snapshot import (
    AgentSnapshot,
    QueueSnapshot,
    WorkSnapshot,
    agent_snapshot,
    work_of,
)

II = InteractionInput
IS = InteractionState


class Engine:
    """Routes interactions to agents. Feed it events with the time; carry out its commands.

    It holds its parts rather than being them: the `Lifecycle` (the transitions), which
    holds the `Router` (indexes, selection) and the `Presence` (agents' log-in and
    states). The engine applies events, answers read-only queries (snapshots) and
    keeps the configuration rules.
    """

    def __init__(
        self,
        queues: Iterable[QueueConfig],
        agents: Iterable[AgentConfig],
        settings: EngineSettings | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self._life = life = Lifecycle(rng, self.settings)
        self._r = r = life.router
        for q in queues:
            if q.id in r.queues:
                raise RoutingError(f"queue {q.id!r} is configured twice")
            r.queues[q.id] = q
            r.staffed[q.id] = 0
            r.aht[q.id] = q.default_handle_time
            r.waiting_in[q.id] = {}
        self._check_queue_refs()
        for cfg in agents:
            if cfg.id in r.by_id:
                raise RoutingError(f"agent {cfg.id!r} is configured twice")
            r.add_agent(cfg)
        for q in r.queues.values():
            r.target(q, ())

    # ------------------------------------------------------------------ public API

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply one event at time `now`; return what should happen, in order.

        Timers due at or before `now` fire first, so a late wake-up stays correct.
        A `RoutingError` (the event is not allowed now) changes nothing of the
        event's own; commands that due timers produced before it are kept and come
        with the next call (and `next_deadline()` asks for that call at once).
        """
        life = self._life
        r = self._r
        life.fire_due(now)
        life.now = r.now = now
        try:
            self._dispatch(event)
        finally:
            r.settle()
        out = life.out
        done = out[:]
        out.clear()
        return done

    def next_deadline(self) -> float | None:
        """When the engine next needs `TimerExpired` (None: nothing pending)."""
        if self._life.out:
            return self._life.now
        return self._life.timers.next_deadline()

    def agent_state(self, agent_id: str) -> AgentState:
        """The agent's current state."""
        return self._life.agent(agent_id).state

    def interaction_state(self, interaction_id: str) -> InteractionState | None:
        """The state of an open interaction (None once it has ended)."""
        ix = self._r.ix.get(interaction_id)
        return ix.state if ix else None

    def waiting_count(self, queue_id: str) -> int:
        """Interactions waiting in the queue (callbacks included)."""
        return len(self._r.waiting_in[queue_id])

    def position(self, interaction_id: str) -> int | None:
        """1-based place in line among its queue's waiting interactions (None if not waiting)."""
        ix = self._r.ix.get(interaction_id)
        if ix is None or not ix.waiting():
            return None
        # One queue ages all its interactions alike, so the order of their scores is the
        # same at any time: compare the time-invariant keys.
        q = ix.queue
        # Equal keys (same arrival, same priority) are served in the router's order.
        mine = (ix.wait_key(q), ix.wait_seq)
        ahead = sum(1 for other in self._r.waiting_in[q.id].values()
                    if other is not ix and (other.wait_key(q), other.wait_seq) < mine)
        return ahead + 1

    def expected_wait(self, interaction_id: str) -> float | None:
        """Expected seconds until an agent takes it: place x smoothed handle time / staffed
        agents (None if not waiting or nobody is staffed)."""
        ix = self._r.ix.get(interaction_id)
        if ix is None or not ix.waiting():
            return None
        staffed = self._r.staffed[ix.queue.id]
        if staffed == 0:
            return None
        pos = self.position(interaction_id)
        assert pos is not None
        return pos * self._r.aht[ix.queue.id] / staffed

    def agents_by_state(self) -> dict[AgentState, int]:
        """How many agents are in each state."""
        counts = dict.fromkeys(AgentState, 0)
        for a in self._r.by_id.values():
            counts[a.state] += 1
        return counts

    def open_interactions(self) -> list[str]:
        """Ids of interactions that have not ended."""
        return list(self._r.ix)

    # ------------------------------------------------------------------ snapshots
    # Immutable values, built on each call: for the API and the live dialer, never
    # on the routing path.

    def has_agent(self, agent_id: str) -> bool:
        """True when the engine has an agent of this id."""
        return agent_id in self._r.by_id

    def agent_ids(self) -> list[str]:
        """Every agent's id, sorted."""
        return sorted(self._r.by_id)

    def agent(self, agent_id: str) -> AgentSnapshot | None:
        """The agent as it is now (None: no such agent)."""
        a = self._r.by_id.get(agent_id)
        return None if a is None else agent_snapshot(a)

    def agents(self, queue_id: str | None = None) -> list[AgentSnapshot]:
        """Every agent, or the agents serving `queue_id`, by id."""
        found = (list(self._r.by_id.values()) if queue_id is None
                 else [a for a in self._r.members(queue_id) if not a.removed])
        return [agent_snapshot(a) for a in sorted(found, key=lambda a: a.id)]

    def work(self, agent_id: str) -> tuple[WorkSnapshot, ...]:
        """What the agent holds now: offers, conversations, wrap-ups (`UnknownAgent`)."""
        return work_of(self._life.agent(agent_id))

    def queue(self, queue_id: str) -> QueueConfig | None:
        """The queue's settings (None: no such queue)."""
        return self._r.queues.get(queue_id)

    def queue_channel(self, queue_id: str) -> str:
        """The channel of the queue's interactions (`UnknownQueue`)."""
        return self._r.queue(queue_id).channel

    def queue_ids(self) -> list[str]:
        """Every queue's id, sorted."""
        return sorted(self._r.queues)

    def queues(self) -> list[QueueSnapshot]:
        """Every queue with its waiting and staffed counts, by id."""
        r = self._r
        return [QueueSnapshot(r.queues[qid], len(r.waiting_in[qid]), r.staffed[qid])
                for qid in sorted(r.queues)]

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, event: Event) -> None:
        life = self._life
        match event:
            case InteractionArrived():
                life.arrive(event)
            case OfferAccepted(agent_id=aid, interaction_id=iid):
                life.accept(life.agent(aid), iid)
            case OfferRejected(agent_id=aid, interaction_id=iid):
                a = life.agent(aid)
                life.decline(a, life.offer_of(a, iid, AgentInput.DECLINE), "rejected")
            case CallerHungUp(interaction_id=iid, reason=reason):
                life.caller_hung_up(iid, reason)
            case AgentHungUp(agent_id=aid, interaction_id=iid):
                a = life.agent(aid)
                ix = a.connected.get(iid)
                if ix is None:
                    ast.check(a.id, a.state, AgentInput.HANG_UP)
                    raise RoutingError(f"agent {aid!r} is {a.state.value}: "
                                       f"not connected to {iid!r}")
                life.end_talk(ix, "agent_hung_up")
            case WrapUpDone(agent_id=aid, interaction_id=iid, disposition=disp):
                a = life.agent(aid)
                if iid not in a.wrapping:
                    ast.check(a.id, a.state, AgentInput.WRAP_DONE)
                    raise RoutingError(f"agent {aid!r} is {a.state.value}: "
                                       f"not wrapping up {iid!r}")
                life.wrap_done(a, iid, disp)
            case CallbackRequested(interaction_id=iid):
                life.request_callback(iid)
            case AgentLogin(agent_id=aid, ready=ready):
                life.presence.login(life.agent(aid), ready)
            case AgentLogout(agent_id=aid):
                life.presence.logout(life.agent(aid))
            case AgentReady(agent_id=aid):
                life.presence.ready(life.agent(aid))
            case AgentPause(agent_id=aid, reason=reason):
                a = life.agent(aid)
                ast.check(a.id, a.state, AgentInput.PAUSE)
                life.presence.pause(a, reason)
            case TransferToQueue(interaction_id=iid, queue_id=qid):
                life.transfer(life.interaction(iid), self._r.queue(qid), None)
            case TransferToAgent(interaction_id=iid, agent_id=aid):
                ix = life.interaction(iid)
                life.transfer(ix, ix.queue, life.agent(aid))
            case TransferToNumber(interaction_id=iid, number=number):
                life.transfer_out(life.interaction(iid), number)
            case HoldCall(interaction_id=iid):
                life.hold(life.interaction(iid), True)
            case ResumeCall(interaction_id=iid):
                life.hold(life.interaction(iid), False)
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
    # Each rule about what may be configured lives here once: `check_queue`,
    # `check_queue_removal` and `check_agent` answer without changing anything (the API
    # asks them before storing), and the events apply the same checks.

    def check_queue(self, cfg: QueueConfig) -> None:
        """Refuse what `QueueConfigured(cfg)` would refuse now: `UnknownReference` for an
        exit or overflow to no queue, `RoutingError` for changed escalation steps while
        interactions wait, or the random strategy without an rng."""
        if cfg.strategy is Strategy.RANDOM and self._r.rng is None:
            raise RoutingError(f"queue {cfg.id!r} uses the random strategy: "
                               "the engine needs an rng")
        for name, target in cfg.references():
            if target != cfg.id and target not in self._r.queues:
                raise UnknownReference(name, f"queue {cfg.id!r}: {name}: no queue {target!r}")
        old = self._r.queues.get(cfg.id)
        if old is not None and self._r.waiting_in[cfg.id] and old.escalation != cfg.escalation:
            raise RoutingError(f"queue {cfg.id!r} has waiting interactions: "
                               "its escalation steps cannot change now")

    def check_queue_removal(self, queue_id: str) -> None:
        """Refuse what `QueueRemoved(queue_id)` would refuse now: open interactions in it,
        other queues sending to it, member agents (`UnknownQueue` if there is no such
        queue)."""
        self._r.queue(queue_id)
        held = sum(1 for ix in self._r.ix.values() if ix.queue.id == queue_id)
        if held:
            raise RoutingError(f"queue {queue_id!r} has {held} open interactions "
                               f"({len(self._r.waiting_in[queue_id])} waiting)")
        refs = sorted(q.id for q in self._r.queues.values()
                      if q.id != queue_id and any(r == queue_id for _, r in q.references()))
        if refs:
            raise RoutingError(f"queue {queue_id!r} is an exit or overflow of {refs}")
        members = sorted(a.id for a in self._r.by_id.values()
                         if any(m.queue_id == queue_id for m in a.cfg.queues))
        if members:
            raise RoutingError(f"queue {queue_id!r} has member agents {members}")

    def check_agent(self, agent_id: str, cfg: AgentConfig | None = None) -> None:
        """Refuse what changing (`AgentConfigured(cfg)`) or, without `cfg`, removing the
        agent would refuse now: it is logged in, or a membership names no queue
        (`UnknownReference`)."""
        a = self._r.by_id.get(agent_id)
        if a is not None and a.logged_in:
            raise RoutingError(f"agent {agent_id!r} is logged in: log it out to change it")
        if cfg is not None:
            self._r.tiers_for(cfg)

    def _check_queue_refs(self) -> None:
        for q in self._r.queues.values():
            self.check_queue(q)

    def _configure_queue(self, cfg: QueueConfig) -> None:
        self.check_queue(cfg)
        self._r.queues[cfg.id] = cfg
        self._r.staffed.setdefault(cfg.id, 0)
        self._r.waiting_in.setdefault(cfg.id, {})
        self._r.aht.setdefault(cfg.id, cfg.default_handle_time)
        self._r.rebuild()

    def _configure_agent(self, cfg: AgentConfig) -> None:
        a = self._r.by_id.get(cfg.id)
        if a is None:
            self._r.add_agent(cfg)
            return
        self.check_agent(cfg.id, cfg)
        self._r.replace_agent_config(a, cfg)
        self._r.rebuild()

    def _remove_queue(self, queue_id: str) -> None:
        self.check_queue_removal(queue_id)
        for table in (self._r.queues, self._r.waiting_in, self._r.staffed, self._r.aht):
            del table[queue_id]
        self._r.rebuild()

    def _remove_agent(self, agent_id: str) -> None:
        a = self._life.agent(agent_id)
        if a.logged_in:
            raise RoutingError(f"agent {agent_id!r} is logged in: log it out to remove it")
        del self._r.by_id[agent_id]
        a.removed = True
        self._r.rebuild()
