"""The campaign API drives the live dialer: start dials, pause and stop end the dialing,
GET shows live figures, do-not-call changes reach the dialer at once. The server runs on
a fake clock with the fake telephony adapter, which records the calls placed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.core.dialer.leads import Lead
from callcenter.core.events import AgentLogin
from callcenter.telephony.base import DialStatus
from tests.api.dialing import Dialing, campaign_server

CAMPAIGN = {"name": "spring", "caller_id": "+4930999000", "dial_mode": "progressive"}
NUMBERS = ["+4930555000", "+4930555001", "+4930555002"]


@pytest.fixture
def dialing(tmp_path: Path) -> Iterator[Dialing]:
    """The server with campaign `spring` (three leads) and agent early-1 working it."""
    leads = [Lead(f"l{i}", n, "Europe/Berlin") for i, n in enumerate(NUMBERS)]
    with campaign_server(tmp_path, CAMPAIGN, leads) as d:
        yield d


def test_start_dials_and_get_shows_live_figures(dialing: Dialing) -> None:
    """Starting the campaign places a call for the ready agent; GET shows it in flight."""
    d = dialing
    r = d.post("/api/campaigns/spring/start")
    assert r.status_code == 200 and r.json()["state"] == "running"
    d.advance(1.0)
    assert d.dialed() == []  # no agent of the campaign logged in: nothing to dial
    d.h.inject(AgentLogin("early-1"))
    d.advance(1.5)
    assert len(d.dialed()) == 1
    live = d.get("/api/campaigns/spring").json()["live"]
    assert live["dialing"] and live["pacer"] == "progressive"
    assert live["dialed"] == 1 and live["in_flight"] == 1 and live["ringing"] == 1
    assert live["agents"] == 1 and live["drops_24h"] == 0


def test_pause_and_stop_end_the_dialing(dialing: Dialing) -> None:
    """After pause no call is placed though the agent is ready; stop removes the figures;
    start again dials."""
    d = dialing
    d.h.inject(AgentLogin("early-1"))
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    (call_id,) = d.fake.dials
    d.post("/api/campaigns/spring/pause")
    d.fake.dial_update(call_id, DialStatus.BUSY, d.clock.time())
    d.advance(5.0)
    assert len(d.dialed()) == 1
    assert d.get("/api/campaigns/spring").json()["live"]["dialing"] is False
    d.post("/api/campaigns/spring/stop")
    assert d.get("/api/campaigns/spring").json()["live"] is None
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    assert len(d.dialed()) == 2


def test_a_number_blocked_through_the_api_is_not_dialed(dialing: Dialing) -> None:
    """A number put on the global list while the campaign runs is skipped at once."""
    d = dialing
    d.h.inject(AgentLogin("early-1"))
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    (call_id,) = d.fake.dials
    first = d.dialed()[0]
    blocked = next(n for n in NUMBERS if n != first)
    assert d.post("/api/dnc", json={"number": blocked}).status_code == 201
    d.fake.dial_update(call_id, DialStatus.NO_ANSWER, d.clock.time())
    d.advance(1.5)
    assert len(d.dialed()) == 2 and blocked not in d.dialed()


def test_only_admins_change_and_staff_read(dialing: Dialing) -> None:
    """A supervisor may read the live figures but not start; an agent may not read."""
    d = dialing
    assert d.post("/api/campaigns/spring/start", user="sup").status_code == 403
    assert d.get("/api/campaigns/spring", user="early-1").status_code == 403
    assert d.get("/api/campaigns/spring").status_code == 200
