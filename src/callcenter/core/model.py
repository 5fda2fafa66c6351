"""The engine's mutable bookkeeping: agents, interactions, routing targets, timers.

Private to `callcenter.core`: the engine owns these objects and nothing outside
the core holds them. Indexes are lazy heaps: an entry carries the token that was
current when it was pushed, and an entry whose token no longer matches is stale
and skipped (then dropped) when it reaches the top.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.core.agent_state import AgentState
from callcenter.core.config import AgentConfig, QueueConfig, Strategy
from callcenter.core.interaction_state import WAITING, InteractionState
from callcenter.core.records import InteractionRecord

TargetKey = tuple[str, tuple[tuple[str, int], ...]]


class RandomSource(Protocol):
    """Where the `random` strategy draws from: `random.Random` or a numpy Generator."""

    def random(self) -> float:
        """A float in [0, 1)."""
        ...


@dataclass(slots=True)
class Timer:
    """A deadline on the engine's heap; cancelled timers are dropped when they surface."""

    at: float
    kind: str
    interaction: Interaction | None = None
    agent: Agent | None = None
    arg: int = 0
    cancelled: bool = False


@dataclass(slots=True)
class Agent:
    """An agent's live state: work counts per channel, pool tokens, counters."""

    cfg: AgentConfig
    idx: int
    skills: dict[str, int]
    caps: dict[str, int]
    tiers: dict[str, int]
    id: str = ""
    logged_in: bool = False
    paused: bool = False
    pause_reason: str = ""
    logout_pending: bool = False
    state: AgentState = AgentState.LOGGED_OUT
    state_reason: str = ""
    state_since: float | None = None  # None: logged out since before the engine knew
    offers: dict[str, Interaction] = field(default_factory=dict)
    connected: dict[str, Interaction] = field(default_factory=dict)
    wrapping: dict[str, Interaction] = field(default_factory=dict)
    load: dict[str, int] = field(default_factory=dict)
    offer_timers: dict[str, Timer] = field(default_factory=dict)
    wrap_timers: dict[str, Timer] = field(default_factory=dict)
    pool_token: int = 0
    pool_channels: tuple[str, ...] = ()
    pools: list[Pool] = field(default_factory=list)
    idle_since: float = 0.0
    answered: int = 0
    talk_time: float = 0.0
    missed: int = 0
    last_offer: dict[str, int] = field(default_factory=dict)
    targets: list[tuple[Target, int]] = field(default_factory=list)
    personal: list[tuple[float, int, int, Interaction]] = field(default_factory=list)
    staffed: bool = False
    channels: tuple[str, ...] = ()
    removed: bool = False

    def total_load(self) -> int:
        """Offers, conversations and wrap-ups held, all channels."""
        return len(self.offers) + len(self.connected) + len(self.wrapping)

    def can_take(self, channel: str) -> bool:
        """True when the agent may get a new offer on `channel` right now.

        Voice needs an agent with no other work; chats and emails stack up to the
        channel's capacity, but never beside a voice call.
        """
        if not self.logged_in or self.paused or self.logout_pending:
            return False
        cap = self.caps.get(channel, 0)
        if cap <= 0:
            return False
        if channel == "voice":
            return self.total_load() == 0
        return self.load.get("voice", 0) == 0 and self.load.get(channel, 0) < cap


@dataclass(slots=True)
class Interaction:
    """An interaction's live state and the facts its row will hold."""

    id: str
    queue: QueueConfig
    first_queue_id: str
    priority: int
    extra: tuple[tuple[str, int], ...]
    arrived_at: float
    queued_at: float
    state: InteractionState = InteractionState.ARRIVED
    gen: int = 0
    queue_seq: int = 0
    wait_seq: int = 0  # the router's tie-break among equal wait keys (position)
    step: int = 0
    placements: dict[TargetKey, int] = field(default_factory=dict)
    offered_to: dict[str, Agent] = field(default_factory=dict)
    declined: dict[str, float] = field(default_factory=dict)
    personal_for: Agent | None = None
    agent: Agent | None = None
    answered_at: float | None = None
    segment_start: float | None = None
    talk: float = 0.0
    ended_at: float | None = None
    first_offered_at: float | None = None
    offers: int = 0
    transfers: int = 0
    caller: str = ""
    callback: bool = False
    callback_pending: bool = False  # registered, not yet answered: customer off the line
    overdue: bool = False
    disposition: str = ""
    lost: str = ""  # why the line was lost (`media_lost`), if it was: the row's exit_reason
    hold_since: float | None = None  # on hold since (None: not on hold)
    hold: float = 0.0  # seconds on hold, all segments
    exit_action: str = ""  # the row's exit_action when the agent's part ends it
    timers: list[Timer] = field(default_factory=list)

    @property
    def channel(self) -> str:
        """The channel of the queue it is in."""
        return self.queue.channel

    def waiting(self) -> bool:
        """True while it waits in line (queued, or a callback keeping its place)."""
        return self.state in WAITING

    def score(self, now: float) -> float:
        """Priority plus aging: grows with the wait, so old contacts are not starved."""
        return self.priority + self.queue.aging_rate * (now - self.arrived_at)

    def wait_key(self, queue: QueueConfig) -> tuple[float, float]:
        """A time-invariant heap key that orders like `score` (highest first)."""
        if queue.aging_rate > 0:
            return (self.arrived_at - self.priority / queue.aging_rate, self.arrived_at)
        return (float(-self.priority), self.arrived_at)

    def record(self, now: float, reason: str, action: str, wrap: float) -> InteractionRecord:
        """Its row, as it ends at `now` (`reason`, `action`: why and how it left)."""
        q = self.queue
        return InteractionRecord(
            interaction_id=self.id, channel=q.channel, queue_id=q.id,
            first_queue_id=self.first_queue_id, priority=self.priority,
            arrived_at=self.arrived_at, answered_at=self.answered_at,
            ended_at=self.ended_at if self.ended_at is not None else now,
            completed_at=now, outcome=self.state._value_,
            agent_id=self.agent.id if self.agent else None, exit_reason=reason,
            exit_action=action or self.exit_action, offers=self.offers,
            transfers=self.transfers, callback=self.callback, disposition=self.disposition,
            first_offered_at=self.first_offered_at, talk_seconds=self.talk - self.hold,
            wrap_seconds=wrap, hold_seconds=self.hold,
            service_level_threshold=q.service_level_threshold, short_abandon=q.short_abandon,
            caller_number=self.caller or None,
        )


