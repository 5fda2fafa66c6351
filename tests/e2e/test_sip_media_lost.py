"""rtpengine killed mid-call (by its PID, as `RtpEngineProcess` knows it): the call's
two legs get our BYE, its interaction is closed with reason `media_lost`, the
supervisor starts rtpengine again and the next call hears the IVR's spoken prompt (by
its energy, decoded at the caller's socket) and goes into the queue. Needs sipp,
rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.ear import SPEECH_RMS, Ear, rms
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    until,
)

PROMPT = 0.5
"""Seconds of the welcome prompt the next caller hears before it presses 1."""

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Outcome:
    """What killing rtpengine during a connected call left behind."""

    caller_code: int | None = None
    agent_code: int | None = None
    row_outcome: str | None = None
    row_reason: str | None = None
    left: dict[str, object] | None = None
    """What the server still held of the lost call (nothing, if all is well)."""
    restarts: int = 0
    new_pid: bool = False
    next_prompt_rms: float = 0.0
    """Loudness of the first `PROMPT` seconds the next caller heard."""
    next_call_open: list[str] | None = None
    """The engine's open interactions once the next caller pressed 1."""


async def kill_mid_call(tmp: Path) -> Outcome:
    """A caller bridged to agent-1; rtpengine is killed; then one more call."""
    sipp = new_sipp(tmp)
    out = Outcome()
    first, second = await Ear.open(), await Ear.open()
    try:
        agent = await sipp.start(PHONES / "uas_answer.xml")
        async with serving(tmp, agent.port) as served:
            adapter, runtime = served.adapter, served.server.runtime
            caller = await call_in(sipp, served, first, "caller_hung_up.xml")
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            pid = adapter.rtpengine.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            out.caller_code = await caller.run.wait()
            out.agent_code = await agent.wait()
            await settle(lambda: not served.leftovers())
            await runtime.driver.settled()
            out.left = served.leftovers()
            rows = served.rows()
            if rows:
                out.row_outcome, out.row_reason = rows[0].outcome, rows[0].exit_reason
            await until(lambda: adapter.rtpengine.restarts >= 1)
            out.restarts = adapter.rtpengine.restarts
            out.new_pid = adapter.rtpengine.pid not in (None, pid)
            again = await call_in(sipp, served, second)
            out.next_prompt_rms = rms(second.heard(0, await second.until_heard(PROMPT)))
            again.press(1)
            await settle(lambda: bool(runtime.engine.open_interactions()))
            out.next_call_open = list(runtime.engine.open_interactions())
            again.cue_hangup()
            await again.run.wait()
    finally:
        await first.close()
        await second.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def lost(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """rtpengine killed while a caller talks to agent-1, then a new call."""
    yield asyncio.run(kill_mid_call(tmp_path_factory.mktemp("lost")))


def test_the_caller_gets_our_bye(lost: Outcome) -> None:
    """The caller's sipp receives a BYE from us and answers it (its scenario passes)."""
    assert lost.caller_code == 0


def test_the_agent_phone_gets_our_bye(lost: Outcome) -> None:
    """The agent's sipp UAS receives a BYE from us (its scenario passes)."""
    assert lost.agent_code == 0


def test_the_interaction_is_closed_as_media_lost(lost: Outcome) -> None:
    """The stored interaction is completed with exit reason `media_lost`."""
    assert (lost.row_outcome, lost.row_reason) == ("completed", "media_lost")


def test_no_call_or_leg_is_left(lost: Outcome) -> None:
    """The adapter, the B2BUA and the engine hold nothing of the lost call."""
    assert lost.left == {}, f"left behind: {lost.left}"


def test_the_supervisor_starts_rtpengine_again(lost: Outcome) -> None:
    """rtpengine runs again under a new PID."""
    assert (lost.restarts, lost.new_pid) == (1, True)


def test_a_call_after_the_restart_hears_the_prompt(lost: Outcome) -> None:
    """The next caller hears a voice (the welcome prompt, played by the new rtpengine)."""
    assert lost.next_prompt_rms > SPEECH_RMS, lost.next_prompt_rms


def test_a_call_after_the_restart_reaches_the_queue(lost: Outcome) -> None:
    """The next caller presses 1 and becomes the one open interaction."""
    assert lost.next_call_open is not None and len(lost.next_call_open) == 1, \
        lost.next_call_open
