"""Leads move by their table; LeadQueue hands out the right lead at the right time."""

from __future__ import annotations

from datetime import time

import pytest

from callcenter.core.dialer.campaign import CallOutcome, RetryRule, weekly
from callcenter.core.dialer.lead_queue import LeadQueue, UnknownLead
from callcenter.core.dialer.leads import (
    TRANSITIONS,
    IllegalLeadTransition,
    InvalidLead,
    Lead,
    LeadError,
    LeadInput,
    LeadResult,
    LeadState,
    move,
)
from tests.dialer.leadkit import ALWAYS, BERLIN, DAY, HOUR, LA, NY, TOKYO, at, campaign, lead, queue

NOW = at(NY, 2026, 6, 10, 12)  # a Wednesday, noon in New York


def dialed(q: LeadQueue, now: float, agent: str | None = None) -> str:
    """The id of the lead the queue hands out (fails when none)."""
    got = q.next_lead(now, agent)
    assert got is not None, "no lead handed out"
    return str(got.id)


# -- the table -------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(LeadState))
def test_inputs_missing_from_the_table_are_illegal(state: LeadState) -> None:
    """Every input the table does not list for a state raises IllegalLeadTransition."""
    base = lead(1, state=state, result=LeadResult.EXHAUSTED if state is LeadState.DONE else None)
    for what in LeadInput:
        if what in TRANSITIONS[state]:
            continue
        with pytest.raises(IllegalLeadTransition, match=state.value):
            move(base, what)


def test_done_results_come_from_the_input() -> None:
    """Ending inputs set the result: succeed, complete, exhaust, block, invalidate."""
    dialing = lead(1, state=LeadState.DIALING)
    got = {w: move(dialing, w).result for w in (LeadInput.SUCCEED, LeadInput.COMPLETE,
                                                 LeadInput.EXHAUST, LeadInput.BLOCK,
                                                 LeadInput.INVALIDATE)}
    assert list(got.values()) == [LeadResult.SUCCESS, LeadResult.COMPLETED,
                                  LeadResult.EXHAUSTED, LeadResult.DNC, LeadResult.INVALID]


def test_lead_data_is_validated() -> None:
    """A lead needs an id, an E.164 number and a known zone."""
    with pytest.raises(InvalidLead, match="id"):
        Lead("", "+12125550001", NY)
    with pytest.raises(InvalidLead, match="number"):
        Lead("x", "2125550001", NY)
    with pytest.raises(InvalidLead, match="zone"):
        Lead("x", "+12125550001", "Nowhere/Town")


def test_unknown_and_duplicate_leads_are_refused() -> None:
    """Unknown ids raise UnknownLead; queuing an id twice raises LeadError."""
    q = queue(leads=[lead(1)])
    with pytest.raises(UnknownLead):
        q.record_outcome("nope", CallOutcome.BUSY, NOW)
    with pytest.raises(LeadError, match="already queued"):
        q.add(lead(1))


def test_outcome_of_a_lead_not_being_dialed_is_illegal() -> None:
    """An outcome for a lead that was not handed out raises IllegalLeadTransition."""
    q = queue(leads=[lead(1)])
    with pytest.raises(IllegalLeadTransition):
        q.record_outcome("L1", CallOutcome.BUSY, NOW)


def test_answered_needs_a_disposition() -> None:
    """ANSWERED is not an outcome to record: the agent's disposition ends the call."""
    q = queue(leads=[lead(1)])
    dialed(q, NOW)
    with pytest.raises(LeadError, match="disposition"):
        q.record_outcome("L1", CallOutcome.ANSWERED, NOW)


# -- retries and caps --------------------------------------------------------------------


def test_busy_is_retried_after_its_delays() -> None:
    """Busy twice: due again 10 min, then 30 min after the outcome (default rule)."""
    q = queue(leads=[lead(1)])
    dialed(q, NOW)
    assert q.record_outcome("L1", CallOutcome.BUSY, NOW).due == NOW + 600
    assert q.next_lead(NOW + 599) is None
    dialed(q, NOW + 600)
    assert q.record_outcome("L1", CallOutcome.BUSY, NOW + 600).due == NOW + 600 + 1800


