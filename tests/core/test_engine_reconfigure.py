"""Configuration changes while running: `QueueConfigured` and `AgentConfigured`."""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.config import (
    AgentConfig,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
)
from callcenter.core.errors import RoutingError, UnknownAgent, UnknownQueue
from callcenter.core.events import AgentConfigured, AgentRemoved, QueueConfigured, QueueRemoved
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent


def test_agent_added_while_running_can_log_in_and_take_work() -> None:
    """An agent configured at runtime logs in and gets the waiting interaction."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    h.send(AgentConfigured(agent("new", "q")), at=1)
    h.login("new", at=2)
    assert h.offered("i1") == ["new"]


def test_logged_in_agent_cannot_be_reconfigured() -> None:
    """Changing a logged-in agent is refused; it must log out first."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    with pytest.raises(RoutingError, match="logged in"):
        h.send(AgentConfigured(agent("a", "q", skills={"x": 5})), at=1)


def test_reconfigured_agent_serves_its_new_skills() -> None:
    """A logged-out agent given a new skill then takes interactions needing it."""
    h = Harness([QueueConfig("q", required_skills=(SkillRequirement("fr"),))], [agent("a", "q")])
    h.send(AgentConfigured(agent("a", "q", skills={"fr": 4})), at=0)
    h.login("a", at=1)
    assert h.take("i1", "q", at=2) == "a"


def test_refused_agent_configuration_leaves_routing_intact() -> None:
    """A reconfiguration naming an unknown queue is refused and changes nothing."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q")])
    h.login("b", at=0)
    bad = AgentConfig("a", queues=(Membership("nowhere"),))
    with pytest.raises(UnknownQueue, match="nowhere"):
        h.send(AgentConfigured(bad), at=1)
    assert h.take("i1", "q", at=2) == "b"
    h.login("a", at=3)
    assert h.take("i2", "q", at=4) == "a"


def test_queue_added_while_running_is_served_by_implicit_members() -> None:
    """A queue configured at runtime is served by agents with its skills and no `queues`."""
    h = Harness([QueueConfig("q")], [agent("a", skills={"tech": 3})])
    h.login("a", at=0)
    h.send(QueueConfigured(QueueConfig("tech", required_skills=(SkillRequirement("tech"),))),
           at=1)
    assert h.take("i1", "tech", at=2) == "a"


def test_queue_change_applies_to_the_next_interactions() -> None:
    """A changed wrap-up applies to interactions handled after the change."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.send(QueueConfigured(QueueConfig("q", wrap_up=15)), at=1)
    h.take("i1", "q", at=2)
    h.hang_up("a", "i1", at=10)
    assert h.state("a") is AgentState.WRAP_UP
    h.run_until(25)
    assert h.record("i1").wrap_seconds == 15


def test_waiting_interactions_are_routed_after_a_queue_change() -> None:
    """Relaxing a queue's skill level lets a waiting interaction reach an agent at once."""
    h = Harness([QueueConfig("q", required_skills=(SkillRequirement("x", 8),))],
                [agent("a", "q", skills={"x": 5})])
    h.login("a", at=0)
    h.arrive("i1", "q", at=1)
    assert h.ix_state("i1") is InteractionState.QUEUED
    h.send(QueueConfigured(QueueConfig("q", required_skills=(SkillRequirement("x", 5),))),
           at=2)
    assert h.offered("i1") == ["a"]


def test_escalation_cannot_change_while_interactions_wait() -> None:
    """Changing the escalation steps of a queue with waiting interactions is refused."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    with pytest.raises(RoutingError, match="escalation"):
        h.send(QueueConfigured(QueueConfig("q", escalation=(EscalationStep(10),))), at=1)


def test_strategy_change_applies_to_available_agents() -> None:
    """Switching a queue to linear makes the next offer follow configuration order."""
    h = Harness([QueueConfig("q")], [agent("first", "q"), agent("second", "q")])
    h.login("second", at=0)
    h.login("first", at=5)
    h.send(QueueConfigured(QueueConfig("q", strategy=Strategy.LINEAR)), at=6)
    assert h.take("i1", "q", at=7) == "first"


def test_ringing_interaction_survives_a_queue_change() -> None:
    """An interaction ringing during a queue change returns to line and is offered again."""
    h = Harness([QueueConfig("q", offer_timeout=10)], [agent("a", "q"), agent("b", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=1)
    h.send(QueueConfigured(QueueConfig("q", offer_timeout=10, wrap_up=5)), at=2)
    h.login("b", at=3)
    h.run_until(11)
    assert h.offered("i1") == ["a", "b"]
    h.answer("b", "i1", at=12)
    h.hang_up("b", "i1", at=20)
    h.run_until(25)
    assert h.record("i1").wrap_seconds == 5


# ---------------------------------------------------------------- removal


def test_removed_queue_is_unknown_to_arrivals() -> None:
    """After QueueRemoved an arrival for that queue raises UnknownQueue."""
    h = Harness([QueueConfig("q"), QueueConfig("old")], [agent("a", "q")])
    h.send(QueueRemoved("old"), at=0)
    with pytest.raises(UnknownQueue):
        h.arrive("i1", "old", at=1)


def test_queue_with_an_open_interaction_cannot_be_removed() -> None:
    """Removing a queue that still holds an interaction is refused, naming the count."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    with pytest.raises(RoutingError, match="1 open interactions"):
        h.send(QueueRemoved("q"), at=1)
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_queue_with_members_or_referrers_cannot_be_removed() -> None:
    """A queue that agents are members of, or another queue exits to, stays."""
    h = Harness([QueueConfig("q"),
                 QueueConfig("front", max_wait=30, timeout_action=ExitAction(ExitKind.QUEUE, "q"))],
                [agent("a", "q")])
    with pytest.raises(RoutingError, match="exit or overflow of \\['front'\\]"):
        h.send(QueueRemoved("q"), at=0)


def test_removed_agent_gets_no_more_work_and_is_unknown() -> None:
    """A logged-out agent removed is no longer offered work and cannot log in."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q")])
    h.send(AgentRemoved("a"), at=0)
    h.login("b", at=1)
    h.arrive("i1", "q", at=2)
    assert h.offered("i1") == ["b"]
    with pytest.raises(UnknownAgent):
        h.login("a", at=3)
    assert sum(h.engine.agents_by_state().values()) == 1


def test_logged_in_agent_cannot_be_removed() -> None:
    """Removing a logged-in agent is refused; it must log out first."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    with pytest.raises(RoutingError, match="log it out"):
        h.send(AgentRemoved("a"), at=1)
