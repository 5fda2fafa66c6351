"""Interval reports: queue and agent KPIs over stored rows, JSON and CSV.

The KPI figures are worked out by hand below from DESIGN.md's definitions, for calls
whose times a fake clock sets, not taken from `core.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.clock import FakeClock
from callcenter.core.events import CallerHungUp, InteractionArrived
from tests.api.conftest import MONDAY_9AM, Harness, start

AGENT = "/api/agents/early-1"
HOUR = {"since": datetime.fromtimestamp(MONDAY_9AM, UTC).isoformat(),
        "until": datetime.fromtimestamp(MONDAY_9AM + 3600, UTC).isoformat()}


def _report(h: Harness, kind: str, user: str = "sup", **params: Any) -> Any:
    """A report over the first hour, as `user`, expecting 200."""
    r = h.get(f"/api/reports/{kind}", headers=h.auth(user), params={**HOUR, **params})
    assert r.status_code == 200, r.text
    return r


@contextmanager
def _timed(url: str) -> Iterator[tuple[Harness, FakeClock]]:
    """The app on `url` with its engine on a fake clock from Monday 09:00."""
    clock = FakeClock(MONDAY_9AM)
    with contextmanager(start)(url, clock=clock) as h:
        yield h, clock


def _day(h: Harness, clock: FakeClock) -> None:
    """Five calls to the hotline (service-level threshold 20 s, short abandon 5 s, wrap-up
    at most 15 s), early-1 the only agent; t in seconds after 09:00:

    - t=0 early-1 logs in; a1 arrives, is offered to early-1
    - a1: answered t=10, held 40-70, agent hangs up t=100, wrap-up ended by hand t=110
    - a2: arrives t=20, waits (early-1 busy), offered t=110, answered t=115; agent hangs
      up t=175, wrap-up runs out at t=190
    - b1: arrives t=120, waits, hangs up t=150 (abandoned after 30 s)
    - b2: arrives t=130, waits, hangs up t=133 (abandoned after 3 s: a short abandon)
    - a3: arrives t=205, answered t=208, the caller hangs up t=268, wrap-up ended t=280
    - t=300 early-1 pauses
    """
    me = h.auth("early-1")

    def at(t: float) -> None:
        async def go() -> None:
            clock.advance(MONDAY_9AM + t - clock.time())
            await h.server.runtime.driver.settled()
        h.portal.call(go)

    def act(action: str, **body: str) -> None:
        r = h.post(f"{AGENT}/{action}", headers=me, json=body)
        assert r.status_code == 200, r.text

    act("login")
    h.inject(InteractionArrived("a1", "hotline"))
    at(10)
    act("accept", interaction_id="a1")
    at(20)
    h.inject(InteractionArrived("a2", "hotline"))
    at(40)
    act("hold", interaction_id="a1")
    at(70)
    act("resume", interaction_id="a1")
    at(100)
    act("hangup", interaction_id="a1")
    at(110)
    act("wrapup", interaction_id="a1")
    at(115)
    act("accept", interaction_id="a2")
    at(120)
    h.inject(InteractionArrived("b1", "hotline"))
    at(130)
    h.inject(InteractionArrived("b2", "hotline"))
    at(133)
    h.inject(CallerHungUp("b2"))
    at(150)
    h.inject(CallerHungUp("b1"))
    at(175)
    act("hangup", interaction_id="a2")
    at(205)
    h.inject(InteractionArrived("a3", "hotline"))
    at(208)
    act("accept", interaction_id="a3")
    at(268)
    h.inject(CallerHungUp("a3"))
    at(280)
    act("wrapup", interaction_id="a3")
    at(300)
    act("pause", reason="break")


def test_the_queue_report_gives_hand_computed_kpis(db_url: str) -> None:
    """The hotline's first interval holds the counts, SL, SL2, ASA, AHT and abandonment
    rate worked out by hand for the five calls of `_day`."""
    with _timed(db_url) as (h, clock):
        _day(h, clock)
        first, second = _report(h, "queues", interval=15, queue="hotline").json()[:2]
    # waits (answer or hang-up minus arrival): a1 10, a2 95, a3 3; b1 30, b2 3
    # offered 5; handled (answered) 3: a1, a2, a3; abandoned 2: b1, b2
    assert (first["offered"], first["handled"], first["abandoned"]) == (5, 3, 2)
    # SL(20) = answered within 20 s / (answered + abandoned after the 5 s short abandon)
    #        = |{a1, a3}| / (3 + |{b1}|) = 2 / 4
    assert first["service_level"] == pytest.approx(0.5)
    assert first["service_level_threshold"] == 20.0
    # SL2 = (answered within 20 s + abandoned within 20 s) / (answered + abandoned)
    #     = (|{a1, a3}| + |{b2}|) / 5 = 3 / 5
    assert first["service_level_asterisk"] == pytest.approx(0.6)
    # ASA = (10 + 95 + 3) / 3 = 36
    assert first["asa"] == pytest.approx(36.0)
    # AHT = (talk + hold + wrap-up) / handled:
    #   a1: talk 90 - 30 held = 60, hold 30, wrap 10 -> 100
    #   a2: talk 60, wrap 15 (the queue's wrap-up ran out) -> 75
    #   a3: talk 60, wrap 12 -> 72;  (100 + 75 + 72) / 3 = 247 / 3
    assert first["aht"] == pytest.approx(247 / 3)
    # abandonment = abandoned / queued = 2 / 5 (none was turned away)
    assert first["abandon_rate"] == pytest.approx(0.4)
    # 09:15-09:30: nothing arrived; ratios have no denominator
    assert (second["offered"], second["service_level"], second["asa"]) == (0, None, None)


def test_the_agent_report_gives_hand_computed_figures(db_url: str) -> None:
    """early-1's first interval holds its handled calls, AHT and occupancy worked out by
    hand for `_day`; the next interval (only a pause) has no occupancy."""
    with _timed(db_url) as (h, clock):
        _day(h, clock)
        first, second = _report(h, "agents", "root", interval=15, agent="early-1").json()[:2]
    assert (first["agent_id"], first["handled"]) == ("early-1", 3)
    assert first["aht"] == pytest.approx(247 / 3)  # as in the queue report
    # occupancy = handling (busy + wrap-up) / (handling + available + ringing), pause out:
    #   busy 10-100, 115-175, 208-268: 90 + 60 + 60 = 210
    #   wrap-up 100-110, 175-190, 268-280: 10 + 15 + 12 = 37   -> handling 247
    #   ringing (reserved) 0-10, 110-115, 205-208: 18; available 190-205, 280-300: 35
    #   247 / (247 + 18 + 35) = 247 / 300
    assert first["occupancy"] == pytest.approx(247 / 300)
    assert (second["handled"], second["aht"], second["occupancy"]) == (0, None, None)


def test_the_csv_has_a_header_and_one_line_per_interval(tmp_path: Path) -> None:
    """A 30-minute report over an hour as CSV: the header and two lines."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _day(h, clock)
        r = _report(h, "queues", interval=30, queue="hotline", format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    header, *lines = r.text.splitlines()
    assert header.split(",")[:4] == ["queue_id", "start", "end", "offered"]
    assert [line.split(",")[3] for line in lines] == ["5", "0"]


def test_a_bad_interval_is_422_naming_the_field(sqlite_harness: Harness) -> None:
    """An interval other than 15, 30 or 60 minutes is 422 on `interval`."""
    r = sqlite_harness.get("/api/reports/queues", headers=sqlite_harness.auth("sup"),
                           params={**HOUR, "interval": 20})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "interval"


def test_an_agent_may_not_read_reports(sqlite_harness: Harness) -> None:
    """An agent asking for a report is 403."""
    r = sqlite_harness.get("/api/reports/queues", headers=sqlite_harness.auth("early-1"),
                           params=HOUR)
    assert r.status_code == 403
