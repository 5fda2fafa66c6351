"""A real call with real audio both ways, checked by tone frequency.

A baresip caller (sending a 440 Hz tone) dials the DID of the server run with the sip
adapter, hears the IVR's spoken prompt (espeak-ng, played by rtpengine), presses 1 (an
RFC 4733 telephone-event on its RTP), is queued and connected to the logged-in agent,
whose phone is a second baresip (sending 1250 Hz) that answers by itself. Both talk for
`TALK` seconds of recorded audio, then the caller hangs up. Each phone records what it
heard (baresip's `sndfile`); the last `WINDOW` seconds of each recording, the bridged
part, must be the other phone's tone, with its own tone (an echo) far weaker. The
interaction row reads completed with talk time, and both phones saw the call end.
The server records the call: its WAV, linked to the interaction, holds the caller's
tone on the left channel and the agent's on the right.

The phones are `tests/e2e/baresip_peer.py`, the server `tests/e2e/sip_server.py` (the
agent's static contact is the agent phone's URI). Every wait is on an event or on
recorded audio, within a guard. Needs baresip, rtpengine and espeak-ng (sipp is not
used here); skipped without them, except under CI (failed).
"""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from callcenter.store.models import RecordingRow
from tests.e2e.baresip_peer import BaresipPhone, baresip_phone
from tests.e2e.sip_server import DID, serving, settle, until
from tests.e2e.tones import Samples, Tones, read_wav, tones_in

CALLER_HZ = 440.0
AGENT_HZ = 1250.0
TALK = 3.0
"""Seconds of the other's audio each phone records while they are connected."""
WINDOW = 1.0
"""Seconds at the end of each recording that are analysed (all of it bridged audio)."""
PROMPT = 0.5
"""Seconds of the prompt the caller hears before it presses 1."""


pytestmark = pytest.mark.requires_tool("baresip", "rtpengine", "espeak-ng")


@dataclass
class Outcome:
    """What the call left behind."""

    prompt_rms: float = 0.0
    """Loudness of what the caller heard before pressing 1 (the spoken prompt)."""
    caller_heard: Tones | None = None
    agent_heard: Tones | None = None
    caller_saw: list[str] = field(default_factory=list)
    agent_saw: list[str] = field(default_factory=list)
    agent_state_connected: str = ""
    rows: int = -1
    row_agent: str | None = None
    row_outcome: str | None = None
    talk_seconds: float = 0.0
    left: dict[str, object] | None = None
    """What the server still held once the call was over (nothing, if all is well)."""
    recordings: list[tuple[str, str]] = field(default_factory=list)
    """(kind, interaction id) of each stored recording."""
    recorded_caller: Tones | None = None
    """The caller's channel of the call's recording."""
    recorded_agent: Tones | None = None
    interaction_id: str | None = None


def last_seconds(phone: BaresipPhone, seconds: float) -> Samples:
    """The last `seconds` of what `phone` heard (its sndfile recording)."""
    path = phone.recording()
    assert path is not None, f"{phone.name} recorded nothing:\n{phone.output()}"
    samples, rate = read_wav(path)
    return samples[-round(seconds * rate):]


