"""Erlang C staffing benchmark: callcenter.wfm.staff against two PyPI peers, same run.

The same question at 10, 100, 1,000 and 10,000 Erlangs: how many agents answer
80 % of calls within 20 s, with AHT 180 s and 30-minute intervals (so 10 calls
per interval per Erlang)? Each side returns the agent count with its service
level. Ours is `staff(...)`; the peers are the two Erlang C staffing calculators
on PyPI that answer this question directly:

- pyworkforce's `ErlangC(...).required_positions(...)` (Erlang B recomputed from
  zero for each candidate count);
- call-center-tools' `calc_staffing(...)` (Erlang C by a product series, one
  candidate after the other from the load up). Its `max_occupancy` (default 0.85,
  a second limit) is set to 0.9999: no cap at these loads, and 1.0 itself divides
  by zero (the average speed of answer at N = A, which it computes before testing
  the service level).

Every answer must agree with ours: the same agent count and the same service level
(to 1e-9, relative); any mismatch fails the run (exit 1, naming the load and the
peer). Time per call: rounds of repeated calls, the three sides' rounds
alternating (the order rotating every round) so that they see the same machine
load; each round is one paired repeat, and `bench/_results.py` keeps the medians
and the ratio's spread over the rounds.

    python bench/erlang.py            # full timing budget
    python bench/erlang.py --quick    # shorter budget, under 30 s
    python bench/erlang.py --json     # one JSON object: answers, times, ratios
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from call_center_tools import calc_staffing
from pyworkforce.queuing import ErlangC
from rich.console import Console
from rich.table import Table

from callcenter.wfm import staff

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import Comparison, compare, record

LOADS = (10, 100, 1_000, 10_000)
AHT_SECONDS = 180.0
INTERVAL_SECONDS = 1800.0
TARGET_SL = 0.8
TARGET_SECONDS = 20.0
ROUNDS = 7
SL_TOLERANCE = 1e-9
"""Relative: the sides sum their series in different orders (they differ by ~1e-15)."""


def _calls(erlangs: int) -> float:
    return erlangs * INTERVAL_SECONDS / AHT_SECONDS


def ours(erlangs: int) -> tuple[int, float]:
    result = staff(_calls(erlangs), INTERVAL_SECONDS, AHT_SECONDS, TARGET_SL, TARGET_SECONDS)
    return result.agents, result.service_level


def pyworkforce(erlangs: int) -> tuple[int, float]:
    # pyworkforce works in minutes; its `asa` argument is the target answer time.
    erlang = ErlangC(
        transactions=_calls(erlangs),
        aht=AHT_SECONDS / 60.0,
        asa=TARGET_SECONDS / 60.0,
        interval=INTERVAL_SECONDS / 60.0,
    )
    result = erlang.required_positions(service_level=TARGET_SL)
    return int(result["raw_positions"]), float(result["service_level"])


def call_center_tools(erlangs: int) -> tuple[int, float]:
    result = calc_staffing(
        calls_per_hour=_calls(erlangs) * 3600.0 / INTERVAL_SECONDS,
        aht=AHT_SECONDS,
        max_occupancy=0.9999,
        target_answer_time=TARGET_SECONDS,
        target_service_level=TARGET_SL,
    )
    return int(result.agents), float(result.service_level)


SIDES: dict[str, Callable[[int], tuple[int, float]]] = {
    "ours": ours,
    "pyworkforce": pyworkforce,
    "call-center-tools": call_center_tools,
}


@dataclass(frozen=True)
class Side:
    agents: int
    service_level: float
    seconds_per_call: list[float]
    """One figure per round (the mean of that round's repeated calls)."""


def _repeats(call: Callable[[], object], seconds: float) -> int:
    """How many calls fill about ``seconds``, from one warm-up and one timed call."""
    call()
    start = time.perf_counter()
    call()
    return max(1, int(seconds / max(time.perf_counter() - start, 1e-7)))


def _batch(call: Callable[[], object], repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - start) / repeats


def measure(erlangs: int, budget: float) -> dict[str, Side]:
    """Every side on one load, in rounds whose order rotates; ``budget`` is the time for
    all rounds of one side."""
    names = list(SIDES)
    calls = {name: (lambda f=SIDES[name]: f(erlangs)) for name in names}
    repeats = {name: _repeats(calls[name], budget / ROUNDS) for name in names}
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(ROUNDS):
        for name in names[round_ % 3:] + names[:round_ % 3]:
            times[name].append(_batch(calls[name], repeats[name]))
    return {name: Side(*SIDES[name](erlangs), times[name]) for name in names}


def mismatches(results: dict[int, dict[str, Side]]) -> list[str]:
    """Each load and peer whose answer differs from ours, said in a line."""
    found = []
    for erlangs, sides in results.items():
        o = sides["ours"]
        for name, p in sides.items():
            if name == "ours":
                continue
            if p.agents != o.agents or not math.isclose(
                    p.service_level, o.service_level, rel_tol=SL_TOLERANCE):
                found.append(f"{erlangs:,} Erlangs: {name} answers {p.agents} agents at SL "
                             f"{p.service_level!r}, ours {o.agents} at {o.service_level!r}")
    return found


def _duration(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timing budget, under 30 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args()
    budget = 0.25 if options.quick else 1.5

    results = {erlangs: measure(erlangs, budget) for erlangs in LOADS}
    wrong = mismatches(results)
    peers = {"pyworkforce": f"pyworkforce {version('pyworkforce')} "
                            "ErlangC.required_positions",
             "call-center-tools": f"call-center-tools {version('call-center-tools')} "
                                  "calc_staffing"}
    comparisons: list[Comparison] = [
        compare(f"{erlangs:,} Erlangs", "µs per staffing",
                [s * 1e6 for s in sides["ours"].seconds_per_call],
                [s * 1e6 for s in sides[peer].seconds_per_call],
                peer_name=peers[peer], higher_is_better=False)
        for peer in peers for erlangs, sides in results.items()]
    details = {
        "inputs": {"aht_seconds": AHT_SECONDS, "interval_seconds": INTERVAL_SECONDS,
                   "target_sl": TARGET_SL, "target_seconds": TARGET_SECONDS,
                   "rounds": ROUNDS},
        "answers": {str(e): {name: {"agents": s.agents, "service_level": s.service_level}
                             for name, s in sides.items()} for e, sides in results.items()},
        "mismatches": wrong,
    }
    path = record("erlang", comparisons, quick=options.quick, details=details)

    if options.json:
        print(json.dumps({"benchmark": "erlang", **details,
                          "comparisons": [c.__dict__ for c in comparisons]}))
    else:
        console = Console()
        if not console.is_terminal:
            console.width = 140  # logs and pipes: keep each row on one line
        table = Table(title="80 % in 20 s, AHT 180 s: callcenter against two PyPI peers "
                            f"(median of {ROUNDS} rounds)")
        for heading in ("Erlangs", "agents ours / pyworkforce / cct", "ours per call",
                        "pyworkforce per call", "ratio (spread)", "cct per call",
                        "ratio (spread)"):
            table.add_column(heading, justify="right")
        by_name = {(c.name, c.peer_name): c for c in comparisons}
        for erlangs, sides in results.items():
            row = [f"{erlangs:,}", " / ".join(str(s.agents) for s in sides.values()),
                   _duration(statistics.median(sides["ours"].seconds_per_call))]
            for full in peers.values():
                c = by_name[(f"{erlangs:,} Erlangs", full)]
                row += [_duration(c.peer / 1e6), f"{c.ratio:.1f}× ({c.low:.1f}–{c.high:.1f})"]
            table.add_row(*row)
        console.print(table)
        console.print("ratio: the peer's time / ours (above 1: ours is faster); "
                      "cct = call-center-tools")
        print(f"recorded in {path}")
    if wrong:
        for line in wrong:
            print(f"answers differ: {line}", file=sys.stderr)
        sys.exit(1)
    print("answers identical (agents, and service level to 1e-9)", file=sys.stderr)


if __name__ == "__main__":
    main()
