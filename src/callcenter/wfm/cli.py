"""`callcenter staff`: agents needed for one interval, as a table or as JSON.

    callcenter staff --calls 100 --interval 30m --aht 180 --target 80/20
    callcenter staff --calls 100 --interval 30m --aht 180 --target 80/20 --patience 120 --json
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter.wfm import staffing
from callcenter.wfm.staffing import StaffingResult

__all__ = ["ServiceTarget", "parse_interval", "parse_target", "staff"]

_DURATION = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[smh]?)")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
_TARGET = re.compile(r"(?P<percent>\d+(?:\.\d+)?)\s*%?\s*/\s*(?P<seconds>\d+(?:\.\d+)?)\s*s?")


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """A service-level target: ``fraction`` of calls answered within ``seconds``."""

    fraction: float
    seconds: float


def parse_interval(text: str) -> float:
    """Interval length in seconds from '15m', '30m', '1h', '900s' or '900' (plain seconds)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration; use a number with an optional unit s, m or h,"
            " such as 15m, 30m, 1h, 900s or 900"
        )
    seconds = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    if seconds <= 0.0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def parse_target(text: str) -> ServiceTarget:
    """Service-level target from 'PERCENT/SECONDS', e.g. '80/20' = 80 % answered within 20 s."""
    match = _TARGET.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(
            f"{text!r} is not a target; use PERCENT/SECONDS, such as 80/20"
            " for 80 % of calls answered within 20 seconds"
        )
    percent = float(match["percent"])
    if not 0.0 < percent < 100.0:
        raise ValueError(f"{text!r}: the percentage must be above 0 and below 100")
    return ServiceTarget(fraction=percent / 100.0, seconds=float(match["seconds"]))


def _bad(option: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=f"'{option}'")


def _number(value: float) -> float | None:
    """JSON has no infinity: an infinite ASA (unstable queue) is written as null."""
    return value if math.isfinite(value) else None


def _row_json(row: StaffingResult) -> dict[str, float | int | None]:
    fields: dict[str, float | int | None] = {
        "agents": row.agents,
        "service_level": row.service_level,
        "asa": _number(row.asa),
        "occupancy": row.occupancy,
        "p_wait": row.p_wait,
    }
    if row.p_abandon is not None:
        fields["p_abandon"] = row.p_abandon
    return fields


def _percent(value: float) -> str:
    return f"{100.0 * value:.1f} %"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if math.isfinite(value) else "∞"


def _table(rows: list[StaffingResult], chosen: StaffingResult) -> Table:
    table = Table()
    table.add_column("", width=1)
    table.add_column("Agents", justify="right")
    table.add_column("Service level", justify="right")
    table.add_column("ASA", justify="right")
    table.add_column("Occupancy", justify="right")
    table.add_column("P(wait)", justify="right")
    with_abandon = chosen.p_abandon is not None
    if with_abandon:
        table.add_column("P(abandon)", justify="right")
    for row in rows:
        cells = [
            "▶" if row is chosen else "",
            str(row.agents),
            _percent(row.service_level),
            _seconds(row.asa),
            _percent(row.occupancy),
            _percent(row.p_wait),
        ]
        if with_abandon:
            cells.append(_percent(row.p_abandon or 0.0))
        table.add_row(*cells, style="bold green" if row is chosen else None)
    return table


def staff(
    calls: Annotated[float, typer.Option(help="Calls offered in the interval.", min=0)],
    aht: Annotated[float, typer.Option(help="Average handle time in seconds.")],
    interval: Annotated[
        str,
        typer.Option(
            metavar="DURATION", help="Interval length: 15m, 30m, 1h, 900s or 900 (seconds)."
        ),
    ] = "30m",
    target: Annotated[
        str,
        typer.Option(
            metavar="PERCENT/SECONDS",
            help="Service-level target: 80/20 = 80 % of calls answered within 20 s.",
        ),
    ] = "80/20",
    patience: Annotated[
        float | None,
        typer.Option(help="Mean caller patience in seconds: Erlang A with abandonment."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Agents needed to answer a call volume within a service-level target (Erlang C or A)."""
    try:
        interval_seconds = parse_interval(interval)
    except ValueError as error:
        raise _bad("--interval", str(error)) from None
    try:
        goal = parse_target(target)
    except ValueError as error:
        raise _bad("--target", str(error)) from None
    if not math.isfinite(calls):
        raise _bad("--calls", f"{calls} is not a finite number of calls")
    if not (aht > 0.0 and math.isfinite(aht)):
        raise _bad("--aht", f"{aht} is not a positive number of seconds")
    if patience is not None and not (patience > 0.0 and math.isfinite(patience)):
        raise _bad("--patience", f"{patience} is not a positive number of seconds")

    answer = staffing.staff(calls, interval_seconds, aht, goal.fraction, goal.seconds, patience)
    rows = staffing.staffing_table(
        calls, interval_seconds, aht, goal.fraction, goal.seconds, patience
    )
    chosen = next(row for row in rows if row.agents == answer.agents)
    if json_output:
        document: dict[str, object] = {
            "model": "erlang_c" if patience is None else "erlang_a",
            "calls": calls,
            "interval_seconds": interval_seconds,
            "aht": aht,
            "target_sl": goal.fraction,
            "target_seconds": goal.seconds,
            "patience": patience,
            "erlangs": chosen.erlangs,
            **_row_json(chosen),
            "rows": [_row_json(row) for row in rows],
        }
        typer.echo(json.dumps(document, allow_nan=False))
        return
    model = "Erlang C" if patience is None else f"Erlang A, mean patience {patience:g} s"
    console = Console()
    console.print(
        f"{calls:g} calls per {interval}, AHT {aht:g} s = {chosen.erlangs:.2f} Erlangs ({model});"
        f" target {100.0 * goal.fraction:g} % answered within {goal.seconds:g} s"
    )
    console.print(_table(rows, chosen))
    console.print(f"Answer: [bold]{chosen.agents}[/bold] agents.")
