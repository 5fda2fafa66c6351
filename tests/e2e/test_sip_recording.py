"""Recording, voicemail and transfer out through the real server with rtpengine.

- A recorded call: a sipp caller presses 1, is bridged to the agent's sipp phone and
  sends tones from the test's RTP socket: 440 Hz, then (recording paused, the
  payment details) 1,250 Hz, then 440 Hz again. The recording row links the WAV to
  the interaction; the caller's channel holds the 440 Hz tone and nothing of what
  was said during the pause, which is silence of its length. The pause's length is
  bounded by the adapter's clock (`time.time`) read around the pause and the resume;
  the silence in the file, by when the test sent the tones.
- A voicemail: the caller presses 2, hears the greeting and the beep, speaks
  (660 Hz) and presses #: we hang up, and the box holds a WAV of the message,
  linked to the call's IVR run (`voicemail:sales`).
- A transfer out: the caller presses 3; the far end (a sipp UAS on the `dial` trunk)
  is called and answers; the caller's 440 Hz reaches the far end through rtpengine
  (decoded at its socket), and the caller's BYE ends the far end's call.

Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from callcenter.store.models import IvrRunRow, RecordingRow
from tests.e2e.ear import Ear, talking
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    SCENARIOS,
    Caller,
    Served,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    until,
)
from tests.e2e.tones import Samples, tones_in
from tests.telephony.sip.g711 import pcmu_packets, tone
from tests.telephony.sip.sipp_peer import free_udp_port

RECORDING = "recording: {dir: rec}\n"
FRAME = 0.02
"""Seconds of audio in one RTP packet, and the frames the file is read in."""
ARRIVAL = 0.1
"""Allowance for when rtpengine stamps a packet's arrival (which places it in the
file) after the test sent it: a delay of the daemon, not a measurement."""


pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Left:
    """What a call left behind."""

    recordings: list[RecordingRow] = field(default_factory=list)
    audio: np.ndarray | None = None
    channels: int = 0
    run: IvrRunRow | None = None
    interaction: str | None = None
    far_end_code: int | None = None
    far_end_heard: Samples | None = None
    pause_bounds: tuple[float, float] = (0.0, 0.0)
    """The least and the most the pause can have lasted on the adapter's clock."""
    unrecorded: float = 0.0
    """Seconds from the first 440 Hz packet sent to the first sent after the resume,
    less the second of tone before the pause."""
    sent: float = 0.0
    """Seconds from the first packet of the voicemail sent to the last."""


class Talker:
    """Sends tones as RTP from the caller's socket, paced like a phone."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.seq = 0

    async def say(self, freq: float, seconds: float) -> tuple[float, float]:
        """`seconds` of a `freq` tone, a packet every 20 ms; when (`time.time`) the first
        and the last packet were sent."""
        sent: list[float] = []
        for packet in pcmu_packets(tone(freq, seconds), first_seq=self.seq,
                                   first_ts=160 * self.seq):
            sent.append(time.time())
            self.caller.rtp.sendto(packet, ("127.0.0.1", self.caller.media_port))
            self.seq += 1
            await asyncio.sleep(0.02)
        return sent[0], sent[-1]


def read(path: Path) -> tuple[int, np.ndarray]:
    """(channels, frames x channels) of a 16-bit WAV."""
    with wave.open(str(path)) as w:
        n = w.getnchannels()
        return n, np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, n)


def strongest(samples: np.ndarray) -> float:
    """The dominant frequency (Hz) of 8 kHz samples."""
    spectrum = np.abs(np.fft.rfft(samples.astype(float) * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum))])


def energy_near(samples: np.ndarray, hz: float) -> float:
    """Spectral energy within 20 Hz of `hz`."""
    power = np.abs(np.fft.rfft(samples.astype(float))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / 8000)
    return float(power[np.abs(freqs - hz) <= 20].sum())


def loud_runs(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of 20 ms frames louder than -40 dBFS
    (RMS) in 8 kHz 16-bit `samples`."""
    frame = round(FRAME * 8000)
    n = len(samples) // frame
    frames = samples[:n * frame].astype(float).reshape(n, frame) / 32768
    loud = np.sqrt(np.mean(frames ** 2, axis=1)) > 0.01
    runs: list[tuple[float, float]] = []
    for i in np.flatnonzero(loud):
        if runs and runs[-1][1] == i * FRAME:
            runs[-1] = (runs[-1][0], (i + 1) * FRAME)
        else:
            runs.append((i * FRAME, (i + 1) * FRAME))
    return runs


