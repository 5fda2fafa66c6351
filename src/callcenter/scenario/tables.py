"""Readers for the self-contained tables of a scenario: calendars and shifts."""

from __future__ import annotations

from datetime import time

from callcenter.core.config import Calendar, ConfigError, WeeklyHours
from callcenter.scenario import parse
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.parse import Table
from callcenter.scenario.spec import DAY, Break, Shift


def calendars_table(t: Table, tz: str) -> dict[str, Calendar]:
    """`[calendars]`: calendars by name."""
    return {name: calendar_table(Table(t.raw(name), t.at(name)), tz) for name in t.data}


def calendar_table(t: Table, tz: str) -> Calendar:
    """One calendar: opening hours by weekday range, holidays, a zone."""
    zone = t.string("timezone", tz)
    hours: list[WeeklyHours] = []
    ht = t.table("hours")
    for key in ht.data:
        days = parse.weekdays(key, ht.at(key))
        spec = ht.raw(key)
        if not isinstance(spec, str):
            raise ScenarioError("must be opening hours like \"08:00-18:00\"", ht.at(key))
        for part in spec.split(","):
            opens, sep, closes = part.strip().partition("-")
            if not sep:
                raise ScenarioError(f"must be ranges like \"08:00-18:00\", got {spec!r}",
                                    ht.at(key))
            o = parse.time_of_day(opens.strip(), ht.at(key))
            c = parse.time_of_day(closes.strip(), ht.at(key), allow_24=True)
            for d in sorted(days):
                try:
                    hours.append(WeeklyHours(d, _clock(o), _clock(c % DAY)))
                except ConfigError as exc:
                    raise ScenarioError(str(exc), ht.at(key)) from None
    holidays = frozenset(parse.day(h, (*t.at("holidays"), i))
                         for i, h in enumerate(t.array("holidays")))
    t.done()
    try:
        return Calendar(zone, tuple(hours), holidays)
    except ConfigError as exc:
        raise ScenarioError(str(exc), t.at("timezone")) from None


def shifts_table(t: Table) -> dict[str, Shift]:
    """`[shifts]`: shifts by name (an end before the start runs past midnight)."""
    out = {}
    for name in t.data:
        s = Table(t.raw(name), t.at(name))
        start = parse.time_of_day(s.require("start"), s.at("start"))
        end = parse.time_of_day(s.require("end"), s.at("end"), allow_24=True)
        if end <= start:
            end += DAY  # ends after midnight
        days = parse.weekdays(s.raw("weekdays", "daily"), s.at("weekdays"))
        breaks = []
        for i, b in enumerate(s.array("breaks")):
            bt = Table(b, (*s.at("breaks"), i))
            bstart = parse.time_of_day(bt.require("start"), bt.at("start"))
            if bstart < start:
                bstart += DAY
            minutes = bt.number("minutes", positive=True)
            if not (start <= bstart and bstart + minutes * 60 <= end):
                raise ScenarioError("break must lie within the shift", bt.path)
            stagger = bt.number("stagger", 0, minimum=0) * 60
            breaks.append(Break(bstart, minutes * 60, bt.string("reason", "break"), stagger))
            bt.done()
        s.done()
        out[name] = Shift(name, start, end, days, tuple(sorted(breaks, key=lambda b: b.start)))
    return out


def _clock(seconds: float) -> time:
    s = int(seconds)
    return time(s // 3600, s % 3600 // 60, s % 60)
