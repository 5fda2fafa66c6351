"""KPI definitions on hand-made rows: one behaviour per test."""

from __future__ import annotations

import pytest

from callcenter.core import metrics as m
from callcenter.core.records import AgentSpan, InteractionRecord

_ids = iter(range(1_000_000))


def answered(wait: float, talk: float = 100.0, wrap: float = 10.0, *, queue: str = "q",
             arrived: float = 0.0, threshold: float = 20.0, callback: bool = False,
             first_queue: str | None = None) -> InteractionRecord:
    """A completed interaction answered after `wait` seconds."""
    a = arrived + wait
    return InteractionRecord(
        interaction_id=f"i{next(_ids)}", channel="voice", queue_id=queue,
        first_queue_id=first_queue or queue, priority=0, arrived_at=arrived, answered_at=a,
        ended_at=a + talk, completed_at=a + talk + wrap, outcome="completed", agent_id="a1",
        callback=callback, talk_seconds=talk, wrap_seconds=wrap,
        service_level_threshold=threshold, short_abandon=5.0,
    )


def unanswered(wait: float, outcome: str = "abandoned", *, queue: str = "q",
               arrived: float = 0.0, callback: bool = False,
               short_abandon: float = 5.0) -> InteractionRecord:
    """An interaction that left after `wait` seconds without an agent."""
    return InteractionRecord(
        interaction_id=f"i{next(_ids)}", channel="voice", queue_id=queue, first_queue_id=queue,
        priority=0, arrived_at=arrived, answered_at=None, ended_at=arrived + wait,
        completed_at=arrived + wait, outcome=outcome, callback=callback,
        service_level_threshold=20.0, short_abandon=short_abandon,
    )


def span(state: str, start: float, end: float, agent: str = "a1") -> AgentSpan:
    return AgentSpan(agent, state, start, end)


# ---------------------------------------------------------------- counts


def test_offered_counts_every_row() -> None:
    """Offered counts answered, abandoned, timed-out and rejected interactions alike."""
    rows = [answered(1), unanswered(30), unanswered(60, "timed_out"), unanswered(0, "rejected")]
    assert m.offered(rows) == 4


def test_handled_counts_answered_rows() -> None:
    """Handled counts only interactions an agent answered."""
    assert m.handled([answered(1), answered(50), unanswered(30)]) == 2


def test_abandoned_counts_caller_hang_ups_only() -> None:
    """Abandoned counts callers who hung up, not timeouts or rejections."""
    rows = [unanswered(30), unanswered(60, "timed_out"), unanswered(0, "rejected")]
    assert m.abandoned(rows) == 1


def test_callbacks_are_never_abandoned() -> None:
    """A row flagged as a callback does not count as abandoned."""
    assert m.abandoned([unanswered(30, callback=True)]) == 0


def test_short_abandoned_uses_row_threshold() -> None:
    """Short abandons are those that waited less than the row's short-abandon threshold."""
    assert m.short_abandoned([unanswered(4.9), unanswered(5.0), unanswered(30)]) == 1


def test_queued_excludes_rejected() -> None:
    """Queued counts every interaction admitted to a queue."""
    assert m.queued([answered(1), unanswered(0, "rejected"), unanswered(9, "timed_out")]) == 2


def test_answered_within_is_inclusive() -> None:
    """An interaction answered after exactly T seconds is within T."""
    assert m.answered_within([answered(20.0), answered(20.5)]) == 1


# ---------------------------------------------------------------- service level


def test_service_level_answered_within_over_answered_and_long_abandons() -> None:
    """SL = answered within T / (answered + abandoned after the short-abandon threshold)."""
    rows = [answered(5), answered(30), unanswered(40), unanswered(2)]
    assert m.service_level(rows) == pytest.approx(1 / 3)


def test_service_level_ignores_timeouts_and_rejections() -> None:
    """Max-wait exits and rejected interactions stay out of the SL denominator."""
    rows = [answered(5), unanswered(300, "timed_out"), unanswered(0, "rejected")]
    assert m.service_level(rows) == 1.0


def test_service_level_threshold_override() -> None:
    """An explicit threshold replaces the one stored on the rows."""
    assert m.service_level([answered(5), answered(30)], threshold=60) == 1.0


def test_service_level_short_abandon_override() -> None:
    """With short_abandon=0 every abandon counts against the service level."""
    assert m.service_level([answered(5), unanswered(2)], short_abandon=0) == 0.5


def test_service_level_uses_each_rows_threshold() -> None:
    """Rows of queues with different thresholds are judged by their own."""
    rows = [answered(25, threshold=30), answered(25, threshold=20)]
    assert m.service_level(rows) == 0.5


