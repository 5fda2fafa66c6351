"""Post-call satisfaction ratings (`csat_ratings`): one row per survey offered after a
call, linked to the interaction, queue, agent and customer.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csat_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.String(100), nullable=False),
        sa.Column("queue_id", sa.String(100), nullable=False),
        sa.Column("agent_id", sa.String(100), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("flow_id", sa.String(100), nullable=False),
        sa.Column("offered_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("comment_box", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_csat_ratings"),
    )
    op.create_index("ix_csat_ratings_interaction_id", "csat_ratings", ["interaction_id"],
                    unique=True)
    op.create_index("ix_csat_ratings_queue_id", "csat_ratings", ["queue_id"])
    op.create_index("ix_csat_ratings_agent_id", "csat_ratings", ["agent_id"])
    op.create_index("ix_csat_ratings_customer_id", "csat_ratings", ["customer_id"])
    op.create_index("ix_csat_ratings_offered_at", "csat_ratings", ["offered_at"])


def downgrade() -> None:
    op.drop_table("csat_ratings")
