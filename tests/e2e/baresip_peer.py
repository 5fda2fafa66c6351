"""baresip as a real SIP phone in end-to-end tests: it sends a tone and records what it hears.

    async with baresip_phone(tmp, "agent", tone_hz=1250, answer="auto") as agent:
        ...                                   # its URI: agent.uri
        await agent.event("CALL_ESTABLISHED")
        heard = agent.received()              # the decoded far-end audio (WAV)

Each phone is one `baresip -f <home>` process with a config dir of its own written
here (`config`, `accounts`, `contacts`): SIP on a free loopback UDP port, media on
loopback ports below the ephemeral range, no audio device. Its microphone is
`aufile` playing a generated sine WAV (8 kHz mono 16-bit, `TONE_SECONDS` long:
`aufile` ends the call when the file runs out); the `sndfile` filter writes each
call's decoded far-end audio (`dump-<time>-dec.wav`) and what it sent
(`-enc.wav`) into the home. Only G.711 PCMU is offered. It is driven through
`ctrl_tcp` (netstring-framed JSON on a free loopback TCP port): the `menu` module's
commands `dial`, `sndcode` (RFC 4733 telephone-events on the RTP stream) and
`hangup`; the events it reports (`CALL_ESTABLISHED`, `CALL_CLOSED`, ...) are kept in
order. The process is ended by its PID (SIGTERM, then SIGKILL) on the way out,
whatever happened. Needs Debian's `baresip-core` (which holds the modules used).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tests.e2e.tones import write_tone
from tests.telephony.sip.sipp_peer import free_udp_block
from tests.tools import BARESIP_MODULES, baresip_module_dir, require

GUARD = 20.0
"""Seconds any wait may take before the test fails (a hang guard, not a measurement)."""
TONE_SECONDS = 120.0
"""Length of the tone a phone sends; aufile hangs the call up when it runs out."""
MODULES = BARESIP_MODULES
RATE = 8000
"""PCMU's sample rate: the rate of the tone WAV and of the recordings."""


class BaresipError(RuntimeError):
    """baresip did not start, refused a command, or an awaited event never came."""


def module_dir() -> Path | None:
    """The directory holding every baresip module these phones load, if any does."""
    return baresip_module_dir()


def require_baresip() -> Path:
    """The module directory; skips (fails under CI) without baresip or its modules."""
    require("baresip")
    modules = module_dir()
    assert modules is not None
    return modules


def free_tcp_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _tcp_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_sip_port(host: str = "127.0.0.1") -> int:
    """A SIP port for baresip: UDP and TCP on it and TCP on the next (its TLS transport)
    free a moment ago, below the ephemeral range (an outgoing connection once held the
    TLS port and baresip exited with 'Address already in use')."""
    for _ in range(100):
        port = free_udp_block(2, host)
        if _tcp_free(port, host) and _tcp_free(port + 1, host):
            return port
    raise RuntimeError("no free SIP port for baresip")


def netstring(payload: bytes) -> bytes:
    """`payload` framed as a netstring (`<length>:<payload>,`), as ctrl_tcp reads it."""
    return str(len(payload)).encode() + b":" + payload + b","


