"""Who may take an interaction: skills and levels, extra skills, tiers, membership,
and how escalation widens that over time."""

from __future__ import annotations

from callcenter.core.agent_state import AgentState
from callcenter.core.config import EscalationStep, QueueConfig, SkillRequirement, Strategy
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent

BILLING5 = (SkillRequirement("billing", 5),)


def test_agent_below_the_minimum_level_is_not_offered() -> None:
    """An agent whose level is under the queue's minimum is passed over."""
    h = Harness([QueueConfig("q", required_skills=BILLING5)],
                [agent("low", "q", skills={"billing": 4}), agent("ok", "q", skills={"billing": 5})])
    h.login("low", at=0)
    h.login("ok", at=1)
    assert h.take("i1", "q", at=10) == "ok"


def test_interaction_waits_rather_than_go_to_an_underskilled_agent() -> None:
    """With only under-skilled agents available, the interaction stays queued."""
    h = Harness([QueueConfig("q", required_skills=BILLING5)],
                [agent("low", "q", skills={"billing": 4})])
    h.login("low", at=0)
    h.arrive("i1", "q", at=10)
    assert h.ix_state("i1") is InteractionState.QUEUED
    assert h.state("low") is AgentState.AVAILABLE


def test_agent_without_the_skill_is_not_offered() -> None:
    """A member lacking a required skill entirely never gets the interaction."""
    h = Harness([QueueConfig("q", required_skills=(SkillRequirement("billing"),))],
                [agent("none", "q"), agent("has", "q", skills={"billing": 1})])
    h.login("none", at=0)
    h.login("has", at=1)
    assert h.take("i1", "q", at=10) == "has"


def test_extra_skill_of_the_interaction_restricts_the_agents() -> None:
    """`InteractionArrived(skills=...)` adds a requirement, e.g. the caller's language."""
    h = Harness([QueueConfig("q")],
                [agent("en", "q", skills={"en": 9}), agent("fr", "q", skills={"fr": 6})])
    h.login("en", "fr", at=0)
    assert h.take("i1", "q", at=10, skills=(SkillRequirement("fr", 5),)) == "fr"


def test_extra_skill_above_an_agents_level_keeps_it_waiting() -> None:
    """An extra requirement with a level above every available agent's keeps it queued."""
    h = Harness([QueueConfig("q")], [agent("fr", "q", skills={"fr": 3})])
    h.login("fr", at=0)
    h.arrive("i1", "q", at=10, skills=(SkillRequirement("fr", 5),))
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_extra_skill_raises_a_queue_requirement_on_the_same_skill() -> None:
    """An extra requirement on a queue skill raises its minimum level (the higher wins)."""
    h = Harness([QueueConfig("q", required_skills=(SkillRequirement("billing", 3),))],
                [agent("mid", "q", skills={"billing": 5}),
                 agent("top", "q", skills={"billing": 8})])
    h.login("mid", at=0)
    h.login("top", at=1)
    assert h.take("i1", "q", at=10, skills=(SkillRequirement("billing", 7),)) == "top"


def test_interactions_without_the_extra_skill_go_to_anyone() -> None:
    """Plain interactions of the same queue still reach agents lacking the extra skill."""
    h = Harness([QueueConfig("q")], [agent("en", "q")])
    h.arrive("i1", "q", at=10, skills=(SkillRequirement("de"),))
    h.login("en", at=20)
    assert h.state("en") is AgentState.AVAILABLE
    assert h.take("i2", "q", at=30) == "en"
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_freed_agent_takes_a_waiting_interaction_needing_its_extra_skill() -> None:
    """An agent who becomes available pulls a waiting interaction that needs its language."""
    h = Harness([QueueConfig("q")], [agent("fr", "q", skills={"fr": 5})])
    h.arrive("i1", "q", at=10, skills=(SkillRequirement("fr"),))
    h.login("fr", at=20)
    assert h.offered("i1") == ["fr"]


