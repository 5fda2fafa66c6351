"""An answered outbound call is connected to an agent: the dialer's call reaches the
customer (a sipp UAS on the `dial` trunk whose media is the test's socket), is
queued (the way the live dialer queues a live answer), offered to the agent's phone
(a sipp UAS whose media is another test socket), and once the agent answers the two
hear each other through rtpengine: each socket is an `Ear` that talks, the customer
440 Hz, the agent 1,250 Hz, and each must hear the other's tone, its own 20 dB weaker
or more. The customer's hang-up ends the agent's call.
Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from callcenter.core.events import CallerHungUp, InteractionArrived
from tests.e2e.ear import Ear, talking
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    SCENARIOS,
    new_sipp,
    reap,
    serving,
    settle,
    trace_of,
    until,
)
from tests.e2e.tones import Samples, tones_in
from tests.telephony.sip.sipp_peer import free_udp_port

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI

CUSTOMER_HZ = 440.0
AGENT_HZ = 1250.0
WINDOW = 0.5
"""Seconds of audio (counted in samples) analysed at each phone."""


async def heard(ear: Ear, hz: float) -> Samples | None:
    """From where `ear` starts hearing `hz`, the next `WINDOW` seconds it hears; None
    if it never hears it within the guard."""
    found = await ear.until_tone(hz)
    return None if found is None else ear.heard(found, await ear.until_heard(WINDOW, found))


@dataclass
class Bridged:
    """What crossed the bridge, and how it ended."""

    agent_heard: Samples | None = None
    customer_heard: Samples | None = None
    agent_code: int | None = None
    customer_code: int | None = None
    row_agent: str | None = None
    left: dict[str, object] | None = None


async def dial_and_connect(tmp: Path) -> Bridged:
    """Originate, queue the answer, let the agent take it, talk both ways, hang up."""
    sipp = new_sipp(tmp)
    customer_ear, agent_ear = await Ear.open(), await Ear.open()
    trunk = free_udp_port()
    out = Bridged()
    try:
        customer = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=trunk, trace=True,
                                    keys={"rtp_port": str(customer_ear.port)})
        agent = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", trace=True,
                                 keys={"rtp_port": str(agent_ear.port)})
        extra = f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n"
        async with serving(tmp, agent.port, extra=extra) as served:
            adapter, driver = served.adapter, served.server.runtime.driver
            dial = await adapter.originate("4930123000", "spring")
            await until(lambda: adapter.has_call(dial))  # answered: a call of the adapter
            await driver.submit(InteractionArrived(dial, "sales", caller="4930123000"))
            await until(lambda: served.agent_state() == "busy")
            to_customer = int((await trace_of(customer, r"m=audio (\d+)"))[1])
            to_agent = int((await trace_of(agent, r"m=audio (\d+)"))[1])
            await until(lambda: adapter.connected_agent(dial) == "agent-1")
            async with talking(customer_ear.sock, to_customer, CUSTOMER_HZ), \
                    talking(agent_ear.sock, to_agent, AGENT_HZ):
                out.agent_heard = await heard(agent_ear, CUSTOMER_HZ)
                out.customer_heard = await heard(customer_ear, AGENT_HZ)
            await adapter.hang_up_dial(dial)
            out.customer_code = await customer.wait()
            await driver.submit(CallerHungUp(dial))  # what the live dialer reports
            out.agent_code = await agent.wait()
            await settle(lambda: adapter.calls == 0 and adapter.b2bua.legs == 0)
            await driver.settled()
            await settle(lambda: not served.leftovers())
            out.left = served.leftovers()
            rows = served.rows()
            out.row_agent = rows[0].agent_id if rows else None
    finally:
        await customer_ear.close()
        await agent_ear.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def bridged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridged]:
    """The outbound call connected to the agent."""
    yield asyncio.run(dial_and_connect(tmp_path_factory.mktemp("outbound-agent")))


def test_the_agent_hears_the_customer(bridged: Bridged) -> None:
    """The agent's phone hears the customer's 440 Hz, its own 1,250 Hz 20 dB weaker."""
    assert bridged.agent_heard is not None, "the agent never heard the customer"
    tones = tones_in(bridged.agent_heard, 8000, expected=CUSTOMER_HZ, other=AGENT_HZ)
    assert tones.is_mostly(CUSTOMER_HZ), tones


def test_the_customer_hears_the_agent(bridged: Bridged) -> None:
    """The customer hears the agent's 1,250 Hz, its own 440 Hz 20 dB weaker."""
    assert bridged.customer_heard is not None, "the customer never heard the agent"
    tones = tones_in(bridged.customer_heard, 8000, expected=AGENT_HZ, other=CUSTOMER_HZ)
    assert tones.is_mostly(AGENT_HZ), tones


def test_the_call_ends_on_both_sides(bridged: Bridged) -> None:
    """The customer gets our BYE, then the agent's phone; nothing is left."""
    assert (bridged.customer_code, bridged.agent_code) == (0, 0)
    assert bridged.left == {}, f"left behind: {bridged.left}"


def test_the_interaction_names_the_agent(bridged: Bridged) -> None:
    """The outbound interaction's row was handled by the agent who answered."""
    assert bridged.row_agent == "agent-1"
