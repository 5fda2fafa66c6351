"""Each strategy chooses the right agent among the eligible available ones."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import OfferToAgent, WithdrawOffer
from callcenter.core.config import QueueConfig, SkillRequirement, Strategy
from callcenter.core.events import AgentLogout, OfferRejected
from tests.core.conftest import Harness, agent, of_type


def q(strategy: Strategy, **kw: object) -> QueueConfig:
    return QueueConfig("q", strategy=strategy, **kw)  # type: ignore[arg-type]


def three(strategy: Strategy, rng: random.Random | None = None) -> Harness:
    h = Harness([q(strategy)], [agent(a, "q") for a in ("a1", "a2", "a3")], rng=rng)
    return h


def test_longest_idle_picks_the_agent_available_longest() -> None:
    """Longest-idle offers to the agent who became available first."""
    h = three(Strategy.LONGEST_IDLE)
    h.login("a3", at=0)
    h.login("a1", at=5)
    h.login("a2", at=10)
    assert h.take("i1", "q", at=20) == "a3"
    assert h.take("i2", "q", at=21) == "a1"
    assert h.take("i3", "q", at=22) == "a2"


def test_longest_idle_counts_idle_from_the_end_of_the_last_call() -> None:
    """An agent who just finished a call goes behind the agents idle before it finished."""
    h = three(Strategy.LONGEST_IDLE)
    h.login("a1", "a2", "a3", at=0)
    assert h.handle_call("i1", "q", at=10, talk=5) == "a1"
    assert h.handle_call("i2", "q", at=20) == "a2"
    assert h.handle_call("i3", "q", at=40) == "a3"
    assert h.handle_call("i4", "q", at=60) == "a1"


def test_round_robin_rotates_through_the_agents() -> None:
    """Round-robin offers to each agent in turn."""
    h = three(Strategy.ROUND_ROBIN)
    h.login("a1", "a2", "a3", at=0)
    got = [h.handle_call(f"i{n}", "q", at=10 + 20 * n) for n in range(6)]
    assert got == ["a1", "a2", "a3", "a1", "a2", "a3"]


def test_round_robin_remembers_its_place_across_a_relogin() -> None:
    """Round-robin keeps an agent's place in the rotation when it logs out and back in."""
    h = three(Strategy.ROUND_ROBIN)
    h.login("a1", "a2", "a3", at=0)
    assert h.handle_call("i1", "q", at=10) == "a1"
    h.send(AgentLogout("a1"), at=30)
    h.login("a1", at=31)
    got = [h.handle_call(f"i{n}", "q", at=40 + 20 * n) for n in range(2, 5)]
    assert got == ["a2", "a3", "a1"]


def test_round_robin_is_not_longest_idle() -> None:
    """Round-robin follows the rotation even when another agent has idled longer."""
    h = three(Strategy.ROUND_ROBIN)
    h.login("a1", "a2", at=0)
    assert h.handle_call("i1", "q", at=10, talk=5) == "a1"
    assert h.handle_call("i2", "q", at=20, talk=5) == "a2"
    h.login("a3", at=30)
    # a1 idles longest (since 15), but a3 has not had its turn yet.
    got = [h.handle_call(f"i{n}", "q", at=40 + 20 * n, talk=5) for n in range(3, 6)]
    assert got == ["a3", "a1", "a2"]


def test_fewest_calls_picks_the_agent_with_fewest_answered() -> None:
    """Fewest-calls offers to the agent who has answered the fewest interactions."""
    h = three(Strategy.FEWEST_CALLS)
    h.login("a1", at=0)
    h.handle_call("i1", "q", at=1)
    h.handle_call("i2", "q", at=20)
    h.login("a2", at=30)
    h.handle_call("i3", "q", at=31)  # a2: fewer calls than a1
    h.login("a3", at=50)
    assert h.handle_call("i4", "q", at=60) == "a3"
    # a2 and a3 have one call each: the tie goes to the longer idle, a2.
    assert h.handle_call("i5", "q", at=80) == "a2"
    assert h.handle_call("i6", "q", at=100) == "a3"


