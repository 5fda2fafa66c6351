"""Property: whatever the outcomes, the queue never breaks caps, DNC, windows or the 72 h rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.dialer.campaign import RETRY_OUTCOMES, CallOutcome, RetryRule, weekly
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead, LeadError, LeadResult, LeadState
from callcenter.core.dialer.windows import FixedHolidays, local_day, may_call
from tests.dialer.leadkit import BERLIN, HOUR, LA, NY, TOKYO, at, campaign

ZONES = [(NY, "US"), (LA, "US"), (BERLIN, "DE"), (TOKYO, None)]
HOLIDAYS = FixedHolidays({"US": frozenset({date(2026, 3, 9), date(2026, 11, 2)}),
                          "DE": frozenset({date(2026, 3, 30), date(2026, 10, 26)})})
STARTS = [at(NY, 2026, 3, 6, 9), at(BERLIN, 2026, 3, 27, 9), at(NY, 2026, 10, 23, 9),
          at(NY, 2026, 6, 10, 9)]  # around the DST switches, and a plain week
OUTCOMES = [o for o in CallOutcome if o is not CallOutcome.ANSWERED]
CODES = ["sale", "not-interested", "call-again", "wrong-number", "do-not-call"]

RESULTS: list[CallOutcome | str | None] = [  # None: still talking
    *OUTCOMES, CallOutcome.DROPPED, CallOutcome.DROPPED, *CODES, None]
EXTRA = st.one_of(
    st.none(),
    st.tuples(st.just("dnc"), st.integers(0, 7)),
    st.tuples(st.just("callback"), st.integers(0, 7), st.floats(0, 80 * HOUR),
              st.sampled_from([None, "ann", "bob"])),
    st.tuples(st.just("recycle")),
)
STEP = st.tuples(
    st.one_of(st.sampled_from([0.0, 60.0, 900.0, HOUR, 5 * HOUR, 20 * HOUR, 71 * HOUR]),
              st.floats(0, 30 * HOUR)),
    st.sampled_from([None, "ann", "bob"]),
    st.sampled_from(RESULTS),
    EXTRA,
)


@dataclass
class Model:
    """What the test itself remembers, to check the queue against."""

    dnc: DncRegistry
    on_day: dict[tuple[str, int], int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, float] = field(default_factory=dict)
    dialing: list[str] = field(default_factory=list)


@settings(max_examples=150, deadline=None)
@given(
    max_attempts=st.integers(1, 6),
    per_day=st.integers(1, 3),
    delays=st.lists(st.floats(0, 6 * HOUR), min_size=5, max_size=5),
    tries=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=5, max_size=5),
    lead_specs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3),
                                  st.integers(0, 4).map(lambda k: k == 0)),
                        min_size=1, max_size=8),
    start=st.sampled_from(STARTS),
    steps=st.lists(STEP, min_size=10, max_size=60),
)
def test_random_outcomes_never_break_the_rules(
    max_attempts: int, per_day: int, delays: list[float], tries: list[int | None],
    lead_specs: list[tuple[int, int, bool]], start: float,
    steps: list[tuple[float, str | None, CallOutcome | str | None, tuple[object, ...] | None]],
) -> None:
    """Every hand-out is in the window, not on a DNC list, within caps and the 72 h rule."""
    rules = tuple(RetryRule(o, (d,), t) for o, d, t in zip(RETRY_OUTCOMES, delays, tries,
                                                            strict=True))
    c = campaign(max_attempts=max_attempts, max_attempts_per_day=per_day, retry_rules=rules,
                 windows=weekly(range(6), time(8), time(21)), holiday_country="DE")
    dnc = DncRegistry()
    leads = [Lead(f"L{i}", f"+1212555{i:04d}", ZONES[z][0], priority=p, country=ZONES[z][1],
                  agent_reserved=r) for i, (z, p, r) in enumerate(lead_specs)]
    q = LeadQueue(c, dnc, HOLIDAYS)
    q.extend(leads)
    m = Model(dnc)
    now = start
    for advance, agent, result, extra in steps:
        now += advance
        got = q.next_lead(now, agent)
        if got is not None:
            check_hand_out(got, m, now, q)
            if isinstance(result, CallOutcome):
                q.record_outcome(got.id, result, now)
                m.dialing.remove(got.id)
                if result is CallOutcome.DROPPED:
                    m.dropped[got.id] = now
            elif result is not None:
                q.dispose(got.id, result, now)
                m.dialing.remove(got.id)
        if extra is not None:
            apply_extra(extra, q, m, leads, now)
    for lead in q:
        assert lead.attempts <= max_attempts
        assert (lead.state is LeadState.DIALING) == (lead.id in m.dialing)


def apply_extra(
    extra: tuple[object, ...], q: LeadQueue, m: Model, leads: list[Lead], now: float
) -> None:
    """A mid-campaign event: a number blocked, a callback agreed, a recycle."""
    if extra[0] == "dnc":
        m.dnc.add(leads[int(str(extra[1])) % len(leads)].number)
    elif extra[0] == "callback":
        target = leads[int(str(extra[1])) % len(leads)].id
        agent = extra[3] if isinstance(extra[3], str) else None
        try:
            q.schedule_callback(target, now + float(str(extra[2])), agent)
        except LeadError:
            return
        if target in m.dialing:
            m.dialing.remove(target)
    else:
        for lead in q:
            if lead.result is LeadResult.EXHAUSTED:
                m.attempts[lead.id] = 0
        q.recycle(now)


def check_hand_out(got: Lead, m: Model, now: float, q: LeadQueue) -> None:
    """The rules a handed-out lead must satisfy, checked against the test's own records."""
    c = q.campaign
    assert got.state is LeadState.DIALING and got.id not in m.dialing
    assert may_call(got.zone, c, now, HOLIDAYS, got.country), "dialed outside the window"
    assert not m.dnc.is_blocked(got.number, c.name), "dialed a DNC number"
    m.attempts[got.id] = m.attempts.get(got.id, 0) + 1
    assert got.attempts == m.attempts[got.id] <= c.max_attempts
    key = (got.id, local_day(got.zone, now))
    m.on_day[key] = m.on_day.get(key, 0) + 1
    assert m.on_day[key] <= c.max_attempts_per_day
    dropped = m.dropped.get(got.id)
    if dropped is not None and not (got.agent_reserved or got.callback_agent):
        assert now >= dropped + c.drop_hold, "redialed within 72 h of a drop"
    m.dialing.append(got.id)
