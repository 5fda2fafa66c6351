"""Configuration values are checked when built: `ConfigError` names the bad field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pytest

from callcenter.core.config import (
    AgentConfig,
    Calendar,
    ConfigError,
    EngineSettings,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    WeeklyHours,
)

BAD_QUEUES: list[tuple[Callable[[], object], str]] = [
    (lambda: QueueConfig(""), "needs an id"),
    (lambda: QueueConfig("q", channel="fax"), "channel"),
    (lambda: QueueConfig("q", max_length=-1), "max_length"),
    (lambda: QueueConfig("q", max_wait=0), "max_wait"),
    (lambda: QueueConfig("q", wrap_up=-1), "wrap_up"),
    (lambda: QueueConfig("q", retry_after=-1), "retry_after"),
    (lambda: QueueConfig("q", aging_rate=-0.1), "aging_rate"),
    (lambda: QueueConfig("q", service_level_threshold=-1), "service_level_threshold"),
    (lambda: QueueConfig("q", short_abandon=-1), "short_abandon"),
    (lambda: QueueConfig("q", offer_timeout=0), "offer_timeout"),
    (lambda: QueueConfig("q", default_handle_time=0), "default_handle_time"),
    (lambda: QueueConfig("q", escalation=(EscalationStep(30), EscalationStep(10))),
     "escalation"),
    (lambda: QueueConfig("q", escalation=(EscalationStep(30), EscalationStep(30))),
     "escalation"),
    (lambda: QueueConfig("q", required_skills=(SkillRequirement("x"), SkillRequirement("x"))),
     "skill is required twice"),
]


@pytest.mark.parametrize(("build", "field"), BAD_QUEUES)
def test_bad_queue_value_raises_config_error_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    """A bad queue setting raises ConfigError whose message names the field and queue."""
    with pytest.raises(ConfigError, match=field):
        build()


def test_queue_config_error_names_the_queue() -> None:
    """The message of a bad queue setting says which queue."""
    with pytest.raises(ConfigError, match="queue 'billing'"):
        QueueConfig("billing", wrap_up=-5)


BAD_AGENTS: list[tuple[Callable[[], object], str]] = [
    (lambda: AgentConfig(""), "needs an id"),
    (lambda: AgentConfig("a", skills=(("x", 0),)), "skill 'x' level"),
    (lambda: AgentConfig("a", skills=(("x", 11),)), "skill 'x' level"),
    (lambda: AgentConfig("a", skills=(("x", 3), ("x", 4))), "skill is listed twice"),
    (lambda: AgentConfig("a", capacity=(("fax", 1),)), "channel 'fax'"),
    (lambda: AgentConfig("a", capacity=(("chat", -1),)), "capacity for chat"),
    (lambda: AgentConfig("a", queues=(Membership("q"), Membership("q", 2))),
     "queue is listed twice"),
    (lambda: Membership("q", tier=0), "tier"),
]


@pytest.mark.parametrize(("build", "field"), BAD_AGENTS)
def test_bad_agent_value_raises_config_error_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    """A bad agent setting raises ConfigError whose message names the field."""
    with pytest.raises(ConfigError, match=field):
        build()


def test_agent_config_error_names_the_agent() -> None:
    """The message of a bad agent setting says which agent."""
    with pytest.raises(ConfigError, match="agent 'ann'"):
        AgentConfig("ann", skills=(("x", 42),))


BAD_PARTS: list[tuple[Callable[[], object], str]] = [
    (lambda: SkillRequirement(""), "skill name"),
    (lambda: SkillRequirement("x", 0), "min_level"),
    (lambda: SkillRequirement("x", 11), "min_level"),
    (lambda: EscalationStep(0), "after"),
    (lambda: EscalationStep(10, relax_levels=-1), "relax_levels"),
    (lambda: EscalationStep(10, max_tier=0), "max_tier"),
    (lambda: ExitAction(ExitKind.QUEUE), "queue_id"),
    (lambda: ExitAction(ExitKind.HANGUP, "q"), "queue_id"),
    (lambda: WeeklyHours(7, time(9), time(17)), "weekday"),
    (lambda: WeeklyHours(0, time(17), time(9)), "closes"),
    (lambda: Calendar("Mars/Olympus"), "time zone"),
    (lambda: EngineSettings(max_missed_offers=0), "max_missed_offers"),
    (lambda: EngineSettings(ewt_smoothing=0), "ewt_smoothing"),
    (lambda: EngineSettings(ewt_smoothing=1.5), "ewt_smoothing"),
]


@pytest.mark.parametrize(("build", "field"), BAD_PARTS)
def test_bad_part_value_raises_config_error_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    """Bad skills, escalation steps, exits, hours, calendars and settings name the field."""
    with pytest.raises(ConfigError, match=field):
        build()


def test_weekly_hours_may_close_at_midnight() -> None:
    """A range closing at 00:00 runs to the end of the day and is accepted."""
    assert WeeklyHours(4, time(18), time(0)).closes == time(0)
