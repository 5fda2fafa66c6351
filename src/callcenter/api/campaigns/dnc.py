"""Do-not-call numbers: the global list (`/api/dnc`) and each campaign's
(`/api/campaigns/{name}/dnc`). Supervisors and admins read; admins add and remove.
A change reaches the running dialer at once (after it is stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.errors import named_field
from callcenter.store.campaigns import campaign_row, dnc_list_name, dnc_numbers, remove_dnc
from callcenter.store.leads import add_dnc
from callcenter.store.models import DncNumberRow

campaign_router = APIRouter(prefix="/api/campaigns")
global_router = APIRouter(prefix="/api/dnc")
Offset = Annotated[int, Query(ge=0, le=2**62)]
Limit = Annotated[int, Query(ge=1, le=1000)]


class DncIn(BaseModel):
    """A number to block, E.164 (`+4930123456`)."""

    number: str = Field(min_length=1, max_length=20)


class DncEntry(BaseModel):
    """A blocked number and when it was added."""

    number: str
    list: str
    added_at: datetime


class DncPage(BaseModel):
    """One page of a do-not-call list, by number."""

    items: list[DncEntry]
    total: int
    offset: int
    limit: int


def _page(session: Session, campaign: str | None, offset: int, limit: int) -> DncPage:
    if campaign is not None:
        campaign_row(session, campaign)
    page = dnc_numbers(session, campaign, offset=offset, limit=limit)
    return DncPage(items=[DncEntry(number=r.number, list=r.list_name, added_at=r.added_at)
                          for r in page.items], total=page.total, offset=offset, limit=limit)


def _add(session: Session, user: Admin, number: str, campaign: str | None) -> DncEntry:
    if campaign is not None:
        campaign_row(session, campaign)
    named_field(["number"], lambda: add_dnc(session, number, campaign))
    name = dnc_list_name(campaign)
    record(session, user, "create", "dnc", f"{name}/{number}", after={"number": number})
    entry = session.get(DncNumberRow, (name, number))
    assert entry is not None
    return DncEntry(number=number, list=name, added_at=entry.added_at)


def _tell_dialer(server: ServerDep, number: str, campaign: str | None, blocked: bool) -> None:
    dialer = server.runtime.dialer
    if dialer is not None:
        (dialer.block if blocked else dialer.unblock)(number, campaign)


async def _added(server: ServerDep, user: Admin, number: str, campaign: str | None) -> DncEntry:
    entry = await in_transaction(server, lambda s: _add(s, user, number, campaign))
    _tell_dialer(server, entry.number, campaign, blocked=True)
    return entry


async def _removed(server: ServerDep, user: Admin, number: str, campaign: str | None) -> None:
    await in_transaction(server, lambda s: _remove(s, user, number, campaign))
    _tell_dialer(server, number, campaign, blocked=False)


def _remove(session: Session, user: Admin, number: str, campaign: str | None) -> None:
    if campaign is not None:
        campaign_row(session, campaign)
    remove_dnc(session, number, campaign)
    record(session, user, "delete", "dnc", f"{dnc_list_name(campaign)}/{number}",
           before={"number": number})


@global_router.get("", response_model=DncPage)
async def list_global_dnc(server: ServerDep, _user: Staff, offset: Offset = 0,
                          limit: Limit = 50) -> DncPage:
    """The global do-not-call list (it blocks every campaign)."""
    return await in_transaction(server, lambda s: _page(s, None, offset, limit))


@global_router.post("", response_model=DncEntry, status_code=status.HTTP_201_CREATED)
async def add_global_dnc(body: DncIn, server: ServerDep, user: Admin) -> DncEntry:
    """Block a number for every campaign (adding it twice changes nothing)."""
    return await _added(server, user, body.number, None)


@global_router.delete("/{number}", **NO_CONTENT)
async def remove_global_dnc(number: str, server: ServerDep, user: Admin) -> None:
    """Take a number off the global list; 404 if it is not on it."""
    await _removed(server, user, number, None)


@campaign_router.get("/{name}/dnc", response_model=DncPage)
async def list_campaign_dnc(name: str, server: ServerDep, _user: Staff, offset: Offset = 0,
                            limit: Limit = 50) -> DncPage:
    """The campaign's own do-not-call list."""
    return await in_transaction(server, lambda s: _page(s, name, offset, limit))


@campaign_router.post("/{name}/dnc", response_model=DncEntry,
                      status_code=status.HTTP_201_CREATED)
async def add_campaign_dnc(name: str, body: DncIn, server: ServerDep,
                           user: Admin) -> DncEntry:
    """Block a number for this campaign only."""
    return await _added(server, user, body.number, name)


@campaign_router.delete("/{name}/dnc/{number}", **NO_CONTENT)
async def remove_campaign_dnc(name: str, number: str, server: ServerDep, user: Admin) -> None:
    """Take a number off the campaign's list; 404 if it is not on it."""
    await _removed(server, user, number, name)
