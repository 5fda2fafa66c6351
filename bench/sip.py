"""SIP benchmark: sipp callers against our B2BUA with media in rtpengine, and a bare sippy peer.

Ours is the real server, `callcenter serve --sip` in a process of its own (SQLite
store, no bots), with the `sip` adapter starting its rtpengine. Its one DID enters
a flow that plays a prompt ("Thank you for calling.", rendered by espeak-ng) and
then queues the call in a queue whose only agent never logs in: every caller hears
the prompt, then hold music, both played by rtpengine, until it hangs up. The
peer (`bench/_sip_peer.py`) is the same work on sippy alone: the same rtpengine
offer/answer against a sink, 200, prompt, music, delete on BYE, its NG requests
sent without blocking its reactor (as sippy's own rtpproxy client sends); no
engine, IVR, store or asyncio. It is the floor set by sippy, rtpengine and this
machine.

sipp is the callers (`bench/sip/caller.xml`): INVITE -> 200 -> ACK, the caller
speaks (a G.711 pcap written here, played by sipp) for the hold time, BYE. Two runs:

1. rate: both B2BUAs start together and wait idle; at each step of N calls/s for
   T s, each runs `--repeats` times (3; 2 with `--quick`), alternating with the
   other, the order rotating every time. A run passes with no failed call and an
   INVITE -> 200 p99 under 200 ms (sipp's per-call response times, `-trace_rtt`);
   a B2BUA passes a step when most of its runs there passed, and the steps rise
   until it fails one: then it is stopped at once, and the other goes on alone.
   The highest step passed is the B2BUA's rate. Ratios are paired by repeat: the
   highest rate each repeat passed, and the p99 and CPU per call at every step
   both ran in full (`bench/_results.py`; full runs write
   `docs/benchmarks/sip.json`).
2. concurrency: one B2BUA after the other (started afresh unless none of its calls
   failed in the rate run, so that no call left behind counts), sipp ramps to C
   calls that all hold (silent: their SDP names a socket of ours). Once rtpengine
   lists C calls, each is queried for its caller-side port, and a call counts as
   having media when
   packets from that port reach our socket within a second (the music). sipp
   then hangs them up; no call may fail.

The callers are in `_sipp.py`, the two B2BUAs' start in `_sip_servers.py`.

    python bench/sip.py                  # steps 25..200 calls/s, 20 s each; 1,000 held calls
    python bench/sip.py --quick          # 50 calls/s for 3 s, 2 repeats; 100 held (~1 min)
    python bench/sip.py --json           # one JSON object: steps, concurrency, comparisons
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import Comparison, compare, record
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
    repeats: int = 3
    """Runs of each B2BUA at each rate, alternating with the other's."""


FULL = Size(rates=(25, 50, 75, 100, 125, 150, 200), seconds=20, hold=2, concurrent=1000,
            ramp=100, held=10)
QUICK = Size(rates=(50,), seconds=3, hold=1, concurrent=100, ramp=100, held=1, repeats=2)


# ---------------------------------------------------------------- the two runs

def rate_step(b2bua: B2bua, folder: Path, size: Size, rate: float, repeat: int,
              say: Callable[[str], None]) -> dict[str, Any]:
    """One rate step: `rate` calls/s for `size.seconds`; passed when no call failed and the
    INVITE -> 200 p99 is under the target."""
    calls = int(rate * size.seconds)
    load = os.getloadavg()[0]
    cpu0 = b2bua.cpu()
    result = run_sipp(folder / f"rate-{rate:g}-{repeat}", b2bua.address, DID, rate=rate,
                      calls=calls, hold=size.hold, speak=size.speak)
    cpu1 = b2bua.cpu()
    p99 = percentile(result.rtt_ms, 99)
    step = {"rate": rate, "repeat": repeat, "calls": calls, "successful": result.successful,
            "failed": failed_calls(result),
            "p50_ms": percentile(result.rtt_ms, 50), "p99_ms": p99,
            "max_ms": max(result.rtt_ms, default=math.nan),
            "cpu_ms_per_call": (cpu1[0] - cpu0[0]) * 1000 / calls,
            "rtpengine_cpu_ms_per_call": (cpu1[1] - cpu0[1]) * 1000 / calls,
            "sipp_cpu_ms_per_call": result.cpu * 1000 / calls,
            "load": load, "sipp_exit": result.exit_code}
    step["passed"] = step["failed"] == 0 and p99 < TARGET["p99_ms"]
    say(f"{b2bua.name}: {rate:g} calls/s (repeat {repeat + 1}): {result.successful}/{calls} "
        f"ok, p99 {p99:.1f} ms; CPU ms/call: B2BUA {step['cpu_ms_per_call']:.2f}, rtpengine "
        f"{step['rtpengine_cpu_ms_per_call']:.2f}, sipp {step['sipp_cpu_ms_per_call']:.2f}; "
        f"load {load:.2f}")
    return step


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


