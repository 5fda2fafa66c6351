"""The `callcenter` command line: one Typer app, commands live beside their subject."""

from __future__ import annotations

import typer

from callcenter.api.cli import create_user, demo, migrate_command, serve
from callcenter.campaigns.cli import import_leads_command
from callcenter.campaigns.compliance_cli import compliance_command
from callcenter.crm.privacy_cli import app as retention_app
from callcenter.sim.cli import simulate
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
app.command("migrate")(migrate_command)
app.command("create-user")(create_user)
app.command("serve")(serve)
app.command("import-leads")(import_leads_command)
app.command("compliance")(compliance_command)
app.add_typer(retention_app, name="retention")


def main() -> None:
    """Console-script entry point."""
    app()
