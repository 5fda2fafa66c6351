"""The compliance report over HTTP (JSON and CSV) and on the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.core.dialer.campaign import Campaign
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.campaigns import add_attempt
from callcenter.store.leads import add_campaign
from tests.api.conftest import Harness

TUESDAY = datetime(2025, 3, 4, tzinfo=UTC).timestamp()
UNTIL = "2025-03-05T00:00:00Z"


def seed(sessions: sessionmaker[Session]) -> None:
    """Campaign spring (Berlin) with an attempt at 10:00 and one at 21:30 local time."""
    with sessions.begin() as s:
        add_campaign(s, Campaign("spring", caller_id="+4930123456", timezone="Europe/Berlin"))
        for hour in (9, 20.5):
            add_attempt(s, "spring", lead_id="x", number="+4930123457",
                        started=TUESDAY + hour * 3600, outcome="answered",
                        answered=TUESDAY + hour * 3600 + 5)


def test_report_counts_the_call_outside_the_window(harness: Harness) -> None:
    """The JSON report counts the 21:30 call as outside the window."""
    seed(harness.server.sessions)
    r = harness.get("/api/campaigns/spring/compliance", params={"until": UNTIL},
                    headers=harness.auth("sup"))
    assert (r.json()["attempts"], r.json()["outside_window"]) == (2, 1)


def test_report_as_csv(sqlite_harness: Harness) -> None:
    """?format=csv answers a header row and one row of figures."""
    seed(sqlite_harness.server.sessions)
    r = sqlite_harness.get("/api/campaigns/spring/compliance",
                           params={"until": UNTIL, "format": "csv"},
                           headers=sqlite_harness.auth("root"))
    header, values = r.text.splitlines()
    assert dict(zip(header.split(","), values.split(","), strict=True))["contacts"] == "2"


def test_report_of_an_unknown_campaign_is_404(sqlite_harness: Harness) -> None:
    """No such campaign: 404."""
    r = sqlite_harness.get("/api/campaigns/nope/compliance", headers=sqlite_harness.auth("root"))
    assert r.status_code == 404


def test_cli_writes_the_csv(tmp_path: Path) -> None:
    """`callcenter compliance --csv` writes the figures with outside_window 1."""
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    migrate(url)
    engine = create_engine_for(url)
    try:
        seed(session_factory(engine))
    finally:
        engine.dispose()
    out = tmp_path / "c.csv"
    CliRunner().invoke(app, ["compliance", "spring", "--csv", str(out), "--db", url,
                             "--until", str(TUESDAY + 86_400)])
    header, values = out.read_text().splitlines()
    assert dict(zip(header.split(","), values.split(","), strict=True))["outside_window"] == "1"


def test_cli_prints_the_table(tmp_path: Path) -> None:
    """The table names the calls outside the calling windows."""
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    migrate(url)
    engine = create_engine_for(url)
    try:
        seed(session_factory(engine))
    finally:
        engine.dispose()
    result = CliRunner().invoke(app, ["compliance", "spring", "--db", url])
    assert "calls outside calling windows" in result.output


def test_cli_unknown_campaign_exits_2(tmp_path: Path) -> None:
    """An unknown campaign is exit status 2."""
    result = CliRunner().invoke(app, ["compliance", "nope", "--db",
                                      f"sqlite:///{tmp_path / 'cc.db'}"])
    assert result.exit_code == 2
