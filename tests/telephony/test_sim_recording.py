"""The sim adapter's simulated recording: a call is recorded while it is connected to an
agent, and its pause and resume (the order form's) work as on real SIP."""

from __future__ import annotations

import asyncio

import numpy as np

from callcenter.api.routes_media import RecordingTelephony
from callcenter.clock import FakeClock
from callcenter.core.commands import Connect, Disconnect
from callcenter.telephony.sim import SimTelephony
from tests.telephony.test_sim import scenario


def test_a_connected_call_is_recorded_paused_and_resumed() -> None:
    """Not recorded before it is connected; recording once connected to agent a-1;
    paused once (a second pause is refused), resumed once; not recorded after the
    conversation ends."""
    tel = SimTelephony(scenario(), FakeClock(), np.random.default_rng(1), bots=False)
    assert isinstance(tel, RecordingTelephony)

    async def main() -> list[object]:
        seen: list[object] = [tel.recording("ix-1")]
        await tel.execute([Connect("ix-1", "a-1")])
        seen += [tel.recording("ix-1"), tel.connected_agent("ix-1")]
        seen += [await tel.pause_recording("ix-1"), await tel.pause_recording("ix-1"),
                 tel.recording("ix-1")]
        seen += [await tel.resume_recording("ix-1"), await tel.resume_recording("ix-1"),
                 tel.recording("ix-1")]
        await tel.pause_recording("ix-1")
        await tel.execute([Disconnect("ix-1", "a-1", "agent_hung_up")])
        seen += [tel.recording("ix-1"), tel.connected_agent("ix-1"),
                 await tel.resume_recording("ix-1")]
        return seen

    assert asyncio.run(main()) == [None, "recording", "a-1", True, False, "paused",
                                   True, False, "recording", None, None, False]
