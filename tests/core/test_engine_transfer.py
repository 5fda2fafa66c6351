"""Transfers: to a queue and to one agent; counts and talk time in the row."""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import Disconnect, ExitQueue, OfferToAgent
from callcenter.core.config import AgentConfig, Calendar, Membership, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.errors import RoutingError
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    CallerHungUp,
    InteractionArrived,
    OfferAccepted,
    OfferRejected,
    TimerExpired,
    TransferToAgent,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type


def two_queues(**kw: object) -> Harness:
    return Harness([QueueConfig("sales", **kw), QueueConfig("tech", **kw)],  # type: ignore[arg-type]
                   [agent("a", "sales"), agent("b", "tech"), agent("c", "tech")])


def test_transfer_to_queue_moves_it_to_that_queues_agents() -> None:
    """A transfer to a queue disconnects the first agent and offers it in the new queue."""
    h = two_queues()
    h.login("a", "b", at=0)
    h.take("i1", "sales", at=10)
    out = h.send(TransferToQueue("i1", "tech"), at=40)
    assert Disconnect("i1", "a", "transferred") in out
    assert of_type(out, OfferToAgent) == [OfferToAgent("i1", "b", "tech", "voice", 60.0)]
    assert h.state("a") is AgentState.AVAILABLE


def test_transfer_row_counts_transfers_and_sums_talk() -> None:
    """After a transfer the row has transfers=1, both talk segments, the last agent."""
    h = two_queues()
    h.login("a", "b", at=0)
    h.take("i1", "sales", at=10)
    h.send(TransferToQueue("i1", "tech"), at=40)
    h.answer("b", "i1", at=45)
    h.hang_up("b", "i1", at=100)
    rec = h.record("i1")
    assert (rec.transfers, rec.talk_seconds, rec.agent_id) == (1, 30 + 55, "b")
    assert (rec.first_queue_id, rec.queue_id, rec.answered_at) == ("sales", "tech", 10)
    assert rec.offers == 2


def test_transferring_agents_wrap_up_does_not_end_the_interaction() -> None:
    """The first agent's wrap-up ends without a row; the row comes after the last agent."""
    h = two_queues(wrap_up=10)
    h.login("a", "b", at=0)
    h.take("i1", "sales", at=0)
    h.send(TransferToQueue("i1", "tech"), at=20)
    assert h.state("a") is AgentState.WRAP_UP
    h.send(WrapUpDone("a", "i1", "passed-on"), at=25)
    assert not h.has_record("i1")
    h.answer("b", "i1", at=26)
    h.hang_up("b", "i1", at=30)
    h.send(WrapUpDone("b", "i1", "fixed"), at=31)
    rec = h.record("i1")
    assert (rec.disposition, rec.wrap_seconds, rec.completed_at) == ("fixed", 1, 31)


def test_transfer_to_agent_waits_for_that_agent() -> None:
    """A direct transfer is not offered to others; it waits until the agent is free."""
    h = two_queues()
    h.login("a", "b", "c", at=0)
    h.take("busy", "tech", at=0)  # b takes it
    h.take("i1", "sales", at=1)
    h.send(TransferToAgent("i1", "b"), at=5)
    assert h.offered("i1") == ["a"]
    assert h.state("c") is AgentState.AVAILABLE
    h.hang_up("b", "busy", at=9)
    assert h.offered("i1") == ["a", "b"]


def test_transfer_to_available_agent_offers_at_once() -> None:
    """A direct transfer to an available agent rings that agent straight away."""
    h = two_queues()
    h.login("a", "b", "c", at=0)
    h.take("i1", "sales", at=1)
    out = h.send(TransferToAgent("i1", "c"), at=5)
    assert [o.agent_id for o in of_type(out, OfferToAgent)] == ["c"]
    h.answer("c", "i1", at=6)
    h.hang_up("c", "i1", at=16)
    rec = h.record("i1")
    assert (rec.transfers, rec.agent_id, rec.talk_seconds) == (1, "c", 4 + 10)


