"""The customer directory: customers with their numbers, e-mail addresses, postal
addresses and the history of their changes; the custom fields an admin defines.

Every table holding a `customer_id` column is a link to a customer: merging two
customers (`crm.customer_merge`) moves every such column it finds in `Base.metadata`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
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
    external_id: Mapped[str | None] = mapped_column(ID, unique=True)
    """The customer's id in another system (a CRM, a shop)."""
    recording_consent: Mapped[bool | None] = mapped_column()
    """Whether the customer agreed to calls being recorded (None: never asked)."""
    recording_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marketing_consent: Mapped[bool | None] = mapped_column()
    """Whether the customer agreed to be contacted for marketing (None: never asked)."""
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the customer's personal data was erased (`crm.privacy.erase_customer`)."""
    numbers: Mapped[list[CustomerNumberRow]] = relationship(
        order_by="CustomerNumberRow.position", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")
    emails: Mapped[list[CustomerEmailRow]] = relationship(
        order_by="CustomerEmailRow.position", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")


class CustomerNumberRow(Base):
    """One E.164 number of a customer; a number belongs to one customer only."""

    __tablename__ = "customer_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int]


class CustomerEmailRow(Base):
    """One e-mail address of a customer (lower case); an address belongs to one
    customer only."""

    __tablename__ = "customer_emails"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int]


class CustomerAddressRow(Base):
    """A customer's current postal address of one `kind` (`home`, `billing`, ...)."""

    __tablename__ = "customer_addresses"
    __table_args__ = (UniqueConstraint("customer_id", "kind",
                                       name="uq_customer_addresses_customer_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CustomerAddressHistoryRow(Base):
    """One change of a customer's address: its values `before` and `after` (None: there
    was none, or it was removed), who changed it, when, and during which interaction."""

    __tablename__ = "customer_address_history"
    __table_args__ = (Index("ix_customer_address_history_customer_id_changed_at",
                            "customer_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, str] | None] = mapped_column(JSON())
    after: Mapped[dict[str, str] | None] = mapped_column(JSON())
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    interaction_id: Mapped[str | None] = mapped_column(ID, index=True)


class CustomerFieldRow(Base):
    """A custom field an admin defined: the values customers hold under `name` are
    checked against its `kind` (`text`, `number`, `date`, `choice`, `boolean`)."""

    __tablename__ = "customer_fields"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    choices: Mapped[list[str]] = mapped_column(JSON())
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
