"""Outbound scenario files: the example, errors that name the key, the swing schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.dialer.drops import DAY
from callcenter.core.dialer.pacing import AdaptAverage, Predictive, Progressive
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.load import load_scenario
from callcenter.sim.outbound import OutcomeModel
from callcenter.sim.outbound_scenario import (
    Swing,
    is_outbound,
    load_outbound,
    parse_outbound,
    schedule,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "outbound-sales.toml"

SMALL = """\
[simulation]
days = 3

[campaign]
dial_mode = "predictive"

[agents]
count = 10
shift_hours = 2
"""


def error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_outbound(text, Path("campaign.toml"))
    return info.value


def test_the_example_reads_as_its_comments_say() -> None:
    """The shipped example: 50 agents, 8 h shifts, predictive under 3 %, gamma answer times."""
    spec = load_outbound(EXAMPLE)
    sc = spec.scenario
    assert (sc.agents, sc.shift_seconds, sc.cap, spec.dial_mode) == (50, 8 * 3600.0, 0.03,
                                                                     "predictive")
    assert (sc.model.answer_mean, sc.model.answer_shape, sc.model.ring_timeout) == (12, 4, 30)
    assert sc.model.live_rate_at(5 * 3600.0 + 1) == 0.22
    assert spec.simulation(8).model.live_rate_at(7 * DAY + 60.0) == 0.12


def test_defaults_fill_a_minimal_file() -> None:
    """Only [campaign] and agents.count are needed; the outcome model has its defaults."""
    spec = parse_outbound(SMALL)
    assert spec.scenario.model == OutcomeModel()
    assert spec.scenario.days == 3 and spec.replications == 1
    assert spec.target_rate == pytest.approx(0.024)  # min(2.5 %, 0.8 x cap), as live


def test_each_dial_mode_makes_its_pacer() -> None:
    """progressive, adapt-average (or adapt) and predictive name the three pacers."""
    spec = parse_outbound(SMALL)
    assert isinstance(spec.pacer("progressive"), Progressive)
    assert isinstance(spec.pacer("adapt-average"), AdaptAverage)
    assert isinstance(parse_outbound(SMALL.replace('"predictive"', '"adapt"')).pacer(),
                      AdaptAverage)
    predictive = spec.pacer()
    assert isinstance(predictive, Predictive)
    assert predictive.settings.target_rate == spec.target_rate


def test_adapt_settings_follow_the_drop_cap() -> None:
    """ADAPT_AVERAGE's dropped percentage defaults to the campaign's cap, in percent."""
    spec = parse_outbound(SMALL.replace('dial_mode = "predictive"',
                                        'dial_mode = "adapt-average"\ndrop_cap = 0.02'))
    assert spec.adapt.dropped_percentage == pytest.approx(2.0)
    assert spec.target_rate == pytest.approx(0.016)


def test_file_with_campaign_table_is_outbound() -> None:
    """A [campaign] table marks a scenario outbound; other TOML, or no TOML, is not."""
    assert is_outbound(SMALL)
    assert not is_outbound("[simulation]\ndays = 1\n")
    assert not is_outbound("not = [toml")


def test_the_inbound_reader_refuses_an_outbound_file() -> None:
    """Loading an outbound file as an inbound scenario says what it is, naming [campaign]."""
    with pytest.raises(ScenarioError, match=r"campaign: an outbound scenario"):
        load_scenario(EXAMPLE)


@pytest.mark.parametrize(("change", "key", "words"), [
    (('dial_mode = "predictive"', 'dial_mod = "predictive"'), "campaign.dial_mod",
     "did you mean 'dial_mode'"),
    (('dial_mode = "predictive"', 'dial_mode = "preview"'), "campaign.dial_mode",
     "must be one of progressive, adapt-average, predictive"),
    (('dial_mode = "predictive"', "drop_cap = 3"), "campaign.drop_cap", "must be below 1"),
    (("count = 10", "count = 0"), "agents.count", "must be >= 1"),
    (("count = 10", 'count = "ten"'), "agents.count", "must be an integer"),
    (("shift_hours = 2", "shift_hours = 24"), "agents.shift_hours", "at most 23"),
    (("days = 3", "days = 0"), "simulation.days", "must be >= 1"),
    (("[agents]", "[outcomes]\nlive = 0.5\nmachine = 0.4\nbusy = 0.2\n[agents]"),
     "outcomes.live", "live + machine + busy must be at most 1"),
    (("[agents]", "[outcomes]\nanswer_time = { dist = \"gamma\", mean = 40, shape = 2 }\n"
                  "[agents]"), "outcomes.answer_time", "must be below ring_timeout"),
    (("[agents]", "[outcomes]\nanswer_time = 12\n[agents]"), "outcomes.answer_time",
     "must be a table"),
    (("[agents]", "[outcomes]\ntalk_time = { dist = \"lognormal\", mean = 180 }\n[agents]"),
     "outcomes.talk_time", "missing required key 'sd'"),
    (("[agents]", "[outcomes]\nbusy_time = { dist = \"uniform\", low = 8, high = 3 }\n"
                  "[agents]"), "outcomes.busy_time", "must be at least low"),
    (("[agents]", "[[swings]]\nat = \"03:00\"\nlive = 0.1\n[agents]"), "swings[0].at",
     "must fall within the shift"),
    (("[agents]", "[[swings]]\nlive = 0.1\ndays = \"9-2\"\n[agents]"), "swings[0].days",
     "must be day numbers"),
    (("[agents]", "[[swings]]\nat = \"01:00\"\n[agents]"), "swings[0]",
     "missing required key 'live'"),
])
def test_errors_name_the_key(change: tuple[str, str], key: str, words: str) -> None:
    """Each bad value is refused with the file, the key path and what is wrong."""
    err = error(SMALL.replace(*change))
    assert str(err).startswith("campaign.toml, line ")
    assert f"{key}: " in str(err)
    assert words in str(err)


def test_error_gives_the_line_of_the_key() -> None:
    """The line number points at the offending key."""
    err = error(SMALL.replace("count = 10", "count = -1"))
    assert err.line == SMALL.splitlines().index("count = 10") + 1


def test_bad_toml_names_the_line() -> None:
    """A TOML syntax error is reported with its line."""
    err = error(SMALL + "oops = [,\nmore = 1\n")
    assert "not valid TOML" in str(err) and err.line is not None


SWING = st.builds(Swing, at=st.sampled_from([0.0, 600.0, 1800.0, 3000.0]),
                  live=st.sampled_from([0.05, 0.2, 0.4]),
                  days=st.none() | st.frozensets(st.integers(1, 4), min_size=1))


@given(swings=st.lists(SWING, max_size=5), day=st.integers(0, 3),
       t=st.floats(0.0, 3599.0))
def test_schedule_gives_each_moment_the_last_swing_of_its_day(
        swings: list[Swing], day: int, t: float) -> None:
    """At any moment the rate is that of the day's last swing at or before it, else the base."""
    ordered = tuple(sorted(swings, key=lambda s: s.at))
    model = OutcomeModel(live_rate=0.3, live_rates=schedule(ordered, 4, 0.3))
    mine = [s for s in ordered if (s.days is None or day + 1 in s.days) and s.at <= t]
    assert model.live_rate_at(day * DAY + t) == (mine[-1].live if mine else 0.3)


def test_reference_example_parses() -> None:
    """The outbound example in docs/reference/scenario-format.md is a valid outbound scenario."""
    doc = (EXAMPLE.parents[2] / "docs" / "reference" / "scenario-format.md").read_text()
    section = doc.split("## Outbound scenarios", 1)[1]
    spec = parse_outbound(section.split("```toml\n", 1)[1].split("```", 1)[0])
    assert spec.scenario.agents == 50 and spec.scenario.model.live_rate_at(6 * 3600.0) == 0.18
