"""The engine's read-only answers (snapshots) and its configuration checks asked before
storing (`check_queue`, `check_queue_removal`, `check_agent`)."""

from __future__ import annotations

import dataclasses

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.config import EscalationStep, ExitAction, ExitKind, QueueConfig
from callcenter.core.errors import RoutingError, UnknownAgent, UnknownQueue, UnknownReference
from callcenter.core.events import AgentLogout, AgentPause, OfferAccepted, QueueConfigured
from tests.core.conftest import Harness, agent


def test_agent_snapshot_holds_state_reason_and_work() -> None:
    """An agent's snapshot says its state, pause reason, queues and the work it holds."""
    h = Harness([QueueConfig("q"), QueueConfig("r")], [agent("a", "q"), agent("b", "r")])
    h.login("a", "b", at=0)
    h.arrive("i1", "q", at=1)
    h.send(AgentPause("b", "lunch"), at=2)
    a, b = h.engine.agent("a"), h.engine.agent("b")
    assert a is not None and b is not None
    assert (a.state, a.offers, a.connected, a.queues) == (
        AgentState.RESERVED, ("i1",), (), frozenset({"q"}))
    assert (b.state, b.reason, b.since) == (AgentState.PAUSED, "lunch", 2)
    assert h.engine.agent("nobody") is None


def test_agent_snapshot_names_the_state_after_the_work_it_holds() -> None:
    """Holding a call the next state is available; paused (with the reason) once a pause
    is asked; logged out once a logout is asked; none without work."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    assert h.engine.agent("a").next_state is None  # type: ignore[union-attr]
    h.arrive("i1", "q", at=1)
    h.send(OfferAccepted("a", "i1"), at=2)
    steps = [(None, AgentState.AVAILABLE, ""), (AgentPause("a", "lunch"), AgentState.PAUSED,
                                                 "lunch"),
             (AgentLogout("a"), AgentState.LOGGED_OUT, "")]
    for at, (event, nxt, reason) in enumerate(steps, start=3):
        if event is not None:
            h.send(event, at=at)
        a = h.engine.agent("a")
        assert a is not None
        assert (a.state, a.next_state, a.next_reason) == (AgentState.BUSY, nxt, reason)


def test_snapshot_does_not_change_with_the_engine() -> None:
    """A snapshot is a value: it keeps what it said after the engine moves on."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    before = h.engine.agent("a")
    h.arrive("i1", "q", at=1)
    assert before is not None and before.offers == () and before.state is AgentState.AVAILABLE
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.reason = "x"  # type: ignore[misc]


def test_agents_of_a_queue_are_its_members_by_id() -> None:
    """`agents(queue_id)` answers the agents serving that queue only, sorted by id."""
    h = Harness([QueueConfig("q"), QueueConfig("r")],
                [agent("c", "q"), agent("a", "q", "r"), agent("b", "r")])
    assert [a.agent_id for a in h.engine.agents("q")] == ["a", "c"]
    assert [a.agent_id for a in h.engine.agents()] == ["a", "b", "c"]
    assert h.engine.agent_ids() == ["a", "b", "c"]


def test_work_lists_offers_with_their_expiry() -> None:
    """`work` gives each held interaction with its queue, caller and offer expiry."""
    h = Harness([QueueConfig("q", offer_timeout=15)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=1)
    (w,) = h.engine.work("a")
    assert (w.interaction_id, w.status, w.queue_id, w.offer_expires_at, w.on_hold) == (
        "i1", "offered", "q", 16, False)
    h.answer("a", "i1", at=2)
    assert [w.status for w in h.engine.work("a")] == ["connected"]
    with pytest.raises(UnknownAgent):
        h.engine.work("nobody")


def test_queue_snapshots_count_waiting_and_staffed() -> None:
    """`queues()` gives each queue's settings with its waiting and staffed counts."""
    h = Harness([QueueConfig("q"), QueueConfig("r")], [agent("a", "q")])
    h.arrive("i1", "r", at=0)
    h.login("a", at=1)
    assert [(s.queue_id, s.waiting, s.staffed) for s in h.engine.queues()] == [
        ("q", 0, 1), ("r", 1, 0)]
    assert h.engine.queue("r") == QueueConfig("r")
    assert h.engine.queue("nope") is None
    assert h.engine.queue_channel("q") == "voice"


def test_check_queue_names_the_field_that_refers_to_no_queue() -> None:
    """A queue whose exit or overflow names no queue is refused, naming the field."""
    h = Harness([QueueConfig("q")], [])
    bad = QueueConfig("new", escalation=(EscalationStep(5, overflow_to=("q", "ghost")),))
    with pytest.raises(UnknownReference, match="ghost") as caught:
        h.engine.check_queue(bad)
    assert caught.value.field == "escalation[0].overflow_to"
    with pytest.raises(UnknownReference) as caught:
        h.engine.check_queue(QueueConfig("new", full_action=ExitAction(ExitKind.QUEUE, "x")))
    assert caught.value.field == "full_action"
    h.engine.check_queue(QueueConfig("new", timeout_action=ExitAction(ExitKind.QUEUE, "new")))
    assert h.engine.queue("new") is None  # asking changes nothing


def test_check_queue_refuses_new_escalation_while_interactions_wait() -> None:
    """The escalation steps of a queue with waiting interactions cannot change; the
    event is refused by the same rule."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    changed = QueueConfig("q", escalation=(EscalationStep(10),))
    with pytest.raises(RoutingError, match="waiting interactions"):
        h.engine.check_queue(changed)
    with pytest.raises(RoutingError, match="waiting interactions"):
        h.send(QueueConfigured(changed), at=1)
    h.engine.check_queue(QueueConfig("q", wrap_up=5))


def test_check_queue_removal_refuses_open_work_references_and_members() -> None:
    """A queue with open interactions, senders or members cannot be removed."""
    h = Harness([QueueConfig("q"), QueueConfig("r", timeout_action=ExitAction(
        ExitKind.QUEUE, "q")), QueueConfig("s")], [agent("a", "s")])
    with pytest.raises(RoutingError, match="exit or overflow"):
        h.engine.check_queue_removal("q")
    with pytest.raises(RoutingError, match="member agents"):
        h.engine.check_queue_removal("s")
    h.arrive("i1", "r", at=0)
    with pytest.raises(RoutingError, match="open interactions"):
        h.engine.check_queue_removal("r")
    with pytest.raises(UnknownQueue):
        h.engine.check_queue_removal("nope")


def test_check_agent_refuses_logged_in_agents_and_unknown_memberships() -> None:
    """An agent logged in cannot change; a membership of no queue names its field."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.engine.check_agent("a", agent("a", "q", skills={"x": 2}))
    with pytest.raises(UnknownReference) as caught:
        h.engine.check_agent("b", agent("b", "q", "ghost"))
    assert caught.value.field == "queues[1].queue_id"
    h.login("a", at=0)
    with pytest.raises(RoutingError, match="logged in"):
        h.engine.check_agent("a")
