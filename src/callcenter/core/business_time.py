"""Business time on a `Calendar`: the seconds that count toward a service target.

A second counts when the calendar is open then: inside one of its weekly ranges, on a
day that is not a holiday, both read on the local wall clock of the calendar's zone.
Days are taken one by one in that zone, so a day of 23 or 25 hours (a change of
daylight saving time) counts the hours it really has, and an opening time the clocks
skip (02:30 on a spring-forward night) is placed where `zoneinfo` puts it.

- `business_seconds(calendar, start, end)`: the open seconds in [start, end).
- `add_business_seconds(calendar, start, seconds)`: the first instant at which
  `seconds` open seconds have passed since `start` (`start` itself for 0).

Instants are seconds since the Unix epoch (as everywhere in the core). Pure: the
caller passes every instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcenter.core.config import Calendar

MAX_DAYS = 3660
"""How far ahead `add_business_seconds` looks for open time (ten years)."""


class NeverOpen(ValueError):
    """The calendar has no open time in which to count (no hours, or only holidays)."""


def _instant(day: date, at: time, zone: ZoneInfo) -> float:
    return datetime.combine(day, at, tzinfo=zone).timestamp()


def _day_ranges(calendar: Calendar, day: date, zone: ZoneInfo) -> list[tuple[float, float]]:
    """The open ranges of one local day as epoch instants, sorted and merged."""
    if day in calendar.holidays:
        return []
    found: list[tuple[float, float]] = []
    for h in calendar.hours:
        if h.weekday != day.weekday():
            continue
        opens = _instant(day, h.opens, zone)
        closes = (_instant(day + timedelta(days=1), time(0, 0), zone)
                  if h.closes == time(0, 0) else _instant(day, h.closes, zone))
        if closes > opens:
            found.append((opens, closes))
    found.sort()
    merged: list[tuple[float, float]] = []
    for lo, hi in found:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _ranges_from(calendar: Calendar, start: float,
                 days: int) -> Iterator[tuple[float, float]]:
    zone = ZoneInfo(calendar.timezone)
    first = datetime.fromtimestamp(start, tz=UTC).astimezone(zone).date()
    for n in range(-1, days):  # the day before too: a range may close after midnight UTC
        yield from _day_ranges(calendar, first + timedelta(days=n), zone)


def business_seconds(calendar: Calendar, start: float, end: float) -> float:
    """The calendar's open seconds in [start, end) (0 when end <= start)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(calendar.timezone)
    first = datetime.fromtimestamp(start, tz=UTC).astimezone(zone).date()
    last = datetime.fromtimestamp(end, tz=UTC).astimezone(zone).date()
    total = 0.0
    for lo, hi in _ranges_from(calendar, start, (last - first).days + 2):
        total += max(0.0, min(hi, end) - max(lo, start))
    return total


def add_business_seconds(calendar: Calendar, start: float, seconds: float) -> float:
    """The instant at which `seconds` open seconds have passed since `start`; raises
    `NeverOpen` if the calendar opens for no such time in `MAX_DAYS` days."""
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    if seconds == 0:
        return start
    left = seconds
    for lo, hi in _ranges_from(calendar, start, MAX_DAYS):
        lo = max(lo, start)
        if hi <= lo:
            continue
        if hi - lo >= left:
            return lo + left
        left -= hi - lo
    raise NeverOpen(f"calendar opens for less than {seconds} s in {MAX_DAYS} days")
