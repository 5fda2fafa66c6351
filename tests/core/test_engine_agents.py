"""Agents: wrap-up, pause and logout while working, state spans, capacity per channel."""

from __future__ import annotations

import itertools

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import OfferToAgent
from callcenter.core.config import QueueConfig
from callcenter.core.events import (
    AgentLogout,
    AgentPause,
    AgentReady,
    CallerHungUp,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionState
from callcenter.core.records import AgentSpan
from tests.core.conftest import Harness, agent, of_type

# ---------------------------------------------------------------- wrap-up


def test_wrap_up_timer_ends_wrap_up_after_the_queue_setting() -> None:
    """After the conversation, the agent wraps up for `wrap_up` seconds, then is available."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=10)
    h.hang_up("a", "i1", at=100)
    assert h.state("a") is AgentState.WRAP_UP
    assert h.ix_state("i1") is InteractionState.WRAP_UP
    h.run_until(129.9)
    assert h.state("a") is AgentState.WRAP_UP
    h.run_until(130)
    assert h.state("a") is AgentState.AVAILABLE
    rec = h.record("i1")
    assert (rec.outcome, rec.answered_at, rec.ended_at, rec.completed_at) == (
        "completed", 10, 100, 130)
    assert (rec.talk_seconds, rec.wrap_seconds, rec.agent_id) == (90, 30, "a")


def test_wrap_up_done_ends_it_early_with_a_disposition() -> None:
    """`WrapUpDone` ends wrap-up before the timer and puts the disposition in the row."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=10)
    h.hang_up("a", "i1", at=100)
    h.send(WrapUpDone("a", "i1", "sale"), at=112)
    assert h.state("a") is AgentState.AVAILABLE
    rec = h.record("i1")
    assert (rec.disposition, rec.wrap_seconds, rec.completed_at) == ("sale", 12, 112)
    assert h.engine.next_deadline() is None


def test_zero_wrap_up_goes_straight_to_available() -> None:
    """With wrap_up=0 the agent is available as soon as the conversation ends."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=10)
    h.hang_up("a", "i1", at=50)
    assert h.state("a") is AgentState.AVAILABLE
    rec = h.record("i1")
    assert (rec.completed_at, rec.wrap_seconds) == (50, 0)


def test_wrap_up_is_timed_from_an_end_at_time_zero() -> None:
    """wrap_seconds is right when the conversation ended at time 0 (the simulator's start)."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.hang_up("a", "i1", at=0)
    h.run_until(30)
    rec = h.record("i1")
    assert (rec.ended_at, rec.completed_at, rec.wrap_seconds) == (0, 30, 30)


def test_caller_hanging_up_ends_the_talk_and_starts_wrap_up() -> None:
    """`CallerHungUp` while connected ends the talk; the agent wraps up."""
    h = Harness([QueueConfig("q", wrap_up=10)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=5)
    h.send(CallerHungUp("i1"), at=65)
    assert h.state("a") is AgentState.WRAP_UP
    h.run_until(75)
    rec = h.record("i1")
    assert (rec.outcome, rec.talk_seconds, rec.wrap_seconds) == ("completed", 60, 10)


def test_agent_in_wrap_up_is_not_offered_work() -> None:
    """A waiting interaction goes to the agent only once its wrap-up ends."""
    h = Harness([QueueConfig("q", wrap_up=30)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.hang_up("a", "i1", at=10)
    h.arrive("i2", "q", at=11)
    assert h.ix_state("i2") is InteractionState.QUEUED
    h.run_until(40)
    assert h.offers_to("a") == ["i1", "i2"]


# ---------------------------------------------------------------- pause and logout


def test_pause_while_busy_takes_effect_after_wrap_up() -> None:
    """A pause asked during a call leaves the agent busy, then paused after wrap-up."""
    h = Harness([QueueConfig("q", wrap_up=20)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.send(AgentPause("a", "lunch"), at=5)
    assert h.state("a") is AgentState.BUSY
    h.hang_up("a", "i1", at=10)
    assert h.state("a") is AgentState.WRAP_UP
    h.run_until(30)
    assert h.state("a") is AgentState.PAUSED
    change = h.state_changes("a")[-1]
    assert (change.reason, change.at) == ("lunch", 30)


def test_agent_with_a_pending_pause_gets_no_new_offer() -> None:
    """After asking to pause, the agent is not offered the waiting work when it frees."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.send(AgentPause("a"), at=1)
    h.arrive("i2", "q", at=2)
    h.hang_up("a", "i1", at=3)
    assert h.offers_to("a") == ["i1"]
    assert h.state("a") is AgentState.PAUSED


def test_ready_while_busy_cancels_a_pending_pause() -> None:
    """AgentReady before the work ends cancels the pause asked earlier."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.send(AgentPause("a"), at=1)
    h.send(AgentReady("a"), at=2)
    h.hang_up("a", "i1", at=3)
    assert h.state("a") is AgentState.AVAILABLE


def test_logout_while_busy_takes_effect_after_wrap_up() -> None:
    """A logout asked during a call logs the agent out when its wrap-up ends."""
    h = Harness([QueueConfig("q", wrap_up=20)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.send(AgentLogout("a"), at=5)
    assert h.state("a") is AgentState.BUSY
    h.hang_up("a", "i1", at=10)
    assert h.state("a") is AgentState.WRAP_UP
    h.run_until(30)
    assert h.state("a") is AgentState.LOGGED_OUT


def test_logout_while_ringing_takes_effect_when_the_offer_ends() -> None:
    """A logout during an offer lets it ring out, then logs the agent out."""
    h = Harness([QueueConfig("q", offer_timeout=10)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.send(AgentLogout("a"), at=1)
    assert h.state("a") is AgentState.RESERVED
    h.run_until(10)
    assert h.state("a") is AgentState.LOGGED_OUT
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_paused_agent_gets_waiting_work_when_ready() -> None:
    """A paused agent is skipped; on AgentReady it is offered the waiting interaction."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0, ready=False)
    assert h.state("a") is AgentState.PAUSED
    assert h.state_changes("a")[-1].reason == "login"
    h.arrive("i1", "q", at=5)
    assert h.ix_state("i1") is InteractionState.QUEUED
    h.send(AgentReady("a"), at=9)
    assert h.offered("i1") == ["a"]


def test_spans_cover_the_agents_time_without_gaps_or_overlaps() -> None:
    """The agent's spans follow each other exactly, each with its state and reason."""
    h = Harness([QueueConfig("q", wrap_up=10)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    h.answer("a", "i1", at=12)
    h.send(AgentPause("a", "coffee"), at=20)  # pending until the work is done
    h.hang_up("a", "i1", at=40)
    h.run_until(50)
    h.send(AgentPause("a", "lunch"), at=60)
    h.send(AgentReady("a"), at=90)
    h.send(AgentLogout("a"), at=100)
    assert h.spans("a") == [
        AgentSpan("a", "available", 0, 10),
        AgentSpan("a", "reserved", 10, 12),
        AgentSpan("a", "busy", 12, 40),
        AgentSpan("a", "wrap_up", 40, 50),
        AgentSpan("a", "paused", 50, 60, "coffee"),
        AgentSpan("a", "paused", 60, 90, "lunch"),
        AgentSpan("a", "available", 90, 100),
    ]


def test_spans_are_contiguous_through_a_busy_day() -> None:
    """Over many calls, pauses and a logout the spans chain end to start with no overlap."""
    h = Harness([QueueConfig("q", wrap_up=7)], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    t = 0.0
    for n in range(20):
        t += 13
        offers = of_type(h.arrive(f"i{n}", "q", at=t), OfferToAgent)
        if not offers:
            continue
        aid = offers[0].agent_id
        if n % 3 == 0:
            h.answer(aid, f"i{n}", at=t + 1)
            h.hang_up(aid, f"i{n}", at=t + 5)
        if n % 5 == 0 and h.state(aid) is AgentState.AVAILABLE:
            h.send(AgentPause(aid), at=t + 6)
            h.send(AgentReady(aid), at=t + 20)
            t += 20
    h.run_until(t + 100)
    h.send(AgentLogout("a"), at=t + 200)
    h.send(AgentLogout("b"), at=t + 200)
    states = {s.state for aid in ("a", "b") for s in h.spans(aid)}
    assert states == {"available", "reserved", "busy", "wrap_up", "paused"}
    for aid in ("a", "b"):
        spans = h.spans(aid)
        assert spans[0].start == 0
        assert spans[-1].end == t + 200
        for s1, s2 in itertools.pairwise(spans):
            assert s1.end == s2.start, (s1, s2)
            assert (s1.state, s1.reason) != (s2.state, s2.reason), (s1, s2)
        assert all(s.duration > 0 for s in spans)


def test_first_span_does_not_reach_back_before_the_engine_started() -> None:
    """An agent's first span starts no earlier than the engine's first event."""
    t0 = 1_767_600_000.0
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.arrive("i1", "q", at=t0)
    h.login("a", at=t0 + 60)  # offered i1 at once: ringing from t0 + 60
    h.answer("a", "i1", at=t0 + 70)  # ends the ringing span
    spans = h.spans("a")
    assert spans and spans[0].start == t0 + 60
    assert all(s.start >= t0 for s in spans)


# ---------------------------------------------------------------- capacity


def chat_harness(chat: int = 2, **qkw: object) -> Harness:
    return Harness([QueueConfig("chat", channel="chat", **qkw),  # type: ignore[arg-type]
                    QueueConfig("voice")],
                   [agent("a", "chat", "voice", chat=chat)])


def test_chat_agent_with_capacity_two_holds_two_chats() -> None:
    """An agent with chat capacity 2 is offered and holds two chats at once."""
    h = chat_harness()
    h.login("a", at=0)
    h.take("c1", "chat", at=1)
    h.take("c2", "chat", at=2)
    assert h.ix_state("c1") is InteractionState.CONNECTED
    assert h.ix_state("c2") is InteractionState.CONNECTED
    assert h.state("a") is AgentState.BUSY


def test_two_chats_can_ring_at_once() -> None:
    """Two chats arriving together both ring the agent with chat capacity 2."""
    h = chat_harness()
    h.login("a", at=0)
    h.arrive("c1", "chat", at=1)
    h.arrive("c2", "chat", at=1)
    assert h.offers_to("a") == ["c1", "c2"]
    assert h.state("a") is AgentState.RESERVED


def test_third_chat_waits_for_a_free_slot() -> None:
    """A chat beyond the capacity waits until one of the agent's chats is done."""
    h = chat_harness()
    h.login("a", at=0)
    h.take("c1", "chat", at=1)
    h.take("c2", "chat", at=2)
    h.arrive("c3", "chat", at=3)
    assert h.ix_state("c3") is InteractionState.QUEUED
    h.hang_up("a", "c1", at=4)
    assert h.offers_to("a") == ["c1", "c2", "c3"]


def test_chat_in_wrap_up_holds_its_slot() -> None:
    """A chat in wrap-up still uses a slot; the slot frees when wrap-up ends."""
    h = chat_harness(wrap_up=10)
    h.login("a", at=0)
    h.take("c1", "chat", at=1)
    h.take("c2", "chat", at=2)
    h.hang_up("a", "c1", at=4)
    h.arrive("c3", "chat", at=5)
    assert h.ix_state("c3") is InteractionState.QUEUED
    assert h.state("a") is AgentState.BUSY
    h.run_until(14)
    assert h.offers_to("a")[-1] == "c3"


def test_voice_call_is_not_offered_beside_a_chat() -> None:
    """An agent holding a chat is not offered a voice call until the chat is done."""
    h = chat_harness()
    h.login("a", at=0)
    h.take("c1", "chat", at=1)
    h.arrive("v1", "voice", at=2)
    assert h.ix_state("v1") is InteractionState.QUEUED
    h.hang_up("a", "c1", at=3)
    assert h.offers_to("a") == ["c1", "v1"]


def test_chat_is_not_offered_beside_a_voice_call() -> None:
    """An agent on a voice call is not offered a chat."""
    h = chat_harness()
    h.login("a", at=0)
    h.take("v1", "voice", at=1)
    h.arrive("c1", "chat", at=2)
    assert h.ix_state("c1") is InteractionState.QUEUED


def test_voice_agent_holds_one_call() -> None:
    """A voice agent is not offered a second call while on one."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.take("v1", "q", at=1)
    h.arrive("v2", "q", at=2)
    assert h.ix_state("v2") is InteractionState.QUEUED


def test_voice_capacity_above_one_still_holds_one_call() -> None:
    """Even with voice capacity 2, an agent takes one voice call at a time."""
    h = Harness([QueueConfig("q")], [agent("a", "q", voice=2)])
    h.login("a", at=0)
    h.take("v1", "q", at=1)
    h.arrive("v2", "q", at=2)
    assert h.ix_state("v2") is InteractionState.QUEUED


def test_zero_capacity_channel_is_never_offered() -> None:
    """An agent with chat capacity 0 is not offered chats."""
    h = chat_harness(chat=0)
    h.login("a", at=0)
    h.arrive("c1", "chat", at=1)
    assert h.ix_state("c1") is InteractionState.QUEUED


def test_second_chat_is_accepted_while_busy_with_the_first() -> None:
    """Accepting a second chat while busy with one keeps the agent busy, both connected."""
    h = chat_harness()
    h.login("a", at=0)
    h.take("c1", "chat", at=1)
    h.arrive("c2", "chat", at=2)
    assert h.state("a") is AgentState.BUSY
    h.answer("a", "c2", at=3)
    h.hang_up("a", "c1", at=10)
    h.hang_up("a", "c2", at=20)
    assert h.record("c1").talk_seconds == 9
    assert h.record("c2").talk_seconds == 17
    assert h.state("a") is AgentState.AVAILABLE
