"""The knowledge base and the switchboard directory, as agents read them during a call
(`/api/knowledge/...`, anyone logged in; admins edit them under
`/api/admin/kb-articles` and `/api/admin/directory-entries`).

- `GET /api/knowledge/articles?q=`: full-text search (`crm.knowledge.search_articles`),
  best first, each hit with a snippet as parts `{text, hit}` (the page draws them as
  text: an article never brings markup); without `q`, every article by title.
- `GET /api/knowledge/articles/{article_id}`: one article with its full text.
- `GET /api/knowledge/directory?q=`: directory entries containing every word of `q`,
  each with `transfer`, the target to give `POST /api/agents/{id}/transfer` as is
  (`queue_id`, `to_agent_id` or `number`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import in_transaction
from callcenter.api.deps import AnyUser, ServerDep
from callcenter.api.errors import errors
from callcenter.crm import knowledge as crm
from callcenter.store.errors import NotFound
from callcenter.store.models import DirectoryEntryRow, KnowledgeArticleRow

MAX_ID = 2 ** 31 - 1
router = APIRouter(prefix="/api/knowledge", tags=["knowledge"],
                   responses=errors(401, 403, 503))
Search = Annotated[str, Query(max_length=200, description="What to look for")]


class SnippetPart(BaseModel):
    """A piece of a snippet: a hit of the query or the text around it."""

    text: str
    hit: bool


class ArticleHitView(BaseModel):
    """An article found, with its snippet (empty when listing without a query)."""

    id: int
    title: str
    tags: list[str]
    snippet: list[SnippetPart]


class ArticleResults(BaseModel):
    """The articles found for `query`, best first."""

    query: str
    articles: list[ArticleHitView]


class ArticleView(BaseModel):
    """An article with its full text (Markdown-flavoured plain text)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    tags: list[str]
    body: str
    updated_at: float
    updated_by: str


class TransferTarget(BaseModel):
    """The body of a transfer to an entry, without the interaction: one field set."""

    queue_id: str | None = None
    to_agent_id: str | None = None
    number: str | None = None


class DirectoryEntryView(BaseModel):
    """A person, department or service, with where a transfer to it goes."""

    id: int
    name: str
    department: str
    role: str
    number: str | None
    queue_id: str | None
    agent_id: str | None
    transfer: TransferTarget = Field(description="Give these fields (with interaction_id) "
                                                 "to POST /api/agents/{id}/transfer")


class DirectoryResults(BaseModel):
    """The entries found for `query`, by department and name."""

    query: str
    entries: list[DirectoryEntryView]


def article_view(row: KnowledgeArticleRow) -> ArticleView:
    return ArticleView(id=row.id, title=row.title, tags=row.tags.split(), body=row.body,
                       updated_at=row.updated_at, updated_by=row.updated_by)


def entry_view(row: DirectoryEntryRow) -> DirectoryEntryView:
    return DirectoryEntryView(
        id=row.id, name=row.name, department=row.department, role=row.role,
        number=row.number, queue_id=row.queue_id, agent_id=row.agent_id,
        transfer=TransferTarget(queue_id=row.queue_id, to_agent_id=row.agent_id,
                                number=row.number))


@router.get("/articles", response_model=ArticleResults)
async def find_articles(server: ServerDep, _user: AnyUser, q: Search = "",
                        limit: Annotated[int, Query(ge=1, le=crm.MAX_RESULTS)] = 20,
                        ) -> ArticleResults:
    """Articles matching `q` (words all required, `"a phrase"`, `or`, `-word`; English
    stemming), best first, with highlighted snippets; every article by title without
    `q`."""
    def work(session: Session) -> ArticleResults:
        if not q.strip():
            return ArticleResults(query=q, articles=[
                ArticleHitView(id=a.id, title=a.title, tags=a.tags.split(), snippet=[])
                for a in crm.list_articles(session, limit)])
        return ArticleResults(query=q, articles=[
            ArticleHitView(id=h.id, title=h.title, tags=h.tags.split(),
                           snippet=[SnippetPart(text=t, hit=hit) for t, hit in h.snippet])
            for h in crm.search_articles(session, q, limit)])
    return await in_transaction(server, work)


@router.get("/articles/{article_id}", response_model=ArticleView, responses=errors(404))
async def read_article(article_id: Annotated[int, Path(ge=1, le=MAX_ID)], server: ServerDep,
                       _user: AnyUser) -> ArticleView:
    """One article with its full text."""
    def work(session: Session) -> ArticleView:
        row = session.get(KnowledgeArticleRow, article_id)
        if row is None:
            raise NotFound(f"no article {article_id}")
        return article_view(row)
    return await in_transaction(server, work)


@router.get("/directory", response_model=DirectoryResults)
async def find_entries(server: ServerDep, _user: AnyUser, q: Search = "",
                       limit: Annotated[int, Query(ge=1, le=crm.MAX_RESULTS)] = 20,
                       ) -> DirectoryResults:
    """Directory entries containing every word of `q` in their name, department, role,
    number or target, by department and name; every entry (up to `limit`) without `q`."""
    return await in_transaction(server, lambda s: DirectoryResults(
        query=q, entries=[entry_view(r) for r in crm.search_directory(s, q, limit)]))
