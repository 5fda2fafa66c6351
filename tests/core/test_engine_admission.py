"""Admission (max length, no agents, business hours) and max wait with each exit action."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from callcenter.core.commands import ExitQueue
from callcenter.core.config import (
    Calendar,
    ExitAction,
    ExitKind,
    QueueConfig,
    WeeklyHours,
)
from callcenter.core.events import (
    AgentPause,
    CallbackRequested,
    CallerHungUp,
    OfferRejected,
    TransferToQueue,
)
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type

HANGUP = ExitAction(ExitKind.HANGUP)
VOICEMAIL = ExitAction(ExitKind.VOICEMAIL)
CALLBACK = ExitAction(ExitKind.CALLBACK)


def to_queue(qid: str) -> ExitAction:
    return ExitAction(ExitKind.QUEUE, qid)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> float:
    return datetime(y, mo, d, h, mi, tzinfo=UTC).timestamp()


# ---------------------------------------------------------------- max length


def test_full_queue_turns_the_next_arrival_away() -> None:
    """Beyond max_length the arrival gets ExitQueue(queue_full) and a REJECTED row."""
    h = Harness([QueueConfig("q", max_length=2)], [])
    h.arrive("i1", "q", at=0)
    h.arrive("i2", "q", at=1)
    out = h.arrive("i3", "q", at=2)
    assert of_type(out, ExitQueue) == [ExitQueue("i3", "q", "queue_full", "hangup")]
    rec = h.record("i3")
    assert (rec.outcome, rec.exit_reason, rec.exit_action) == ("rejected", "queue_full", "hangup")
    assert rec.answered_at is None and rec.wait == 0
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_queue_admits_again_once_a_place_frees() -> None:
    """After a waiting interaction leaves, a full queue admits the next arrival."""
    h = Harness([QueueConfig("q", max_length=1)], [])
    h.arrive("i1", "q", at=0)
    h.send(CallerHungUp("i1"), at=5)
    h.arrive("i2", "q", at=6)
    assert h.ix_state("i2") is InteractionState.QUEUED


def test_full_action_can_send_to_another_queue() -> None:
    """A full queue's exit action to another queue admits the arrival there."""
    h = Harness([QueueConfig("q", max_length=0, full_action=to_queue("spill")),
                 QueueConfig("spill")], [agent("s", "spill")])
    h.login("s", at=0)
    assert h.take("i1", "q", at=1) == "s"
    h.hang_up("s", "i1", at=10)
    rec = h.record("i1")
    assert (rec.first_queue_id, rec.queue_id, rec.outcome) == ("q", "spill", "completed")


# ---------------------------------------------------------------- no agents


def test_no_staffed_agent_rejects_when_configured() -> None:
    """With reject_when_no_agents and nobody logged in, the arrival exits with no_agents."""
    h = Harness([QueueConfig("q", reject_when_no_agents=True, no_agents_action=VOICEMAIL)],
                [agent("a", "q")])
    out = h.arrive("i1", "q", at=0)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "no_agents", "voicemail")]
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.exit_action) == ("rejected", "no_agents",
                                                                "voicemail")


def test_paused_agents_do_not_count_as_staffed() -> None:
    """A paused member does not keep a reject_when_no_agents queue open."""
    h = Harness([QueueConfig("q", reject_when_no_agents=True)], [agent("a", "q")])
    h.login("a", at=0, ready=False)
    h.arrive("i1", "q", at=1)
    assert h.record("i1").exit_reason == "no_agents"