def split_netstrings(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete netstrings at the start of `buffer`, and the bytes left over.
    A malformed frame is a `BaresipError` quoting its start."""
    out: list[bytes] = []
    while True:
        colon = buffer.find(b":")
        if colon < 0:
            if buffer and (len(buffer) > 10 or not buffer.isdigit()):
                raise BaresipError(f"ctrl_tcp: not a netstring: {buffer[:40]!r}")
            return out, buffer
        head = buffer[:colon]
        if not head.isdigit() or len(head) > 10:
            raise BaresipError(f"ctrl_tcp: not a netstring length: {buffer[:40]!r}")
        end = colon + 1 + int(head)
        if len(buffer) < end + 1:
            return out, buffer
        if buffer[end:end + 1] != b",":
            raise BaresipError(f"ctrl_tcp: netstring not closed by ',': {buffer[:40]!r}")
        out.append(buffer[colon + 1:end])
        buffer = buffer[end + 1:]


def _config(name: str, sip_port: int, ctrl_port: int, rtp_first: int, tone: Path,
            home: Path, modules: Path) -> str:
    lines = [
        ("poll_method", "epoll"),
        ("sip_listen", f"127.0.0.1:{sip_port}"),
        ("net_interface", "127.0.0.1"),  # SDP and RTP on the loopback, not eth0
        ("call_local_timeout", "60"),
        ("call_max_calls", "2"),
        ("audio_source", f"aufile,{tone}"),  # no audio_player: nothing to play to
        ("audio_buffer", "20-160"),
        ("rtp_ports", f"{rtp_first}-{rtp_first + 9}"),
        ("rtcp_mux", "no"),
        ("jitter_buffer_delay", "5-10"),
        ("module_path", str(modules)),
        ("module", "g711.so"),
        ("module", "aufile.so"),
        ("module", "sndfile.so"),
        ("module_tmp", "account.so"),
        ("module_app", "menu.so"),
        ("module_app", "ctrl_tcp.so"),
        ("ctrl_tcp_listen", f"127.0.0.1:{ctrl_port}"),
        ("statmode_default", "off"),
        ("ringback_disabled", "yes"),
        ("snd_path", str(home)),
    ]
    return f"# baresip phone {name!r} for the end-to-end tests\n" + "".join(
        f"{key:<20}{value}\n" for key, value in lines)


@dataclass(eq=False)
class BaresipPhone:
    """A running baresip; its SIP URI is `uri`, its files are in `home`."""

    name: str
    home: Path
    uri: str
    process: asyncio.subprocess.Process
    ctrl_port: int
    events: list[dict[str, Any]] = field(default_factory=list)
    _writer: asyncio.StreamWriter | None = None
    _reader_task: asyncio.Task[None] | None = None
    _replies: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _tokens: itertools.count[int] = field(default_factory=itertools.count)
    _lost: str = ""

    @property
    def log(self) -> Path:
        """What baresip printed."""
        return self.home / "baresip.log"

    def output(self) -> str:
        """The end of what baresip printed (for failure messages)."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    async def connect(self) -> None:
        """Once baresip says it is ready, open its ctrl_tcp connection (within the guard)."""
        async with _guard(self, "to be ready"):
            while "baresip is ready." not in self.output():
                if self.process.returncode is not None:
                    raise BaresipError(f"{self.name}: baresip exited with"
                                       f" {self.process.returncode}:\n{self.output()}")
                await asyncio.sleep(0.02)
            reader, self._writer = await asyncio.open_connection("127.0.0.1", self.ctrl_port)
        self._reader_task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        try:
            while chunk := await reader.read(65536):
                frames, buffer = split_netstrings(buffer + chunk)
                for frame in frames:
                    self._take(json.loads(frame))
            self._lost = "ctrl_tcp connection closed"
        except (OSError, ValueError, BaresipError) as exc:  # ValueError: not JSON
            self._lost = f"ctrl_tcp: {exc}"
        finally:
            for reply in self._replies.values():
                if not reply.done():
                    reply.set_exception(BaresipError(f"{self.name}: {self._lost}"))
            self._changed.set()

    def _take(self, message: dict[str, Any]) -> None:
        if message.get("response"):
            reply = self._replies.pop(str(message.get("token")), None)
            if reply is not None and not reply.done():
                reply.set_result(message)
        elif message.get("event"):
            self.events.append(message)
            self._changed.set()

    async def command(self, command: str, params: str | None = None) -> str:
        """Run a baresip command; its answer text, or a `BaresipError` with baresip's."""
        if self._writer is None:
            raise BaresipError(f"{self.name}: not connected (call connect() first)")
        if self._lost:
            raise BaresipError(f"{self.name}: {self._lost}; cannot send {command!r}")
        token = f"{self.name}-{next(self._tokens)}"
        request: dict[str, str] = {"command": command, "token": token}
        if params is not None:
            request["params"] = params
        reply = asyncio.get_running_loop().create_future()
        self._replies[token] = reply
        self._writer.write(netstring(json.dumps(request).encode()))
        async with _guard(self, f"to answer {command!r}"):
            answer = await reply
        if not answer.get("ok"):
            raise BaresipError(f"{self.name}: {command} {params or ''}: {answer.get('data')}")
        return str(answer.get("data", ""))

    async def dial(self, uri: str) -> None:
        """Place a call to `uri`."""
        await self.command("dial", uri)

    async def send_digits(self, digits: str) -> None:
        """Press `digits` on the current call (RFC 4733 telephone-events on its RTP)."""
        await self.command("sndcode", digits)

    async def hangup(self) -> None:
        """Hang up the current call."""
        await self.command("hangup")

    def seen(self, kind: str) -> bool:
        """Whether an event of this type (`CALL_CLOSED`, ...) has come."""
        return any(e.get("type") == kind for e in self.events)

    async def event(self, kind: str, timeout: float = GUARD) -> dict[str, Any]:
        """The first event of this type (waiting for it within `timeout`)."""
        async with _guard(self, f"to report {kind}", timeout):
            while True:
                for e in self.events:
                    if e.get("type") == kind:
                        return e
                if self._lost:
                    raise BaresipError(f"{self.name}: {self._lost} before {kind}")
                self._changed.clear()
                await self._changed.wait()

    def recording(self, which: Literal["dec", "enc"] = "dec") -> Path | None:
        """The WAV sndfile writes for the call: `dec` what it heard, `enc` what it sent."""
        found = sorted(self.home.glob(f"dump-*-{which}.wav"))
        if len(found) > 1:
            raise BaresipError(f"{self.name}: {len(found)} calls recorded; one expected")
        return found[0] if found else None

    def heard_seconds(self) -> float:
        """Seconds of far-end audio recorded so far (from the file's size: sndfile writes
        the WAV's lengths only when the call ends)."""
        path = self.recording()
        return max(0, path.stat().st_size - 44) / 2 / RATE if path is not None else 0.0

    async def until_heard(self, seconds: float) -> None:
        """Wait (within the guard) until `seconds` of far-end audio are recorded."""
        async with _guard(self, f"to record {seconds:g} s of audio"):
            while self.heard_seconds() < seconds:
                if self.seen("CALL_CLOSED"):
                    raise BaresipError(f"{self.name}: the call ended after"
                                       f" {self.heard_seconds():.2f} s of audio")
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """End baresip by its PID (SIGTERM, SIGKILL if it lingers) and reap it."""
        if self._writer is not None:
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self._reader_task
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, GUARD)):
            if self.process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), grace)


