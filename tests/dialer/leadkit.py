"""Helpers for the lead, window and do-not-call tests: local times, campaigns, queues."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.core.dialer.campaign import Campaign, weekly
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead
from callcenter.core.dialer.windows import NO_HOLIDAYS, HolidayCalendar

HOUR = 3600.0
DAY = 24 * HOUR
NY, LA, BERLIN, TOKYO = "America/New_York", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"
ALWAYS = weekly(range(7), time(0), time(23, 59, 59))
"""Windows open (almost) all day, every day: for tests about order, not windows."""


def at(zone: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> float:
    """Epoch seconds of a wall-clock time in `zone` (the first one, if it happens twice)."""
    return datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(zone)).timestamp()


def campaign(**changes: Any) -> Campaign:
    """A valid campaign (progressive, open 08:00-21:00 daily) with `changes` applied."""
    base: dict[str, Any] = {
        "name": "spring-sale",
        "caller_id": "+4930123456",
        "windows": weekly(range(7), time(8), time(21)),
    }
    base.update(changes)
    return Campaign(**base)


def lead(n: int, zone: str = NY, **changes: Any) -> Lead:
    """Lead `L<n>` with a distinct number in `zone`."""
    return Lead(f"L{n}", f"+1212555{n:04d}", zone, **changes)


def queue(
    c: Campaign | None = None,
    leads: list[Lead] | None = None,
    dnc: DncRegistry | None = None,
    holidays: HolidayCalendar = NO_HOLIDAYS,
) -> LeadQueue:
    """A LeadQueue over `leads` for campaign `c` (default: always open)."""
    q = LeadQueue(c or campaign(windows=ALWAYS), dnc or DncRegistry(), holidays)
    q.extend(leads or [])
    return q
