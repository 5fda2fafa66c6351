"""`callcenter simulate` on outbound scenarios: the report, --json, --chart, --compare."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from callcenter.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}

CAMPAIGN = """\
[simulation]
name = "Small campaign"
days = 2
seed = 11

[campaign]
dial_mode = "predictive"
drop_cap = 0.03

[agents]
count = 10
shift_hours = 1
wrap_up = 10

[outcomes]
live = 0.35

[[swings]]
at = "00:30"
live = 0.15
"""


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    return path


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["simulate", *args, "--json"])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_json_figures_add_up_day_by_day(campaign: Path) -> None:
    """--json: one block for the scenario's dialer whose per-day counts sum to its totals."""
    out = run_json(str(campaign))
    assert (out["kind"], out["days"], out["agents"], out["seed"]) == ("outbound", 2, 10, 11)
    block = out["dialers"]["predictive"]
    assert [d["day"] for d in block["days"]] == [1, 2]
    for key in ("dialed", "live_answers", "machines", "drops"):
        assert block[key] == sum(d[key] for d in block["days"])
    assert block["live_answers"] > 100
    assert block["drop_rate"] == pytest.approx(block["drops"] / block["live_answers"])
    assert block["worst_24h_drop_rate"] <= out["drop_cap"]
    assert 0 < block["talk_minutes_per_agent_hour"] < 60 * block["occupancy"]


def test_table_shows_the_dialer_and_each_day(campaign: Path) -> None:
    """Without --json: a summary table per dialer and a per-day table, on stdout."""
    result = runner.invoke(app, ["simulate", str(campaign)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Small campaign: 10 agents, 2 day(s) x 1 h" in result.stdout
    assert "predictive" in result.stdout and "worst 24 h" in result.stdout
    assert "per day" in result.stdout


def test_days_seed_and_replications_override_the_file(campaign: Path) -> None:
    """--days, --seed and -r replace the scenario's; R > 1 adds 95 % half-widths."""
    out = run_json(str(campaign), "--days", "1", "--seed", "3", "-r", "2")
    assert (out["days"], out["seed"], out["replications"]) == (1, 3, 2)
    block = out["dialers"]["predictive"]
    assert len(block["days"]) == 1
    assert set(block["ci95"]) >= {"talk_minutes_per_agent_hour", "drop_rate"}


def test_compare_runs_each_dialer_on_the_same_callees(campaign: Path) -> None:
    """--compare gives each dialer exactly the figures of its own run with the same seed."""
    both = run_json(str(campaign), "--compare", "progressive,adapt,predictive")
    assert list(both["dialers"]) == ["progressive", "adapt-average", "predictive"]
    alone = run_json(str(campaign))
    assert both["dialers"]["predictive"] == alone["dialers"]["predictive"]
    assert both["dialers"]["progressive"]["drops"] == 0
    talk = {name: d["talk_minutes_per_agent_hour"] for name, d in both["dialers"].items()}
    assert talk["predictive"] > talk["progressive"]


def test_compare_table_has_a_column_per_dialer(campaign: Path) -> None:
    """The per-day table of a comparison shows talk and drops of every dialer."""
    result = runner.invoke(app, ["simulate", str(campaign), "--compare", "progressive,predictive",
                                 "--days", "1"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "progressive: talk" in result.stdout and "predictive: drops" in result.stdout


def test_compare_refuses_an_unknown_dialer(campaign: Path) -> None:
    """An unknown name in --compare is an error naming it and the known ones."""
    result = runner.invoke(app, ["simulate", str(campaign), "--compare", "progressive,ratio"])
    assert result.exit_code == 2
    assert "--compare: unknown dialer 'ratio'" in result.output
    assert "adapt-average" in result.output


def test_chart_writes_an_svg_with_a_line_per_dialer(campaign: Path, tmp_path: Path) -> None:
    """--chart FILE.svg writes a valid SVG: two panels, one line per dialer in each."""
    chart = tmp_path / "chart.svg"
    result = runner.invoke(app, ["simulate", str(campaign), "--compare",
                                 "progressive,predictive", "--chart", str(chart), "--json"])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(chart.read_text(encoding="utf-8"))
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 4
    text = "".join(root.itertext())
    assert "drop rate per day" in text and "progressive" in text and "cap 3 %" in text


def test_chart_must_be_svg(campaign: Path, tmp_path: Path) -> None:
    """--chart with another extension is refused before the run, naming the option."""
    result = runner.invoke(app, ["simulate", str(campaign), "--chart",
                                 str(tmp_path / "chart.png")])
    assert result.exit_code == 2
    assert "--chart writes SVG" in result.output
    assert not (tmp_path / "chart.png").exists()


def test_inbound_options_are_refused_for_outbound(campaign: Path, tmp_path: Path) -> None:
    """--rows belongs to inbound scenarios: an outbound file says so."""
    result = runner.invoke(app, ["simulate", str(campaign), "--rows", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "--rows applies to inbound scenarios" in result.output


def test_outbound_options_are_refused_for_inbound() -> None:
    """--compare belongs to outbound scenarios: an inbound example says so."""
    result = runner.invoke(app, ["simulate", "hotline", "--compare", "progressive"])
    assert result.exit_code == 2
    assert "--compare applies to outbound scenarios" in result.output


def test_bad_outbound_file_names_the_key(tmp_path: Path) -> None:
    """A bad value in an outbound file stops the run with the file, line and key."""
    path = tmp_path / "bad.toml"
    path.write_text(CAMPAIGN.replace("count = 10", "count = 0"), encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "agents.count: must be >= 1" in result.output


def test_the_shipped_example_runs_by_name() -> None:
    """`callcenter simulate outbound-sales` finds the packaged example."""
    out = run_json("outbound-sales", "--days", "1")
    assert out["scenario"] == "Outbound sales" and "predictive" in out["dialers"]


def test_errors_keep_their_brackets(campaign: Path, tmp_path: Path) -> None:
    """A message naming a TOML table in brackets prints them (no markup eats them)."""
    result = runner.invoke(app, ["simulate", str(campaign), "--spans", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    assert "(it has a [campaign] table)" in result.output
