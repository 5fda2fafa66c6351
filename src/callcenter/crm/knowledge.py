"""The knowledge base and the switchboard directory over the store.

`search_articles(session, text, limit)` runs the dialect's full-text search (made by
migration 0015) and answers the same shape on both:

- PostgreSQL: `websearch_to_tsquery('english', text)` against the generated `search`
  column (GIN index), ranked by `ts_rank` (title weighs most, then tags, then body),
  the snippet by `ts_headline` of the body;
- SQLite: `core.knowledge.fts5_query(text)` against the FTS5 table `kb_articles_fts`,
  ranked by `bm25` with the same column weights (10, 5, 1), the snippet by
  `snippet()` of the body.

Both stem English words (Snowball on PostgreSQL, Porter on SQLite: `payments` finds
`payment` on both) and drop English stop words; they rank differently in detail, so
only the hits and clear orders are promised alike (docs/reference/knowledge.md).

`search_directory(session, text, limit)`: entries whose name, department, role, number
or target contain every word of `text` (case-insensitive for ASCII letters).
None of these functions commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.orm import Session

from callcenter.core.knowledge import HIT_END, HIT_START, fts5_query, snippet_parts
from callcenter.store.models import DirectoryEntryRow, KnowledgeArticleRow

MAX_RESULTS = 50


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """One article found: its snippet as (text, is a hit) parts, best hits first."""

    id: int
    title: str
    tags: str
    snippet: tuple[tuple[str, bool], ...]


_PG = """
SELECT a.id, a.title, a.tags,
       ts_headline('english', a.body, q.query, :options) AS snippet
FROM kb_articles a, websearch_to_tsquery('english', :text) AS q(query)
WHERE a.search @@ q.query
ORDER BY ts_rank(a.search, q.query) DESC, a.id
LIMIT :limit
"""
_PG_OPTIONS = (f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, "
               "MaxFragments=2, FragmentDelimiter=\" … \"")

_SQLITE = f"""
SELECT a.id, a.title, a.tags,
       snippet(kb_articles_fts, 2, '{HIT_START}', '{HIT_END}', ' … ', 24) AS snippet
FROM kb_articles_fts JOIN kb_articles a ON a.id = kb_articles_fts.rowid
WHERE kb_articles_fts MATCH :query
ORDER BY bm25(kb_articles_fts, 10.0, 5.0, 1.0), a.id
LIMIT :limit
"""


def search_articles(session: Session, query: str, limit: int = 20) -> list[ArticleHit]:
    """The articles matching `query`, best first (at most `limit`)."""
    limit = max(1, min(limit, MAX_RESULTS))
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(_PG), {"text": query, "options": _PG_OPTIONS,
                                           "limit": limit})
    else:
        fts = fts5_query(query)
        if fts is None:
            return []
        rows = session.execute(text(_SQLITE), {"query": fts, "limit": limit})
    return [ArticleHit(r.id, r.title, r.tags, tuple(snippet_parts(r.snippet or "")))
            for r in rows]


def list_articles(session: Session, limit: int = MAX_RESULTS) -> list[KnowledgeArticleRow]:
    """Every article by title (at most `limit`)."""
    return list(session.scalars(select(KnowledgeArticleRow).order_by(
        KnowledgeArticleRow.title, KnowledgeArticleRow.id).limit(limit)))


def _escaped(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_directory(session: Session, query: str,
                     limit: int = MAX_RESULTS) -> list[DirectoryEntryRow]:
    """Entries containing every word of `query` in a field, by department and name;
    every entry for an empty query."""
    e = DirectoryEntryRow
    fields = (e.name, e.department, e.role, e.number, e.queue_id, e.agent_id)
    conditions: list[ColumnElement[bool]] = []
    for word in query.casefold().split():
        pattern = _escaped(word)
        conditions.append(or_(*(func.lower(f).like(pattern, escape="\\") for f in fields)))
    statement = select(e).where(and_(True, *conditions)).order_by(
        e.department, e.name, e.id).limit(max(1, min(limit, MAX_RESULTS)))
    return list(session.scalars(statement))
