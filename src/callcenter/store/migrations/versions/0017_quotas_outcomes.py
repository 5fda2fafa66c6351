"""Survey weighting: the population shares of one variable per survey campaign
(`survey_weights`). Quotas live in the scripts and outcome codes are derived from the
script runs, so neither needs a table.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_weights",
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["campaign"], ["campaigns.name"],
                                name="fk_survey_weights_campaign_campaigns",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign", "value", name="pk_survey_weights"),
    )


def downgrade() -> None:
    op.drop_table("survey_weights")
