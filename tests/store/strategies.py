"""Hypothesis strategies for routing configuration values."""

from __future__ import annotations

from datetime import date, time

from hypothesis import strategies as st

from callcenter.core.config import (
    CHANNELS,
    AgentConfig,
    Calendar,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
    WeeklyHours,
)

ids = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
seconds = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False,
                    allow_subnormal=False)
positive = seconds.filter(lambda x: x > 0)
small = st.integers(min_value=1, max_value=50)


@st.composite
def exit_actions(draw: st.DrawFn) -> ExitAction:
    """Any exit action; kind `queue` with a target id."""
    kind = draw(st.sampled_from(ExitKind))
    return ExitAction(kind, draw(ids) if kind is ExitKind.QUEUE else None)


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    """An opening range that closes after it opens, or at midnight."""
    opens = draw(st.times(max_value=time(23, 0)))
    closes = draw(st.one_of(st.just(time(0, 0)), st.times(min_value=opens).filter(
        lambda t: t > opens)))
    return WeeklyHours(draw(st.integers(0, 6)), opens, closes)


calendars = st.builds(
    Calendar,
    timezone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    hours=st.lists(weekly_hours(), max_size=5).map(tuple),
    holidays=st.frozensets(st.dates(date(2000, 1, 1), date(2100, 12, 31)), max_size=5),
)


@st.composite
def queue_configs(draw: st.DrawFn) -> QueueConfig:
    """Any valid queue: every setting drawn, escalation times increasing."""
    skills = draw(st.lists(ids, max_size=4, unique=True))
    afters = sorted(draw(st.lists(positive, max_size=4, unique=True)))
    steps = tuple(EscalationStep(
        after=a, relax_levels=draw(st.integers(0, 9)), max_tier=draw(st.none() | small),
        overflow_to=tuple(draw(st.lists(ids, max_size=3)))) for a in afters)
    return QueueConfig(
        id=draw(ids),
        strategy=draw(st.sampled_from(Strategy)),
        channel=draw(st.sampled_from(CHANNELS)),
        required_skills=tuple(SkillRequirement(s, draw(st.integers(1, 10))) for s in skills),
        initial_max_tier=draw(st.none() | small),
        escalation=steps,
        max_length=draw(st.none() | st.integers(0, 10_000)),
        max_wait=draw(st.none() | positive),
        timeout_action=draw(exit_actions()),
        full_action=draw(exit_actions()),
        reject_when_no_agents=draw(st.booleans()),
        no_agents_action=draw(exit_actions()),
        calendar=draw(st.none() | calendars),
        closed_action=draw(exit_actions()),
        wrap_up=draw(seconds),
        offer_timeout=draw(positive),
        retry_after=draw(seconds),
        aging_rate=draw(seconds),
        service_level_threshold=draw(seconds),
        short_abandon=draw(seconds),
        default_handle_time=draw(positive),
        require_disposition=draw(st.booleans()),
    )


@st.composite
def agent_configs(draw: st.DrawFn) -> AgentConfig:
    """Any valid agent: unique skills with levels, unique memberships, any capacity."""
    skills = draw(st.lists(ids, max_size=5, unique=True))
    queues = draw(st.lists(ids, max_size=4, unique=True))
    channels = draw(st.lists(st.sampled_from(CHANNELS), unique=True))
    return AgentConfig(
        id=draw(ids),
        skills=tuple((s, draw(st.integers(1, 10))) for s in skills),
        queues=tuple(Membership(q, draw(small)) for q in queues),
        capacity=tuple((c, draw(st.integers(0, 20))) for c in channels),
    )
