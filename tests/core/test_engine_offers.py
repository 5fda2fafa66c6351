"""Offers: expiry, declines and the retry delay, auto-pause after missed offers, abandons."""

from __future__ import annotations

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import OfferToAgent, WithdrawOffer
from callcenter.core.config import EngineSettings, QueueConfig, Strategy
from callcenter.core.events import AgentReady, CallerHungUp, OfferRejected
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type


def test_offer_carries_its_expiry() -> None:
    """An offer rings until now + offer_timeout."""
    h = Harness([QueueConfig("q", offer_timeout=15)], [agent("a", "q")])
    h.login("a", at=0)
    out = h.arrive("i1", "q", at=10)
    assert of_type(out, OfferToAgent) == [OfferToAgent("i1", "a", "q", "voice", 25.0)]
    assert h.state("a") is AgentState.RESERVED
    assert h.ix_state("i1") is InteractionState.OFFERED


def test_unanswered_offer_is_withdrawn_at_its_expiry() -> None:
    """At expiry the agent gets WithdrawOffer(timeout) and the interaction is queued again."""
    h = Harness([QueueConfig("q", offer_timeout=15)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    assert h.run_until(24.9) == []
    out = h.run_until(25)
    assert of_type(out, WithdrawOffer) == [WithdrawOffer("i1", "a", "timeout")]
    assert h.ix_state("i1") is InteractionState.QUEUED
    assert h.state("a") is AgentState.AVAILABLE


def test_unanswered_offer_goes_back_to_the_head_of_its_line() -> None:
    """An interaction whose offer expired is offered before those that arrived after it."""
    h = Harness([QueueConfig("q", offer_timeout=15)], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.take("busy", "q", at=1)  # a takes it
    h.arrive("i1", "q", at=10)  # rings b
    h.arrive("i2", "q", at=12)  # waits
    h.run_until(25)  # b lets i1 ring out: b is free but may not retry i1 yet
    assert h.offers_to("b") == ["i1", "i2"]
    h.send(OfferRejected("b", "i2"), at=26)
    h.hang_up("a", "busy", at=27)
    assert h.offers_to("a") == ["busy", "i1"]


def test_rejected_offer_goes_back_to_the_head_of_its_line() -> None:
    """A declined interaction keeps its place ahead of later arrivals."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.take("busy", "q", at=1)
    h.arrive("i1", "q", at=10)  # rings b
    h.arrive("i2", "q", at=11)
    out = h.send(OfferRejected("b", "i1"), at=12)
    assert WithdrawOffer("i1", "b", "rejected") in out
    assert h.offers_to("b") == ["i1", "i2"]  # b may take i2 meanwhile
    h.hang_up("a", "busy", at=13)
    assert h.offers_to("a") == ["busy", "i1"]


def test_another_agent_gets_a_declined_interaction_at_once() -> None:
    """After a decline, another available agent is offered the interaction immediately."""
    h = Harness([QueueConfig("q")], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.arrive("i1", "q", at=10)
    h.send(OfferRejected("a", "i1"), at=11)
    assert h.offered("i1") == ["a", "b"]


def test_decliner_is_not_offered_the_same_interaction_within_retry_after() -> None:
    """The agent who declined gets the same interaction again only after retry_after."""
    h = Harness([QueueConfig("q", retry_after=10)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.send(OfferRejected("a", "i1"), at=1)
    h.run_until(10.9)
    assert h.offered("i1") == ["a"]
    assert h.state("a") is AgentState.AVAILABLE
    h.run_until(11)
    assert h.offered("i1") == ["a", "a"]


def test_decliner_freed_later_skips_the_interaction_within_retry_after() -> None:
    """An agent who declined and comes back within retry_after is not offered it on return."""
    h = Harness([QueueConfig("q", retry_after=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.send(OfferRejected("a", "i1"), at=1)
    h.send(AgentReady("a"), at=5)
    h.run_until(30)
    assert h.offered("i1") == ["a"]


def test_decliner_takes_other_work_within_retry_after() -> None:
    """An agent who declined one interaction is still offered a different one."""
    h = Harness([QueueConfig("q", retry_after=60)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.send(OfferRejected("a", "i1"), at=1)
    h.arrive("i2", "q", at=2)
    assert h.offers_to("a") == ["i1", "i2"]


def test_missed_offers_pause_the_agent() -> None:
    """`max_missed_offers` consecutive unanswered offers pause the agent (missed_offers)."""
    h = Harness([QueueConfig("q", offer_timeout=5, retry_after=0)], [agent("a", "q")],
                settings=EngineSettings(max_missed_offers=3))
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(10)  # two expiries: at 5 and 10
    assert h.state("a") is AgentState.RESERVED
    h.run_until(15)
    assert h.state("a") is AgentState.PAUSED
    change = h.state_changes("a")[-1]
    assert (change.state, change.reason, change.at) == ("paused", "missed_offers", 15)
    assert h.ix_state("i1") is InteractionState.QUEUED
    assert h.offered("i1") == ["a", "a", "a"]


def test_accept_resets_the_missed_offer_count() -> None:
    """An accepted offer starts the consecutive-miss count again."""
    h = Harness([QueueConfig("q", offer_timeout=5, retry_after=100)], [agent("a", "q")],
                settings=EngineSettings(max_missed_offers=2))
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(5)  # miss 1
    h.take("i2", "q", at=6)  # accepted: count back to 0
    h.hang_up("a", "i2", at=7)
    h.arrive("i3", "q", at=8)
    h.run_until(13)  # miss 1 again, not 2
    assert h.offers_to("a") == ["i1", "i2", "i3"]
    assert h.state("a") is AgentState.AVAILABLE


def test_ready_after_missed_offers_pause_returns_the_agent_to_work() -> None:
    """After an auto-pause, AgentReady makes the agent available and it gets the work again."""
    h = Harness([QueueConfig("q", offer_timeout=5, retry_after=0)], [agent("a", "q")],
                settings=EngineSettings(max_missed_offers=1))
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(5)
    assert h.state("a") is AgentState.PAUSED
    h.send(AgentReady("a"), at=50)
    assert h.offered("i1") == ["a", "a"]


# ---------------------------------------------------------------- abandons


def test_abandon_while_queued_writes_an_abandoned_row_with_the_wait() -> None:
    """A caller hanging up in line gives an ABANDONED row whose wait is the time in line."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=10)
    h.send(CallerHungUp("i1"), at=42)
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.answered_at) == ("abandoned", "caller_hung_up",
                                                               None)
    assert rec.wait == 32
    assert h.ix_state("i1") is None


def test_abandon_while_ringing_withdraws_the_offer() -> None:
    """A caller hanging up while ringing: WithdrawOffer(caller_hung_up), agent free again."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    out = h.send(CallerHungUp("i1"), at=14)
    assert of_type(out, WithdrawOffer) == [WithdrawOffer("i1", "a", "caller_hung_up")]
    assert h.state("a") is AgentState.AVAILABLE
    rec = h.record("i1")
    assert (rec.outcome, rec.wait, rec.offers) == ("abandoned", 4, 1)
    assert rec.first_offered_at == 10


def test_abandon_while_ringing_is_not_a_missed_offer() -> None:
    """The ringing agent is not counted as missing the offer when the caller hangs up."""
    h = Harness([QueueConfig("q")], [agent("a", "q")],
                settings=EngineSettings(max_missed_offers=1))
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    h.send(CallerHungUp("i1"), at=14)
    assert h.state("a") is AgentState.AVAILABLE


def test_abandon_while_ringing_all_withdraws_every_offer() -> None:
    """With ring-all, every ringing agent's offer is withdrawn when the caller hangs up."""
    h = Harness([QueueConfig("q", strategy=Strategy.RING_ALL)], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.arrive("i1", "q", at=10)
    out = h.send(CallerHungUp("i1"), at=11)
    assert sorted(w.agent_id for w in of_type(out, WithdrawOffer)) == ["a", "b"]
    assert h.record("i1").outcome == "abandoned"


def test_abandon_after_an_expired_offer_counts_offers() -> None:
    """The abandoned row counts the offers made and the first offer time."""
    h = Harness([QueueConfig("q", offer_timeout=5, retry_after=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=2)
    h.run_until(8)  # expired at 7, offered again at 7
    h.send(CallerHungUp("i1"), at=9)
    rec = h.record("i1")
    assert (rec.offers, rec.first_offered_at, rec.wait) == (2, 2, 7)


def test_hangup_of_an_ended_interaction_is_ignored() -> None:
    """A late CallerHungUp for an interaction that already ended changes nothing."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    h.send(CallerHungUp("i1"), at=1)
    assert h.send(CallerHungUp("i1"), at=2) == []


def test_a_line_lost_while_queued_is_lost_not_abandoned() -> None:
    """A media failure while the caller waits ends the interaction `lost`, with its reason."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=10)
    h.send(CallerHungUp("i1", "media_lost"), at=25)
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.wait) == ("lost", "media_lost", 15)


def test_a_line_lost_while_ringing_withdraws_the_offer_and_is_lost() -> None:
    """A media failure while an agent's phone rings: the offer is withdrawn, the row is lost."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    out = h.send(CallerHungUp("i1", "media_lost"), at=12)
    assert [w.agent_id for w in of_type(out, WithdrawOffer)] == ["a"]
    assert h.record("i1").outcome == "lost" and h.state("a") is AgentState.AVAILABLE


def test_a_dropped_outbound_call_counts_as_abandoned() -> None:
    """`dropped` (the dialer released a live answer) is the customer leaving: abandoned."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=10)
    h.send(CallerHungUp("i1", "dropped"), at=12)
    assert (h.record("i1").outcome, h.record("i1").exit_reason) == ("abandoned", "dropped")


def test_a_line_lost_in_conversation_completes_the_call() -> None:
    """Connected calls end as completed (the talk happened), the reason kept."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    h.answer("a", "i1", at=11)
    h.send(CallerHungUp("i1", "media_lost"), at=40)
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason) == ("completed", "media_lost")
