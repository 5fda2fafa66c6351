"""The server's composition root: the telephony it runs decides whether a scenario is
loaded (simulated telephony: yes; SIP: only when one is named, to seed an empty store)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callcenter.api import ServerSettings, create_app
from callcenter.api import app as server_app
from callcenter.api.media import MediaStore
from callcenter.api.state import Server
from callcenter.core.ivr_flow import Flow
from callcenter.store import create_engine_for, session_factory
from callcenter.store.models import QueueRow
from callcenter.telephony.base import Dialing, FakeTelephony, Telephony


def _sip_settings(tmp_path: Path, **extra: str) -> ServerSettings:
    return ServerSettings(database_url=f"sqlite:///{tmp_path / 'store.db'}", bots=False,
                          sip="127.0.0.1:5090", telephony_config=str(tmp_path / "sip.yaml"),
                          **extra)


@pytest.fixture
def sip_line(monkeypatch: pytest.MonkeyPatch) -> FakeTelephony:
    """The sip adapter replaced by a fake at its boundary (no B2BUA, no rtpengine)."""
    line = FakeTelephony()

    def fake_sip(settings: ServerSettings, media: MediaStore
                 ) -> tuple[Telephony, Mapping[str, Flow], Dialing]:
        return line, {}, line

    monkeypatch.setattr(server_app, "_sip_telephony", fake_sip)
    return line


def _start(settings: ServerSettings) -> tuple[object, int]:
    """Run the app's lifespan once: the telephony it ran, and the queues stored."""
    app = create_app(settings)

    async def run() -> object:
        async with app.router.lifespan_context(app):
            server: Server = app.state.server
            return server.runtime.telephony

    telephony = asyncio.run(run())
    engine = create_engine_for(settings.database_url or "")
    try:
        with session_factory(engine)() as session:
            queues = session.scalar(select(func.count()).select_from(QueueRow)) or 0
    finally:
        engine.dispose()
    return telephony, queues


def test_under_sip_no_scenario_is_loaded(tmp_path: Path, sip_line: FakeTelephony,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIP server loads no scenario: it runs the sip adapter on the store's (here
    empty) routing, and no example's queues appear."""
    def no_scenario(path: object) -> None:
        raise AssertionError(f"a scenario was loaded under SIP: {path}")

    monkeypatch.setattr(server_app, "load_scenario", no_scenario)
    telephony, queues = _start(_sip_settings(tmp_path))
    assert telephony is sip_line
    assert queues == 0


def test_under_sip_a_named_scenario_only_seeds_the_store(tmp_path: Path,
                                                         sip_line: FakeTelephony) -> None:
    """Under SIP a scenario named in the settings seeds an empty store's queues; the
    telephony is still the sip adapter, not simulated callers."""
    telephony, queues = _start(_sip_settings(tmp_path, scenario="hotline"))
    assert telephony is sip_line
    assert queues == 1


def test_simulated_telephony_runs_the_default_scenario(tmp_path: Path) -> None:
    """Without SIP the server builds the sim adapter for the default scenario, hotline."""
    settings = ServerSettings(database_url=f"sqlite:///{tmp_path / 'store.db'}", bots=False)
    telephony, queues = _start(settings)
    assert type(telephony).__name__ == "SimTelephony"
    assert queues == 1
