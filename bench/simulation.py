"""Simulation benchmark: our engine + simulator against SimPy, Ciw and a bare heapq loop.

M/M/190 at 180 Erlangs: Poisson arrivals at 1 call/s, exponential handle times of mean
180 s, no abandons, no wrap-up. Ours is the full stack: `callcenter.sim` driving the
real routing `Engine` (offers, answers, one row per call and per agent-state span). The
peers model the same queue the way their documentation does: a SimPy `Resource` with
one process per caller, a Ciw network of one node; the floor is a plain heapq event
loop with a line and a count of free agents, the least any simulator must do. The
floor draws the same gaps and handle times as the SimPy model (same seed, same order),
and the run fails unless both give every call the same wait.

Every model counts calls the same way: the calls offered are those arriving before the
horizon; arrivals stop there and each model runs on until every offered call has been
answered and has ended. ASA and SL(20 s) are taken over the calls arriving after the
warm-up, and the run fails unless each model's ASA and SL lie within the 99 %
confidence interval (batch means) around its estimate of the Erlang C figures. The
figure compared is calls offered per CPU-second (`time.process_time`) of the whole
run; repeats alternate the order (ours first, then the peers; the peers, then ours).

    python bench/simulation.py            # 100,000 simulated seconds, 5 repeats
    python bench/simulation.py --quick    # 20,000 simulated seconds, 2 repeats
    python bench/simulation.py --json     # one JSON object: every model, the ratios
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _builds import core_compiled
from _results import ROOT, Comparison, compare, record
from callcenter.scenario.spec import erlang_scenario
from callcenter.sim.runner import Simulation
from callcenter.tuning import tuned_gc
from callcenter.wfm import erlang_c_measures

SERVERS = 190
RATE = 1.0  # calls per second
AHT = 180.0
SL_SECONDS = 20.0
CONFIDENCE = 0.99
DRAIN = 86_400.0  # after the horizon, the longest a model may take to end its calls


@dataclass(frozen=True)
class Size:
    horizon: float  # arrivals stop here; each model then runs until its calls have ended
    warmup: float  # calls arriving before this are simulated but not measured
    batches: int  # batch means over the measured arrivals, for the confidence intervals
    repeats: int


FULL = Size(100_000.0, 2_000.0, 20, 5)
QUICK = Size(20_000.0, 2_000.0, 6, 2)


@dataclass(frozen=True)
class Calls:
    """What a model simulated: every offered call's arrival time and wait (NaN: never
    answered), and the CPU seconds the whole run took."""

    arrived: np.ndarray
    waits: np.ndarray
    cpu_s: float


Model = Callable[[float, int], Calls]


def _cpu() -> float:
    return time.process_time()


# ---------------------------------------------------------------------- the models

def ours(horizon: float, seed: int) -> Calls:
    """Our simulator driving the routing engine (one row per call)."""
    t0 = _cpu()
    sc = erlang_scenario(SERVERS, RATE * 3600, AHT)
    result = Simulation(sc, np.random.default_rng(seed), horizon=horizon).run()
    cpu = _cpu() - t0
    if result.unfinished:
        raise SystemExit(f"ours: {result.unfinished} calls still open after the drain")
    start = result.window_start - sc.warmup
    arrived = np.array([r.arrived_at - start for r in result.records])
    waits = np.array([r.wait if r.answered_at is not None else math.nan
                      for r in result.records])
    order = np.argsort(arrived, kind="stable")
    return Calls(arrived[order], waits[order], cpu)


def simpy_mmc(horizon: float, seed: int) -> Calls:
    """SimPy: a Resource with SERVERS slots, one process per caller."""
    import simpy

    t0 = _cpu()
    rng = np.random.default_rng(seed)
    n = int(RATE * horizon * 1.1) + 1000
    gaps = rng.exponential(1 / RATE, n).tolist()
    services = rng.exponential(AHT, n).tolist()
    arrived: list[float] = []
    waits: list[float] = []
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=SERVERS)

    def caller(i: int, service: float) -> Generator[simpy.Event, object, None]:
        with agents.request() as req:
            yield req
            waits[i] = env.now - arrived[i]
            yield env.timeout(service)

    def source() -> Generator[simpy.Event, object, None]:
        for gap, service in zip(gaps, services, strict=True):
            yield env.timeout(gap)
            if env.now >= horizon:
                return
            arrived.append(env.now)
            waits.append(math.nan)
            env.process(caller(len(arrived) - 1, service))
        raise SystemExit("simpy: more arrivals before the horizon than drawn")

    env.process(source())
    env.run(until=horizon + DRAIN)
    cpu = _cpu() - t0
    if agents.count or agents.queue:
        raise SystemExit("simpy: calls still open after the drain")
    return Calls(np.array(arrived), np.array(waits), cpu)


def ciw_mmc(horizon: float, seed: int) -> Calls:
    """Ciw: one node with SERVERS servers; arrivals stop at the horizon."""
    import ciw  # type: ignore[import-untyped]

    class Until(ciw.dists.Exponential):  # type: ignore[misc]
        """Exponential gaps, none after the horizon."""

        def sample(self, t: float | None = None, ind: object = None) -> float:
            gap: float = super().sample(t, ind)
            return gap if (t or 0.0) + gap < horizon else math.inf

    t0 = _cpu()
    network = ciw.create_network(
        arrival_distributions=[Until(RATE)],
        service_distributions=[ciw.dists.Exponential(1 / AHT)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon + DRAIN)
    records = sim.get_all_records()
    cpu = _cpu() - t0
    if any(node.all_individuals for node in sim.transitive_nodes):
        raise SystemExit("ciw: calls still open after the drain")
    records.sort(key=lambda r: r.arrival_date)
    return Calls(np.array([r.arrival_date for r in records]),
                 np.array([r.waiting_time for r in records]), cpu)


def floor_mmc(horizon: float, seed: int) -> Calls:
    """The floor: a heap of departures, the next arrival, a line and free agents."""
    t0 = _cpu()
    rng = np.random.default_rng(seed)
    n = int(RATE * horizon * 1.1) + 1000
    times = np.cumsum(rng.exponential(1 / RATE, n))
    times = times[times < horizon].tolist()
    if len(times) == n:
        raise SystemExit("floor: more arrivals before the horizon than drawn")
    services = rng.exponential(AHT, len(times)).tolist()
    waits = [math.nan] * len(times)
    departures: list[float] = []
    line: deque[int] = deque()
    free = SERVERS
    i = 0
    while i < len(times) or departures:
        if i < len(times) and (not departures or times[i] < departures[0]):
            now = times[i]
            if free:
                free -= 1
                waits[i] = 0.0
                heapq.heappush(departures, now + services[i])
            else:
                line.append(i)
            i += 1
        else:
            now = heapq.heappop(departures)
            if line:
                j = line.popleft()
                waits[j] = now - times[j]
                heapq.heappush(departures, now + services[j])
            else:
                free += 1
    cpu = _cpu() - t0
    return Calls(np.array(times), np.array(waits), cpu)


# ---------------------------------------------------------------------- the checks

@dataclass(frozen=True)
class Estimate:
    """A figure over the measured calls and its confidence interval (batch means)."""

    value: float
    low: float
    high: float

    def holds(self, truth: float) -> bool:
        return self.low <= truth <= self.high


@dataclass(frozen=True)
class Outcome:
    offered: int
    answered: int
    measured: int
    asa: Estimate
    sl: Estimate


def outcome(calls: Calls, size: Size) -> Outcome:
    """Counts, ASA and SL(20 s) with batch-means intervals at CONFIDENCE."""
    answered = ~np.isnan(calls.waits)
    keep = (calls.arrived >= size.warmup) & answered
    arrived, waits = calls.arrived[keep], calls.waits[keep]
    edges = np.linspace(size.warmup, size.horizon, size.batches + 1)
    batch = np.clip(np.searchsorted(edges, arrived, side="right") - 1, 0, size.batches - 1)
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, size.batches - 1))

    def estimate(values: np.ndarray) -> Estimate:
        means = np.array([values[batch == b].mean() for b in range(size.batches)])
        half = t * float(means.std(ddof=1)) / math.sqrt(size.batches)
        value = float(values.mean())
        return Estimate(value, value - half, value + half)

    return Outcome(len(calls.arrived), int(answered.sum()), int(keep.sum()),
                   estimate(waits), estimate((waits <= SL_SECONDS).astype(np.float64)))


def check(name: str, first: Calls, again: Calls, result: Outcome, truth_asa: float,
          truth_sl: float) -> None:
    """Fail the run unless the model ended every call, a repeat simulated the same
    calls, and ASA and SL lie within their confidence intervals of Erlang C."""
    if result.answered != result.offered:
        raise SystemExit(f"{name}: {result.offered - result.answered} of {result.offered} "
                         "offered calls never answered")
    if not (np.array_equal(first.arrived, again.arrived)
            and np.array_equal(first.waits, again.waits, equal_nan=True)):
        raise SystemExit(f"{name}: a repeat with the same seed simulated other calls")
    for figure, est, truth in (("ASA", result.asa, truth_asa), ("SL", result.sl, truth_sl)):
        if not est.holds(truth):
            raise SystemExit(f"{name}: {figure} {est.value:.4g}, its {CONFIDENCE:.0%} interval "
                             f"{est.low:.4g}-{est.high:.4g} leaves out Erlang C's {truth:.4g}")


def same_calls(simpy_run: Calls, floor_run: Calls) -> None:
    """SimPy's model and the floor draw the same gaps and handle times from the same
    seed: fail the run unless they gave every call the same wait."""
    if not (np.array_equal(simpy_run.arrived, floor_run.arrived)
            and np.allclose(simpy_run.waits, floor_run.waits, rtol=1e-9, atol=1e-9)):
        raise SystemExit("SimPy and the heapq floor simulated the same calls differently")


# ---------------------------------------------------------------------- the run

def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 s horizon, 2 repeats")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, help="rounds of every model (default 5, quick 2)")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    repeats = args.repeats or size.repeats
    import ciw  # noqa: F401  (imported before any timing)
    import simpy  # noqa: F401

    models: dict[str, Model] = {"ours": ours, "SimPy": simpy_mmc, "Ciw": ciw_mmc,
                                "heapq floor": floor_mmc}
    peers = [name for name in models if name != "ours"]
    runs: dict[str, list[Calls]] = {name: [] for name in models}
    with tuned_gc():  # one process-wide collector setting, the same for every model
        for r in range(repeats):
            order = ["ours", *peers] if r % 2 == 0 else [*peers, "ours"]
            for name in order:
                runs[name].append(models[name](size.horizon, args.seed))
                print(f"round {r + 1}/{repeats}: {name} {runs[name][-1].cpu_s:.2f} CPU s",
                      file=sys.stderr)

    theory = erlang_c_measures(SERVERS, RATE * AHT, AHT, SL_SECONDS)
    outcomes = {name: outcome(calls[0], size) for name, calls in runs.items()}
    for name, calls in runs.items():
        check(name, calls[0], calls[-1], outcomes[name], theory.asa, theory.service_level)
    same_calls(runs["SimPy"][0], runs["heapq floor"][0])

    def per_cpu_s(name: str) -> list[float]:
        return [c.arrived.size / c.cpu_s for c in runs[name]]

    names = {"SimPy": f"SimPy {version('simpy')}", "Ciw": f"Ciw {version('ciw')}",
             "heapq floor": "heapq M/M/c loop"}
    comparisons: list[Comparison] = [
        compare("calls per CPU-second", "calls/s", per_cpu_s("ours"), per_cpu_s(peer),
                peer_name=names[peer], higher_is_better=True)
        for peer in peers
    ]
    details: dict[str, object] = {
        "system": {"servers": SERVERS, "calls_per_s": RATE, "aht": AHT,
                   "sl_seconds": SL_SECONDS, "erlang_c_asa": theory.asa,
                   "erlang_c_sl": theory.service_level},
        "size": asdict(size), "seed": args.seed, "confidence": CONFIDENCE,
        "engine": "compiled" if core_compiled() else "interpreted",
        "models": {name: {**asdict(outcomes[name]),
                          "cpu_s": [c.cpu_s for c in runs[name]],
                          "calls_per_cpu_s": per_cpu_s(name)} for name in models},
    }
    path = record("simulation" if core_compiled() else "simulation-interpreted", comparisons,
                  quick=args.quick, details=details)
    if args.json:
        print(json.dumps({"comparisons": [asdict(c) for c in comparisons], **details},
                         indent=2))
        return
    report(size, repeats, runs, outcomes, theory.asa, theory.service_level, comparisons)
    print(f"recorded in {path.relative_to(ROOT)}")


def report(size: Size, repeats: int, runs: dict[str, list[Calls]],
           outcomes: dict[str, Outcome], asa: float, sl: float,
           comparisons: list[Comparison]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"M/M/{SERVERS} at {RATE * AHT:.0f} Erlangs, {size.horizon:,.0f} "
                        f"simulated seconds, {repeats} rounds")
    for col in ("model", "offered", "answered", "CPU s median (min-max)", "calls/CPU-s",
                "ASA s (99 % CI)", "SL 20 s (99 % CI)"):
        table.add_column(col, justify="right")
    for name, calls in runs.items():
        o = outcomes[name]
        cpu = [c.cpu_s for c in calls]
        table.add_row(name, f"{o.offered:,}", f"{o.answered:,}",
                      f"{statistics.median(cpu):.2f} ({min(cpu):.2f}-{max(cpu):.2f})",
                      f"{o.offered / statistics.median(cpu):,.0f}",
                      f"{o.asa.value:.2f} ({o.asa.low:.2f}-{o.asa.high:.2f})",
                      f"{o.sl.value:.3f} ({o.sl.low:.3f}-{o.sl.high:.3f})")
    console = Console()
    if not console.is_terminal:
        console.width = 160
    console.print(table)
    print(f"Erlang C: ASA {asa:.2f} s, SL {sl:.3f}: inside every model's interval. Offered: "
          f"arrivals before the horizon, every one answered and ended.")
    for c in comparisons:
        print(f"calls per CPU-second, ours / {c.peer_name}: {c.ratio:.2f}x "
              f"(rounds {c.low:.2f}-{c.high:.2f}x)")


if __name__ == "__main__":
    main()
