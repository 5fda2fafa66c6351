"""Calling windows hold in the callee's local time, across zones, DST changes and holidays."""

from __future__ import annotations

from datetime import date, time

from callcenter.campaigns.public_holidays import PublicHolidays
from callcenter.core.dialer.campaign import DEFAULT_WINDOWS, CallingWindow, weekly
from callcenter.core.dialer.windows import (
    NO_HOLIDAYS,
    FixedHolidays,
    may_call,
    next_window_start,
    window_state,
)
from tests.dialer.leadkit import BERLIN, HOUR, LA, NY, TOKYO, at, campaign

TCPA = campaign(windows=weekly(range(7), time(8), time(21)))
HOLIDAYS = PublicHolidays()


def test_us_number_at_2059_may_be_called_on_spring_forward_day() -> None:
    """On the US DST switch day (8 Mar 2026), 20:59 local is still inside an 08-21 window."""
    assert may_call(NY, TCPA, at(NY, 2026, 3, 8, 20, 59), NO_HOLIDAYS)


def test_us_number_at_2100_may_not_be_called_on_spring_forward_day() -> None:
    """On the US DST switch day, 21:00 local is outside the window (EDT, not EST)."""
    assert not may_call(NY, TCPA, at(NY, 2026, 3, 8, 21, 0), NO_HOLIDAYS)


def test_window_edges_follow_the_local_clock_on_fall_back_day() -> None:
    """On 1 Nov 2026 (clocks back), 07:59 local is closed and 08:00 local is open."""
    assert not may_call(NY, TCPA, at(NY, 2026, 11, 1, 7, 59), NO_HOLIDAYS)
    assert may_call(NY, TCPA, at(NY, 2026, 11, 1, 8, 0), NO_HOLIDAYS)


def test_europe_switches_on_another_day_than_the_us() -> None:
    """At one instant between the US and EU switches, each zone uses its own offset."""
    now = at(NY, 2026, 3, 20, 20, 59)  # NY on EDT, Berlin still on CET: 01:59 in Berlin
    assert may_call(NY, TCPA, now, NO_HOLIDAYS)
    assert not may_call(BERLIN, TCPA, now, NO_HOLIDAYS)
    assert may_call(BERLIN, TCPA, at(BERLIN, 2026, 3, 29, 8, 0), NO_HOLIDAYS)  # CEST day


def test_the_same_instant_is_open_in_one_zone_and_closed_in_another() -> None:
    """09:00 in New York is 06:00 in Los Angeles and 23:00 in Tokyo: only NY may be called."""
    now = at(NY, 2026, 6, 10, 9, 0)
    assert [may_call(z, TCPA, now, NO_HOLIDAYS) for z in (NY, LA, TOKYO)] == [True, False, False]


def test_next_window_start_after_closing_on_dst_day_is_next_morning_local() -> None:
    """From 21:00 on the spring-forward day, the next window opens at 08:00 EDT next day."""
    assert next_window_start(NY, TCPA, at(NY, 2026, 3, 8, 21, 0), NO_HOLIDAYS) == at(
        NY, 2026, 3, 9, 8, 0
    )


def test_window_starting_in_the_dst_gap_opens_when_the_clocks_jump() -> None:
    """A window from 02:30 (a time that never happens on 8 Mar) opens at 03:00 EDT."""
    c = campaign(windows=(CallingWindow(6, time(2, 30), time(5)),))
    start = next_window_start(NY, c, at(NY, 2026, 3, 8, 0, 30), NO_HOLIDAYS)
    assert start == at(NY, 2026, 3, 8, 3, 0)
    assert may_call(NY, c, start, NO_HOLIDAYS) if start is not None else False


def test_window_state_says_until_when_the_answer_holds() -> None:
    """Open: until the window ends; closed: until the next one starts."""
    assert window_state(NY, TCPA, at(NY, 2026, 6, 10, 12), NO_HOLIDAYS) == (
        True, at(NY, 2026, 6, 10, 21))
    assert window_state(NY, TCPA, at(NY, 2026, 6, 10, 22), NO_HOLIDAYS) == (
        False, at(NY, 2026, 6, 11, 8))


