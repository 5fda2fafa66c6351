"""The post-call satisfaction report (`GET /api/reports/csat`) over stored survey rows,
on SQLite and PostgreSQL. Expected figures are worked out by hand from ROWS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.core.csat import SurveyResult
from callcenter.store.csat import record_surveys
from tests.api.conftest import MONDAY_9AM, Harness

DAY = 86_400.0


def _row(iid: str, queue: str, agent: str | None, at: float, rating: int | None,
         comment: str | None = None) -> SurveyResult:
    return SurveyResult(iid, queue, agent, "csat", MONDAY_9AM + at, MONDAY_9AM + at + 30,
                        rating, comment, None)


# Monday: hotline/early-1: 5, 4, none; hotline/early-2: 1; sales/early-1: 5 (a comment).
# Tuesday: hotline/early-2: 4.
ROWS = [_row("s1", "hotline", "early-1", 60, 5), _row("s2", "hotline", "early-1", 120, 4),
        _row("s3", "hotline", "early-1", 180, None), _row("s4", "hotline", "early-2", 240, 1),
        _row("s5", "sales", "early-1", 300, 5, "csat"),
        _row("s6", "hotline", "early-2", DAY + 60, 4)]


def _iso(t: float) -> str:
    return datetime.fromtimestamp(MONDAY_9AM + t, UTC).isoformat()


def _report(h: Harness, user: str = "root", status: int = 200, **params: Any) -> Any:
    with h.server.sessions.begin() as session:
        record_surveys(session, ROWS)
    r = h.get("/api/reports/csat", headers=h.auth(user),
              params={"since": _iso(0), "until": _iso(2 * DAY), **params})
    assert r.status_code == status, r.text
    return r


def test_per_queue_figures_worked_by_hand(harness: Harness) -> None:
    """hotline: 5 offered, 4 answered (5, 4, 1, 4), 3 satisfied: CSAT 0.75, mean 3.5,
    response 0.8; sales: 1 of 1, rated 5, one comment."""
    rows = {r["key"]: r for r in _report(harness).json()}
    hot, sales = rows["hotline"], rows["sales"]
    assert (hot["offered"], hot["answered"], hot["satisfied"]) == (5, 4, 3)
    assert (hot["csat"], hot["mean"], hot["response_rate"]) == (0.75, 3.5, 0.8)
    assert [hot[f"rating_{n}"] for n in range(1, 6)] == [1, 0, 0, 2, 1]
    assert (sales["csat"], sales["mean"], sales["comments"]) == (1.0, 5.0, 1)


def test_per_day_lists_both_days(harness: Harness) -> None:
    """Monday: 5 offered, 4 answered (5, 4, 1, 5): CSAT 0.75, mean 3.75; Tuesday: one 4."""
    mon, tue = _report(harness, group="day").json()
    assert (mon["start"], tue["start"]) == (MONDAY_9AM, MONDAY_9AM + DAY)
    assert (mon["offered"], mon["answered"], mon["csat"], mon["mean"]) == (5, 4, 0.75, 3.75)
    assert (tue["offered"], tue["csat"], tue["mean"], tue["response_rate"]) == (1, 1.0, 4.0, 1.0)


def test_per_agent_for_one_queue(harness: Harness) -> None:
    """queue=hotline by agent: early-1 5, 4, none (CSAT 1, response 2/3); early-2 1, 4."""
    rows = {r["key"]: r for r in _report(harness, group="agent", queue="hotline").json()}
    one, two = rows["early-1"], rows["early-2"]
    assert (one["offered"], one["answered"], one["csat"], one["mean"]) == (3, 2, 1.0, 4.5)
    assert one["response_rate"] == pytest.approx(2 / 3)
    assert (two["answered"], two["csat"], two["mean"]) == (2, 0.5, 2.5)


def test_the_csv_has_a_header_and_one_line_per_queue(harness: Harness) -> None:
    """?format=csv: the fields as header, hotline's line with its figures."""
    lines = _report(harness, format="csv").text.splitlines()
    assert lines[0].startswith("group,key,start,offered,answered,satisfied,csat,mean,")
    assert lines[1].startswith(f"queue,hotline,{MONDAY_9AM},5,4,3,0.75,3.5,0.8,1,0,0,2,1,0")


def test_an_agent_outside_a_supervisors_teams_is_refused(harness: Harness) -> None:
    """sup-2 supervises nobody: asking for early-1 is a 403."""
    _report(harness, user="sup-2", status=403, agent="early-1")


def test_until_before_since_names_the_field(harness: Harness) -> None:
    """A range that ends before it starts is a 422 naming `until`."""
    r = _report(harness, status=422, until=_iso(-60))
    assert "until" in r.text
