"""Routing indexes and selection: who gets what, without scanning every agent.

`Router` is a part the engine's `Lifecycle` holds: it owns the configuration and the
indexes (agents and queues by id, open interactions, agent pools and waiting heaps per
target and escalation step, personal lines for direct transfers) and the two selection
paths: an interaction looking for an agent (`route_waiting`) and an agent looking for
work (`_pull_work`). What a choice leads to is not its business: it calls the `offer`
and `sync` it was given (the lifecycle's offer, the presence's state sync).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from callcenter.core.agent_state import AgentState
from callcenter.core.config import CHANNELS, AgentConfig, QueueConfig, Strategy
from callcenter.core.errors import RoutingError, UnknownQueue, UnknownReference
from callcenter.core.model import (
    Agent,
    Interaction,
    Pool,
    RandomSource,
    Target,
    TargetKey,
    waiting_entry_valid,
)

_NEVER = float("-inf")


Offer = Callable[[Interaction, Agent, str], None]
"""Ring agent `a` with `ix` for queue `queue_id`."""
Sync = Callable[[Agent], None]
"""Bring the agent's visible state in line with its work."""


def _not_connected(*_args: object) -> None:
    raise RuntimeError("the router is not connected to a lifecycle")


class Router:
    """Indexes and selection (see the module's docstring).

    The dicts are created once and never replaced, so the parts holding this router
    may keep them as their own attributes. `now` is set by the lifecycle before it
    applies anything.
    """

    def __init__(self, rng: RandomSource | None) -> None:
        self.queues: dict[str, QueueConfig] = {}
        self.by_id: dict[str, Agent] = {}
        self.ix: dict[str, Interaction] = {}
        self.waiting_in: dict[str, dict[str, Interaction]] = {}
        self.staffed: dict[str, int] = {}
        self.aht: dict[str, float] = {}
        self.rng = rng
        self.now = 0.0
        self._agents: list[Agent] = []
        self._targets: dict[TargetKey, Target] = {}
        self._members: dict[str, list[Agent]] = {}
        self._dirty: dict[int, Agent] = {}
        self._offer: Offer = _not_connected
        self._sync_state: Sync = _not_connected
        self._seq = 0
        self._token = 0

    def connect(self, offer: Offer, sync: Sync) -> None:
        """What a choice leads to: ring the agent (`offer`), and bring a settled agent's
        shown state in line (`sync`). The lifecycle holding the router gives them."""
        self._offer = offer
        self._sync_state = sync

    # ------------------------------------------------------------------ agents and targets

    def tiers_for(self, cfg: AgentConfig) -> dict[str, int]:
        if cfg.queues:
            tiers = {}
            for i, m in enumerate(cfg.queues):
                if m.queue_id not in self.queues:
                    raise UnknownReference(f"queues[{i}].queue_id",
                                           f"agent {cfg.id!r}: queues[{i}]: no queue "
                                           f"{m.queue_id!r}")
                tiers[m.queue_id] = m.tier
            return tiers
        skills = cfg.skill_map()
        return {q.id: 1 for q in self.queues.values()
                if all(r.skill in skills for r in q.required_skills)}

    def add_agent(self, cfg: AgentConfig) -> None:
        a = Agent(cfg, len(self._agents), cfg.skill_map(), cfg.capacity_map(),
                  self.tiers_for(cfg), cfg.id)
        a.load = dict.fromkeys(CHANNELS, 0)
        self._agents.append(a)
        self.by_id[cfg.id] = a
        self._link_agent(a)

    def _link_agent(self, a: Agent) -> None:
        served = {self.queues[qid].channel for qid in a.tiers}
        a.channels = tuple(c for c in CHANNELS if a.caps.get(c, 0) > 0 and c in served)
        for qid in a.tiers:
            self._members.setdefault(qid, []).append(a)
        for t in self._targets.values():
            ms = t.min_step(a)
            if ms is not None:
                a.targets.append((t, ms))
                t.members[a.idx] = ms

    def replace_agent_config(self, a: Agent, cfg: AgentConfig) -> None:
        a.cfg = cfg
        a.skills = cfg.skill_map()
        a.caps = cfg.capacity_map()

    def _get_target(self, key: TargetKey) -> Target:
        t = self._targets.get(key)
        if t is not None:
            return t
        q = self.queues[key[0]]
        if q.strategy is Strategy.RANDOM and self.rng is None:
            raise RoutingError(f"queue {q.id!r} uses the random strategy: the engine needs an rng")
        t = Target(key, q)
        self._targets[key] = t
        for a in self._members.get(q.id, []):
            ms = t.min_step(a)
            if ms is None:
                continue
            a.targets.append((t, ms))
            t.members[a.idx] = ms
            if a.pool_token and q.channel in a.pool_channels:
                self._join_target(a, t, ms)
        return t

    def rebuild(self) -> None:
        """Recompute every index after a configuration change (an admin action: rare)."""
        old_keys = [k for k in self._targets if k[0] in self.queues]
        self._targets = {}
        self._members = {}
        for qid in self.staffed:
            self.staffed[qid] = 0
        for a in self._agents:
            self.leave_pools(a)
            if a.removed:
                continue
            a.tiers = self.tiers_for(a.cfg)
            served = {self.queues[qid].channel for qid in a.tiers}
            a.channels = tuple(c for c in CHANNELS if a.caps.get(c, 0) > 0 and c in served)
            a.targets = []
            if a.staffed:
                for qid in a.tiers:
                    self.staffed[qid] += 1
            for qid in a.tiers:
                self._members.setdefault(qid, []).append(a)
        for key in old_keys:
            self._get_target(key)
        for ix in list(self.ix.values()):
            ix.queue = self.queues[ix.queue.id]
            if ix.placements:
                ix.placements = {k: min(s, len(self._get_target(k).steps) - 1)
                                 for k, s in ix.placements.items() if k[0] in self.queues}
            if ix.waiting() and ix.personal_for is None:
                self.route_waiting(ix)
        for a in self._agents:
            if a.logged_in:
                self.touch(a)

    def queue(self, queue_id: str) -> QueueConfig:
        q = self.queues.get(queue_id)
        if q is None:
            raise UnknownQueue(f"no queue {queue_id!r}")
        return q

    def target(self, q: QueueConfig, extra: tuple[tuple[str, int], ...]) -> Target:
        return self._get_target((q.id, extra))

    # ------------------------------------------------------------------ pools

    def _pool_entry(self, a: Agent, t: Target, token: int) -> tuple[int, float, float, int, int]:
        q = t.queue
        st = q.strategy
        k1: float
        k2: float
        if st is Strategy.LONGEST_IDLE or st is Strategy.RING_ALL:
            k1, k2 = a.idle_since, float(a.idx)
        elif st is Strategy.ROUND_ROBIN:
            k1, k2 = float(a.last_offer.get(q.id, -1)), float(a.idx)
        elif st is Strategy.FEWEST_CALLS:
            k1, k2 = float(a.answered), a.idle_since
        elif st is Strategy.LEAST_TALK_TIME:
            k1, k2 = a.talk_time, a.idle_since
        elif st is Strategy.LINEAR:
            k1, k2 = float(a.idx), 0.0
        elif st is Strategy.RANDOM:
            k1, k2 = 0.0, float(a.idx)  # the draw happens at selection: see `_random_agent`
        else:  # best skill match: highest sum of levels in the required skills
            k1 = -float(sum(a.skills.get(s, 0) for s in t.steps[0].levels))
            k2 = a.idle_since
        return (a.tiers[q.id], float(k1), float(k2), token, a.idx)

    def _enter_pools(self, a: Agent, channels: list[str]) -> None:
        self._token += 1
        a.pool_token = self._token
        a.pool_channels = tuple(channels)
        for t, ms in a.targets:
            if t.queue.channel in channels:
                self._join_target(a, t, ms)

    def _join_target(self, a: Agent, t: Target, min_step: int) -> None:
        """Put available agent `a` in target `t`'s pools from step `min_step` on."""
        entry = self._pool_entry(a, t, a.pool_token)
        for pool in t.pools[min_step:]:
            heapq.heappush(pool.heap, entry)
            pool.live += 1
            if pool.strategy is Strategy.RANDOM:
                pool.draw_add(a.idx, entry[0])
            a.pools.append(pool)

    def leave_pools(self, a: Agent) -> None:
        if not a.pool_token:
            return
        a.pool_token = 0
        a.pool_channels = ()
        for pool in a.pools:
            pool.live -= 1
            if pool.strategy is Strategy.RANDOM:
                pool.draw_remove(a.idx)
            if len(pool.heap) > 2 * pool.live + 64:
                pool.compact(self._agents)
        a.pools = []

    def touch(self, a: Agent) -> None:
        """The agent's work or presence changed: out of the pools until `settle`."""
        self.leave_pools(a)
        self._dirty[a.idx] = a

    def settle(self) -> None:
        """Let every touched agent pull waiting work or join its pools; then sync states.

        Syncing can touch agents again (a logout sends direct transfers back to their
        queue's line, which may offer them to someone): repeat until nothing is dirty.
        """
        dirty = self._dirty
        while dirty:
            touched: dict[int, Agent] = {}
            while dirty:
                idx = next(iter(dirty))
                a = dirty.pop(idx)
                touched[idx] = a
                self._refresh(a)
            for a in touched.values():
                self._sync_state(a)

    def _refresh(self, a: Agent) -> None:
        # A direct transfer may bring a channel that none of the agent's queues has.
        served = a.channels if not a.personal else CHANNELS
        channels = [c for c in served if a.can_take(c)]
        if a.pool_token:
            if tuple(channels) == a.pool_channels:
                return
            self.leave_pools(a)
        while channels:
            if not self._pull_work(a, channels):
                break
            channels = [c for c in served if a.can_take(c)]
        if not channels:
            return
        if a.total_load() == 0 and a.state is not AgentState.AVAILABLE:
            a.idle_since = self.now
        self._enter_pools(a, channels)

    # ------------------------------------------------------------------ selection

    def _pull_work(self, a: Agent, channels: list[str]) -> bool:
        """Agent side: offer `a` the best waiting interaction it may take, if any."""
        personal = a.personal
        while personal:
            _, _, gen, ix = personal[0]
            if ix.gen != gen or ix.personal_for is not a or not ix.waiting():
                heapq.heappop(personal)
                continue
            if ix.channel in channels:
                self._offer(ix, a, ix.queue.id)
                return True
            break
        now = self.now
        best: Interaction | None = None
        best_rank = (0.0, 0.0, 0)
        best_queue = ""
        for t, ms in a.targets:
            if t.queue.channel not in channels:
                continue
            for s in range(ms, len(t.steps)):
                heap = t.waiting[s]
                if not heap:
                    continue
                entry = self._head(heap, t.key, s, a)
                if entry is None:
                    continue
                ix = entry[4]
                rank = (ix.score(now), -ix.arrived_at, -entry[2])
                if best is None or rank > best_rank:
                    best, best_rank, best_queue = ix, rank, t.queue.id
        if best is None:
            return False
        self._offer(best, a, best_queue)
        return True

    def _head(self, heap: list[tuple[float, float, int, int, Interaction]], key: TargetKey,
              step: int, a: Agent) -> tuple[float, float, int, int, Interaction] | None:
        """The best valid waiting entry that `a` has not just declined."""
        aside = []
        found = None
        now = self.now
        while heap:
            e = heap[0]
            if not waiting_entry_valid(e, key, step):
                heapq.heappop(heap)
                continue
            if e[4].declined.get(a.id, _NEVER) > now:
                aside.append(heapq.heappop(heap))
                continue
            found = e
            break
        for e in aside:
            heapq.heappush(heap, e)
        return found

    def route_waiting(self, ix: Interaction) -> None:
        """Interaction side: offer `ix` to the best available agent, or put it in line."""
        ix.gen += 1
        for key, s in ix.placements.items():
            t = self._targets[key]
            pool = t.pools[s]
            if not pool.live:
                continue
            if t.queue.strategy is Strategy.RING_ALL:
                group = self._ring_group(pool, ix)
                if group:
                    for member in group:
                        self._offer(ix, member, t.queue.id)
                    return
                continue
            best = self._best_agent(pool, ix)
            if best is not None:
                self._offer(ix, best, t.queue.id)
                return
        self._seq += 1
        ix.wait_seq = self._seq
        for key, s in ix.placements.items():
            t = self._targets[key]
            k0, k1 = ix.wait_key(t.queue)
            heapq.heappush(t.waiting[s], (k0, k1, self._seq, ix.gen, ix))

    def _best_agent(self, pool: Pool, ix: Interaction) -> Agent | None:
        if pool.strategy is Strategy.RANDOM:
            return self._random_agent(pool, ix)
        heap = pool.heap
        agents = self._agents
        aside = []
        found = None
        now = self.now
        while heap:
            e = heap[0]
            a = agents[e[4]]
            if a.pool_token != e[3]:
                heapq.heappop(heap)
                continue
            if ix.declined.get(a.id, _NEVER) > now:
                aside.append(heapq.heappop(heap))
                continue
            found = a
            break
        for e in aside:
            heapq.heappush(heap, e)
        return found

    def _random_agent(self, pool: Pool, ix: Interaction) -> Agent | None:
        """Random: a fresh uniform draw among the valid agents of the best tier present.

        (A key drawn when an agent enters the pool would not do: the agents left behind
        keep keys that already lost a draw, so the one who just came back wins again.)
        """
        assert self.rng is not None
        idx = pool.draw(self.rng.random())
        if idx is None:
            return None
        drawn = self._agents[idx]
        if ix.declined.get(drawn.id, _NEVER) <= self.now:
            return drawn
        # Rare: the drawn agent declined this interaction moments ago; draw among the rest.
        group = self._ring_group(pool, ix)
        if not group:
            return None
        return group[min(int(self.rng.random() * len(group)), len(group) - 1)]

    def _ring_group(self, pool: Pool, ix: Interaction) -> list[Agent]:
        """Every valid agent of the best tier present, except recent decliners.

        Ring-all rings them all; random draws one.
        """
        heap = pool.heap
        agents = self._agents
        now = self.now
        group: list[Agent] = []
        aside = []
        tier = None
        while heap:
            e = heap[0]
            a = agents[e[4]]
            if a.pool_token != e[3]:
                heapq.heappop(heap)
                continue
            if tier is not None and e[0] != tier:
                break
            heapq.heappop(heap)
            aside.append(e)
            if ix.declined.get(a.id, _NEVER) > now:
                continue
            tier = e[0]
            group.append(a)
        for e in aside:
            heapq.heappush(heap, e)
        return group

    def push_personal(self, a: Agent, ix: Interaction) -> None:
        self._seq += 1
        heapq.heappush(a.personal, (ix.arrived_at, self._seq, ix.gen, ix))

    def note_offer(self, a: Agent, queue_id: str) -> None:
        """`a` was just offered an interaction of `queue_id`: its round-robin turn is
        taken, and it is out of the pools until it settles."""
        self._seq += 1
        a.last_offer[queue_id] = self._seq
        self.leave_pools(a)

    def members(self, queue_id: str) -> list[Agent]:
        """The agents serving `queue_id`."""
        return [a for a in self._members.get(queue_id, ()) if not a.removed]
