"""Calling windows in the callee's local time, DST-correct, with public holidays.

`now` is seconds since the Unix epoch. The local time is the callee's zone's
wall clock (zoneinfo), so a window "09:00-21:00" ends at 21:00 local on the day
the clocks change as on any other day. Holidays come from a `HolidayCalendar`
passed in (the `holidays` package behind `callcenter.campaigns.public_holidays`,
or `FixedHolidays` in tests): the core does no lookup of its own.

Whose holidays: the lead's country when it is known (from its number), else the
campaign's `holiday_country`; the campaign's `holiday_subdivision` applies only
when that is the campaign's own country.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.core.dialer.campaign import CallingWindow, Campaign

SEARCH_DAYS = 400
"""How far ahead `next_window_start` looks before it says there is no window."""


class HolidayCalendar(Protocol):
    """Answers whether a local date is a public holiday in a country (and subdivision)."""

    def is_holiday(self, day: date, country: str, subdivision: str | None) -> bool:
        """True when `day` is a public holiday there."""
        ...


@dataclass(frozen=True, slots=True)
class FixedHolidays:
    """A holiday calendar from explicit dates per country: the in-process fake."""

    dates: Mapping[str, frozenset[date]] = field(default_factory=dict)

    def is_holiday(self, day: date, country: str, subdivision: str | None) -> bool:
        """True when `day` is listed for `country` (subdivisions are not told apart)."""
        return day in self.dates.get(country, frozenset())


NO_HOLIDAYS = FixedHolidays()


def _holiday(
    day: date, campaign: Campaign, holidays: HolidayCalendar, country: str | None
) -> bool:
    which = country or campaign.holiday_country
    if which is None:
        return False
    subdivision = campaign.holiday_subdivision if which == campaign.holiday_country else None
    return holidays.is_holiday(day, which, subdivision)


def _day_windows(campaign: Campaign, weekday: int) -> list[CallingWindow]:
    return sorted((w for w in campaign.windows if w.weekday == weekday), key=lambda w: w.start)


def local_time(zone: str, now: float) -> datetime:
    """`now` as a wall-clock datetime in `zone`."""
    return datetime.fromtimestamp(now, tz=UTC).astimezone(ZoneInfo(zone))


def local_day(zone: str, now: float) -> int:
    """The callee's local date at `now`, as a proleptic ordinal (for per-day caps)."""
    return local_time(zone, now).date().toordinal()


def start_of_next_day(zone: str, now: float) -> float:
    """The instant the callee's next local day begins (midnight, or the first time after)."""
    tz = ZoneInfo(zone)
    nxt = local_time(zone, now).date() + timedelta(days=1)
    return _instant(nxt, time(0), tz)


def _instant(day: date, wall: time, tz: ZoneInfo) -> float:
    """The first instant whose wall-clock time in `tz` on `day` is `wall` or later.

    Inside a spring-forward gap (a wall time that never happens) that is the
    moment the clocks jump; in a fall-back overlap it is the first occurrence.
    """
    naive = datetime.combine(day, wall)
    early = naive.replace(tzinfo=tz, fold=0).timestamp()
    if datetime.fromtimestamp(early, tz=tz).replace(tzinfo=None) == naive:
        return early
    # In a gap: fold=1 maps to before the jump, fold=0 to after it; find the jump.
    lo = naive.replace(tzinfo=tz, fold=1).timestamp()
    lo, hi = min(lo, early), max(lo, early)
    while hi - lo > 1.0:
        mid = (lo + hi) / 2
        if datetime.fromtimestamp(mid, tz=tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return float(int(hi))


def window_state(
    lead_zone: str,
    campaign: Campaign,
    now: float,
    holidays: HolidayCalendar,
    country: str | None = None,
) -> tuple[bool, float | None]:
    """(may a call start now, when that answer may next change; None: never).

    For an open window the change is its end; for a closed one it is the next
    window's start. Callers cache the answer until then.
    """
    tz = ZoneInfo(lead_zone)
    local = datetime.fromtimestamp(now, tz=UTC).astimezone(tz)
    today = local.date()
    if not _holiday(today, campaign, holidays, country):
        wall = local.time().replace(tzinfo=None)
        for w in _day_windows(campaign, today.weekday()):
            if w.start <= wall < w.end:
                return True, _instant(today, w.end, tz)
    return False, next_window_start(lead_zone, campaign, now, holidays, country)


def may_call(
    lead_zone: str,
    campaign: Campaign,
    now: float,
    holidays: HolidayCalendar,
    country: str | None = None,
) -> bool:
    """True when a call to a callee in `lead_zone` may start at `now`."""
    tz = ZoneInfo(lead_zone)
    local = datetime.fromtimestamp(now, tz=UTC).astimezone(tz)
    today = local.date()
    if _holiday(today, campaign, holidays, country):
        return False
    wall = local.time().replace(tzinfo=None)
    return any(w.start <= wall < w.end for w in _day_windows(campaign, today.weekday()))


def next_window_start(
    lead_zone: str,
    campaign: Campaign,
    now: float,
    holidays: HolidayCalendar,
    country: str | None = None,
) -> float | None:
    """The first instant after `now` at which a window opens (None: none within 400 days).

    A window that is open at `now` does not count: this is when the *next* one opens.
    """
    if not campaign.windows:
        return None
    tz = ZoneInfo(lead_zone)
    today = datetime.fromtimestamp(now, tz=UTC).astimezone(tz).date()
    for offset in range(SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if _holiday(day, campaign, holidays, country):
            continue
        for w in _day_windows(campaign, day.weekday()):
            at = _instant(day, w.start, tz)
            if at > now and _instant(day, w.end, tz) > at:
                return at
    return None

