"""Routing benchmark: the engine against a per-queue ACD, the same event stream, same run.

10,000 agents, 500 queues, 100 skills; every agent is a member of 8 queues (about 160
members a queue), at tier 1 or 2, and has their skills; every queue is longest-idle.
Calls arrive as a Poisson stream at 90 % of capacity, agents answer after 0.5 s, talk
an exponential 180 s and wrap up 5 s (a timer of the router's). The run starts with
the agents already 90 % busy (as many calls as the steady state holds arrive in the
first 10 s), warms up, and then times every `handle()` and the `next_deadline()` that
follows it, as a shell calls them.

The peer (`_acd_router.py`) is what a plain ACD does, like Asterisk's app_queue: an
arriving call loops over its queue's members (tiers first, then longest idle), a freed
agent takes the oldest call at the heads of its queues' lines. It emits the engine's
commands, and the run fails unless both give the same commands for every event (the
same agent for every call). With the compiled core (`.venv-compiled`), the peer is
compiled with mypyc too (once, under build/bench-peer/); with plain Python, neither is.
Repeats alternate the order (ours, peer; peer, ours; ...).

    python bench/routing.py            # 300 s warm-up, 300 s timed, 3 repeats
    python bench/routing.py --quick    # 60 s warm-up, 30 s timed, 2 repeats
    python bench/routing.py --json     # one JSON object: ours, the peer, the ratios
"""

from __future__ import annotations

import argparse
import heapq
import importlib
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _builds import core_compiled, load_compiled  # noqa: E402
from _results import ROOT, Comparison, compare, record  # noqa: E402
from callcenter.core.agent_state import AgentState  # noqa: E402
from callcenter.core.commands import AgentStateChanged, Command, Connect, OfferToAgent  # noqa: E402
from callcenter.core.config import (  # noqa: E402
    AgentConfig,
    Membership,
    QueueConfig,
    SkillRequirement,
)
from callcenter.core.engine import Engine  # noqa: E402
from callcenter.core.events import (  # noqa: E402
    AgentHungUp,
    AgentLogin,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)
from callcenter.tuning import tuned_gc  # noqa: E402


class RouterLike(Protocol):
    def handle(self, event: Event, now: float) -> list[Command]: ...
    def next_deadline(self) -> float | None: ...


@dataclass(frozen=True)
class Size:
    agents: int
    queues: int
    skills: int
    memberships: int
    warmup: float
    measure: float
    repeats: int


FULL = Size(10_000, 500, 100, 8, 300.0, 300.0, 3)
QUICK = Size(10_000, 500, 100, 8, 60.0, 30.0, 2)
AHT = 180.0
WRAP = 5.0
ANSWER_DELAY = 0.5
LOAD = 0.9
PREFILL = 10.0  # seconds over which the steady state's calls in progress arrive
OCCUPANCY_RANGE = (0.85, 0.95)  # at the start of timing; else the run fails


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


@dataclass(frozen=True)
class Stream:
    """The calls of a run: arrival time, queue and talk time of each, sorted by arrival."""

    times: list[float]
    queues: list[str]
    talk: list[float]


def calls(size: Size, seed: int) -> Stream:
    """Poisson arrivals at LOAD of capacity, plus the steady state's calls in progress
    (LOAD x agents in all) arriving over the first PREFILL seconds."""
    rng = np.random.default_rng(seed + 1)
    rate = LOAD * size.agents / (AHT + WRAP + ANSWER_DELAY)
    horizon = size.warmup + size.measure
    poisson = rng.uniform(0.0, horizon, int(rng.poisson(rate * horizon)))
    # The steady state holds LOAD x agents calls in progress; the Poisson stream brings
    # rate x PREFILL of them during the prefill.
    prefill = rng.uniform(0.0, PREFILL, round(LOAD * size.agents - rate * PREFILL))
    times = np.sort(np.concatenate([poisson, prefill]))
    queues = rng.integers(0, size.queues, len(times))
    talk = rng.exponential(AHT, len(times))
    return Stream(times.tolist(), [f"q{int(q)}" for q in queues], talk.tolist())


