"""The rtpengine daemon our service starts, watches and stops, and its DTMF events.

`RtpEngineProcess` writes a config file (userspace forwarding only: `table =
-1`, the kernel module is never used), starts `rtpengine` in the foreground as
our child, and is ready once the daemon answers an NG `ping`. If the daemon
dies, every call it anchored is gone: `on_lost` is called, and the daemon is
started again after a backoff that doubles on each failure in a row (reset
once a daemon has stayed up for `stable_after` seconds); `on_ready` is called
after every (re)start. `stop()` ends the daemon by its PID (SIGTERM, then
SIGKILL); should we die without stopping it, the kernel sends it SIGTERM
(a parent-death signal, set by util-linux's `setpriv` where it is installed).
The daemon logs to its stderr, which we read line by line into our log
(syslog is not used).

rtpengine sends a JSON object per detected RFC 4733 DTMF event to
`dtmf-log-dest`; that is a UDP socket of ours on the loopback, and each event
reaches the async `on_dtmf` callback as a `DtmfEvent`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from callcenter.telephony.sip.rtpengine import NgClient, NgError

log = logging.getLogger(__name__)

_LOOPBACK = "127.0.0.1"
_DIGITS = "0123456789*#ABCD"  # RFC 4733 event codes 0-15
_LEVELS = {"EMERG": logging.ERROR, "ALERT": logging.ERROR, "CRIT": logging.ERROR,
           "ERR": logging.ERROR, "WARNING": logging.WARNING, "NOTICE": logging.INFO,
           "INFO": logging.DEBUG, "DEBUG": logging.DEBUG}


class RtpEngineError(Exception):
    """The daemon could not be started (bad config, busy port, missing binary)."""


@dataclass(frozen=True)
class RtpEngineSettings:
    """What the generated config says; ports on `interface` carry the media."""

    interface: str = _LOOPBACK
    ng_port: int = 2223
    """The NG control port, always on the loopback."""
    port_min: int = 30000
    port_max: int = 40000
    dtmf_port: int = 0
    """Where rtpengine sends DTMF events (loopback); 0 picks a free port."""
    recording_dir: Path | None = None
    """Where `start recording` writes pcap files (pcaps/ and metadata/ below it); None: off."""
    delete_delay: int = 0
    """Seconds a deleted call lingers; we delete only calls that are over."""
    threads: int = 2
    log_level: int = 5
    """Syslog levels: 5 logs notices and worse, 6 every NG command, 7 everything."""
    binary: str = "rtpengine"

    def __post_init__(self) -> None:
        if not 0 < self.port_min <= self.port_max < 65536:
            raise ValueError(f"RtpEngineSettings: bad port range {self.port_min}-{self.port_max}")
        if self.threads < 1:
            raise ValueError("RtpEngineSettings.threads: at least 1")


def render_config(settings: RtpEngineSettings, dtmf_port: int) -> str:
    """The daemon's config file (section `[rtpengine]`) for `settings`."""
    lines = [
        "[rtpengine]",
        "table = -1",
        f"interface = {settings.interface}",
        f"listen-ng = {_LOOPBACK}:{settings.ng_port}",
        f"port-min = {settings.port_min}",
        f"port-max = {settings.port_max}",
        f"dtmf-log-dest = {_LOOPBACK}:{dtmf_port}",
        "foreground = true",
        "log-stderr = true",
        "no-log-timestamps = true",
        f"log-level = {settings.log_level}",
        f"delete-delay = {settings.delete_delay}",
        f"num-threads = {settings.threads}",
        f"media-num-threads = {settings.threads}",
    ]
    if settings.recording_dir is not None:
        lines += [f"recording-dir = {settings.recording_dir}", "recording-method = pcap"]
    return "\n".join(lines) + "\n"


def _check_free(port: int) -> None:
    """Raises if the NG port is taken: an orphaned daemon there would answer our pings."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((_LOOPBACK, port))
        except OSError as e:
            raise RtpEngineError(f"NG port {_LOOPBACK}:{port} is taken ({e.strerror}); "
                                 "is another rtpengine running?") from e


@dataclass(frozen=True)
class DtmfEvent:
    """One key press rtpengine saw: `tag` is the participant who pressed it."""

    call_id: str
    tag: str
    digit: str
    duration_ms: int


def parse_dtmf_event(data: bytes) -> DtmfEvent:
    """The event in one of rtpengine's DTMF log datagrams; raises ValueError if malformed."""
    try:
        event = json.loads(data)
        code = event["event"]
        if type(code) is not int or not 0 <= code < len(_DIGITS):
            raise ValueError(f"event code {code!r}")
        return DtmfEvent(call_id=str(event["callid"]), tag=str(event["source_tag"]),
                         digit=_DIGITS[code], duration_ms=int(event.get("duration", 0)))
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise ValueError(f"not a DTMF event: {data[:200]!r}") from e


OnDtmf = Callable[[DtmfEvent], Awaitable[None]]


class _DtmfProtocol(asyncio.DatagramProtocol):
    def __init__(self, owner: RtpEngineProcess) -> None:
        self._owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        self._owner._dtmf_received(data)


