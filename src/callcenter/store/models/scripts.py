"""Agent scripts and questionnaires (`scripts`, every version kept), the script and
purpose of each campaign (`campaign_scripts`), and the runs of scripts during calls
with their answers (`script_runs`, `script_answers`).

Runs name their script and version, interaction, campaign, lead and customer by plain
value (no foreign keys: a run outlives the script version, call or lead it names).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base, UTCDateTime, utcnow


class ScriptRow(Base):
    """One version of a script: its YAML text as uploaded, and what it parsed to (title,
    purpose). The newest version of a name is the one new runs use."""

    __tablename__ = "scripts"
    __table_args__ = (Index("ix_scripts_name_version", "name", "version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(ID)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(ID)
    retired: Mapped[bool] = mapped_column(default=False)
    """A retired script is offered to no new run (its versions and runs stay)."""


class CampaignScriptRow(Base):
    """A campaign's purpose and script (None: the purpose's default script, see
    `callcenter.crm.scripts.DEFAULT_SCRIPTS`)."""

    __tablename__ = "campaign_scripts"

    campaign: Mapped[str] = mapped_column(
        ForeignKey("campaigns.name", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    script: Mapped[str | None] = mapped_column(ID)


class ScriptRunRow(Base):
    """One run of a script during a call: who ran it for whom, with which merge
    `fields`, and how it ended (`status` open, ended; `outcome` a code of the script's
    purpose; `detail` the sale's figures, the order id or the new address)."""

    __tablename__ = "script_runs"
    __table_args__ = (Index("ix_script_runs_campaign_outcome", "campaign", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    script: Mapped[str] = mapped_column(ID, index=True)
    script_version: Mapped[int] = mapped_column(Integer)
    interaction_id: Mapped[str | None] = mapped_column(ID, index=True)
    campaign: Mapped[str | None] = mapped_column(ID)
    lead_id: Mapped[str | None] = mapped_column(ID)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON())


class ScriptAnswerRow(Base):
    """The answer given to one step of a run (the newest, when it was changed)."""

    __tablename__ = "script_answers"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("script_runs.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(ID, primary_key=True)
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
