"""Agent scripts and questionnaires, and the answers given per interaction: `scripts`
(every version), `campaign_scripts` (a campaign's purpose and script), `script_runs`
and `script_answers`.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scripts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scripts")),
    )
    op.create_index("ix_scripts_name_version", "scripts", ["name", "version"], unique=True)
    op.create_table(
        "campaign_scripts",
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("script", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["campaign"], ["campaigns.name"],
                                name=op.f("fk_campaign_scripts_campaign_campaigns"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign", name=op.f("pk_campaign_scripts")),
    )
    op.create_table(
        "script_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("script", sa.String(length=100), nullable=False),
        sa.Column("script_version", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.String(length=100), nullable=True),
        sa.Column("campaign", sa.String(length=100), nullable=True),
        sa.Column("lead_id", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_script_runs")),
    )
    op.create_index(op.f("ix_script_runs_script"), "script_runs", ["script"])
    op.create_index(op.f("ix_script_runs_interaction_id"), "script_runs", ["interaction_id"])
    op.create_index(op.f("ix_script_runs_customer_id"), "script_runs", ["customer_id"])
    op.create_index(op.f("ix_script_runs_agent_id"), "script_runs", ["agent_id"])
    op.create_index("ix_script_runs_campaign_outcome", "script_runs", ["campaign", "outcome"])
    op.create_table(
        "script_answers",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["script_runs.id"],
                                name=op.f("fk_script_answers_run_id_script_runs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "question_id", name=op.f("pk_script_answers")),
    )


def downgrade() -> None:
    op.drop_table("script_answers")
    op.drop_table("script_runs")
    op.drop_table("campaign_scripts")
    op.drop_table("scripts")
