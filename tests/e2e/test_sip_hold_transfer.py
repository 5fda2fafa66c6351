"""Hold, resume and the agent's blind transfer to an external number on a real call.

A sipp caller presses 1 and is bridged to the agent's sipp phone; both phones' media
are the test's sockets (`Ear`s, which decode what they hear), the caller talking a 440
Hz tone, the agent 1,250 Hz. The agent puts the call on hold: the caller hears the
configured hold music (a 523 Hz tone written by the test) and not the agent, who goes
on sending, and the agent hears nothing, still so some 8 s into the hold. On resume
the caller hears the agent again and no music. Then the agent transfers it to an
external number: the agent's phone gets our BYE, the far end (a sipp UAS on the `dial`
trunk whose media is a third ear) answers and hears the caller's tone, and the
interaction's row ends with `exit_action` `transfer:<number>` and its time on hold,
bounded by the engine clock's readings around the hold and the resume. Every wait is
for audio or an event, within a guard. Needs sipp, rtpengine and espeak-ng; skipped
without them, except under CI."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from callcenter.core.events import HoldCall, ResumeCall, TransferToNumber, TransferToQueue
from tests.e2e.ear import PRESENT, SILENCE_RMS, Ear, rms, talking
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    SCENARIOS,
    Served,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    trace_of,
    until,
)
from tests.e2e.tones import Samples, tones_in, write_tone
from tests.telephony.sip.sipp_peer import SippRun, free_udp_port

NUMBER = "4930555000"
CALLER_HZ = 440.0
AGENT_HZ = 1250.0
MUSIC_HZ = 523.0
"""The hold music: a tone the test writes and configures (`music: hold.wav`)."""
WINDOW = 0.5
"""Seconds of audio (counted in samples) analysed in each phase."""
LONG_HOLD = 8.0
"""Seconds of the caller's audio (counted in samples) the hold goes on after the first
window: before hold blocked the agent's media, rtpengine learned the agent's phone from
the RTP it kept sending and relayed the caller to it again after some 6 s of hold."""


pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


def with_music(tmp: Path, extra: str = "") -> str:
    """Telephony config lines configuring the test's hold music (written into `tmp`)."""
    write_tone(tmp / "hold.wav", MUSIC_HZ, seconds=4.0)
    return f"music: hold.wav\n{extra}"


async def window_of(ear: Ear, hz: float, over: float | None = None) -> Samples | None:
    """From where `ear` starts hearing `hz` (from now on; with `over`, 20 dB above that
    tone), the next `WINDOW` seconds of what it hears; None if that never comes within
    the guard."""
    found = await ear.until_tone(hz, since=ear.mark(), over=over)
    if found is None:
        return None
    return ear.heard(found, await ear.until_heard(WINDOW, since=found))


async def agent_media_port(agent: SippRun) -> int:
    """The rtpengine port named in the INVITE to the agent's phone."""
    return int((await trace_of(agent, r"m=audio (\d+)"))[1])


@dataclass
class Went:
    """What the call did."""

    before_hold: Samples | None = None
    """What the caller heard once bridged, before the hold."""
    on_hold: Samples | None = None
    """What the caller heard once the music started."""
    agent_on_hold: Samples | None = None
    """What the agent heard while the caller heard the music."""
    agent_late_on_hold: Samples | None = None
    """What the agent heard over the next `LONG_HOLD` seconds of the hold."""
    late_on_hold: Samples | None = None
    """What the caller heard in the last `WINDOW` of those seconds."""
    after_resume: Samples | None = None
    """What the caller heard once the agent was back."""
    agent_after_resume: Samples | None = None
    agent_code: int | None = None
    far_end_heard: Samples | None = None
    far_end_code: int | None = None
    exit_action: str = ""
    hold_seconds: float = 0.0
    hold_bounds: tuple[float, float] = (0.0, 0.0)
    """The least and the most time on hold the engine clock's readings allow."""
    agent_state_after: str = ""
    left: dict[str, object] | None = None


