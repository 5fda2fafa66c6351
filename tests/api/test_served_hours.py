"""A server with simulated callers and bots, on a fake engine clock from a fixed start:
inside its queue's opening hours bots answer the calls; outside them every caller gets the
closed treatment (the queue's voicemail). The expectations are written here, not read from
the queue's calendar."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from callcenter.api import ServerSettings, create_app
from callcenter.api.state import Server
from callcenter.clock import FakeClock
from callcenter.store.models import InteractionRow

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_10 = datetime(2025, 3, 4, 10, 0, tzinfo=BERLIN).timestamp()
"""Inside the office hours below (mon-fri 08:00-12:00)."""
TUESDAY_14 = datetime(2025, 3, 4, 14, 0, tzinfo=BERLIN).timestamp()
"""Outside them, while callers still call (08:00-18:00)."""

SCENARIO = """
[simulation]
name = "Morning office"
description = "One queue open 08:00-12:00 on weekdays; callers call until 18:00."
start = 2025-03-04
timezone = "Europe/Berlin"
days = 1
seed = 3

[calendars.office]
hours = { "mon-fri" = "08:00-12:00" }

[queues.desk]
calendar = "office"
closed_action = "voicemail"
wrap_up = 5
handle_time = { dist = "exponential", mean = 60 }
patience = { dist = "exponential", mean = 600 }

[shifts.day]
start = "07:00"
end = "19:00"

[[agents]]
name = "bot"
count = 5
shift = "day"
answer_delay = { dist = "uniform", low = 1, high = 2 }

[profiles.day]
interval = 60
start = "08:00"
weights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]

[[arrivals]]
queue = "desk"
daily = 600
profile = "day"
weekdays = "mon-fri"
"""


def ended_rows(tmp_path: Path, start: float, want: int) -> list[tuple[str, str, str]]:
    """Serve the scenario on a fake clock from `start`, moved on five seconds at a time,
    until `want` interactions have ended (within the hour: the office stays as it was);
    their (outcome, exit_reason, exit_action)."""
    scenario = tmp_path / "morning.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    settings = ServerSettings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                              scenario=str(scenario), start=start, bots=True,
                              drain_seconds=0)
    clock = FakeClock(start)
    app = create_app(settings, clock=clock)

    async def run() -> list[tuple[str, str, str]]:
        async with app.router.lifespan_context(app):
            server: Server = app.state.server
            while True:
                clock.advance(5)
                await server.runtime.driver.settled()
                with server.sessions() as session:
                    rows = session.scalars(select(InteractionRow).where(
                        InteractionRow.outcome.is_not(None))).all()
                    ended = [(r.outcome or "", r.exit_reason, r.exit_action) for r in rows]
                if len(ended) >= want:
                    return ended
                assert clock.time() < start + 3600, f"only {len(ended)} calls ended in an hour"

    return asyncio.run(run())


def test_in_opening_hours_bots_answer_the_calls(tmp_path: Path) -> None:
    """At 10:00 on a Tuesday the queue is open: calls are answered and completed, none is
    sent to the closed treatment."""
    rows = ended_rows(tmp_path, TUESDAY_10, 5)
    assert any(outcome == "completed" for outcome, _, _ in rows), rows
    assert not any(reason == "closed" for _, reason, _ in rows), rows


def test_outside_opening_hours_callers_get_the_voicemail(tmp_path: Path) -> None:
    """At 14:00 on a Tuesday the queue is closed: every caller is turned away to the
    voicemail at once, none is answered."""
    rows = ended_rows(tmp_path, TUESDAY_14, 5)
    assert {(outcome, reason, action) for outcome, reason, action in rows} == {
        ("rejected", "closed", "voicemail")}, rows
