"""Interactions: time on hold, apart from talk (`hold_seconds`; 0 for older rows).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("hold_seconds", sa.Double(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("hold_seconds")
