"""Predictive dialer benchmark: ours against VICIdial's three ADAPT methods and progressive.

Teams of 10, 50 and 100 agents; a campaign whose live-answer rate swings over each day
(30 % times 1.0, 0.6, 1.4, 0.8 over the quarters of the shift, times a factor per day
drawn in 0.8 to 1.2), answering machines 15 %, busy 10 %, the rest ring out at 30 s;
mean time to answer 12 s (gamma), talk 180 s (lognormal), a variable wrap-up
(lognormal, mean 15 s); a live answer that finds no agent within 2 s is dropped. Every
dialer meets the same callees for a seed (common random numbers) and is asked once a
second how many calls to launch (`callcenter.sim.outbound`).

1. Training: each ADAPT method (ADAPT_AVERAGE, ADAPT_TAPERED, ADAPT_HARD_LIMIT, as
   `callcenter.core.dialer.pacing` emulates them) is tuned per team on the training
   seeds by a grid over its documented settings (adaptive_maximum_level,
   adaptive_intensity, adaptive_dropped_percentage): the most talk time whose worst
   calendar-day drop rate stays at or under 3 % on every training seed.
2. Held out: every dialer, the ADAPT methods as tuned, ours with its defaults but
   started from wrong estimates (live-answer rate and talk time each off by 30 %, the
   sign combinations in turn over the seeds), on other seeds: talk minutes per
   agent-hour and drop rates, mean ± 95 % CI over seeds (Student's t); the worst
   calendar day, the worst trailing 24 h and 30 d windows at any instant.

Each dialer is held to the windows it claims to keep (the ADAPT methods: the calendar
day, which is what they steer; progressive and ours: every calendar day, every trailing
24 h and 30 d window). A peer over 3 % on one of them is reported in red; ours over
3 % fails the run (exit 1). Figures are recorded through `bench/_results.py`, per team:
ours against the peer with the most held-out talk that kept its claims, and also
against the one with the most talk overall when that one broke them.

    python bench/dialer.py --jobs 2   # 30 days of 1-hour shifts, 3 held-out seeds
    python bench/dialer.py --quick    # 1 day of a 1-hour shift, 2 held-out seeds
    python bench/dialer.py --json     # one JSON object with every figure
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from rich.console import Console
from rich.table import Table

from _dialer_runs import (
    ADAPT_MODES,
    CAP,
    CLAIMS,
    Dialer,
    Figures,
    Task,
    broken,
    mean_ci,
    run,
    wrong_priors,
)
from _results import Comparison, compare, record
from callcenter.core.dialer.pacing import AdaptSettings

TEAMS = (10, 50, 100)


@dataclass(frozen=True)
class Plan:
    """How much to run."""

    days: int
    shift_hours: float
    training_days: int
    training_seeds: tuple[int, ...]
    held_out_seeds: tuple[int, ...]
    levels: tuple[float, ...]
    intensities: tuple[float, ...]
    dropped: tuple[float, ...]


FULL = Plan(days=30, shift_hours=1.0, training_days=1, training_seeds=(11, 12),
            held_out_seeds=(21, 22, 23), levels=(1.0, 1.25, 1.5, 2.0, 3.0),
            intensities=(0.0, 40.0), dropped=(1.0, 2.0, 3.0))
QUICK = Plan(days=1, shift_hours=1.0, training_days=1, training_seeds=(11,),
             held_out_seeds=(21, 22), levels=(1.0, 1.25, 2.0), intensities=(0.0,),
             dropped=(1.0, 3.0))


def grid(plan: Plan) -> list[AdaptSettings]:
    """The ADAPT settings tried in training (level 1.0, one line per agent, only once: it
    never drops whatever the other settings)."""
    return [AdaptSettings(dropped_percentage=d, maximum_level=m, intensity=i)
            for m, i, d in itertools.product(plan.levels, plan.intensities, plan.dropped)
            if m > 1.0 or (i, d) == (plan.intensities[0], plan.dropped[-1])]


def _cost(task: Task) -> float:
    return math.sqrt(task.agents) * task.days * (
        10.0 if task.dialer.kind == "predictive" else 1.0)


def run_all(tasks: list[Task], jobs: int) -> list[Figures]:
    """Every task's figures, in the order given (the longest started first)."""
    order = sorted(range(len(tasks)), key=lambda i: -_cost(tasks[i]))
    out: list[Figures] = [{} for _ in tasks]
    if jobs <= 1:
        for i in order:
            out[i] = run(tasks[i])
        return out
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        done = pool.imap(run, [tasks[i] for i in order])
        for n, (i, figures) in enumerate(zip(order, done, strict=True), 1):
            out[i] = figures
            print(f"\r{n}/{len(tasks)} runs", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _ci(values: Iterable[float], scale: float = 1.0, unit: str = "") -> str:
    mean, half = mean_ci([scale * v for v in values])
    return f"{mean:.2f} ± {half:.2f}{unit}"


def train(plan: Plan, jobs: int, console: Console | None
          ) -> tuple[dict[tuple[int, str], AdaptSettings], list[Figures]]:
    """Per team and ADAPT method: the best settings of the grid on the training seeds."""
    settings = grid(plan)
    keys = list(itertools.product(TEAMS, ADAPT_MODES, range(len(settings))))
    tasks = [Task(Dialer(mode, adapt=settings[k]), team, plan.training_days,
                  plan.shift_hours, seed)
             for team, mode, k in keys for seed in plan.training_seeds]
    results = iter(run_all(tasks, jobs))
    rows: list[Figures] = []
    best: dict[tuple[int, str], tuple[tuple[bool, float], int]] = {}
    for team, mode, k in keys:
        runs = [next(results) for _ in plan.training_seeds]
        talk = sum(float(r["talk"]) for r in runs) / len(runs)
        worst_day = max(float(r["day"]) for r in runs)
        ok = worst_day <= CAP
        rows.append({"agents": team, "dialer": mode, **asdict(settings[k]), "talk": talk,
                     "worst_day": worst_day, "within_cap": ok})
        score = (ok, talk if ok else -worst_day)
        if (team, mode) not in best or score > best[(team, mode)][0]:
            best[(team, mode)] = (score, k)
    chosen = {key: settings[k] for key, (_, k) in best.items()}
    if console is not None:
        table = Table(title=f"Training: ADAPT settings on seeds {list(plan.training_seeds)}, "
                            f"{plan.training_days} x {plan.shift_hours:g} h "
                            "(* chosen: most talk with every calendar day <= 3 %)")
        for heading in ("agents", "dialer", "max level", "intensity", "drop % target",
                        "talk min / agent-h", "worst day drops"):
            table.add_column(heading, justify="right")
        for row in rows:
            pick = chosen[(int(row["agents"]), str(row["dialer"]))]
            mark = "*" if (pick.maximum_level, pick.intensity, pick.dropped_percentage) == (
                row["maximum_level"], row["intensity"], row["dropped_percentage"]) else ""
            table.add_row(str(row["agents"]), f"{mark}{row['dialer']}",
                          f"{row['maximum_level']:g}", f"{row['intensity']:g}",
                          f"{row['dropped_percentage']:g}", f"{row['talk']:.2f}",
                          ("" if row["within_cap"] else "[red]")
                          + _pct(float(row["worst_day"])))
        console.print(table)
    return chosen, rows


def held_out(plan: Plan, chosen: dict[tuple[int, str], AdaptSettings], jobs: int
             ) -> dict[int, dict[str, list[Figures]]]:
    """Per team and dialer: the figures of each held-out seed."""
    keys: list[tuple[int, str, int]] = []
    tasks: list[Task] = []
    for team in TEAMS:
        for index, seed in enumerate(plan.held_out_seeds):
            dialers = [Dialer("progressive"),
                       *(Dialer(mode, adapt=chosen[(team, mode)]) for mode in ADAPT_MODES),
                       Dialer("predictive", priors=wrong_priors(index))]
            for dialer in dialers:
                keys.append((team, dialer.kind, seed))
                tasks.append(Task(dialer, team, plan.days, plan.shift_hours, seed))
    out: dict[int, dict[str, list[Figures]]] = {}
    for (team, kind, seed), figures in zip(keys, run_all(tasks, jobs), strict=True):
        out.setdefault(team, {}).setdefault(kind, []).append({"seed": seed, **figures})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 day of a 1-hour shift, 2 held-out seeds, a smaller grid")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--hours", type=float, help="shift hours (full 1, quick 1)")
    parser.add_argument("--days", type=int, help="held-out days (full 30, quick 1)")
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    if options.hours:
        plan = replace(plan, shift_hours=options.hours)
    if options.days:
        plan = replace(plan, days=options.days)
    console = Console(stderr=options.json)
    if not console.is_terminal:
        console.width = 150
    start, cpu = time.perf_counter(), time.process_time()
    chosen, training = train(plan, options.jobs, console)
    figures = held_out(plan, chosen, options.jobs)

    failures: list[str] = []
    peer_breaches: list[str] = []
    comparisons: list[Comparison] = []
    summary: Figures = {}
    for team, by_dialer in figures.items():
        table = Table(title=f"Held out: {team} agents, seeds {list(plan.held_out_seeds)}, "
                            f"{plan.days} days x {plan.shift_hours:g} h; mean ± 95 % CI over "
                            "seeds, worst = over seeds")
        for heading in ("dialer", "talk min / agent-h", "drop rate (run)", "day rates",
                        "worst day", "worst 24 h", "worst 30 d", "claims", "kept"):
            table.add_column(heading, justify="right")
        team_summary: Figures = {}
        for kind, runs in by_dialer.items():
            talk = [float(r["talk"]) for r in runs]
            rate = [float(r["drop_rate"]) for r in runs]
            days = [d for r in runs for d in r["day_rates"]]
            worst = {w: max(float(r[w]) for r in runs)
                     for w in ("day", "24h", "30d")}
            bad = sorted({w for r in runs for w in broken(kind, r)})
            table.add_row(
                kind, _ci(talk), _ci(rate, 100, " %"), _ci(days, 100, " %"),
                *((("[red]" if worst[w] > CAP else "") + _pct(worst[w]))
                  for w in ("day", "24h", "30d")),
                ", ".join(CLAIMS[kind]),
                "[red]no: " + ", ".join(bad) if bad else "yes")
            team_summary[kind] = {
                "talk": mean_ci(talk), "drop_rate": mean_ci(rate), "day_rate": mean_ci(days),
                "worst": worst, "claims": list(CLAIMS[kind]), "broken": bad,
                "settings": asdict(chosen[(team, kind)]) if kind in ADAPT_MODES else None,
                "runs": runs}
        console.print(table)
        kept = {k: not team_summary[k]["broken"] for k in by_dialer}
        new_comparisons, peer = team_comparisons(team, by_dialer, kept)
        comparisons += new_comparisons
        ours_talk = [float(r["talk"]) for r in by_dialer["predictive"]]
        for c in new_comparisons:
            if c.name.startswith("talk"):
                console.print(f"{team} agents: ours {_ci(ours_talk)} talk min / agent-h "
                              f"against {c.peer_name}: {c.ratio:.3f}× "
                              f"(per seed {c.low:.3f}–{c.high:.3f}×)")
        summary[str(team)] = {"best_peer": peer, **team_summary}
        # A peer over the cap it claims is a finding about that peer, reported above;
        # only ours going over the windows it claims fails the run.
        failures += [f"ours, {team} agents: {w} over 3 %"
                     for w in team_summary["predictive"]["broken"]]
        peer_breaches += [f"{kind}, {team} agents: {w} over 3 %"
                          for kind in by_dialer if kind != "predictive"
                          for w in team_summary[kind]["broken"]]

    elapsed, cpu_used = time.perf_counter() - start, time.process_time() - cpu
    details = {"plan": asdict(plan), "teams": list(TEAMS), "cap": CAP,
               "training": training, "held_out": summary, "failures": failures,
               "wall_seconds": elapsed, "main_cpu_seconds": cpu_used, "jobs": options.jobs}
    path = record("dialer", comparisons, quick=options.quick, details=details)
    console.print(f"{elapsed:.0f} s; recorded in {path}")
    if options.json:
        print(json.dumps({"benchmark": "dialer", "comparisons": [asdict(c) for c in comparisons],
                          **details}))
    if peer_breaches:
        console.print("[bold red]peers over the cap they claim to keep:[/] "
                      + "; ".join(peer_breaches))
    if failures:
        console.print("[bold red]drop cap broken by ours:[/] " + "; ".join(failures))
        return 1
    console.print("[bold green]ours kept every window it claims[/]")
    return 0


