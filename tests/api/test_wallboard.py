"""The wallboard's figures from the stored rows: today and the current 15-minute
interval per queue, the intraday series against the day before, the thresholds, and
the agents' current interactions in the supervisor snapshot.

The figures are worked out by hand below from DESIGN.md's definitions, for calls whose
times a fake clock sets, not taken from `core.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from callcenter.clock import FakeClock
from callcenter.core.events import CallerHungUp, InteractionArrived
from callcenter.store.models import AuditRow
from tests.api.conftest import MONDAY_9AM, Harness, start

AGENT = "/api/agents/early-1"
T0 = MONDAY_9AM  # 09:00 in Berlin (UTC+1 in March) is 08:00 UTC
MINUS_9 = "Etc/GMT+9"  # UTC-9: T0 is Sunday 23:00 there, its midnight is T0 + 3600
MIDNIGHT = T0 + 3600


@contextmanager
def _timed(url: str) -> Iterator[tuple[Harness, FakeClock]]:
    """The app on `url` with its engine on a fake clock from Monday 09:00 (Berlin)."""
    clock = FakeClock(T0)
    with contextmanager(start)(url, clock=clock) as h:
        yield h, clock


def _at(h: Harness, clock: FakeClock, t: float) -> None:
    """Move the fake clock to T0 + t and let the driver settle."""
    async def go() -> None:
        clock.advance(T0 + t - clock.time())
        await h.server.runtime.driver.settled()
    h.portal.call(go)


def _act(h: Harness, action: str, **body: str) -> None:
    r = h.post(f"{AGENT}/{action}", headers=h.auth("early-1"), json=body)
    assert r.status_code == 200, r.text


def _two_days(h: Harness, clock: FakeClock) -> None:
    """Calls to the hotline (service-level threshold 20 s, short abandon 5 s), early-1 the
    only agent; t in seconds after T0, M = 3600 (midnight in UTC-9):

    - y1: arrives t=0 (Sunday 23:00 in UTC-9), answered t=4, hung up t=64, wrap-up t=70
    - c1: arrives M+60, answered M+70 (wait 10), hung up M+130, wrap-up ended M+140
    - c2: arrives M+100 (early-1 busy), offered at M+140, answered M+145 (wait 45), hung
      up M+205, wrap-up ended M+215
    - b1: arrives M+150, waits, the caller hangs up M+190 (abandoned after 40 s)
    - d1: arrives M+1200 (00:20 in UTC-9), answered M+1205 (wait 5), hung up M+1265,
      wrap-up ended M+1275
    - the clock stops at M+1300 (00:21:40 in UTC-9)
    """
    _act(h, "login")
    h.inject(InteractionArrived("y1", "hotline"))
    _at(h, clock, 4)
    _act(h, "accept", interaction_id="y1")
    _at(h, clock, 64)
    _act(h, "hangup", interaction_id="y1")
    _at(h, clock, 70)
    _act(h, "wrapup", interaction_id="y1")
    m = 3600
    _at(h, clock, m + 60)
    h.inject(InteractionArrived("c1", "hotline"))
    _at(h, clock, m + 70)
    _act(h, "accept", interaction_id="c1")
    _at(h, clock, m + 100)
    h.inject(InteractionArrived("c2", "hotline"))
    _at(h, clock, m + 130)
    _act(h, "hangup", interaction_id="c1")
    _at(h, clock, m + 140)
    _act(h, "wrapup", interaction_id="c1")
    _at(h, clock, m + 145)
    _act(h, "accept", interaction_id="c2")
    _at(h, clock, m + 150)
    h.inject(InteractionArrived("b1", "hotline"))
    _at(h, clock, m + 190)
    h.inject(CallerHungUp("b1"))
    _at(h, clock, m + 205)
    _act(h, "hangup", interaction_id="c2")
    _at(h, clock, m + 215)
    _act(h, "wrapup", interaction_id="c2")
    _at(h, clock, m + 1200)
    h.inject(InteractionArrived("d1", "hotline"))
    _at(h, clock, m + 1205)
    _act(h, "accept", interaction_id="d1")
    _at(h, clock, m + 1265)
    _act(h, "hangup", interaction_id="d1")
    _at(h, clock, m + 1275)
    _act(h, "wrapup", interaction_id="d1")
    _at(h, clock, m + 1300)


def _get(h: Harness, path: str, user: str = "sup", **params: Any) -> Any:
    r = h.get(path, headers=h.auth(user), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _hotline(body: Any) -> Any:
    (q,) = [q for q in body["queues"] if q["queue_id"] == "hotline"]
    return q


def test_the_figures_give_todays_and_the_intervals_kpis(db_url: str) -> None:
    """In UTC-9, today (from T0 + 1 h) holds c1, c2, b1 and d1, the current interval
    (00:15-00:30) only d1, with the KPIs worked out by hand; y1 is yesterday's."""
    with _timed(db_url) as (h, clock):
        _two_days(h, clock)
        body = _get(h, "/api/supervisor/figures", tz=MINUS_9)
    assert (body["day_start"], body["interval_start"], body["interval_end"]) == (
        MIDNIGHT, MIDNIGHT + 900, MIDNIGHT + 1800)
    today, interval = _hotline(body)["today"], _hotline(body)["interval"]
    # offered 4; answered c1, c2, d1; abandoned b1
    assert (today["offered"], today["answered"], today["abandoned"]) == (4, 3, 1)
    # SL(20) = answered within 20 s / (answered + abandoned after 5 s) = |{c1, d1}| / 4
    assert today["service_level"] == pytest.approx(0.5)
    assert today["service_level_threshold"] == 20.0
    # ASA = (10 + 45 + 5) / 3 = 20; AHT = (60 talk + 10 wrap-up) each = 70
    assert today["asa"] == pytest.approx(20.0)
    assert today["aht"] == pytest.approx(70.0)
    assert (interval["offered"], interval["answered"], interval["abandoned"]) == (1, 1, 0)
    assert (interval["service_level"], interval["asa"], interval["aht"]) == (
        pytest.approx(1.0), pytest.approx(5.0), pytest.approx(70.0))


