"""`callcenter simulate`: run scenarios through the routing engine.

    callcenter simulate examples/scenarios/hotline.toml --days 5 --replications 10
    callcenter simulate examples/scenarios/hotline.toml --json --rows rows.csv
    callcenter simulate customer-service --intervals      # an example, with charts
    callcenter simulate customer-service --flows flows.csv  # one row per call in the IVR
    callcenter simulate outbound-sales --compare progressive,adapt,predictive --chart c.svg

A file with a `[campaign]` table is an outbound scenario (`callcenter.sim.outbound_cli`).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.load import load_scenario
from callcenter.scenario.spec import Scenario
from callcenter.sim import report
from callcenter.sim.outbound_cli import simulate_outbound
from callcenter.sim.outbound_scenario import is_outbound, load_outbound
from callcenter.sim.output import write_flows, write_records, write_spans
from callcenter.sim.runner import RunResult, run_replications
from callcenter.sim.summary import intervals, summarize
from callcenter.tuning import tuned_gc

__all__ = ["run_with_progress", "simulate"]

EXAMPLES = Path(str(resources.files("callcenter.examples") / "scenarios"))
"""The example scenarios (examples/scenarios in the source tree, shipped in the package)."""


def run_with_progress(scenario: Scenario, replications: int, seed: int, days: int,
                      console: Console) -> list[RunResult]:
    """Run the replications with a progress bar (in simulated days) on `console`."""
    start = scenario.start_time()
    span = scenario.end_time(days) - start
    with Progress(TextColumn("[bold blue]{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=replications * span)

        def progress(i: int, t: float) -> None:
            bar.update(task, completed=i * span + (t - start),
                       description=f"simulating {scenario.name} (run {i + 1}/{replications})")

        with tuned_gc():
            return run_replications(scenario, replications, seed, days, progress)


def _fail(err: ScenarioError) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {escape(str(err))}", highlight=False)
    return typer.Exit(2)


def simulate(
    scenario: Annotated[str, typer.Argument(
        help="Scenario file (TOML), or the name of an example (hotline, customer-service, "
             "full-day, outbound-sales). A file with a \\[campaign] table is outbound.")],
    days: Annotated[int | None, typer.Option(min=1, help="Days to simulate "
                                             "(default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed "
                                             "(default: the scenario's).")] = None,
    replications: Annotated[int | None, typer.Option(
        "--replications", "-r", min=1, help="Independent runs; R > 1 adds 95 % confidence "
        "intervals (default 1; outbound: the scenario's).")] = None,
    rows: Annotated[Path | None, typer.Option(help="Write one CSV row per interaction.",
                                              dir_okay=False)] = None,
    spans: Annotated[Path | None, typer.Option(help="Write one CSV row per agent-state span.",
                                               dir_okay=False)] = None,
    flows: Annotated[Path | None, typer.Option(help="Write one CSV row per call through an "
                                               "IVR flow.", dir_okay=False)] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]
    = False,
    show_intervals: Annotated[bool, typer.Option("--intervals", help="Also show (or, with "
                                                 "--json, include) interval KPIs of run 1.")]
    = False,
    compare: Annotated[str | None, typer.Option(
        help="Outbound: run these dialers on the same callees, e.g. "
             "progressive,adapt,predictive.")] = None,
    chart: Annotated[Path | None, typer.Option(
        help="Outbound: write an SVG chart of drop rate and talk time per day.",
        dir_okay=False)] = None,
) -> None:
    """Simulate a scenario and report its KPIs: per queue through the routing engine, or
    per dialer for an outbound campaign."""
    err = Console(stderr=True)
    path = Path(scenario)
    if not path.suffix:
        path = EXAMPLES / f"{scenario}.toml"
        if not path.exists():
            known = ", ".join(p.stem for p in sorted(EXAMPLES.glob("*.toml")))
            raise _fail(ScenarioError(f"no example scenario {scenario!r} (examples: {known}); "
                                      "pass a .toml file"))
    try:
        outbound = path.is_file() and is_outbound(path.read_text(encoding="utf-8"))
        inbound_only = {"--rows": rows, "--spans": spans, "--flows": flows,
                        "--intervals": show_intervals or None}
        if outbound:
            for option, value in inbound_only.items():
                if value is not None:
                    raise ScenarioError(f"{option} applies to inbound scenarios; {path} is "
                                        "outbound (it has a [campaign] table)")
            simulate_outbound(load_outbound(path), days=days, seed=seed,
                              replications=replications, compare=compare, chart=chart,
                              json_output=json_output)
            return
        for option, given in (("--compare", compare), ("--chart", chart)):
            if given is not None:
                raise ScenarioError(f"{option} applies to outbound scenarios (a file with a "
                                    "[campaign] table)")
        sc = load_scenario(path)
    except ScenarioError as exc:
        raise _fail(exc) from None
    n_days = sc.days if days is None else days
    the_seed = sc.seed if seed is None else seed
    runs = 1 if replications is None else replications
    results = run_with_progress(sc, runs, the_seed, n_days, err)
    summary = summarize(sc, results, the_seed, n_days)
    if rows is not None:
        n = write_records(rows, results)
        err.print(f"wrote {n:,} interaction rows to {rows}")
    if spans is not None:
        n = write_spans(spans, results)
        err.print(f"wrote {n:,} agent-span rows to {spans}")
    if flows is not None:
        n = write_flows(flows, results)
        err.print(f"wrote {n:,} IVR flow rows to {flows}")
    if json_output:
        out = summary.to_json()
        if show_intervals:
            out["intervals"] = [
                {"queue": iv.queue_id, "start": iv.start, "offered": iv.offered,
                 "handled": iv.handled, "abandoned": iv.abandoned,
                 "service_level": iv.service_level, "asa": iv.asa, "aht": iv.aht,
                 "abandon_rate": iv.abandon_rate}
                for iv in intervals(results[0], sc)
            ]
        typer.echo(json.dumps(out, indent=2))
        return
    console = Console()
    console.print(report.summary_table(summary))
    ivr = report.ivr_table(summary)
    if ivr is not None:
        console.print(ivr)
    csat = report.csat_table(summary)
    if csat is not None:
        console.print(csat)
    if show_intervals:
        ivals = intervals(results[0], sc)
        for q in sc.queues:
            console.print(report.interval_chart(ivals, q.id, sc.timezone))
        console.print(report.occupancy_bars(summary))
    if summary.unfinished:
        err.print(f"[yellow]{summary.unfinished} interaction(s) still open a day after the "
                  "horizon were left out[/]")
