"""Silent monitoring end to end: a caller is bridged to the agent's sipp phone; a
supervisor's phone (a sipp UAS whose media is the test's socket) is called and hears
the caller's 440 Hz tone, mixed by us from rtpengine's subscription; hanging up the
call hangs up the supervisor's phone too. Needs sipp, rtpengine and espeak-ng."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from callcenter.telephony.sip.monitoring import MonitorError
from tests.e2e.ear import Ear
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    SCENARIOS,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    until,
)
from tests.e2e.test_sip_recording import Talker, strongest
from tests.telephony.sip.sipp_peer import free_udp_port

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Heard:
    """What the supervisor's phone got."""

    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    """What the supervisor's phone heard, decoded (16-bit)."""
    phone_code: int | None = None
    listens_during: list[str] = field(default_factory=list)
    unknown_phone: str = ""
    left: dict[str, object] | None = None


async def monitored(tmp: Path) -> Heard:
    """One call bridged to the agent and listened to by `sup-phone`."""
    sipp = new_sipp(tmp)
    ear, sup_ear = await Ear.open(), await Ear.open()
    sup_port = free_udp_port()
    heard = Heard()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        supervisor = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=sup_port,
                                      keys={"rtp_port": str(sup_ear.port)})
        phones = {"sup-phone": f"sip:sup@127.0.0.1:{sup_port}"}
        async with serving(tmp, agent.port, phones=phones) as served:
            adapter = served.adapter
            caller = await call_in(sipp, served, ear)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            try:
                await adapter.listen(call_id, "nobody")
            except MonitorError as exc:
                heard.unknown_phone = str(exc)
            await adapter.listen(call_id, "sup-phone")
            heard.listens_during = adapter.listening(call_id)
            await until(lambda: adapter.b2bua.legs == 3)
            await Talker(caller).say(440, 2.0)
            heard.audio = np.round(sup_ear.heard() * 32768).astype(np.int16)
            caller.cue_hangup()
            await caller.run.wait()
            heard.phone_code = await supervisor.wait()
            await settle(lambda: not served.leftovers())
            heard.left = served.leftovers()
    finally:
        await ear.close()
        await sup_ear.close()
        await reap(sipp)
    return heard


@pytest.fixture(scope="module")
def heard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Heard]:
    """The monitored call."""
    yield asyncio.run(monitored(tmp_path_factory.mktemp("monitor")))


def test_the_supervisor_hears_the_caller(heard: Heard) -> None:
    """The supervisor's phone gets a PCMU stream whose loud part is the caller's tone."""
    loud = heard.audio[np.abs(heard.audio) > 1000]
    assert len(loud) > 4000
    assert strongest(heard.audio) == pytest.approx(440, abs=10)


def test_the_listen_is_known_while_it_lasts(heard: Heard) -> None:
    """The adapter lists one monitor of the call."""
    assert len(heard.listens_during) == 1


def test_a_phone_that_is_not_configured_is_refused(heard: Heard) -> None:
    """Listening on a phone with no registration and no contact is a MonitorError."""
    assert "phone 'nobody' is not registered" in heard.unknown_phone


def test_the_end_of_the_call_hangs_up_the_supervisor(heard: Heard) -> None:
    """The supervisor's sipp gets our BYE when the caller hangs up; nothing is left."""
    assert heard.phone_code == 0
    assert heard.left == {}, f"left behind: {heard.left}"
