"""Simulated callers and bot agents around the engine: determinism and behaviours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callcenter.scenario.load import load_scenario, parse_scenario
from callcenter.scenario.spec import Scenario
from callcenter.sim.runner import RunResult, run_replications, run_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

ONE_AGENT = """\
[simulation]
start = 2025-03-03
timezone = "UTC"

[queues.q]
wrap_up = 0
handle_time = {handle}
patience = {patience}
{queue_extra}

[[agents]]
name = "a"
{agent_extra}

[[arrivals]]
queue = "q"
start = "08:00"
end = "09:00"
per_hour = {per_hour}
"""


def one_agent(handle: str = "60", patience: str = '"never"', per_hour: float = 30,
              queue_extra: str = "", agent_extra: str = "") -> Scenario:
    return parse_scenario(ONE_AGENT.format(handle=handle, patience=patience, per_hour=per_hour,
                                           queue_extra=queue_extra, agent_extra=agent_extra))


def run(sc: Scenario, seed: int = 1) -> RunResult:
    return run_scenario(sc, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def hotline() -> Scenario:
    return load_scenario(EXAMPLES / "hotline.toml")


def test_same_seed_same_rows(hotline: Scenario) -> None:
    """Two runs with the same seed produce identical interaction and span rows."""
    a, b = run(hotline, 5), run(hotline, 5)
    assert a.records == b.records and a.spans == b.spans


def test_other_seed_other_rows(hotline: Scenario) -> None:
    """A different seed gives different rows."""
    assert run(hotline, 5).records != run(hotline, 6).records


def test_replication_does_not_depend_on_count(hotline: Scenario) -> None:
    """Replication 2 is the same whether 2 or 3 replications are run."""
    two = run_replications(hotline, 2, seed=9)
    three = run_replications(hotline, 3, seed=9)
    assert two[1].records == three[1].records


def test_every_arrival_gets_a_row(hotline: Scenario) -> None:
    """Each simulated call ends with exactly one row, none left open."""
    result = run(hotline)
    ids = [r.interaction_id for r in result.records]
    assert len(ids) == len(set(ids)) == result.arrivals and result.unfinished == 0


def test_handle_time_becomes_talk_time() -> None:
    """A constant handle time is the talk time of every answered call."""
    result = run(one_agent(handle="60", per_hour=10))
    assert {r.talk_seconds for r in result.records if r.answered_at is not None} == {60.0}


def test_patience_makes_abandons_at_patience() -> None:
    """Callers with 30 s patience who are not answered hang up after exactly 30 s."""
    result = run(one_agent(handle="600", patience="30", per_hour=20))
    waits = {r.wait for r in result.records if r.outcome == "abandoned"}
    assert waits == {30.0}


def test_answer_delay_delays_answer() -> None:
    """A bot that takes 3 s to answer makes every answered call wait at least 3 s."""
    result = run(one_agent(handle="10", per_hour=5, agent_extra="answer_delay = 3"))
    waits = [r.wait for r in result.records if r.answered_at is not None]
    assert waits and min(waits) == pytest.approx(3.0)


def test_slow_bot_lets_offer_ring_out() -> None:
    """A bot slower than the offer timeout never answers: offers time out."""
    result = run(one_agent(per_hour=5, patience="120", queue_extra="offer_timeout = 5",
                           agent_extra="answer_delay = 10"))
    assert all(r.answered_at is None for r in result.records)
    assert max(r.offers for r in result.records) >= 1


def test_rejecting_bot_causes_reoffers() -> None:
    """A bot that rejects half its offers makes some calls need several offers."""
    result = run(one_agent(per_hour=20, queue_extra="retry_after = 0",
                           agent_extra="reject_probability = 0.5"))
    assert max(r.offers for r in result.records) > 1


def test_bot_recovers_from_engine_pause() -> None:
    """An agent the engine paused for missed offers goes ready again after recover_after."""
    result = run(one_agent(per_hour=20, patience="600", queue_extra="retry_after = 0",
                           agent_extra="reject_probability = 1.0\nrecover_after = 120"))
    pauses = [s.duration for s in result.spans
              if s.state == "paused" and s.reason == "missed_offers"]
    assert pauses.count(120.0) > 1 and max(pauses) == 120.0


def test_callback_choice_turns_waiters_into_callbacks() -> None:
    """Callers facing a long expected wait take the callback and never abandon."""
    sc = one_agent(handle="300", patience="20", per_hour=30,
                   queue_extra="callback = { threshold = 0, probability = 1.0 }")
    result = run(sc)
    assert any(r.callback for r in result.records)
    assert all(r.outcome != "abandoned" for r in result.records if r.callback)


def test_unanswerable_calls_are_reported_unfinished() -> None:
    """Calls nobody can take and that never hang up are counted, not recorded."""
    sc = one_agent(per_hour=10, queue_extra="required_skills = { german = 5 }")
    result = run(sc)
    assert result.records == [] and result.unfinished == result.arrivals > 0


def test_shift_logs_agents_in_at_start(hotline: Scenario) -> None:
    """An agent on the early shift becomes available at the shift start, 07:55."""
    result = run(hotline)
    first = min(s.start for s in result.spans if s.agent_id == "early-1"
                and s.state != "logged_out")
    assert first == hotline.epoch(hotline.start, 7 * 3600 + 55 * 60)


def test_breaks_pause_agents(hotline: Scenario) -> None:
    """Breaks show as paused spans of at most their length, with their reason."""
    result = run(hotline)
    breaks = [s for s in result.spans if s.state == "paused" and s.reason == "break"]
    assert {s.agent_id for s in breaks} >= {"early-1", "late-1"}
    assert max(s.duration for s in breaks) <= 15 * 60 + 1e-6


def test_staggered_breaks_start_one_after_another(hotline: Scenario) -> None:
    """With stagger, the second agent of a group goes on break 15 minutes after the first."""
    result = run(hotline)
    ends = {s.agent_id: s.end for s in result.spans
            if s.state == "paused" and s.reason == "break" and s.agent_id in ("early-1",
                                                                              "early-2")}
    assert ends["early-2"] - ends["early-1"] == pytest.approx(15 * 60)


def test_closed_queue_sends_callers_to_voicemail() -> None:
    """Calls arriving after the queue closes (08:30; calls come 08:00-09:00) are turned
    away by the closed action; those before it are not."""
    sc = one_agent(per_hour=60, queue_extra='calendar = "c"\nclosed_action = "voicemail"\n'
                   '[calendars.c]\nhours = { mon = "08:00-08:30" }')
    closes = sc.epoch(sc.start, 8.5 * 3600)
    result = run(sc)
    late = [r for r in result.records if r.arrived_at >= closes]
    early = [r for r in result.records if r.arrived_at < closes]
    assert late and early  # about 30 each at 60 an hour
    assert {(r.outcome, r.exit_reason, r.exit_action) for r in late} == {
        ("rejected", "closed", "voicemail")}
    assert "rejected" not in {r.outcome for r in early}


def test_ring_all_with_instant_bots() -> None:
    """Ring-all offers to several instant bots: one answers, the others' answers are
    dropped with the withdrawn offers."""
    sc = one_agent(per_hour=60, queue_extra='strategy = "ring-all"',
                   agent_extra="count = 3")
    result = run(sc)
    assert max(r.offers for r in result.records) > 1
    assert all(r.outcome == "completed" for r in result.records)


def test_break_ending_after_shift_does_not_undo_logout() -> None:
    """A staggered break that ends after the shift does not keep a busy agent logged in."""
    sc = parse_scenario("""
[simulation]
start = 2025-03-03
timezone = "UTC"
[queues.q]
handle_time = 3600
patience = 600
[shifts.s]
start = "08:00"
end = "09:00"
breaks = [{ start = "08:40", minutes = 15, stagger = 10 }]
[[agents]]
name = "a"
count = 2
shift = "s"
[[arrivals]]
queue = "q"
start = "08:30"
interval = 15
per_interval = [40]
""")
    result = run(sc)
    late = sc.epoch(sc.start, 10 * 3600)  # the calls taken before 09:00 end by 09:45
    logged_in_late = [s for s in result.spans if s.agent_id == "a-2" and s.end > late
                      and s.state != "logged_out"]
    assert logged_in_late == []
