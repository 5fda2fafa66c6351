"""The `callcenter` command line: one Typer app, commands live beside their subject."""

from __future__ import annotations

import typer

from callcenter.sim.cli import demo, simulate
from callcenter.wfm.cli import staff

app = typer.Typer(
    name="callcenter",
    help="callcenter: an open-source contact-center platform.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("demo")(demo)
app.command("simulate")(simulate)
app.command("staff")(staff)


def main() -> None:
    """Console-script entry point."""
    app()
