"""The knowledge base (`kb_articles`) and the switchboard directory (`directory_entries`).

Full-text search lives beside `kb_articles`, made by migration 0015 per dialect and not
declared here (the ORM never writes it):

- PostgreSQL: a stored generated column `search` (tsvector, `english` configuration:
  title weight A, tags B, body C) with the GIN index `ix_kb_articles_search`;
- SQLite: the external-content FTS5 table `kb_articles_fts` (title, tags, body;
  `porter unicode61` tokenizer) kept in step with `kb_articles` by three triggers.

`FTS_NAMES` lists them so that Alembic's comparison with the ORM passes them over.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Double, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base

FTS_NAMES = frozenset({"search", "ix_kb_articles_search", "kb_articles_fts",
                       "kb_articles_fts_data", "kb_articles_fts_idx", "kb_articles_fts_docsize",
                       "kb_articles_fts_config", "kb_articles_fts_content"})
"""The full-text objects of migration 0015 (a column, an index, FTS5 and its shadow
tables) that the ORM does not declare."""


class KnowledgeArticleRow(Base):
    """An article agents read during a call: `tags` are lower-case words separated by
    single spaces; `body` is Markdown-flavoured plain text (shown as text, never as
    HTML)."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    tags: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text())
    updated_at: Mapped[float] = mapped_column(Double())
    updated_by: Mapped[str] = mapped_column(String(100))


class DirectoryEntryRow(Base):
    """A person, department or service a call can be transferred to: exactly one of
    `number` (E.164), `queue_id` and `agent_id` (plain ids: an entry may outlive its
    queue or agent, and a transfer to a missing one is refused by the engine)."""

    __tablename__ = "directory_entries"
    __table_args__ = (CheckConstraint(
        "(CASE WHEN number IS NULL THEN 0 ELSE 1 END) + (CASE WHEN queue_id IS NULL "
        "THEN 0 ELSE 1 END) + (CASE WHEN agent_id IS NULL THEN 0 ELSE 1 END) = 1",
        name="one_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(32))
    queue_id: Mapped[str | None] = mapped_column(ID)
    agent_id: Mapped[str | None] = mapped_column(ID)
