"""Retention rules per kind of personal data (`retention_rules`, with their defaults),
and when a customer's or a recording's personal data was erased (`erased_at`).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTS = (("recordings", 90), ("interaction_notes", 365), ("closed_cases", 730),
            ("survey_answers", 365), ("audit", 730), ("leads", 365))
"""The rules a new database starts with (kind, days); `crm.privacy.KINDS` says what
each removes."""


def upgrade() -> None:
    rules = op.create_table(
        "retention_rules",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("kind", name="pk_retention_rules"),
    )
    now = datetime(2026, 12, 4, tzinfo=UTC)
    op.bulk_insert(rules, [{"kind": kind, "days": days, "enabled": True, "updated_at": now,
                            "updated_by": None} for kind, days in DEFAULTS])
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("erased_at")
    op.drop_table("retention_rules")