@pytest.mark.parametrize(("outcome", "delay"), [
    (CallOutcome.NO_ANSWER, 3 * HOUR),
    (CallOutcome.ANSWERING_MACHINE, 4 * HOUR),
    (CallOutcome.FAILED, 900.0),
])
def test_each_outcome_has_its_own_delay(outcome: CallOutcome, delay: float) -> None:
    """No answer, answering machine and failed wait their own rule's first delay."""
    q = queue(leads=[lead(1)])
    dialed(q, NOW)
    got = q.record_outcome("L1", outcome, NOW)
    assert (got.state, got.due, got.count(outcome)) == (LeadState.SCHEDULED, NOW + delay, 1)


def test_rule_max_tries_exhausts_the_lead() -> None:
    """After max_tries of one outcome the lead is exhausted."""
    c = campaign(windows=ALWAYS, retry_rules=(RetryRule(CallOutcome.BUSY, (60.0,), max_tries=2),))
    q = queue(c, [lead(1)])
    dialed(q, NOW)
    q.record_outcome("L1", CallOutcome.BUSY, NOW)
    dialed(q, NOW + 60)
    assert q.record_outcome("L1", CallOutcome.BUSY, NOW + 60).result is LeadResult.EXHAUSTED


def test_outcome_without_a_rule_is_not_retried() -> None:
    """An outcome the campaign has no rule for exhausts the lead."""
    q = queue(campaign(windows=ALWAYS, retry_rules=()), [lead(1)])
    dialed(q, NOW)
    assert q.record_outcome("L1", CallOutcome.FAILED, NOW).result is LeadResult.EXHAUSTED


def test_invalid_number_ends_the_lead() -> None:
    """A number not in service is done as invalid."""
    q = queue(leads=[lead(1)])
    dialed(q, NOW)
    assert q.record_outcome("L1", CallOutcome.INVALID, NOW).result is LeadResult.INVALID


def test_total_attempt_cap_exhausts_the_lead() -> None:
    """With max_attempts=3 the third failed attempt exhausts the lead."""
    c = campaign(windows=ALWAYS, max_attempts=3, max_attempts_per_day=9,
                 retry_rules=(RetryRule(CallOutcome.NO_ANSWER, (60.0,)),))
    q = queue(c, [lead(1)])
    for k in range(3):
        dialed(q, NOW + 60 * k)
        got = q.record_outcome("L1", CallOutcome.NO_ANSWER, NOW + 60 * k)
    assert (got.attempts, got.result) == (3, LeadResult.EXHAUSTED)
    assert q.next_lead(NOW + DAY) is None


def test_per_day_cap_moves_the_next_attempt_to_the_next_local_day() -> None:
    """With 2 attempts a day, the third waits for the callee's next day and its window."""
    c = campaign(max_attempts_per_day=2, retry_rules=(RetryRule(CallOutcome.BUSY, (60.0,)),))
    q = queue(c, [lead(1, zone=LA)])
    start = at(LA, 2026, 6, 10, 9)
    dialed(q, start)
    q.record_outcome("L1", CallOutcome.BUSY, start)
    dialed(q, start + 60)
    got = q.record_outcome("L1", CallOutcome.BUSY, start + 60)
    assert got.due == at(LA, 2026, 6, 11, 0)
    assert q.next_lead(at(LA, 2026, 6, 10, 20)) is None
    assert q.next_lead(at(LA, 2026, 6, 11, 7, 59)) is None
    assert dialed(q, at(LA, 2026, 6, 11, 8)) == "L1"


def test_next_due_tells_the_shell_when_to_wake() -> None:
    """next_due is the retry time, or the window's opening when that comes later."""
    q = queue(campaign(), [lead(1)])
    dialed(q, at(NY, 2026, 6, 10, 20, 55))
    q.record_outcome("L1", CallOutcome.BUSY, at(NY, 2026, 6, 10, 20, 55))
    assert q.next_due(at(NY, 2026, 6, 10, 20, 56)) == at(NY, 2026, 6, 11, 8)
    assert queue(campaign()).next_due(NOW) is None


# -- drops: the 72 h rule -------------------------------------------------------------


def test_dropped_lead_is_not_redialed_within_72_hours() -> None:
    """A drop holds the lead 72 h even when the drop rule's delay is shorter."""
    c = campaign(windows=ALWAYS, retry_rules=(RetryRule(CallOutcome.DROPPED, (HOUR,)),))
    q = queue(c, [lead(1)])
    dialed(q, NOW)
    got = q.record_outcome("L1", CallOutcome.DROPPED, NOW)
    assert got.due == NOW + 72 * HOUR
    assert q.next_lead(NOW + 72 * HOUR - 1) is None
    assert dialed(q, NOW + 72 * HOUR) == "L1"


