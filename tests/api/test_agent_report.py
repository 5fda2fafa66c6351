"""The agent report's figures (`/api/reports/agents`) on stored rows with real waits,
talk, hold and wrap-up, and agent-state spans that cross the interval boundary.

The rows are written on the Sunday before the server's Monday, where the running engine
writes nothing. Expected figures are worked out by hand from the definitions in
docs/reference/metrics.md: handled by arrival interval, AHT = (talk + hold + wrap-up) /
handled, occupancy = (busy + wrap_up) / (busy + wrap_up + available + reserved) with
spans clipped to the interval and pauses and log-outs left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.history import record_interaction, record_span
from tests.api.conftest import MONDAY_9AM, Harness

T0 = MONDAY_9AM - 86_400  # Sunday 09:00
HOUR = {"since": datetime.fromtimestamp(T0, UTC).isoformat(),
        "until": datetime.fromtimestamp(T0 + 3600, UTC).isoformat(), "interval": 30}


def _call(iid: str, agent: str, arrived: float, answered: float | None, talk: float = 0.0,
          hold: float = 0.0, wrap: float = 0.0) -> InteractionRecord:
    """A hotline call (seconds after T0); answered ones end after talk and hold and
    complete after the wrap-up, unanswered ones are abandons while the agent's phone rang."""
    ended = (answered + talk + hold) if answered is not None else arrived + 25
    return InteractionRecord(
        iid, "voice", "hotline", "hotline", 0, T0 + arrived,
        None if answered is None else T0 + answered, T0 + ended, T0 + ended + wrap,
        "completed" if answered is not None else "abandoned", agent_id=agent, offers=1,
        first_offered_at=T0 + arrived, talk_seconds=talk, wrap_seconds=wrap,
        hold_seconds=hold)


CALLS = [
    # early-2: three handled calls arriving in 09:00-09:30 (the last answered after 09:30)
    _call("c1", "early-2", 120, 150, talk=240, hold=60, wrap=30),   # handle 330 s
    _call("c2", "early-2", 1200, 1205, talk=150, wrap=60),          # handle 210 s
    _call("c3", "early-2", 1790, 1810, talk=300),                   # handle 300 s
    _call("c4", "early-2", 2395, None),                             # abandoned while ringing
    _call("c5", "early-1", 2500, 2510, talk=100, wrap=20),          # handle 120 s
]

SPANS = [  # early-2's day, seconds after T0
    ("available", 0, 150), ("busy", 150, 450), ("wrap_up", 450, 480),
    ("paused", 480, 900), ("available", 900, 1205), ("busy", 1205, 1355),
    ("wrap_up", 1355, 1415), ("available", 1415, 1795), ("reserved", 1795, 1810),
    ("busy", 1810, 2110), ("available", 2110, 2400), ("reserved", 2400, 2420),
    ("logged_out", 2420, 3600),
]


@pytest.fixture
def stored(sqlite_harness: Harness) -> Harness:
    """The calls and spans above stored in the server's database."""
    with sqlite_harness.server.sessions.begin() as session:
        for record in CALLS:
            record_interaction(session, record)
        for state, start, end in SPANS:
            record_span(session, AgentSpan("early-2", state, T0 + start, T0 + end))
        record_span(session, AgentSpan("early-1", "busy", T0 + 2510, T0 + 2630))
    return sqlite_harness


def _rows(h: Harness, user: str = "root", **params: Any) -> list[dict[str, Any]]:
    r = h.get("/api/reports/agents", headers=h.auth(user), params={**HOUR, **params})
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()
    return rows


def test_handled_calls_count_in_the_interval_of_their_arrival(stored: Harness) -> None:
    """early-2 handled 3 calls that arrived 09:00-09:30 (one answered at 09:30:10) and
    none that arrived later (the 09:39:55 caller hung up while its phone rang)."""
    assert [row["handled"] for row in _rows(stored, agent="early-2")] == [3, 0]


def test_aht_is_talk_hold_and_wrap_up_over_handled_calls(stored: Harness) -> None:
    """(240 + 60 + 30) + (150 + 60) + 300 = 840 s over 3 calls: 280 s; no AHT without
    handled calls."""
    assert [row["aht"] for row in _rows(stored, agent="early-2")] == [
        pytest.approx(280.0), None]


def test_occupancy_clips_spans_to_the_interval_and_leaves_pauses_out(stored: Harness) -> None:
    """09:00-09:30: handling 300 + 30 + 150 + 60 = 540 s, idle 150 + 305 + 380 + 5 (of
    the ringing across 09:30) = 840 s, the 420 s pause left out: 540 / 1380. 09:30-10:00:
    300 s busy over 300 + 10 + 290 + 20 s, the log-out left out: 300 / 620."""
    occupancy = [row["occupancy"] for row in _rows(stored, agent="early-2")]
    assert occupancy == [pytest.approx(540 / 1380), pytest.approx(300 / 620)]


def test_every_agent_with_rows_or_spans_is_listed_with_its_own_figures(stored: Harness) -> None:
    """Without `agent` the report lists early-1 (one 120 s call after 09:30, busy
    throughout) and early-2, interval by interval."""
    rows = [(r["agent_id"], r["handled"], r["aht"], r["occupancy"]) for r in _rows(stored)]
    assert rows[:2] == [("early-1", 0, None, None), ("early-1", 1, pytest.approx(120.0), 1.0)]
    assert [r[0] for r in rows[2:]] == ["early-2", "early-2"]


def test_a_supervisor_of_no_team_gets_an_empty_report(stored: Harness) -> None:
    """sup-2 supervises nobody: the report over the same rows holds no agent."""
    assert _rows(stored, user="sup-2") == []


def test_the_csv_leaves_missing_figures_empty(stored: Harness) -> None:
    """As CSV, the second interval of early-2 has 0 handled and an empty AHT."""
    r = stored.get("/api/reports/agents", headers=stored.auth("sup"),
                   params={**HOUR, "agent": "early-2", "format": "csv"})
    header, _first, second = r.text.splitlines()
    assert header == "agent_id,start,end,handled,aht,occupancy"
    assert second.split(",")[3:5] == ["0", ""]