def test_declined_direct_transfer_goes_to_the_queues_line() -> None:
    """If the target agent declines, the interaction goes to its queue's line."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q"), agent("c", "q")])
    h.login("a", "b", at=0)
    h.take("i1", "q", at=1)  # a
    h.send(TransferToAgent("i1", "b"), at=5)
    h.send(OfferRejected("b", "i1"), at=6)
    assert h.ix_state("i1") is InteractionState.OFFERED  # a is free again and takes it
    assert h.offered("i1") == ["a", "b", "a"]


def test_declined_direct_transfer_is_then_offered_to_a_queue_agent() -> None:
    """After the target declines, another member of the queue who frees up gets it."""
    h = Harness([QueueConfig("q", wrap_up=60)], [agent("a", "q"), agent("b", "q"),
                                                  agent("c", "q")])
    h.login("a", "b", at=0)
    h.take("i1", "q", at=1)  # a, who will be wrapping up
    h.send(TransferToAgent("i1", "b"), at=5)
    h.send(OfferRejected("b", "i1"), at=6)
    assert h.ix_state("i1") is InteractionState.QUEUED
    h.login("c", at=7)
    assert h.offered("i1") == ["a", "b", "c"]


def test_direct_transfer_to_a_logged_out_agent_goes_to_the_queues_line() -> None:
    """A transfer to an agent who is logged out falls back to the queue's line."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q"), agent("c", "q")])
    h.login("a", "c", at=0)
    h.take("busy", "q", at=0)  # a
    h.take("i1", "q", at=1)  # c
    h.send(AgentPause("c"), at=2)  # c goes on break after this call
    h.send(TransferToAgent("i1", "b"), at=5)
    assert h.ix_state("i1") is InteractionState.QUEUED
    h.hang_up("a", "busy", at=6)
    assert h.offered("i1") == ["c", "a"]


def test_agent_offered_a_fallen_back_transfer_is_reserved_at_once() -> None:
    """When a transfer to a logged-out agent goes to another agent, its state says so."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q"), agent("c", "q")])
    h.login("a", "c", at=0)
    h.take("i1", "q", at=1)  # a
    out = h.send(TransferToAgent("i1", "b"), at=5)
    ringing = [o.agent_id for o in of_type(out, OfferToAgent)]
    assert ringing == ["c"]
    assert h.state("c") is AgentState.RESERVED
    assert h.state_changes("c")[-1].state == "reserved"


def test_direct_transfer_falls_back_when_the_agent_logs_out() -> None:
    """An interaction waiting for an agent who logs out goes to the queue's line."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q"), agent("c", "q")])
    h.login("a", "b", "c", at=0)
    h.take("x", "q", at=0)  # a
    h.take("i1", "q", at=1)  # b
    h.take("y", "q", at=2)  # c
    h.send(AgentPause("b"), at=3)
    h.send(TransferToAgent("i1", "a"), at=5)  # a busy: i1 waits for a
    h.send(AgentLogout("a"), at=6)  # pending until a's call ends
    h.hang_up("c", "y", at=7)
    assert h.offered("i1") == ["b"]
    h.hang_up("a", "x", at=8)  # a logs out: i1 goes to the line, c takes it
    assert h.state("a") is AgentState.LOGGED_OUT
    assert h.offered("i1") == ["b", "c"]


def test_two_transfers_are_counted_and_all_talk_summed() -> None:
    """A queue transfer then an agent transfer: transfers=2, all three segments summed."""
    h = two_queues()
    h.login("a", "b", "c", at=0)
    h.take("i1", "sales", at=0)  # a
    h.send(TransferToQueue("i1", "tech"), at=10)
    h.answer("b", "i1", at=11)
    h.send(TransferToAgent("i1", "c"), at=31)
    h.answer("c", "i1", at=32)
    h.hang_up("c", "i1", at=72)
    rec = h.record("i1")
    assert (rec.transfers, rec.talk_seconds, rec.agent_id) == (2, 10 + 20 + 40, "c")


def test_transfer_to_a_closed_queue_exits_with_closed() -> None:
    """A transfer to a queue that is closed is turned away like an arrival."""
    h = Harness([QueueConfig("q"), QueueConfig("night", calendar=Calendar())],
                [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    out = h.send(TransferToQueue("i1", "night"), at=10)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "night", "closed", "hangup")]
    rec = h.record("i1")
    assert (rec.outcome, rec.transfers, rec.answered_at) == ("rejected", 1, 0)


def test_transfer_of_a_waiting_interaction_is_illegal() -> None:
    """Transferring an interaction that is not connected raises naming its state."""
    h = two_queues()
    h.arrive("i1", "sales", at=0)
    with pytest.raises(RoutingError, match="queued"):
        h.send(TransferToQueue("i1", "tech"), at=1)