def test_agent_reserved_lead_may_be_redialed_after_the_rule_delay() -> None:
    """A lead flagged agent-reserved is not held by the 72 h rule."""
    c = campaign(windows=ALWAYS, retry_rules=(RetryRule(CallOutcome.DROPPED, (HOUR,)),))
    q = queue(c, [lead(1, agent_reserved=True)])
    dialed(q, NOW)
    assert q.record_outcome("L1", CallOutcome.DROPPED, NOW).due == NOW + HOUR
    assert dialed(q, NOW + HOUR) == "L1"


def test_agent_only_callback_after_a_drop_is_allowed_within_72_hours() -> None:
    """A callback reserved for one agent may come before 72 h; one for anyone may not."""
    q = queue(leads=[lead(1), lead(2)])
    dialed(q, NOW)
    dialed(q, NOW)
    q.record_outcome("L1", CallOutcome.DROPPED, NOW)
    q.record_outcome("L2", CallOutcome.DROPPED, NOW)
    assert q.schedule_callback("L1", NOW + HOUR, agent_id="ann").due == NOW + HOUR
    assert q.schedule_callback("L2", NOW + HOUR).due == NOW + 72 * HOUR
    assert dialed(q, NOW + HOUR, agent="ann") == "L1"
    assert q.next_lead(NOW + HOUR, "bob") is None


def test_recycled_lead_still_respects_the_drop_hold() -> None:
    """Recycling resets attempts but not the drop time."""
    c = campaign(windows=ALWAYS, retry_rules=(RetryRule(CallOutcome.DROPPED, (HOUR,), 1),))
    q = queue(c, [lead(1)])
    dialed(q, NOW)
    assert q.record_outcome("L1", CallOutcome.DROPPED, NOW).result is LeadResult.EXHAUSTED
    assert q.recycle(NOW + HOUR) == 1
    assert q.next_lead(NOW + HOUR) is None
    assert dialed(q, NOW + 72 * HOUR) == "L1"


# -- order: callbacks, priority, fairness ------------------------------------------------


def test_due_callback_comes_before_higher_priority_leads() -> None:
    """A due callback for anyone is handed out before new leads of higher priority."""
    q = queue(leads=[lead(1), lead(2, priority=9), lead(3, priority=9)])
    q.schedule_callback("L1", NOW)
    assert dialed(q, NOW) == "L1"


def test_callback_is_not_handed_out_before_its_time() -> None:
    """Before its time a callback waits; other leads go first; at its time it goes."""
    q = queue(leads=[lead(1), lead(2, priority=9)])
    q.schedule_callback("L1", NOW + 60)
    assert dialed(q, NOW) == "L2"
    q.record_outcome("L2", CallOutcome.BUSY, NOW)
    assert q.next_lead(NOW + 30) is None
    assert dialed(q, NOW + 60) == "L1"


def test_agent_only_callback_goes_only_to_its_agent_and_first() -> None:
    """An agent-only callback is handed to that agent before anything else, to no one else."""
    q = queue(leads=[lead(1), lead(2, priority=9), lead(3)])
    q.schedule_callback("L1", NOW, agent_id="ann")
    q.schedule_callback("L3", NOW)
    assert dialed(q, NOW, agent="bob") == "L3"
    assert dialed(q, NOW, agent="bob") == "L2"
    assert q.next_lead(NOW, "bob") is None
    assert dialed(q, NOW, agent="ann") == "L1"


def test_callback_waits_for_the_callee_window() -> None:
    """A callback agreed for a time outside the window is handed out when it opens."""
    q = queue(campaign(), [lead(1)])
    q.schedule_callback("L1", at(NY, 2026, 6, 10, 22))
    assert q.next_lead(at(NY, 2026, 6, 10, 22, 30)) is None
    assert dialed(q, at(NY, 2026, 6, 11, 8)) == "L1"


def test_callback_needs_an_attempt_left() -> None:
    """A lead with all attempts used cannot get a callback."""
    q = queue(campaign(windows=ALWAYS, max_attempts=1), [lead(1)])
    dialed(q, NOW)
    with pytest.raises(LeadError, match="attempts"):
        q.schedule_callback("L1", NOW + HOUR)


def test_higher_priority_first_then_arrival_order() -> None:
    """Among due leads of one zone: priority (higher first), then the order they came in."""
    q = queue(leads=[lead(1), lead(2, priority=5), lead(3), lead(4, priority=5)])
    assert [dialed(q, NOW) for _ in range(4)] == ["L2", "L4", "L1", "L3"]


