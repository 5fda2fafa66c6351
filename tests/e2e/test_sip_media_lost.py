"""rtpengine killed mid-call (by its PID, as `RtpEngineProcess` knows it): the call's
two legs get our BYE, its interaction is closed with reason `media_lost`, the
supervisor starts rtpengine again and the next call goes through the IVR into the
queue. Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    call_in,
    new_sipp,
    reap,
    rtp_socket,
    serving,
    until,
)

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Outcome:
    """What killing rtpengine during a connected call left behind."""

    caller_code: int | None = None
    agent_code: int | None = None
    row_outcome: str | None = None
    row_reason: str | None = None
    calls_left: int = -1
    legs_left: int = -1
    restarts: int = 0
    new_pid: bool = False
    next_call_queued: bool = False


async def kill_mid_call(tmp: Path) -> Outcome:
    """A caller bridged to agent-1; rtpengine is killed; then one more call."""
    sipp = new_sipp(tmp)
    out = Outcome()
    first, second = rtp_socket(), rtp_socket()
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
            await until(lambda: adapter.calls == 0 and not runtime.engine.open_interactions())
            await runtime.driver.settled()
            out.calls_left, out.legs_left = adapter.calls, adapter.b2bua.legs
            rows = served.rows()
            if rows:
                out.row_outcome, out.row_reason = rows[0].outcome, rows[0].exit_reason
            await until(lambda: adapter.rtpengine.restarts >= 1)
            out.restarts = adapter.rtpengine.restarts
            out.new_pid = adapter.rtpengine.pid not in (None, pid)
            again = await call_in(sipp, served, second)
            again.press(1)
            await until(lambda: bool(runtime.engine.open_interactions()))
            out.next_call_queued = True
            again.cue_hangup()
            await again.run.wait()
    finally:
        first.close()
        second.close()
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
    """The adapter and the B2BUA hold nothing of the lost call."""
    assert (lost.calls_left, lost.legs_left) == (0, 0)


def test_the_supervisor_starts_rtpengine_again(lost: Outcome) -> None:
    """rtpengine runs again under a new PID."""
    assert (lost.restarts, lost.new_pid) == (1, True)


def test_a_call_after_the_restart_reaches_the_queue(lost: Outcome) -> None:
    """The next caller hears the prompt, presses 1 and becomes an interaction."""
    assert lost.next_call_queued
