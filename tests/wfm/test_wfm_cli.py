"""`callcenter staff`: parsing, JSON and table output, and errors that name the option."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from callcenter.wfm.cli import ServiceTarget, parse_interval, parse_target, staff

REFERENCE = ["staff", "--calls", "100", "--interval", "30m", "--aht", "180", "--target", "80/20"]


@pytest.fixture
def app() -> typer.Typer:
    """A Typer app holding only the staff command, registered as callcenter.cli does."""
    application = typer.Typer()
    application.command("staff")(staff)
    application.command("other")(lambda: None)  # keeps "staff" a sub-command, as in the real app
    return application


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15m", 900.0), ("30m", 1800.0), ("1h", 3600.0), ("900s", 900.0), ("900", 900.0),
     ("1.5h", 5400.0), (" 30M ", 1800.0)],
)
def test_parse_interval_accepts_units(text: str, seconds: float) -> None:
    """Durations with s, m, h or no unit (seconds) become seconds."""
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["30x", "m", "", "-5m", "0", "30 minutes", "1h30m"])
def test_parse_interval_rejects_bad_input(text: str) -> None:
    """Anything but a positive number with an optional s, m or h unit is refused."""
    with pytest.raises(ValueError, match="duration"):
        parse_interval(text)


def test_parse_target_reads_percent_and_seconds() -> None:
    """'80/20' is 80 % within 20 seconds; '90%/15s' is also understood."""
    assert parse_target("80/20") == ServiceTarget(fraction=0.8, seconds=20.0)
    assert parse_target("90%/15s") == ServiceTarget(fraction=0.9, seconds=15.0)


@pytest.mark.parametrize("text", ["80", "80-20", "/20", "0/20", "100/20", "80/x"])
def test_parse_target_rejects_bad_input(text: str) -> None:
    """Targets that are not PERCENT/SECONDS with 0 < PERCENT < 100 are refused."""
    with pytest.raises(ValueError, match=r"target|percentage"):
        parse_target(text)


def test_json_gives_the_reference_answer(app: typer.Typer) -> None:
    """--json prints one object: 14 agents, SL 0.8884, ASA 7.84 s, occupancy 0.714."""
    result = CliRunner().invoke(app, [*REFERENCE, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["agents"] == 14
    assert round(document["service_level"], 4) == 0.8884
    assert round(document["p_wait"], 4) == 0.1741
    assert round(document["asa"], 2) == 7.84
    assert round(document["occupancy"], 3) == 0.714
    assert "p_abandon" not in document
    assert [row["agents"] for row in document["rows"]] == [12, 13, 14, 15, 16, 17]


def test_json_with_patience_adds_abandonment(app: typer.Typer) -> None:
    """With --patience the JSON uses Erlang A and carries p_abandon."""
    result = CliRunner().invoke(app, [*REFERENCE, "--patience", "120", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["model"], document["agents"]) == ("erlang_a", 12)
    assert 0.0 < document["p_abandon"] < document["p_wait"]


def test_json_writes_infinite_asa_as_null(app: typer.Typer) -> None:
    """Unstable rows (agents <= Erlangs) have an infinite ASA, written as null."""
    result = CliRunner().invoke(
        app, ["staff", "--calls", "20", "--interval", "30m", "--aht", "180", "--target",
              "50/20", "--json"]
    )
    rows = json.loads(result.stdout)["rows"]
    assert rows[0] == {"agents": 1, "service_level": 0.0, "asa": None, "occupancy": 1.0,
                       "p_wait": 1.0}


def test_table_marks_the_answer(app: typer.Typer) -> None:
    """Without --json a table is printed with the 14-agent row marked."""
    result = CliRunner().invoke(app, REFERENCE)
    assert result.exit_code == 0, result.output
    marked = [line for line in result.stdout.splitlines() if "▶" in line]
    assert len(marked) == 1
    assert "14" in marked[0] and "88.8 %" in marked[0]
    assert "Answer: 14 agents." in result.stdout


def test_table_with_patience_shows_abandonment(app: typer.Typer) -> None:
    """With --patience the table gains a P(abandon) column."""
    result = CliRunner().invoke(app, [*REFERENCE, "--patience", "120"])
    assert result.exit_code == 0, result.output
    assert "P(abandon)" in result.stdout


@pytest.mark.parametrize(
    ("option", "value"),
    [("--interval", "30x"), ("--interval", "0m"), ("--target", "80-20"),
     ("--target", "120/20"), ("--aht", "0"), ("--patience", "-3"), ("--calls", "inf")],
)
def test_bad_option_exits_non_zero_naming_it(app: typer.Typer, option: str, value: str) -> None:
    """A bad value gives a non-zero exit and a message naming the option."""
    arguments = ["staff", "--calls", "100", "--aht", "180", option, value]  # last one wins
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code != 0
    assert f"Invalid value for '{option}'" in result.output
