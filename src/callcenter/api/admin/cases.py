"""Admin CRUD of case types, their categories and the SLA policies
(`/api/admin/case-types`, `/api/admin/case-categories`, `/api/admin/sla-policies`).

A policy sets the first-response and resolution targets (seconds of business time on
its calendar, or plain seconds without one) of one case type at one priority, and the
share of a target at which it warns. A change applies to cases created afterwards:
a stored case keeps the due times it was given.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    CalendarRow,
    CaseCategoryRow,
    CaseRow,
    CaseTypeRow,
    SlaPolicyRow,
)

MAX_ID = 2 ** 31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class CaseTypeSettings(BaseModel):
    """A case type's label and whether new cases may use it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    label: str = Field(default="", max_length=200)
    active: bool = True


class CaseTypeView(CaseTypeSettings):
    """A case type (complaint, fault report, inquiry...)."""

    id: str = Name


class CaseCategorySettings(BaseModel):
    """A category's type, label and whether new cases may use it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    type_id: str = Name
    label: str = Field(default="", max_length=200)
    active: bool = True


class CaseCategoryView(CaseCategorySettings):
    """A category of a case type."""

    id: str = Name


class SlaPolicySettings(BaseModel):
    """Targets in seconds (null: none), the warning share, the calendar (null: every
    second counts)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    type_id: str = Name
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    first_response_seconds: float | None = Field(default=None, gt=0, le=10 ** 8)
    resolution_seconds: float | None = Field(default=None, gt=0, le=10 ** 8)
    warn_at: float = Field(default=0.8, gt=0, le=1)
    calendar_id: str | None = Field(default=None, min_length=1, max_length=100)


class SlaPolicyView(SlaPolicySettings):
    id: int


def _type(session: Session, type_id: str) -> CaseTypeRow:
    row = session.get(CaseTypeRow, type_id)
    if row is None:
        raise NotFound(f"no case type {type_id!r}")
    return row


def _category(session: Session, category_id: str) -> CaseCategoryRow:
    row = session.get(CaseCategoryRow, category_id)
    if row is None:
        raise NotFound(f"no case category {category_id!r}")
    return row


def _policy(session: Session, policy_id: int) -> SlaPolicyRow:
    row = session.get(SlaPolicyRow, policy_id)
    if row is None:
        raise NotFound(f"no SLA policy {policy_id}")
    return row


# --- case types --------------------------------------------------------------------


@router.get("/case-types", response_model=list[CaseTypeView])
async def list_case_types(server: ServerDep, _user: Admin) -> list[CaseTypeView]:
    """Every case type, active or not, by id."""
    return await in_transaction(server, lambda s: [
        CaseTypeView.model_validate(r)
        for r in s.scalars(select(CaseTypeRow).order_by(CaseTypeRow.id))])


@router.post("/case-types", response_model=CaseTypeView, status_code=status.HTTP_201_CREATED)
async def add_case_type(body: CaseTypeView, server: ServerDep, user: Admin) -> CaseTypeView:
    """Create a case type; 409 if it exists."""
    def work(session: Session) -> CaseTypeView:
        if session.get(CaseTypeRow, body.id) is not None:
            raise Conflict(f"case type {body.id!r} already exists")
        session.add(CaseTypeRow(**body.model_dump()))
        session.flush()
        record(session, user, "create", "case_type", body.id, None, body.model_dump())
        return body
    return await in_transaction(server, work)


