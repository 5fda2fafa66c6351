"""Trace replay: recorded calls and staffing through the engine; bad rows name their line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.load import load_scenario
from callcenter.scenario.spec import Scenario
from callcenter.sim.runner import run_scenario

SCENARIO = """\
[simulation]
start = 2025-03-03
timezone = "UTC"

[queues.q]
wrap_up = 0

[trace]
calls = "calls.csv"
staffing = "staffing.csv"
"""


def write(tmp: Path, calls: str, staffing: str = "start,agents\n0,1\n",
          scenario: str = SCENARIO) -> Path:
    (tmp / "calls.csv").write_text(calls)
    (tmp / "staffing.csv").write_text(staffing)
    path = tmp / "trace.toml"
    path.write_text(scenario)
    return path


def replay(sc: Scenario) -> dict[str, tuple[str, float, float]]:
    """Outcome, wait and talk per interaction."""
    result = run_scenario(sc, np.random.default_rng(0))
    return {r.interaction_id: (r.outcome, r.wait, r.talk_seconds) for r in result.records}


def test_replay_uses_recorded_handle_time_and_patience(tmp_path: Path) -> None:
    """One agent: the second caller gives up after 5 s, the third waits for the agent."""
    path = write(tmp_path, "arrival,handle_time,patience,queue\n0,100,,q\n10,50,5,q\n"
                           "20,30,,q\n")
    assert replay(load_scenario(path)) == {
        "c1": ("completed", 0.0, 100.0),
        "c2": ("abandoned", 5.0, 0.0),
        "c3": ("completed", 80.0, 30.0),
    }


def test_hangup_time_gives_patience(tmp_path: Path) -> None:
    """A `hangup` date-time becomes the caller's patience."""
    path = write(tmp_path, "arrival,handle_time,hangup\n2025-03-03T08:00:00,600,\n"
                           "2025-03-03T08:00:10,60,2025-03-03T08:00:40\n")
    assert replay(load_scenario(path))["c2"] == ("abandoned", 30.0, 0.0)


def test_staffing_steps_log_agents_in_and_out(tmp_path: Path) -> None:
    """Staffing rows set how many agents are on duty; more than the group has are added."""
    path = write(tmp_path, "arrival,handle_time\n7200,10\n",
                 staffing="start,agents\n0,1\n3600,2\n5400,1\n")
    sc = load_scenario(path)
    result = run_scenario(sc, np.random.default_rng(0))
    t0 = sc.start_time()
    second = [(s.state, s.start - t0, s.end - t0) for s in result.spans
              if s.agent_id == "agent-x2"]
    assert second == [("available", 3600.0, 5400.0)]


def test_calls_without_queue_go_to_the_only_queue(tmp_path: Path) -> None:
    """Without a queue column every call goes to the scenario's one queue."""
    path = write(tmp_path, "arrival,handle_time\n0,10\n")
    result = run_scenario(load_scenario(path), np.random.default_rng(0))
    assert [r.queue_id for r in result.records] == ["q"]


def test_skill_column_adds_requirement(tmp_path: Path) -> None:
    """A call needing a skill nobody has waits until its caller gives up."""
    path = write(tmp_path, "arrival,handle_time,patience,skill\n0,10,30,german:5\n")
    assert replay(load_scenario(path)) == {"c1": ("abandoned", 30.0, 0.0)}


def test_missing_handle_time_draws_from_queue_model(tmp_path: Path) -> None:
    """A call never answered in reality gets the queue's handle-time model in replay."""
    scenario = SCENARIO.replace("wrap_up = 0", "wrap_up = 0\nhandle_time = 42")
    path = write(tmp_path, "arrival,handle_time\n0,\n", scenario=scenario)
    assert replay(load_scenario(path)) == {"c1": ("completed", 0.0, 42.0)}


def test_staffing_section_instead_of_file(tmp_path: Path) -> None:
    """Staffing can be [[trace.staffing]] tables in the scenario."""
    scenario = SCENARIO.replace('staffing = "staffing.csv"', "") + (
        "\n[[trace.staffing]]\nstart = 0\nagents = 1\n")
    path = write(tmp_path, "arrival,handle_time\n0,10\n", scenario=scenario)
    assert replay(load_scenario(path)) == {"c1": ("completed", 0.0, 10.0)}


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    """A bad cell raises with the CSV file and its line number."""
    path = write(tmp_path, "arrival,handle_time\n0,10\nsoon,10\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.line == 3 and info.value.file is not None
    assert info.value.file.endswith("calls.csv") and "soon" in str(info.value)


def test_negative_handle_time_is_refused(tmp_path: Path) -> None:
    """Handle times are seconds >= 0."""
    path = write(tmp_path, "arrival,handle_time\n0,-3\n")
    with pytest.raises(ScenarioError, match="line 2: handle_time must be >= 0"):
        load_scenario(path)


def test_hangup_before_arrival_is_refused(tmp_path: Path) -> None:
    """A caller cannot hang up before arriving."""
    path = write(tmp_path, "arrival,handle_time,hangup\n100,10,50\n")
    with pytest.raises(ScenarioError, match="hangup is before arrival"):
        load_scenario(path)


def test_missing_column_is_named(tmp_path: Path) -> None:
    """The header must have arrival and handle_time."""
    path = write(tmp_path, "when,handle_time\n0,10\n")
    with pytest.raises(ScenarioError, match="missing column 'arrival'"):
        load_scenario(path)


def test_bad_staffing_row(tmp_path: Path) -> None:
    """A staffing count that is not a whole number names its line."""
    path = write(tmp_path, "arrival,handle_time\n0,10\n", staffing="start,agents\n0,two\n")
    with pytest.raises(ScenarioError, match="line 2: agents must be an integer"):
        load_scenario(path)


def test_unknown_queue_in_trace(tmp_path: Path) -> None:
    """Calls for a queue the scenario does not define are refused."""
    path = write(tmp_path, "arrival,handle_time,queue\n0,10,sales\n")
    with pytest.raises(ScenarioError, match="queue 'sales'"):
        load_scenario(path)


def test_trace_and_arrivals_exclude_each_other(tmp_path: Path) -> None:
    """A scenario takes either arrivals or a trace."""
    scenario = SCENARIO + '\n[[arrivals]]\nqueue = "q"\nper_hour = 5\n'
    path = write(tmp_path, "arrival,handle_time\n0,10\n", scenario=scenario)
    with pytest.raises(ScenarioError, match="either"):
        load_scenario(path)