def test_zones_take_turns() -> None:
    """With 6 New York leads and 2 Tokyo and 2 Berlin leads, zones alternate while they last."""
    leads = [lead(i, NY, priority=9) for i in range(6)]
    leads += [lead(10 + i, TOKYO) for i in range(2)] + [lead(20 + i, BERLIN) for i in range(2)]
    q = queue(leads=leads)
    zones = []
    for _ in range(10):
        got = q.next_lead(NOW)
        assert got is not None
        zones.append(got.zone)
    assert zones[:6] == [NY, TOKYO, BERLIN] * 2
    assert zones[6:] == [NY] * 4


def test_closed_zones_wait_open_zones_go_on() -> None:
    """At noon in New York, Tokyo's leads (01:00 there) wait for their window."""
    q = queue(campaign(), [lead(1, TOKYO, priority=9), lead(2, NY)])
    assert dialed(q, NOW) == "L2"
    assert q.next_lead(NOW) is None
    assert dialed(q, at(TOKYO, 2026, 6, 11, 8)) == "L1"


# -- dispositions, preview, recycling ----------------------------------------------------


def test_dispositions_by_category() -> None:
    """Success and contact end the lead; call-again retries after a day; non-contact retries."""
    q = queue(leads=[lead(i) for i in range(4)])
    for _ in range(4):
        dialed(q, NOW)
    assert q.dispose("L0", "sale", NOW).result is LeadResult.SUCCESS
    assert q.dispose("L1", "not-interested", NOW).result is LeadResult.COMPLETED
    again = q.dispose("L2", "call-again", NOW)
    assert (again.state, again.due) == (LeadState.SCHEDULED, NOW + DAY)
    wrong = q.dispose("L3", "wrong-number", NOW)
    assert (wrong.state, wrong.due, wrong.last_outcome) == (
        LeadState.SCHEDULED, NOW + 3 * HOUR, "wrong-number")


def test_preview_skip_gives_the_attempt_back() -> None:
    """A skipped lead is not counted as an attempt and is due again after the delay."""
    q = queue(leads=[lead(1), lead(2)])
    dialed(q, NOW)
    got = q.skip("L1", NOW, delay=300)
    assert (got.state, got.attempts, got.due) == (LeadState.SCHEDULED, 0, NOW + 300)
    assert dialed(q, NOW) == "L2"
    assert dialed(q, NOW + 300) == "L1"


def test_skipped_callback_stays_a_callback() -> None:
    """Skipping a callback in preview keeps it a callback for its agent."""
    q = queue(leads=[lead(1)])
    q.schedule_callback("L1", NOW, agent_id="ann")
    dialed(q, NOW, agent="ann")
    got = q.skip("L1", NOW)
    assert (got.state, got.callback_agent) == (LeadState.CALLBACK, "ann")


def test_recycle_brings_exhausted_leads_back() -> None:
    """recycle() restarts exhausted leads with zero attempts; other done leads stay done."""
    c = campaign(windows=ALWAYS, max_attempts=1)
    q = queue(c, [lead(1), lead(2)])
    dialed(q, NOW)
    dialed(q, NOW)
    q.record_outcome("L1", CallOutcome.NO_ANSWER, NOW)
    q.dispose("L2", "sale", NOW)
    assert q.next_lead(NOW + DAY) is None
    assert q.recycle(NOW + DAY) == 1
    assert (q.get("L1").state, q.get("L1").attempts) == (LeadState.NEW, 0)
    assert dialed(q, NOW + DAY) == "L1"
    assert q.summary() == {"dialing": 1, "done:success": 1}


def test_changes_are_reported_once_for_the_store() -> None:
    """take_changes lists each changed lead once, with its latest state."""
    q = queue(leads=[lead(1), lead(2)])
    dialed(q, NOW)
    q.record_outcome("L1", CallOutcome.BUSY, NOW)
    changes = q.take_changes()
    assert [(c.id, c.state) for c in changes] == [("L1", LeadState.SCHEDULED)]
    assert q.take_changes() == []


def test_weekday_windows_differ_per_day() -> None:
    """A Monday-only campaign hands out nothing on Tuesday."""
    c = campaign(windows=weekly((0,), time(9), time(17)))
    q = queue(c, [lead(1)])
    assert q.next_lead(at(NY, 2026, 6, 9, 12)) is None  # Tuesday
    assert dialed(q, at(NY, 2026, 6, 15, 12)) == "L1"  # Monday