async def call(tmp: Path) -> Outcome:
    """The call, from dial to hang-up; what it left."""
    out = Outcome()
    async with baresip_phone(tmp, "agent", tone_hz=AGENT_HZ, answer="auto") as agent:
        port = int(agent.uri.rsplit(":", 1)[1])  # the contact is sip:agent@127.0.0.1:<port>
        async with serving(tmp, port, extra="recording: {dir: rec}\n") as served, \
                baresip_phone(tmp, "caller", tone_hz=CALLER_HZ) as caller:
            host, sip_port = served.adapter.b2bua.address
            await caller.dial(f"sip:{DID}@{host}:{sip_port}")
            await caller.event("CALL_ESTABLISHED")
            await caller.until_heard(PROMPT)  # the welcome prompt plays
            prompt = caller.heard_seconds()
            await caller.send_digits("1")
            await agent.event("CALL_ESTABLISHED")  # queued, offered, answered by itself
            await until(lambda: served.agent_state() == "busy")
            out.agent_state_connected = served.agent_state()
            bridged = caller.heard_seconds()
            await agent.until_heard(TALK)
            await caller.until_heard(bridged + TALK)
            await caller.hangup()
            await caller.event("CALL_CLOSED")
            await agent.event("CALL_CLOSED")  # our BYE after the caller's
            await settle(lambda: served.adapter.calls == 0)
            await served.server.runtime.driver.settled()
            await settle(lambda: not served.leftovers())
            out.left = served.leftovers()
            rows = served.rows()
            out.rows = len(rows)
            if rows:
                row = rows[0]
                out.row_agent, out.row_outcome = row.agent_id, row.outcome
                out.talk_seconds = row.talk_seconds
                out.interaction_id = row.interaction_id
            assert served.adapter.recorder is not None and served.server.media is not None
            await served.adapter.recorder.drain()
            await served.server.media.drain()
            with served.server.sessions() as session:
                stored = list(session.scalars(select(RecordingRow)))
            out.recordings = [(r.kind, r.interaction_id) for r in stored]
            if stored:
                with wave.open(stored[0].path) as w:
                    stereo = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
                tail = stereo[-round(WINDOW * 8000):].astype(np.float64) / 32768
                out.recorded_caller = tones_in(tail[:, 0], 8000, expected=CALLER_HZ,
                                               other=AGENT_HZ)
                out.recorded_agent = tones_in(tail[:, 1], 8000, expected=AGENT_HZ,
                                              other=CALLER_HZ)
        out.caller_saw = [str(e.get("type")) for e in caller.events]
        out.agent_saw = [str(e.get("type")) for e in agent.events]
    # Both phones are stopped: their recordings are closed.
    path = caller.recording()
    assert path is not None
    samples, rate = read_wav(path)
    out.prompt_rms = float(np.sqrt(np.mean(samples[:round(prompt * rate)] ** 2)))
    out.caller_heard = tones_in(last_seconds(caller, WINDOW), rate, expected=AGENT_HZ,
                                other=CALLER_HZ)
    out.agent_heard = tones_in(last_seconds(agent, WINDOW), rate, expected=CALLER_HZ,
                               other=AGENT_HZ)
    return out


@pytest.fixture(scope="module")
def talked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """One call: prompt, 1, queued, answered by the agent's phone, talk, caller hangs up."""
    yield asyncio.run(call(tmp_path_factory.mktemp("audio")))


def test_the_caller_hears_the_prompt(talked: Outcome) -> None:
    """What reaches the caller before it presses 1 is sound (the spoken welcome), not
    silence."""
    assert talked.prompt_rms > 0.01


def test_the_caller_hears_the_agent_tone(talked: Outcome) -> None:
    """Once bridged, the caller hears the agent's 1250 Hz, with its own 440 Hz 20 dB
    weaker or more (no echo, no hold music left playing over the agent)."""
    assert talked.caller_heard is not None
    assert talked.caller_heard.is_mostly(AGENT_HZ), talked.caller_heard


def test_the_agent_hears_the_caller_tone(talked: Outcome) -> None:
    """Once bridged, the agent hears the caller's 440 Hz, with its own 1250 Hz 20 dB
    weaker or more."""
    assert talked.agent_heard is not None
    assert talked.agent_heard.is_mostly(CALLER_HZ), talked.agent_heard


def test_the_agent_is_busy_while_connected(talked: Outcome) -> None:
    """While the phones talk, the engine has the agent busy."""
    assert talked.agent_state_connected == "busy"


def test_the_interaction_is_completed_with_talk_time(talked: Outcome) -> None:
    """One interaction row, handled by agent-1, completed, with talk time above zero."""
    assert (talked.rows, talked.row_agent, talked.row_outcome) == (1, "agent-1", "completed")
    assert talked.talk_seconds > 0


def test_both_phones_see_the_call_end(talked: Outcome) -> None:
    """The caller (its own hang-up) and the agent (our BYE) both report the call closed."""
    assert "CALL_CLOSED" in talked.caller_saw and "CALL_CLOSED" in talked.agent_saw


def test_nothing_is_left_in_the_adapter(talked: Outcome) -> None:
    """No call, leg or open interaction is left after the hang-up."""
    assert talked.left == {}, f"left behind: {talked.left}"


def test_the_call_is_recorded_for_its_interaction(talked: Outcome) -> None:
    """One call recording, linked to the call's interaction row."""
    assert talked.recordings == [("call", talked.interaction_id)]


def test_the_recording_holds_each_party_on_its_channel(talked: Outcome) -> None:
    """The recording's left channel is the caller's tone, the right the agent's."""
    assert talked.recorded_caller is not None and talked.recorded_caller.is_mostly(CALLER_HZ)
    assert talked.recorded_agent is not None and talked.recorded_agent.is_mostly(AGENT_HZ)
