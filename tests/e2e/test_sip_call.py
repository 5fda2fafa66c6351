"""The first real call end to end: sipp calls a DID, hears the IVR's prompt (espeak-ng, played
by rtpengine), presses 1 (RFC 4733 to rtpengine), waits in the queue, is offered to the
logged-in agent whose phone (a sipp UAS) rings and answers, is bridged, and hangs up.

The server is `create_app` with `sip` settings, its lifespan run on the test's loop. The
caller's SDP names the test's own RTP socket (an `Ear`), so the test hears what rtpengine
plays, decoded, and sends the keys from there; an INFO from the test is the caller's cue
to send its BYE. What the caller hears before pressing 1 must be a voice (loud, broken
into syllables, not a tone) and the welcome's: its loudness rises and falls as the
test's own espeak-ng rendering of the text does.
Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI (failed)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.ear import SPEECH_RMS, Ear, likeness, loud_frames, rms, spoken, tone_share
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    WELCOME,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    until,
)
from tests.e2e.tones import Samples

LIKE = 0.9
"""Least `likeness` of what the caller heard to the spoken welcome (1 for the same)."""

PROMPT = 1.0
"""Seconds of the welcome prompt the caller hears before it presses 1."""

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Outcome:
    """What one call left behind."""

    prompt: Samples | None = None
    """The first `PROMPT` seconds the caller heard."""
    caller_code: int | None = None
    agent_code: int | None = None
    row_agent: str | None = None
    row_outcome: str | None = None
    left: dict[str, object] | None = None
    """What the server still held once the call was over (nothing, if all is well)."""
    rows: int = -1


async def call(tmp: Path, *, to_agent: bool) -> Outcome:
    """One call: through the IVR to the agent (or hung up in the IVR); what it left."""
    sipp = new_sipp(tmp)
    out = Outcome()
    ear = await Ear.open()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        async with serving(tmp, agent.port) as served:
            adapter = served.adapter
            caller = await call_in(sipp, served, ear)
            if to_agent:
                out.prompt = ear.heard(0, await ear.until_heard(PROMPT))
                caller.press(1)
                await until(lambda: served.agent_state() == "busy")
            caller.cue_hangup()
            out.caller_code = await caller.run.wait()
            if to_agent:
                out.agent_code = await agent.wait()
            await settle(lambda: adapter.calls == 0)
            await served.server.runtime.driver.settled()
            await settle(lambda: not served.leftovers())
            out.left = served.leftovers()
            rows = served.rows()
            out.rows = len(rows)
            if rows:
                out.row_agent, out.row_outcome = rows[0].agent_id, rows[0].outcome
    finally:
        await ear.close()
        await reap(sipp)  # reaped on this loop: no transport left to the collector
    return out


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """A call that presses 1, is answered by the agent and hangs up."""
    yield asyncio.run(call(tmp_path_factory.mktemp("answered"), to_agent=True))


@pytest.fixture(scope="module")
def abandoned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """A call that hangs up while the IVR's prompt plays."""
    yield asyncio.run(call(tmp_path_factory.mktemp("abandoned"), to_agent=False))


def test_the_prompt_is_played_to_the_caller(answered: Outcome) -> None:
    """The first second the caller hears is a voice (the spoken welcome): loud, with
    quieter gaps between syllables, its energy spread over many frequencies (no tone)."""
    assert answered.prompt is not None
    level, loud, share = (rms(answered.prompt), loud_frames(answered.prompt),
                          tone_share(answered.prompt))
    assert level > SPEECH_RMS and 0.3 < loud < 1.0 and share < 0.5, (level, loud, share)


def test_the_prompt_is_the_welcome(answered: Outcome) -> None:
    """What the caller hears has the syllables and gaps of the flow's welcome as
    espeak-ng says it when the test renders it (other prompts score about 0.5-0.65)."""
    assert answered.prompt is not None
    assert likeness(answered.prompt, spoken(WELCOME)) > LIKE


def test_the_caller_call_goes_as_scripted(answered: Outcome) -> None:
    """The caller's sipp gets its 200, its INFO cue and the 200 to its BYE."""
    assert answered.caller_code == 0


def test_the_agent_phone_rings_answers_and_is_hung_up(answered: Outcome) -> None:
    """The agent's sipp UAS is called, answers, and gets our BYE after the caller's."""
    assert answered.agent_code == 0


def test_the_interaction_row_names_the_agent(answered: Outcome) -> None:
    """The stored interaction was handled by the agent whose phone answered."""
    assert answered.row_agent == "agent-1"


def test_the_interaction_completes_when_the_caller_hangs_up(answered: Outcome) -> None:
    """After the caller's BYE the interaction row's outcome is `completed`."""
    assert answered.row_outcome == "completed"


def test_no_leg_is_left_after_the_call(answered: Outcome) -> None:
    """No leg in the B2BUA, no call in the adapter, no open interaction once the call is
    over."""
    assert answered.left == {}, f"left behind: {answered.left}"


def test_a_caller_gone_in_the_ivr_leaves_no_interaction(abandoned: Outcome) -> None:
    """A caller who hangs up during the IVR never reached a queue: no interaction row."""
    assert abandoned.rows == 0


def test_a_caller_gone_in_the_ivr_leaves_no_leg(abandoned: Outcome) -> None:
    """A caller who hangs up during the IVR leaves no leg and no call in the adapter."""
    assert abandoned.left == {}, f"left behind: {abandoned.left}"
