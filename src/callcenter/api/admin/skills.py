"""Admin CRUD of skills (`/api/admin/skills`); 409 on deleting one in use."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import AgentSkillRow, QueueSkillRow, SkillRow

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class SkillSettings(BaseModel):
    """A skill's description."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    description: str = Field(default="", max_length=255)


class SkillIn(SkillSettings):
    """A new skill."""

    id: str = Name


class SkillView(SkillIn):
    """A skill."""


def _skill(session: Session, skill_id: str) -> SkillRow:
    row = session.get(SkillRow, skill_id)
    if row is None:
        raise NotFound(f"no skill {skill_id!r}")
    return row


@router.get("/skills", response_model=list[SkillView])
async def list_skills(server: ServerDep, _user: Admin) -> list[SkillView]:
    """Every skill, by id."""
    return await in_transaction(server, lambda s: [
        SkillView.model_validate(r) for r in s.scalars(select(SkillRow).order_by(SkillRow.id))])


@router.get("/skills/{skill_id}", response_model=SkillView)
async def read_skill(skill_id: str, server: ServerDep, _user: Admin) -> SkillView:
    """One skill."""
    return await in_transaction(server, lambda s: SkillView.model_validate(_skill(s, skill_id)))


@router.post("/skills", response_model=SkillView, status_code=status.HTTP_201_CREATED)
async def add_skill(body: SkillIn, server: ServerDep, user: Admin) -> SkillView:
    """Create a skill; 409 if it exists."""
    def work(session: Session) -> SkillView:
        if session.get(SkillRow, body.id) is not None:
            raise Conflict(f"skill {body.id!r} already exists")
        row = SkillRow(id=body.id, description=body.description)
        session.add(row)
        session.flush()
        view = SkillView.model_validate(row)
        record(session, user, "create", "skill", body.id, after=view.model_dump())
        return view
    return await in_transaction(server, work)


@router.put("/skills/{skill_id}", response_model=SkillView)
async def change_skill(skill_id: str, body: SkillSettings, server: ServerDep,
                       user: Admin) -> SkillView:
    """Replace a skill's description."""
    def work(session: Session) -> SkillView:
        row = _skill(session, skill_id)
        before = SkillView.model_validate(row).model_dump()
        row.description = body.description
        session.flush()
        view = SkillView.model_validate(row)
        record(session, user, "update", "skill", skill_id, before, view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/skills/{skill_id}", **NO_CONTENT)
async def remove_skill(skill_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a skill; 409 while an agent has it or a queue requires it."""
    def work(session: Session) -> None:
        row = _skill(session, skill_id)
        users = sorted({f"agent {a!r}" for a in session.scalars(
            select(AgentSkillRow.agent_id).where(AgentSkillRow.skill_id == skill_id))}
            | {f"queue {q!r}" for q in session.scalars(
                select(QueueSkillRow.queue_id).where(QueueSkillRow.skill_id == skill_id))})
        if users:
            raise Conflict(f"skill {skill_id!r} is in use by {', '.join(users)}")
        before = SkillView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "skill", skill_id, before=before)
    await in_transaction(server, work)