def test_service_level_none_without_rows() -> None:
    """No answered or abandoned interactions: the service level is undefined."""
    assert m.service_level([unanswered(0, "rejected")]) is None


def test_service_level_asterisk_counts_quick_abandons_as_good() -> None:
    """SL2 = (answered within T + abandoned within T) / (answered + abandoned)."""
    rows = [answered(5), answered(30), unanswered(10), unanswered(40)]
    assert m.service_level_asterisk(rows) == 0.5


# ---------------------------------------------------------------- means and rates


def test_asa_is_mean_wait_of_answered() -> None:
    """ASA averages the queue wait of answered interactions only."""
    assert m.asa([answered(10), answered(30), unanswered(500)]) == 20.0


def test_asa_none_without_answers() -> None:
    """ASA is undefined when nothing was answered."""
    assert m.asa([unanswered(10)]) is None


def test_aht_is_talk_plus_wrap_over_handled() -> None:
    """AHT = (talk + after-contact work) / handled."""
    rows = [answered(1, talk=100, wrap=20), answered(1, talk=200, wrap=40)]
    assert m.aht(rows) == 180.0


def test_abandon_rate_over_queued() -> None:
    """Abandon rate = abandoned / queued; rejected rows are not queued."""
    rows = [answered(1), unanswered(30), unanswered(0, "rejected"), unanswered(9, "timed_out")]
    assert m.abandon_rate(rows) == pytest.approx(1 / 3)


def test_abandon_rate_ignores_callbacks() -> None:
    """A callback keeps its place in the denominator and is never an abandon."""
    assert m.abandon_rate([answered(600, callback=True), unanswered(30)]) == 0.5


# ---------------------------------------------------------------- occupancy


def test_occupancy_handling_over_handling_and_idle() -> None:
    """Occupancy = (busy + wrap-up) / (busy + wrap-up + available)."""
    spans = [span("busy", 0, 60), span("wrap_up", 60, 80), span("available", 80, 100)]
    assert m.occupancy(spans) == 0.8


def test_occupancy_excludes_pause() -> None:
    """Paused (aux) and logged-out time count neither way."""
    spans = [span("busy", 0, 50), span("paused", 50, 500), span("available", 500, 550),
             span("logged_out", 550, 900)]
    assert m.occupancy(spans) == 0.5


def test_occupancy_counts_ringing_as_idle() -> None:
    """Reserved (ringing) time counts as available idle time."""
    assert m.occupancy([span("busy", 0, 30), span("reserved", 30, 40)]) == 0.75


def test_occupancy_clips_spans_to_window() -> None:
    """Only the part of each span inside [start, end) counts."""
    spans = [span("busy", 0, 100), span("available", 100, 200)]
    assert m.occupancy(spans, start=50, end=150) == 0.5


def test_occupancy_none_without_time() -> None:
    """No handling or idle time: occupancy is undefined."""
    assert m.occupancy([span("paused", 0, 10)]) is None


# ---------------------------------------------------------------- grouping and intervals


def test_by_queue_groups_by_arrival_queue() -> None:
    """An interaction moved to another queue stays with the queue it arrived in."""
    groups = m.by_queue([answered(1, queue="sales", first_queue="billing"), answered(1)])
    assert {k: len(v) for k, v in groups.items()} == {"billing": 1, "q": 1}


def test_by_interval_buckets_by_arrival() -> None:
    """Rows fall into the interval of their arrival time."""
    rows = [answered(1, arrived=0), answered(1, arrived=1799), answered(1, arrived=1800)]
    groups = m.by_interval(rows, origin=0, minutes=30)
    assert {k: len(v) for k, v in groups.items()} == {0: 2, 1800: 1}


def test_interval_kpis_include_empty_intervals() -> None:
    """Every interval up to `end` is reported, with zero counts when nothing arrived."""
    rows = [answered(5, arrived=100), unanswered(60, arrived=2000)]
    ivals = m.interval_kpis(rows, origin=0, minutes=15, end=3600)
    assert [(iv.start, iv.offered, iv.service_level) for iv in ivals] == [
        (0, 1, 1.0), (900, 0, None), (1800, 1, 0.0), (2700, 0, None)]


def test_interval_kpis_reject_odd_lengths() -> None:
    """Intervals are 15, 30 or 60 minutes."""
    with pytest.raises(ValueError, match="15, 30 or 60"):
        m.interval_kpis([], origin=0, minutes=20)


def test_arrived_between_is_half_open() -> None:
    """The window keeps arrivals in [start, end)."""
    rows = [answered(1, arrived=t) for t in (9.0, 10.0, 19.0, 20.0)]
    assert [r.arrived_at for r in m.arrived_between(rows, 10, 20)] == [10.0, 19.0]
