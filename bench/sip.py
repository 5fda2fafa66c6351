"""SIP benchmark: sipp callers against our B2BUA with media in rtpengine, and a bare sippy peer.

Ours is the real server, `callcenter serve --sip` in a process of its own (SQLite
store, no bots), with the `sip` adapter starting its rtpengine. Its one DID enters
a flow that plays a prompt ("Thank you for calling.", rendered by espeak-ng) and
then queues the call in a queue whose only agent never logs in: every caller hears
the prompt, then hold music, both played by rtpengine, until it hangs up. The
peer (`bench/_sip_peer.py`) is the same work on sippy alone: the same rtpengine
offer/answer against a sink, 200, prompt, music, delete on BYE; no engine, IVR,
store or asyncio. It is the floor set by sippy, rtpengine and this machine.

sipp is the callers (`bench/sip/caller.xml`): INVITE -> 200 -> ACK, the caller
speaks (a G.711 pcap written here, played by sipp) for the hold time, BYE. Two runs
on each B2BUA, one after the other:

1. rate: N calls/s for T s per step, the steps rising until one has a failed call
   or an INVITE -> 200 p99 of 200 ms or more (sipp's per-call response times,
   `-trace_rtt`); the highest step that passed is the B2BUA's rate.
2. concurrency: sipp ramps to C calls that all hold; once rtpengine lists C calls,
   every call is queried twice a second apart, and a call counts as having media
   when rtpengine sent it packets in between (the music). sipp then hangs them up;
   no call may fail.

    python bench/sip.py                  # steps 25..200 calls/s, 20 s each; 1,000 held calls
    python bench/sip.py --quick          # 50 and 100 calls/s, 3 s each; 200 held (under 60 s)
    python bench/sip.py --json           # one JSON object: ours, the peer, ratios
    python bench/sip.py --rates 100 --seconds 30 --concurrent 500 --only ours

Server CPU is the B2BUA process's (and rtpengine's, apart) over each step, per
call. The load average is noted before each run: the machine's 2 cores are shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sip_peer import Ng

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "sip" / "caller.xml"
DID = "4940112233"
PROMPT = "Thank you for calling."
TARGET = {"calls_per_s": 100, "p99_ms": 200.0, "concurrent": 1000, "failed": 0}


@dataclass(frozen=True)
class Size:
    rates: tuple[float, ...]
    seconds: float
    """Seconds of calls per rate step."""
    hold: float
    """Seconds each call of the rate run holds (hearing prompt and music) before BYE."""
    concurrent: int
    ramp: float
    """Calls per second while the concurrency run ramps up."""
    held: float
    """Seconds all `concurrent` calls are up together (at least)."""
    speak: bool = True
    """The rate run's callers send RTP (which rtpengine relays to the B2BUA's sink)."""


FULL = Size(rates=(25, 50, 75, 100, 125, 150, 200), seconds=20, hold=2, concurrent=1000,
            ramp=100, held=10)
QUICK = Size(rates=(50, 100), seconds=3, hold=2, concurrent=200, ramp=100, held=2)


# ---------------------------------------------------------------- statistics

def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile: q must be within 0..100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def read_rtt(path: Path) -> list[float]:
    """Response times in ms from a sipp `-trace_rtt` file (`date_ms;rtt_ms;rtd_no`)."""
    times: list[float] = []
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        fields = line.strip().split(";")
        if not line.strip() or not fields[0].replace(".", "").isdigit():
            continue  # the header line
        try:
            times.append(float(fields[1]))
        except (IndexError, ValueError):
            raise ValueError(f"{path.name}:{n}: not a response time: {line!r}") from None
    return times


def read_stat(path: Path) -> dict[str, str]:
    """The last row of a sipp `-trace_stat` file, by column name."""
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    if len(lines) < 2:
        raise ValueError(f"{path.name}: no statistics rows")
    names = lines[0].rstrip(";").split(";")
    return dict(zip(names, lines[-1].rstrip(";").split(";"), strict=False))


# ---------------------------------------------------------------- files the run needs

def write_pcap(path: Path, seconds: float, *, port: int = 6000) -> None:
    """A pcap of `seconds` of G.711 u-law RTP (a 300 Hz tone, 20 ms packets) that
    sipp's `play_pcap_audio` replays (it rewrites the addresses)."""
    frames, packets = int(seconds * 50), []
    for n in range(frames):
        samples = bytes(_ulaw(int(2000 * math.sin(2 * math.pi * 300 * (n * 160 + i) / 8000)))
                        for i in range(160))
        rtp = struct.pack("!BBHII", 0x80, 0, n & 0xFFFF, n * 160, 0x5EED) + samples
        udp = struct.pack("!HHHH", port, port, 8 + len(rtp), 0) + rtp
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
        packets.append(struct.pack("<IIII", n // 50, n % 50 * 20_000, len(frame), len(frame))
                       + frame)
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
                     + b"".join(packets))


