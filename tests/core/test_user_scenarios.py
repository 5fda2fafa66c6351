"""The main paths of a call, driven through the real engine, as a call center user sees them.

Each expected figure is worked out by hand from the scenario (times in seconds on the
test's clock), not read back from the engine's own tables or metrics.
"""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import Connect, Disconnect, Hold, OfferToAgent, WithdrawOffer
from callcenter.core.config import EngineSettings, QueueConfig
from callcenter.core.errors import RoutingError
from callcenter.core.events import (
    AgentLogin,
    AgentPause,
    AgentReady,
    CallbackRequested,
    CallerHungUp,
    HoldCall,
    OfferRejected,
    ResumeCall,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type

AS, IS = AgentState, InteractionState


def test_answered_call_talks_wraps_up_and_frees_the_agent() -> None:
    """Offer at 10, answer at 14, hang-up at 74, 30 s wrap-up: the agent shows ringing,
    talking, wrap-up, available in turn, and the row has the hand-worked times."""
    h = Harness([QueueConfig("q", wrap_up=30, offer_timeout=20)], [agent("a", "q")])
    h.login("a", at=0)
    assert h.state("a") is AS.AVAILABLE

    out = h.arrive("i1", "q", at=10)
    assert of_type(out, OfferToAgent) == [OfferToAgent("i1", "a", "q", "voice", 30.0)]
    assert (h.state("a"), h.ix_state("i1")) == (AS.RESERVED, IS.OFFERED)

    out = h.answer("a", "i1", at=14)
    assert of_type(out, Connect) == [Connect("i1", "a")]
    assert (h.state("a"), h.ix_state("i1")) == (AS.BUSY, IS.CONNECTED)

    h.hang_up("a", "i1", at=74)
    assert (h.state("a"), h.ix_state("i1")) == (AS.WRAP_UP, IS.WRAP_UP)
    assert not h.has_record("i1")  # not finished until the wrap-up is

    h.run_until(104)
    assert h.state("a") is AS.AVAILABLE
    assert h.ix_state("i1") is None
    rec = h.record("i1")
    assert (rec.outcome, rec.agent_id, rec.arrived_at, rec.first_offered_at, rec.answered_at,
            rec.ended_at, rec.completed_at) == ("completed", "a", 10, 10, 14, 74, 104)
    assert (rec.talk_seconds, rec.wrap_seconds, rec.offers, rec.transfers) == (60, 30, 1, 0)
    assert [(s.state, s.start, s.end) for s in h.spans("a")] == [
        ("available", 0, 10), ("reserved", 10, 14), ("busy", 14, 74), ("wrap_up", 74, 104)]


def test_a_voice_agent_in_wrap_up_is_not_offered_the_next_call() -> None:
    """A call arriving during the only agent's wrap-up waits; it rings when wrap-up ends."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.handle_call("i1", "q", at=10, talk=20)  # hang-up at 30, wrap-up until 60
    out = h.arrive("i2", "q", at=40)
    assert of_type(out, OfferToAgent) == []
    assert (h.state("a"), h.ix_state("i2")) == (AS.WRAP_UP, IS.QUEUED)
    h.run_until(60)
    assert h.offers_to("a") == ["i1", "i2"]
    assert h.state("a") is AS.RESERVED


def test_wrap_up_done_early_frees_the_agent_with_the_disposition() -> None:
    """WrapUpDone at 40 ends a 30 s wrap-up begun at 30 early: 10 s of wrap, disposition kept."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.handle_call("i1", "q", at=10, talk=20)
    h.send(WrapUpDone("a", "i1", "sale"), at=40)
    assert h.state("a") is AS.AVAILABLE
    rec = h.record("i1")
    assert (rec.completed_at, rec.wrap_seconds, rec.disposition) == (40, 10, "sale")


def test_a_paused_agent_gets_no_offer_until_ready() -> None:
    """A call waits while its only agent is paused and rings it when the agent is ready."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.send(AgentPause("a", "lunch"), at=1)
    assert of_type(h.arrive("i1", "q", at=5), OfferToAgent) == []
    h.run_until(500)
    assert (h.state("a"), h.ix_state("i1"), h.offers_to("a")) == (AS.PAUSED, IS.QUEUED, [])
    out = h.send(AgentReady("a"), at=600)
    assert [o.agent_id for o in of_type(out, OfferToAgent)] == ["a"]


def test_missed_offers_auto_pause_the_agent_and_the_call_waits() -> None:
    """With max_missed_offers=2 and a 10 s ring, offers at 0 and 10 go unanswered: at 20 the
    agent is paused (missed_offers) and the call is back in line, offered to nobody."""
    h = Harness([QueueConfig("q", offer_timeout=10, retry_after=0)], [agent("a", "q")],
                settings=EngineSettings(max_missed_offers=2))
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(10)
    assert h.state("a") is AS.RESERVED  # one miss: rung again
    h.run_until(20)
    assert (h.state("a"), h.ix_state("i1")) == (AS.PAUSED, IS.QUEUED)
    assert [(w.agent_id, w.reason) for w in h.withdrawals("i1")] == [("a", "timeout")] * 2
    change = h.state_changes("a")[-1]
    assert (change.state, change.reason, change.at) == ("paused", "missed_offers", 20)
    h.run_until(100)
    assert h.offered("i1") == ["a", "a"]  # a paused agent is not rung again


def test_missed_offers_go_to_another_agent_at_once() -> None:
    """An unanswered offer at 0 (10 s ring) is offered to the other idle agent at 10."""
    h = Harness([QueueConfig("q", offer_timeout=10)], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.arrive("i1", "q", at=0)
    first = h.offered("i1")[0]
    other = "b" if first == "a" else "a"
    out = h.run_until(10)
    assert of_type(out, OfferToAgent) == [OfferToAgent("i1", other, "q", "voice", 20.0)]
    assert h.state(first) is AS.AVAILABLE


def test_caller_abandons_while_ringing() -> None:
    """The caller hangs up at 8 while the agent's phone rings: the offer is withdrawn, the
    agent is available again, and the row is an abandon after 8 s with no answer."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    out = h.send(CallerHungUp("i1"), at=8)
    assert of_type(out, WithdrawOffer) == [WithdrawOffer("i1", "a", "caller_hung_up")]
    assert (h.state("a"), h.ix_state("i1")) == (AS.AVAILABLE, None)
    rec = h.record("i1")
    assert (rec.outcome, rec.answered_at, rec.ended_at, rec.offers) == ("abandoned", None, 8, 1)
    with pytest.raises(RoutingError, match="'a' is available: cannot accept"):
        h.answer("a", "i1", at=9)  # too late: the caller is gone


def test_hold_and_resume_keep_the_agent_talking() -> None:
    """Hold at 20, resume at 35, hang-up at 50 after an answer at 10: the agent stays busy on
    hold, telephony is told both times, and the row has 25 s talk and 15 s hold."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=10)
    assert of_type(h.send(HoldCall("i1"), at=20), Hold) == [Hold("i1", "a", True)]
    assert (h.state("a"), h.ix_state("i1")) == (AS.BUSY, IS.CONNECTED)
    assert of_type(h.send(ResumeCall("i1"), at=35), Hold) == [Hold("i1", "a", False)]
    h.hang_up("a", "i1", at=50)
    rec = h.record("i1")
    assert (rec.outcome, rec.talk_seconds, rec.hold_seconds) == ("completed", 25, 15)


def test_transfer_to_another_queue_reaches_that_queues_agent() -> None:
    """Sales agent a answers at 10 and transfers to support at 40; a goes to wrap-up, support
    agent b is rung, answers at 45 and hangs up at 100: one completed row, two talks."""
    h = Harness([QueueConfig("sales", wrap_up=15), QueueConfig("support")],
                [agent("a", "sales"), agent("b", "support")])
    h.login("a", "b", at=0)
    h.take("i1", "sales", at=10)
    assert h.state("b") is AS.AVAILABLE  # not a sales agent
    out = h.send(TransferToQueue("i1", "support"), at=40)
    assert Disconnect("i1", "a", "transferred") in out
    assert [(o.agent_id, o.queue_id) for o in of_type(out, OfferToAgent)] == [("b", "support")]
    assert (h.state("a"), h.state("b"), h.ix_state("i1")) == (AS.WRAP_UP, AS.RESERVED,
                                                              IS.OFFERED)
    h.answer("b", "i1", at=45)
    h.run_until(55)
    assert (h.state("a"), h.state("b")) == (AS.AVAILABLE, AS.BUSY)
    h.hang_up("b", "i1", at=100)
    rec = h.record("i1")
    assert (rec.outcome, rec.first_queue_id, rec.queue_id, rec.agent_id) == (
        "completed", "sales", "support", "b")
    assert (rec.transfers, rec.answered_at, rec.talk_seconds) == (1, 10, 30 + 55)


def test_a_call_in_wrap_up_or_completed_cannot_be_transferred() -> None:
    """Once the conversation ended the call cannot be transferred, in wrap-up or after."""
    h = Harness([QueueConfig("q", wrap_up=30), QueueConfig("other")],
                [agent("a", "q"), agent("b", "other")])
    h.login("a", "b", at=0)
    h.handle_call("i1", "q", at=10, talk=20)
    with pytest.raises(RoutingError, match="'i1' is wrap_up: cannot transfer"):
        h.send(TransferToQueue("i1", "other"), at=35)
    h.run_until(60)
    with pytest.raises(RoutingError, match="no open interaction 'i1'"):
        h.send(TransferToQueue("i1", "other"), at=70)
    assert h.offers_to("b") == []
    assert h.record("i1").transfers == 0


def test_a_callback_keeps_its_place_and_neither_abandons_nor_times_out() -> None:
    """A caller waiting with nobody logged in leaves a callback at 5: past the 60 s max wait
    and after the caller's hang-up it still waits, and the first agent in is offered it."""
    h = Harness([QueueConfig("q", max_wait=60)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.send(CallbackRequested("i1"), at=5)
    h.send(CallerHungUp("i1"), at=6)  # the caller is off the line: nothing ends
    h.run_until(500)
    assert h.ix_state("i1") is IS.CALLBACK_REQUESTED and not h.has_record("i1")
    h.send(AgentLogin("a"), at=600)
    assert h.offered("i1") == ["a"]
    h.answer("a", "i1", at=610)
    h.hang_up("a", "i1", at=700)
    rec = h.record("i1")
    assert (rec.outcome, rec.callback, rec.answered_at, rec.talk_seconds) == (
        "completed", True, 610, 90)


def test_a_callback_asked_while_ringing_lets_the_ring_go_on() -> None:
    """The caller asks for a callback at 5 while agent a's phone rings: it keeps ringing;
    a declines at 6 and the interaction waits as a callback for the next agent."""
    h = Harness([QueueConfig("q", retry_after=100)], [agent("a", "q"), agent("b", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=1)
    h.send(CallbackRequested("i1"), at=5)
    assert (h.state("a"), h.ix_state("i1"), h.withdrawals("i1")) == (AS.RESERVED, IS.OFFERED,
                                                                     [])
    h.send(OfferRejected("a", "i1"), at=6)
    assert (h.state("a"), h.ix_state("i1")) == (AS.AVAILABLE, IS.CALLBACK_REQUESTED)
    h.login("b", at=20)
    assert h.offered("i1") == ["a", "b"]


@pytest.mark.parametrize("answered", [True, False], ids=["answered", "unanswered"])
def test_max_wait_does_not_cut_a_ringing_call(answered: bool) -> None:
    """Max wait 30 s passes while the call rings (offered at 25 for 20 s): the ring goes on;
    answered at 40 it completes, else it times out when the ring ends at 45."""
    h = Harness([QueueConfig("q", max_wait=30, offer_timeout=20)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.login("a", at=25)
    h.run_until(35)
    assert (h.ix_state("i1"), h.state("a")) == (IS.OFFERED, AS.RESERVED)
    if answered:
        h.answer("a", "i1", at=40)
        h.hang_up("a", "i1", at=50)
        assert (h.record("i1").outcome, h.record("i1").answered_at) == ("completed", 40)
        return
    h.run_until(60)
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.ended_at) == ("timed_out", "max_wait", 45)
    assert [(w.agent_id, w.reason) for w in h.withdrawals("i1")] == [("a", "timeout")]
    assert h.state("a") is AS.AVAILABLE
