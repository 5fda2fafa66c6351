"""Admin CRUD of disposition codes (`/api/admin/dispositions`).

Every change ends by invalidating the server's in-memory copy of the active codes
(`state.DispositionCodes`), so the next wrap-up checks against the new ones.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.auth import Principal
from callcenter.api.deps import ServerDep
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import DispositionCodeRow
from callcenter.store.users import save_disposition

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class DispositionSettings(BaseModel):
    """A disposition code's label and whether agents may pick it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    label: str = Field(default="", max_length=200)
    active: bool = True


class DispositionIn(DispositionSettings):
    """A new disposition code."""

    code: str = Name


class DispositionView(DispositionIn):
    """A disposition code."""


def _disposition(session: Session, code: str) -> DispositionCodeRow:
    row = session.get(DispositionCodeRow, code)
    if row is None:
        raise NotFound(f"no disposition {code!r}")
    return row


def _save_disposition(session: Session, user: Principal, action: str, code: str,
                      body: DispositionSettings, before: object) -> DispositionView:
    row = save_disposition(session, code, body.label, active=body.active)
    view = DispositionView.model_validate(row)
    record(session, user, action, "disposition", code, before, view.model_dump())
    return view


@router.get("/dispositions", response_model=list[DispositionView])
async def list_dispositions(server: ServerDep, _user: Admin) -> list[DispositionView]:
    """Every disposition code, active or not, by code."""
    return await in_transaction(server, lambda s: [
        DispositionView.model_validate(r) for r in
        s.scalars(select(DispositionCodeRow).order_by(DispositionCodeRow.code))])


@router.get("/dispositions/{code}", response_model=DispositionView)
async def read_disposition(code: str, server: ServerDep, _user: Admin) -> DispositionView:
    """One disposition code."""
    return await in_transaction(
        server, lambda s: DispositionView.model_validate(_disposition(s, code)))


@router.post("/dispositions", response_model=DispositionView,
             status_code=status.HTTP_201_CREATED)
async def add_disposition(body: DispositionIn, server: ServerDep,
                          user: Admin) -> DispositionView:
    """Create a disposition code; 409 if it exists."""
    def work(session: Session) -> DispositionView:
        if session.get(DispositionCodeRow, body.code) is not None:
            raise Conflict(f"disposition {body.code!r} already exists")
        return _save_disposition(session, user, "create", body.code, body, None)
    try:
        return await in_transaction(server, work)
    finally:
        server.dispositions.invalidate()


@router.put("/dispositions/{code}", response_model=DispositionView)
async def change_disposition(code: str, body: DispositionSettings, server: ServerDep,
                             user: Admin) -> DispositionView:
    """Replace a disposition code's label and active flag."""
    def work(session: Session) -> DispositionView:
        before = DispositionView.model_validate(_disposition(session, code)).model_dump()
        return _save_disposition(session, user, "update", code, body, before)
    try:
        return await in_transaction(server, work)
    finally:
        server.dispositions.invalidate()


@router.delete("/dispositions/{code}", **NO_CONTENT)
async def remove_disposition(code: str, server: ServerDep, user: Admin) -> None:
    """Delete a disposition code (stored interactions keep the code they were given)."""
    def work(session: Session) -> None:
        row = _disposition(session, code)
        before = DispositionView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "disposition", code, before=before)
    try:
        await in_transaction(server, work)
    finally:
        server.dispositions.invalidate()
