"""The wallboard's thresholds per queue (`queue_thresholds`): service level, longest
wait and waiting count, each with an amber and a red level.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_thresholds",
        sa.Column("queue_id", sa.String(100), nullable=False),
        sa.Column("service_level_amber", sa.Double(), nullable=True),
        sa.Column("service_level_red", sa.Double(), nullable=True),
        sa.Column("longest_wait_amber", sa.Double(), nullable=True),
        sa.Column("longest_wait_red", sa.Double(), nullable=True),
        sa.Column("waiting_amber", sa.Integer(), nullable=True),
        sa.Column("waiting_red", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("queue_id", name="pk_queue_thresholds"),
    )


def downgrade() -> None:
    op.drop_table("queue_thresholds")
