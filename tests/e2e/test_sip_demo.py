"""`callcenter demo --sip`: the demo's database with real calls. The demo's telephony
config loads (DID 100 into the example's flow, the person's SIP account, recording);
a server started the way the demo starts it takes a REGISTER from `you`/`you` and a
call to 100 that hears the example IVR's first prompt, and stores the call's IVR run:
once on a fixed clock inside the example's office hours, once outside them.
The real-call part needs sipp, rtpengine and espeak-ng (skipped without them, except
under CI)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from callcenter.api.app import create_app
from callcenter.api.demo import PERSON, seed_demo
from callcenter.api.demo_sip import DEMO_DID, write_sip_config
from callcenter.api.settings import ServerSettings
from callcenter.api.state import Server
from callcenter.cli import app as cli
from callcenter.store.models import IvrRunRow
from callcenter.telephony.sip.adapter import SipTelephony
from callcenter.telephony.sip.config import load_telephony_config
from tests.e2e.ear import SPEECH_RMS, Ear, rms
from tests.e2e.sip_server import (
    PHONES,
    SCENARIOS,
    cue_hangup,
    new_sipp,
    reap,
    require_real_peers,
    settle,
    trace_of,
)
from tests.telephony.sip.sipp_peer import free_udp_block, free_udp_port


def test_the_demo_config_loads_with_the_example_flow(tmp_path: Path) -> None:
    """DID 100 enters the example flow; `you` is an account; calls are recorded."""
    config = load_telephony_config(write_sip_config(tmp_path / "sip", "127.0.0.1:5080"))
    assert config.sip.dids == {DEMO_DID: "main"} and "main" in config.flows
    assert [a.user for a in config.accounts] == [PERSON]
    assert config.recording is not None and config.recording.dir == tmp_path / "sip" / \
        "recordings"


def test_a_bad_sip_address_is_a_clear_error(tmp_path: Path) -> None:
    """`demo --sip nonsense` exits 2 naming the option, before touching the database."""
    result = CliRunner().invoke(cli, ["demo", "--sip", "nonsense",
                                      "--db", str(tmp_path / "demo.db")])
    assert result.exit_code == 2 and "--sip" in result.output
    assert not (tmp_path / "demo.db").exists()


@dataclass
class Demo:
    """What the demo's real call left."""

    register_code: int = -1
    registered: bool = False
    prompt_rms: float = 0.0
    """Loudness of the first half second the caller heard."""
    run_outcome: str | None = None


BERLIN = ZoneInfo("Europe/Berlin")
OPEN_AT = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN).timestamp()
"""A Wednesday at 10:00 in Berlin: the example's office (mon-fri 08:00-20:00) is open."""
CLOSED_AT = datetime(2026, 11, 29, 10, 0, tzinfo=BERLIN).timestamp()
"""A Sunday at 10:00 in Berlin: the office (no Sunday hours) is closed."""


async def demo_call(tmp: Path, start: float) -> Demo:
    """Seed the demo, serve it with SIP on an engine clock starting at `start`, register
    `you`, call 100, hang up in the IVR."""
    url = f"sqlite:///{tmp / 'demo.db'}"
    seed_demo(url)
    listen = f"127.0.0.1:{free_udp_port()}"
    base = free_udp_block(100, media_server=True)
    config = write_sip_config(tmp / "demo-sip", listen, rtp_ports=(base, base + 99),
                              ng_port=free_udp_port())
    settings = ServerSettings(database_url=url, scenario="customer-service", bots=False,
                              sip=listen, telephony_config=str(config), drain_seconds=0,
                              start=start)
    app = create_app(settings)
    sipp = new_sipp(tmp)
    ear = await Ear.open()
    out = Demo()
    try:
        async with app.router.lifespan_context(app):
            server: Server = app.state.server
            adapter = server.runtime.telephony
            assert isinstance(adapter, SipTelephony)
            phone = free_udp_port()
            reg = await sipp.start(PHONES / "register_auth.xml", remote=adapter.b2bua.address,
                                   service=PERSON, keys={"contact_port": str(phone)},
                                   args=["-au", PERSON, "-ap", PERSON])
            out.register_code = await reg.wait()
            out.registered = adapter.registered(PERSON)
            caller = await sipp.start(SCENARIOS / "caller_ivr.xml",
                                      remote=adapter.b2bua.address, service=DEMO_DID,
                                      trace=True,
                                      keys={"rtp_port": str(ear.port)})
            out.prompt_rms = rms(ear.heard(0, await ear.until_heard(0.5)))
            call_id = (await trace_of(caller, r"Call-ID: (\S+)"))[1]
            ear.sock.sendto(cue_hangup(call_id, caller.port), ("127.0.0.1", caller.port))
            await caller.wait()
            await settle(lambda: adapter.calls == 0)
            await server.runtime.driver.settled()
            with server.sessions() as session:
                run = session.scalars(select(IvrRunRow)).first()
                out.run_outcome = None if run is None else run.outcome
    finally:
        await ear.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo's call in office hours (skipped without real peers)."""
    require_real_peers()
    yield asyncio.run(demo_call(tmp_path_factory.mktemp("demo"), OPEN_AT))


@pytest.fixture(scope="module")
def closed_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo's call outside office hours (skipped without real peers)."""
    require_real_peers()
    yield asyncio.run(demo_call(tmp_path_factory.mktemp("closed-demo"), CLOSED_AT))


def test_the_person_registers_a_softphone(demo: Demo) -> None:
    """`you`/`you` registers at the demo's SIP address (sipp answers our challenge)."""
    assert demo.register_code == 0 and demo.registered


def test_a_call_to_100_hears_the_example_ivr(demo: Demo) -> None:
    """A trunk call to 100 is answered and what it hears first is a voice (the example
    flow's first prompt), not silence."""
    assert demo.prompt_rms > SPEECH_RMS, demo.prompt_rms


def test_in_office_hours_the_call_reaches_the_menu(demo: Demo) -> None:
    """On a Wednesday at 10:00 the call enters the language menu and, hung up there, its
    stored IVR run is an abandon (not the closed office's voicemail)."""
    assert demo.run_outcome == "abandoned"


def test_outside_office_hours_the_caller_gets_the_voicemail(closed_demo: Demo) -> None:
    """On a Sunday at 10:00 the call hears the closed office's message, and its stored IVR
    run says it went to the `general` voicemail box."""
    assert closed_demo.prompt_rms > SPEECH_RMS, closed_demo.prompt_rms
    assert closed_demo.run_outcome == "voicemail:general"
