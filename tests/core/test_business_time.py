"""Business time on a calendar, every figure worked out by hand on a wall calendar.

The calendar: Europe/Berlin, Monday to Friday 08:00-18:00 (10 h a day), Christmas Day
2026 (a Friday) a holiday. December 2026: Mon 30 Nov, Fri 4 Dec, Thu 24 Dec.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.business_time import NeverOpen, add_business_seconds, business_seconds
from callcenter.core.config import Calendar, WeeklyHours

BERLIN = "Europe/Berlin"
H = 3600.0
OFFICE = Calendar(BERLIN, tuple(WeeklyHours(d, time(8), time(18)) for d in range(5)),
                  frozenset({date(2026, 12, 25)}))


def at(y: int, mo: int, d: int, h: int, mi: int = 0, zone: str = BERLIN) -> float:
    from zoneinfo import ZoneInfo
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone)).timestamp()


def test_two_hours_within_a_day() -> None:
    """Monday 10:00 plus 2 business hours is Monday 12:00."""
    assert add_business_seconds(OFFICE, at(2026, 11, 30, 10), 2 * H) == at(2026, 11, 30, 12)


def test_overnight() -> None:
    """Monday 17:00 plus 2 h: one hour on Monday, one on Tuesday from 08:00, so 09:00."""
    assert add_business_seconds(OFFICE, at(2026, 11, 30, 17), 2 * H) == at(2026, 12, 1, 9)


def test_over_a_weekend() -> None:
    """Friday 17:00 plus 2 h: Saturday and Sunday are closed, so Monday 09:00."""
    assert add_business_seconds(OFFICE, at(2026, 12, 4, 17), 2 * H) == at(2026, 12, 7, 9)


def test_over_a_holiday_and_a_weekend() -> None:
    """Thursday 24 Dec 17:00 plus 2 h: Friday 25 is a holiday, then the weekend, so
    Monday 28 Dec 09:00."""
    assert add_business_seconds(OFFICE, at(2026, 12, 24, 17), 2 * H) == at(2026, 12, 28, 9)


def test_a_start_while_closed_waits_for_the_opening() -> None:
    """Saturday 10:00 plus 1 h is Monday 09:00; 0 s is the start itself."""
    assert add_business_seconds(OFFICE, at(2026, 12, 5, 10), H) == at(2026, 12, 7, 9)
    assert add_business_seconds(OFFICE, at(2026, 12, 5, 10), 0) == at(2026, 12, 5, 10)


def test_a_full_week_of_targets() -> None:
    """Monday 08:00 plus 50 h (five 10 h days) ends Friday 18:00, and 51 h the next
    Monday 09:00."""
    assert add_business_seconds(OFFICE, at(2026, 11, 30, 8), 50 * H) == at(2026, 12, 4, 18)
    assert add_business_seconds(OFFICE, at(2026, 11, 30, 8), 51 * H) == at(2026, 12, 7, 9)


def test_seconds_between_over_a_weekend() -> None:
    """Friday 17:00 to Monday 09:00 holds 2 business hours; Saturday to Sunday none."""
    assert business_seconds(OFFICE, at(2026, 12, 4, 17), at(2026, 12, 7, 9)) == 2 * H
    assert business_seconds(OFFICE, at(2026, 12, 5, 0), at(2026, 12, 6, 23)) == 0


def test_seconds_between_over_a_holiday() -> None:
    """Wednesday 23 Dec 12:00 to Monday 28 Dec 12:00: 6 h + 10 h (the 24th) + 4 h = 20 h."""
    assert business_seconds(OFFICE, at(2026, 12, 23, 12), at(2026, 12, 28, 12)) == 20 * H


def test_spring_forward_day_has_23_hours() -> None:
    """Open round the clock: from Saturday 28 March 2026 12:00 to Monday 30 March 12:00
    in Berlin are 12 h + 23 h (clocks skip 02:00-03:00 on Sunday) + 12 h = 47 h."""
    always = Calendar(BERLIN, tuple(WeeklyHours(d, time(0), time(0)) for d in range(7)))
    assert business_seconds(always, at(2026, 3, 28, 12), at(2026, 3, 30, 12)) == 47 * H
    assert add_business_seconds(always, at(2026, 3, 28, 12), 47 * H) == at(2026, 3, 30, 12)


def test_opening_hours_across_the_changes_of_time() -> None:
    """Sunday 01:00-04:00 lasts 2 h on 29 March 2026 (spring forward) and 4 h on
    25 October 2026 (fall back)."""
    night = Calendar(BERLIN, (WeeklyHours(6, time(1), time(4)),))
    assert business_seconds(night, at(2026, 3, 29, 0), at(2026, 3, 29, 6)) == 2 * H
    assert business_seconds(night, at(2026, 10, 25, 0), at(2026, 10, 25, 6)) == 4 * H


def test_a_calendar_without_hours_never_reaches_a_target() -> None:
    """No opening hours: no target can be counted on it."""
    with pytest.raises(NeverOpen):
        add_business_seconds(Calendar(BERLIN), at(2026, 12, 1, 9), H)


@given(start=st.floats(at(2026, 1, 1, 0), at(2027, 1, 1, 0)),
       seconds=st.integers(0, 200 * 3600))
def test_adding_then_counting_gives_the_seconds_back(start: float, seconds: int) -> None:
    """The business seconds from a start to the instant N business seconds later are N."""
    end = add_business_seconds(OFFICE, start, seconds)
    assert business_seconds(OFFICE, start, end) == pytest.approx(seconds, abs=1e-6)


NIGHTS = Calendar(BERLIN, tuple(WeeklyHours(d, time(22), time(0)) for d in range(7))
                  + tuple(WeeklyHours(d, time(0), time(3)) for d in range(7)),
                  frozenset({date(2026, 3, 29)}))


@given(start=st.floats(at(2026, 3, 20, 0), at(2026, 11, 5, 0)),
       seconds=st.integers(0, 30 * 3600))
def test_round_trip_over_the_changes_of_time(start: float, seconds: int) -> None:
    """On a night desk (22:00-03:00, a holiday on the spring-forward Sunday), from March
    to November: counting the seconds up to the instant N seconds later gives N."""
    end = add_business_seconds(NIGHTS, start, seconds)
    assert business_seconds(NIGHTS, start, end) == pytest.approx(seconds, abs=1e-6)
