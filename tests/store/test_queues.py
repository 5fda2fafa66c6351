"""Queues and calendars in the store: exact round-trips, validation, refused deletes."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.core.config import (
    AgentConfig,
    Calendar,
    ConfigError,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
    WeeklyHours,
)
from callcenter.store.configs import (
    delete_calendar,
    delete_queue,
    get_calendar,
    get_queue,
    list_queues,
    save_agent,
    save_calendar,
    save_queue,
)
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import EscalationStepRow, QueueRow, QueueSkillRow
from tests.store.strategies import queue_configs

WEEKDAYS = Calendar("Europe/Berlin",
                    tuple(WeeklyHours(d, time(8), time(18)) for d in range(5)),
                    frozenset({date(2026, 12, 25), date(2026, 12, 26)}))

FULL = QueueConfig(
    id="billing", strategy=Strategy.BEST_SKILL_MATCH, channel="chat",
    required_skills=(SkillRequirement("german", 5), SkillRequirement("billing", 3)),
    initial_max_tier=1,
    escalation=(EscalationStep(30, relax_levels=2), EscalationStep(60.5, max_tier=3,
                                                                   overflow_to=("general",))),
    max_length=40, max_wait=300.25, timeout_action=ExitAction(ExitKind.CALLBACK),
    full_action=ExitAction(ExitKind.QUEUE, "general"), reject_when_no_agents=True,
    no_agents_action=ExitAction(ExitKind.VOICEMAIL), calendar=WEEKDAYS,
    closed_action=ExitAction(ExitKind.HANGUP), wrap_up=15.0, offer_timeout=12.5,
    retry_after=3.0, aging_rate=0.25, service_level_threshold=30.0, short_abandon=4.0,
    default_handle_time=240.0)


def _reload(session: Session, queue_id: str) -> QueueConfig:
    session.flush()
    session.expunge_all()
    return get_queue(session, queue_id)


def test_queue_with_every_setting_round_trips(session: Session) -> None:
    """A queue using every routing setting comes back equal after a commit."""
    save_queue(session, FULL)
    session.commit()
    assert _reload(session, "billing") == FULL


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=queue_configs())
def test_any_queue_round_trips(session: Session, config: QueueConfig) -> None:
    """Any valid QueueConfig is stored and read back exactly."""
    try:
        save_queue(session, config)
        assert _reload(session, config.id) == config
    finally:
        session.rollback()


def test_saving_again_replaces_the_queue(session: Session) -> None:
    """Saving a queue with the same id replaces skills, escalation and settings."""
    save_queue(session, FULL)
    smaller = QueueConfig("billing", required_skills=(SkillRequirement("billing", 1),))
    save_queue(session, smaller)
    assert _reload(session, "billing") == smaller
    assert session.scalar(select(func.count()).select_from(EscalationStepRow)) == 0


def test_queues_are_listed_by_id(session: Session) -> None:
    """list_queues returns every queue sorted by id."""
    for qid in ("b", "a", "c"):
        save_queue(session, QueueConfig(qid))
    assert [q.id for q in list_queues(session)] == ["a", "b", "c"]


def test_unknown_queue_is_not_found(session: Session) -> None:
    """Reading a queue that does not exist raises NotFound naming it."""
    with pytest.raises(NotFound, match="'nope'"):
        get_queue(session, "nope")


def test_bad_stored_strategy_names_the_field(session: Session) -> None:
    """A row with an unknown strategy surfaces as ConfigError naming queue and field."""
    save_queue(session, QueueConfig("q"))
    session.get_one(QueueRow, "q").strategy = "loudest"
    with pytest.raises(ConfigError, match="queue 'q': strategy 'loudest'"):
        _reload(session, "q")


def test_bad_stored_value_is_a_config_error(session: Session) -> None:
    """A row with an invalid number fails the config's own validation."""
    save_queue(session, QueueConfig("q"))
    session.get_one(QueueRow, "q").offer_timeout = 0.0
    with pytest.raises(ConfigError, match="offer_timeout"):
        _reload(session, "q")


def test_overlong_id_is_refused(session: Session) -> None:
    """A queue id longer than the column is a ConfigError naming the field."""
    with pytest.raises(ConfigError, match=r"queue 'x+': id must be 1\.\.100"):
        save_queue(session, QueueConfig("x" * 101))


def test_delete_queue_with_members_is_refused(session: Session) -> None:
    """Deleting a queue that agents are members of raises Conflict naming them."""
    save_queue(session, QueueConfig("sales"))
    save_agent(session, AgentConfig("a1", queues=(Membership("sales"),)))
    with pytest.raises(Conflict, match="agent 'a1'"):
        delete_queue(session, "sales")
    assert get_queue(session, "sales").id == "sales"


def test_delete_queue_used_as_exit_is_refused(session: Session) -> None:
    """Deleting a queue that another queue overflows or exits to raises Conflict."""
    save_queue(session, QueueConfig("general"))
    save_queue(session, FULL)
    with pytest.raises(Conflict, match=r"queue 'billing' \(exit action\).*\(overflow\)"):
        delete_queue(session, "general")


def test_delete_unused_queue_removes_its_rows(session: Session) -> None:
    """Deleting an unused queue removes its skill and escalation rows too."""
    save_queue(session, FULL)
    session.commit()
    delete_queue(session, "billing")
    session.commit()
    counts = [session.scalar(select(func.count()).select_from(t))
              for t in (QueueRow, QueueSkillRow, EscalationStepRow)]
    assert counts == [0, 0, 0]


def test_queue_calendar_is_stored_under_the_queue_id(session: Session) -> None:
    """Without a calendar_id, a queue's calendar is stored as its own calendar row."""
    save_queue(session, FULL)
    session.expunge_all()
    assert get_calendar(session, "billing") == WEEKDAYS


def test_shared_calendar_must_match(session: Session) -> None:
    """Naming a stored calendar that differs from the queue's is a ConfigError."""
    save_calendar(session, "office", Calendar("UTC"))
    with pytest.raises(ConfigError, match="calendar differs from the stored calendar 'office'"):
        save_queue(session, FULL, calendar_id="office")


def test_calendar_round_trips(session: Session) -> None:
    """A calendar with hours and holidays comes back equal."""
    save_calendar(session, "office", WEEKDAYS)
    session.commit()
    session.expunge_all()
    assert get_calendar(session, "office") == WEEKDAYS


def test_delete_calendar_in_use_is_refused(session: Session) -> None:
    """Deleting a calendar that a queue uses raises Conflict naming the queue."""
    save_queue(session, FULL, calendar_id="office")
    with pytest.raises(Conflict, match="used by queues \\['billing'\\]"):
        delete_calendar(session, "office")