def test_busy_agent_counts_as_staffed() -> None:
    """A logged-in member who is busy keeps the queue admitting."""
    h = Harness([QueueConfig("q", reject_when_no_agents=True)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    h.arrive("i2", "q", at=2)
    assert h.ix_state("i2") is InteractionState.QUEUED


def test_agent_pausing_while_busy_stops_counting_as_staffed() -> None:
    """A busy member who asked to pause no longer keeps the queue admitting."""
    h = Harness([QueueConfig("q", reject_when_no_agents=True)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    h.send(AgentPause("a"), at=2)
    h.arrive("i2", "q", at=3)
    assert h.record("i2").exit_reason == "no_agents"


# ---------------------------------------------------------------- business hours

WEEKDAYS_9_TO_17 = tuple(WeeklyHours(d, time(9), time(17)) for d in range(5))


def hours_queue(**kw: object) -> QueueConfig:
    cal = Calendar("Europe/Berlin", WEEKDAYS_9_TO_17, frozenset({date(2026, 1, 6)}))
    return QueueConfig("q", calendar=cal, **kw)  # type: ignore[arg-type]


def test_open_calendar_admits() -> None:
    """Within opening hours (in the calendar's zone) the arrival is queued."""
    h = Harness([hours_queue()], [])
    h.arrive("i1", "q", at=utc(2026, 1, 5, 8, 30))  # Monday 09:30 in Berlin
    assert h.ix_state("i1") is InteractionState.QUEUED


def test_closed_calendar_rejects_with_reason_closed() -> None:
    """Outside opening hours the arrival exits with reason closed."""
    h = Harness([hours_queue()], [])
    out = h.arrive("i1", "q", at=utc(2026, 1, 5, 16, 30))  # Monday 17:30 in Berlin
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "closed", "hangup")]
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason) == ("rejected", "closed")


def test_calendar_uses_its_own_time_zone() -> None:
    """08:30 UTC is before 09:00 in UTC but after it in Berlin: Berlin decides."""
    h = Harness([hours_queue()], [])
    h.arrive("i1", "q", at=utc(2026, 1, 5, 7, 30))  # 08:30 Berlin: closed
    h.arrive("i2", "q", at=utc(2026, 1, 5, 8, 0))  # 09:00 Berlin: open
    assert h.record("i1").exit_reason == "closed"
    assert h.ix_state("i2") is InteractionState.QUEUED


def test_calendar_is_closed_on_the_weekend() -> None:
    """A Saturday with no weekly hours is closed."""
    h = Harness([hours_queue()], [])
    h.arrive("i1", "q", at=utc(2026, 1, 10, 11))
    assert h.record("i1").exit_reason == "closed"


def test_calendar_is_closed_on_a_holiday() -> None:
    """A holiday is closed even during the weekday's hours."""
    h = Harness([hours_queue()], [])
    h.arrive("i1", "q", at=utc(2026, 1, 6, 11))  # Tuesday, a holiday
    assert h.record("i1").exit_reason == "closed"


def test_closed_action_sends_to_another_queue() -> None:
    """A closed queue's exit action to another queue admits the arrival there."""
    h = Harness([hours_queue(closed_action=to_queue("night")), QueueConfig("night")],
                [agent("n", "night")])
    h.login("n", at=0)
    assert h.take("i1", "q", at=utc(2026, 1, 10, 11)) == "n"
    h.hang_up("n", "i1", at=h.now + 60)
    rec = h.record("i1")
    assert (rec.first_queue_id, rec.queue_id, rec.outcome) == ("q", "night", "completed")


def test_closed_action_voicemail_is_in_the_row() -> None:
    """The closed exit action's kind is written in the row."""
    h = Harness([hours_queue(closed_action=VOICEMAIL)], [])
    h.arrive("i1", "q", at=utc(2026, 1, 10, 11))
    assert h.record("i1").exit_action == "voicemail"


# ---------------------------------------------------------------- max wait


def test_max_wait_hangup_times_out() -> None:
    """After max_wait the interaction exits with a TIMED_OUT row (hangup)."""
    h = Harness([QueueConfig("q", max_wait=60)], [])
    h.arrive("i1", "q", at=10)
    h.run_until(69)
    assert h.ix_state("i1") is InteractionState.QUEUED
    out = h.run_until(70)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "max_wait", "hangup")]
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.exit_action) == ("timed_out", "max_wait", "hangup")
    assert rec.wait == 60


def test_max_wait_voicemail_times_out_with_its_action() -> None:
    """A voicemail timeout action gives a TIMED_OUT row with exit_action voicemail."""
    h = Harness([QueueConfig("q", max_wait=60, timeout_action=VOICEMAIL)], [])
    h.arrive("i1", "q", at=0)
    out = h.run_until(60)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "max_wait", "voicemail")]
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_action) == ("timed_out", "voicemail")