@dataclass
class Run:
    """What one router did with the stream, and how long it took."""

    build_s: float
    events: int  # timed events
    handle_ns: int
    deadline_ns: int
    latency_ns: list[int]  # handle() + next_deadline(), per timed event
    decision_ns: list[int]  # the same, for timed events that offered a call
    occupancy_start: float
    occupancy_mean: float
    waited: int  # timed arrivals that found no agent available
    digests: list[int]  # hash of (time, event, commands), per event
    decisions: list[tuple[str, str]]  # (call, agent) of every offer, in order

    def figures(self) -> dict[str, float]:
        lat = np.array(self.latency_ns, dtype=np.float64) / 1e3
        dec = np.array(self.decision_ns, dtype=np.float64) / 1e3
        busy_s = (self.handle_ns + self.deadline_ns) / 1e9
        return {
            "events": float(self.events),
            "decisions": float(len(dec)),
            "events_per_s": self.events / busy_s,
            "decision_p50_us": float(np.percentile(dec, 50)),
            "decision_p99_us": float(np.percentile(dec, 99)),
            "event_p50_us": float(np.percentile(lat, 50)),
            "event_p99_us": float(np.percentile(lat, 99)),
            "event_max_us": float(lat.max()),
            "next_deadline_ns": self.deadline_ns / self.events,
            "occupancy_start": self.occupancy_start,
            "occupancy_mean": self.occupancy_mean,
            "waited": float(self.waited),
            "build_s": self.build_s,
        }


def clock_cost() -> int:
    """What one reading of the thread's CPU clock adds to an interval (ns, the median)."""
    clock = time.thread_time_ns
    gaps = []
    for _ in range(2001):
        t0 = clock()
        gaps.append(clock() - t0)
    return int(statistics.median(gaps))


def drive(router: RouterLike, agents: list[AgentConfig], stream: Stream, size: Size,
          build_s: float) -> Run:
    """Feed the stream to `router` in a closed loop (offers are accepted, calls hang up
    after their talk time); after the warm-up, take the CPU time of every `handle()` and
    of the `next_deadline()` after it (the thread's clock, so that the other work on a
    shared machine does not count; the clock's own cost is taken off)."""
    clock = time.thread_time_ns
    tick = clock_cost()
    horizon = size.warmup + size.measure
    times, queues, talk = stream.times, stream.queues, stream.talk
    n_calls = len(times)
    reactions: list[tuple[float, int, Event]] = []
    seq = 0
    talk_of: dict[str, float] = {}
    available: set[str] = set()
    logged_in = 0
    run = Run(build_s, 0, 0, 0, [], [], 0.0, 0.0, 0, [], [])
    busy_area = 0.0
    last_t = size.warmup
    timing = False
    j = 0  # next agent to log in (all at time 0, before the first call)
    i = 0  # next arrival
    ev: Event
    deadline = router.next_deadline()
    while True:
        if j < len(agents):
            now, ev = 0.0, AgentLogin(agents[j].id)
            j += 1
        else:
            now = horizon
            source = 0
            if deadline is not None and deadline < now:
                now, source = deadline, 1
            if reactions and reactions[0][0] < now:
                now, source = reactions[0][0], 2
            if i < n_calls and times[i] < now:
                now, source = times[i], 3
            if source == 0:
                break
            if source == 1:
                ev = TimerExpired()
            elif source == 2:
                ev = heapq.heappop(reactions)[2]
            else:
                iid = f"c{i + 1}"
                talk_of[iid] = talk[i]
                ev = InteractionArrived(iid, queues[i])
                i += 1
        if not timing and now >= size.warmup:
            timing = True
            run.occupancy_start = 1.0 - len(available) / logged_in
        t0 = clock()
        cmds = router.handle(ev, now)
        t1 = clock()
        deadline = router.next_deadline()
        t2 = clock()
        decided = False
        for c in cmds:
            if isinstance(c, AgentStateChanged):
                if c.state == AgentState.AVAILABLE:
                    available.add(c.agent_id)
                else:
                    available.discard(c.agent_id)
            elif isinstance(c, OfferToAgent):
                decided = True
                run.decisions.append((c.interaction_id, c.agent_id))
                seq += 1
                heapq.heappush(reactions, (now + ANSWER_DELAY, seq,
                                       OfferAccepted(c.agent_id, c.interaction_id)))
            elif isinstance(c, Connect):
                seq += 1
                heapq.heappush(reactions, (now + talk_of.pop(c.interaction_id), seq,
                                       AgentHungUp(c.agent_id, c.interaction_id)))
        if isinstance(ev, AgentLogin):
            logged_in += 1
        run.digests.append(hash((now, ev, tuple(cmds))))
        if timing:
            busy_area += (logged_in - len(available)) * (now - last_t)
            last_t = now
            handle_ns = max(0, t1 - t0 - tick)
            deadline_ns = max(0, t2 - t1 - tick)
            run.events += 1
            run.handle_ns += handle_ns
            run.deadline_ns += deadline_ns
            run.latency_ns.append(handle_ns + deadline_ns)
            if decided:
                run.decision_ns.append(handle_ns + deadline_ns)
            elif isinstance(ev, InteractionArrived):
                run.waited += 1
    busy_area += (logged_in - len(available)) * (horizon - last_t)
    run.occupancy_mean = busy_area / (logged_in * size.measure)
    return run


