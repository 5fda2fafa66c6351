"""The customer directory: customers and their numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.store.models.base import ID, Base, UTCDateTime, utcnow


class CustomerRow(Base):
    """A customer of the directory (`core.customers.Customer`): the IVR's `Lookup` finds
    it by one of its numbers or by its `account`."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    account: Mapped[str | None] = mapped_column(ID, unique=True)
    segment: Mapped[str] = mapped_column(String(50), default="")
    language: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text(), default="")
    fields: Mapped[dict[str, str]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the customer's personal data was erased (`crm.privacy.erase_customer`)."""
    numbers: Mapped[list[CustomerNumberRow]] = relationship(
        order_by="CustomerNumberRow.position", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")


class CustomerNumberRow(Base):
    """One E.164 number of a customer; a number belongs to one customer only."""

    __tablename__ = "customer_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int]
