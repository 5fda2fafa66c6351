"""Recordings (calls and voicemails, linked to their interaction) and IVR runs (how each
call went through its flow).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("interaction_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("box", sa.String(length=100), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("caller", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("paused_seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
    )
    op.create_index(op.f("ix_recordings_interaction_id"), "recordings", ["interaction_id"])
    op.create_index(op.f("ix_recordings_started_at"), "recordings", ["started_at"])
    op.create_table(
        "ivr_runs",
        sa.Column("call_id", sa.String(length=100), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=120), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_ivr_runs")),
    )
    op.create_index(op.f("ix_ivr_runs_flow_id"), "ivr_runs", ["flow_id"])
    op.create_index(op.f("ix_ivr_runs_outcome"), "ivr_runs", ["outcome"])
    op.create_index(op.f("ix_ivr_runs_started_at"), "ivr_runs", ["started_at"])


def downgrade() -> None:
    op.drop_table("ivr_runs")
    op.drop_table("recordings")
