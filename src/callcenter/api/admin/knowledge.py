"""Admin CRUD of knowledge base articles (`/api/admin/kb-articles`) and switchboard
directory entries (`/api/admin/directory-entries`); agents read both through
`/api/knowledge` (api/knowledge.py).

An article's tags are stored lower case, each once (`core.knowledge.tags_of`). A
directory entry transfers to exactly one of an E.164 `number`, a `queue_id` of the
running configuration and an `agent_id` of it: anything else is 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.api.knowledge import (
    ArticleView,
    DirectoryEntryView,
    article_view,
    entry_view,
)
from callcenter.api.state import Server
from callcenter.core.knowledge import clean_text, tags_of
from callcenter.store.errors import NotFound
from callcenter.store.models import DirectoryEntryRow, KnowledgeArticleRow

MAX_ID = 2 ** 31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
E164 = r"^\+[1-9][0-9]{1,14}$"

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class ArticleIn(BaseModel):
    """An article: a title, tags (words separated by commas or spaces) and its text."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    tags: str = Field(default="", max_length=500)
    body: str = Field(min_length=1, max_length=100_000)


class EntryIn(BaseModel):
    """A directory entry and where a transfer to it goes: exactly one of `number`
    (E.164), `queue_id` and `agent_id`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    department: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    number: str | None = Field(default=None, pattern=E164, description="E.164: +4930123456")
    queue_id: str | None = Field(default=None, min_length=1, max_length=100)
    agent_id: str | None = Field(default=None, min_length=1, max_length=100)


def _check_target(server: Server, body: EntryIn) -> None:
    given = [f for f in ("number", "queue_id", "agent_id") if getattr(body, f) is not None]
    if len(given) != 1:
        field = given[1] if given else "number"
        raise InvalidField(field, f"{field}: give exactly one of number, queue_id and "
                                  "agent_id")
    engine = server.runtime.engine
    if body.queue_id is not None and engine.queue(body.queue_id) is None:
        raise InvalidField("queue_id", f"queue_id: no queue {body.queue_id!r}")
    if body.agent_id is not None and not engine.has_agent(body.agent_id):
        raise InvalidField("agent_id", f"agent_id: no agent {body.agent_id!r}")


def _article(session: Session, article_id: int) -> KnowledgeArticleRow:
    row = session.get(KnowledgeArticleRow, article_id)
    if row is None:
        raise NotFound(f"no article {article_id}")
    return row


def _entry(session: Session, entry_id: int) -> DirectoryEntryRow:
    row = session.get(DirectoryEntryRow, entry_id)
    if row is None:
        raise NotFound(f"no directory entry {entry_id}")
    return row


def _write(row: KnowledgeArticleRow, body: ArticleIn, user: str, now: float) -> None:
    row.title, row.tags, row.body = body.title.strip(), tags_of(body.tags), clean_text(body.body)
    row.updated_at, row.updated_by = now, user


# --- articles ----------------------------------------------------------------------


@router.get("/kb-articles", response_model=list[ArticleView])
async def list_articles(server: ServerDep, _user: Admin) -> list[ArticleView]:
    """Every article with its text, by title."""
    return await in_transaction(server, lambda s: [
        article_view(r) for r in s.scalars(select(KnowledgeArticleRow).order_by(
            KnowledgeArticleRow.title, KnowledgeArticleRow.id))])


@router.post("/kb-articles", response_model=ArticleView, status_code=status.HTTP_201_CREATED)
async def add_article(body: ArticleIn, server: ServerDep, user: Admin) -> ArticleView:
    """Write a new article."""
    now = server.runtime.clock.time()

    def work(session: Session) -> ArticleView:
        row = KnowledgeArticleRow()
        _write(row, body, user.username, now)
        session.add(row)
        session.flush()
        view = article_view(row)
        record(session, user, "create", "kb_article", str(row.id), None, view.model_dump())
        return view
    return await in_transaction(server, work)


@router.put("/kb-articles/{article_id}", response_model=ArticleView)
async def change_article(article_id: RowId, body: ArticleIn, server: ServerDep,
                         user: Admin) -> ArticleView:
    """Replace an article's title, tags and text."""
    now = server.runtime.clock.time()

    def work(session: Session) -> ArticleView:
        row = _article(session, article_id)
        before = article_view(row).model_dump()
        _write(row, body, user.username, now)
        session.flush()
        view = article_view(row)
        record(session, user, "update", "kb_article", str(article_id), before,
               view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/kb-articles/{article_id}", **NO_CONTENT)
async def remove_article(article_id: RowId, server: ServerDep, user: Admin) -> None:
    """Delete an article."""
    def work(session: Session) -> None:
        row = _article(session, article_id)
        before = article_view(row).model_dump()
        session.delete(row)
        record(session, user, "delete", "kb_article", str(article_id), before, None)
    await in_transaction(server, work)


# --- directory entries -------------------------------------------------------------


@router.get("/directory-entries", response_model=list[DirectoryEntryView])
async def list_entries(server: ServerDep, _user: Admin) -> list[DirectoryEntryView]:
    """Every directory entry, by department and name."""
    return await in_transaction(server, lambda s: [
        entry_view(r) for r in s.scalars(select(DirectoryEntryRow).order_by(
            DirectoryEntryRow.department, DirectoryEntryRow.name, DirectoryEntryRow.id))])


@router.post("/directory-entries", response_model=DirectoryEntryView,
             status_code=status.HTTP_201_CREATED)
async def add_entry(body: EntryIn, server: ServerDep, user: Admin) -> DirectoryEntryView:
    """Add a directory entry; 422 naming the field for a missing or unknown target."""
    _check_target(server, body)

    def work(session: Session) -> DirectoryEntryView:
        row = DirectoryEntryRow(**body.model_dump())
        session.add(row)
        session.flush()
        view = entry_view(row)
        record(session, user, "create", "directory_entry", str(row.id), None,
               body.model_dump())
        return view
    return await in_transaction(server, work)


@router.put("/directory-entries/{entry_id}", response_model=DirectoryEntryView)
async def change_entry(entry_id: RowId, body: EntryIn, server: ServerDep,
                       user: Admin) -> DirectoryEntryView:
    """Replace a directory entry."""
    _check_target(server, body)

    def work(session: Session) -> DirectoryEntryView:
        row = _entry(session, entry_id)
        before = EntryIn.model_validate(entry_view(row).model_dump(
            include=set(EntryIn.model_fields))).model_dump()
        for name, value in body.model_dump().items():
            setattr(row, name, value)
        session.flush()
        record(session, user, "update", "directory_entry", str(entry_id), before,
               body.model_dump())
        return entry_view(row)
    return await in_transaction(server, work)


@router.delete("/directory-entries/{entry_id}", **NO_CONTENT)
async def remove_entry(entry_id: RowId, server: ServerDep, user: Admin) -> None:
    """Delete a directory entry."""
    def work(session: Session) -> None:
        row = _entry(session, entry_id)
        before = entry_view(row).model_dump()
        session.delete(row)
        record(session, user, "delete", "directory_entry", str(entry_id), before, None)
    await in_transaction(server, work)
