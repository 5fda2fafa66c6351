"""Customers: the customer directory and each customer's phone numbers (E.164, unique).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=True),
        sa.Column("segment", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("account", name=op.f("uq_customers_account")),
    )
    op.create_index(op.f("ix_customers_name"), "customers", ["name"], unique=False)
    op.create_table(
        "customer_numbers",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_numbers_customer_id_customers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_customer_numbers")),
    )
    op.create_index(op.f("ix_customer_numbers_customer_id"), "customer_numbers",
                    ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_numbers_customer_id"), table_name="customer_numbers")
    op.drop_table("customer_numbers")
    op.drop_index(op.f("ix_customers_name"), table_name="customers")
    op.drop_table("customers")
