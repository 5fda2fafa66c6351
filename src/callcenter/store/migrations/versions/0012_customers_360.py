"""Customers 360: identities, addresses with history, consent, custom fields; a customer
per interaction.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(100)
_CONSENT = ("recording_consent", "marketing_consent")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("external_id", ID, nullable=True))
        for name in _CONSENT:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=True))
            batch.add_column(sa.Column(f"{name}_at", sa.DateTime(timezone=True),
                                       nullable=True))
        batch.create_unique_constraint("uq_customers_external_id", ["external_id"])
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
    op.create_index("ix_interactions_customer_id", "interactions", ["customer_id"])
    op.create_table(
        "customer_emails",
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name="fk_customer_emails_customer_id_customers"),
        sa.PrimaryKeyConstraint("email", name="pk_customer_emails"),
    )
    op.create_index("ix_customer_emails_customer_id", "customer_emails", ["customer_id"])
    op.create_table(
        "customer_addresses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name="fk_customer_addresses_customer_id_customers"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_addresses"),
        sa.UniqueConstraint("customer_id", "kind", name="uq_customer_addresses_customer_kind"),
    )
    op.create_index("ix_customer_addresses_customer_id", "customer_addresses",
                    ["customer_id"])
    op.create_table(
        "customer_address_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interaction_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name="fk_customer_address_history_customer_id_customers"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_address_history"),
    )
    op.create_index("ix_customer_address_history_customer_id_changed_at",
                    "customer_address_history", ["customer_id", "changed_at"])
    op.create_index("ix_customer_address_history_interaction_id",
                    "customer_address_history", ["interaction_id"])
    op.create_table(
        "customer_fields",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_customer_fields"),
    )


def downgrade() -> None:
    op.drop_table("customer_fields")
    op.drop_index("ix_customer_address_history_interaction_id",
                  table_name="customer_address_history")
    op.drop_index("ix_customer_address_history_customer_id_changed_at",
                  table_name="customer_address_history")
    op.drop_table("customer_address_history")
    op.drop_index("ix_customer_addresses_customer_id", table_name="customer_addresses")
    op.drop_table("customer_addresses")
    op.drop_index("ix_customer_emails_customer_id", table_name="customer_emails")
    op.drop_table("customer_emails")
    op.drop_index("ix_interactions_customer_id", table_name="interactions")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("customer_id")
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint("uq_customers_external_id", type_="unique")
        for name in reversed(_CONSENT):
            batch.drop_column(f"{name}_at")
            batch.drop_column(name)
        batch.drop_column("external_id")
