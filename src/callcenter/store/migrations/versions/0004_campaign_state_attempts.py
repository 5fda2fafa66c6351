"""Outbound: a campaign's state (stopped, running, paused) and its dial attempts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("state", sa.String(length=20), nullable=False,
                                   server_default="stopped"))
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("started", sa.Double(), nullable=False),
        sa.Column("answered", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("agent", sa.String(length=100), nullable=True),
        sa.Column("dropped", sa.Boolean(), nullable=False),
        sa.Column("info_delay", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["campaign"], ["campaigns.name"],
                                name=op.f("fk_attempts_campaign_campaigns"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_campaign_started", "attempts", ["campaign", "started"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_attempts_campaign_started", table_name="attempts")
    op.drop_table("attempts")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("state")
