"""Knowledge base articles (full-text search) and the switchboard directory.

The full-text structures differ per dialect (see `store.models.knowledge`): on
PostgreSQL a generated tsvector column with a GIN index, on SQLite an external-content
FTS5 table kept in step by triggers.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_SEARCH = """
ALTER TABLE kb_articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', tags), 'B')
    || setweight(to_tsvector('english', body), 'C')) STORED
"""

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE kb_articles_fts USING fts5(title, tags, body, "
    "content='kb_articles', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN "
    "INSERT INTO kb_articles_fts(rowid, title, tags, body) "
    "VALUES (new.id, new.title, new.tags, new.body); END",
    "CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN "
    "INSERT INTO kb_articles_fts(kb_articles_fts, rowid, title, tags, body) "
    "VALUES ('delete', old.id, old.title, old.tags, old.body); END",
    "CREATE TRIGGER kb_articles_fts_update AFTER UPDATE ON kb_articles BEGIN "
    "INSERT INTO kb_articles_fts(kb_articles_fts, rowid, title, tags, body) "
    "VALUES ('delete', old.id, old.title, old.tags, old.body); "
    "INSERT INTO kb_articles_fts(rowid, title, tags, body) "
    "VALUES (new.id, new.title, new.tags, new.body); END",
]


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("tags", sa.String(500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_articles"),
    )
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("number", sa.String(32), nullable=True),
        sa.Column("queue_id", sa.String(100), nullable=True),
        sa.Column("agent_id", sa.String(100), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN number IS NULL THEN 0 ELSE 1 END) + (CASE WHEN queue_id IS NULL "
            "THEN 0 ELSE 1 END) + (CASE WHEN agent_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_directory_entries_one_target"),
        sa.PrimaryKeyConstraint("id", name="pk_directory_entries"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_SEARCH)
        op.execute("CREATE INDEX ix_kb_articles_search ON kb_articles USING gin (search)")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER kb_articles_fts_{trigger}")
        op.execute("DROP TABLE kb_articles_fts")
    op.drop_table("directory_entries")
    op.drop_table("kb_articles")