class RtpEngineProcess:
    """Runs one rtpengine for our service; use `async with` or `start()`/`stop()`."""

    def __init__(self, settings: RtpEngineSettings | None = None, *,
                 run_dir: Path | None = None, on_dtmf: OnDtmf | None = None,
                 on_lost: Callable[[int], None] | None = None,
                 on_ready: Callable[[int], None] | None = None,
                 start_timeout: float = 10.0, backoff: tuple[float, float] = (0.2, 10.0),
                 stable_after: float = 30.0) -> None:
        self.settings = settings or RtpEngineSettings()
        self.client = NgClient(_LOOPBACK, self.settings.ng_port, timeout=0.5, tries=4)
        self.restarts = 0
        self.bad_dtmf_events = 0
        self._run_dir = run_dir
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._on_dtmf, self._on_lost, self._on_ready = on_dtmf, on_lost, on_ready
        self._start_timeout = start_timeout
        self._backoff, self._stable_after = backoff, stable_after
        self._proc: asyncio.subprocess.Process | None = None
        self._dtmf: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._stderr_reader: asyncio.Future[None] | None = None
        self._ready = False
        self._watch: asyncio.Task[None] | None = None
        self._stderr: deque[str] = deque(maxlen=20)
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The running daemon's PID, or None while it is down."""
        if self._proc is None or self._proc.returncode is not None:
            return None
        return self._proc.pid

    @property
    def config_path(self) -> Path:
        return self._directory() / "rtpengine.conf"

    async def __aenter__(self) -> RtpEngineProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Starts the daemon and returns once it answers `ping`; raises RtpEngineError."""
        loop = asyncio.get_running_loop()
        self._stopping = False
        self._dtmf, _ = await loop.create_datagram_endpoint(
            lambda: _DtmfProtocol(self), local_addr=(_LOOPBACK, self.settings.dtmf_port))
        dtmf_port = self._dtmf.get_extra_info("sockname")[1]
        self.config_path.write_text(render_config(self.settings, dtmf_port))
        if self.settings.recording_dir is not None:
            self.settings.recording_dir.mkdir(parents=True, exist_ok=True)
        await self.client.open()
        try:
            await self._launch()
        except BaseException:
            await self.stop()
            raise
        self._watch = loop.create_task(self._supervise())

    async def stop(self) -> None:
        """Stops the daemon (by its PID), the supervision and the sockets."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        await self._end_daemon()
        self._ready = False
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.client.close()
        if self._dtmf is not None:
            self._dtmf.close()
            self._dtmf = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def _directory(self) -> Path:
        if self._run_dir is not None:
            return self._run_dir
        if self._tempdir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="callcenter-rtpengine-")
        return Path(self._tempdir.name)

    async def _launch(self) -> None:
        """Starts one daemon and waits for its pong; kills it and raises if none comes."""
        self._stderr.clear()
        _check_free(self.settings.ng_port)
        binary = shutil.which(self.settings.binary)
        if binary is None:
            raise RtpEngineError(f"cannot start {self.settings.binary}: not found")
        command = [binary, f"--config-file={self.config_path}", "--config-section=rtpengine"]
        setpriv = shutil.which("setpriv")  # util-linux; it execs, so the PID is the daemon's
        if setpriv is not None:  # the daemon gets SIGTERM if we die without stopping it
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        except OSError as e:
            raise RtpEngineError(f"cannot start {self.settings.binary}: {e}") from e
        proc = self._proc
        assert proc.stderr is not None  # stderr=PIPE
        self._stderr_reader = self._spawn(self._read_stderr(proc.stderr))
        deadline = asyncio.get_running_loop().time() + self._start_timeout
        while proc.returncode is None:
            try:
                await self.client.ping(timeout=0.1, tries=1)
            except NgError:
                if asyncio.get_running_loop().time() > deadline:
                    await self._end_daemon()
                    raise RtpEngineError(self._failure("did not answer ping")) from None
                continue
            log.info("rtpengine started (pid %d)", proc.pid)
            self._ready = True
            if self._on_ready is not None:
                self._on_ready(proc.pid)
            return
        await asyncio.wait({self._stderr_reader}, timeout=1.0)  # its last words
        raise RtpEngineError(self._failure(f"exited with status {proc.returncode}"))

    def _failure(self, what: str) -> str:
        tail = "\n".join(self._stderr)
        return f"rtpengine {what}; its last words:\n{tail}" if tail else f"rtpengine {what}"

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        started = loop.time()
        while not self._stopping:
            assert self._proc is not None  # start() launched one
            status = await self._proc.wait()
            if self._stopping:
                return
            if loop.time() - started >= self._stable_after:
                failures = 0
            if self._ready:  # it was serving calls, and they are gone
                self._ready = False
                log.error("rtpengine (pid %d) exited with status %d; restarting it",
                          self._proc.pid, status)
                if self._on_lost is not None:
                    self._on_lost(status)
            await asyncio.sleep(min(self._backoff[1], self._backoff[0] * 2 ** failures))
            failures += 1
            started = loop.time()
            try:
                await self._launch()
            except RtpEngineError as e:
                log.error("%s", e)
                continue
            self.restarts += 1

    async def _end_daemon(self) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        os.kill(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            os.kill(proc.pid, signal.SIGKILL)
            await proc.wait()

    async def _read_stderr(self, stream: asyncio.StreamReader) -> None:
        """Drains the daemon's stderr (a full pipe would stall it) into our log."""
        pending = b""
        while chunk := await stream.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            pending = pending[-65536:]
            for raw in lines:
                line = raw.decode(errors="replace").rstrip()
                self._stderr.append(line)
                level, _, _rest = line.partition(":")
                log.log(_LEVELS.get(level.strip(), logging.INFO), "rtpengine: %s", line)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Future[None]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("rtpengine task failed", exc_info=task.exception())

    def _dtmf_received(self, data: bytes) -> None:
        try:
            event = parse_dtmf_event(data)
        except ValueError as e:
            self.bad_dtmf_events += 1
            log.warning("%s", e)
            return
        log.debug("DTMF %s", event)
        if self._on_dtmf is not None:
            self._spawn(self._on_dtmf(event))
