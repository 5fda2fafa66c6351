"""Leads reserved for agents (`PreviewDesk`): reserve, dial, skip, release, time out;
the agent's own callbacks first; a property test of the reservation table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.dialer.campaign import CallOutcome
from callcenter.core.dialer.leads import LeadState
from callcenter.core.dialer.preview import PreviewDesk, PreviewError, Step
from tests.dialer.leadkit import ALWAYS, NY, at, campaign, lead, queue

T0 = at(NY, 2025, 3, 3, 10)


def desk(n: int = 3, **changes: object) -> PreviewDesk:
    c = campaign(windows=ALWAYS, **changes)
    return PreviewDesk(c, queue(c, [lead(i) for i in range(n)]))


def test_each_agent_gets_its_own_lead_held_in_dialing() -> None:
    """Two agents get two different leads; both are dialing (no pacer can take them)."""
    d = desk()
    a, b = d.reserve("a", T0), d.reserve("b", T0)
    assert a is not None and b is not None and a.lead.id != b.lead.id
    assert {d.queue.get(r.lead.id).state for r in (a, b)} == {LeadState.DIALING}
    with pytest.raises(PreviewError, match="reserved already"):
        d.reserve("a", T0)


def test_skip_puts_the_lead_back_after_the_skip_delay_without_using_an_attempt() -> None:
    """A skipped lead has no attempt counted and is due skip_delay later."""
    d = desk(n=1, skip_delay=120.0)
    r = d.reserve("a", T0)
    assert r is not None
    lead_ = d.skip("a", T0 + 5)
    assert (lead_.state, lead_.attempts, lead_.due) == (LeadState.SCHEDULED, 0, T0 + 125)
    assert d.reserve("a", T0 + 60) is None
    again = d.reserve("a", T0 + 125)
    assert again is not None and again.lead.id == lead_.id


def test_how_a_reservation_ended_is_kept_until_the_next_one_ends() -> None:
    """`last` says the lead was skipped while the next one is previewed, then busy."""
    d = desk(n=2)
    first = d.reserve("a", T0)
    assert first is not None
    d.skip("a", T0 + 1)
    second = d.reserve("a", T0 + 2)
    assert second is not None
    assert d.last["a"].outcome == "skipped" and d.last["a"].lead_id == first.lead.id
    d.dial("a")
    d.ended("a", "busy", T0 + 20)
    assert (d.last["a"].lead_id, d.last["a"].outcome) == (second.lead.id, "busy")


def test_only_a_previewing_lead_can_be_dialed_or_skipped() -> None:
    """Dialing twice or skipping a dialed lead is refused, naming the step."""
    d = desk()
    d.reserve("a", T0)
    d.dial("a")
    with pytest.raises(PreviewError, match="dialing: cannot dial"):
        d.dial("a")
    with pytest.raises(PreviewError, match="dialing: cannot skip"):
        d.skip("a", T0)
    with pytest.raises(PreviewError, match="no lead reserved"):
        d.dial("b")


def test_a_preview_past_its_timeout_is_expired_and_a_dialed_one_is_not() -> None:
    """After preview_timeout the previewing reservation is expired; a dialed one never."""
    d = desk(preview_timeout=30.0)
    d.reserve("a", T0)
    d.reserve("b", T0 + 10)
    d.dial("b")
    assert d.next_deadline() == T0 + 30
    assert d.expired(T0 + 29) == []
    assert [r.agent_id for r in d.expired(T0 + 30)] == ["a"]
    released = d.release("a", T0 + 30)
    assert released.state is LeadState.SCHEDULED and released.due == T0 + 30
    assert d.next_deadline() is None


def test_an_agents_own_callback_comes_before_older_leads_and_only_for_it() -> None:
    """A due callback for agent b is reserved for b first, never for a."""
    d = desk(n=2)
    cb = d.reserve("x", T0)
    assert cb is not None
    d.dial("x")
    d.ended("x", CallOutcome.ANSWERED.value, T0)
    d.queue.schedule_callback(cb.lead.id, T0 + 600, "b")
    assert d.reserve("b", T0 + 60) is not None  # not due yet: b gets another lead
    d.release("b", T0 + 60)
    a = d.reserve("a", T0 + 700)
    assert a is not None and a.lead.id != cb.lead.id
    b = d.reserve("b", T0 + 700)
    assert b is not None and b.lead.id == cb.lead.id and b.callback


def test_callbacks_only_reserves_nothing_but_the_agents_own_callback() -> None:
    """With callbacks_only an agent without a due callback of its own gets nothing."""
    d = desk(n=2)
    assert d.reserve("a", T0, callbacks_only=True) is None
    first = d.reserve("x", T0)
    assert first is not None
    d.dial("x")
    d.ended("x", "answered", T0)
    d.queue.schedule_callback(first.lead.id, T0 + 10, "a")
    got = d.reserve("a", T0 + 10, callbacks_only=True)
    assert got is not None and got.lead.id == first.lead.id


def _table(d: PreviewDesk) -> tuple[object, ...]:
    """Everything a refused move must leave alone: the reservations, the last endings, the
    leads."""
    reservations = sorted((r.agent_id, r.lead.id, r.step, r.call_id, r.since, r.deadline,
                           r.callback) for r in d)
    leads = [d.queue.get(f"L{i}") for i in range(len(d.queue))]
    return reservations, dict(d.last), leads


def _refused(d: PreviewDesk, what: str, agent: str) -> bool:
    """Whether the desk must refuse the move, written out from the reservation steps: one
    reservation per agent; dial, skip and release while previewing; answer while dialing;
    the end of a call once placed. Expiry never is."""
    r = d.get(agent)
    step = None if r is None else r.step
    return {"reserve": step is not None,
            "dial": step is not Step.PREVIEWING,
            "answer": step is not Step.DIALING,
            "skip": step is not Step.PREVIEWING,
            "release": step is not Step.PREVIEWING,
            "end": step not in (Step.DIALING, Step.ANSWERED),
            "expire": False}[what]


ACTIONS = st.lists(st.tuples(st.sampled_from(["reserve", "dial", "answer", "skip", "release",
                                              "end", "expire"]),
                             st.sampled_from(["a", "b", "c"]),
                             st.floats(0, 120)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(ACTIONS)
def test_reservations_hold_distinct_dialing_leads_whatever_the_agents_do(
        actions: list[tuple[str, str, float]]) -> None:
    """Any sequence of agent actions: each reserved lead is dialing and held by one agent
    only; a lead given back is not dialing; refused moves change nothing."""
    d = desk(n=4, preview_timeout=60.0, skip_delay=30.0)
    now = T0
    given_back: set[str] = set()
    for what, agent, dt in actions:
        now += dt
        refused, before = _refused(d, what, agent), _table(d)
        try:
            if what == "reserve":
                r = d.reserve(agent, now)
                if r is not None:
                    given_back.discard(r.lead.id)
            elif what == "dial":
                d.dial(agent)
            elif what == "answer":
                d.answered(agent)
            elif what == "skip":
                given_back.add(d.skip(agent, now).id)
            elif what == "release":
                given_back.add(d.release(agent, now).id)
            elif what == "end":
                r = d.get(agent)
                if r is not None and r.step is not Step.PREVIEWING:
                    d.queue.record_outcome(r.lead.id, CallOutcome.BUSY, now)
                d.ended(agent, "busy", now)
            else:
                for r in d.expired(now):
                    given_back.add(d.release(r.agent_id, now).id)
        except PreviewError:
            assert refused, (what, agent)
            assert _table(d) == before, (what, agent)
        else:
            assert not refused, (what, agent)
        held = [r.lead.id for r in d]
        assert len(held) == len(set(held))
        assert all(d.queue.get(i).state is LeadState.DIALING for i in held)
        assert all(d.queue.get(i).state is not LeadState.DIALING for i in given_back)
        assert all(r.deadline == r.since + 60.0 for r in d)


def test_an_agents_callback_is_reserved_only_while_the_callees_window_is_open() -> None:
    """A callback for a due at 20:50 (window 08:00-21:00 in New York) is not reserved at
    21:10, when the window has closed, and is the next morning at 08:00."""
    c = campaign()  # open 08:00-21:00 every day, the callee's local time
    d = PreviewDesk(c, queue(c, [lead(0), lead(1)]))
    first = d.reserve("x", at(NY, 2025, 3, 3, 10))
    assert first is not None
    d.dial("x")
    d.ended("x", "answered", at(NY, 2025, 3, 3, 10, 5))
    d.queue.schedule_callback(first.lead.id, at(NY, 2025, 3, 3, 20, 50), "a")
    assert d.reserve("a", at(NY, 2025, 3, 3, 21, 10), callbacks_only=True) is None
    assert d.reserve("a", at(NY, 2025, 3, 4, 7, 59), callbacks_only=True) is None
    got = d.reserve("a", at(NY, 2025, 3, 4, 8), callbacks_only=True)
    assert got is not None and got.lead.id == first.lead.id and got.callback
