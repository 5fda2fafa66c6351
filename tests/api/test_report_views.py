"""The routes behind the reports screen: agent time by state and pause reason
(`/api/reports/agent-states`), the teams a report may be narrowed to, and one
interaction's detail (`/api/interactions/{id}`).

The day is `test_reports._day` (five hotline calls handled by early-1), then early-1
pauses for a break at t=300, is ready at t=360, pauses for coaching at t=400 and logs
out at t=450. Expected seconds are worked out by hand from those times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from callcenter.core.ivr import FlowEnded
from callcenter.core.records import InteractionRecord
from callcenter.store.history import record_interaction
from callcenter.store.media import add_ivr_runs
from callcenter.store.models import RecordingRow
from callcenter.store.users import add_agent, create_team
from tests.api.conftest import MONDAY_9AM, Harness
from tests.api.test_reports import _day, _timed


def _iso(t: float) -> str:
    return datetime.fromtimestamp(MONDAY_9AM + t, UTC).isoformat()


def _longer_day(h: Harness, clock: Any) -> None:
    """`_day`, then the break ends at 360, coaching 400-450, logged out at 450."""
    _day(h, clock)
    me = h.auth("early-1")

    def at(t: float, action: str, **body: str) -> None:
        async def go() -> None:
            clock.advance(MONDAY_9AM + t - clock.time())
            await h.server.runtime.driver.settled()
        h.portal.call(go)
        r = h.post(f"/api/agents/early-1/{action}", headers=me, json=body)
        assert r.status_code == 200, r.text

    at(360, "ready")
    at(400, "pause", reason="coaching")
    at(450, "logout")


def _states(h: Harness, since: float, until: float, user: str = "sup",
            **params: Any) -> Any:
    r = h.get("/api/reports/agent-states", headers=h.auth(user),
              params={"since": _iso(since), "until": _iso(until), **params})
    assert r.status_code == 200, r.text
    return r


def test_agent_time_by_state_and_pause_reason(db_url: str) -> None:
    """Over the hour: ready 15 + 20 + 40 = 75 s, ringing 10 + 5 + 3 = 18 s, on calls
    90 + 60 + 60 = 210 s of which a1's 30 s hold, wrap-up 10 + 15 + 12 = 37 s, paused
    60 s (break) + 50 s (coaching) = 110 s; logged in 0-450: 450 s."""
    with _timed(db_url) as (h, clock):
        _longer_day(h, clock)
        (row,) = _states(h, 0, 3600).json()
    assert row == {"agent_id": "early-1", "login": 450.0, "ready": 75.0, "ringing": 18.0,
                   "talk": 180.0, "hold": 30.0, "wrap_up": 37.0, "paused": 110.0,
                   "pauses": {"break": 60.0, "coaching": 50.0}}


def test_spans_are_clipped_to_the_range_and_hold_counts_by_answer(tmp_path: Path) -> None:
    """09:01-09:05 (t 60-300): on calls 40 (a1 from 60) + 60 + 60 = 160 s with no hold
    (a1, the held call, was answered at t=10, before the range), ringing 5 + 3, wrap-up
    37, ready 35; logged in the whole 240 s, no pause."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _longer_day(h, clock)
        (row,) = _states(h, 60, 300).json()
    assert (row["login"], row["talk"], row["hold"], row["ringing"], row["wrap_up"],
            row["ready"], row["paused"], row["pauses"]) == (
        240.0, 160.0, 0.0, 8.0, 37.0, 35.0, 0.0, {})


def test_the_state_csv_has_a_column_per_pause_reason(tmp_path: Path) -> None:
    """As CSV: the fixed columns, then `pause:break` and `pause:coaching`."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _longer_day(h, clock)
        r = _states(h, 0, 3600, format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == [
        "agent_id,login,ready,ringing,talk,hold,wrap_up,paused,pause:break,pause:coaching",
        "early-1,450.0,75.0,18.0,180.0,30.0,37.0,110.0,60.0,50.0"]


def test_a_supervisor_of_no_team_sees_no_agent_time(tmp_path: Path) -> None:
    """sup-2 supervises nobody: the same range holds no row for it."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _longer_day(h, clock)
        assert _states(h, 0, 3600, user="sup-2").json() == []


def test_until_before_since_is_422_naming_until(sqlite_harness: Harness) -> None:
    """A range that ends before it starts is refused on `until`."""
    r = sqlite_harness.get("/api/reports/agent-states", headers=sqlite_harness.auth("sup"),
                           params={"since": _iso(60), "until": _iso(0)})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "until"


def test_report_teams_are_the_supervisors_own(sqlite_harness: Harness) -> None:
    """sup supervises team floor (every agent of the hotline example: early-1..5 and
    late-1..5); sup-2 none; an admin sees floor."""
    h = sqlite_harness

    def teams(user: str) -> Any:
        r = h.get("/api/reports/teams", headers=h.auth(user))
        assert r.status_code == 200, r.text
        return r.json()

    agents = [f"{shift}-{n}" for shift in ("early", "late") for n in range(1, 6)]
    floor = [{"name": "floor", "agents": agents}]
    assert (teams("sup"), teams("sup-2"), teams("root")) == (floor, [], floor)


