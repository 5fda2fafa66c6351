"""The order workflow and the totals of an order (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.orders import (
    Line,
    OrderAction,
    OrderStatus,
    OrderTransitionError,
    allowed_actions,
    next_status,
    releases_stock,
    totals,
)

D, P, F, C = (OrderStatus.DRAFT, OrderStatus.PLACED, OrderStatus.FULFILLED,
              OrderStatus.CANCELLED)
# The workflow written out by hand: status -> action -> status after (None: refused).
GRID = {
    D: {"place": P, "fulfil": None, "cancel": C},
    P: {"place": None, "fulfil": F, "cancel": C},
    F: {"place": None, "fulfil": None, "cancel": None},
    C: {"place": None, "fulfil": None, "cancel": None},
}


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("action", list(OrderAction))
def test_each_status_and_action_as_the_grid_says(status: OrderStatus,
                                                 action: OrderAction) -> None:
    """Every (status, action) pair lands where the hand-written grid says, or is refused
    naming what the status allows."""
    expected = GRID[status][action.value]
    if expected is None:
        with pytest.raises(OrderTransitionError, match=f"cannot {action.value}"):
            next_status(status, action)
    else:
        assert next_status(status, action) is expected


@given(st.lists(st.sampled_from(list(OrderAction)), max_size=8))
def test_stock_is_taken_once_and_given_back_at_most_once(actions: list[OrderAction]) -> None:
    """Along any sequence of allowed actions, an order holds stock exactly while it is
    placed or fulfilled: taken by place, given back only by cancelling a placed order."""
    status, held = D, False
    for action in actions:
        if action not in allowed_actions(status):
            continue
        if action is OrderAction.PLACE:
            held = True
        if releases_stock(status, action):
            assert held
            held = False
        status = next_status(status, action)
        assert held == (status in (P, F))


def test_totals_round_tax_once_per_rate() -> None:
    """3 × 3.33 and 1 × 19.99 at 19 % (net 29.98: tax 5.6962 -> 5.70) and 1 × 5.00 at
    7 % (tax 0.35): net 34.98, tax 6.05, gross 41.03."""
    t = totals([Line(333, 3, 1900), Line(1999, 1, 1900), Line(500, 1, 700)])
    assert (t.net_cents, t.tax_by_rate, t.tax_cents, t.gross_cents) == \
        (3498, ((700, 35), (1900, 570)), 605, 4103)


def test_tax_is_rounded_per_rate_not_per_line() -> None:
    """Two lines of 0.50 at 19 %: 1.00 of net at 19 % is 0.19 of tax (rounding each line
    first would give 0.10 + 0.10)."""
    assert totals([Line(50, 1, 1900), Line(50, 1, 1900)]).tax_cents == 19


@pytest.mark.parametrize(("net", "bp", "tax"), [(50, 1900, 10), (150, 700, 11),
                                                 (149, 700, 10), (0, 1900, 0)])
def test_half_a_cent_of_tax_rounds_up(net: int, bp: int, tax: int) -> None:
    """0.50 at 19 % is 9.5 cents -> 10; 1.50 at 7 % is 10.5 -> 11; 1.49 at 7 % is
    10.43 -> 10; nothing is nothing."""
    assert totals([Line(net, 1, bp)]).tax_cents == tax


@pytest.mark.parametrize(("unit", "qty", "bp"), [(-1, 1, 0), (1, 0, 0), (1, 10_001, 0),
                                                  (1, 1, 10_001)])
def test_a_line_out_of_range_is_refused(unit: int, qty: int, bp: int) -> None:
    """A negative price, a quantity outside 1..10,000 or a rate above 100 % is refused."""
    with pytest.raises(ValueError, match="must"):
        Line(unit, qty, bp)
