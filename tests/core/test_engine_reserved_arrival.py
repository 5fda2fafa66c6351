"""An interaction that arrives reserved for one agent (a preview call the agent dialed)."""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import OfferToAgent
from callcenter.core.config import QueueConfig
from callcenter.core.errors import UnknownAgent
from callcenter.core.events import AgentPause, AgentReady, InteractionArrived
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type


def harness() -> Harness:
    return Harness([QueueConfig("camp")], [agent("a", "camp"), agent("b", "camp")])


def test_reserved_arrival_is_offered_only_to_its_agent() -> None:
    """A reserved arrival skips the longest-idle agent and rings the agent it names."""
    h = harness()
    h.login("a", at=0)
    h.login("b", at=5)
    out = h.send(InteractionArrived("i1", "camp", agent_id="b"), at=10)
    assert [o.agent_id for o in of_type(out, OfferToAgent)] == ["b"]


def test_reserved_arrival_waits_for_a_paused_agent_and_rings_it_once_ready() -> None:
    """A paused agent is not skipped: the reserved call waits and is offered at Ready,
    even when another agent of the queue is free meanwhile."""
    h = harness()
    h.login("a", "b", at=0)
    h.send(AgentPause("b", "preview"), at=1)
    out = h.send(InteractionArrived("i1", "camp", agent_id="b"), at=10)
    assert of_type(out, OfferToAgent) == []
    assert h.ix_state("i1") is InteractionState.QUEUED
    out = h.send(AgentReady("b"), at=11)
    assert [o.agent_id for o in of_type(out, OfferToAgent)] == ["b"]
    assert h.state("b") is AgentState.RESERVED
    assert h.state("a") is AgentState.AVAILABLE


def test_reserved_arrival_for_an_unknown_agent_is_refused_and_leaves_nothing() -> None:
    """An unknown agent is refused by name, and no interaction is left open."""
    h = harness()
    with pytest.raises(UnknownAgent, match="nobody"):
        h.send(InteractionArrived("i1", "camp", agent_id="nobody"), at=1)
    assert h.ix_state("i1") is None
