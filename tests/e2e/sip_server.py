"""The real server with the `sip` adapter, and the helpers its end-to-end tests share.

`serving(tmp, agent_port)` runs `create_app` with `sip` settings (its lifespan on the
test's loop): one queue `sales`, agent `agent-1` (logged in) whose phone is a sipp UAS
on `agent_port`, and DID `DID` entering the flow `main` (a menu: 1 for sales).
`call_in` starts a sipp caller whose SDP names the test's own RTP socket (an `Ear`,
which decodes what it hears) and waits until the welcome prompt plays to it; `press`
sends RFC 4733 keys from that socket. `settle` waits for a clean-up without failing, so
that the test's assertion on `leftovers` names what leaked.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import socket
import struct
from collections.abc import AsyncIterator, Callable
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
from tests.e2e.ear import Ear
from tests.telephony.sip.sipp_peer import Sipp, SippRun, free_udp_block, free_udp_port
from tests.tools import require

SCENARIOS = Path(__file__).parent / "scenarios"
PHONES = Path(__file__).parent.parent / "telephony/sip/scenarios"
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

WELCOME = "Welcome. For sales, press 1."
"""The first prompt of flow `main` (English)."""
FLOWS = """
flows:
  main:
    language: en
    nodes:
      welcome:
        menu: "WELCOME"
        choices: { 1: sales, 2: message, 3: away }
        timeout: 30
        fail: bye
      sales:
        queue: sales
      message:
        voicemail: sales
        say: "Please leave a message."
        max_seconds: 6
      away:
        transfer: "4930777777"
      bye:
        hangup: "Goodbye."