@router.put("/case-types/{type_id}", response_model=CaseTypeView)
async def change_case_type(type_id: str, body: CaseTypeSettings, server: ServerDep,
                           user: Admin) -> CaseTypeView:
    """Replace a case type's label and active flag."""
    def work(session: Session) -> CaseTypeView:
        row = _type(session, type_id)
        before = CaseTypeView.model_validate(row).model_dump()
        row.label, row.active = body.label, body.active
        session.flush()
        view = CaseTypeView.model_validate(row)
        record(session, user, "update", "case_type", type_id, before, view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/case-types/{type_id}", **NO_CONTENT)
async def remove_case_type(type_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a case type with its categories and policies; 409 while cases have it
    (make it inactive instead)."""
    def work(session: Session) -> None:
        row = _type(session, type_id)
        if session.scalar(select(CaseRow.id).where(CaseRow.type_id == type_id).limit(1)):
            raise Conflict(f"case type {type_id!r} has cases: make it inactive instead")
        before = CaseTypeView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "case_type", type_id, before=before)
    await in_transaction(server, work)


# --- categories --------------------------------------------------------------------


@router.get("/case-categories", response_model=list[CaseCategoryView])
async def list_categories(server: ServerDep, _user: Admin) -> list[CaseCategoryView]:
    """Every category, by id."""
    return await in_transaction(server, lambda s: [
        CaseCategoryView.model_validate(r)
        for r in s.scalars(select(CaseCategoryRow).order_by(CaseCategoryRow.id))])


@router.post("/case-categories", response_model=CaseCategoryView,
             status_code=status.HTTP_201_CREATED)
async def add_category(body: CaseCategoryView, server: ServerDep, user: Admin) -> CaseCategoryView:
    """Create a category of an existing type; 409 if it exists."""
    def work(session: Session) -> CaseCategoryView:
        _type(session, body.type_id)
        if session.get(CaseCategoryRow, body.id) is not None:
            raise Conflict(f"case category {body.id!r} already exists")
        session.add(CaseCategoryRow(**body.model_dump()))
        session.flush()
        record(session, user, "create", "case_category", body.id, None, body.model_dump())
        return body
    return await in_transaction(server, work)


@router.put("/case-categories/{category_id}", response_model=CaseCategoryView)
async def change_category(category_id: str, body: CaseCategorySettings, server: ServerDep,
                          user: Admin) -> CaseCategoryView:
    """Replace a category's type, label and active flag."""
    def work(session: Session) -> CaseCategoryView:
        row = _category(session, category_id)
        _type(session, body.type_id)
        before = CaseCategoryView.model_validate(row).model_dump()
        row.type_id, row.label, row.active = body.type_id, body.label, body.active
        session.flush()
        view = CaseCategoryView.model_validate(row)
        record(session, user, "update", "case_category", category_id, before,
               view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/case-categories/{category_id}", **NO_CONTENT)
async def remove_category(category_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a category (stored cases keep its id)."""
    def work(session: Session) -> None:
        row = _category(session, category_id)
        before = CaseCategoryView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "case_category", category_id, before=before)
    await in_transaction(server, work)


# --- SLA policies --------------------------------------------------------------------


def _check_policy(session: Session, body: SlaPolicySettings, policy_id: int | None) -> None:
    _type(session, body.type_id)
    if body.calendar_id is not None and session.get(CalendarRow, body.calendar_id) is None:
        raise NotFound(f"no calendar {body.calendar_id!r}")
    same = session.scalar(select(SlaPolicyRow.id).where(
        SlaPolicyRow.type_id == body.type_id, SlaPolicyRow.priority == body.priority))
    if same is not None and same != policy_id:
        raise Conflict(f"case type {body.type_id!r} has a {body.priority} policy already")


@router.get("/sla-policies", response_model=list[SlaPolicyView])
async def list_policies(server: ServerDep, _user: Admin) -> list[SlaPolicyView]:
    """Every SLA policy, by type and priority."""
    return await in_transaction(server, lambda s: [
        SlaPolicyView.model_validate(r) for r in s.scalars(
            select(SlaPolicyRow).order_by(SlaPolicyRow.type_id, SlaPolicyRow.priority))])


@router.post("/sla-policies", response_model=SlaPolicyView, status_code=status.HTTP_201_CREATED)
async def add_policy(body: SlaPolicySettings, server: ServerDep, user: Admin) -> SlaPolicyView:
    """Create the policy of a type at a priority; 409 if that pair has one."""
    def work(session: Session) -> SlaPolicyView:
        _check_policy(session, body, None)
        row = SlaPolicyRow(**body.model_dump())
        session.add(row)
        session.flush()
        view = SlaPolicyView.model_validate(row)
        record(session, user, "create", "sla_policy", str(row.id), None, view.model_dump())
        return view
    return await in_transaction(server, work)


@router.put("/sla-policies/{policy_id}", response_model=SlaPolicyView)
async def change_policy(policy_id: RowId, body: SlaPolicySettings, server: ServerDep,
                        user: Admin) -> SlaPolicyView:
    """Replace a policy (cases created before keep their due times)."""
    def work(session: Session) -> SlaPolicyView:
        row = _policy(session, policy_id)
        before = SlaPolicyView.model_validate(row).model_dump()
        _check_policy(session, body, policy_id)
        for name, value in body.model_dump().items():
            setattr(row, name, value)
        session.flush()
        view = SlaPolicyView.model_validate(row)
        record(session, user, "update", "sla_policy", str(policy_id), before,
               view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/sla-policies/{policy_id}", **NO_CONTENT)
async def remove_policy(policy_id: RowId, server: ServerDep, user: Admin) -> None:
    """Delete a policy (cases created before keep their due times)."""
    def work(session: Session) -> None:
        row = _policy(session, policy_id)
        before = SlaPolicyView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "sla_policy", str(policy_id), before=before)
    await in_transaction(server, work)
