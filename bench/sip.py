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
2. concurrency: on a B2BUA started afresh, sipp ramps to C calls that all hold
   (silent: their SDP names a socket of ours). Once rtpengine lists C calls, each
   is queried for its caller-side port, and a call counts as having media when
   packets from that port reach our socket within a second (the music). sipp
   then hangs them up; no call may fail.

The callers are in `_sipp.py`, the two B2BUAs' start in `_sip_servers.py`.

    python bench/sip.py                  # steps 25..200 calls/s, 20 s each; 1,000 held calls
    python bench/sip.py --quick          # 50 calls/s for 3 s; 100 held (about 30 s)
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
import resource
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sip_peer import Ng
from _sip_servers import DID, B2bua, start_ours, start_peer
from _sipp import failed_calls, free_udp_block, percentile, run_sipp

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
QUICK = Size(rates=(50,), seconds=3, hold=1, concurrent=100, ramp=100, held=1)


# ---------------------------------------------------------------- the two runs

def rate_run(b2bua: B2bua, folder: Path, size: Size, say: Callable[[str], None]
             ) -> list[dict[str, Any]]:
    """The rate steps, rising until one fails (a failed call, or p99 >= the target)."""
    steps = []
    for rate in size.rates:
        calls = int(rate * size.seconds)
        load = os.getloadavg()[0]
        cpu0 = b2bua.cpu()
        result = run_sipp(folder / f"rate-{rate:g}", b2bua.address, DID, rate=rate, calls=calls,
                          hold=size.hold, speak=size.speak)
        cpu1 = b2bua.cpu()
        p99 = percentile(result.rtt_ms, 99)
        step = {"rate": rate, "calls": calls, "successful": result.successful,
                "failed": failed_calls(result),
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
            port = _caller_port(ng("query", {"call-id": call}, tries=4))
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
        listed = ng("list", {"limit": size.concurrent * 2}, tries=8).get(b"calls", [])
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
        result = run_sipp(folder / "concurrent", b2bua.address, DID, rate=size.ramp,
                          calls=size.concurrent, hold=hold, speak=False, on_tick=check,
                          media_to=listener.getsockname()[1])
    failed = failed_calls(result)
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
                warm = run_sipp(folder / "warm-up", b2bua.address, DID, rate=5, calls=5, hold=1,
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
    parser.add_argument("--quick", action="store_true", help="reduced size, about 30 s")
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