def test_transfer_to_the_same_agent_is_refused() -> None:
    """An agent cannot transfer an interaction to itself."""
    h = two_queues()
    h.login("a", at=0)
    h.take("i1", "sales", at=0)
    with pytest.raises(RoutingError, match="itself"):
        h.send(TransferToAgent("i1", "a"), at=1)
    assert h.ix_state("i1") is InteractionState.CONNECTED


def test_chat_transferred_back_to_its_own_agent_frees_both_slots() -> None:
    """A chat that comes back to the agent still wrapping it up leaks no slot and times right."""
    h = Harness([QueueConfig("chat", channel="chat", wrap_up=30)], [agent("a", "chat", chat=2)])
    h.login("a", at=0)
    h.take("c1", "chat", at=0)
    h.send(TransferToQueue("c1", "chat"), at=10)  # a wraps its part; c1 rings a again
    h.answer("a", "c1", at=11)
    h.hang_up("a", "c1", at=20)
    h.run_until(50)
    rec = h.record("c1")
    assert (rec.completed_at, rec.wrap_seconds, rec.talk_seconds) == (50, 30, 19)
    h.take("c2", "chat", at=60)
    h.take("c3", "chat", at=61)
    assert h.ix_state("c3") is InteractionState.CONNECTED


def test_hang_ups_tell_the_adapter_which_side_ended() -> None:
    """Disconnect names who hung up, so telephony tears down the other leg."""
    for event, reason in ((AgentHungUp("a", "i1"), "agent_hung_up"),
                          (CallerHungUp("i1"), "caller_hung_up")):
        engine = Engine([QueueConfig("q")], [AgentConfig("a")])
        engine.handle(AgentLogin("a"), 0.0)
        engine.handle(InteractionArrived("i1", "q"), 1.0)
        engine.handle(OfferAccepted("a", "i1"), 2.0)
        assert Disconnect("i1", "a", reason) in engine.handle(event, 30.0)


def test_direct_transfer_reaches_an_agent_outside_the_channels_queues() -> None:
    """A chat transferred to an agent who serves no chat queue is still offered to it."""
    engine = Engine([QueueConfig("chat", channel="chat"), QueueConfig("voice")],
                    [AgentConfig("a", queues=(Membership("chat"),)),
                     AgentConfig("b", queues=(Membership("voice"),))])
    engine.handle(AgentLogin("a"), 0.0)
    engine.handle(AgentLogin("b"), 0.0)
    engine.handle(InteractionArrived("c1", "chat"), 1.0)
    engine.handle(OfferAccepted("a", "c1"), 2.0)
    out = engine.handle(TransferToAgent("c1", "b"), 3.0)
    assert [(c.interaction_id, c.agent_id) for c in of_type(out, OfferToAgent)] == [("c1", "b")]


def test_direct_transfer_to_an_agent_without_capacity_is_refused() -> None:
    """Transferring a chat to an agent with no chat capacity raises, naming the channel."""
    engine = Engine([QueueConfig("chat", channel="chat")],
                    [AgentConfig("a"), AgentConfig("b", capacity=(("voice", 1),))])
    engine.handle(AgentLogin("a"), 0.0)
    engine.handle(InteractionArrived("c1", "chat"), 1.0)
    engine.handle(OfferAccepted("a", "c1"), 2.0)
    with pytest.raises(RoutingError, match="no chat"):
        engine.handle(TransferToAgent("c1", "b"), 3.0)
    assert engine.interaction_state("c1") is InteractionState.CONNECTED


def test_declined_direct_transfer_waits_under_the_queues_max_wait() -> None:
    """A direct transfer the agent declines joins the queue's line and times out there."""
    engine = Engine([QueueConfig("q", max_wait=60, retry_after=0, wrap_up=0)],
                    [AgentConfig("a"), AgentConfig("b")])
    engine.handle(AgentLogin("a"), 0.0)
    engine.handle(AgentLogin("b", ready=False), 0.0)
    engine.handle(InteractionArrived("i1", "q"), 1.0)
    engine.handle(OfferAccepted("a", "i1"), 2.0)
    engine.handle(AgentPause("a", "break"), 2.5)
    engine.handle(AgentReady("b"), 2.6)
    engine.handle(TransferToAgent("i1", "b"), 3.0)
    engine.handle(OfferRejected("b", "i1"), 4.0)
    engine.handle(AgentPause("b", "break"), 4.5)
    out = engine.handle(TimerExpired(), 64.0)
    assert [(c.reason, c.action) for c in of_type(out, ExitQueue)] == [("max_wait", "hangup")]
    assert engine.interaction_state("i1") is None
