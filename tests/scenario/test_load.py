"""Scenario files: what they turn into, and the errors that bad ones raise."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.config import ExitKind, Strategy
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.load import load_scenario, parse_scenario
from callcenter.scenario.models import Constant, Empirical, Exponential, LogNormal, Never

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

BASE = """\
[simulation]
start = 2025-03-03
timezone = "Europe/Berlin"

[queues.q]
wrap_up = 10

[[agents]]
name = "a"
count = 3

[[arrivals]]
queue = "q"
per_hour = 60
"""


def parse(extra: str = "", base: str = BASE) -> object:
    return parse_scenario(base + extra, Path("test.toml"))


def error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, Path("test.toml"))
    return info.value


@pytest.mark.parametrize("name", ["hotline", "customer-service", "full-day"])
def test_examples_load(name: str) -> None:
    """Every example scenario is valid."""
    sc = load_scenario(EXAMPLES / f"{name}.toml")
    assert sc.queues and sc.groups and sc.arrivals


def test_minimal_scenario_defaults() -> None:
    """Omitted settings take their documented defaults."""
    sc = parse_scenario(BASE)
    q = sc.queues[0]
    assert (q.strategy, q.wrap_up, sc.days, sc.seed, sc.report_interval) == (
        Strategy.LONGEST_IDLE, 10.0, 1, 1, 30)
    assert sc.caller_model("q").patience == Never()
    assert sc.caller_model("q").handle_time == Exponential(180.0)


def test_group_count_makes_numbered_agents() -> None:
    """A group of three becomes agents a-1, a-2, a-3."""
    sc = parse_scenario(BASE)
    assert [a.id for a in sc.groups[0].agents] == ["a-1", "a-2", "a-3"]


def test_start_is_local_midnight() -> None:
    """The engine clock starts at local midnight of the start date, as Unix seconds."""
    sc = parse_scenario(BASE)
    assert sc.start_time() == datetime(2025, 3, 3, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()


def test_epoch_follows_daylight_saving() -> None:
    """08:00 local on the day clocks go forward is 7 hours after midnight, not 8."""
    sc = parse_scenario(BASE.replace("2025-03-03", "2025-03-30"))
    assert sc.epoch(sc.start, 8 * 3600) - sc.start_time() == 7 * 3600


def test_per_hour_window_expected_count() -> None:
    """per_hour with start and end expects the rate times the window."""
    sc = parse_scenario(BASE.replace("per_hour = 60", 'per_hour = 60\nstart = "08:00"\n'
                                     'end = "12:30"'))
    assert sc.arrivals[0].daily_volume() == pytest.approx(270)


def test_profile_spreads_daily_volume() -> None:
    """daily with a profile splits the volume by the normalised weights."""
    sc = parse_scenario(BASE.replace("per_hour = 60", 'daily = 100\nprofile = "p"') +
                        '[profiles.p]\ninterval = 30\nstart = "09:00"\nweights = [1, 3]\n')
    s = sc.arrivals[0]
    assert (s.starts, s.length, s.expected) == ((9 * 3600.0, 9.5 * 3600), 1800.0, (25.0, 75.0))


def test_distributions_parse() -> None:
    """Every distribution form turns into its model."""
    sc = parse_scenario(BASE.replace("wrap_up = 10", """wrap_up = 10
handle_time = { dist = "lognormal", mean = 200, sd = 100 }
patience = { dist = "empirical", values = [10, 20], weights = [1, 3] }"""))
    model = sc.caller_model("q")
    assert model.handle_time == LogNormal(200, 100)
    assert model.patience == Empirical((10.0, 20.0), (1.0, 3.0))


def test_number_is_constant_distribution() -> None:
    """A bare number is a constant."""
    sc = parse_scenario(BASE.replace("wrap_up = 10", "wrap_up = 10\nhandle_time = 90"))
    assert sc.caller_model("q").handle_time == Constant(90.0)


def test_exit_action_to_other_queue() -> None:
    """`queue:<id>` exits into another queue."""
    sc = parse_scenario(BASE.replace("wrap_up = 10", 'max_wait = 60\ntimeout_action = "queue:r"')
                        + "[queues.r]\n")
    assert sc.queues[0].timeout_action.kind is ExitKind.QUEUE
    assert sc.queues[0].timeout_action.queue_id == "r"


def test_shift_past_midnight() -> None:
    """A shift that ends before it starts runs over midnight."""
    sc = parse_scenario(BASE.replace('name = "a"', 'name = "a"\nshift = "night"') +
                        '[shifts.night]\nstart = "22:00"\nend = "06:00"\n')
    shift = sc.groups[0].shift
    assert shift is not None and shift.end - shift.start == 8 * 3600


def test_calendar_hours_and_holidays() -> None:
    """Calendar hours by weekday range; holidays closed."""
    sc = parse_scenario(BASE.replace("wrap_up = 10", 'calendar = "c"') + """