async def stored(served: Served) -> Left:
    """Once the adapter's calls are over and their recordings decoded: the rows."""
    await settle(lambda: served.adapter.calls == 0)
    assert served.adapter.recorder is not None
    await served.adapter.recorder.drain()
    assert served.server.media is not None
    await served.server.media.drain()
    await served.server.runtime.driver.settled()
    left = Left()
    with served.server.sessions() as session:
        left.recordings = list(session.scalars(select(RecordingRow)))
        left.run = session.scalars(select(IvrRunRow)).first()
    rows = served.rows()
    left.interaction = rows[0].interaction_id if rows else None
    if left.recordings:
        left.channels, left.audio = read(Path(left.recordings[0].path))
    return left


async def recorded_call(tmp: Path) -> Left:
    """Press 1, talk to the agent with a paused stretch in the middle, hang up."""
    sipp = new_sipp(tmp)
    ear = await Ear.open()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        async with serving(tmp, agent.port, extra=RECORDING) as served:
            adapter = served.adapter
            caller = await call_in(sipp, served, ear)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            call_id = served.server.runtime.engine.open_interactions()[0]
            await until(lambda: adapter.recording(call_id) == "recording")
            talker = Talker(caller)
            first, _ = await talker.say(440, 1.0)
            pause_from = time.time()  # the adapter's clock (create_app leaves it time.time)
            assert await adapter.pause_recording(call_id)
            paused = time.time()
            await talker.say(1250, 1.0)
            resume_from = time.time()
            assert await adapter.resume_recording(call_id)
            resumed = time.time()
            again, _ = await talker.say(440, 1.0)
            caller.cue_hangup()
            await caller.run.wait()
            left = await stored(served)
            left.pause_bounds = (resume_from - paused, resumed - pause_from)
            left.unrecorded = again - first - 1.0
    finally:
        await ear.close()
        await reap(sipp)
    return left


async def voicemail(tmp: Path) -> Left:
    """Press 2, wait for the beep, leave a 660 Hz message, press #."""
    sipp = new_sipp(tmp)
    ear = await Ear.open()
    try:
        async with serving(tmp, free_udp_port(), extra=RECORDING, login=False) as served:
            caller = await call_in(sipp, served, ear, "caller_hung_up.xml")
            caller.press(2)
            recorder = served.adapter.recorder
            assert recorder is not None
            await until(lambda: caller.call_id in recorder)  # the message is recording
            first, last = await Talker(caller).say(660, 1.5)
            caller.press(11)  # '#'
            await caller.run.wait()
            left = await stored(served)
            left.sent = last - first
    finally:
        await ear.close()
        await reap(sipp)
    return left


async def transfer(tmp: Path) -> Left:
    """Press 3; the far end answers and hears the caller; the caller hangs up."""
    sipp = new_sipp(tmp)
    ear, far_ear = await Ear.open(), await Ear.open()
    trunk = free_udp_port()
    extra = f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n"
    left = Left()
    try:
        far_end = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=trunk,
                                   keys={"rtp_port": str(far_ear.port)})
        async with serving(tmp, free_udp_port(), extra=extra, login=False) as served:
            caller = await call_in(sipp, served, ear)
            caller.press(3)
            await until(lambda: served.adapter.b2bua.legs == 2)
            async with talking(caller.rtp, caller.media_port, 440):
                found = await far_ear.until_tone(440)
                if found is not None:
                    left.far_end_heard = far_ear.heard(
                        found, await far_ear.until_heard(0.5, since=found))
            caller.cue_hangup()
            await caller.run.wait()
            left.far_end_code = await far_end.wait()
            await settle(lambda: served.adapter.calls == 0 and served.adapter.b2bua.legs == 0)
            await served.server.runtime.driver.settled()
            with served.server.sessions() as session:
                left.run = session.scalars(select(IvrRunRow)).first()
    finally:
        await ear.close()
        await far_ear.close()
        await reap(sipp)
    return left


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Left]:
    """The recorded call with a pause."""
    yield asyncio.run(recorded_call(tmp_path_factory.mktemp("recorded")))


