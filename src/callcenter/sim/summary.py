"""KPIs of simulation runs: per queue, per interval, and over replications with 95 % CIs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scipy import stats  # type: ignore[import-untyped]

from callcenter.core import ivr_metrics as im
from callcenter.core import metrics as m
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.csat import SurveyResult, csat_figures
from callcenter.core.records import InteractionRecord
from callcenter.scenario.spec import Scenario
from callcenter.sim.runner import RunResult

Value = float | int | None
Kpis = dict[str, Value]

COUNTS = ("offered", "handled", "abandoned", "short_abandoned", "timed_out", "rejected",
          "callbacks")
RATIOS = ("service_level", "service_level_asterisk", "asa", "aht", "abandon_rate", "occupancy")
KPIS = COUNTS + RATIOS
IVR_KPIS = ("entered", *im.OUTCOMES, "contained", "containment_rate", "time_in_ivr")
"""IVR figures per flow (docs/reference/metrics.md, "IVR")."""

_ROW_KPIS: dict[str, Callable[[list[InteractionRecord]], Value]] = {
    "offered": m.offered,
    "handled": m.handled,
    "abandoned": m.abandoned,
    "short_abandoned": m.short_abandoned,
    "timed_out": m.timed_out,
    "rejected": m.rejected,
    "callbacks": m.callbacks,
    "service_level": m.service_level,
    "service_level_asterisk": m.service_level_asterisk,
    "asa": m.asa,
    "aht": m.aht,
    "abandon_rate": m.abandon_rate,
}


def serving_agents(queues: Sequence[QueueConfig],
                   agents: Sequence[AgentConfig]) -> dict[str, set[str]]:
    """Agent ids by the queues they serve: their memberships, or (with none) every queue
    whose required skills they have, as the engine decides."""
    out: dict[str, set[str]] = {q.id: set() for q in queues}
    for a in agents:
        if a.queues:
            qids = [ms.queue_id for ms in a.queues]
        else:
            skills = a.skill_map()
            qids = [q.id for q in queues if all(r.skill in skills for r in q.required_skills)]
        for qid in qids:
            out[qid].add(a.id)
    return out


def run_kpis(result: RunResult, scenario: Scenario) -> dict[str, Kpis]:
    """KPIs of one run per queue (by arrival queue) and `"all"`, inside its window."""
    rows = m.arrived_between(result.records, result.window_start, result.window_end)
    lo, hi = result.window_start, result.window_end
    out: dict[str, Kpis] = {}
    grouped = m.by_queue(rows)
    serving = serving_agents(scenario.queues, result.agents)
    for q in sorted(serving):
        qrows = grouped.get(q, [])
        kpis: Kpis = {k: f(qrows) for k, f in _ROW_KPIS.items()}
        ids = serving[q]
        kpis["occupancy"] = m.occupancy([s for s in result.spans if s.agent_id in ids], lo, hi)
        out[q] = kpis
    total: Kpis = {k: f(rows) for k, f in _ROW_KPIS.items()}
    total["occupancy"] = m.occupancy(result.spans, lo, hi)
    out["all"] = total
    return out


def run_ivr_kpis(result: RunResult) -> dict[str, Kpis]:
    """IVR figures of one run per flow, for calls that entered a flow inside its window."""
    rows = im.started_between(result.flows, result.window_start, result.window_end)
    out: dict[str, Kpis] = {}
    for flow, frows in sorted(im.by_flow(rows).items()):
        kpis: Kpis = {"entered": len(frows)}
        kpis.update(im.outcome_counts(frows))
        kpis["contained"] = im.contained(frows)
        kpis["containment_rate"] = im.containment_rate(frows)
        kpis["time_in_ivr"] = im.time_in_ivr(frows)
        out[flow] = kpis
    return out


CSAT_KPIS = ("offered", "answered", "csat", "mean", "response_rate")
"""The post-call survey figures of the simulator (metrics.md, "Satisfaction (CSAT)")."""


def _csat_kpis(rows: Sequence[SurveyResult]) -> Kpis:
    f = csat_figures(r.rating for r in rows)
    return {"offered": f.offered, "answered": f.answered, "csat": f.csat, "mean": f.mean,
            "response_rate": f.response_rate}


def run_csat_kpis(result: RunResult) -> dict[str, Kpis]:
    """Post-call survey figures of one run per queue and `"all"`, for surveys offered
    inside its window (empty when no queue asks for a survey)."""
    rows = [r for r in result.surveys
            if result.window_start <= r.offered_at < result.window_end]
    if not rows:
        return {}
    out = {q: _csat_kpis([r for r in rows if r.queue_id == q])
           for q in sorted({r.queue_id for r in rows})}
    out["all"] = _csat_kpis(rows)
    return out


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float | None]:
    """Mean and the half-width of its Student-t confidence interval (None for n < 2)."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    t = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    return mean, t * math.sqrt(var / n)