@dataclass(slots=True)
class Step:
    """One escalation level of a target: who may take its interactions."""

    levels: dict[str, int]
    max_tier: int | None
    overflow_to: tuple[str, ...]
    after: float


class Pool:
    """Available agents eligible for one target at one step, best first.

    A `random` pool also keeps its live agents in one array per tier (swap-remove),
    so a uniform draw costs O(1) instead of a scan of the available agents.
    """

    __slots__ = ("channel", "heap", "live", "slot", "strategy", "tiers")

    def __init__(self, strategy: Strategy, channel: str) -> None:
        self.strategy = strategy
        self.channel = channel
        self.heap: list[tuple[int, float, float, int, int]] = []
        self.live = 0
        self.tiers: dict[int, list[int]] = {}
        self.slot: dict[int, tuple[int, int]] = {}

    def draw_add(self, idx: int, tier: int) -> None:
        """A random pool: agent `idx` is available at `tier`."""
        members = self.tiers.setdefault(tier, [])
        self.slot[idx] = (tier, len(members))
        members.append(idx)

    def draw_remove(self, idx: int) -> None:
        """A random pool: agent `idx` is no longer available."""
        tier, i = self.slot.pop(idx)
        members = self.tiers[tier]
        last = members.pop()
        if last != idx:
            members[i] = last
            self.slot[last] = (tier, i)
        if not members:
            del self.tiers[tier]

    def draw(self, u: float) -> int | None:
        """A random pool: the agent at `u` in [0, 1) among the best tier present."""
        if not self.tiers:
            return None
        members = self.tiers[min(self.tiers)]
        return members[min(int(u * len(members)), len(members) - 1)]

    def compact(self, agents: list[Agent]) -> None:
        """Drop stale entries (called when they outnumber the live ones)."""
        self.heap = [e for e in self.heap if agents[e[4]].pool_token == e[3]]
        heapq.heapify(self.heap)


class Target:
    """A queue plus any extra skill requirements of its interactions (e.g. a language).

    Holds, per escalation step, a pool of available eligible agents and a heap of
    waiting interactions.
    """

    __slots__ = ("key", "members", "pools", "queue", "steps", "waiting")

    def __init__(self, key: TargetKey, queue: QueueConfig) -> None:
        self.key = key
        self.queue = queue
        levels = {r.skill: r.min_level for r in queue.required_skills}
        for skill, level in key[1]:
            levels[skill] = max(level, levels.get(skill, 0))
        self.steps = [Step(levels, queue.initial_max_tier, (), 0.0)]
        relax, tier = 0, queue.initial_max_tier
        for esc in queue.escalation:
            relax = max(relax, esc.relax_levels)
            if tier is not None:
                tier = None if esc.max_tier is None else max(tier, esc.max_tier)
            relaxed = {s: max(1, lv - relax) for s, lv in levels.items()}
            self.steps.append(Step(relaxed, tier, esc.overflow_to, esc.after))
        self.pools = [Pool(queue.strategy, queue.channel) for _ in self.steps]
        self.waiting: list[list[tuple[float, float, int, int, Interaction]]] = [
            [] for _ in self.steps
        ]
        self.members: dict[int, int] = {}

    def min_step(self, agent: Agent) -> int | None:
        """The first step at which `agent` may take this target's interactions."""
        tier = agent.tiers.get(self.queue.id)
        if tier is None:
            return None
        for i, step in enumerate(self.steps):
            if step.max_tier is not None and tier > step.max_tier:
                continue
            if all(agent.skills.get(s, 0) >= lv for s, lv in step.levels.items()):
                return i
        return None


def waiting_entry_valid(entry: tuple[float, float, int, int, Interaction], key: TargetKey,
                        step: int) -> bool:
    """True while the entry's interaction still waits here at this step."""
    ix = entry[4]
    return ix.gen == entry[3] and ix.waiting() and ix.placements.get(key) == step
