"""Property tests: random interleavings of events keep the engine's invariants.

A hypothesis state machine plays callers, agents and the clock against one
engine, and after every step checks what must always hold:
- no agent holds more work than its capacity on a channel;
- an interaction rings at most one agent at a time, except under ring-all;
- no interaction waits while an eligible agent sits available (one that did
  not decline it within the queue's retry_after);
- every interaction ends exactly once, and only after it arrived;
- agent spans tile each agent's time without gaps or overlaps.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
    WithdrawOffer,
)
from callcenter.core.config import (
    AgentConfig,
    EngineSettings,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
)
from callcenter.core.engine import Engine
from callcenter.core.errors import RoutingError
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    CallbackRequested,
    CallerHungUp,
    Event,
    InteractionArrived,
    OfferAccepted,
    OfferRejected,
    TimerExpired,
    TransferToAgent,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionState

QUEUES = [
    QueueConfig("sales", strategy=Strategy.LONGEST_IDLE, wrap_up=5, offer_timeout=8,
                required_skills=(SkillRequirement("sales", 3),),
                escalation=(EscalationStep(after=10, relax_levels=2),
                            EscalationStep(after=30, overflow_to=("support",))),
                max_wait=60, timeout_action=ExitAction(ExitKind.CALLBACK)),
    QueueConfig("support", strategy=Strategy.RING_ALL, wrap_up=0, offer_timeout=5,
                retry_after=3, max_length=4),
    QueueConfig("vip", strategy=Strategy.RANDOM, initial_max_tier=1, aging_rate=0.0,
                escalation=(EscalationStep(after=15, max_tier=2),),
                max_wait=40, timeout_action=ExitAction(ExitKind.QUEUE, "support")),
    QueueConfig("chat", channel="chat", strategy=Strategy.FEWEST_CALLS, wrap_up=3,
                retry_after=0),
]
AGENTS = [
    AgentConfig("a1", skills=(("sales", 5), ("de", 3)),
                queues=(Membership("sales"), Membership("vip", 2), Membership("chat"))),
    AgentConfig("a2", skills=(("sales", 2),),
                queues=(Membership("sales"), Membership("support"), Membership("vip"))),
    AgentConfig("a3", skills=(("de", 5),),
                queues=(Membership("support"), Membership("chat")),
                capacity=(("voice", 1), ("chat", 2))),
    AgentConfig("a4", skills=(("sales", 9),), queues=(Membership("vip"), Membership("sales"),
                                                     Membership("support", 2))),
]
CAPACITY = {a.id: a.capacity_map() for a in AGENTS}
CHANNEL = {q.id: q.channel for q in QUEUES}

agent_ids = st.sampled_from([a.id for a in AGENTS])
queue_ids = st.sampled_from([q.id for q in QUEUES])


class EngineMachine(RuleBasedStateMachine):
    """Callers, agents and the clock acting on one engine in random order."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(QUEUES, AGENTS, EngineSettings(max_missed_offers=2),
                             rng=random.Random(7))
        self.now = 0.0
        self.n = 0
        self.arrived: set[str] = set()
        self.channel_of: dict[str, str] = {}
        self.records: dict[str, int] = {}
        self.ringing: dict[str, set[str]] = {}  # interaction -> agents ringing
        self.ring_queue: dict[str, str] = {}
        self.connected: dict[str, str] = {}  # interaction -> agent
        self.wrapping: dict[str, set[str]] = {a.id: set() for a in AGENTS}
        self.spans: dict[str, list[tuple[float, float]]] = {a.id: [] for a in AGENTS}
        self.state_since: dict[str, float] = dict.fromkeys(CAPACITY, 0.0)

    # ------------------------------------------------------------------ driving

    def feed(self, event: Event) -> None:
        try:
            cmds = self.engine.handle(event, self.now)
        except RoutingError:
            # Refused; commands of timers that fired first come with the next call.
            cmds = self.engine.handle(TimerExpired(), self.now)
        self.observe(cmds)

    def observe(self, cmds: list[Command]) -> None:
        for c in cmds:
            if isinstance(c, OfferToAgent):
                self.ringing.setdefault(c.interaction_id, set()).add(c.agent_id)
                self.ring_queue[c.interaction_id] = c.queue_id
            elif isinstance(c, WithdrawOffer):
                self.ringing[c.interaction_id].discard(c.agent_id)
            elif isinstance(c, Connect):
                assert c.agent_id in self.ringing.get(c.interaction_id, set()), c
                self.ringing[c.interaction_id].discard(c.agent_id)
                assert not self.ringing[c.interaction_id], "still ringing after connect"
                self.connected[c.interaction_id] = c.agent_id
            elif isinstance(c, RecordInteraction):
                iid = c.record.interaction_id
                assert iid in self.arrived, f"{iid} ended without arriving"
                self.records[iid] = self.records.get(iid, 0) + 1
                self.connected.pop(iid, None)
                assert not self.ringing.get(iid), f"{iid} ended while ringing"
            elif isinstance(c, RecordAgentSpan):
                assert c.span.end > c.span.start
                self.spans[c.span.agent_id].append((c.span.start, c.span.end))
            elif isinstance(c, AgentStateChanged):
                self.state_since[c.agent_id] = c.at

    def advance_to(self, t: float) -> None:
        self.now = t
        self.feed(TimerExpired())

    # ------------------------------------------------------------------ rules

    @rule(queue=queue_ids, priority=st.integers(0, 3), german=st.booleans())
    def arrive(self, queue: str, priority: int, german: bool) -> None:
        self.n += 1
        iid = f"i{self.n}"
        self.arrived.add(iid)
        self.channel_of[iid] = CHANNEL[queue]
        skills = (SkillRequirement("de", 2),) if german else ()
        self.feed(InteractionArrived(iid, queue, priority, skills))

    @rule(agent=agent_ids, ready=st.booleans())
    def login(self, agent: str, ready: bool) -> None:
        self.feed(AgentLogin(agent, ready))

    @rule(agent=agent_ids)
    def logout(self, agent: str) -> None:
        self.feed(AgentLogout(agent))

    @rule(agent=agent_ids, reason=st.sampled_from(["break", "lunch"]))
    def pause(self, agent: str, reason: str) -> None:
        self.feed(AgentPause(agent, reason))

    @rule(agent=agent_ids)
    def ready(self, agent: str) -> None:
        self.feed(AgentReady(agent))

    @precondition(lambda self: any(self.ringing.values()))
    @rule(data=st.data(), accept=st.booleans())
    def answer_offer(self, data: st.DataObject, accept: bool) -> None:
        pairs = sorted((i, a) for i, ags in self.ringing.items() for a in ags)
        iid, agent = data.draw(st.sampled_from(pairs))
        self.feed(OfferAccepted(agent, iid) if accept else OfferRejected(agent, iid))

    @precondition(lambda self: bool(self.connected))
    @rule(data=st.data(), by_agent=st.booleans())
    def hang_up(self, data: st.DataObject, by_agent: bool) -> None:
        iid, agent = data.draw(st.sampled_from(sorted(self.connected.items())))
        self.connected.pop(iid)
        self.wrapping[agent].add(iid)
        self.feed(AgentHungUp(agent, iid) if by_agent else CallerHungUp(iid))

    @precondition(lambda self: bool(self.connected))
    @rule(data=st.data(), to_queue=st.booleans(), queue=queue_ids, agent=agent_ids)
    def transfer(self, data: st.DataObject, to_queue: bool, queue: str, agent: str) -> None:
        iid, _ = data.draw(st.sampled_from(sorted(self.connected.items())))
        if CHANNEL[queue] != self.channel_of[iid]:
            return
        before = len(self.connected)
        ev: Event = TransferToQueue(iid, queue) if to_queue else TransferToAgent(iid, agent)
        self.feed(ev)
        if self.engine.interaction_state(iid) is not InteractionState.CONNECTED:
            self.connected.pop(iid, None)
        assert len(self.connected) <= before

    @precondition(lambda self: any(self.wrapping.values()))
    @rule(data=st.data())
    def wrap_done(self, data: st.DataObject) -> None:
        pairs = sorted((a, i) for a, ids in self.wrapping.items() for i in ids)
        agent, iid = data.draw(st.sampled_from(pairs))
        self.wrapping[agent].discard(iid)
        self.feed(WrapUpDone(agent, iid, "sale"))

    @rule(n=st.integers(1, 40))
    def caller_gives_up(self, n: int) -> None:
        iid = f"i{n}"
        if self.engine.interaction_state(iid) in (InteractionState.QUEUED,
                                                  InteractionState.OFFERED):
            self.feed(CallerHungUp(iid))

    @rule(n=st.integers(1, 40))
    def callback(self, n: int) -> None:
        self.feed(CallbackRequested(f"i{n}"))

    @rule(dt=st.floats(0.0, 45.0))
    def time_passes(self, dt: float) -> None:
        self.advance_to(self.now + dt)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def capacity_is_respected(self) -> None:
        """No agent rings or talks beyond its capacity on a channel."""
        load: dict[tuple[str, str], int] = {}
        for iid, agents in self.ringing.items():
            for a in agents:
                key = (a, self.channel_of[iid])
                load[key] = load.get(key, 0) + 1
        for iid, a in self.connected.items():
            key = (a, self.channel_of[iid])
            load[key] = load.get(key, 0) + 1
        for (agent, channel), n in load.items():
            assert n <= CAPACITY[agent][channel], (agent, channel, n)
        voice = {a for (a, c), n in load.items() if c == "voice" and n}
        for a in voice:
            assert sum(n for (b, _), n in load.items() if b == a) == 1, f"{a} voice + more"

    @invariant()
    def one_agent_rings_unless_ring_all(self) -> None:
        """An interaction rings several agents only in a ring-all queue."""
        for iid, agents in self.ringing.items():
            if len(agents) > 1:
                assert self.ring_queue[iid] == "support", (iid, agents)

    @invariant()
    def nobody_waits_beside_an_idle_eligible_agent(self) -> None:
        """No waiting interaction while an eligible agent that may take it is available."""
        eng = self.engine._r  # the router part: its indexes are what is checked here
        for ix in list(eng.ix.values()):
            if not ix.waiting() or ix.personal_for is not None:
                continue
            for key, step in ix.placements.items():
                target = eng._targets[key]
                for a in eng._agents:
                    ms = target.min_step(a)
                    if ms is None or ms > step or not a.can_take(ix.channel):
                        continue
                    if ix.declined.get(a.id, float("-inf")) > eng.now:
                        continue
                    raise AssertionError(f"{ix.id} waits in {key} while {a.id} is free")

    @invariant()
    def random_draw_arrays_hold_exactly_the_available_agents(self) -> None:
        """A random pool's draw arrays list exactly its valid (available) entries, by tier."""
        eng = self.engine._r  # the router part
        for target in eng._targets.values():
            for pool in target.pools:
                if pool.strategy is not Strategy.RANDOM:
                    continue
                valid = {(e[0], e[4]) for e in pool.heap
                         if eng._agents[e[4]].pool_token == e[3]}
                drawn = {(tier, idx) for tier, ids in pool.tiers.items() for idx in ids}
                assert drawn == valid, (target.key, drawn, valid)
                assert len(drawn) == pool.live

    @invariant()
    def each_interaction_ends_at_most_once(self) -> None:
        """No interaction has two rows."""
        assert all(n == 1 for n in self.records.values()), self.records

    def teardown(self) -> None:
        """Drain: every interaction that arrived ends exactly once; spans tile time."""
        for a in AGENTS:
            self.feed(AgentReady(a.id)) if self.engine.agent_state(a.id).value != "logged_out" \
                else self.feed(AgentLogin(a.id))
        for _ in range(400):
            if not self.engine.open_interactions():
                break
            for iid, agents in sorted(self.ringing.items()):
                for agent in sorted(agents):
                    self.feed(OfferAccepted(agent, iid))
            for iid in sorted(self.connected):
                self.feed(CallerHungUp(iid))
            for a in AGENTS:
                if self.engine.agent_state(a.id).value == "paused":
                    self.feed(AgentReady(a.id))
            nxt = self.engine.next_deadline()
            self.advance_to(max(self.now, nxt if nxt is not None else self.now) + 1)
        assert not self.engine.open_interactions(), self.engine.open_interactions()
        assert set(self.records) == self.arrived
        assert all(n == 1 for n in self.records.values())
        for agent in CAPACITY:
            self.now += 1
            self.feed(AgentLogout(agent))
            spans = sorted(self.spans[agent])
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert end == start, f"{agent}: gap or overlap at {end} / {start}"


EngineMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineInvariants = EngineMachine.TestCase
