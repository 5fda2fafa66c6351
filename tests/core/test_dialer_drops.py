"""Drop accounting: rolling 24 h and 30 d windows, the budget, the worst window."""

import pytest

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
