"""The compliance report from hand-made attempt rows: each figure, one test each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from callcenter.campaigns.compliance import Compliance, compliance, percentile
from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.windows import FixedHolidays

CAMPAIGN = Campaign("spring", caller_id="+4930123456", default_region="DE",
                    timezone="Europe/Berlin")
BERLIN = ("Europe/Berlin", "DE")
NEW_YORK = ("America/New_York", "US")


def at(day: int, hour: int, minute: int = 0) -> float:
    """Unix seconds of March `day`, 2025, hour:minute UTC (March 4 is a Tuesday)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Attempt:
    """One attempt row, as the dialer stores it."""

    started: float
    outcome: str = "no-answer"
    lead_id: str = "a"
    number: str = "+4930123456"
    answered: float | None = None
    dropped: bool = False
    info_delay: float | None = None


def live(when: float, lead: str = "a", dropped: bool = False,
         delay: float | None = None) -> Attempt:
    """A live answer 10 s after the start, connected or dropped."""
    return Attempt(when, "dropped" if dropped else "answered", lead, answered=when + 10,
                   dropped=dropped, info_delay=delay)


def report(rows: list[Attempt], until: float = at(20, 12), **kw: object) -> Compliance:
    """The report over `rows`, every lead in Berlin unless `places` says otherwise."""
    places = kw.pop("places", {r.lead_id: BERLIN for r in rows})
    return compliance(CAMPAIGN, rows, until=until, holidays=FixedHolidays(),
                      places=places, **kw)  # type: ignore[arg-type]


def test_attempts_are_counted() -> None:
    """Every attempt started by `until` counts, later ones do not."""
    rows = [Attempt(at(4, 9)), Attempt(at(4, 10)), Attempt(at(21, 9))]
    assert report(rows).attempts == 2


def test_contacts_are_live_answers() -> None:
    """Connected and dropped calls are contacts; a no-answer is not."""
    rows = [live(at(4, 9)), live(at(4, 10), dropped=True), Attempt(at(4, 11))]
    assert report(rows).contacts == 2


def test_drops_are_counted() -> None:
    """Only attempts flagged dropped are drops."""
    rows = [live(at(4, 9)), live(at(4, 10), dropped=True), live(at(4, 11), dropped=True)]
    assert report(rows).drops == 2


def test_an_attempt_outside_the_window_is_counted() -> None:
    """A call at 21:30 Berlin time (20:30 UTC) is outside Mon-Fri 09:00-20:00."""
    rows = [Attempt(at(4, 9)), Attempt(at(4, 20, 30))]
    assert report(rows).outside_window == 1


def test_the_window_is_checked_in_the_callees_zone() -> None:
    """20:30 UTC is 15:30 in New York: inside that callee's window."""
    rows = [Attempt(at(4, 20, 30), lead_id="ny")]
    assert report(rows, places={"ny": NEW_YORK}).outside_window == 0


def test_a_holiday_is_outside_the_window() -> None:
    """A call on a public holiday of the callee's country is counted."""
    rows = [Attempt(at(4, 10))]
    figures = compliance(CAMPAIGN, rows, until=at(20, 12), places={"a": BERLIN},
                         holidays=FixedHolidays({"DE": frozenset({datetime(2025, 3, 4).date()})}))
    assert figures.outside_window == 1


STRADDLE = (
    [live(at(4, 8, m)) for m in range(30)]  # early on day 1: 30 connected
    + [live(at(4, 17), dropped=True)]
    + [live(at(4, 17, 10 + m)) for m in range(4)]
    + [live(at(5, 9), dropped=True)]
    + [live(at(5, 12, m)) for m in range(30)]  # day 2, after the drop: 30 connected
)


def test_worst_24h_window_straddles_two_days() -> None:
    """The worst window ends at day 2's drop and holds day 1's evening: 2 of 6."""
    figures = report(STRADDLE, until=at(5, 13))
    assert (figures.worst_24h_drops, figures.worst_24h_contacts) == (2, 6)


def test_worst_24h_window_ends_at_the_second_drop() -> None:
    """The worst window's end is day 2's drop (answered 10 s after 09:00)."""
    assert report(STRADDLE, until=at(5, 13)).worst_24h_end == at(5, 9) + 10


def test_worst_24h_rate_is_above_each_calendar_days_rate() -> None:
    """2/6, while day 1 alone is 1/35 and day 2 alone 1/31."""
    assert report(STRADDLE, until=at(5, 13)).drop_rate_24h == pytest.approx(2 / 6)


def test_30_day_rate_leaves_out_older_live_answers() -> None:
    """A drop 31 days before `until` is not in the 30-day rate."""
    rows = [live(at(4, 10), dropped=True), live(at(5, 10)), live(at(5, 11)), live(at(5, 12))]
    figures = report(rows, until=at(4, 10) + 31 * 86_400)
    assert (figures.drops_30d, figures.contacts_30d) == (0, 3)


def test_30_day_rate() -> None:
    """One drop among four live answers is 25 %."""
    rows = [live(at(4, 10), dropped=True), live(at(5, 10)), live(at(5, 11)), live(at(5, 12))]
    assert report(rows).drop_rate_30d == pytest.approx(0.25)


def test_a_call_after_the_number_was_blocked_is_counted() -> None:
    """Dialing a number after it went on a list counts; before, it does not."""
    rows = [Attempt(at(4, 9)), Attempt(at(4, 11))]
    assert report(rows, dnc=[("+4930123456", at(4, 10))]).dnc_dialed == 1


def test_dnc_blocked_leads_are_reported() -> None:
    """The leads the dialer stopped as do-not-call are reported as given."""
    assert report([], dnc_blocked=3).dnc_blocked == 3


def test_a_lead_over_the_daily_cap_is_counted() -> None:
    """Four attempts on one local day with a cap of 3 put the lead over a cap."""
    rows = [Attempt(at(4, 9 + h)) for h in range(4)]
    assert report(rows).leads_over_cap == 1


def test_attempts_on_separate_days_respect_the_daily_cap() -> None:
    """Three attempts a day on two days are within the caps."""
    rows = [Attempt(at(d, 9 + h)) for d in (4, 5) for h in range(3)]
    assert (report(rows).leads_over_cap, report(rows).most_attempts_per_lead_day) == (0, 3)


def test_a_lead_over_the_total_cap_is_counted() -> None:
    """Eleven attempts over four days exceed max_attempts 10."""
    rows = [Attempt(at(d, 9 + h)) for d in (4, 5, 6) for h in range(3)]
    rows += [Attempt(at(7, 9)), Attempt(at(7, 10))]
    assert (report(rows).leads_over_cap, report(rows).most_attempts_per_lead) == (1, 11)


def test_information_message_delay_max_and_p95() -> None:
    """Delays 0.1 .. 2.0 s: max 2.0, p95 the 19th of 20, 1.9."""
    rows = [live(at(4, 10, m), dropped=True, delay=(m + 1) / 10) for m in range(20)]
    figures = report(rows)
    assert (figures.info_delay_max, figures.info_delay_p95) == (2.0, 1.9)


def test_a_late_information_message_is_counted() -> None:
    """A message after more than 2 s counts as late."""
    rows = [live(at(4, 10), dropped=True, delay=1.5), live(at(4, 11), dropped=True, delay=2.5)]
    assert report(rows).info_late == 1


def test_percentile_of_nothing_is_none() -> None:
    """No delays: no percentile."""
    assert percentile([], 0.95) is None