def team_comparisons(
    team: int, by_dialer: dict[str, list[Figures]], kept: dict[str, bool],
) -> tuple[list[Comparison], str]:
    """Ours against the peer with the most held-out talk that kept its claims, and also
    against the peer with the most talk overall when that one broke them."""
    def talk(kind: str) -> float:
        return mean_ci([float(r["talk"]) for r in by_dialer[kind]])[0]

    peers = [k for k in by_dialer if k != "predictive"]
    best = max(peers, key=talk)
    lawful = [k for k in peers if kept[k]]
    chosen = [max(lawful, key=talk)] if lawful else []
    if best not in chosen:
        chosen.append(best)
    comparisons: list[Comparison] = []
    for peer in chosen:
        label = peer if kept[peer] else f"{peer} (over its cap)"
        comparisons.append(compare(
            f"talk, {team} agents", "min/agent-h",
            [float(r["talk"]) for r in by_dialer["predictive"]],
            [float(r["talk"]) for r in by_dialer[peer]],
            peer_name=label, higher_is_better=True))
        comparisons.append(compare(
            f"drop rate, {team} agents", "%",
            [100 * float(r["drop_rate"]) for r in by_dialer["predictive"]],
            [100 * float(r["drop_rate"]) for r in by_dialer[peer]],
            peer_name=label, higher_is_better=False))
    return comparisons, chosen[0]


if __name__ == "__main__":
    sys.exit(main())
