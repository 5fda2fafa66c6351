"""The catalog (products with stock, events with seats) and orders with their lines.

Money is whole cents, tax rates basis points (`core.orders`). `available` is what can
still be sold: units in stock, or free seats; placing an order takes its quantities
from it in the same transaction, by a conditional UPDATE that never lets it go below
zero (`crm.orders.place`). Times are engine seconds since the Unix epoch, as on
interactions. Lines copy the item's name, price and tax rate when the order is made,
so a later catalog change leaves orders as they were sold.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.store.models.base import ID, Base

KINDS = ("product", "event")


class CatalogItemRow(Base):
    """A product (stock) or an event (seats) that can be ordered."""

    __tablename__ = "catalog_items"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available"),
        CheckConstraint("price_cents >= 0", name="price_cents"),
        CheckConstraint("tax_bp >= 0 AND tax_bp <= 10000", name="tax_bp"),
    )

    sku: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="product")
    price_cents: Mapped[int]
    tax_bp: Mapped[int]
    available: Mapped[int]
    """Units in stock (product) or free seats (event)."""
    event_at: Mapped[float | None] = mapped_column(Double())
    venue: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


class OrderRow(Base):
    """One order or booking, linked to its customer and the call it was taken on."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    customer_id: Mapped[int | None] = mapped_column(index=True)
    interaction_id: Mapped[str | None] = mapped_column(ID, index=True)
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[float] = mapped_column(Double())
    updated_at: Mapped[float] = mapped_column(Double())
    placed_at: Mapped[float | None] = mapped_column(Double())
    net_cents: Mapped[int] = mapped_column(default=0)
    tax_cents: Mapped[int] = mapped_column(default=0)
    gross_cents: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text(), default="")
    lines: Mapped[list[OrderLineRow]] = relationship(
        order_by="OrderLineRow.position", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")


class OrderLineRow(Base):
    """One line of an order, with the item's name, price and tax rate when ordered."""

    __tablename__ = "order_lines"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(ID, index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_cents: Mapped[int]
    quantity: Mapped[int]
    tax_bp: Mapped[int]
    net_cents: Mapped[int]
