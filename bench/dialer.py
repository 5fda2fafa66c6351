"""Predictive dialer benchmark: our pacer against VICIdial's ADAPT_AVERAGE and progressive.

The same traffic for every dialer (common random numbers: attempt k of a run meets
the same callee whatever the dialer): 50 agents on 8-hour shifts, live-answer
rate 30 %, answering machines 15 %, busy 10 %, the rest ring out at 30 s; mean
time to answer 12 s (gamma), mean talk 180 s (lognormal), wrap-up 15 s; a live
answer that finds no agent within 2 s is dropped. Each dialer is asked once a
second how many calls to launch (`callcenter.sim.outbound`). The peer is
ADAPT_AVERAGE as VICIdial documents and implements it (`AdaptAverage`), in the
same simulator.

Figures per dialer: talk minutes per agent-hour, the worst drop rate of any
trailing 24 h window (at any instant, from the first live answer on), the drop
rate over the run (at most 30 days: the 30-day rate), calls dialed, live answers,
drops. Target: drops <= 3.0 % in every 24 h window and >= 52 talk minutes per
agent-hour, ahead of ADAPT_AVERAGE at an equal or lower drop rate.

    python bench/dialer.py            # 5 simulated days
    python bench/dialer.py --quick    # 1 simulated day of a 4-hour shift, under 30 s
    python bench/dialer.py --json     # one JSON object: every dialer, ratios
"""

from __future__ import annotations

import argparse
import json
import time

from rich.console import Console
from rich.table import Table

from callcenter.core.dialer import pacing
from callcenter.core.dialer.pacing import AdaptAverage, Pacer, Predictive, Progressive
from callcenter.sim.outbound import OutboundResult, OutboundScenario, simulate

AGENTS = 50
FULL_DAYS = 5
QUICK_DAYS = 1
QUICK_SHIFT_HOURS = 4
SEED = 20240601
CAP = 0.03
TARGET_TALK = 52.0


def figures(result: OutboundResult, seconds: float, cpu: float) -> dict[str, float | int]:
    """The benchmark's figures for one run (wall and CPU seconds: the CPU time is steadier
    on a machine shared with other work)."""
    return {
        "talk_minutes_per_agent_hour": result.talk_minutes_per_agent_hour,
        "worst_24h_drop_rate": result.worst_rate(),
        "drop_rate_30d": result.drop_rate,
        "dialed": result.dialed,
        "live_answers": result.lives,
        "drops": result.drops,
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def compiled() -> bool:
    """True when the dialer core runs compiled (a mypyc build, `.venv-compiled`)."""
    return str(pacing.__file__).endswith((".so", ".pyd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 simulated day of a 4-hour shift, under 30 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--days", type=int, help="simulated days (default 5, quick 1)")
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args()
    days = options.days or (QUICK_DAYS if options.quick else FULL_DAYS)
    hours = QUICK_SHIFT_HOURS if options.quick else 8
    scenario = OutboundScenario(agents=AGENTS, days=days, shift_seconds=hours * 3600.0, cap=CAP)

    pacers: list[Pacer] = [Progressive(), AdaptAverage(), Predictive()]
    results: dict[str, dict[str, float | int]] = {}
    for pacer in pacers:
        start, cpu = time.perf_counter(), time.process_time()
        result = simulate(scenario, pacer, options.seed)
        results[pacer.name] = figures(result, time.perf_counter() - start,
                                      time.process_time() - cpu)

    ours, peer = results["predictive"], results["adapt_average"]
    ratios = {
        "talk_minutes_per_agent_hour": float(ours["talk_minutes_per_agent_hour"])
        / float(peer["talk_minutes_per_agent_hour"]),
        "worst_24h_drop_rate": float(ours["worst_24h_drop_rate"])
        / max(float(peer["worst_24h_drop_rate"]), 1e-12),
        "drop_rate_30d": float(ours["drop_rate_30d"]) / max(float(peer["drop_rate_30d"]), 1e-12),
    }
    target_met = (float(ours["worst_24h_drop_rate"]) <= CAP
                  and float(ours["talk_minutes_per_agent_hour"]) >= TARGET_TALK
                  and ratios["talk_minutes_per_agent_hour"] > 1.0
                  and ratios["drop_rate_30d"] <= 1.0)

    if options.json:
        print(json.dumps({
            "benchmark": "dialer",
            "inputs": {"agents": AGENTS, "days": days, "shift_hours": hours, "live_rate": 0.30,
                       "answer_mean_s": 12.0, "talk_mean_s": 180.0, "wrap_s": 15.0,
                       "cap": CAP, "seed": options.seed, "quick": options.quick,
                       "compiled": compiled()},
            "ours": "predictive", "peer": "adapt_average",
            **results,
            "ratios_ours_vs_adapt_average": ratios,
            "target_met": target_met,
        }))
        return

    table = Table(title=f"{AGENTS} agents, {days} x {hours} h, live 30 %, cap 3 %: same callees "
                        f"for every dialer (seed {options.seed})")
    for heading in ("dialer", "talk min / agent-h", "worst 24 h drops", "drops (run)",
                    "dialed", "live answers", "drops", "wall s", "CPU s"):
        table.add_column(heading, justify="right")
    for name, f in results.items():
        worst = float(f["worst_24h_drop_rate"])
        style = "[bold red]" if worst > CAP else ""
        table.add_row(
            name, f"{f['talk_minutes_per_agent_hour']:.2f}",
            f"{style}{100 * worst:.2f} %", f"{100 * float(f['drop_rate_30d']):.2f} %",
            f"{f['dialed']:,}", f"{f['live_answers']:,}", f"{f['drops']:,}",
            f"{f['seconds']:.1f}", f"{f['cpu_seconds']:.1f}",
        )
    console = Console()
    console.print(table)
    console.print(f"core: {'compiled (mypyc)' if compiled() else 'pure Python'}")
    console.print(
        f"predictive / adapt_average: talk {ratios['talk_minutes_per_agent_hour']:.3f}×, "
        f"run drop rate {ratios['drop_rate_30d']:.3f}×, worst 24 h "
        f"{ratios['worst_24h_drop_rate']:.3f}×; target "
        f"(≤ 3 % every 24 h, ≥ {TARGET_TALK:g} min/agent-h, ahead of ADAPT_AVERAGE): "
        + ("[bold green]met[/]" if target_met else "[bold red]not met[/]"))


if __name__ == "__main__":
    main()