""".replace("WELCOME", WELCOME)


REAL_PEERS = ("sipp", "rtpengine", "espeak-ng")
"""The tools of the SIP end-to-end tests: a module says `pytestmark = NEEDS_REAL_PEERS`."""
NEEDS_REAL_PEERS = pytest.mark.requires_tool(*REAL_PEERS)


def require_real_peers() -> None:
    """Skip (fail under CI) without sipp, rtpengine or espeak-ng."""
    require(*REAL_PEERS)


def rtp_socket() -> socket.socket:
    """A non-blocking UDP socket on the loopback (a caller's media)."""
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


async def settle(done: Callable[[], bool]) -> bool:
    """Poll `done()` until it holds or the guard passes; whether it held. Unlike `until`
    it does not raise: a clean-up that never comes fails the test's own assertion on
    what was left, not the fixture."""
    with contextlib.suppress(TimeoutError):
        await until(done)
    return done()


async def trace_of(run: SippRun, pattern: str) -> re.Match[str]:
    """The first match of `pattern` in the SIP messages sipp traced (once it is there)."""
    async with asyncio.timeout(GUARD):
        while True:
            text = run.messages.read_text(errors="replace") if run.messages.exists() else ""
            found = re.search(pattern, text, re.S)
            if found is not None:
                return found
            await asyncio.sleep(0.02)


def dtmf_packets(digit: int, press: int = 0) -> list[bytes]:
    """RFC 4733 telephone-event packets (payload type 101) for one key press; the
    `press`-th key of a call (from 0) gets a timestamp and sequence numbers of its own
    (the same timestamp again is the same event to the receiver)."""
    out = []
    for n, (end, duration) in enumerate([(False, 400), (False, 800), (True, 1200),
                                         (True, 1200), (True, 1200)]):
        header = struct.pack("!BBHII", 0x80, 101 | (0x80 if n == 0 else 0),
                             1000 + 10 * press + n, 160_000 + 16_000 * press, 0x4242)
        out.append(header + struct.pack("!BBH", digit, (0x80 if end else 0) | 10, duration))
    return out


def cue_hangup(call_id: str, caller_port: int) -> bytes:
    """The INFO that tells the sipp caller to hang up."""
    return (f"INFO sip:4930123456@127.0.0.1:{caller_port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-cue\r\n"
            f"From: <sip:test@127.0.0.1>;tag=cue\r\nTo: <sip:4930123456@127.0.0.1>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INFO\r\nContent-Length: 0\r\n\r\n").encode()


def write_config(tmp: Path, agent_port: int, extra: str = "",
                 agent: str | None = None,
                 phones: dict[str, str] | None = None, flows: str = FLOWS) -> ServerSettings:
    """Scenario, flows and telephony config (plus `extra` YAML lines) in `tmp`; the
    server's settings. `agent` is agent-1's entry under `agents:` (YAML; default: the
    static contact at `agent_port`)."""
    if agent is None:
        agent = f"'sip:agent@127.0.0.1:{agent_port}'"
    (tmp / "scenario.toml").write_text(SCENARIO)
    (tmp / "flows.yaml").write_text(flows)
    base = free_udp_block(100, media_server=True)
    (tmp / "telephony.yaml").write_text(
        f"trunks: [127.0.0.1]\ndids: {{'{DID}': main}}\n"
        f"agents: {{agent-1: {agent}"
        + "".join(f", {name}: '{uri}'" for name, uri in (phones or {}).items()) + "}\n"
        "flows: flows.yaml\nprompt_cache: prompts\noffer_slack: 2\n"
        f"rtpengine: {{ng_port: {free_udp_port()}, port_min: {base}, port_max: {base + 99},"
        " threads: 1}\n" + extra)
    return ServerSettings(database_url=f"sqlite:///{tmp / 'store.db'}",
                          scenario=str(tmp / "scenario.toml"), bots=False,
                          sip=f"127.0.0.1:{free_udp_port()}",
                          telephony_config=str(tmp / "telephony.yaml"),
                          drain_seconds=0)  # a stop closes the calls left at once


@dataclass
class Served:
    """The running server and its sip adapter."""

    server: Server
    adapter: SipTelephony

    def agent_state(self) -> str:
        """agent-1's state in the engine (`ready`, `busy`, ...)."""
        return str(self.server.runtime.engine.agent_state("agent-1").value)

    def leftovers(self) -> dict[str, object]:
        """What the server still holds of calls: the adapter's calls, the B2BUA's legs,
        the engine's open interactions (all empty once every call is over)."""
        held: dict[str, object] = {
            "adapter calls": self.adapter.calls, "B2BUA legs": self.adapter.b2bua.legs,
            "open interactions": list(self.server.runtime.engine.open_interactions())}
        return {what: n for what, n in held.items() if n}

    def rows(self) -> list[InteractionRow]:
        """The stored interaction rows."""
        with self.server.sessions() as session:
            return list(session.scalars(select(InteractionRow)).all())


@contextlib.asynccontextmanager
async def serving(tmp: Path, agent_port: int, *, login: bool = True,
                  agent: str | None = None, extra: str = "",
                  phones: dict[str, str] | None = None,
                  flows: str = FLOWS) -> AsyncIterator[Served]:
    """The server with the sip adapter, agent-1 logged in (unless not `login`); `agent`,
    `extra` (telephony config lines) and `flows` (the flow file) as for `write_config`."""
    app = create_app(write_config(tmp, agent_port, extra, agent=agent, phones=phones,
                                  flows=flows))
    async with app.router.lifespan_context(app):
        server: Server = app.state.server
        adapter = server.runtime.telephony
        assert isinstance(adapter, SipTelephony)
        if login:
            await server.runtime.driver.submit(AgentLogin("agent-1"))
        yield Served(server, adapter)


@dataclass
class Caller:
    """A sipp caller in the IVR: its run, SIP Call-ID, the media port rtpengine named,
    and the test's socket that is its media (`ear`: what the caller hears)."""

    run: SippRun
    call_id: str
    media_port: int
    ear: Ear

    @property
    def rtp(self) -> socket.socket:
        """The caller's media socket (to send from)."""
        return self.ear.sock

    def press(self, digit: int, press: int = 0) -> None:
        """Send one key press (RFC 4733) to rtpengine (`press`: the how-manyth key of
        the call, from 0, for a second key to be a new event)."""
        for packet in dtmf_packets(digit, press):
            self.rtp.sendto(packet, ("127.0.0.1", self.media_port))

    def cue_hangup(self) -> None:
        """Tell a `caller_ivr.xml` caller to send its BYE."""
        self.rtp.sendto(cue_hangup(self.call_id, self.run.port), ("127.0.0.1", self.run.port))


async def call_in(sipp: Sipp, served: Served, ear: Ear,
                  scenario: str = "caller_ivr.xml") -> Caller:
    """A sipp caller (a scenario in scenarios/) whose media is `ear` dials the DID;
    returns once the first 20 ms of audio (the prompt) reached it."""
    host, port = served.adapter.b2bua.address
    run = await sipp.start(SCENARIOS / scenario, remote=(host, port), service=DID, trace=True,
                           keys={"rtp_port": str(ear.port)})
    await ear.until_heard(0.02)  # the prompt plays
    call_id = (await trace_of(run, r"Call-ID: (\S+)"))[1]
    media = int((await trace_of(run, r"SIP/2\.0 200 OK.*?m=audio (\d+)"))[1])
    return Caller(run, call_id, media, ear)


async def reap(sipp: Sipp) -> None:
    """Kill every sipp still running (by PID) and reap it on this loop."""
    sipp.kill_all()
    for run in sipp.runs:
        await run.process.wait()


def new_sipp(tmp: Path) -> Sipp:
    """sipp peers working in `tmp`."""
    return Sipp(shutil.which("sipp") or "sipp", tmp)
