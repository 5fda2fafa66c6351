"""`callcenter simulate` through the Typer app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.core.records import INTERACTION_COLUMNS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
HOTLINE = str(EXAMPLES / "hotline.toml")
runner = CliRunner()


def test_simulate_json_has_per_queue_kpis() -> None:
    """--json prints one object with the KPIs of every queue."""
    result = runner.invoke(app, ["simulate", HOTLINE, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    block = out["queues"]["hotline"]
    for key in ("offered", "handled", "abandoned", "service_level", "asa", "aht",
                "abandon_rate", "occupancy"):
        assert key in block
    assert block["offered"] == block["handled"] + block["abandoned"]


def test_simulate_replications_add_confidence_intervals() -> None:
    """With R > 1 every queue block carries 95 % CI half-widths."""
    result = runner.invoke(app, ["simulate", HOTLINE, "--json", "-r", "3", "--seed", "4"])
    out = json.loads(result.stdout)
    assert out["replications"] == 3
    assert out["queues"]["hotline"]["ci95"]["service_level"] > 0


def test_simulate_days_option() -> None:
    """--days overrides the scenario's horizon."""
    out = json.loads(runner.invoke(app, ["simulate", HOTLINE, "--json", "--days", "2"]).stdout)
    assert out["days"] == 2 and out["window"]["end"].startswith("2025-03-05")


def test_simulate_writes_rows(tmp_path: Path) -> None:
    """--rows and --spans write CSV files with a replication column."""
    rows, spans = tmp_path / "rows.csv", tmp_path / "spans.csv"
    result = runner.invoke(app, ["simulate", HOTLINE, "--rows", str(rows), "--spans", str(spans)])
    assert result.exit_code == 0
    with rows.open() as fh:
        header = next(csv.reader(fh))
    assert header == ["replication", *INTERACTION_COLUMNS]
    assert len(spans.read_text().splitlines()) > 10


def test_simulate_table_output() -> None:
    """Without --json a table names each queue and the service level threshold."""
    result = runner.invoke(app, ["simulate", HOTLINE, "--intervals"], env={"COLUMNS": "140"})
    assert result.exit_code == 0
    assert "hotline" in result.stdout and "@20s" in result.stdout
    assert "service level by interval" in result.stdout


def test_simulate_bad_scenario_exits_2(tmp_path: Path) -> None:
    """A scenario error prints the file, line and key, and exits with status 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[queues.q]\nwrapup = 3\n")
    result = runner.invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "wrap_up" in result.output


def test_simulate_takes_an_example_name_and_charts_it() -> None:
    """An example's name runs the shipped scenario; --intervals adds SL and occupancy bars."""
    result = runner.invoke(app, ["simulate", "hotline", "--intervals"], env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    assert "service level by interval" in result.stdout and "occupancy" in result.stdout


def test_simulate_unknown_example_names_the_known_ones() -> None:
    """An unknown example name lists the examples and exits with status 2."""
    result = runner.invoke(app, ["simulate", "nope"])
    assert result.exit_code == 2 and "hotline" in result.output