@contextlib.asynccontextmanager
async def _guard(phone: BaresipPhone, what: str, timeout: float = GUARD) -> AsyncIterator[None]:
    try:
        async with asyncio.timeout(timeout):
            yield
    except TimeoutError:
        raise BaresipError(f"{phone.name}: waited {timeout:g} s for baresip {what};"
                           f" events {[e.get('type') for e in phone.events]}\n"
                           f"{phone.output()}") from None


@contextlib.asynccontextmanager
async def baresip_phone(workdir: Path, name: str, *, tone_hz: float,
                        answer: Literal["manual", "auto"] = "manual",
                        ) -> AsyncIterator[BaresipPhone]:
    """A baresip phone `name` (also its SIP user) sending `tone_hz`, its home in
    `workdir/name`; stopped by PID on the way out."""
    modules = require_baresip()
    home = workdir / name
    home.mkdir(parents=True)
    tone = write_tone(home / f"tone-{tone_hz:g}.wav", tone_hz, TONE_SECONDS, rate=RATE)
    sip_port, ctrl_port = free_sip_port(), free_tcp_port()
    uri = f"sip:{name}@127.0.0.1:{sip_port}"
    (home / "config").write_text(_config(name, sip_port, ctrl_port, free_udp_block(10),
                                         tone, home, modules))
    (home / "accounts").write_text(
        f"<{uri}>;regint=0;audio_codecs=PCMU;answermode={answer}\n")
    (home / "contacts").write_text("")
    with (home / "baresip.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            shutil.which("baresip") or "baresip", "-f", str(home), cwd=home,
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT)
    phone = BaresipPhone(name, home, uri, process, ctrl_port)
    try:
        await phone.connect()
        yield phone
    finally:
        await phone.stop()