async def hold_then_transfer(tmp: Path) -> Went:
    """Bridge, hold, resume, transfer out, caller hangs up."""
    sipp = new_sipp(tmp)
    caller_ear, agent_ear, far_ear = await Ear.open(), await Ear.open(), await Ear.open()
    trunk = free_udp_port()
    out = Went()
    try:
        agent = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", trace=True,
                                 keys={"rtp_port": str(agent_ear.port)})
        far_end = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=trunk,
                                   keys={"rtp_port": str(far_ear.port)})
        extra = with_music(tmp, f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n")
        async with serving(tmp, agent.port, extra=extra) as served:
            driver, clock = served.server.runtime.driver, served.server.runtime.driver.clock
            caller = await call_in(sipp, served, caller_ear)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            to_agent = await agent_media_port(agent)
            async with talking(caller.rtp, caller.media_port, CALLER_HZ), \
                    talking(agent_ear.sock, to_agent, AGENT_HZ):
                out.before_hold = await window_of(caller_ear, AGENT_HZ, over=MUSIC_HZ)
                hold_from = clock.time()
                await driver.submit(HoldCall(call_id))
                held = clock.time()
                out.on_hold = await window_of(caller_ear, MUSIC_HZ)
                # The agent's ear, from the moment the caller heard the music for a
                # window (the agent's leg is unbridged before the music starts).
                quiet_from = agent_ear.mark()
                await caller_ear.until_heard(WINDOW, since=caller_ear.mark())
                out.agent_on_hold = agent_ear.heard(quiet_from)
                late_from, caller_late = agent_ear.mark(), caller_ear.mark()
                end = await caller_ear.until_heard(LONG_HOLD, since=caller_late)
                out.agent_late_on_hold = agent_ear.heard(late_from)
                out.late_on_hold = caller_ear.heard(end - round(WINDOW * 8000), end)
                resume_from = clock.time()
                await driver.submit(ResumeCall(call_id))
                resumed = clock.time()
                out.hold_bounds = (resume_from - held, resumed - hold_from)
                out.after_resume = await window_of(caller_ear, AGENT_HZ, over=MUSIC_HZ)
                out.agent_after_resume = await window_of(agent_ear, CALLER_HZ)
                await driver.submit(TransferToNumber(call_id, NUMBER))
                out.agent_code = await agent.wait()
                await until(lambda: served.adapter.b2bua.legs == 2)
                out.far_end_heard = await window_of(far_ear, CALLER_HZ)
                out.agent_state_after = served.agent_state()
            caller.cue_hangup()
            await caller.run.wait()
            out.far_end_code = await far_end.wait()
            out.left = await left_after(served)
            rows = served.rows()
            if rows:
                out.exit_action, out.hold_seconds = rows[0].exit_action, rows[0].hold_seconds
    finally:
        for ear in (caller_ear, agent_ear, far_ear):
            await ear.close()
        await reap(sipp)
    return out


async def left_after(served: Served) -> dict[str, object]:
    """Once the calls are over and the engine has settled: what is still held."""
    await settle(lambda: served.adapter.calls == 0)
    await served.server.runtime.driver.settled()
    await settle(lambda: not served.leftovers())
    return served.leftovers()


@pytest.fixture(scope="module")
def went(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Went]:
    """The held and transferred call."""
    yield asyncio.run(hold_then_transfer(tmp_path_factory.mktemp("hold")))


def is_mostly(heard: Samples | None, hz: float, other: float) -> bool:
    """`heard` is there and is mostly `hz`, `other` 20 dB weaker or more."""
    return heard is not None and tones_in(heard, 8000, expected=hz, other=other).is_mostly(hz)


def test_the_caller_hears_the_agent_before_the_hold(went: Went) -> None:
    """Bridged, the caller hears the agent's 1,250 Hz and no hold music."""
    assert is_mostly(went.before_hold, AGENT_HZ, MUSIC_HZ)


def test_the_caller_hears_music_on_hold(went: Went) -> None:
    """On hold the caller hears the configured music (523 Hz): a third or more of what
    it hears, all through the window."""
    assert went.on_hold is not None, "no hold music heard"
    tones = tones_in(went.on_hold, 8000, expected=MUSIC_HZ, other=AGENT_HZ)
    assert tones.expected >= PRESENT * tones.total, tones


def test_the_caller_does_not_hear_the_agent_on_hold(went: Went) -> None:
    """On hold the agent, who goes on talking, is 20 dB or more under the music."""
    assert is_mostly(went.on_hold, MUSIC_HZ, AGENT_HZ)


def test_the_agent_hears_nothing_on_hold(went: Went) -> None:
    """While the caller hears the first half second of music the agent's phone hears
    silence (or nothing), not the caller, who goes on talking."""
    assert went.agent_on_hold is not None
    assert rms(went.agent_on_hold) < SILENCE_RMS, rms(went.agent_on_hold)


def test_the_agent_still_hears_nothing_later_in_the_hold(went: Went) -> None:
    """Over the next 8 s of hold the agent's phone, which goes on sending, still hears
    silence (or nothing), not the caller."""
    assert went.agent_late_on_hold is not None
    assert rms(went.agent_late_on_hold) < SILENCE_RMS, rms(went.agent_late_on_hold)


def test_the_caller_still_hears_only_music_later_in_the_hold(went: Went) -> None:
    """At the end of those 8 s the caller hears the music, the agent 20 dB or more
    under it."""
    assert is_mostly(went.late_on_hold, MUSIC_HZ, AGENT_HZ)


def test_resume_stops_the_music(went: Went) -> None:
    """After resume the caller hears the agent again, the music 20 dB weaker or more."""
    assert is_mostly(went.after_resume, AGENT_HZ, MUSIC_HZ), "the agent never came back"


def test_the_agent_hears_the_caller_after_resume(went: Went) -> None:
    """After resume the agent's phone hears the caller's 440 Hz again."""
    assert is_mostly(went.agent_after_resume, CALLER_HZ, MUSIC_HZ)


def test_the_transfer_releases_the_agent_phone(went: Went) -> None:
    """The agent's sipp gets our BYE when the call is transferred out."""
    assert went.agent_code == 0


def test_the_far_end_hears_the_caller(went: Went) -> None:
    """The external number answers and hears the caller's 440 Hz, no music."""
    assert is_mostly(went.far_end_heard, CALLER_HZ, MUSIC_HZ)


def test_the_far_end_is_hung_up_with_the_caller(went: Went) -> None:
    """The caller's BYE ends the far end's call (its scenario passes)."""
    assert went.far_end_code == 0


def test_the_agent_is_free_after_the_transfer(went: Went) -> None:
    """With no wrap-up configured, the agent is available again while the caller talks on."""
    assert went.agent_state_after == "available"


def test_the_row_says_where_the_call_went_and_its_hold(went: Went) -> None:
    """exit_action transfer:<number>; the time on hold lies between the engine clock's
    readings after the hold and before the resume, and before the hold and after the
    resume (the engine stamps each event while its submit runs)."""
    assert went.exit_action == f"transfer:{NUMBER}"
    least, most = went.hold_bounds
    assert 0 < least <= went.hold_seconds <= most, (least, went.hold_seconds, most)


def test_nothing_is_left_after_the_call(went: Went) -> None:
    """No call, leg or open interaction is left once the transferred call is over."""
    assert went.left == {}, f"left behind: {went.left}"


async def transfer_to_queue(tmp: Path) -> Samples | None:
    """Bridge, then the agent transfers the call back to a queue: what the caller hears
    while it waits again (from where the music starts)."""
    sipp = new_sipp(tmp)
    ear = await Ear.open()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        async with serving(tmp, agent.port, extra=with_music(tmp)) as served:
            caller = await call_in(sipp, served, ear)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            await served.server.runtime.driver.submit(TransferToQueue(call_id, "sales"))
            await agent.wait()  # the agent's leg is released
            heard = await window_of(ear, MUSIC_HZ)
            caller.cue_hangup()
            await caller.run.wait()
            await settle(lambda: served.adapter.calls == 0)
    finally:
        await ear.close()
        await reap(sipp)
    return heard


def test_a_caller_transferred_to_a_queue_hears_music(tmp_path: Path) -> None:
    """After the agent's transfer back to a queue, the caller hears the hold music."""
    assert is_mostly(asyncio.run(transfer_to_queue(tmp_path)), MUSIC_HZ, AGENT_HZ)
