"""A case's targets on the office calendar (Berlin, Mon-Fri 08:00-18:00), by hand."""

from __future__ import annotations

from datetime import time

import pytest

from callcenter.core.case_sla import SlaPolicy, TargetState, case_targets, target
from callcenter.core.config import Calendar, WeeklyHours
from tests.core.test_business_time import OFFICE, at

H = 3600.0
FRIDAY_5PM = at(2026, 12, 4, 17)


def test_due_and_warning_over_a_weekend() -> None:
    """4 business hours from Friday 17:00 are due Monday 11:00; 80 % (3.2 h) warns at
    Monday 10:12."""
    t = target(OFFICE, FRIDAY_5PM, 4 * H, 0.8, None, FRIDAY_5PM)
    assert (t.due, t.warn, t.state) == (at(2026, 12, 7, 11), at(2026, 12, 7, 10, 12),
                                        TargetState.RUNNING)


@pytest.mark.parametrize(("now", "state"), [
    (at(2026, 12, 6, 23), TargetState.RUNNING),   # Sunday night: no time has counted
    (at(2026, 12, 7, 10, 12), TargetState.WARNING),
    (at(2026, 12, 7, 11), TargetState.BREACHED),
])
def test_state_as_time_passes(now: float, state: TargetState) -> None:
    """Running over the weekend, warning from Monday 10:12, breached from 11:00."""
    assert target(OFFICE, FRIDAY_5PM, 4 * H, 0.8, None, now).state == state


def test_met_and_missed() -> None:
    """Answered Monday 10:59 meets a target due 11:00; at 11:01 it is missed."""
    assert target(OFFICE, FRIDAY_5PM, 4 * H, 0.8, at(2026, 12, 7, 10, 59),
                  at(2026, 12, 9, 0)).state == TargetState.MET
    assert target(OFFICE, FRIDAY_5PM, 4 * H, 0.8, at(2026, 12, 7, 11, 1),
                  at(2026, 12, 9, 0)).state == TargetState.MISSED


def test_without_a_calendar_plain_seconds_count() -> None:
    """No calendar: 4 h from Friday 17:00 are due Friday 21:00."""
    assert target(None, FRIDAY_5PM, 4 * H, 0.5, None, FRIDAY_5PM).due == at(2026, 12, 4, 21)


def test_a_policy_sets_either_target() -> None:
    """A policy with only a resolution target (10 h: 1 h Friday, 9 h Monday, due Monday
    17:00) gives no first-response target."""
    both = case_targets(SlaPolicy(resolution=10 * H), OFFICE, FRIDAY_5PM, None, None,
                        FRIDAY_5PM)
    assert both.first_response is None
    assert both.resolution is not None and both.resolution.due == at(2026, 12, 7, 17)


def test_a_policy_refuses_nonsense() -> None:
    """Targets must be positive and the warning share in (0, 1]."""
    with pytest.raises(ValueError, match="first_response"):
        SlaPolicy(first_response=0)
    with pytest.raises(ValueError, match="warn_at"):
        SlaPolicy(warn_at=1.5)


def test_night_shift_calendar() -> None:
    """A desk open 22:00-24:00 daily: 3 h from Monday 23:00 run to Tuesday 24:00
    (1 h Monday, 2 h Tuesday)."""
    late = Calendar("Europe/Berlin", tuple(WeeklyHours(d, time(22), time(0)) for d in range(7)))
    assert target(late, at(2026, 11, 30, 23), 3 * H, 0.8, None, 0).due == at(2026, 12, 2, 0)
