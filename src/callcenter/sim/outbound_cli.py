"""`callcenter simulate` for outbound scenarios (files with a ``[campaign]`` table).

    callcenter simulate outbound-sales                      # the example, its dialer
    callcenter simulate outbound-sales --days 90 --chart drops.svg
    callcenter simulate outbound-sales --compare progressive,adapt,predictive --json

Every dialer of a run meets the same callees (common random numbers: attempt k of
replication i is the same person whatever the dialer), so a comparison is fair.
Replication i runs with seed + i.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from callcenter.scenario.errors import ScenarioError
from callcenter.sim.outbound import OutboundResult, simulate
from callcenter.sim.outbound_chart import write_chart
from callcenter.sim.outbound_report import (
    OutboundSummary,
    day_table,
    summarize_outbound,
    summary_table,
)
from callcenter.sim.outbound_scenario import DIAL_MODES, OutboundSpec, mode_name

__all__ = ["parse_compare", "run_outbound", "simulate_outbound"]


def parse_compare(text: str) -> list[str]:
    """`"progressive,adapt,predictive"` -> dial modes, in order, each once."""
    modes: list[str] = []
    for part in text.split(","):
        mode = mode_name(part)
        if mode is None:
            raise ScenarioError(f"--compare: unknown dialer {part.strip()!r}; known: "
                                f"{', '.join(DIAL_MODES)} (adapt for short)")
        if mode not in modes:
            modes.append(mode)
    return modes


def run_outbound(spec: OutboundSpec, modes: list[str], days: int, seed: int,
                 replications: int, console: Console) -> dict[str, list[OutboundResult]]:
    """Every dialer over every replication, with a progress bar in simulated days."""
    scenario = spec.simulation(days)
    runs: dict[str, list[OutboundResult]] = {mode: [] for mode in modes}
    total = len(modes) * replications * days
    with Progress(TextColumn("[bold blue]{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(f"simulating {spec.name}", total=total)
        done = 0
        for i in range(replications):
            for mode in modes:
                bar.update(task, description=f"simulating {spec.name}: {mode} "
                                             f"(run {i + 1}/{replications})")

                def progress(day: int, before: int = done) -> None:
                    bar.update(task, completed=before + day)

                runs[mode].append(simulate(scenario, spec.pacer(mode), seed + i,
                                           progress=progress))
                done += days
    return runs


def simulate_outbound(spec: OutboundSpec, *, days: int | None, seed: int | None,
                      replications: int | None, compare: str | None, chart: Path | None,
                      json_output: bool) -> OutboundSummary:
    """Run, then print the report (tables or JSON) and write the chart if asked."""
    err = Console(stderr=True)
    modes = [spec.dial_mode] if compare is None else parse_compare(compare)
    if chart is not None and chart.suffix.lower() != ".svg":
        raise ScenarioError(f"--chart writes SVG: name the file .svg, got {chart.name!r}")
    if chart is not None and not chart.parent.is_dir():
        raise ScenarioError(f"--chart: no directory {str(chart.parent)!r} to write to")
    n_days = spec.scenario.days if days is None else days
    the_seed = spec.seed if seed is None else seed
    runs_n = spec.replications if replications is None else replications
    runs = run_outbound(spec, modes, n_days, the_seed, runs_n, err)
    summary = summarize_outbound(spec, runs, the_seed, n_days)
    if chart is not None:
        try:
            write_chart(chart, summary)
        except OSError as exc:
            raise ScenarioError(f"--chart: cannot write {chart}: {exc.strerror}") from None
        err.print(f"wrote the chart to {chart}")
    if json_output:
        typer.echo(json.dumps(summary.to_json(), indent=2))
        return summary
    console = Console()
    console.print(summary_table(summary))
    console.print(day_table(summary))
    return summary