def test_an_interaction_detail_shows_its_timeline(tmp_path: Path) -> None:
    """a1: arrived and queued at 09:00:00, offered then, answered 09:00:10 by early-1,
    30 s on hold, ended 09:01:40 (completed), wrap-up done 09:01:50."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _day(h, clock)
        r = h.get("/api/interactions/a1", headers=h.auth("sup"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["interaction"]["agent_id"] == "early-1"
    steps = [(s["step"], None if s["at"] is None else s["at"] - MONDAY_9AM)
             for s in body["timeline"]]
    assert steps == [("arrived", 0), ("queued", 0), ("offered", 0), ("answered", 10),
                     ("held", None), ("ended", 100), ("completed", 110)]
    assert body["timeline"][4]["detail"] == "30 s on hold in all"
    assert (body["ivr"], body["recordings"]) == (None, [])


def test_an_interaction_detail_is_scoped_like_its_recordings(tmp_path: Path) -> None:
    """sup-2 (no team) may not open early-1's a1 but may open b1, which no agent took;
    an unknown id is 404."""
    with _timed(f"sqlite:///{tmp_path / 'api.db'}") as (h, clock):
        _day(h, clock)
        outsider = h.auth("sup-2")
        codes = [h.get(f"/api/interactions/{i}", headers=outsider).status_code
                 for i in ("a1", "b1", "zz")]
    assert codes == [403, 200, 404]


def test_an_agent_may_not_open_the_detail(sqlite_harness: Harness) -> None:
    """The detail is for supervisors and admins."""
    r = sqlite_harness.get("/api/interactions/a1", headers=sqlite_harness.auth("early-1"))
    assert r.status_code == 403


def test_the_detail_shows_the_ivr_path_a_transfer_and_the_recording(
        sqlite_harness: Harness) -> None:
    """A call that left IVR flow `main` for queue hotline 12 s after arriving, was held
    45 s, transferred once to queue sales, and recorded: queued at the IVR's end, held
    and transferred as totals, its IVR path and its one recording listed."""
    h = sqlite_harness
    t0 = MONDAY_9AM - 86_400
    with h.server.sessions.begin() as session:
        record_interaction(session, InteractionRecord(
            "ivr-1", "voice", "sales", "hotline", 0, t0, t0 + 20, t0 + 200, t0 + 210,
            "completed", agent_id="early-1", offers=2, transfers=1, first_offered_at=t0 + 15,
            talk_seconds=135, wrap_seconds=10, hold_seconds=45, caller_number="+4930123"))
        add_ivr_runs(session, [FlowEnded("ivr-1", "main", "queue:hotline", ("welcome", "menu"),
                                         (), "en", t0 - 12, t0)])
        session.add(RecordingRow(interaction_id="ivr-1", kind="call", path="/nowhere.wav",
                                 started_at=datetime.fromtimestamp(t0 + 20, UTC),
                                 ended_at=datetime.fromtimestamp(t0 + 200, UTC), seconds=180.0))
    r = h.get("/api/interactions/ivr-1", headers=h.auth("sup"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(s["step"], None if s["at"] is None else s["at"] - t0, s["detail"])
            for s in body["timeline"]] == [
        ("arrived", 0, "voice from +4930123 at hotline"),
        ("queued", 0, "in hotline after IVR flow main"),
        ("offered", 15, "2 offer(s) in all"),
        ("answered", 20, "by early-1"),
        ("held", None, "45 s on hold in all"),
        ("transferred", None, "1 time(s), hotline to sales"),
        ("ended", 200, "completed"),
        ("completed", 210, "no disposition")]
    assert body["ivr"]["path"] == ["welcome", "menu"]
    assert [(x["kind"], x["seconds"]) for x in body["recordings"]] == [("call", 180.0)]


def test_the_interaction_search_narrows_to_a_team(sqlite_harness: Harness) -> None:
    """Team `day` holds early-2 only: with `team=day` an admin gets early-2's call and
    neither early-1's nor the one no agent took; sup-2, who supervises no team, gets
    nothing (the team does not widen its view); an unknown team is 422 on `team`."""
    h = sqlite_harness
    t0 = MONDAY_9AM - 86_400
    with h.server.sessions.begin() as session:
        add_agent(session, create_team(session, "day"), "early-2")
        for iid, agent in (("t-1", "early-1"), ("t-2", "early-2"), ("t-3", None)):
            record_interaction(session, InteractionRecord(
                iid, "voice", "hotline", "hotline", 0, t0, None, t0 + 30, t0 + 30,
                "abandoned", agent_id=agent))

    def ids(user: str, team: str) -> Any:
        r = h.get("/api/interactions", headers=h.auth(user), params={"team": team})
        return r.status_code, r.json()

    status, body = ids("root", "day")
    assert (status, [i["interaction_id"] for i in body["items"]]) == (200, ["t-2"])
    status, body = ids("sup-2", "day")
    assert (status, body["items"]) == (200, [])
    status, body = ids("root", "nope")
    assert (status, body["errors"][0]["field"]) == (422, "team")
