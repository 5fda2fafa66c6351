"""`callcenter retention`: the retention rules from the command line.

- `callcenter retention run [--db URL] [--now ISO]`: apply the rules now (as the
  server's daily job does), with a progress bar over the kinds, then a table of how
  many of each were removed; audited as `retention` by `cli`.
- `callcenter retention rules [--db URL]`: the rules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from callcenter.crm.privacy import KINDS, retention_rules, run_retention
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.models import utcnow

app = typer.Typer(name="retention", help="Retention rules: how long personal data is kept.",
                  no_args_is_help=True, add_completion=False)

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: $CALLCENTER_DATABASE_URL, else sqlite:///callcenter.db).")]


def _now(raw: str | None) -> datetime:
    if raw is None:
        return utcnow()
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date and time: {raw!r}",
                                 param_hint="--now") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@app.command("run")
def run(db: DbOption = None, now: Annotated[str | None, typer.Option(
        help="Apply the rules as at this time (ISO, UTC when no offset; default: now).")]
        = None) -> None:
    """Remove each kind of data older than its rule's days."""
    at = _now(now)
    migrate(db)
    engine = create_engine_for(db)
    console = Console()
    try:
        with session_factory(engine).begin() as session:
            enabled = [r.kind for r in retention_rules(session) if r.enabled and r.kind in KINDS]
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("applying retention rules", total=len(enabled))

                def step(kind: str) -> None:
                    progress.update(task, advance=1, description=f"done: {kind}")
                removed = run_retention(session, at, actor="cli", progress=step)
    finally:
        engine.dispose()
    table = Table(title=f"Retention as at {at.isoformat(timespec='seconds')}")
    table.add_column("kind")
    table.add_column("removed", justify="right")
    for kind, count in sorted(removed.items()):
        table.add_row(kind, str(count))
    console.print(table)


@app.command("rules")
def rules(db: DbOption = None) -> None:
    """The retention rules."""
    migrate(db)
    engine = create_engine_for(db)
    try:
        with session_factory(engine)() as session:
            rows = retention_rules(session)
            table = Table(title="Retention rules")
            for column in ("kind", "days", "enabled", "removes"):
                table.add_column(column)
            for r in rows:
                table.add_row(r.kind, str(r.days), "yes" if r.enabled else "no",
                              KINDS.get(r.kind, ""))
    finally:
        engine.dispose()
    Console().print(table)