def test_in_utc_the_whole_morning_is_today(tmp_path: Path) -> None:
    """Without `tz` the day is UTC's: y1 too is today's (08:00-08:22 UTC)."""
    with _timed(f"sqlite:///{tmp_path / 'utc.db'}") as (h, clock):
        _two_days(h, clock)
        today = _hotline(_get(h, "/api/supervisor/figures"))["today"]
    # y1 (wait 4) joins: answered within 20 s |{y1, c1, d1}| / (4 answered + b1)
    assert (today["offered"], today["answered"]) == (5, 4)
    assert today["service_level"] == pytest.approx(3 / 5)


def test_the_intraday_series_has_today_against_the_day_before(tmp_path: Path) -> None:
    """Today's series runs to the current interval (00:00 and 00:15 in UTC-9: offered 3
    and 1); the day before has its 96 intervals, y1 in the one of 23:00."""
    with _timed(f"sqlite:///{tmp_path / 'intraday.db'}") as (h, clock):
        _two_days(h, clock)
        body = _get(h, "/api/supervisor/intraday", tz=MINUS_9, queue="hotline")
    (q,) = body["queues"]
    assert (body["day_start"], body["yesterday_start"]) == (MIDNIGHT, MIDNIGHT - 86400)
    assert [(p["start"], p["offered"]) for p in q["today"]] == [
        (MIDNIGHT, 3), (MIDNIGHT + 900, 1)]
    # 00:00-00:15: c1 within 20 s; c2 (45 s) not; b1 abandoned after 40 s: 1 / 3
    assert q["today"][0]["service_level"] == pytest.approx(1 / 3)
    assert q["today"][1]["service_level"] == pytest.approx(1.0)
    assert len(q["yesterday"]) == 96
    busy = [(p["start"], p["offered"], p["service_level"]) for p in q["yesterday"]
            if p["offered"]]
    assert busy == [(MIDNIGHT - 3600, 1, pytest.approx(1.0))]