def test_least_talk_time_picks_the_agent_with_least_talk() -> None:
    """Least-talk-time offers to the agent with the smallest total talk time."""
    h = three(Strategy.LEAST_TALK_TIME)
    h.login("a1", "a2", "a3", at=0)
    for iid, aid in (("i1", "a1"), ("i2", "a2"), ("i3", "a3")):
        assert h.take(iid, "q", at=1) == aid
    for iid, aid, talk in (("i2", "a2", 100), ("i3", "a3", 200), ("i1", "a1", 300)):
        h.hang_up(aid, iid, at=1 + talk)
    # talk so far: a1 300, a2 100, a3 200
    assert h.handle_call("i4", "q", at=400, talk=150) == "a2"  # a2 -> 250
    assert h.handle_call("i5", "q", at=600) == "a3"


def test_linear_picks_in_configuration_order() -> None:
    """Linear always offers to the first available agent in configuration order."""
    h = Harness([q(Strategy.LINEAR)], [agent(a, "q") for a in ("b", "c", "a")])
    h.login("a", "c", "b", at=0)
    assert h.handle_call("i1", "q", at=10) == "b"
    assert h.handle_call("i2", "q", at=30) == "b"
    h.arrive("i3", "q", at=40)
    h.arrive("i4", "q", at=40)
    assert h.offered("i3") == ["b"]
    assert h.offered("i4") == ["c"]


def test_linear_puts_lower_tiers_first() -> None:
    """Linear orders by tier before configuration order."""
    h = Harness([q(Strategy.LINEAR)], [agent("a1", ("q", 2)), agent("a2", ("q", 1))])
    h.login("a1", "a2", at=0)
    assert h.handle_call("i1", "q", at=10) == "a2"


def test_random_spreads_offers_roughly_evenly() -> None:
    """Random spreads many offers evenly over the available agents."""
    agents = [f"a{n}" for n in range(4)]
    h = Harness([q(Strategy.RANDOM)], [agent(a, "q") for a in agents], rng=random.Random(7))
    h.login(*agents, at=0)
    counts = Counter(h.handle_call(f"i{n}", "q", at=10 + 10 * n, talk=1) for n in range(2000))
    assert set(counts) == set(agents)
    for a in agents:
        assert 400 <= counts[a] <= 600, counts


def test_random_choices_do_not_run_in_streaks() -> None:
    """Random picks the same agent twice running about as often as chance says."""
    agents = [f"a{n}" for n in range(4)]
    h = Harness([q(Strategy.RANDOM)], [agent(a, "q") for a in agents], rng=random.Random(3))
    h.login(*agents, at=0)
    got = [h.handle_call(f"i{n}", "q", at=10 + 10 * n, talk=1) for n in range(2000)]
    repeats = sum(1 for x, y in itertools.pairwise(got) if x == y)
    assert 400 <= repeats <= 600  # chance: 1/4 of 1999


def test_random_is_deterministic_for_a_seed() -> None:
    """Two engines with the same seed choose the same agents."""
    def run(seed: int) -> list[str]:
        agents = [f"a{n}" for n in range(5)]
        h = Harness([q(Strategy.RANDOM)], [agent(a, "q") for a in agents],
                    rng=random.Random(seed))
        h.login(*agents, at=0)
        return [h.handle_call(f"i{n}", "q", at=10 + 10 * n, talk=1) for n in range(50)]

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_ring_all_offers_to_every_available_agent_of_the_best_tier() -> None:
    """Ring-all rings all available tier-1 agents at once, not the tier-2 ones."""
    h = Harness([q(Strategy.RING_ALL)],
                [agent("a1", "q"), agent("a2", "q"), agent("a3", ("q", 2)), agent("a4", "q")])
    h.login("a1", "a2", "a3", "a4", at=0)
    out = h.arrive("i1", "q", at=10)
    assert sorted(o.agent_id for o in of_type(out, OfferToAgent)) == ["a1", "a2", "a4"]
    assert h.state("a3") is AgentState.AVAILABLE


