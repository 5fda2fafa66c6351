"""Read-only answers of the engine: immutable values of agents, queues and the work an
agent holds, built only when asked (the API, the live dialer), never on the routing path.

Nothing outside the core holds the engine's own bookkeeping (`core.model`); it asks
`Engine.agent`, `Engine.agents`, `Engine.queue`, `Engine.queues` or `Engine.work` and
gets these values.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.agent_state import AgentState
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.model import Agent, Interaction


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    """An agent as the engine has it now."""

    agent_id: str
    state: AgentState
    reason: str
    """Why it is paused (`login`, `missed_offers`, a reason the agent gave); else empty."""
    since: float | None
    """Engine time of its last change of state (None: logged out since the start)."""
    logged_in: bool
    config: AgentConfig
    queues: frozenset[str]
    """The queues it serves (its memberships, or the queues its skills match)."""
    offers: tuple[str, ...]
    connected: tuple[str, ...]
    wrapping: tuple[str, ...]
    next_state: AgentState | None = None
    """The state it goes to once the work it holds is done (None: it holds none): a
    pause or logout asked during a call waits for the call's end (`agent_state` rule 4)."""
    next_reason: str = ""
    """The pause reason of a `paused` next state; else empty."""

    def level(self, skill: str) -> int:
        """Its level in `skill` (0 without it)."""
        return next((n for s, n in self.config.skills if s == skill), 0)


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """A queue's settings and how many interactions wait in it now."""

    config: QueueConfig
    waiting: int
    staffed: int
    """Logged-in members neither paused nor logging out."""

    @property
    def queue_id(self) -> str:
        """The queue's id."""
        return self.config.id


@dataclass(frozen=True, slots=True)
class WorkSnapshot:
    """One interaction an agent holds: ringing (`offered`), `connected` or `wrapping`."""

    interaction_id: str
    status: str
    queue_id: str
    channel: str
    caller: str
    arrived_at: float
    answered_at: float | None
    offer_expires_at: float | None
    on_hold: bool


def agent_snapshot(a: Agent) -> AgentSnapshot:
    """The immutable value of the engine's agent `a`."""
    nxt: AgentState | None = None
    reason = ""
    if a.logged_in and a.total_load():
        if a.logout_pending:
            nxt = AgentState.LOGGED_OUT
        elif a.paused:
            nxt, reason = AgentState.PAUSED, a.pause_reason
        else:
            nxt = AgentState.AVAILABLE
    return AgentSnapshot(a.id, a.state, a.state_reason, a.state_since, a.logged_in, a.cfg,
                         frozenset(a.tiers), tuple(sorted(a.offers)),
                         tuple(sorted(a.connected)), tuple(sorted(a.wrapping)), nxt, reason)


def work_of(a: Agent) -> tuple[WorkSnapshot, ...]:
    """What `a` holds: its offers, then its conversations, then its wrap-ups, each by id."""
    out: list[WorkSnapshot] = []
    for status, held in (("offered", a.offers), ("connected", a.connected),
                         ("wrapping", a.wrapping)):
        for iid in sorted(held):
            ix: Interaction = held[iid]
            timer = a.offer_timers.get(iid) if status == "offered" else None
            out.append(WorkSnapshot(iid, status, ix.queue.id, ix.channel, ix.caller,
                                    ix.arrived_at, ix.answered_at,
                                    None if timer is None else timer.at,
                                    ix.hold_since is not None))
    return tuple(out)
