"""The compliance report of one campaign, computed from its stored dial attempts.

`compliance(campaign, attempts, ...)` takes the attempts (any objects with the fields of
`store.models.AttemptRow`) and what is known of the leads, and returns one flat
`Compliance` row. Every figure is recomputed from the attempts, not taken from the
dialer's word:

- live answers (contacts) are attempts answered by a person (`answered` or `dropped`
  outcome, or flagged `dropped`); drops are those flagged `dropped`;
- the 24 h drop rate is the worst trailing 24 h window at any instant up to `until`
  (`core.dialer.drops.worst_window`), each live answer stamped at its answer time;
- the 30 d drop rate is over the live answers of (until - 30 d, until];
- a call outside the calling windows is one whose start, as wall-clock time in the
  callee's zone, is outside the campaign's windows or on a public holiday (`may_call`);
- a call to a blocked number is one started at or after the number went on a
  do-not-call list that applies to the campaign;
- caps: attempts per lead in all and per local day of the callee, against
  `max_attempts` and `max_attempts_per_day` (a recycled lead starts again from 0 in the
  dialer; here its attempts add up, so a recycled list may show leads over the cap);
- information-message delay: seconds from a drop's live answer to the message.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from callcenter.campaigns.public_holidays import PublicHolidays
from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.drops import DAY, MONTH, worst_window
from callcenter.core.dialer.windows import HolidayCalendar, local_day, may_call
from callcenter.store.campaigns import (
    attempts_of,
    campaign_of,
    campaign_row,
    dnc_entries,
    dnc_leads,
    lead_places,
)

LIVE = frozenset({"answered", "dropped"})
INFO_LIMIT = 2.0
"""Seconds within which a dropped call must hear the information message."""


class Attempt(Protocol):
    """What the report reads of one attempt (`store.models.AttemptRow`)."""

    @property
    def lead_id(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def started(self) -> float: ...
    @property
    def answered(self) -> float | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def dropped(self) -> bool: ...
    @property
    def info_delay(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Compliance:
    """One campaign's compliance figures (rates as fractions, delays in seconds)."""

    campaign: str
    until: float
    attempts: int
    contacts: int
    drops: int
    drop_cap: float
    drop_rate_24h: float
    worst_24h_end: float | None
    worst_24h_contacts: int
    worst_24h_drops: int
    drop_rate_30d: float
    contacts_30d: int
    drops_30d: int
    outside_window: int
    dnc_blocked: int
    dnc_dialed: int
    max_attempts: int
    max_attempts_per_day: int
    most_attempts_per_lead: int
    most_attempts_per_lead_day: int
    leads_over_cap: int
    info_delay_max: float | None
    info_delay_p95: float | None
    info_late: int


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` 0.95: the smallest value with at least 95 %
    of the values at or below it); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def is_live(attempt: Attempt) -> bool:
    """A live answer: a person answered (connected or dropped)."""
    return attempt.dropped or attempt.outcome in LIVE


def compliance(
    campaign: Campaign,
    attempts: Iterable[Attempt],
    *,
    until: float,
    holidays: HolidayCalendar,
    places: Mapping[str, tuple[str, str | None]] | None = None,
    dnc: Iterable[tuple[str, float]] = (),
    dnc_blocked: int = 0,
) -> Compliance:
    """The report over the attempts started at or before `until`.

    `places` maps lead ids to (zone, country) (default: the campaign's zone, no
    country); `dnc` lists (number, time it went on an applicable list); `dnc_blocked`
    counts the leads the dialer ended as do-not-call.
    """
    places = places or {}
    rows = sorted((a for a in attempts if a.started <= until), key=lambda a: a.started)
    live = sorted(((a.answered if a.answered is not None else a.started, a.dropped)
                   for a in rows if is_live(a)), key=lambda r: r[0])
    worst = worst_window(live, DAY, until=until)
    month = [(t, d) for t, d in live if until - MONTH < t <= until]
    drops_30d = sum(d for _, d in month)
    blocked_since: dict[str, float] = {}
    for number, at in dnc:
        blocked_since[number] = min(at, blocked_since.get(number, at))
    outside = dialed_blocked = 0
    per_lead: Counter[str] = Counter()
    per_day: Counter[tuple[str, int]] = Counter()
    for a in rows:
        zone, country = places.get(a.lead_id, (campaign.timezone, None))
        if not may_call(zone, campaign, a.started, holidays, country):
            outside += 1
        if a.number in blocked_since and a.started >= blocked_since[a.number]:
            dialed_blocked += 1
        per_lead[a.lead_id] += 1
        per_day[a.lead_id, local_day(zone, a.started)] += 1
    over = {lead for lead, n in per_lead.items() if n > campaign.max_attempts}
    over |= {lead for (lead, _), n in per_day.items() if n > campaign.max_attempts_per_day}
    delays = [a.info_delay for a in rows if a.dropped and a.info_delay is not None]
    return Compliance(
        campaign=campaign.name, until=until, attempts=len(rows), contacts=len(live),
        drops=sum(d for _, d in live), drop_cap=campaign.drop_cap,
        drop_rate_24h=worst.rate, worst_24h_end=worst.end if worst.drops else None,
        worst_24h_contacts=worst.lives, worst_24h_drops=worst.drops,
        drop_rate_30d=drops_30d / len(month) if month else 0.0,
        contacts_30d=len(month), drops_30d=drops_30d,
        outside_window=outside, dnc_blocked=dnc_blocked, dnc_dialed=dialed_blocked,
        max_attempts=campaign.max_attempts, max_attempts_per_day=campaign.max_attempts_per_day,
        most_attempts_per_lead=max(per_lead.values(), default=0),
        most_attempts_per_lead_day=max(per_day.values(), default=0),
        leads_over_cap=len(over),
        info_delay_max=max(delays, default=None), info_delay_p95=percentile(delays, 0.95),
        info_late=sum(d > INFO_LIMIT for d in delays),
    )


def stored_report(session: Session, name: str, until: float,
                  holidays: HolidayCalendar | None = None) -> Compliance:
    """The report of stored campaign `name` up to `until` (public holidays by default)."""
    campaign = campaign_of(campaign_row(session, name))
    return compliance(
        campaign, attempts_of(session, name), until=until,
        holidays=PublicHolidays() if holidays is None else holidays,
        places=lead_places(session, name),
        dnc=[(r.number, r.added_at.timestamp()) for r in dnc_entries(session, name)],
        dnc_blocked=dnc_leads(session, name))


def as_csv(figures: Compliance) -> str:
    """One header row of the field names, one row of values (empty for none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    row = dataclasses.asdict(figures)
    writer.writerow(row)
    writer.writerow(["" if v is None else v for v in row.values()])
    return buffer.getvalue()
