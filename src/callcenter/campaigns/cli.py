"""`callcenter import-leads CAMPAIGN FILE`: a CSV lead list into a campaign.

    callcenter import-leads spring-sale leads.csv --number phone --id customer \\
        --field name --field "Postleitzahl=zip" --errors rejected.csv
    callcenter import-leads spring-sale leads.csv --create --caller-id +4930123456 \\
        --region DE --timezone Europe/Berlin

The file is read and checked whole first (a progress bar per byte), then the valid
rows are stored in chunks of `--chunk` leads, each its own transaction with a pause
between (a progress bar per lead), so a server running on the same database keeps
writing; rejected rows are listed (line, reason) and, with `--errors`, written to a
CSV file. With `--strict` one rejected row stores nothing (and `--create` creates
nothing). Should the database fail midway, the chunks before stay stored: the message
says how many leads and up to which line, and the same command run again stores the
rest (stored leads are skipped). Exit status: 0 stored, 1 rejected rows under
`--strict`, 2 the file, the campaign or the database could not be used.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from callcenter.campaigns.importer import (
    ColumnMapping,
    ImportResult,
    Rejection,
    field_specs,
    import_leads,
)
from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import Campaign
from callcenter.csv_import import ImportFileError, utf8_lines
from callcenter.store import Conflict, NotFound, create_engine_for, migrate, session_factory
from callcenter.store.chunks import PartlyStored
from callcenter.store.leads import Stored, add_campaign, get_campaign, store_leads

__all__ = ["import_leads_command"]

SHOWN = 20
"""Rejected rows listed on the terminal (all of them go to --errors)."""


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def import_leads_command(
    campaign: Annotated[str, typer.Argument(help="The campaign's name.")],
    file: Annotated[Path, typer.Argument(help="CSV file, UTF-8, header row first.",
                                         exists=True, dir_okay=False, readable=True)],
    number: Annotated[str, typer.Option(help="Column with the phone number.")] = "phone",
    id_column: Annotated[str | None, typer.Option(
        "--id", help="Column with the lead id [the E.164 number].")] = None,
    priority: Annotated[str | None, typer.Option(help="Column with the priority.")] = None,
    timezone_column: Annotated[str | None, typer.Option(
        "--tz-column", help="Column with an IANA time zone (overrides the number's).")] = None,
    country: Annotated[str | None, typer.Option(help="Column with the address country.")] = None,
    postcode: Annotated[str | None, typer.Option(help="Column with the postcode.")] = None,
    field: Annotated[list[str] | None, typer.Option(
        help="Custom field: COLUMN or NAME=COLUMN; repeat. [every other column]")] = None,
    errors: Annotated[Path | None, typer.Option(
        help="Write every rejected row (line, reason) to this CSV file.")] = None,
    strict: Annotated[bool, typer.Option(
        help="Store nothing when any row is rejected.")] = False,
    create: Annotated[bool, typer.Option(
        help="Create the campaign first (with --caller-id, --region, --timezone).")] = False,
    caller_id: Annotated[str, typer.Option(help="With --create: caller ID, E.164.")] = "",
    region: Annotated[str, typer.Option(help="With --create: default region.")] = "US",
    timezone: Annotated[str, typer.Option(help="With --create: the campaign's zone.")] = "UTC",
    db: Annotated[str | None, typer.Option(
        "--db", help="Database URL (default: $CALLCENTER_DATABASE_URL, else "
                     "sqlite:///callcenter.db).")] = None,
    chunk: Annotated[int, typer.Option(
        min=1, help="Leads stored per transaction (the longest the database is held).")
    ] = 1000,
    pause: Annotated[float, typer.Option(
        min=0, help="Seconds between transactions, so a running server's writes get "
                    "the database in between.")] = 0.15,
) -> None:
    """Import a CSV lead list into a campaign: numbers to E.164, a time zone per lead."""
    console = Console()
    mapping = ColumnMapping(number=number, id=id_column, priority=priority,
                            timezone=timezone_column, country=country, postcode=postcode,
                            fields=field_specs(field or []))
    migrate(db)
    engine = create_engine_for(db)
    sessions = session_factory(engine)
    try:
        if create:
            target = Campaign(campaign, caller_id=caller_id, default_region=region,
                              timezone=timezone)
        else:
            with sessions.begin() as session:
                target = get_campaign(session, campaign)
        result = _read(file, target, mapping, console)
        if strict and result.rejected:
            _report(console, result, None, errors)
            raise typer.Exit(1)
        if create:
            with sessions.begin() as session:
                add_campaign(session, target)
        stored = _store(sessions, campaign, result, console, chunk, pause)
        _report(console, result, stored, errors)
    except (ConfigError, Conflict, NotFound, ImportFileError) as exc:
        raise _fail(str(exc)) from None
    finally:
        engine.dispose()


def _read(file: Path, campaign: Campaign, mapping: ColumnMapping, console: Console) -> ImportResult:
    size = file.stat().st_size
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TextColumn("{task.fields[rows]} rows"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar, file.open("rb") as stream:
        task = bar.add_task(f"reading {file.name}", total=size, rows=0)
        return import_leads(utf8_lines(stream), campaign, mapping,
                            progress=lambda rows, read: bar.update(task, completed=read,
                                                                   rows=rows))


def _store(sessions: sessionmaker[Session], campaign: str, result: ImportResult,
           console: Console, chunk: int, pause: float) -> Stored:
    """The leads stored a chunk at a time; a failed chunk ends the command (exit 2)
    saying which leads are stored."""
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} leads"), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("storing", total=len(result.leads))
        try:
            return store_leads(sessions, campaign, result.leads, chunk=chunk, pause=pause,
                               progress=lambda n: bar.update(task, completed=n))
        except PartlyStored as exc:
            done = exc.stored
            last = result.sources[result.leads[done - 1].id][0] if done else 0
            raise _fail(f"the database failed after {done} of {len(result.leads)} leads were "
                        f"stored (those first seen on lines up to {last}): {exc.cause}; run "
                        "the same import again to store the rest (stored leads are "
                        "skipped)") from None


def _report(console: Console, result: ImportResult, stored: Stored | None,
            errors: Path | None) -> None:
    summary = Table(show_header=False, box=None)
    summary.add_row("rows read", str(result.rows))
    summary.add_row("leads", str(len(result.leads)))
    summary.add_row("merged duplicate rows", str(result.merged))
    summary.add_row("rejected rows", str(len(result.rejected)))
    if stored is None:
        summary.add_row("stored", "nothing (--strict)")
    else:
        summary.add_row("stored", str(stored.added))
        summary.add_row("already in the campaign", str(len(stored.present)))
    console.print(summary)
    rejected = list(result.rejected)
    if stored is not None:
        rejected += [Rejection(result.sources[lead.id][0], why) for lead, why in stored.present]
        rejected.sort(key=lambda r: r.line)
    if rejected:
        table = Table("line", "reason", title="not imported")
        for r in rejected[:SHOWN]:
            table.add_row(str(r.line), r.reason)
        console.print(table)
        if len(rejected) > SHOWN:
            console.print(f"... and {len(rejected) - SHOWN} more"
                          + ("" if errors else " (--errors FILE lists them all)"))
    if errors is not None:
        with errors.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "reason"])
            writer.writerows([r.line, r.reason] for r in rejected)
        console.print(f"rejected rows written to {errors}", highlight=False)
