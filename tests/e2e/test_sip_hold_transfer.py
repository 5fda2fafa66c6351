"""Hold, resume and the agent's blind transfer to an external number on a real call.

A sipp caller presses 1 and is bridged to the agent's sipp phone. The agent puts it
on hold: the caller hears music (RTP from rtpengine) and stops hearing it on resume.
Then the agent transfers it to an external number: the agent's phone gets our BYE,
the far end (a sipp UAS on the `dial` trunk whose media is the test's socket)
answers and hears the caller, and the interaction's row ends with
`exit_action` `transfer:<number>` and its time on hold. Needs sipp, rtpengine and
espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from callcenter.core.events import HoldCall, ResumeCall, TransferToNumber, TransferToQueue
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    SCENARIOS,
    call_in,
    new_sipp,
    reap,
    receive,
    rtp_socket,
    serving,
    until,
)
from tests.e2e.test_sip_recording import Talker
from tests.telephony.sip.sipp_peer import free_udp_port

NUMBER = "4930555000"


pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


def drain(sock: socket.socket) -> int:
    """Datagrams waiting at `sock` (read and dropped)."""
    n = 0
    while True:
        try:
            sock.recv(2048)
        except BlockingIOError:
            return n
        n += 1


@dataclass
class Went:
    """What the call did."""

    music_on_hold: bool = False
    quiet_after_resume: int = -1
    agent_code: int | None = None
    far_end_heard: bool = False
    far_end_code: int | None = None
    exit_action: str = ""
    hold_seconds: float = 0.0
    agent_state_after: str = ""


async def hold_then_transfer(tmp: Path) -> Went:
    """Bridge, hold 1 s, resume, transfer out, caller hangs up."""
    sipp = new_sipp(tmp)
    rtp = rtp_socket()
    far_rtp = rtp_socket()
    trunk = free_udp_port()
    out = Went()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        far_end = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=trunk,
                                   keys={"rtp_port": str(far_rtp.getsockname()[1])})
        extra = f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n"
        async with serving(tmp, agent.port, extra=extra) as served:
            driver = served.server.runtime.driver
            caller = await call_in(sipp, served, rtp)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            await asyncio.sleep(0.3)
            drain(rtp)
            await driver.submit(HoldCall(call_id))
            out.music_on_hold = bool(await receive(rtp, lambda d: d[1] & 0x7F == 0))
            await asyncio.sleep(0.7)
            await driver.submit(ResumeCall(call_id))
            await asyncio.sleep(0.3)
            drain(rtp)
            await asyncio.sleep(0.3)
            out.quiet_after_resume = drain(rtp)
            await driver.submit(TransferToNumber(call_id, NUMBER))
            out.agent_code = await agent.wait()
            await until(lambda: served.adapter.b2bua.legs == 2)
            talk = asyncio.ensure_future(Talker(caller).say(440, 1.0))
            out.far_end_heard = bool(await receive(far_rtp, lambda d: d[1] & 0x7F == 0))
            await talk
            out.agent_state_after = served.agent_state()
            caller.cue_hangup()
            await caller.run.wait()
            out.far_end_code = await far_end.wait()
            await until(lambda: served.adapter.calls == 0)
            await driver.settled()
            rows = served.rows()
            if rows:
                out.exit_action, out.hold_seconds = rows[0].exit_action, rows[0].hold_seconds
    finally:
        rtp.close()
        far_rtp.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def went(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Went]:
    """The held and transferred call."""
    yield asyncio.run(hold_then_transfer(tmp_path_factory.mktemp("hold")))


def test_the_caller_hears_music_on_hold(went: Went) -> None:
    """On hold, rtpengine plays the hold music to the caller."""
    assert went.music_on_hold


def test_resume_stops_the_music(went: Went) -> None:
    """After resume nothing more is played to the caller (the agent's phone is silent)."""
    assert went.quiet_after_resume == 0


def test_the_transfer_releases_the_agent_phone(went: Went) -> None:
    """The agent's sipp gets our BYE when the call is transferred out."""
    assert went.agent_code == 0


def test_the_far_end_hears_the_caller(went: Went) -> None:
    """The external number answers and the caller's audio reaches it."""
    assert went.far_end_heard


def test_the_far_end_is_hung_up_with_the_caller(went: Went) -> None:
    """The caller's BYE ends the far end's call (its scenario passes)."""
    assert went.far_end_code == 0


def test_the_agent_is_free_after_the_transfer(went: Went) -> None:
    """With no wrap-up configured, the agent is available again while the caller talks on."""
    assert went.agent_state_after == "available"


def test_the_row_says_where_the_call_went_and_its_hold(went: Went) -> None:
    """exit_action transfer:<number>; about a second on hold."""
    assert went.exit_action == f"transfer:{NUMBER}"
    assert went.hold_seconds == pytest.approx(1.0, abs=0.5)


async def transfer_to_queue(tmp: Path) -> bool:
    """Bridge, then the agent transfers the call back to a queue: does the caller hear
    hold music while it waits again?"""
    sipp = new_sipp(tmp)
    rtp = rtp_socket()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        async with serving(tmp, agent.port) as served:
            caller = await call_in(sipp, served, rtp)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            await asyncio.sleep(0.3)
            drain(rtp)
            await served.server.runtime.driver.submit(TransferToQueue(call_id, "sales"))
            await agent.wait()  # the agent's leg is released
            drain(rtp)
            heard = bool(await receive(rtp, lambda d: d[1] & 0x7F == 0))
            caller.cue_hangup()
            await caller.run.wait()
            await until(lambda: served.adapter.calls == 0)
    finally:
        rtp.close()
        await reap(sipp)
    return heard


def test_a_caller_transferred_to_a_queue_hears_music(tmp_path: Path) -> None:
    """After the agent's transfer back to a queue, the caller hears hold music again."""
    assert asyncio.run(transfer_to_queue(tmp_path))