def test_ring_all_first_accept_wins_and_the_others_are_withdrawn() -> None:
    """The first agent to accept gets it; the others get WithdrawOffer(taken) and are free."""
    h = Harness([q(Strategy.RING_ALL)], [agent(a, "q") for a in ("a1", "a2", "a3")])
    h.login("a1", "a2", "a3", at=0)
    h.arrive("i1", "q", at=10)
    out = h.answer("a2", "i1", at=12)
    withdrawn = of_type(out, WithdrawOffer)
    assert sorted((w.agent_id, w.reason) for w in withdrawn) == [("a1", "taken"), ("a3", "taken")]
    assert h.state("a2") is AgentState.BUSY
    assert h.state("a1") is AgentState.AVAILABLE
    assert h.state("a3") is AgentState.AVAILABLE
    h.hang_up("a2", "i1", at=20)
    rec = h.record("i1")
    assert rec.agent_id == "a2"
    assert rec.outcome == "completed"


def test_ring_all_uses_the_next_tier_when_the_best_is_busy() -> None:
    """Ring-all rings tier 2 when no tier-1 agent is available."""
    h = Harness([q(Strategy.RING_ALL)],
                [agent("a1", "q"), agent("a2", ("q", 2)), agent("a3", ("q", 2))])
    h.login("a1", "a2", "a3", at=0)
    h.arrive("i1", "q", at=1)
    h.answer("a1", "i1")
    out = h.arrive("i2", "q", at=2)
    assert sorted(o.agent_id for o in of_type(out, OfferToAgent)) == ["a2", "a3"]


def test_ring_all_returns_to_line_only_when_every_agent_declined() -> None:
    """Ring-all keeps ringing the others when one declines; all declining requeues it."""
    h = Harness([q(Strategy.RING_ALL, retry_after=30)], [agent(a, "q") for a in ("a1", "a2")])
    h.login("a1", "a2", at=0)
    h.arrive("i1", "q", at=10)
    h.send(OfferRejected("a1", "i1"), at=11)
    assert h.ix_state("i1").value == "offered"
    h.send(OfferRejected("a2", "i1"), at=12)
    assert h.ix_state("i1").value == "queued"


def test_best_skill_match_picks_the_highest_levels() -> None:
    """Best-skill-match offers to the agent with the highest levels in the needed skills."""
    queue = q(Strategy.BEST_SKILL_MATCH,
              required_skills=(SkillRequirement("billing"), SkillRequirement("de")))
    h = Harness([queue], [
        agent("a1", "q", skills={"billing": 5, "de": 5}),
        agent("a2", "q", skills={"billing": 9, "de": 4, "fr": 10}),
        agent("a3", "q", skills={"billing": 3, "de": 3}),
    ])
    h.login("a1", "a2", "a3", at=0)
    assert h.take("i1", "q", at=10) == "a2"
    assert h.take("i2", "q", at=20) == "a1"
    assert h.take("i3", "q", at=30) == "a3"


def test_best_skill_match_counts_the_interactions_extra_skills() -> None:
    """Best-skill-match weighs the skills the interaction adds (e.g. its language)."""
    queue = q(Strategy.BEST_SKILL_MATCH, required_skills=(SkillRequirement("billing"),))
    h = Harness([queue], [
        agent("a1", "q", skills={"billing": 9, "fr": 1}),
        agent("a2", "q", skills={"billing": 5, "fr": 9}),
    ])
    h.login("a1", "a2", at=0)
    assert h.handle_call("i1", "q", at=10, skills=(SkillRequirement("fr"),)) == "a2"
