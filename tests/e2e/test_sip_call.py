"""The first real call end to end: sipp calls a DID, hears the IVR's prompt (espeak-ng, played
by rtpengine), presses 1 (RFC 4733 to rtpengine), waits in the queue, is offered to the
logged-in agent whose phone (a sipp UAS) rings and answers, is bridged, and hangs up.

The server is `create_app` with `sip` settings, its lifespan run on the test's loop. The
caller's SDP names the test's own RTP socket, so the test hears what rtpengine plays and
sends the keys from there; an INFO from the test is the caller's cue to send its BYE.
Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI (failed)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from callcenter.api.app import create_app
from callcenter.api.settings import ServerSettings
from callcenter.api.state import Server
from callcenter.core.events import AgentLogin
from callcenter.store.models import InteractionRow
from callcenter.telephony.sip.adapter import SipTelephony
from tests.telephony.sip.sipp_peer import Sipp, SippRun, free_udp_port

HERE = Path(__file__).parent
DID = "4940112233"
GUARD = 20.0
"""Seconds any wait may take before the test fails (a hang guard, not a measurement)."""

SCENARIO = """
[simulation]
name = "SIP test"
start = 2025-03-03
seed = 1

[queues.sales]
wrap_up = 0
handle_time = { dist = "exponential", mean = 60 }
patience = { dist = "exponential", mean = 600 }

[[agents]]
name = "agent-1"
count = 1

[[arrivals]]   # the scenario format needs one; real calls replace simulated ones
queue = "sales"
daily = 1
profile = "flat"

[profiles.flat]
interval = 60
start = "08:00"
weights = [1]
"""

FLOWS = """
flows:
  main:
    language: en
    nodes:
      welcome:
        menu: "Welcome. For sales, press 1."
        choices: { 1: sales }
        timeout: 30
        fail: bye
      sales:
        queue: sales
      bye:
        hangup: "Goodbye."
"""


@pytest.fixture(autouse=True)
def real_peers() -> None:
    """Skip (fail under CI) without sipp, rtpengine or espeak-ng."""
    missing = [b for b in ("sipp", "rtpengine", "espeak-ng") if shutil.which(b) is None]
    if missing:
        reason = f"missing {', '.join(missing)} (Debian: sip-tester, rtpengine-daemon, espeak-ng)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Outcome:
    """What one call left behind."""

    prompt_packets: int = 0
    caller_code: int | None = None
    agent_code: int | None = None
    interaction_ids: tuple[str, ...] = ()
    row_agent: str | None = None
    row_outcome: str | None = None
    legs_left: int = -1
    calls_left: int = -1
    rows: int = -1


def rtp_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    return s


async def receive(sock: socket.socket, accept: Callable[[bytes], bool]) -> bytes:
    """The next datagram at `sock` that `accept`s (within the guard)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(GUARD):
        while True:
            data = await loop.sock_recv(sock, 2048)
            if accept(data):
                return data


async def until(done: Callable[[], bool]) -> None:
    """Poll `done()` until it holds (within the guard)."""
    async with asyncio.timeout(GUARD):
        while not done():
            await asyncio.sleep(0.02)


async def trace_of(run: SippRun, pattern: str) -> re.Match[str]:
    """The first match of `pattern` in the SIP messages sipp traced (once it is there)."""
    async with asyncio.timeout(GUARD):
        while True:
            text = run.messages.read_text(errors="replace") if run.messages.exists() else ""
            found = re.search(pattern, text, re.S)
            if found is not None:
                return found
            await asyncio.sleep(0.02)


def dtmf_packets(digit: int) -> list[bytes]:
    """RFC 4733 telephone-event packets (payload type 101) for one key press."""
    out = []
    for n, (end, duration) in enumerate([(False, 400), (False, 800), (True, 1200),
                                         (True, 1200), (True, 1200)]):
        header = struct.pack("!BBHII", 0x80, 101 | (0x80 if n == 0 else 0), 1000 + n,
                             160_000, 0x4242)
        out.append(header + struct.pack("!BBH", digit, (0x80 if end else 0) | 10, duration))
    return out


