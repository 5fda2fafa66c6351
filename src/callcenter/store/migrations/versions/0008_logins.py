"""Open logins kept across restarts: the SHA-256 digest of each token, its user, role,
agent and expiry (`logins`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_logins")),
    )
    op.create_index(op.f("ix_logins_agent_id"), "logins", ["agent_id"], unique=False)
    op.create_index(op.f("ix_logins_expires_at"), "logins", ["expires_at"], unique=False)
    op.create_index(op.f("ix_logins_username"), "logins", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_logins_username"), table_name="logins")
    op.drop_index(op.f("ix_logins_expires_at"), table_name="logins")
    op.drop_index(op.f("ix_logins_agent_id"), table_name="logins")
    op.drop_table("logins")
