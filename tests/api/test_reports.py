"""Interval reports: the KPIs of core.metrics over the stored rows, JSON and CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.core import metrics
from callcenter.core.events import CallerHungUp, InteractionArrived
from callcenter.core.records import InteractionRecord
from callcenter.store import create_engine_for, session_factory
from callcenter.store.history import interaction_record, search_interactions
from tests.api.conftest import MONDAY_9AM, Harness

AGENT = "/api/agents/early-1"
HOUR = {"since": datetime.fromtimestamp(MONDAY_9AM, UTC).isoformat(),
        "until": datetime.fromtimestamp(MONDAY_9AM + 3600, UTC).isoformat()}


def _traffic(h: Harness) -> list[InteractionRecord]:
    """Two calls handled by early-1 and one abandoned; the stored rows."""
    me = h.auth("early-1")
    h.post(f"{AGENT}/login", headers=me)
    for iid in ("a1", "a2"):
        h.inject(InteractionArrived(iid, "hotline"))
        for action in ("accept", "hangup", "wrapup"):
            r = h.post(f"{AGENT}/{action}", headers=me, json={"interaction_id": iid})
            assert r.status_code == 200, r.text
    h.post(f"{AGENT}/pause", headers=me, json={"reason": "break"})
    h.inject(InteractionArrived("b1", "hotline"))
    h.inject(CallerHungUp("b1"))
    engine = create_engine_for(h.server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            rows = search_interactions(session, is_open=False).items
            return [interaction_record(r) for r in rows]
    finally:
        engine.dispose()


def _report(h: Harness, kind: str, user: str = "sup", **params: Any) -> Any:
    """A report over the first hour, as `user`, expecting 200."""
    r = h.get(f"/api/reports/{kind}", headers=h.auth(user), params={**HOUR, **params})
    assert r.status_code == 200, r.text
    return r


def test_the_queue_report_gives_the_kpis_of_the_stored_rows(harness: Harness) -> None:
    """The first interval of the hotline holds the counts and KPIs of core.metrics."""
    rows = _traffic(harness)
    first = _report(harness, "queues", interval=60, queue="hotline").json()[0]
    assert (first["offered"], first["handled"], first["abandoned"]) == (3, 2, 1)
    assert first["service_level"] == pytest.approx(metrics.service_level(rows))
    assert first["service_level_asterisk"] == pytest.approx(
        metrics.service_level_asterisk(rows))
    assert first["asa"] == pytest.approx(metrics.asa(rows))
    assert first["aht"] == pytest.approx(metrics.aht(rows))
    assert first["abandon_rate"] == pytest.approx(metrics.abandon_rate(rows))
    assert first["service_level_threshold"] == rows[0].service_level_threshold


def test_the_agent_report_counts_the_agents_handled_calls(sqlite_harness: Harness) -> None:
    """For an admin, early-1's first interval holds its two handled calls and an occupancy."""
    _traffic(sqlite_harness)
    rows = _report(sqlite_harness, "agents", "root", interval=15, agent="early-1").json()
    assert (rows[0]["agent_id"], rows[0]["handled"], len(rows)) == ("early-1", 2, 4)
    assert rows[0]["occupancy"] is not None


def test_the_csv_has_a_header_and_one_line_per_interval(sqlite_harness: Harness) -> None:
    """A 30-minute report over an hour as CSV: the header and two lines."""
    _traffic(sqlite_harness)
    r = _report(sqlite_harness, "queues", interval=30, queue="hotline", format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    header, *lines = r.text.splitlines()
    assert header.split(",")[:4] == ["queue_id", "start", "end", "offered"]
    assert [line.split(",")[3] for line in lines] == ["3", "0"]


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