def test_tier_two_waits_while_a_tier_one_agent_is_available() -> None:
    """A tier-2 agent is passed over, even when idle longer, while tier 1 is available."""
    h = Harness([QueueConfig("q")], [agent("t2", ("q", 2)), agent("t1", ("q", 1))])
    h.login("t2", at=0)
    h.login("t1", at=50)
    assert h.take("i1", "q", at=60) == "t1"


def test_tier_two_takes_it_when_no_tier_one_agent_is_available() -> None:
    """With every tier-1 agent busy, a tier-2 agent gets the interaction."""
    h = Harness([QueueConfig("q")], [agent("t1", ("q", 1)), agent("t2", ("q", 2))])
    h.login("t1", "t2", at=0)
    assert h.take("i1", "q", at=10) == "t1"
    assert h.take("i2", "q", at=11) == "t2"


def test_initial_max_tier_keeps_higher_tiers_out() -> None:
    """With initial_max_tier=1 a tier-2 agent does not get the interaction at all."""
    h = Harness([QueueConfig("q", initial_max_tier=1)], [agent("t2", ("q", 2))])
    h.login("t2", at=0)
    h.arrive("i1", "q", at=10)
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_agent_without_memberships_serves_queues_whose_skills_it_has() -> None:
    """An agent with no `queues` serves every queue whose required skills it meets."""
    h = Harness([QueueConfig("billing", required_skills=(SkillRequirement("billing"),)),
                 QueueConfig("tech", required_skills=(SkillRequirement("tech"),))],
                [agent("a", skills={"billing": 3})])
    h.login("a", at=0)
    h.arrive("t1", "tech", at=5)
    assert h.ix_state("t1") is InteractionState.QUEUED
    assert h.take("b1", "billing", at=10) == "a"


def test_implicit_membership_still_needs_the_minimum_level() -> None:
    """An implicit member below a queue's minimum level does not get its interactions."""
    h = Harness([QueueConfig("q", required_skills=BILLING5)], [agent("a", skills={"billing": 2})])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_explicit_membership_limits_the_queues_served() -> None:
    """An agent with `queues` serves only those, even if it has other queues' skills."""
    h = Harness([QueueConfig("a"), QueueConfig("b")], [agent("x", "a")])
    h.login("x", at=0)
    h.arrive("i1", "b", at=10)
    assert h.ix_state("i1") is InteractionState.QUEUED


# ---------------------------------------------------------------- priority and aging


def two_waiting_then_free(queue: QueueConfig, first: tuple[float, int],
                          second: tuple[float, int], free_at: float) -> Harness:
    """i1 and i2 arrive (time, priority) while the only agent is busy; it frees at free_at."""
    h = Harness([queue], [agent("a", queue.id)])
    h.login("a", at=0)
    h.take("busy", queue.id, at=0)
    h.arrive("i1", queue.id, at=first[0], priority=first[1])
    h.arrive("i2", queue.id, at=second[0], priority=second[1])
    h.hang_up("a", "busy", at=free_at)
    return h


def test_higher_priority_is_offered_first() -> None:
    """Of two waiting interactions, the higher priority one is offered first."""
    h = two_waiting_then_free(QueueConfig("q"), (10, 0), (11, 5), free_at=12)
    assert h.offers_to("a")[-1] == "i2"


def test_equal_priority_is_first_come_first_served() -> None:
    """Interactions of equal priority are offered in arrival order."""
    h = two_waiting_then_free(QueueConfig("q"), (10, 3), (11, 3), free_at=100)
    assert h.offers_to("a")[-1] == "i1"


def test_aging_lets_an_old_low_priority_contact_beat_a_new_higher_one() -> None:
    """With aging, a contact waiting long enough outranks a newer higher-priority one."""
    # score = priority + 0.1 * wait: at 200, i1 = 0 + 19 = 19, i2 = 5 + 10 = 15
    h = two_waiting_then_free(QueueConfig("q", aging_rate=0.1), (10, 0), (100, 5), free_at=200)
    assert h.offers_to("a")[-1] == "i1"


