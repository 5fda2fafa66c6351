"""`callcenter migrate`, `callcenter create-user` and `callcenter serve`.

    callcenter migrate --db postgresql://user@host/callcenter
    callcenter create-user alice --role supervisor          # asks for the password
    callcenter serve --port 8080
    callcenter demo                                         # seeded database, bots, logins
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from callcenter.api.passwords import password_problem
from callcenter.api.settings import ServerSettings
from callcenter.core.config import ConfigError
from callcenter.store import Conflict, create_engine_for, database_url, migrate, session_factory
from callcenter.store.users import create_user as store_create_user
from callcenter.store.users import normalize_username

__all__ = ["create_user", "demo", "migrate_command", "serve"]

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: $CALLCENTER_DATABASE_URL, else sqlite:///callcenter.db).")]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def migrate_command(db: DbOption = None) -> None:
    """Create or upgrade the database schema to the newest revision."""
    migrate(db)
    where = database_url(db).render_as_string(hide_password=True)
    Console().print(f"database at the newest revision: {where}", highlight=False)


def create_user(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    password: Annotated[str | None, typer.Option(
        help="The password (asked for, hidden, when left out).")] = None,
    db: DbOption = None,
) -> None:
    """Add a user who can log in to the server (migrates the database first). The name
    is stored normalised (case-folded); the password needs 10 characters or more, not
    one of the commonest, without the username."""
    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        username = normalize_username(username)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    problem = password_problem(password, username)
    if problem is not None:
        raise _fail(problem)
    migrate(db)
    engine = create_engine_for(db)
    try:
        with session_factory(engine).begin() as session:
            store_create_user(session, username, password, role)
    except (ConfigError, Conflict) as exc:
        raise _fail(str(exc)) from None
    finally:
        engine.dispose()
    Console().print(f"user {username!r} created with role {role!r}", highlight=False)


def serve(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [8080].")] = None,
    scenario: Annotated[str | None, typer.Option(
        help="Queues, agents and simulated callers: an example name or a TOML file "
             "[hotline].")] = None,
    speed: Annotated[float | None, typer.Option(
        help="Engine seconds per real second [1].")] = None,
    bots: Annotated[bool | None, typer.Option(
        "--bots/--no-bots", help="Bot agents answer calls [on].")] = None,
    sip: Annotated[str | None, typer.Option(
        help="Take real SIP calls on HOST:PORT (UDP) instead of simulated ones; needs "
             "--telephony-config.")] = None,
    telephony_config: Annotated[Path | None, typer.Option(
        "--telephony-config", dir_okay=False,
        help="YAML file of the sip adapter: trunks, DIDs and flows, agents' phones.")] = None,
    drain_seconds: Annotated[float | None, typer.Option(
        "--drain-seconds", min=0,
        help="On SIGTERM or Ctrl-C, take no new calls and let those in progress end for "
             "this long (engine seconds), then close them [30].")] = None,
    journal: Annotated[Path | None, typer.Option(
        dir_okay=False,
        help="File where changes the database failed to take wait for it [beside the "
             "SQLite file, else in the working folder].")] = None,
) -> None:
    """Run the server (API, simulated or SIP telephony, /metrics) until interrupted."""
    import uvicorn  # the server's own dependency, loaded only to serve

    from callcenter.api.app import create_app

    try:
        settings = ServerSettings.from_env(
            database_url=db, host=host, port=port, scenario=scenario, speed=speed, bots=bots,
            sip=sip, telephony_config=None if telephony_config is None else str(telephony_config),
            drain_seconds=drain_seconds, journal=None if journal is None else str(journal))
    except ValidationError as exc:
        raise _fail(str(exc)) from None
    if settings.sip is not None:
        from callcenter.telephony.sip.config import TelephonyConfigError, load_telephony_config
        try:  # a bad file is a clear message here, not a failed server start
            assert settings.telephony_config is not None
            load_telephony_config(settings.telephony_config, listen=settings.sip)
        except TelephonyConfigError as exc:
            raise _fail(str(exc)) from None
    app = create_app(settings)
    Console().print(f"callcenter serving on http://{settings.host}:{settings.port}",
                    highlight=False)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


def _demo_sip_config(db: Path, sip: str, scenario: str) -> Path:
    """The demo's telephony config beside `db`, checked; a clear exit when it is wrong."""
    from callcenter.api.demo_sip import write_sip_config
    from callcenter.telephony.sip.config import (
        TelephonyConfigError,
        load_telephony_config,
        parse_listen,
    )

    if scenario != "customer-service":
        raise _fail("--sip runs the customer-service example (its IVR flow); "
                    f"not {scenario!r}")
    try:
        parse_listen(sip)
        path = write_sip_config(db.with_name(db.stem + "-sip"), sip)
        load_telephony_config(path, listen=sip)
    except (ValueError, TelephonyConfigError, OSError) as exc:
        raise _fail(f"--sip: {exc}") from None
    return path