# ---------------------------------------------------------------------- checks and report

def load_peer(compiled: bool) -> ModuleType:
    """The peer module: plain Python, or compiled with mypyc like the engine."""
    return load_compiled("_acd_router") if compiled else importlib.import_module("_acd_router")


def check_same(ours: Run, peer: Run) -> None:
    """Fail unless both gave the same commands for every event (so the same agent for
    every call), and the warm-up reached the stated occupancy."""
    if ours.decisions != peer.decisions:
        n = next((k for k, (a, b) in enumerate(zip(ours.decisions, peer.decisions,
                                                   strict=False)) if a != b),
                 min(len(ours.decisions), len(peer.decisions)))
        mine = ours.decisions[n] if n < len(ours.decisions) else None
        theirs = peer.decisions[n] if n < len(peer.decisions) else None
        raise SystemExit(f"decision {n + 1} differs: engine {mine}, peer {theirs}")
    if ours.digests != peer.digests:
        n = next(k for k, (a, b) in enumerate(zip(ours.digests, peer.digests, strict=False))
                 if a != b) if len(ours.digests) == len(peer.digests) else -1
        raise SystemExit(f"the commands differ at event {n} (of {len(ours.digests)}; the "
                         f"peer had {len(peer.digests)} events), with the same decisions")
    low, high = OCCUPANCY_RANGE
    for name, run in (("engine", ours), ("peer", peer)):
        if not low <= run.occupancy_start <= high:
            raise SystemExit(f"{name}: occupancy {run.occupancy_start:.1%} at the start of "
                             f"timing, outside {low:.0%}-{high:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 s warm-up, 30 s timed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, help="paired repeats (default: 3, quick 2)")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    repeats = args.repeats or size.repeats
    compiled = core_compiled()
    peer_module = load_peer(compiled)
    queues, agents = build(size, args.seed)
    stream = calls(size, args.seed)

    def make(name: str) -> tuple[RouterLike, float]:
        t0 = time.perf_counter()
        router: RouterLike = (Engine(queues, agents) if name == "engine"
                              else peer_module.QueueRouter(queues, agents))
        return router, time.perf_counter() - t0

    runs: dict[str, list[Run]] = {"engine": [], "peer": []}
    first: Run | None = None  # the first run's commands: every later run must match them
    for r in range(repeats):
        order = ("engine", "peer") if r % 2 == 0 else ("peer", "engine")
        for name in order:
            router, build_s = make(name)
            with tuned_gc():  # the same for both: freeze the built indexes
                run = drive(router, agents, stream, size, build_s)
            del router
            print(f"repeat {r + 1}/{repeats}: {name}: {run.events:,} events timed, occupancy "
                  f"{run.occupancy_start:.1%} at the start of timing, {run.occupancy_mean:.1%} "
                  f"over it, {run.waited} of the timed calls waited", file=sys.stderr)
            runs[name].append(run)
        check_same(runs["engine"][r], runs["peer"][r])
        if first is None:
            first = runs["engine"][r]
        else:
            check_same(first, runs["engine"][r])
            for run in (runs["engine"][r], runs["peer"][r]):  # keep only the figures
                run.digests, run.decisions = [], []

    ours = [run.figures() for run in runs["engine"]]
    peer = [run.figures() for run in runs["peer"]]
    build_name = "compiled" if compiled else "interpreted"
    peer_name = f"per-queue ACD ({build_name})"
    comparisons: list[Comparison] = [
        compare("throughput", "events/CPU-s", [f["events_per_s"] for f in ours],
                [f["events_per_s"] for f in peer], peer_name=peer_name, higher_is_better=True),
        compare("CPU time per decision, p50", "µs", [f["decision_p50_us"] for f in ours],
                [f["decision_p50_us"] for f in peer], peer_name=peer_name,
                higher_is_better=False),
        compare("CPU time per decision, p99", "µs", [f["decision_p99_us"] for f in ours],
                [f["decision_p99_us"] for f in peer], peer_name=peer_name,
                higher_is_better=False),
        compare("next_deadline()", "ns CPU/call", [f["next_deadline_ns"] for f in ours],
                [f["next_deadline_ns"] for f in peer], peer_name=peer_name,
                higher_is_better=False),
    ]
    details: dict[str, object] = {
        "build": build_name, "size": asdict(size), "seed": args.seed,
        "calls": len(stream.times), "same_commands_every_event": True,
        "ours": ours, "peer": peer,
    }
    path = record("routing" if compiled else "routing-interpreted", comparisons,
                  quick=args.quick, details=details)
    if args.json:
        print(json.dumps({"comparisons": [asdict(c) for c in comparisons], **details},
                         indent=2))
        return
    report(size, build_name, repeats, ours, peer, comparisons)
    print(f"recorded in {path.relative_to(ROOT)}")


def report(size: Size, build_name: str, repeats: int, ours: list[dict[str, float]],
           peer: list[dict[str, float]], comparisons: list[Comparison]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Routing ({build_name}): {size.agents:,} agents, {size.queues} queues, "
                        f"{size.memberships} queues per agent; medians of {repeats} repeats; "
                        "CPU time of handle() + next_deadline()")
    for col in ("router", "events timed", "occupancy start / mean", "events/CPU-s",
                "decision p50 µs", "decision p99 µs", "event p99 µs", "max µs",
                "next_deadline ns"):
        table.add_column(col, justify="right")
    for name, figs in (("engine", ours), ("per-queue ACD", peer)):
        def med(key: str, figs: list[dict[str, float]] = figs) -> float:
            return statistics.median(f[key] for f in figs)
        table.add_row(name, f"{med('events'):,.0f}",
                      f"{med('occupancy_start'):.1%} / {med('occupancy_mean'):.1%}",
                      f"{med('events_per_s'):,.0f}", f"{med('decision_p50_us'):.1f}",
                      f"{med('decision_p99_us'):.1f}", f"{med('event_p99_us'):.1f}",
                      f"{med('event_max_us'):,.0f}", f"{med('next_deadline_ns'):,.0f}")
    console = Console()
    if not console.is_terminal:
        console.width = 160
    console.print(table)
    print("Both routers gave the same commands for every event (the same agent for every "
          "call) in every repeat.")
    for c in comparisons:
        print(f"{c.name}: ours {c.ours:,.2f} {c.unit}, peer {c.peer:,.2f}; ours better by "
              f"{c.ratio:.2f}x (repeats {c.low:.2f}-{c.high:.2f}x)")


if __name__ == "__main__":
    main()
