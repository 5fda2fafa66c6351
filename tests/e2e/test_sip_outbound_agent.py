"""An answered outbound call is connected to an agent: the dialer's call reaches the
customer (a sipp UAS on the `dial` trunk whose media is the test's socket), is
queued (the way the live dialer queues a live answer), offered to the agent's phone
(a sipp UAS whose media is another test socket), and once the agent answers the two
hear each other through rtpengine. The customer's hang-up ends the agent's call.
Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from callcenter.core.events import CallerHungUp, InteractionArrived
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    SCENARIOS,
    new_sipp,
    reap,
    receive,
    rtp_socket,
    serving,
    trace_of,
    until,
)
from tests.telephony.sip.sipp_peer import free_udp_port

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


def pcmu(seq: int, fill: int) -> bytes:
    """One 20 ms PCMU packet of a constant byte."""
    return struct.pack(">BBHII", 0x80, 0, seq, 160 * seq, 0x7777) + bytes([fill]) * 160


@dataclass
class Bridged:
    """What crossed the bridge, and how it ended."""

    agent_heard: bytes = b""
    customer_heard: bytes = b""
    agent_code: int | None = None
    customer_code: int | None = None
    row_agent: str | None = None
    legs_left: int = -1


async def dial_and_connect(tmp: Path) -> Bridged:
    """Originate, queue the answer, let the agent take it, talk both ways, hang up."""
    sipp = new_sipp(tmp)
    customer_rtp, agent_rtp = rtp_socket(), rtp_socket()
    trunk = free_udp_port()
    out = Bridged()
    try:
        customer = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", port=trunk, trace=True,
                                    keys={"rtp_port": str(customer_rtp.getsockname()[1])})
        agent = await sipp.start(SCENARIOS / "uas_answer_rtp.xml", trace=True,
                                 keys={"rtp_port": str(agent_rtp.getsockname()[1])})
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
            await asyncio.sleep(0.2)  # the bridge settles in rtpengine
            for seq in range(10):
                customer_rtp.sendto(pcmu(seq, 0x11), ("127.0.0.1", to_customer))
                agent_rtp.sendto(pcmu(seq, 0x22), ("127.0.0.1", to_agent))
                await asyncio.sleep(0.02)
            out.agent_heard = await receive(agent_rtp, lambda d: d[12:14] == b"\x11\x11")
            out.customer_heard = await receive(customer_rtp,
                                               lambda d: d[12:14] == b"\x22\x22")
            await adapter.hang_up_dial(dial)
            out.customer_code = await customer.wait()
            await driver.submit(CallerHungUp(dial))  # what the live dialer reports
            out.agent_code = await agent.wait()
            await until(lambda: adapter.calls == 0 and adapter.b2bua.legs == 0)
            await driver.settled()
            out.legs_left = adapter.b2bua.legs
            rows = served.rows()
            out.row_agent = rows[0].agent_id if rows else None
    finally:
        customer_rtp.close()
        agent_rtp.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def bridged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridged]:
    """The outbound call connected to the agent."""
    yield asyncio.run(dial_and_connect(tmp_path_factory.mktemp("outbound-agent")))


def test_the_agent_hears_the_customer(bridged: Bridged) -> None:
    """What the customer sends reaches the agent's phone."""
    assert bridged.agent_heard[12:14] == b"\x11\x11"


def test_the_customer_hears_the_agent(bridged: Bridged) -> None:
    """What the agent sends reaches the customer."""
    assert bridged.customer_heard[12:14] == b"\x22\x22"


def test_the_call_ends_on_both_sides(bridged: Bridged) -> None:
    """The customer gets our BYE, then the agent's phone; no leg is left."""
    assert (bridged.customer_code, bridged.agent_code, bridged.legs_left) == (0, 0, 0)


def test_the_interaction_names_the_agent(bridged: Bridged) -> None:
    """The outbound interaction's row was handled by the agent who answered."""
    assert bridged.row_agent == "agent-1"
