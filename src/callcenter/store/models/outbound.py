"""Outbound campaign tables: campaigns, their leads, do-not-call lists, dial attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Double, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base, UTCDateTime, utcnow


class CampaignRow(Base):
    """An outbound campaign: its name and its `core.dialer.campaign.Campaign` as JSON
    (`callcenter.store.leads.campaign_to_json`)."""

    __tablename__ = "campaigns"

    name: Mapped[str] = mapped_column(ID, primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="stopped",
                                       server_default="stopped")
    """`stopped`, `running` or `paused` (`callcenter.store.campaigns.STATES`)."""


class LeadRow(Base):
    """One lead of a campaign (`core.dialer.leads.Lead`), as the queue last left it.

    A number appears once per campaign; `counts` is the JSON list of retry-outcome
    counts in `RETRY_OUTCOMES` order.
    """

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_campaign_number", "campaign", "number", unique=True),
        Index("ix_leads_campaign_state_due", "campaign", "state", "due"),
    )

    campaign: Mapped[str] = mapped_column(
        ForeignKey("campaigns.name", ondelete="CASCADE"), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int]
    fields: Mapped[dict[str, str]] = mapped_column(JSON())
    country: Mapped[str | None] = mapped_column(String(2))
    agent_reserved: Mapped[bool]
    state: Mapped[str] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(String(20))
    due: Mapped[float] = mapped_column(Double())
    attempts: Mapped[int]
    day: Mapped[int]
    attempts_on_day: Mapped[int]
    counts: Mapped[list[int]] = mapped_column(JSON())
    last_outcome: Mapped[str | None] = mapped_column(ID)
    last_attempt_at: Mapped[float | None] = mapped_column(Double())
    dropped_at: Mapped[float | None] = mapped_column(Double())
    callback_at: Mapped[float | None] = mapped_column(Double())
    callback_agent: Mapped[str | None] = mapped_column(ID)


class DncNumberRow(Base):
    """A number on a do-not-call list: `global`, `campaign:NAME` or `national:NAME`."""

    __tablename__ = "dnc_numbers"

    list_name: Mapped[str] = mapped_column(String(120), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttemptRow(Base):
    """One dial attempt of a campaign, written by the dialer: the compliance report's
    source. Times are Unix seconds; `info_delay` is the seconds from a dropped call's
    live answer to the start of the information message."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_campaign_started", "campaign", "started"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(ForeignKey("campaigns.name", ondelete="CASCADE"))
    lead_id: Mapped[str] = mapped_column(ID)
    number: Mapped[str] = mapped_column(String(20))
    started: Mapped[float] = mapped_column(Double())
    answered: Mapped[float | None] = mapped_column(Double())
    outcome: Mapped[str] = mapped_column(String(20))
    agent: Mapped[str | None] = mapped_column(ID)
    dropped: Mapped[bool] = mapped_column(default=False)
    info_delay: Mapped[float | None] = mapped_column(Double())