[calendars.c]
hours = { "mon-fri" = "08:00-12:00, 13:00-18:00" }
holidays = [2025-03-04]
""")
    cal = sc.queues[0].calendar
    assert cal is not None
    berlin = ZoneInfo("Europe/Berlin")
    at = [datetime(2025, 3, d, h, tzinfo=berlin).timestamp() for d, h in
          ((3, 9), (3, 12), (4, 9), (8, 9))]
    assert [cal.is_open(t) for t in at] == [True, False, False, False]


# ---------------------------------------------------------------- errors


def test_unknown_key_suggests_and_gives_line() -> None:
    """A misspelt key is named with a suggestion and its line number."""
    err = error(BASE.replace("wrap_up = 10", "wrapup = 10"))
    assert (err.line, err.path) == (6, ("queues", "q", "wrapup"))
    assert "did you mean 'wrap_up'" in str(err)
    assert str(err).startswith("test.toml, line 6: queues.q.wrapup:")


def test_toml_syntax_error_gives_line() -> None:
    """Broken TOML names its line."""
    err = error(BASE + "\n[queues.r\n")
    assert err.line == 16 and "not valid TOML" in str(err)


def test_bad_value_names_key_in_array_of_tables() -> None:
    """A bad value inside [[agents]] names the entry and the line."""
    err = error(BASE.replace("count = 3", "count = 0"))
    assert err.path == ("agents", 0, "count") and err.line == 10
    assert "must be >= 1" in str(err)


def test_unknown_queue_reference() -> None:
    """Arrivals for a queue that does not exist are refused."""
    err = error(BASE.replace('queue = "q"', 'queue = "nope"'))
    assert "no queue 'nope'" in str(err) and err.line == 13


def test_exit_to_unknown_queue() -> None:
    """An exit into an undefined queue is refused."""
    err = error(BASE.replace("wrap_up = 10", 'timeout_action = "queue:elsewhere"'))
    assert "no queue 'elsewhere'" in str(err)


def test_bad_exit_action() -> None:
    """An exit action must be one of the known kinds."""
    assert "hangup, voicemail, callback or queue:<id>" in str(
        error(BASE.replace("wrap_up = 10", 'closed_action = "beep"')))


def test_missing_arrivals() -> None:
    """A scenario without arrivals or a trace is refused."""
    assert "define arrivals" in str(error(BASE.split("[[arrivals]]")[0]))


def test_missing_agents() -> None:
    """A scenario without agents is refused."""
    text = BASE.replace('[[agents]]\nname = "a"\ncount = 3\n', "")
    assert "at least one agent group" in str(error(text))


def test_two_arrival_forms() -> None:
    """An arrival stream takes exactly one volume form."""
    assert "exactly one of" in str(error(BASE + "daily = 10\n"))


def test_unknown_distribution() -> None:
    """An unknown distribution lists the known ones."""
    err = error(BASE.replace("wrap_up = 10", 'handle_time = { dist = "gamma", mean = 3 }'))
    assert "must be one of constant, exponential" in str(err)


def test_lognormal_needs_sd() -> None:
    """A log-normal needs its standard deviation."""
    err = error(BASE.replace("wrap_up = 10", 'handle_time = { dist = "lognormal", mean = 3 }'))
    assert err.path == ("queues", "q", "handle_time") and "'sd'" in str(err)


def test_undeclared_skill() -> None:
    """With a [skills] table, a skill it does not declare is refused."""
    text = BASE.replace("wrap_up = 10", "required_skills = { biling = 3 }")
    err = error(text + '[skills]\nbilling = "Invoices"\n')
    assert "skill 'biling' is not declared" in str(err)


def test_skill_level_range() -> None:
    """Skill levels are 1..10."""
    err = error(BASE.replace("count = 3", "count = 3\nskills = { billing = 11 }"))
    assert "1..10" in str(err)


def test_bad_weekday() -> None:
    """Weekday names are checked."""
    assert "unknown weekday 'funday'" in str(error(BASE + 'weekdays = "funday"\n'))


def test_bad_time_of_day() -> None:
    """Times of day look like 08:30."""
    assert "time of day" in str(error(BASE + 'start = "8h"\n'))


def test_intervals_past_midnight() -> None:
    """Arrival intervals must end by midnight."""
    text = BASE.replace("per_hour = 60", 'per_interval = [1, 2]\nstart = "23:30"\ninterval = 30')
    assert "past midnight" in str(error(text))


def test_break_outside_shift() -> None:
    """A break must lie within its shift."""
    text = BASE.replace('name = "a"', 'name = "a"\nshift = "s"') + """
[shifts.s]
start = "08:00"
end = "12:00"
breaks = [{ start = "13:00", minutes = 15 }]
"""
    assert "within the shift" in str(error(text))


def test_queue_config_errors_become_scenario_errors() -> None:
    """Errors from the core's QueueConfig carry the queue's path."""
    err = error(BASE.replace("wrap_up = 10", "escalation = [{ after = 60 }, { after = 30 }]"))
    assert err.path == ("queues", "q") and "increasing" in str(err)


def test_unknown_time_zone() -> None:
    """Time zones are IANA names."""
    assert "unknown time zone" in str(error(BASE.replace("Europe/Berlin", "Mars/Olympus")))


def test_missing_file() -> None:
    """A missing scenario file is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load_scenario(Path("does-not-exist.toml"))


def test_reference_example_parses() -> None:
    """The complete example in docs/reference/scenario-format.md is a valid scenario."""
    doc = (EXAMPLES.parents[1] / "docs" / "reference" / "scenario-format.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    sc = parse_scenario(example)
    assert sc.name == "Hotline" and len(sc.groups[0].agents) == 6