@dataclass(frozen=True, slots=True)
class Summary:
    """KPIs per queue over replications: means, and 95 % CI half-widths when R > 1."""

    scenario: Scenario
    seed: int
    days: int
    replications: int
    window_start: float
    window_end: float
    means: dict[str, Kpis]
    half_widths: dict[str, dict[str, float | None]]
    unfinished: int
    ivr_means: dict[str, Kpis] | None = None
    """IVR figures per flow (scenarios with `[ivr]`), like `means`."""
    ivr_half_widths: dict[str, dict[str, float | None]] | None = None
    csat_means: dict[str, Kpis] | None = None
    """Post-call survey figures per queue and `"all"` (queues with a survey), like
    `means`."""
    csat_half_widths: dict[str, dict[str, float | None]] | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-able object (the `--json` output)."""
        def iso(t: float) -> str:
            return datetime.fromtimestamp(t, UTC).astimezone(self.scenario.zone()).isoformat()

        thresholds = {q.id: (q.service_level_threshold, q.short_abandon)
                      for q in self.scenario.queues}
        queues: dict[str, Any] = {}
        for qid, kpis in self.means.items():
            block: dict[str, Any] = dict(kpis)
            if qid in thresholds:
                block["service_level_threshold"] = thresholds[qid][0]
                block["short_abandon"] = thresholds[qid][1]
            if self.replications > 1:
                block["ci95"] = self.half_widths[qid]
            queues[qid] = block
        total = queues.pop("all")
        out = {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "days": self.days,
            "replications": self.replications,
            "window": {"start": iso(self.window_start), "end": iso(self.window_end)},
            "queues": queues,
            "total": total,
            "unfinished": self.unfinished,
        }
        if self.ivr_means is not None and self.ivr_half_widths is not None:
            out["ivr"] = {flow: {**kpis, "ci95": self.ivr_half_widths[flow]}
                          if self.replications > 1 else dict(kpis)
                          for flow, kpis in self.ivr_means.items()}
        if self.csat_means and self.csat_half_widths is not None:
            out["csat"] = {q: {**kpis, "ci95": self.csat_half_widths[q]}
                           if self.replications > 1 else dict(kpis)
                           for q, kpis in self.csat_means.items()}
        return out


def summarize(scenario: Scenario, results: Sequence[RunResult], seed: int,
              days: int) -> Summary:
    """Aggregate the runs of `results` (one per replication)."""
    means, halves = _aggregate([run_kpis(r, scenario) for r in results], KPIS)
    ivr_means = ivr_halves = None
    if scenario.ivr is not None:
        per_flow = [run_ivr_kpis(r) for r in results]
        flows = sorted({f for run in per_flow for f in run})
        empty: Kpis = {"entered": 0, **dict.fromkeys(im.OUTCOMES, 0), "contained": 0,
                       "containment_rate": None, "time_in_ivr": None}
        ivr_means, ivr_halves = _aggregate(
            [{f: run.get(f, empty) for f in flows} for run in per_flow], IVR_KPIS)
    per_queue = [run_csat_kpis(r) for r in results]
    queues = sorted({q for run in per_queue for q in run})
    empty_csat = _csat_kpis([])
    csat_means, csat_halves = _aggregate(
        [{q: run.get(q, empty_csat) for q in queues} for run in per_queue], CSAT_KPIS)
    return Summary(scenario, seed, days, len(results), results[0].window_start,
                   results[0].window_end, means, halves, sum(r.unfinished for r in results),
                   ivr_means, ivr_halves, csat_means or None, csat_halves or None)


def _aggregate(per_run: list[dict[str, Kpis]], names: Sequence[str]
               ) -> tuple[dict[str, Kpis], dict[str, dict[str, float | None]]]:
    """Means and 95 % half-widths of each figure over the runs (the value itself and None
    for one run)."""
    means: dict[str, Kpis] = {}
    halves: dict[str, dict[str, float | None]] = {}
    for key in per_run[0] if per_run else ():
        means[key], halves[key] = {}, {}
        for k in names:
            vals = [run[key][k] for run in per_run]
            present = [float(v) for v in vals if v is not None]
            if len(per_run) == 1:
                means[key][k] = vals[0]
                halves[key][k] = None
            elif not present:
                means[key][k] = halves[key][k] = None
            else:
                means[key][k], halves[key][k] = mean_ci(present)
    return means, halves


def intervals(result: RunResult, scenario: Scenario) -> list[m.IntervalKpis]:
    """Per-queue interval KPIs of one run, at the scenario's report interval."""
    rows = m.arrived_between(result.records, result.window_start, result.window_end)
    return m.interval_kpis(rows, scenario.start_time(), scenario.report_interval,
                           result.window_end)
