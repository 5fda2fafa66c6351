"""Outbound: campaigns (configuration as JSON), their leads, and do-not-call numbers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "dnc_numbers",
        sa.Column("list_name", sa.String(length=120), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("list_name", "number", name=op.f("pk_dnc_numbers")),
    )
    op.create_index(op.f("ix_dnc_numbers_number"), "dnc_numbers", ["number"], unique=False)
    op.create_table(
        "leads",
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("agent_reserved", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("due", sa.Double(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("attempts_on_day", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("last_outcome", sa.String(length=100), nullable=True),
        sa.Column("last_attempt_at", sa.Double(), nullable=True),
        sa.Column("dropped_at", sa.Double(), nullable=True),
        sa.Column("callback_at", sa.Double(), nullable=True),
        sa.Column("callback_agent", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["campaign"], ["campaigns.name"],
                                name=op.f("fk_leads_campaign_campaigns"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign", "lead_id", name=op.f("pk_leads")),
    )
    op.create_index("ix_leads_campaign_number", "leads", ["campaign", "number"], unique=True)
    op.create_index("ix_leads_campaign_state_due", "leads", ["campaign", "state", "due"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_campaign_state_due", table_name="leads")
    op.drop_index("ix_leads_campaign_number", table_name="leads")
    op.drop_table("leads")
    op.drop_index(op.f("ix_dnc_numbers_number"), table_name="dnc_numbers")
    op.drop_table("dnc_numbers")
    op.drop_table("campaigns")
