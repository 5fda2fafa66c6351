"""`callcenter compliance CAMPAIGN`: the compliance report of a campaign as a table.

    callcenter compliance spring-sale --csv spring-compliance.csv

Figures from the stored attempts (`callcenter.campaigns.compliance`); rows that must be
0 (calls outside the windows, blocked numbers dialed, leads over a cap) are red when
they are not, as is a drop rate above the campaign's cap. Exit status 0; 2 when the
campaign is unknown.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter.campaigns.compliance import Compliance, as_csv, stored_report
from callcenter.store import NotFound, create_engine_for, migrate, session_factory

__all__ = ["compliance_command"]


def _pct(rate: float) -> str:
    return f"{rate:.2%}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _table(c: Compliance) -> Table:
    table = Table(title=f"Compliance: campaign {c.campaign}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("rule")

    def row(name: str, value: str, rule: str, ok: bool = True) -> None:
        table.add_row(name, value if ok else f"[bold red]{value}[/]", rule)

    row("attempts", str(c.attempts), "")
    row("contacts (live answers)", str(c.contacts), "")
    row("drops", str(c.drops), "")
    row("drop rate, worst 24 h", _pct(c.drop_rate_24h),
        f"<= {_pct(c.drop_cap)} ({c.worst_24h_drops} of {c.worst_24h_contacts})",
        c.drop_rate_24h <= c.drop_cap)
    row("drop rate, 30 days", _pct(c.drop_rate_30d),
        f"<= {_pct(c.drop_cap)} ({c.drops_30d} of {c.contacts_30d})",
        c.drop_rate_30d <= c.drop_cap)
    row("calls outside calling windows", str(c.outside_window), "must be 0",
        c.outside_window == 0)
    row("leads stopped as do-not-call", str(c.dnc_blocked), "")
    row("calls to blocked numbers", str(c.dnc_dialed), "must be 0", c.dnc_dialed == 0)
    row("most attempts per lead", str(c.most_attempts_per_lead), f"cap {c.max_attempts}")
    row("most attempts per lead and day", str(c.most_attempts_per_lead_day),
        f"cap {c.max_attempts_per_day}")
    row("leads over a cap", str(c.leads_over_cap), "must be 0", c.leads_over_cap == 0)
    row("information message delay, max", _secs(c.info_delay_max), "<= 2 s",
        c.info_late == 0)
    row("information message delay, p95", _secs(c.info_delay_p95), "")
    return table


def compliance_command(
    campaign: Annotated[str, typer.Argument(help="The campaign's name.")],
    csv_file: Annotated[Path | None, typer.Option(
        "--csv", help="Also write the figures to this CSV file.")] = None,
    until: Annotated[float | None, typer.Option(
        help="End of the report, Unix seconds [now].")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (default: $CALLCENTER_DATABASE_URL, else "
                     "sqlite:///callcenter.db).")] = None,
) -> None:
    """Print a campaign's compliance report: drops, calling windows, do-not-call, caps."""
    migrate(db)
    engine = create_engine_for(db)
    try:
        with session_factory(engine)() as session:
            figures = stored_report(session, campaign, time.time() if until is None else until)
    except NotFound as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    Console().print(_table(figures))
    if csv_file is not None:
        csv_file.write_text(as_csv(figures), encoding="utf-8")
