"""An answered outbound call walks an IVR flow over SIP (agentless campaigns): the
customer (a sipp UAS on the `dial` trunk whose media is the test's socket, an `Ear`)
hears the flow's spoken prompt (by its energy), presses a key (RFC 4733 from its
socket, tag `callee` in rtpengine), and the flow's run is stored with the menu's
choice. Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from callcenter.store.models import IvrRunRow
from tests.e2e.ear import SPEECH_RMS, Ear, likeness, rms, spoken
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    SCENARIOS,
    WELCOME,
    Served,
    dtmf_packets,
    new_sipp,
    reap,
    serving,
    settle,
    trace_of,
    until,
)
from tests.telephony.sip.sipp_peer import free_udp_port

pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Walked:
    """What the customer heard and the flow run stored."""

    prompt: np.ndarray | None = None
    """The first second the customer heard."""
    run: tuple[str, str, list[str]] | None = None
    customer_code: int | None = None
    left: dict[str, object] | None = None


def stored_run(served: Served, call_id: str) -> tuple[str, str, list[str]] | None:
    with served.server.sessions() as session:
        row = session.get(IvrRunRow, call_id)
        return None if row is None else (row.flow_id, row.outcome, list(row.path))


async def walk(tmp: Path) -> Walked:
    """Originate, put the answer into flow `main`, press 1 (sales), hang up."""
    sipp = new_sipp(tmp)
    customer_ear = await Ear.open()
    trunk = free_udp_port()
    out = Walked()
    try:
        customer = await sipp.start(SCENARIOS / "uas_answer_dtmf.xml", port=trunk, trace=True,
                                    keys={"rtp_port": str(customer_ear.port)})
        extra = f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n"
        async with serving(tmp, free_udp_port(), login=False, extra=extra) as served:
            adapter = served.adapter
            dial = await adapter.originate("4930123000", "survey")
            await until(lambda: adapter.has_call(dial))
            adapter.enter_flow(dial, "main", "4930123000", "4930999000")
            out.prompt = customer_ear.heard(0, await customer_ear.until_heard(1.0))
            to_us = int((await trace_of(customer, r"m=audio (\d+)"))[1])
            for packet in dtmf_packets(1):
                customer_ear.sock.sendto(packet, ("127.0.0.1", to_us))
            await until(lambda: stored_run(served, dial) is not None)
            out.run = stored_run(served, dial)
            await adapter.hang_up_dial(dial)
            out.customer_code = await customer.wait()
            # The engine's interaction (the flow queued the call) is the dialer's to end
            # (`CallerHungUp`, as the live dialer reports it); no dialer runs here.
            await settle(lambda: adapter.b2bua.legs == 0 and adapter.calls == 0)
            out.left = {what: n for what, n in served.leftovers().items()
                        if what != "open interactions"}
    finally:
        await customer_ear.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walked]:
    """The outbound call through the flow."""
    yield asyncio.run(walk(tmp_path_factory.mktemp("agentless")))


def test_the_customer_hears_the_flows_prompt(walked: Walked) -> None:
    """What the callee hears first is a voice, and the flow's welcome: its loudness rises
    and falls as the test's own espeak-ng rendering of the text does."""
    assert walked.prompt is not None
    assert rms(walked.prompt) > SPEECH_RMS, rms(walked.prompt)
    assert likeness(walked.prompt, spoken(WELCOME)) > 0.9


def test_the_customers_key_walks_the_flow_and_its_run_is_stored(walked: Walked) -> None:
    """The callee's 1 takes the menu to sales: the stored run ends in the sales queue."""
    assert walked.run is not None
    flow, outcome, path = walked.run
    assert (flow, outcome) == ("main", "queue:sales") and path[0] == "welcome"


def test_the_call_ends_cleanly(walked: Walked) -> None:
    """The customer gets our BYE; no leg and no call is left in the adapter."""
    assert walked.customer_code == 0
    assert walked.left == {}, f"left behind: {walked.left}"
