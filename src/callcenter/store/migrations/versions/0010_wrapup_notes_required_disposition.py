"""Interactions keep the agent's wrap-up notes (`notes`; empty for older rows), and a
queue may require a disposition code at wrap-up (`require_disposition`; off for
existing queues).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("require_disposition", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("require_disposition")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("notes")
