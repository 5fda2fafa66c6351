"""Orders and bookings: the status workflow and the totals of an order (pure).

Workflow (`TRANSITIONS`): an order is captured as a `draft`; `place` makes it `placed`
(its stock or seats are reserved then, by the store), `fulfil` makes a placed order
`fulfilled`, `cancel` makes a draft or placed order `cancelled` (a placed one gives its
stock or seats back). `fulfilled` and `cancelled` are final.

Money is whole cents (`int`), never floats. A tax rate is in basis points (1900 =
19 %). Totals: each line's net is unit price × quantity; the tax of each rate is the
rate applied to the sum of that rate's nets, rounded half up to the cent (one rounding
per rate, as an invoice shows it); gross is net plus tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MAX_QUANTITY = 10_000
"""The most units of one item on one line."""


class OrderStatus(StrEnum):
    DRAFT = "draft"
    PLACED = "placed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class OrderAction(StrEnum):
    PLACE = "place"
    FULFIL = "fulfil"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[OrderStatus, OrderAction], OrderStatus] = {
    (OrderStatus.DRAFT, OrderAction.PLACE): OrderStatus.PLACED,
    (OrderStatus.DRAFT, OrderAction.CANCEL): OrderStatus.CANCELLED,
    (OrderStatus.PLACED, OrderAction.FULFIL): OrderStatus.FULFILLED,
    (OrderStatus.PLACED, OrderAction.CANCEL): OrderStatus.CANCELLED,
}
"""(status, action) -> the status after it; a pair not listed is refused."""


class OrderTransitionError(ValueError):
    """The action is not allowed in the order's status."""


def next_status(status: OrderStatus, action: OrderAction) -> OrderStatus:
    """The status after `action`, or `OrderTransitionError` naming what is allowed."""
    after = TRANSITIONS.get((status, action))
    if after is None:
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none (final)"
        raise OrderTransitionError(f"cannot {action.value} an order that is {status.value} "
                                   f"(allowed: {allowed})")
    return after


def allowed_actions(status: OrderStatus) -> tuple[OrderAction, ...]:
    """The actions an order in `status` allows, in the enum's order."""
    return tuple(a for a in OrderAction if (status, a) in TRANSITIONS)


def releases_stock(status: OrderStatus, action: OrderAction) -> bool:
    """Whether `action` on an order in `status` gives its reserved stock or seats back."""
    return status is OrderStatus.PLACED and action is OrderAction.CANCEL


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an order: `quantity` units at `unit_cents` each, taxed at `tax_bp`."""

    unit_cents: int
    quantity: int
    tax_bp: int

    def __post_init__(self) -> None:
        if self.unit_cents < 0:
            raise ValueError(f"unit price must not be negative, got {self.unit_cents}")
        if not 1 <= self.quantity <= MAX_QUANTITY:
            raise ValueError(f"quantity must be 1..{MAX_QUANTITY}, got {self.quantity}")
        if not 0 <= self.tax_bp <= 10_000:
            raise ValueError(f"tax rate must be 0..10000 basis points, got {self.tax_bp}")

    @property
    def net_cents(self) -> int:
        return self.unit_cents * self.quantity


@dataclass(frozen=True, slots=True)
class Totals:
    """An order's net, tax per rate (basis points -> cents), tax and gross, in cents."""

    net_cents: int
    tax_by_rate: tuple[tuple[int, int], ...]
    tax_cents: int
    gross_cents: int


def _tax(net_cents: int, tax_bp: int) -> int:
    """`net_cents` × `tax_bp` / 10,000, rounded half up to the cent (integers only)."""
    return (net_cents * tax_bp * 2 + 10_000) // 20_000


def totals(lines: Iterable[Line]) -> Totals:
    """The totals of `lines` (see the module's docstring for the rounding)."""
    net_by_rate: dict[int, int] = {}
    for line in lines:
        net_by_rate[line.tax_bp] = net_by_rate.get(line.tax_bp, 0) + line.net_cents
    by_rate = tuple((bp, _tax(net, bp)) for bp, net in sorted(net_by_rate.items()))
    net = sum(net_by_rate.values())
    tax = sum(cents for _, cents in by_rate)
    return Totals(net_cents=net, tax_by_rate=by_rate, tax_cents=tax, gross_cents=net + tax)