def cue_hangup(call_id: str, caller_port: int) -> bytes:
    """The INFO that tells the sipp caller to hang up."""
    return (f"INFO sip:4930123456@127.0.0.1:{caller_port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-cue\r\n"
            f"From: <sip:test@127.0.0.1>;tag=cue\r\nTo: <sip:4930123456@127.0.0.1>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INFO\r\nContent-Length: 0\r\n\r\n").encode()


def write_config(tmp: Path, agent_port: int) -> ServerSettings:
    (tmp / "scenario.toml").write_text(SCENARIO)
    (tmp / "flows.yaml").write_text(FLOWS)
    base = min(free_udp_port(), 64000)
    (tmp / "telephony.yaml").write_text(
        f"trunks: [127.0.0.1]\ndids: {{'{DID}': main}}\n"
        f"agents: {{agent-1: 'sip:agent@127.0.0.1:{agent_port}'}}\n"
        "flows: flows.yaml\nprompt_cache: prompts\noffer_slack: 2\n"
        f"rtpengine: {{ng_port: {free_udp_port()}, port_min: {base}, port_max: {base + 99},"
        " threads: 1}\n")
    return ServerSettings(database_url=f"sqlite:///{tmp / 'store.db'}",
                          scenario=str(tmp / "scenario.toml"), bots=False,
                          sip=f"127.0.0.1:{free_udp_port()}",
                          telephony_config=str(tmp / "telephony.yaml"))


async def call(tmp: Path, *, to_agent: bool) -> Outcome:
    """One call: through the IVR to the agent (or hung up in the IVR); what it left."""
    sipp = Sipp(shutil.which("sipp") or "sipp", tmp)
    out = Outcome()
    caller_rtp = rtp_socket()
    try:
        agent = await sipp.start(HERE.parent / "telephony/sip/scenarios/uas_answer.xml")
        settings = write_config(tmp, agent.port)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            server: Server = app.state.server
            adapter = server.runtime.telephony
            assert isinstance(adapter, SipTelephony)
            await server.runtime.driver.submit(AgentLogin("agent-1"))
            host, port = adapter.b2bua.address
            caller = await sipp.start(HERE / "scenarios/caller_ivr.xml", remote=(host, port),
                                      service=DID, trace=True,
                                      keys={"rtp_port": str(caller_rtp.getsockname()[1])})
            await receive(caller_rtp, lambda d: d[1] & 0x7F == 0)  # the prompt plays
            out.prompt_packets = 1
            call_id = (await trace_of(caller, r"Call-ID: (\S+)"))[1]
            media = int((await trace_of(caller, r"SIP/2\.0 200 OK.*?m=audio (\d+)"))[1])
            if to_agent:
                for packet in dtmf_packets(1):
                    caller_rtp.sendto(packet, ("127.0.0.1", media))
                engine = server.runtime.engine
                await until(lambda: engine.agent_state("agent-1").value == "busy")
            caller_rtp.sendto(cue_hangup(call_id, caller.port), ("127.0.0.1", caller.port))
            out.caller_code = await caller.wait()
            if to_agent:
                out.agent_code = await agent.wait()
            await until(lambda: adapter.calls == 0)
            await server.runtime.driver.settled()
            out.legs_left, out.calls_left = adapter.b2bua.legs, adapter.calls
            with server.sessions() as session:
                rows = session.scalars(select(InteractionRow)).all()
            out.rows = len(rows)
            if rows:
                out.row_agent, out.row_outcome = rows[0].agent_id, rows[0].outcome
    finally:
        caller_rtp.close()
        sipp.kill_all()
        for run in sipp.runs:  # reaped on this loop: no transport left to the collector
            await run.process.wait()
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
    """RTP from rtpengine (the rendered welcome prompt) reaches the caller's media port."""
    assert answered.prompt_packets == 1


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
    """Both legs are gone from the B2BUA once the call is over."""
    assert answered.legs_left == 0


def test_a_caller_gone_in_the_ivr_leaves_no_interaction(abandoned: Outcome) -> None:
    """A caller who hangs up during the IVR never reached a queue: no interaction row."""
    assert abandoned.rows == 0


def test_a_caller_gone_in_the_ivr_leaves_no_leg(abandoned: Outcome) -> None:
    """A caller who hangs up during the IVR leaves no leg and no call in the adapter."""
    assert (abandoned.legs_left, abandoned.calls_left) == (0, 0)
