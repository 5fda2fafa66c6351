"""sipp as the real SIP peer of the B2BUA tests (fixtures and helpers), and a B2BUA on a
loopback port.

Each sipp runs one call of a scenario from `scenarios/` as a subprocess of the
test's event loop; a sipp still running at the end is killed by its PID. The
tests skip when `sipp` (Debian package sip-tester) is missing, except under CI,
where they fail (`tests/tools.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import (
    IncomingCall,
    LegEvent,
    SdpRewriter,
    SipSettings,
)
from tests.tools import path_of

Handler = Callable[[SipB2BUA, IncomingCall], Awaitable[None]]

SCENARIOS = Path(__file__).parent / "scenarios"
SIPP_TIMEOUT = 20.0
"""Seconds a sipp may run before it is killed (a hang, not a measurement)."""


def find_sipp() -> str:
    """The sipp binary, or a skip (a failure under CI) naming the package to install."""
    return path_of("sipp")


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port that was free a moment ago on `host` (from the ephemeral range)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


RTPENGINE_PORTS = 10_000
"""rtpengine's media ranges (`free_udp_block(..., media_server=True)`) start here."""
PEER_PORTS = 21_000
"""The peers' media ports (sipp's, baresip's) start here, up to the ephemeral range."""


def free_udp_block(size: int, host: str = "127.0.0.1", *, media_server: bool = False) -> int:
    """The first of `size` consecutive UDP ports, all free a moment ago on `host`, below
    the ephemeral range: ports the system hands out (`free_udp_port`, client sockets)
    never fall inside it. rtpengine's ranges (`media_server`) and the peers' media
    ports come from two regions apart: rtpengine binds ports of its range only as calls
    come, so a peer's port picked free inside it could be taken by the time the peer
    starts (it once made a sipp fail to start, and its test time out)."""
    low, high = (RTPENGINE_PORTS, PEER_PORTS) if media_server else \
        (PEER_PORTS, _ephemeral_low())
    top = high - size
    for _ in range(200):
        first = random.randrange(low, top)
        sockets: list[socket.socket] = []
        try:
            for port in range(first, first + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind((host, port))
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
        return first
    raise RuntimeError(f"no {size} free consecutive UDP ports in {low}-{high}")


@dataclass
class SippRun:
    """A running sipp; `wait` returns its exit code (0: the call went as scripted)."""

    process: asyncio.subprocess.Process
    log: Path
    port: int
    messages: Path
    """The SIP messages it sent and received, when started with `trace`."""

    async def wait(self, timeout: float = SIPP_TIMEOUT) -> int:
        """The exit code; kills the process (by PID) if it runs past `timeout`."""
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            await self.process.wait()
            return -1

    def kill(self) -> None:
        """Kill this sipp if it still runs."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, 9)

    def output(self) -> str:
        """What sipp printed (for assertion messages)."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@dataclass
class Sipp:
    """Starts sipp scenarios in `workdir`; kills what is left at teardown."""

    binary: str
    workdir: Path
    runs: list[SippRun] = field(default_factory=list)

    async def start(
        self,
        scenario: str | Path,
        *,
        remote: tuple[str, int] | None = None,
        service: str = "service",
        local_ip: str = "127.0.0.1",
        trace: bool = False,
        keys: dict[str, str] | None = None,
        port: int | None = None,
        args: Sequence[str] = (),
    ) -> SippRun:
        """Run one call of `scenario` (a name in scenarios/ or a path); UAS when no `remote`.
        `keys` fill the scenario's `[name]` fields (sipp's `-key name value`); `port` is
        its SIP port (default: a free one); `args` are more options (`-au`, `-ap`)."""
        path = scenario if isinstance(scenario, Path) else SCENARIOS / scenario
        port = port if port is not None else free_udp_port(local_ip)
        media = free_udp_block(4, local_ip)  # sipp takes the port and the next ones
        options = [
            "-sf", str(path), "-m", "1", "-nostdin", "-i", local_ip, "-bind_local",
            "-p", str(port), "-mi", local_ip, "-mp", str(media), "-s", service,
            "-timeout", f"{int(SIPP_TIMEOUT)}s", "-timeout_error",
        ]  # fmt: skip
        if remote is not None:
            options.insert(0, f"{remote[0]}:{remote[1]}")
        log = self.workdir / f"sipp-{len(self.runs)}-{path.stem}.log"
        messages = self.workdir / f"sipp-{len(self.runs)}-{path.stem}.messages"
        if trace:
            options += ["-trace_msg", "-message_file", str(messages)]
        for name, value in (keys or {}).items():
            options += ["-key", name, value]
        options += args
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                self.binary, *options, cwd=self.workdir, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        run = SippRun(process, log, port, messages)
        self.runs.append(run)
        return run

    def kill_all(self) -> None:
        """Kill every sipp this fixture started that still runs."""
        for run in self.runs:
            run.kill()


@dataclass
class Recorder:
    """Collects incoming calls and leg events; lets a test await the next one."""

    calls: list[IncomingCall] = field(default_factory=list)
    events: list[LegEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_event(self, event: LegEvent) -> None:
        """The B2BUA's event handler."""
        self.events.append(event)
        self.changed.set()

    async def until(self, done: Callable[[], bool], timeout: float = SIPP_TIMEOUT) -> None:
        """Wait until `done()` holds (a hang guard, not a measurement)."""
        async with asyncio.timeout(timeout):
            while not done():
                self.changed.clear()
                await self.changed.wait()


@contextlib.asynccontextmanager
async def running_b2bua(
    handler: Handler, recorder: Recorder, rewriter: SdpRewriter | None = None, **settings: object
) -> AsyncIterator[SipB2BUA]:
    """A started B2BUA on a free loopback port, trunk 127.0.0.1, DID 4940112233."""
    defaults: dict[str, object] = {
        "host": "127.0.0.1",
        "port": 0,
        "trunks": ("127.0.0.1",),
        "dids": {"4940112233": "main-ivr"},
    }
    defaults.update(settings)

    async def recording_handler(call: IncomingCall) -> None:
        recorder.calls.append(call)
        recorder.changed.set()
        await handler(b2bua, call)

    b2bua = SipB2BUA(
        SipSettings(**defaults),  # type: ignore[arg-type]
        recording_handler,
        recorder.on_event,
        rewriter,
    )
    await b2bua.start()
    try:
        yield b2bua
    finally:
        await b2bua.stop()