def _checksum(header: bytes) -> int:
    total: int = sum(struct.unpack(f"!{len(header) // 2}H", header))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def _ulaw(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 132
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def write_server_files(folder: Path, *, ng_port: int, ports: tuple[int, int]) -> Path:
    """Scenario, flow and telephony config of ours; returns the telephony config."""
    (folder / "scenario.toml").write_text("""[simulation]
name = "SIP benchmark"
seed = 1

[queues.bench]
wrap_up = 0
handle_time = 60
patience = "never"

[[agents]]   # never logs in: callers stay on hold
name = "agent"
count = 1

[[arrivals]]   # the format needs one; real calls replace simulated ones
queue = "bench"
daily = 1
profile = "flat"

[profiles.flat]
interval = 60
start = "08:00"
weights = [1]
""")
    (folder / "flows.yaml").write_text(f"""flows:
  main:
    language: en
    nodes:
      welcome:
        play: "{PROMPT}"
        next: wait
      wait:
        queue: bench
""")
    config = folder / "telephony.yaml"
    config.write_text(
        f"trunks: [127.0.0.1]\ndids: {{'{DID}': main}}\nflows: flows.yaml\n"
        "prompt_cache: prompts\n"
        f"rtpengine: {{ng_port: {ng_port}, port_min: {ports[0]}, port_max: {ports[1]}, "
        "threads: 2}\n")
    return config


# ---------------------------------------------------------------- ports, processes

def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_udp_block(size: int) -> int:
    """The first of `size` consecutive loopback UDP ports, all free a moment ago, below
    the ephemeral range (which free_udp_port and client sockets draw from)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(100):
        first = random.randrange(10_000, low - size)
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + size):
                    s = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return first
    raise RuntimeError(f"no {size} free consecutive UDP ports below {low}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """PIDs of a process's children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def sip_ready(address: tuple[str, int], timeout: float, alive: Callable[[], bool]) -> None:
    """Wait until the B2BUA answers an OPTIONS with 200."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        port = s.getsockname()[1]
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("the B2BUA exited while starting")
            s.sendto((f"OPTIONS sip:ping@{address[0]}:{address[1]} SIP/2.0\r\n"
                      f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{random.getrandbits(40)}"
                      f"\r\nFrom: <sip:bench@127.0.0.1>;tag=b\r\nTo: <sip:ping@127.0.0.1>\r\n"
                      f"Call-ID: ping-{random.getrandbits(40)}\r\nCSeq: 1 OPTIONS\r\n"
                      "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode(), address)
            with contextlib.suppress(TimeoutError):
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return
        raise RuntimeError(f"the B2BUA did not answer OPTIONS within {timeout:.0f} s")


@dataclass
class B2bua:
    """A started B2BUA (ours or the peer) with its rtpengine; `stop()` ends them by PID."""

    name: str
    address: tuple[str, int]
    ng_port: int
    process: subprocess.Popen[bytes]
    log: Path
    rtpengine: int = 0
    """rtpengine's PID (ours starts it as its child)."""
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far: the B2BUA process, its rtpengine."""
        return cpu_seconds(self.process.pid), cpu_seconds(self.rtpengine)

    def stop(self) -> None:
        for proc in [self.process, *self.extra]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [self.process, *self.extra]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_errors(self) -> int:
        text = self.log.read_text(errors="replace")
        return text.count("Traceback") + text.count("ERROR")


def _callcenter() -> list[str]:
    script = Path(sys.executable).parent / "callcenter"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from callcenter.cli import app; app()"]


def start_ours(folder: Path, ports: tuple[int, int]) -> B2bua:
    """`callcenter serve --sip` on free ports, ready once it answers OPTIONS."""
    folder.mkdir(parents=True, exist_ok=True)
    ng_port, sip_port = free_udp_port(), free_udp_port()
    config = write_server_files(folder, ng_port=ng_port, ports=ports)
    log = folder / "server.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        http = s.getsockname()[1]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_callcenter(), "serve", "--db", f"sqlite:///{folder / 'store.db'}",
             "--port", str(http), "--scenario", str(folder / "scenario.toml"), "--no-bots",
             "--sip", f"127.0.0.1:{sip_port}", "--telephony-config", str(config)],
            stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    b2bua = B2bua("ours", ("127.0.0.1", sip_port), ng_port, proc, log)
    try:
        sip_ready(b2bua.address, 60, lambda: proc.poll() is None)
        b2bua.rtpengine = next(iter(children(proc.pid)), 0)
    except BaseException:
        b2bua.stop()
        raise
    return b2bua


def start_peer(folder: Path, ports: tuple[int, int]) -> B2bua:
    """rtpengine (the same config as ours) and `_sip_peer.py`, ready once it answers OPTIONS."""
    from callcenter.telephony.sip.prompts import write_tone
    from callcenter.telephony.sip.rtpengine_process import RtpEngineSettings, render_config

    folder.mkdir(parents=True, exist_ok=True)
    ng_port, sip_port = free_udp_port(), free_udp_port()
    settings = RtpEngineSettings(ng_port=ng_port, port_min=ports[0], port_max=ports[1])
    (folder / "rtpengine.conf").write_text(render_config(settings, free_udp_port()))
    prompt, music = folder / "welcome.wav", folder / "hold.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(prompt), "--", PROMPT], check=True)
    write_tone(music, seconds=4.0)
    log = folder / "peer.log"
    with log.open("wb") as out:
        engine = subprocess.Popen(
            [shutil.which("rtpengine") or "rtpengine", f"--config-file={folder / 'rtpengine.conf'}",
             "--config-section=rtpengine"], stdout=out, stderr=subprocess.STDOUT)
        ng = Ng(ng_port)
        deadline = time.monotonic() + 20
        while True:
            try:
                ng("ping")
                break
            except OSError:
                if time.monotonic() > deadline or engine.poll() is not None:
                    engine.terminate()
                    raise RuntimeError("the peer's rtpengine did not start") from None
                time.sleep(0.1)
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "_sip_peer.py"), "--sip", f"127.0.0.1:{sip_port}",
             "--ng-port", str(ng_port), "--prompt", str(prompt), "--music", str(music)],
            stdout=out, stderr=subprocess.STDOUT)
    b2bua = B2bua("peer", ("127.0.0.1", sip_port), ng_port, proc, log, engine.pid, [engine])
    try:
        sip_ready(b2bua.address, 30, lambda: proc.poll() is None)
    except BaseException:
        b2bua.stop()
        raise
    return b2bua


# ---------------------------------------------------------------- sipp

@dataclass
class SippResult:
    calls: int
    successful: int
    failed: int
    rtt_ms: list[float]
    exit_code: int
    elapsed: float
    cpu: float
    """sipp's own CPU seconds."""


def run_sipp(folder: Path, target: tuple[str, int], *, rate: float, calls: int, hold: float,
             speak: bool, on_tick: Callable[[float], bool] | None = None,
             media_to: int | None = None) -> SippResult:
    """One sipp (UAC) placing `calls` calls at `rate`/s that each hold `hold` s; its
    figures. With `speak` the callers send RTP; with `media_to` their SDP names that
    loopback port instead of sipp's. `on_tick(elapsed)` is called every 0.2 s while
    sipp runs; False stops polling."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SCENARIO.read_text()
    if speak:
        write_pcap(folder / "caller.pcap", hold)
    else:
        start = text.index("  <nop>")
        text = text[:start] + text[text.index("</nop>") + len("</nop>\n"):]
    if media_to is not None:
        text = text.replace("[media_port]", str(media_to))
    (folder / "caller.xml").write_text(text)
    media = free_udp_block(4)
    guard = calls / rate + hold + 60
    args = [shutil.which("sipp") or "sipp", f"{target[0]}:{target[1]}", "-sf", "caller.xml",
            "-s", DID, "-i", "127.0.0.1", "-p", str(free_udp_port()), "-mi", "127.0.0.1",
            "-mp", str(media), "-r", f"{rate:g}", "-rp", "1000", "-m", str(calls),
            "-l", str(calls), "-d", str(int(hold * 1000)), "-nostdin", "-trace_rtt",
            "-rtt_freq", "1", "-trace_stat", "-stf", "stat.csv", "-fd", "1",
            "-recv_timeout", "10000", "-timeout", f"{guard:.0f}s", "-timeout_error",
            "-max_socket", "4096", "-trace_err",
            # A late 100 (to an INVITE retransmitted under load) must not abort the call.
            "-default_behaviors", "all,-abortunexp"]
    began = time.monotonic()
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (folder / "sipp.out").open("wb") as out:
        proc = subprocess.Popen(args, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        polling = on_tick is not None
        while proc.poll() is None:
            time.sleep(0.2)
            if polling and on_tick is not None:
                polling = on_tick(time.monotonic() - began)
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    elapsed = time.monotonic() - began
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = now.ru_utime + now.ru_stime - reaped.ru_utime - reaped.ru_stime
    rtt = [t for f in folder.glob("caller_*_rtt.csv") for t in read_rtt(f)]
    stat = read_stat(folder / "stat.csv")
    return SippResult(calls, int(stat.get("SuccessfulCall(C)", 0)),
                      int(stat.get("FailedCall(C)", 0)), rtt, code, elapsed, cpu)


def _failed(result: SippResult) -> int:
    """Calls that failed or never completed; at least 1 when sipp says not all succeeded."""
    failed = result.calls - result.successful
    return max(failed, 1) if result.exit_code != 0 else failed


# ---------------------------------------------------------------- the two runs

def rate_run(b2bua: B2bua, folder: Path, size: Size, say: Callable[[str], None]
             ) -> list[dict[str, Any]]:
    """The rate steps, rising until one fails (a failed call, or p99 >= the target)."""
    steps = []
    for rate in size.rates:
        calls = int(rate * size.seconds)
        load = os.getloadavg()[0]
        cpu0 = b2bua.cpu()
        result = run_sipp(folder / f"rate-{rate:g}", b2bua.address, rate=rate, calls=calls,
                          hold=size.hold, speak=size.speak)
        cpu1 = b2bua.cpu()
        p99 = percentile(result.rtt_ms, 99)
        step = {"rate": rate, "calls": calls, "successful": result.successful,
                "failed": _failed(result),
                "p50_ms": percentile(result.rtt_ms, 50), "p99_ms": p99,
                "max_ms": max(result.rtt_ms, default=math.nan),
                "cpu_ms_per_call": (cpu1[0] - cpu0[0]) * 1000 / calls,
                "rtpengine_cpu_ms_per_call": (cpu1[1] - cpu0[1]) * 1000 / calls,
                "sipp_cpu_ms_per_call": result.cpu * 1000 / calls,
                "load": load, "sipp_exit": result.exit_code}
        step["passed"] = step["failed"] == 0 and p99 < TARGET["p99_ms"]
        steps.append(step)
        say(f"{b2bua.name}: {rate:g} calls/s: {result.successful}/{calls} ok, "
            f"p99 {p99:.1f} ms; CPU ms/call: B2BUA {step['cpu_ms_per_call']:.2f}, rtpengine "
            f"{step['rtpengine_cpu_ms_per_call']:.2f}, sipp {step['sipp_cpu_ms_per_call']:.2f}; "
            f"load {load:.2f}")
        if not step["passed"]:
            break
    return steps


def media_flowing(ng: Ng, calls: list[str], listener: socket.socket, seconds: float = 1.0
                  ) -> tuple[int, int]:
    """How many of `calls` rtpengine knows, and how many of them sent audio to the
    callers' media address (`listener`: every caller's SDP names it) in `seconds`.
    rtpengine sends a call's prompt and music from the port of its caller side, so
    packets are told apart by their source port."""
    ports: dict[int, str] = {}
    for call in calls:
        with contextlib.suppress(RuntimeError, OSError):
            port = _caller_port(ng("query", tries=4, **{"call-id": call}))
            if port:
                ports[port] = call
    drained = time.monotonic() + 0.5  # what queued before counting started
    with contextlib.suppress(TimeoutError, BlockingIOError):
        while time.monotonic() < drained:
            listener.recv(2048)
    heard: set[int] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError, BlockingIOError):
            heard.add(listener.recvfrom(2048)[1][1])
    return len(ports), len(heard & ports.keys())


def _caller_port(reply: dict[bytes, Any]) -> int:
    """rtpengine's local RTP port on the caller's side of a call (0 if none)."""
    caller = reply.get(b"tags", {}).get(b"caller", {})
    for media in caller.get(b"medias", []):
        for stream in media.get(b"streams", []):
            if b"RTP" in stream.get(b"flags", []):
                return int(stream.get(b"local port", 0))
    return 0


def concurrency_run(b2bua: B2bua, folder: Path, size: Size, say: Callable[[str], None]
                    ) -> dict[str, Any]:
    """Ramp to `size.concurrent` held calls; check their media in rtpengine; hang up."""
    ng = Ng(b2bua.ng_port, timeout=2.0)  # rtpengine answers slowly with every call playing
    ramp = size.concurrent / size.ramp
    hold = 1.5 * ramp + size.held + 1  # room for a ramp that lags under load
    seen: dict[str, Any] = {}
    load = os.getloadavg()[0]
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def check(elapsed: float) -> bool:
        if elapsed < ramp:
            return True
        listed = ng("list", tries=8, limit=size.concurrent * 2).get(b"calls", [])
        if len(listed) < size.concurrent and elapsed < 1.5 * ramp:
            return True  # not all up yet
        seen["listed"] = len(listed)
        cpu0, began = b2bua.cpu(), time.monotonic()
        seen["known"], seen["flowing"] = media_flowing(
            ng, [c.decode() for c in listed], listener)
        cpu1, spent = b2bua.cpu(), time.monotonic() - began
        seen["cores"] = ((cpu1[0] - cpu0[0]) / spent, (cpu1[1] - cpu0[1]) / spent)
        seen["at_s"] = elapsed
        return False

    with listener:
        result = run_sipp(folder / "concurrent", b2bua.address, rate=size.ramp,
                          calls=size.concurrent, hold=hold, speak=False, on_tick=check,
                          media_to=listener.getsockname()[1])
    failed = _failed(result)
    out = {"concurrent": size.concurrent, "listed": seen.get("listed", 0),
           "flowing": seen.get("flowing", 0), "successful": result.successful,
           "failed": failed, "p99_ms": percentile(result.rtt_ms, 99), "load": load,
           "checked_at_s": seen.get("at_s", math.nan),
           "b2bua_cores": seen.get("cores", (math.nan,) * 2)[0],
           "rtpengine_cores": seen.get("cores", (math.nan,) * 2)[1]}
    out["passed"] = out["flowing"] == size.concurrent and failed == 0
    say(f"{b2bua.name}: {size.concurrent} held: rtpengine listed {out['listed']}, media to "
        f"{out['flowing']}; {result.successful} ok, {failed} failed; cores while held: "
        f"B2BUA {out['b2bua_cores']:.2f}, rtpengine {out['rtpengine_cores']:.2f}")
    return out


def measure(size: Size, who: list[str], say: Callable[[str], None],
            workdir: Path | None = None) -> dict[str, Any]:
    """Both runs on each B2BUA in `who`, one after the other; files in `workdir`
    (kept) or a temporary folder."""
    results: dict[str, Any] = {"size": asdict(size), "target": TARGET}
    ports = free_udp_block(max(2000, size.concurrent * 8))
    span = (ports, ports + max(2000, size.concurrent * 8) - 1)
    with contextlib.ExitStack() as stack:
        tmp = workdir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="callcenter-bench-sip-")))
        for name in who:
            folder = tmp / name
            say(f"{name}: starting (load average {os.getloadavg()[0]:.2f})")
            start = start_ours if name == "ours" else start_peer
            b2bua = start(folder, span)
            try:
                warm = run_sipp(folder / "warm-up", b2bua.address, rate=5, calls=5, hold=1,
                                speak=True)
                if warm.failed or warm.successful != warm.calls:
                    raise RuntimeError(f"{name}: warm-up calls failed; see {folder}")
                steps = rate_run(b2bua, folder, size, say)
            finally:
                b2bua.stop()
            errors = b2bua.log_errors()
            # A fresh B2BUA and rtpengine: calls a failed step left behind must not count.
            b2bua = start(folder / "held", span)
            try:
                concurrency = concurrency_run(b2bua, folder / "held", size, say)
            finally:
                b2bua.stop()
            passed = [s for s in steps if s["passed"]]
            results[name] = {"steps": steps, "concurrency": concurrency,
                             "rate": max((s["rate"] for s in passed), default=0.0),
                             "log_errors": errors + b2bua.log_errors()}
            if results[name]["log_errors"]:
                say(f"{name}: {results[name]['log_errors']} errors in its log:\n"
                    + b2bua.log.read_text(errors="replace")[-2000:])
    if "ours" in results and "peer" in results:
        results["ratio"] = ratios(results["ours"], results["peer"])
    return results


def ratios(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, float]:
    """Ours / the peer's: sustained rate, p99 and CPU per call at the highest rate both passed."""
    both = {s["rate"] for s in ours["steps"] if s["passed"]} & \
        {s["rate"] for s in peer["steps"] if s["passed"]}
    out = {"rate": ours["rate"] / peer["rate"] if peer["rate"] else math.nan}
    if both:
        rate = max(both)
        o = next(s for s in ours["steps"] if s["rate"] == rate)
        p = next(s for s in peer["steps"] if s["rate"] == rate)
        out.update(at_rate=rate, p99=o["p99_ms"] / p["p99_ms"],
                   cpu=o["cpu_ms_per_call"] / p["cpu_ms_per_call"])
    return out


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65_536 if hard == resource.RLIM_INFINITY else min(hard, 65_536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # unwinds through the finally blocks: the B2BUAs stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced size, under 60 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rates", type=float, nargs="+", help="calls/s of the rate steps")
    parser.add_argument("--seconds", type=float, help="seconds of calls per rate step")
    parser.add_argument("--hold", type=float, help="seconds each call of the rate run holds")
    parser.add_argument("--concurrent", type=int, help="calls held at once")
    parser.add_argument("--speak", action=argparse.BooleanOptionalAction,
                        help="callers of the rate run send RTP [on]")
    parser.add_argument("--only", choices=("ours", "peer"), help="measure one B2BUA only")
    parser.add_argument("--workdir", type=Path, help="keep logs and sipp's files here")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    changes: dict[str, Any] = {k: v for k, v in (
        ("rates", tuple(args.rates) if args.rates else None), ("seconds", args.seconds),
        ("hold", args.hold), ("concurrent", args.concurrent), ("speak", args.speak))
        if v is not None}
    size = replace(size, **changes)
    if any(r <= 0 for r in size.rates) or size.seconds <= 0 or size.hold <= 0 \
            or size.concurrent < 1:
        parser.error("--rates, --seconds, --hold and --concurrent must be positive")
    missing = [b for b in ("sipp", "rtpengine", "espeak-ng") if shutil.which(b) is None]
    if missing:  # a skip with a note, as the tests skip (an error under CI)
        print(f"bench/sip.py skipped: missing {', '.join(missing)} "
              "(Debian: sip-tester, rtpengine-daemon, espeak-ng)", file=sys.stderr)
        sys.exit(1 if os.environ.get("CI") else 0)
    _raise_open_files()
    signal.signal(signal.SIGTERM, _on_sigterm)

    from rich.console import Console
    from rich.table import Table

    err = Console(stderr=True)
    who = [args.only] if args.only else ["ours", "peer"]
    results = measure(size, who, lambda text: err.print(f"[dim]{text}", highlight=False),
                      args.workdir)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    table = Table(title=f"SIP: rate steps of {size.seconds:g} s, calls hold {size.hold:g} s",
                  caption="latency: INVITE -> 200 at sipp; CPU: the B2BUA process (rtpengine "
                          "apart) per call")
    for col in ("B2BUA", "calls/s", "calls", "failed", "p50 ms", "p99 ms", "max ms",
                "CPU ms/call", "rtpengine ms/call", "load"):
        table.add_column(col, justify="right")
    for name in who:
        for s in results[name]["steps"]:
            table.add_row(name, f"{s['rate']:g}", str(s["calls"]), str(s["failed"]),
                          f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}", f"{s['max_ms']:.1f}",
                          f"{s['cpu_ms_per_call']:.2f}", f"{s['rtpengine_cpu_ms_per_call']:.2f}",
                          f"{s['load']:.2f}")
    Console(width=max(110, Console().width)).print(table)
    for name in who:
        r, c = results[name], results[name]["concurrency"]
        print(f"{name}: highest rate with no failed call and p99 < 200 ms: {r['rate']:g} "
              f"calls/s; {c['concurrent']} held calls: rtpengine listed {c['listed']}, "
              f"media to {c['flowing']}, {c['failed']} failed; cores while held: B2BUA "
              f"{c['b2bua_cores']:.2f}, rtpengine {c['rtpengine_cores']:.2f} "
              f"(load {c['load']:.2f})")
    if "ratio" in results:
        q = results["ratio"]
        line = f"ours/peer: rate {q['rate']:.2f}x"
        if "at_rate" in q:
            line += (f"; at {q['at_rate']:g} calls/s p99 {q['p99']:.2f}x, "
                     f"CPU per call {q['cpu']:.2f}x")
        print(line)
    print("target: 100 calls/s with no failed call and p99 < 200 ms, 1,000 held media calls")


if __name__ == "__main__":
    main()