def _start_all(names: list[str], folder: Path, spans: dict[str, tuple[int, int]]
               ) -> dict[str, B2bua]:
    """Start the B2BUAs in `names` at once (each waits idle once it answers OPTIONS)."""
    with ThreadPoolExecutor(len(names)) as pool:
        futures = {name: pool.submit(start_ours if name == "ours" else start_peer,
                                     folder / name, spans[name]) for name in names}
        started, failure = {}, None
        for name, future in futures.items():
            try:
                started[name] = future.result()
            except Exception as error:  # the others are stopped before it is raised
                failure = error
    if failure is not None:
        for b2bua in started.values():
            b2bua.stop()
        raise failure
    return started


def measure(size: Size, who: list[str], say: Callable[[str], None],
            workdir: Path | None = None) -> dict[str, Any]:
    """The rate steps on the B2BUAs in `who`, alternating step by step (`size.repeats`
    runs of each side at each rate, the order rotating every time), then each one's
    concurrency run; files in `workdir` (kept) or a temporary folder."""
    results: dict[str, Any] = {"size": asdict(size), "target": TARGET}
    width = max(2000, size.concurrent * 8)
    first = free_udp_block(width * len(who))
    spans = {name: (first + i * width, first + (i + 1) * width - 1)
             for i, name in enumerate(who)}
    steps: dict[str, list[dict[str, Any]]] = {name: [] for name in who}
    errors = dict.fromkeys(who, 0)
    with contextlib.ExitStack() as stack:
        tmp = workdir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="callcenter-bench-sip-")))
        say(f"starting {' and '.join(who)} (load average {os.getloadavg()[0]:.2f})")
        running = _start_all(who, tmp / "rate", spans)
        try:
            for name, b2bua in running.items():
                warm = run_sipp(tmp / "rate" / name / "warm-up", b2bua.address, DID, rate=5,
                                calls=5, hold=1, speak=True)
                if warm.failed or warm.successful != warm.calls:
                    raise RuntimeError(f"{name}: warm-up calls failed; see {tmp / 'rate'}")
            turn = 0
            for rate in size.rates:
                alive = [name for name in who if name in running]
                if not alive:
                    break
                for repeat in range(size.repeats):
                    for name in alive[turn % len(alive):] + alive[:turn % len(alive)]:
                        steps[name].append(rate_step(running[name], tmp / "rate" / name,
                                                     size, rate, repeat, say))
                    turn += 1
                for name in alive:  # a side that failed this rate stops stepping, at once
                    if not _passed(steps[name], rate, size.repeats):
                        b2bua = running.pop(name)
                        b2bua.stop()
                        errors[name] += b2bua.log_errors()
            # A B2BUA none of whose calls failed goes on to the concurrency run; the
            # others are started afresh: calls a failed step left behind must not count.
            clean = {name: b2bua for name, b2bua in running.items()
                     if all(s["failed"] == 0 for s in steps[name])}
        except BaseException:
            for b2bua in running.values():
                b2bua.stop()
            raise
        for name, b2bua in running.items():
            if name not in clean:
                b2bua.stop()
                errors[name] += b2bua.log_errors()
        fresh = [name for name in who if name not in clean]
        held = {**clean, **(_start_all(fresh, tmp / "held", spans) if fresh else {})}
        concurrency: dict[str, dict[str, Any]] = {}
        try:
            for name in who:
                concurrency[name] = concurrency_run(held[name], tmp / "held" / name, size, say)
                held[name].stop()
        finally:
            for b2bua in held.values():
                b2bua.stop()
        for name in who:
            passed = [rate for rate in size.rates if _passed(steps[name], rate, size.repeats)]
            results[name] = {"steps": steps[name], "concurrency": concurrency[name],
                             "rate": max(passed, default=0.0),
                             "log_errors": errors[name] + held[name].log_errors()}
            if results[name]["log_errors"]:
                say(f"{name}: {results[name]['log_errors']} errors in its logs under "
                    f"{tmp}:\n" + held[name].log.read_text(errors="replace")[-2000:])
    if "ours" in results and "peer" in results:
        results["comparisons"] = [asdict(c) for c in comparisons(results, size)]
    return results


def _passed(steps: list[dict[str, Any]], rate: float, repeats: int) -> bool:
    """Whether most of the repeats at `rate` passed."""
    runs = [s for s in steps if s["rate"] == rate]
    return len(runs) == repeats and 2 * sum(s["passed"] for s in runs) > repeats


def _highest(steps: list[dict[str, Any]], repeat: int, rates: tuple[float, ...]) -> float:
    """The highest rate that repeat `repeat` passed, every lower rate passed too."""
    best = 0.0
    for rate in rates:
        run = next((s for s in steps if s["rate"] == rate and s["repeat"] == repeat), None)
        if run is None or not run["passed"]:
            break
        best = rate
    return best


