"""Cases: types, categories, SLA policies, cases, notes and links.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(100)


def upgrade() -> None:
    op.create_table(
        "case_types",
        sa.Column("id", ID, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_types"),
    )
    op.create_table(
        "case_categories",
        sa.Column("id", ID, nullable=False),
        sa.Column("type_id", ID, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["type_id"], ["case_types.id"], ondelete="CASCADE",
                                name="fk_case_categories_type_id_case_types"),
        sa.PrimaryKeyConstraint("id", name="pk_case_categories"),
    )
    op.create_index("ix_case_categories_type_id", "case_categories", ["type_id"])
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", ID, nullable=False),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("first_response_seconds", sa.Double(), nullable=True),
        sa.Column("resolution_seconds", sa.Double(), nullable=True),
        sa.Column("warn_at", sa.Double(), nullable=False),
        sa.Column("calendar_id", ID, nullable=True),
        sa.CheckConstraint("warn_at > 0 AND warn_at <= 1", name="ck_sla_policies_warn_at"),
        sa.ForeignKeyConstraint(["type_id"], ["case_types.id"], ondelete="CASCADE",
                                name="fk_sla_policies_type_id_case_types"),
        sa.PrimaryKeyConstraint("id", name="pk_sla_policies"),
        sa.UniqueConstraint("type_id", "priority", name="uq_sla_policies_type_priority"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type_id", ID, nullable=False),
        sa.Column("category_id", ID, nullable=True),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", ID, nullable=True),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        *(sa.Column(name, sa.Double(), nullable=True) for name in (
            "first_response_at", "resolved_at", "closed_at", "first_response_due",
            "first_response_warn", "resolution_due", "resolution_warn")),
        sa.Column("first_response_alert", sa.String(20), nullable=True),
        sa.Column("resolution_alert", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_customer_id", "cases", ["customer_id"])
    op.create_index("ix_cases_agent_id", "cases", ["agent_id"])
    op.create_index("ix_cases_status_type", "cases", ["status", "type_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("visibility", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_notes_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", ID, nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_links_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", "interaction_id", name="pk_case_links"),
    )
    op.create_index("ix_case_links_interaction_id", "case_links", ["interaction_id"])


def downgrade() -> None:
    for table in ("case_links", "case_notes", "case_events", "cases", "sla_policies",
                  "case_categories", "case_types"):
        op.drop_table(table)