@pytest.fixture(scope="module")
def message(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Left]:
    """The voicemail."""
    yield asyncio.run(voicemail(tmp_path_factory.mktemp("voicemail")))


@pytest.fixture(scope="module")
def transferred(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Left]:
    """The call transferred out."""
    yield asyncio.run(transfer(tmp_path_factory.mktemp("transfer")))


def test_the_recording_is_linked_to_the_interaction(call: Left) -> None:
    """One `call` recording row, for the call's interaction."""
    assert [(r.kind, r.interaction_id) for r in call.recordings] == [("call", call.interaction)]


def test_the_pause_is_counted(call: Left) -> None:
    """The row's paused time lies between the clock's readings after the pause and
    before the resume, and before the pause and after the resume."""
    least, most = call.pause_bounds
    assert 0 < least <= call.recordings[0].paused_seconds <= most, \
        (least, call.recordings[0].paused_seconds, most)


def test_the_recording_has_the_caller_on_the_left(call: Left) -> None:
    """Stereo WAV; the caller's channel carries the caller's 440 Hz tone."""
    assert call.channels == 2 and call.audio is not None
    caller = call.audio[:, 0]
    loud = caller[np.abs(caller) > 1000]
    assert len(loud) > 8000
    assert strongest(caller) == pytest.approx(440, abs=10)


def test_nothing_said_during_the_pause_is_recorded(call: Left) -> None:
    """The 1,250 Hz tone sent while paused is nowhere in the file."""
    assert call.audio is not None
    caller = call.audio[:, 0]
    assert energy_near(caller, 1250) < 0.01 * energy_near(caller, 440)


def test_the_pause_is_silence_of_its_length(call: Left) -> None:
    """The caller's channel is a second of tone, silence, a second of tone; the silence
    lasts at least the pause and at most the time between the tones' sending; the file
    ends with the second tone."""
    assert call.audio is not None
    runs = loud_runs(call.audio[:, 0])
    assert len(runs) == 2, runs
    (start, end), (again, stop) = runs
    # 50 packets of 20 ms; placed off the file's 20 ms frame grid, they touch 51 frames
    assert round((end - start) / FRAME) in (50, 51), (start, end)
    assert round((stop - again) / FRAME) in (50, 51), (again, stop)
    paused = call.recordings[0].paused_seconds
    assert paused - ARRIVAL <= again - end <= call.unrecorded + ARRIVAL, \
        (paused, again - end, call.unrecorded)
    assert call.recordings[0].seconds == pytest.approx(stop, abs=2 * FRAME)


def test_the_voicemail_is_stored_in_its_box(message: Left) -> None:
    """A mono `voicemail` recording in box `sales`, linked to the call of its IVR run."""
    assert [(r.kind, r.box) for r in message.recordings] == [("voicemail", "sales")]
    assert message.run is not None and message.run.outcome == "voicemail:sales"
    assert message.recordings[0].interaction_id == message.run.call_id


def test_the_voicemail_holds_the_message(message: Left) -> None:
    """What the caller said after the beep (660 Hz) is in the file."""
    assert message.channels == 1 and message.audio is not None
    assert strongest(message.audio[:, 0]) == pytest.approx(660, abs=10)


def test_the_voicemail_lasts_as_long_as_the_message(message: Left) -> None:
    """The file holds the 1.5 s of tone (placed by their RTP timestamps) and lasts no
    longer than the time it took to send them."""
    seconds = message.recordings[0].seconds
    assert 1.5 - FRAME <= seconds <= max(1.5, message.sent + FRAME + ARRIVAL), \
        (seconds, message.sent)


def test_the_transfer_reaches_the_far_end(transferred: Left) -> None:
    """The far end answers and hears the caller's 440 Hz through rtpengine."""
    heard = transferred.far_end_heard
    assert heard is not None, "the far end never heard the caller"
    assert tones_in(heard, 8000, expected=440, other=1250).is_mostly(440)


def test_the_callers_hang_up_ends_the_transferred_call(transferred: Left) -> None:
    """The far end's sipp gets our BYE after the caller's (its scenario passes)."""
    assert transferred.far_end_code == 0


def test_the_ivr_run_of_a_transfer_is_stored(transferred: Left) -> None:
    """The call's IVR run is stored with outcome `transfer` and its path."""
    assert transferred.run is not None
    assert transferred.run.outcome == "transfer" and transferred.run.path[-1] == "away"