def test_no_windows_means_never() -> None:
    """A campaign without windows may never call, and has no next window."""
    c = campaign(windows=())
    assert not may_call(NY, c, at(NY, 2026, 6, 10, 12), NO_HOLIDAYS)
    assert next_window_start(NY, c, at(NY, 2026, 6, 10, 12), NO_HOLIDAYS) is None


def test_weekday_windows_are_per_local_weekday() -> None:
    """With the default windows, Sunday is closed and Saturday closes at 16:00."""
    c = campaign(windows=DEFAULT_WINDOWS)
    assert not may_call(BERLIN, c, at(BERLIN, 2026, 6, 14, 12), NO_HOLIDAYS)  # Sunday
    assert may_call(BERLIN, c, at(BERLIN, 2026, 6, 13, 15, 59), NO_HOLIDAYS)  # Saturday
    assert not may_call(BERLIN, c, at(BERLIN, 2026, 6, 13, 16), NO_HOLIDAYS)


def test_german_number_is_not_called_on_a_public_holiday() -> None:
    """1 May 2026 (Labour Day, a Friday) is closed for a German campaign; 30 April is open."""
    c = campaign(holiday_country="DE")
    assert not may_call(BERLIN, c, at(BERLIN, 2026, 5, 1, 12), HOLIDAYS)
    assert may_call(BERLIN, c, at(BERLIN, 2026, 4, 30, 12), HOLIDAYS)


def test_next_window_skips_the_holiday() -> None:
    """After 30 April closes, the next window is 2 May, not Labour Day."""
    c = campaign(holiday_country="DE")
    assert next_window_start(BERLIN, c, at(BERLIN, 2026, 4, 30, 21), HOLIDAYS) == at(
        BERLIN, 2026, 5, 2, 8)


def test_subdivision_holidays_apply_only_there() -> None:
    """Epiphany (6 Jan) is a holiday in Bavaria but not in Berlin."""
    now = at(BERLIN, 2026, 1, 6, 12)
    assert not may_call(BERLIN, campaign(holiday_country="DE", holiday_subdivision="BY"), now,
                        HOLIDAYS)
    assert may_call(BERLIN, campaign(holiday_country="DE", holiday_subdivision="BE"), now,
                    HOLIDAYS)


def test_the_lead_country_picks_the_holidays() -> None:
    """On US Thanksgiving a US lead of a German campaign is closed, a German lead open."""
    c = campaign(holiday_country="DE")
    now = at(NY, 2026, 11, 26, 12)
    assert not may_call(NY, c, now, HOLIDAYS, country="US")
    assert may_call(BERLIN, c, now, HOLIDAYS, country="DE")


def test_holidays_per_country_differ() -> None:
    """3 October is a holiday in Germany, not in France; 14 July the other way round."""
    assert HOLIDAYS.is_holiday(date(2025, 10, 3), "DE", None)
    assert not HOLIDAYS.is_holiday(date(2025, 10, 3), "FR", None)
    assert HOLIDAYS.is_holiday(date(2025, 7, 14), "FR", None)
    assert not HOLIDAYS.is_holiday(date(2025, 7, 14), "DE", None)


def test_fixed_holidays_fake_closes_listed_dates() -> None:
    """The in-process holiday calendar closes exactly the dates it lists."""
    fake = FixedHolidays({"US": frozenset({date(2026, 6, 10)})})
    c = campaign(holiday_country="US")
    assert not may_call(NY, c, at(NY, 2026, 6, 10, 12), fake)
    assert may_call(NY, c, at(NY, 2026, 6, 11, 12), fake)
    assert next_window_start(NY, c, at(NY, 2026, 6, 9, 22), fake) == at(NY, 2026, 6, 11, 8)


def test_open_window_is_not_its_own_next_start() -> None:
    """Inside an open window, the next start is tomorrow's, not now."""
    assert next_window_start(NY, TCPA, at(NY, 2026, 6, 10, 8, 0), NO_HOLIDAYS) == (
        at(NY, 2026, 6, 10, 8) + 24 * HOUR)
