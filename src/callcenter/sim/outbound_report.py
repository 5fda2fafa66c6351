"""Outbound runs -> figures per dialer and per day, the JSON summary and the tables.

Figures are computed from `OutboundResult`s, one function each, and averaged over the
replications (with 95 % confidence half-widths when there are several).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from callcenter.core.dialer.drops import DAY, MONTH
from callcenter.sim.outbound import DayFigures, OutboundResult
from callcenter.sim.outbound_scenario import OutboundSpec
from callcenter.sim.summary import mean_ci

__all__ = ["DialerSummary", "OutboundSummary", "day_table", "summarize_outbound",
           "summary_table"]

FIGURES: dict[str, Callable[[OutboundResult], float]] = {
    "talk_minutes_per_agent_hour": lambda r: r.talk_minutes_per_agent_hour,
    "occupancy": lambda r: r.occupancy,
    "dialed": lambda r: float(r.dialed),
    "live_answers": lambda r: float(r.lives),
    "machines": lambda r: float(r.machines),
    "drops": lambda r: float(r.drops),
    "drop_rate": lambda r: r.drop_rate,
    "worst_24h_drop_rate": lambda r: r.worst_rate(DAY),
    "worst_30d_drop_rate": lambda r: r.worst_rate(MONTH),
}
"""The run's figures, by their name in the JSON summary."""

COUNTS = frozenset({"dialed", "live_answers", "machines", "drops"})
"""Figures that are counts (integers in the JSON of a single replication)."""


def _day_figures(d: DayFigures, agent_seconds: float) -> dict[str, float]:
    return {
        "dialed": float(d.dialed), "live_answers": float(d.lives), "machines": float(d.machines),
        "drops": float(d.drops), "drop_rate": d.drops / d.lives if d.lives else 0.0,
        "talk_minutes_per_agent_hour": d.talk_seconds / 60.0 / (agent_seconds / 3600.0),
        "occupancy": d.handle_seconds / agent_seconds,
    }


@dataclass(frozen=True, slots=True)
class DialerSummary:
    """One dialer over the replications: mean figures, their CI half-widths, per-day means."""

    dialer: str
    figures: dict[str, float]
    ci95: dict[str, float] | None
    days: list[dict[str, float]]


@dataclass(frozen=True, slots=True)
class OutboundSummary:
    """Every dialer of one outbound run."""

    name: str
    seed: int
    days: int
    replications: int
    agents: int
    shift_hours: float
    drop_cap: float
    dialers: list[DialerSummary]

    def to_json(self) -> dict[str, Any]:
        """The `--json` object (see docs/reference/scenario-format.md, outbound outputs)."""
        def exact(figures: dict[str, float]) -> dict[str, float | int]:
            if self.replications > 1:
                return dict(figures)
            return {k: int(v) if k in COUNTS else v for k, v in figures.items()}

        dialers: dict[str, Any] = {}
        for d in self.dialers:
            block: dict[str, Any] = exact(d.figures)
            if d.ci95 is not None:
                block["ci95"] = d.ci95
            block["days"] = [{"day": i + 1, **exact(day)} for i, day in enumerate(d.days)]
            dialers[d.dialer] = block
        return {"scenario": self.name, "kind": "outbound", "seed": self.seed,
                "days": self.days, "replications": self.replications, "agents": self.agents,
                "shift_hours": self.shift_hours, "drop_cap": self.drop_cap,
                "dialers": dialers}


def summarize_outbound(spec: OutboundSpec, runs: Mapping[str, Sequence[OutboundResult]],
                       seed: int, days: int) -> OutboundSummary:
    """Figures per dialer (`runs`: dial mode -> one result per replication)."""
    dialers = []
    for mode, results in runs.items():
        figures, halves = {}, {}
        for key, figure in FIGURES.items():
            figures[key], halves[key] = mean_ci([figure(r) for r in results])
        per_day = []
        for i in range(days):
            rows = [_day_figures(r.days[i], r.agent_seconds / len(r.days))
                    for r in results]
            per_day.append({k: sum(row[k] for row in rows) / len(rows) for k in rows[0]})
        ci = ({k: v or 0.0 for k, v in halves.items()} if len(results) > 1 else None)
        dialers.append(DialerSummary(mode, figures, ci, per_day))
    replications = len(next(iter(runs.values())))
    return OutboundSummary(spec.name, seed, days, replications, spec.scenario.agents,
                           spec.scenario.shift_seconds / 3600.0, spec.scenario.cap, dialers)


def _pct(x: float) -> str:
    return f"{100.0 * x:.2f}%"


def summary_table(summary: OutboundSummary) -> Table:
    """One row per dialer: talk time, occupancy, counts, drop rates (over the cap in red)."""
    runs = "" if summary.replications == 1 else f", mean of {summary.replications} runs"
    table = Table(title=f"{summary.name}: {summary.agents} agents, {summary.days} day(s) x "
                        f"{summary.shift_hours:g} h, drop cap {_pct(summary.drop_cap)} "
                        f"(seed {summary.seed}{runs})")
    for heading in ("dialer", "talk min / agent-h", "occupancy", "dialed", "live",
                    "machine", "drops", "drop rate", "worst 24 h", "worst 30 d"):
        table.add_column(heading, justify="left" if heading == "dialer" else "right")
    for d in summary.dialers:
        f = d.figures

        def rate(key: str, f: dict[str, float] = f) -> str:
            style = "[bold red]" if f[key] > summary.drop_cap else ""
            return f"{style}{_pct(f[key])}"

        talk = f"{f['talk_minutes_per_agent_hour']:.2f}"
        if d.ci95 is not None:
            talk += f" ± {d.ci95['talk_minutes_per_agent_hour']:.2f}"
        table.add_row(d.dialer, talk, _pct(f["occupancy"]), f"{f['dialed']:,.0f}",
                      f"{f['live_answers']:,.0f}", f"{f['machines']:,.0f}",
                      f"{f['drops']:,.0f}", rate("drop_rate"), rate("worst_24h_drop_rate"),
                      rate("worst_30d_drop_rate"))
    return table


def day_table(summary: OutboundSummary) -> Table:
    """One row per day: one dialer in full, or talk time and drop rate of each dialer."""
    single = len(summary.dialers) == 1
    what = "" if single else ": talk minutes per agent-hour and drop rate of each dialer"
    table = Table(title="per day" + what + ("" if summary.replications == 1 else
                                            f" (mean of {summary.replications} runs)"))
    table.add_column("day", justify="right")
    keys = (("talk_minutes_per_agent_hour", "talk min / agent-h"), ("occupancy", "occupancy"),
            ("dialed", "dialed"), ("live_answers", "live"), ("machines", "machine"),
            ("drops", "drops"), ("drop_rate", "drop rate")) if single else (
            ("talk_minutes_per_agent_hour", "talk"), ("drop_rate", "drops"))
    for d in summary.dialers:
        for _, heading in keys:
            table.add_column(heading if single else f"{d.dialer}: {heading}", justify="right")
    for i in range(summary.days):
        cells = [str(i + 1)]
        for d in summary.dialers:
            day = d.days[i]
            for key, _ in keys:
                value = day[key]
                if key in ("drop_rate", "occupancy"):
                    cells.append(_pct(value))
                elif key == "talk_minutes_per_agent_hour":
                    cells.append(f"{value:.2f}")
                else:
                    cells.append(f"{value:,.0f}")
        table.add_row(*cells)
    return table
