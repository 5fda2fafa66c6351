"""Routing benchmark: the engine against a scan-all-agents router, same traffic, same run.

10,000 agents, 500 queues, 100 skills; every agent is a member of 8 queues and has
their skills; calls arrive as a Poisson stream at ~90 % of capacity, agents answer
after 0.5 s, talk an exponential 180 s and wrap up 5 s (the engine's timer). Each
router is driven by the same closed-loop driver with the same seed; only the
time inside `handle()` is measured, after a warm-up that fills the agents.

    python bench/routing.py            # full size
    python bench/routing.py --quick    # reduced, under 30 s
    python bench/routing.py --json     # one JSON object: ours, peer, ratios
"""

from __future__ import annotations

import argparse
import heapq
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _naive_router import NaiveRouter
from callcenter.core.commands import Command, Connect, OfferToAgent
from callcenter.core.config import (
    AgentConfig,
    Membership,
    QueueConfig,
    SkillRequirement,
)
from callcenter.core.engine import Engine
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)
from callcenter.tuning import tuned_gc


class RouterLike(Protocol):
    def handle(self, event: Event, now: float) -> list[Command]: ...
    def next_deadline(self) -> float | None: ...


@dataclass
class Size:
    agents: int
    queues: int
    skills: int
    memberships: int
    warmup: float
    measure: float


FULL = Size(10_000, 500, 100, 8, 120.0, 120.0)
QUICK = Size(10_000, 500, 100, 8, 40.0, 20.0)
AHT = 180.0
WRAP = 5.0
ANSWER_DELAY = 0.5
LOAD = 0.9


def build(size: Size, seed: int) -> tuple[list[QueueConfig], list[AgentConfig]]:
    """Queues needing 1-2 skills at levels 1-5; agents holding their queues' skills."""
    rng = np.random.default_rng(seed)
    queues = []
    for q in range(size.queues):
        n = 1 + int(rng.integers(0, 2))
        picks = rng.choice(size.skills, size=n, replace=False)
        reqs = tuple(SkillRequirement(f"s{int(s)}", int(rng.integers(1, 6))) for s in picks)
        queues.append(QueueConfig(f"q{q}", required_skills=reqs, wrap_up=WRAP,
                                  offer_timeout=20.0))
    agents = []
    for a in range(size.agents):
        mine = rng.choice(size.queues, size=size.memberships, replace=False)
        skills: dict[str, int] = {}
        members = []
        for q in mine:
            qc = queues[int(q)]
            members.append(Membership(qc.id, 1 + int(rng.integers(0, 2))))
            for r in qc.required_skills:
                skills[r.skill] = max(skills.get(r.skill, 0), int(rng.integers(r.min_level, 11)))
        agents.append(AgentConfig(f"a{a}", skills=tuple(sorted(skills.items())),
                                  queues=tuple(members)))
    return queues, agents


def drive(router: RouterLike, size: Size, agents: list[AgentConfig], seed: int,
          progress: Callable[[float], None] | None = None) -> dict[str, float]:
    """Run the closed loop; return events/s and latency percentiles of `handle()`."""
    rng = np.random.default_rng(seed + 1)
    rate = LOAD * size.agents / (AHT + WRAP + ANSWER_DELAY)
    horizon = size.warmup + size.measure
    pending: list[tuple[float, int, Event]] = []
    seq = 0

    def later(t: float, ev: Event) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(pending, (t, seq, ev))

    for a in agents:
        later(0.0, AgentLogin(a.id))
    t = 0.0
    n_calls = 0
    while t < horizon:
        t += float(rng.exponential(1.0 / rate))
        n_calls += 1
        later(t, InteractionArrived(f"c{n_calls}", f"q{int(rng.integers(0, size.queues))}"))

    lat: list[int] = []
    clock = time.perf_counter_ns
    last_report = 0.0
    while pending:
        deadline = router.next_deadline()
        if deadline is not None and deadline <= pending[0][0]:
            now, ev = deadline, TimerExpired()
        else:
            now, _, ev = heapq.heappop(pending)
        if now > horizon:
            break
        t0 = clock()
        cmds = router.handle(ev, now)
        t1 = clock()
        if now >= size.warmup:
            lat.append(t1 - t0)
        for c in cmds:
            if isinstance(c, OfferToAgent):
                later(now + ANSWER_DELAY, OfferAccepted(c.agent_id, c.interaction_id))
            elif isinstance(c, Connect):
                later(now + float(rng.exponential(AHT)), AgentHungUp(c.agent_id,
                                                                    c.interaction_id))
        if progress is not None and now - last_report >= 1.0:
            progress(now)
            last_report = now
    arr = np.array(lat, dtype=np.float64)
    total_s = arr.sum() / 1e9
    return {
        "events": float(len(arr)),
        "events_per_s": len(arr) / total_s if total_s else 0.0,
        "p50_ms": float(np.percentile(arr, 50) / 1e6),
        "p99_ms": float(np.percentile(arr, 99) / 1e6),
        "max_ms": float(arr.max() / 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced size, under 30 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    queues, agents = build(size, args.seed)

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    err = Console(stderr=True)
    results: dict[str, dict[str, float]] = {}
    with Progress(console=err, transient=True) as bar:
        horizon = size.warmup + size.measure
        for name, make in (("engine", lambda: Engine(queues, agents)),
                           ("naive scan", lambda: NaiveRouter.build(queues, agents))):
            task = bar.add_task(name, total=horizon)
            t0 = time.perf_counter()
            router = make()
            build_s = time.perf_counter() - t0
            # The same for both: freeze the built indexes, rarer young collections.
            with tuned_gc():
                results[name] = drive(router, size, agents, args.seed,
                                      lambda now, task=task: bar.update(task, completed=now))
            results[name]["build_s"] = build_s
            bar.update(task, completed=horizon)
    ours, peer = results["engine"], results["naive scan"]
    ratio = {
        "events_per_s": ours["events_per_s"] / peer["events_per_s"],
        "p99": peer["p99_ms"] / ours["p99_ms"],
    }
    figures = {"size": size.__dict__, "ours": ours, "peer": peer, "ratio": ratio,
               "targets": {"events_per_s": 50_000, "p99_ms": 0.5}}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    table = Table(title=f"Routing: {size.agents:,} agents, {size.queues} queues, "
                        f"{size.skills} skills, {size.memberships} queues per agent")
    for col in ("router", "events measured", "events/s", "p50 ms", "p99 ms", "max ms"):
        table.add_column(col, justify="right")
    for name, r in results.items():
        table.add_row(name, f"{r['events']:,.0f}", f"{r['events_per_s']:,.0f}",
                      f"{r['p50_ms']:.4f}", f"{r['p99_ms']:.4f}", f"{r['max_ms']:.3f}")
    Console().print(table)
    print(f"engine / naive: {ratio['events_per_s']:.1f}x events/s, "
          f"{ratio['p99']:.1f}x lower p99 (targets: >= 50,000 events/s, p99 < 0.5 ms)")


if __name__ == "__main__":
    main()
