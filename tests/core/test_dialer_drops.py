"""Drop accounting: rolling 24 h and 30 d windows, the budget, the worst window."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.dialer.drops import DAY, MONTH, DropLedger, allowed_drops, worst_window


def ledger_with(rows: list[tuple[float, bool]], cap: float = 0.03) -> DropLedger:
    ledger = DropLedger(cap)
    for at, dropped in rows:
        ledger.record(at, dropped)
    return ledger


def test_trailing_window_counts_only_the_last_24_hours() -> None:
    """Rows older than 24 h leave the 24 h window and stay in the 30 d one."""
    ledger = ledger_with([(0.0, True), (10.0, False), (DAY + 5.0, False)])
    assert ledger.window(DAY + 5.0).lives == 2
    assert ledger.window(DAY + 5.0).drops == 0
    assert ledger.window(DAY + 5.0, MONTH).drops == 1
    assert ledger.rate(DAY + 5.0, MONTH) == pytest.approx(1 / 3)


def test_rows_older_than_30_days_are_evicted_but_totals_remain() -> None:
    """After 30 days a row is gone from every window; the running totals keep it."""
    ledger = ledger_with([(0.0, True), *((MONTH + i, False) for i in range(1, 3000))])
    assert ledger.window(MONTH + 3000.0, MONTH).drops == 0
    assert ledger.window(MONTH + 3000.0, MONTH).lives == 2999
    assert (ledger.total_lives, ledger.total_drops) == (3000, 1)


def test_rows_must_come_in_time_order() -> None:
    """A row stamped before the last one is refused."""
    ledger = ledger_with([(10.0, False)])
    with pytest.raises(ValueError, match="time order"):
        ledger.record(5.0, False)


def test_allowed_drops_is_exact_at_the_cap() -> None:
    """100 live answers at 3 % carry exactly 3 drops (no float rounding loses one)."""
    assert allowed_drops(0.03, 100) == 3
    assert allowed_drops(0.03, 99) == 2


def test_allowance_is_what_the_window_can_still_take() -> None:
    """100 lives and 1 drop at 3 %: 2 more drops fit; the lookahead removes lives leaving."""
    rows = [(float(i), i == 0) for i in range(100)]
    ledger = ledger_with(rows)
    assert ledger.allowance(100.0, horizon=32.0) == 2
    # 50 s later half the rows have left the 24 h window: 50 lives carry 1 drop, and
    # the drop at t=0 is still counted (conservative): 1 - 1 = 0
    assert ledger.allowance(DAY - 50.0 + 100.0, horizon=32.0) <= 0
    assert ledger.allowance(100.0, horizon=32.0, lookahead=(DAY - 50.0,)) == 0


def test_worst_window_sees_a_rate_rise_when_lives_leave() -> None:
    """The window after an old connected call leaves holds only the drop: 100 %."""
    rows = [(0.0, False), (10.0, True)]
    assert worst_window(rows, span=20.0, until=15.0).rate == pytest.approx(0.5)
    worst = worst_window(rows, span=20.0, until=25.0)
    assert (worst.rate, worst.lives, worst.end) == (1.0, 1, 20.0)


def test_worst_window_of_a_clean_history_is_zero() -> None:
    """No drops, no bad window."""
    assert worst_window([(float(i), False) for i in range(50)]).rate == 0.0
    assert worst_window([]).rate == 0.0


def test_forward_allowance_keeps_a_late_drop_covered_until_it_leaves() -> None:
    """20 connected calls then a drop, cap 10 %, asked 10 s later (hand-computed): the
    window just before the drop leaves holds it alone, over by one drop, unless live
    answers promised before the close (100 s after the ring window) cover it: 20 of
    them carry 2 drops, 1 more than the drop made; 5 carry none."""
    ledger = ledger_with([*((float(i), False) for i in range(20)), (20.0, True)], cap=0.1)
    assert ledger.allowance(30.0, horizon=32.0) == 1  # 21 lives, 1 drop: floor(2.1) - 1
    close = 30.0 + 32.0 + 100.0
    assert ledger.forward_allowance(30.0, 32.0, close, rate=0.0) == -1
    assert ledger.forward_allowance(30.0, 32.0, close, rate=0.2) == 1
    assert ledger.forward_allowance(30.0, 32.0, close, rate=0.05) == -1


def brute_forward(rows: list[tuple[float, bool]], now: float, horizon: float, close: float,
                  rate: float, cap: float) -> float:
    """forward_allowance by its definition: every 24 h window (s, s + DAY] ending from
    now + horizon on, as long as a drop of the next `horizon` seconds can be in it (s at
    each row's time, the close - DAY, and the ends of that range: the reserve only grows
    with s); the rows up to now in it, plus `rate` live answers a second from
    now + horizon to its end or the close, whichever is first."""
    starts = {now + horizon - DAY, now, close - DAY} | {at for at, _ in rows}
    best = math.inf
    for start in starts:
        if not now + horizon - DAY <= start < now + horizon:
            continue
        inside = [dropped for at, dropped in rows if start < at <= now]
        promised = rate * max(0.0, min(start + DAY, close) - now - horizon)
        best = min(best, math.floor(cap * (len(inside) + promised) + 1e-9) - sum(inside))
    return best


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(gaps=st.lists(st.tuples(st.floats(0.0, 40_000.0), st.booleans(), st.booleans()),
                     min_size=1, max_size=40),
       cap=st.sampled_from([0.03, 0.1, 0.3]), close_after=st.floats(0.0, 1.5 * DAY),
       rate=st.floats(0.0, 0.01))
def test_forward_allowance_is_the_worst_window_ending_in_the_next_day(
        gaps: list[tuple[float, bool, bool]], cap: float, close_after: float,
        rate: float) -> None:
    """Asked after every row of a random history, forward_allowance equals the brute
    force over every window a drop of the next 32 s can be in (the close moves a day on
    at times)."""
    ledger, rows, at, close = DropLedger(cap), [], 0.0, close_after
    for gap, dropped, next_day in gaps:
        at += gap
        ledger.record(at, dropped)
        rows.append((at, dropped))
        if next_day:
            close += DAY
        got = ledger.forward_allowance(at, 32.0, close, rate)
        assert got == brute_forward(rows, at, 32.0, close, rate, cap)
