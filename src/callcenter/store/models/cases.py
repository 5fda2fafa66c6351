"""Cases: their types, categories and SLA policies (admin settings), the cases, and
each case's events, notes and links to interactions.

Times are engine seconds since the Unix epoch (`Double`), as on interactions, so a
case and the calls about it share one clock. Agents, teams, customers, calendars and
interactions are named by plain ids (history outlives what it names, as elsewhere).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base

PRIORITIES = ("low", "normal", "high", "urgent")


class CaseTypeRow(Base):
    """A kind of case (complaint, fault report, inquiry...)."""

    __tablename__ = "case_types"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


class CaseCategoryRow(Base):
    """A category of one case type (the unit of 'the same subject' in repeat contacts)."""

    __tablename__ = "case_categories"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type_id: Mapped[str] = mapped_column(ForeignKey("case_types.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


class SlaPolicyRow(Base):
    """The targets of one case type at one priority (`core.case_sla.SlaPolicy`)."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        UniqueConstraint("type_id", "priority", name="uq_sla_policies_type_priority"),
        CheckConstraint("warn_at > 0 AND warn_at <= 1", name="warn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[str] = mapped_column(ForeignKey("case_types.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(20))
    first_response_seconds: Mapped[float | None] = mapped_column(Double())
    resolution_seconds: Mapped[float | None] = mapped_column(Double())
    warn_at: Mapped[float] = mapped_column(Double(), default=0.8)
    calendar_id: Mapped[str | None] = mapped_column(ID)
    """Business hours to count in (None: every second counts)."""


class CaseRow(Base):
    """One case, with its due times (computed when it is created) and the last SLA
    alert sent for each target (None, 'warning', 'breached')."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_status_type", "status", "type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[str] = mapped_column(ID)
    category_id: Mapped[str | None] = mapped_column(ID)
    priority: Mapped[str] = mapped_column(String(20), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="new")
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text(), default="")
    customer_id: Mapped[int | None] = mapped_column(index=True)
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[float] = mapped_column(Double())
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[float] = mapped_column(Double())
    first_response_at: Mapped[float | None] = mapped_column(Double())
    resolved_at: Mapped[float | None] = mapped_column(Double())
    closed_at: Mapped[float | None] = mapped_column(Double())
    first_response_due: Mapped[float | None] = mapped_column(Double())
    first_response_warn: Mapped[float | None] = mapped_column(Double())
    resolution_due: Mapped[float | None] = mapped_column(Double())
    resolution_warn: Mapped[float | None] = mapped_column(Double())
    first_response_alert: Mapped[str | None] = mapped_column(String(20))
    resolution_alert: Mapped[str | None] = mapped_column(String(20))


class CaseEventRow(Base):
    """One entry of a case's timeline: created, a status change, an assignment."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    at: Mapped[float] = mapped_column(Double())
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(300), default="")


class CaseNoteRow(Base):
    """A note on a case: internal (staff only) or visible to the customer."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    at: Mapped[float] = mapped_column(Double())
    author: Mapped[str] = mapped_column(String(100))
    visibility: Mapped[str] = mapped_column(String(20), default="internal")
    body: Mapped[str] = mapped_column(Text())


class CaseLinkRow(Base):
    """An interaction about a case (a call it came from, or one about it later)."""

    __tablename__ = "case_links"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ID, primary_key=True, index=True)
    at: Mapped[float] = mapped_column(Double())
    linked_by: Mapped[str] = mapped_column(String(100))
