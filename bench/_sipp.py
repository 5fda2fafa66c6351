"""The SIP benchmark's callers: sipp runs, their files, and the figures read from them.

`run_sipp` starts one sipp UAC with `bench/sip/caller.xml` (written to its folder,
without the caller's audio when it stays silent) and reads what it left: per-call
INVITE -> 200 times (`-trace_rtt`) and the final counts (`-trace_stat`).
`write_pcap` writes the G.711 audio a speaking caller replays.
"""

from __future__ import annotations

import contextlib
import math
import random
import resource
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent / "sip" / "caller.xml"


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


def run_sipp(folder: Path, target: tuple[str, int], service: str, *, rate: float, calls: int,
             hold: float, speak: bool, on_tick: Callable[[float], bool] | None = None,
             media_to: int | None = None) -> SippResult:
    """One sipp (UAC) placing `calls` calls to `service` at `rate`/s that each hold `hold` s; its
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
            "-s", service, "-i", "127.0.0.1", "-p", str(free_udp_port()), "-mi", "127.0.0.1",
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


def failed_calls(result: SippResult) -> int:
    """Calls that failed or never completed; at least 1 when sipp says not all succeeded."""
    failed = result.calls - result.successful
    return max(failed, 1) if result.exit_code != 0 else failed