def test_an_unknown_time_zone_is_422_naming_tz(sqlite_harness: Harness) -> None:
    """`tz` that names no IANA zone is refused on the field."""
    r = sqlite_harness.get("/api/supervisor/figures", headers=sqlite_harness.auth("sup"),
                           params={"tz": "Mars/Olympus"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "tz"


def test_thresholds_are_stored_shown_with_the_figures_and_audited(
        sqlite_harness: Harness) -> None:
    """A supervisor sets the hotline's thresholds: the figures carry them, and the audit
    log names who set them."""
    h = sqlite_harness
    levels = {"service_level_amber": 80, "service_level_red": 60, "longest_wait_amber": 30,
              "longest_wait_red": 60, "waiting_amber": 2, "waiting_red": None}
    r = h.request("PUT", "/api/supervisor/thresholds/hotline", headers=h.auth("sup"),
                  json=levels)
    assert r.status_code == 200, r.text
    assert r.json() == {"queue_id": "hotline", **levels}
    assert _hotline(_get(h, "/api/supervisor/figures", "root"))["thresholds"] == levels
    with h.server.sessions() as session:
        row = session.query(AuditRow).filter_by(action="thresholds.set").one()
    assert (row.actor, row.entity_id, row.after["waiting_amber"]) == ("sup", "hotline", 2)


@pytest.mark.parametrize(("levels", "field"), [
    ({"service_level_amber": 60, "service_level_red": 80}, "service_level_red"),
    ({"longest_wait_amber": 60, "longest_wait_red": 30}, "longest_wait_red"),
    ({"waiting_amber": 5, "waiting_red": 4}, "waiting_red"),
    ({"service_level_amber": 120}, "service_level_amber"),
])
def test_a_red_level_milder_than_amber_is_422_on_it(sqlite_harness: Harness,
                                                    levels: dict[str, int],
                                                    field: str) -> None:
    """A red level milder than its amber one (or a percentage over 100) is refused,
    naming the field, and nothing is stored."""
    h = sqlite_harness
    r = h.request("PUT", "/api/supervisor/thresholds/hotline", headers=h.auth("sup"),
                  json=levels)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    thresholds = _hotline(_get(h, "/api/supervisor/figures"))["thresholds"]
    assert set(thresholds.values()) == {None}


def test_thresholds_of_an_unknown_queue_are_404(sqlite_harness: Harness) -> None:
    """A queue the engine does not run has no thresholds to set."""
    h = sqlite_harness
    r = h.request("PUT", "/api/supervisor/thresholds/nowhere", headers=h.auth("sup"),
                  json={"waiting_red": 3})
    assert r.status_code == 404


def test_the_snapshot_shows_an_agents_team_queues_and_current_call(
        sqlite_harness: Harness) -> None:
    """While early-1 talks to a caller, the supervisor snapshot gives its team, its
    queues and the call (id, caller, queue, answer time)."""
    h = sqlite_harness
    _act(h, "login")
    h.inject(InteractionArrived("g1", "hotline", caller="+4930555777"))
    _act(h, "accept", interaction_id="g1")
    body = _get(h, "/api/supervisor/snapshot")
    (me,) = [a for a in body["agents"] if a["agent_id"] == "early-1"]
    assert (me["state"], me["teams"], me["queues"]) == ("busy", ["floor"], ["hotline"])
    (call,) = me["work"]
    assert (call["interaction_id"], call["status"], call["caller"], call["queue_id"]) == (
        "g1", "connected", "+4930555777", "hotline")
    assert call["answered_at"] is not None