def test_aging_does_not_yet_override_a_large_priority_gap() -> None:
    """A higher priority still wins while the older contact's aging has not caught up."""
    # at 120: i1 = 0 + 11 = 11, i2 = 20 + 2 = 22
    h = two_waiting_then_free(QueueConfig("q", aging_rate=0.1), (10, 0), (100, 20), free_at=120)
    assert h.offers_to("a")[-1] == "i2"


def test_without_aging_priority_is_strict() -> None:
    """With aging_rate=0, a higher priority wins however long the other has waited."""
    h = two_waiting_then_free(QueueConfig("q", aging_rate=0), (10, 0), (10_000, 1),
                              free_at=10_001)
    assert h.offers_to("a")[-1] == "i2"


def test_without_aging_equal_priority_is_fifo() -> None:
    """With aging_rate=0, equal priorities go in arrival order."""
    h = two_waiting_then_free(QueueConfig("q", aging_rate=0), (10, 2), (11, 2), free_at=50)
    assert h.offers_to("a")[-1] == "i1"


def test_priority_order_holds_for_several_waiting() -> None:
    """A freed agent takes waiting interactions in priority order, then arrival order."""
    h = Harness([QueueConfig("q", aging_rate=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("busy", "q", at=0)
    for n, prio in enumerate((1, 3, 2, 3, 1)):
        h.arrive(f"i{n}", "q", at=1 + n, priority=prio)
    h.hang_up("a", "busy", at=10)
    order = []
    for _ in range(5):
        iid = h.offers_to("a")[-1]
        order.append(iid)
        h.answer("a", iid)
        h.hang_up("a", iid, at=h.now + 1)
    assert order == ["i1", "i3", "i2", "i0", "i4"]


# ---------------------------------------------------------------- escalation


def test_escalation_relaxes_levels_after_the_wait() -> None:
    """After `after` seconds, an agent within `relax_levels` of the minimum may take it."""
    queue = QueueConfig("q", required_skills=(SkillRequirement("billing", 8),),
                        escalation=(EscalationStep(30, relax_levels=3),))
    h = Harness([queue], [agent("a", "q", skills={"billing": 5})])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    h.run_until(39.9)
    assert h.offered("i1") == []
    h.run_until(40)
    assert h.offered("i1") == ["a"]


def test_escalation_does_not_relax_beyond_its_levels() -> None:
    """An agent further below the minimum than `relax_levels` stays out after escalation."""
    queue = QueueConfig("q", required_skills=(SkillRequirement("billing", 8),),
                        escalation=(EscalationStep(30, relax_levels=2),))
    h = Harness([queue], [agent("a", "q", skills={"billing": 5})])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    h.run_until(1000)
    assert h.offered("i1") == []


def test_escalation_widens_tiers_after_the_wait() -> None:
    """After `after` seconds, a step's max_tier admits tier-2 agents."""
    queue = QueueConfig("q", initial_max_tier=1, escalation=(EscalationStep(20, max_tier=2),))
    h = Harness([queue], [agent("t2", ("q", 2)), agent("t3", ("q", 3))])
    h.login("t2", "t3", at=0)
    h.arrive("i1", "q", at=5)
    h.run_until(24)
    assert h.offered("i1") == []
    h.run_until(25)
    assert h.offered("i1") == ["t2"]


def test_escalation_overflows_to_another_queues_agents() -> None:
    """After `after` seconds, members of an overflow queue may take the interaction."""
    queue = QueueConfig("sales", escalation=(EscalationStep(60, overflow_to=("support",)),))
    h = Harness([queue, QueueConfig("support")], [agent("s", "support")])
    h.login("s", at=0)
    h.arrive("i1", "sales", at=0)
    h.run_until(59)
    assert h.offered("i1") == []
    h.run_until(60)
    assert h.offered("i1") == ["s"]
    h.answer("s", "i1")
    h.hang_up("s", "i1", at=70)
    rec = h.record("i1")
    assert (rec.queue_id, rec.agent_id, rec.outcome) == ("sales", "s", "completed")


def test_escalated_interaction_is_pulled_by_an_agent_freed_later() -> None:
    """After escalation, an agent eligible only at the relaxed step takes it when freed."""
    queue = QueueConfig("q", required_skills=(SkillRequirement("billing", 8),),
                        escalation=(EscalationStep(30, relax_levels=3),))
    h = Harness([queue], [agent("a", "q", skills={"billing": 5})])
    h.arrive("i1", "q", at=0)
    h.run_until(100)
    h.login("a", at=100)
    assert h.offered("i1") == ["a"]


def test_overflow_agent_logging_in_before_the_step_does_not_take_it() -> None:
    """An overflow queue's agent does not get the interaction before the overflow step."""
    queue = QueueConfig("sales", escalation=(EscalationStep(60, overflow_to=("support",)),))
    h = Harness([queue, QueueConfig("support")], [agent("s", "support")])
    h.arrive("i1", "sales", at=0)
    h.login("s", at=10)
    assert h.offered("i1") == []
    assert h.state("s") is AgentState.AVAILABLE


def test_escalation_steps_apply_in_turn() -> None:
    """A second step widens further at its own time."""
    queue = QueueConfig("q", initial_max_tier=1, escalation=(
        EscalationStep(10, max_tier=2), EscalationStep(30, max_tier=3)))
    h = Harness([queue], [agent("t3", ("q", 3))])
    h.login("t3", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(29)
    assert h.offered("i1") == []
    h.run_until(30)
    assert h.offered("i1") == ["t3"]


def test_agent_in_two_queues_takes_the_higher_score_first() -> None:
    """An agent serving two queues takes the interaction with the higher priority score."""
    h = Harness([QueueConfig("q1", aging_rate=0), QueueConfig("q2", aging_rate=0)],
                [agent("a", "q1", "q2")])
    h.arrive("low", "q1", at=0, priority=1)
    h.arrive("high", "q2", at=5, priority=4)
    h.login("a", at=10)
    assert h.offers_to("a") == ["high"]


def test_agent_in_two_queues_takes_the_older_on_equal_scores() -> None:
    """Between two queues with equal scores, the earlier arrival goes first."""
    h = Harness([QueueConfig("q1", aging_rate=0), QueueConfig("q2", aging_rate=0)],
                [agent("a", "q1", "q2")])
    h.arrive("first", "q2", at=0)
    h.arrive("later", "q1", at=5)
    h.login("a", at=10)
    assert h.offers_to("a") == ["first"]


def test_overflowed_interaction_answered_leaves_both_lines() -> None:
    """Once an overflow agent answers, the original queue's agents are not offered it."""
    queue = QueueConfig("sales", escalation=(EscalationStep(60, overflow_to=("support",)),))
    h = Harness([queue, QueueConfig("support")], [agent("s", "support"), agent("x", "sales")])
    h.arrive("i1", "sales", at=0)
    h.run_until(60)
    h.login("s", at=61)
    h.answer("s", "i1", at=62)
    h.login("x", at=63)
    assert h.offered("i1") == ["s"]
    assert h.state("x") is AgentState.AVAILABLE


def test_overflowed_interaction_still_reaches_its_own_queue() -> None:
    """After overflow, an agent of the original queue who frees up may still take it."""
    queue = QueueConfig("sales", escalation=(EscalationStep(60, overflow_to=("support",)),))
    h = Harness([queue, QueueConfig("support")], [agent("s", "support"), agent("x", "sales")])
    h.arrive("i1", "sales", at=0)
    h.run_until(100)
    h.login("x", at=101)
    assert h.offered("i1") == ["x"]


def test_tier_widening_reaches_a_ring_all_group() -> None:
    """In a ring-all queue, escalation to tier 2 rings every available tier-2 agent."""
    queue = QueueConfig("q", strategy=Strategy.RING_ALL, initial_max_tier=1,
                        escalation=(EscalationStep(20, max_tier=2),))
    h = Harness([queue], [agent("b1", ("q", 2)), agent("b2", ("q", 2))])
    h.login("b1", "b2", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(20)
    assert sorted(h.offered("i1")) == ["b1", "b2"]
