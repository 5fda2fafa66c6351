"""Initial schema: users, teams, skills, agents, queues, calendars, history.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("start", sa.Double(), nullable=False),
        sa.Column("end", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_spans")),
    )
    with op.batch_alter_table("agent_spans", schema=None) as batch_op:
        batch_op.create_index("ix_agent_spans_agent_id_start", ["agent_id", "start"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_entity_entity_id", ["entity", "entity_id"], unique=False
        )

    op.create_table(
        "calendars",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendars")),
    )
    op.create_table(
        "disposition_codes",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_disposition_codes")),
    )
    op.create_table(
        "interactions",
        sa.Column("interaction_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("queue_id", sa.String(length=100), nullable=False),
        sa.Column("first_queue_id", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("arrived_at", sa.Double(), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("ended_at", sa.Double(), nullable=True),
        sa.Column("completed_at", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("exit_reason", sa.String(length=50), nullable=False),
        sa.Column("exit_action", sa.String(length=120), nullable=False),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("callback", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(length=100), nullable=False),
        sa.Column("first_offered_at", sa.Double(), nullable=True),
        sa.Column("talk_seconds", sa.Double(), nullable=False),
        sa.Column("wrap_seconds", sa.Double(), nullable=False),
        sa.Column("service_level_threshold", sa.Double(), nullable=False),
        sa.Column("short_abandon", sa.Double(), nullable=False),
        sa.Column("caller_number", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interactions_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interactions_arrived_at"), ["arrived_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interactions_caller_number"), ["caller_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interactions_first_queue_id"), ["first_queue_id"], unique=False
        )
        batch_op.create_index(
            "ix_interactions_open_arrived_at", ["open", "arrived_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interactions_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_interactions_queue_id"), ["queue_id"], unique=False)

    op.create_table(
        "skills",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('agent', 'supervisor', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agents_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("user_id", name=op.f("uq_agents_user_id")),
    )
    op.create_table(
        "calendar_holidays",
        sa.Column("calendar_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["calendars.id"],
            name=op.f("fk_calendar_holidays_calendar_id_calendars"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("calendar_id", "day", name=op.f("pk_calendar_holidays")),
    )
    op.create_table(
        "calendar_hours",
        sa.Column("calendar_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_calendar_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["calendars.id"],
            name=op.f("fk_calendar_hours_calendar_id_calendars"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("calendar_id", "position", name=op.f("pk_calendar_hours")),
    )
    op.create_table(
        "queues",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("initial_max_tier", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("max_wait", sa.Double(), nullable=True),
        sa.Column("timeout_action", sa.String(length=20), nullable=False),
        sa.Column("timeout_queue_id", sa.String(length=100), nullable=True),
        sa.Column("full_action", sa.String(length=20), nullable=False),
        sa.Column("full_queue_id", sa.String(length=100), nullable=True),
        sa.Column("reject_when_no_agents", sa.Boolean(), nullable=False),
        sa.Column("no_agents_action", sa.String(length=20), nullable=False),
        sa.Column("no_agents_queue_id", sa.String(length=100), nullable=True),
        sa.Column("calendar_id", sa.String(length=100), nullable=True),
        sa.Column("closed_action", sa.String(length=20), nullable=False),
        sa.Column("closed_queue_id", sa.String(length=100), nullable=True),
        sa.Column("wrap_up", sa.Double(), nullable=False),
        sa.Column("offer_timeout", sa.Double(), nullable=False),
        sa.Column("retry_after", sa.Double(), nullable=False),
        sa.Column("aging_rate", sa.Double(), nullable=False),
        sa.Column("service_level_threshold", sa.Double(), nullable=False),
        sa.Column("short_abandon", sa.Double(), nullable=False),
        sa.Column("default_handle_time", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["calendars.id"],
            name=op.f("fk_queues_calendar_id_calendars"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
    )
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queues_calendar_id"), ["calendar_id"], unique=False)

    op.create_table(
        "team_supervisors",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_supervisors_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_supervisors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_supervisors")),
    )
    with op.batch_alter_table("team_supervisors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_supervisors_user_id"), ["user_id"], unique=False)

    op.create_table(
        "agent_capacity",
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("slots >= 0", name=op.f("ck_agent_capacity_slots")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_capacity_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "channel", name=op.f("pk_agent_capacity")),
    )
    op.create_table(
        "agent_queues",
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("queue_id", sa.String(length=100), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("tier >= 1", name=op.f("ck_agent_queues_tier")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_queues_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_agent_queues_queue_id_queues"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("agent_id", "queue_id", name=op.f("pk_agent_queues")),
    )
    with op.batch_alter_table("agent_queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_queues_queue_id"), ["queue_id"], unique=False)

    op.create_table(
        "agent_skills",
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("skill_id", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 10", name=op.f("ck_agent_skills_level")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_skills_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_agent_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("agent_id", "skill_id", name=op.f("pk_agent_skills")),
    )
    with op.batch_alter_table("agent_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_skills_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "queue_escalation",
        sa.Column("queue_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("after", sa.Double(), nullable=False),
        sa.Column("relax_levels", sa.Integer(), nullable=False),
        sa.Column("max_tier", sa.Integer(), nullable=True),
        sa.Column("overflow_to", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_queue_escalation_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_id", "position", name=op.f("pk_queue_escalation")),
    )
    op.create_table(
        "queue_skills",
        sa.Column("queue_id", sa.String(length=100), nullable=False),
        sa.Column("skill_id", sa.String(length=100), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("min_level BETWEEN 1 AND 10", name=op.f("ck_queue_skills_min_level")),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_queue_skills_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_queue_skills_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("queue_id", "skill_id", name=op.f("pk_queue_skills")),
    )
    with op.batch_alter_table("queue_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_skills_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "team_agents",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_team_agents_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_agents_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "agent_id", name=op.f("pk_team_agents")),
    )
    with op.batch_alter_table("team_agents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_agents_agent_id"), ["agent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_agents_agent_id"))

    op.drop_table("team_agents")
    with op.batch_alter_table("queue_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_skills_skill_id"))

    op.drop_table("queue_skills")
    op.drop_table("queue_escalation")
    with op.batch_alter_table("agent_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_skills_skill_id"))

    op.drop_table("agent_skills")
    with op.batch_alter_table("agent_queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_queues_queue_id"))

    op.drop_table("agent_queues")
    op.drop_table("agent_capacity")
    with op.batch_alter_table("team_supervisors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_supervisors_user_id"))

    op.drop_table("team_supervisors")
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queues_calendar_id"))

    op.drop_table("queues")
    op.drop_table("calendar_hours")
    op.drop_table("calendar_holidays")
    op.drop_table("agents")
    op.drop_table("users")
    op.drop_table("teams")
    op.drop_table("skills")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interactions_queue_id"))
        batch_op.drop_index(batch_op.f("ix_interactions_outcome"))
        batch_op.drop_index("ix_interactions_open_arrived_at")
        batch_op.drop_index(batch_op.f("ix_interactions_first_queue_id"))
        batch_op.drop_index(batch_op.f("ix_interactions_caller_number"))
        batch_op.drop_index(batch_op.f("ix_interactions_arrived_at"))
        batch_op.drop_index(batch_op.f("ix_interactions_agent_id"))

    op.drop_table("interactions")
    op.drop_table("disposition_codes")
    op.drop_table("calendars")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("agent_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_spans_agent_id_start")

    op.drop_table("agent_spans")
