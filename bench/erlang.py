"""Erlang C staffing benchmark: callcenter.wfm.staff against pyworkforce's ErlangC, same run.

The same question at 10, 100, 1,000 and 10,000 Erlangs: how many agents answer
80 % of calls within 20 s, with AHT 180 s and 30-minute intervals (so 10 calls
per interval per Erlang)? Each side returns the agent count with its service
level, occupancy and P(wait): ours is `staff(...)`, the peer's is
`ErlangC(...).required_positions(...)`. Both answers are printed and must be
identical. Time per call is the best of several rounds of repeated calls, the
two sides' rounds alternating so that both see the same machine load.

    python bench/erlang.py            # full timing budget
    python bench/erlang.py --quick    # shorter budget, under 30 s
    python bench/erlang.py --json     # one JSON object: ours, peer, ratios
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from pyworkforce.queuing import ErlangC
from rich.console import Console
from rich.table import Table

from callcenter.wfm import staff

LOADS = (10, 100, 1_000, 10_000)
AHT_SECONDS = 180.0
INTERVAL_SECONDS = 1800.0
TARGET_SL = 0.8
TARGET_SECONDS = 20.0
ROUNDS = 7


@dataclass(frozen=True)
class Answer:
    agents: int
    service_level: float
    seconds_per_call: float


def ours(erlangs: int) -> tuple[int, float]:
    calls = erlangs * INTERVAL_SECONDS / AHT_SECONDS
    result = staff(calls, INTERVAL_SECONDS, AHT_SECONDS, TARGET_SL, TARGET_SECONDS)
    return result.agents, result.service_level


def peer(erlangs: int) -> tuple[int, float]:
    # pyworkforce works in minutes; its `asa` argument is the target answer time.
    calls = erlangs * INTERVAL_SECONDS / AHT_SECONDS
    erlang = ErlangC(
        transactions=calls,
        aht=AHT_SECONDS / 60.0,
        asa=TARGET_SECONDS / 60.0,
        interval=INTERVAL_SECONDS / 60.0,
    )
    result = erlang.required_positions(service_level=TARGET_SL)
    return int(result["raw_positions"]), float(result["service_level"])


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


def compare(erlangs: int, budget: float) -> tuple[Answer, Answer]:
    """Time both sides on one load, in alternating rounds so both see the same machine load.

    The best round of each side counts; ``budget`` is the time for all rounds of one side.
    """
    mine, theirs = (lambda: ours(erlangs)), (lambda: peer(erlangs))
    my_repeats = _repeats(mine, budget / ROUNDS)
    their_repeats = _repeats(theirs, budget / ROUNDS)
    my_best = their_best = float("inf")
    for _ in range(ROUNDS):
        my_best = min(my_best, _batch(mine, my_repeats))
        their_best = min(their_best, _batch(theirs, their_repeats))
    return Answer(*ours(erlangs), my_best), Answer(*peer(erlangs), their_best)


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

    results = {erlangs: compare(erlangs, budget) for erlangs in LOADS}
    ratios = {e: p.seconds_per_call / o.seconds_per_call for e, (o, p) in results.items()}
    identical = all(o.agents == p.agents for o, p in results.values())
    peer_name = f"pyworkforce {version('pyworkforce')} ErlangC.required_positions"

    if options.json:
        def side(index: int) -> dict[str, dict[str, float | int]]:
            return {
                str(e): {
                    "agents": pair[index].agents,
                    "service_level": pair[index].service_level,
                    "seconds_per_call": pair[index].seconds_per_call,
                }
                for e, pair in results.items()
            }

        print(json.dumps({
            "benchmark": "erlang",
            "inputs": {"aht_seconds": AHT_SECONDS, "interval_seconds": INTERVAL_SECONDS,
                       "target_sl": TARGET_SL, "target_seconds": TARGET_SECONDS,
                       "quick": options.quick},
            "ours": {"name": "callcenter.wfm.staff", **side(0)},
            "peer": {"name": peer_name, **side(1)},
            "ratios": {str(e): r for e, r in ratios.items()},
            "identical_answers": identical,
        }))
        return

    table = Table(title=f"80 % in 20 s, AHT 180 s: callcenter vs {peer_name}")
    for heading in ("Erlangs", "agents ours / peer", "SL ours / peer", "ours per call",
                    "peer per call", "peer / ours"):
        table.add_column(heading, justify="right")
    for erlangs, (o, p) in results.items():
        peer_agents = str(p.agents) if o.agents == p.agents else f"[bold red]{p.agents}[/]"
        table.add_row(
            f"{erlangs:,}",
            f"{o.agents} / {peer_agents}",
            f"{o.service_level:.4f} / {p.service_level:.4f}",
            _duration(o.seconds_per_call),
            _duration(p.seconds_per_call),
            f"{ratios[erlangs]:.1f}×",
        )
    console = Console()
    if not console.is_terminal:
        console.width = 120  # logs and pipes: keep each row on one line
    console.print(table)
    console.print("answers identical" if identical else "[bold red]answers differ[/bold red]")


if __name__ == "__main__":
    main()