def comparisons(results: dict[str, Any], size: Size) -> list[Comparison]:
    """Ours against the peer, paired by repeat: the highest rate passed, and at every rate
    both ran in full the INVITE -> 200 p99 and the B2BUA's CPU per call."""
    ours, peer = results["ours"]["steps"], results["peer"]["steps"]
    name = "sippy peer B2BUA, non-blocking NG (bench/_sip_peer.py)"
    out = [compare("highest rate passed", "calls/s",
                   [_highest(ours, r, size.rates) for r in range(size.repeats)],
                   [_highest(peer, r, size.rates) for r in range(size.repeats)],
                   peer_name=name, higher_is_better=True)]
    for rate in size.rates:
        o = sorted((s for s in ours if s["rate"] == rate), key=lambda s: s["repeat"])
        p = sorted((s for s in peer if s["rate"] == rate), key=lambda s: s["repeat"])
        if len(o) != size.repeats or len(p) != size.repeats:
            continue
        out.append(compare(f"p99 INVITE -> 200 at {rate:g} calls/s", "ms",
                           [s["p99_ms"] for s in o], [s["p99_ms"] for s in p],
                           peer_name=name, higher_is_better=False))
        out.append(compare(f"B2BUA CPU per call at {rate:g} calls/s", "ms",
                           [s["cpu_ms_per_call"] for s in o], [s["cpu_ms_per_call"] for s in p],
                           peer_name=name, higher_is_better=False))
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
    parser.add_argument("--quick", action="store_true", help="reduced size, about a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rates", type=float, nargs="+", help="calls/s of the rate steps")
    parser.add_argument("--seconds", type=float, help="seconds of calls per rate step")
    parser.add_argument("--hold", type=float, help="seconds each call of the rate run holds")
    parser.add_argument("--concurrent", type=int, help="calls held at once")
    parser.add_argument("--repeats", type=int, help="runs of each B2BUA per rate [3; 2 quick]")
    parser.add_argument("--speak", action=argparse.BooleanOptionalAction,
                        help="callers of the rate run send RTP [on]")
    parser.add_argument("--only", choices=("ours", "peer"), help="measure one B2BUA only")
    parser.add_argument("--workdir", type=Path, help="keep logs and sipp's files here")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    changes: dict[str, Any] = {k: v for k, v in (
        ("rates", tuple(args.rates) if args.rates else None), ("seconds", args.seconds),
        ("hold", args.hold), ("concurrent", args.concurrent), ("speak", args.speak),
        ("repeats", args.repeats))
        if v is not None}
    size = replace(size, **changes)
    if any(r <= 0 for r in size.rates) or size.seconds <= 0 or size.hold <= 0 \
            or size.concurrent < 1 or size.repeats < 1:
        parser.error("--rates, --seconds, --hold, --concurrent and --repeats must be positive")
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
    path = None
    if "comparisons" in results:
        path = record("sip", [Comparison(**c) for c in results["comparisons"]],
                      quick=args.quick, details=results)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    table = Table(title=f"SIP: rate steps of {size.seconds:g} s, calls hold {size.hold:g} s, "
                        f"{size.repeats} repeats per B2BUA and rate, alternating",
                  caption="latency: INVITE -> 200 at sipp; CPU: the B2BUA process (rtpengine "
                          "apart) per call")
    for col in ("B2BUA", "calls/s", "repeat", "calls", "failed", "p50 ms", "p99 ms", "max ms",
                "CPU ms/call", "rtpengine ms/call", "load"):
        table.add_column(col, justify="right")
    for name in who:
        for s in results[name]["steps"]:
            table.add_row(name, f"{s['rate']:g}", str(s["repeat"] + 1), str(s["calls"]),
                          str(s["failed"]), f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}",
                          f"{s['max_ms']:.1f}", f"{s['cpu_ms_per_call']:.2f}",
                          f"{s['rtpengine_cpu_ms_per_call']:.2f}", f"{s['load']:.2f}")
    Console(width=max(120, Console().width)).print(table)
    for name in who:
        r, c = results[name], results[name]["concurrency"]
        print(f"{name}: highest rate that most repeats passed (no failed call, p99 < 200 ms): "
              f"{r['rate']:g} calls/s; {c['concurrent']} held calls: rtpengine listed "
              f"{c['listed']}, media to {c['flowing']}, {c['failed']} failed; cores while "
              f"held: B2BUA {c['b2bua_cores']:.2f}, rtpengine {c['rtpengine_cores']:.2f} "
              f"(load {c['load']:.2f})")
    for c in results.get("comparisons", []):
        print(f"{c['name']}: ours {c['ours']:.2f}, peer {c['peer']:.2f} {c['unit']} (medians); "
              f"ours better by {c['ratio']:.2f}x ({c['low']:.2f}-{c['high']:.2f}x over "
              f"{c['repeats']} repeats)")
    print("target: 100 calls/s with no failed call and p99 < 200 ms, 1,000 held media calls")
    if path is not None:
        print(f"recorded in {path}")


if __name__ == "__main__":
    main()