def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    db: Annotated[Path, typer.Option(
        "--db", dir_okay=False,
        help="The demo's SQLite file; deleted and created afresh on every run.")]
    = Path("callcenter-demo.db"),
    scenario: Annotated[str, typer.Option(
        help="Example name or TOML file: queues, agents and callers.")] = "customer-service",
    speed: Annotated[float, typer.Option(min=0.01, help="Engine seconds per real second.")]
    = 1.0,
    sip: Annotated[str | None, typer.Option(
        help="Take real SIP calls on HOST:PORT (UDP) instead of simulated ones: dial "
             "100 into the example's IVR; register a softphone as you/you.")] = None,
    drain_seconds: Annotated[float, typer.Option(
        "--drain-seconds", min=0,
        help="On Ctrl-C, let the calls in progress end for this long (engine seconds), "
             "then close them.")] = 30.0,
) -> None:
    """Run a living contact center: seeded database, simulated callers, bot agents, and
    logins for an admin, a supervisor and an agent (see the printed table). With --sip,
    real calls through the IVR to the agents' phones instead."""
    import uvicorn  # the server's own dependency, loaded only to serve

    from callcenter.api.app import create_app
    from callcenter.api.demo import WARM_UP, busy_start, reset_database, seed_demo
    from callcenter.clock import WARM_SPEED
    from callcenter.scenario.errors import ScenarioError
    from callcenter.scenario.load import load_scenario, scenario_path

    try:
        sc = load_scenario(scenario_path(scenario))
        start = busy_start(sc, date.today())
    except (ScenarioError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    telephony = None
    if sip is not None:
        telephony = _demo_sip_config(db, sip, scenario)
    reset_database(db)
    url = f"sqlite:///{db}"
    console = Console()
    with console.status("creating the demo database"):
        logins = seed_demo(url, scenario, now=start if telephony is None else time.time())
    if telephony is None:
        settings = ServerSettings(database_url=url, host=host, port=port, scenario=scenario,
                                  speed=speed, start=start, warm_up=WARM_UP, bots=True,
                                  shifts=True, drain_seconds=drain_seconds)
    else:  # real calls: the real clock, no simulated callers or bots
        settings = ServerSettings(database_url=url, host=host, port=port, scenario=scenario,
                                  bots=False, sip=sip, telephony_config=str(telephony),
                                  drain_seconds=drain_seconds)
    where = f"http://{host}:{port}"
    table = Table("login", "password", "role", "acts as", title="demo logins")
    for login in logins:
        table.add_row(login.username, login.password, login.role, login.agent_id or "")
    warm = WARM_UP / max(WARM_SPEED, speed)
    calls = (f"Simulated callers and bot agents at {speed:g}x, after the {WARM_UP / 60:g} "
             f"minutes before 10:00 in the first {warm:g} seconds." if sip is None else
             f"Real calls: dial [bold]100@{sip}[/] from a phone on a trunk address; register "
             f"a softphone at [bold]{sip}[/] as user [bold]you[/], password [bold]you[/], "
             f"then log in as agent and go ready. Config: {telephony}")
    console.print(Panel.fit(
        f"[bold]{sc.name}[/]: open [bold]{where}/[/] in a browser\n{sc.description}\n"
        f"{calls} Log in as [bold]supervisor[/] for "
        "the wallboard, or as [bold]agent[/] to take calls yourself.\n"
        f"API: {where}/docs   metrics: {where}/metrics   stop: Ctrl-C",
        title="callcenter demo", border_style="cyan"), highlight=False)
    console.print(table)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