def test_max_wait_callback_keeps_the_place_in_line() -> None:
    """A callback timeout keeps the interaction's place: it is offered before later ones."""
    h = Harness([QueueConfig("q", max_wait=60, timeout_action=CALLBACK)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    out = h.run_until(60)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "max_wait", "callback")]
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED
    h.arrive("i2", "q", at=70)
    h.login("a", at=80)
    assert h.offers_to("a") == ["i1"]


def test_callback_is_not_abandoned_when_the_caller_hangs_up() -> None:
    """Once a callback is registered, the caller hanging up does not abandon it."""
    h = Harness([QueueConfig("q", max_wait=60, timeout_action=CALLBACK)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.run_until(60)
    h.send(CallerHungUp("i1"), at=61)
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED
    assert not h.has_record("i1")


def test_callback_is_later_offered_and_completed_as_a_callback() -> None:
    """A callback is offered when an agent frees, and its row says callback=True."""
    h = Harness([QueueConfig("q", max_wait=60, timeout_action=CALLBACK)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.run_until(60)
    h.login("a", at=100)
    h.answer("a", "i1", at=105)
    h.hang_up("a", "i1", at=200)
    rec = h.record("i1")
    assert (rec.outcome, rec.callback, rec.agent_id) == ("completed", True, "a")
    assert rec.answered_at == 105


def test_callback_does_not_time_out_again() -> None:
    """A callback registered at max_wait stays in line past further max_wait periods."""
    h = Harness([QueueConfig("q", max_wait=60, timeout_action=CALLBACK)], [])
    h.arrive("i1", "q", at=0)
    h.run_until(10_000)
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED
    assert len(h.of(ExitQueue)) == 1


def test_requested_callback_keeps_its_place_and_skips_max_wait() -> None:
    """`CallbackRequested` keeps the place in line and max_wait no longer applies."""
    h = Harness([QueueConfig("q", max_wait=60)], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.arrive("i2", "q", at=1)
    h.send(CallbackRequested("i1"), at=5)
    h.run_until(500)
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED
    assert h.record("i2").outcome == "timed_out"
    h.login("a", at=600)
    assert h.offers_to("a") == ["i1"]


def test_callback_declined_goes_back_to_callback_line() -> None:
    """A callback whose offer is declined returns to waiting as a callback."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.send(CallbackRequested("i1"), at=1)
    h.login("a", at=2)
    h.send(OfferRejected("a", "i1"), at=3)
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED


def test_max_wait_to_another_queue_moves_it_there() -> None:
    """A queue timeout action moves the interaction to the other queue's agents."""
    h = Harness([QueueConfig("q", max_wait=30, timeout_action=to_queue("backup")),
                 QueueConfig("backup")], [agent("b", "backup")])
    h.login("b", at=0)
    h.arrive("i1", "q", at=0)
    h.run_until(30)
    assert h.offered("i1") == ["b"]
    h.answer("b", "i1", at=31)
    h.hang_up("b", "i1", at=40)
    rec = h.record("i1")
    assert (rec.first_queue_id, rec.queue_id, rec.outcome) == ("q", "backup", "completed")
    assert rec.wait == 31


def test_max_wait_while_ringing_exits_when_the_ringing_ends() -> None:
    """An interaction ringing at max_wait times out once the offer goes unanswered."""
    h = Harness([QueueConfig("q", max_wait=30, offer_timeout=20)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    h.send(OfferRejected("a", "i1"), at=1)  # back in line; retried later
    h.run_until(25)
    assert h.ix_state("i1") is InteractionState.OFFERED  # re-offered at 11
    h.run_until(30)
    assert h.ix_state("i1") is InteractionState.OFFERED
    h.run_until(31)  # the re-offer expires at 31
    assert h.record("i1").outcome == "timed_out"


def test_max_wait_while_ringing_is_moot_if_answered() -> None:
    """An interaction ringing at max_wait and then answered completes normally."""
    h = Harness([QueueConfig("q", max_wait=30, offer_timeout=20, retry_after=0)],
                [agent("a", "q")])
    h.arrive("i1", "q", at=0)
    h.login("a", at=25)
    h.answer("a", "i1", at=35)
    h.hang_up("a", "i1", at=40)
    assert h.record("i1").outcome == "completed"


def test_max_wait_passed_while_ringing_does_not_follow_a_later_transfer() -> None:
    """A transfer after an answer at max_wait starts the new queue's wait afresh."""
    h = Harness([QueueConfig("q", max_wait=30, offer_timeout=20), QueueConfig("q2")],
                [agent("a", "q"), agent("b", "q2")])
    h.arrive("i1", "q", at=0)
    h.login("a", at=25)  # rings a over the max_wait at 30
    h.answer("a", "i1", at=35)
    h.login("b", at=36)
    h.send(TransferToQueue("i1", "q2"), at=40)
    h.send(OfferRejected("b", "i1"), at=41)
    assert h.ix_state("i1") is InteractionState.QUEUED
    assert not h.has_record("i1")


def test_callback_made_when_ringing_ends_after_max_wait_is_offered_to_a_free_agent() -> None:
    """A callback registered as an overdue offer rings out stays in line for other agents."""
    h = Harness([QueueConfig("q", max_wait=30, offer_timeout=20, retry_after=100,
                             timeout_action=CALLBACK)], [agent("a", "q"), agent("b", "q")])
    h.arrive("i1", "q", at=0)
    h.login("a", at=25)  # rings a over the max_wait at 30, until 45
    out = h.run_until(45)
    assert of_type(out, ExitQueue) == [ExitQueue("i1", "q", "max_wait", "callback")]
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED
    h.login("b", at=50)
    assert h.offered("i1") == ["a", "b"]


def test_caller_hanging_up_after_a_callback_request_while_ringing_keeps_the_callback() -> None:
    """A caller who asks for a callback while an agent rings, then hangs up, is not abandoned."""
    h = Harness([QueueConfig("q")], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)  # rings a
    h.send(CallbackRequested("i1"), at=3)
    h.send(CallerHungUp("i1"), at=4)
    assert not h.has_record("i1")
    h.send(OfferRejected("a", "i1"), at=5)
    assert h.ix_state("i1") is InteractionState.CALLBACK_REQUESTED


def test_calendar_range_closing_at_midnight_is_open_late_evening() -> None:
    """A range closing at 00:00 is open until the end of the day."""
    cal = Calendar("UTC", (WeeklyHours(0, time(18), time(0)),))
    h = Harness([QueueConfig("q", calendar=cal)], [])
    h.arrive("i1", "q", at=utc(2026, 1, 5, 23, 59))
    h.arrive("i2", "q", at=utc(2026, 1, 6, 0, 0))
    assert h.ix_state("i1") is InteractionState.QUEUED
    assert h.record("i2").exit_reason == "closed"


def test_answered_callback_transferred_and_declined_is_queued_with_the_caller() -> None:
    """After a callback is answered the customer is on the line: a declined transfer queues
    it normally, and the customer hanging up then abandons it."""
    h = Harness([QueueConfig("q"), QueueConfig("q2")], [agent("a", "q"), agent("b", "q2")])
    h.arrive("i1", "q", at=0)
    h.send(CallbackRequested("i1"), at=1)
    h.login("a", "b", at=2)
    h.answer("a", "i1", at=3)
    h.send(TransferToQueue("i1", "q2"), at=4)
    h.send(OfferRejected("b", "i1"), at=5)
    assert h.ix_state("i1") is InteractionState.QUEUED
    h.send(CallerHungUp("i1"), at=6)
    rec = h.record("i1")
    assert (rec.outcome, rec.callback) == ("abandoned", True)


def test_a_loop_of_queue_exits_ends_in_a_hang_up() -> None:
    """Two full queues that send to each other stop after a few hops with a hang-up."""
    h = Harness([QueueConfig("q1", max_length=0, full_action=to_queue("q2")),
                 QueueConfig("q2", max_length=0, full_action=to_queue("q1"))], [])
    out = h.arrive("i1", "q1", at=0)
    exits = of_type(out, ExitQueue)
    assert [(e.reason, e.action) for e in exits] == [("queue_full", "hangup")]
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_reason, rec.exit_action) == ("rejected", "queue_full", "hangup")
