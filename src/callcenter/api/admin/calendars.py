"""Admin CRUD of calendars (`/api/admin/calendars`): time zone, weekly open hours,
holidays. Replacing a calendar re-applies the running queues that use it."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, core_field, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.routes_agents import submit
from callcenter.api.state import Server
from callcenter.core.config import Calendar, QueueConfig, WeeklyHours
from callcenter.core.events import QueueConfigured
from callcenter.store.audit import snapshot
from callcenter.store.configs import delete_calendar, get_calendar, queue_config, save_calendar
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CalendarRow, QueueRow

router = APIRouter()  # included by callcenter.api.admin under /api/admin


LocalTime = Annotated[time, WithJsonSchema({
    "type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
    "description": "Local wall-clock time, HH:MM or HH:MM:SS (no offset: the calendar's "
                   "time zone applies)."})]
"""A time of day on a calendar's wall clock. JSON Schema's `time` format requires an
offset, which these times must not have."""


class HoursModel(BaseModel):
    """Open hours on one weekday (0 is Monday), in the calendar's time zone."""

    weekday: int = Field(ge=0, le=6)
    opens: LocalTime
    closes: LocalTime


class CalendarSettings(BaseModel):
    """A calendar: time zone, weekly open hours, holidays (closed all day)."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    hours: list[HoursModel] = []
    holidays: list[date] = []

    def config(self) -> Calendar:
        """The core `Calendar` (`ConfigError` naming the field if it is wrong)."""
        hours = tuple(core_field(f"hours[{i}]", WeeklyHours, h.weekday, h.opens, h.closes)
                      for i, h in enumerate(self.hours))
        return core_field("timezone", Calendar, self.timezone, hours, frozenset(self.holidays))


class CalendarIn(CalendarSettings):
    """A new calendar."""

    id: str = Name


class CalendarView(CalendarIn):
    """A calendar."""


def _calendar_view(calendar_id: str, calendar: Calendar) -> CalendarView:
    return CalendarView.model_validate({**snapshot(calendar), "id": calendar_id})


async def _write_calendar(server: Server, user: Admin, calendar_id: str,
                          body: CalendarSettings, *, create: bool) -> CalendarView:
    calendar = body.config()

    def work(session: Session) -> tuple[CalendarView, list[QueueConfig]]:
        before = None
        if session.get(CalendarRow, calendar_id) is not None:
            if create:
                raise Conflict(f"calendar {calendar_id!r} already exists")
            before = get_calendar(session, calendar_id)
        elif not create:
            raise NotFound(f"no calendar {calendar_id!r}")
        save_calendar(session, calendar_id, calendar)
        record(session, user, "create" if create else "update", "calendar", calendar_id,
               before, calendar)
        users = session.scalars(select(QueueRow).where(QueueRow.calendar_id == calendar_id))
        return _calendar_view(calendar_id, calendar), [queue_config(q) for q in users]

    view, queues = await in_transaction(server, work)
    for queue in queues:  # the engine's queues carry their calendar
        if server.runtime.engine.queue(queue.id) is not None:
            await submit(server, QueueConfigured(queue))
    return view


@router.get("/calendars", response_model=list[CalendarView])
async def list_calendars(server: ServerDep, _user: Admin) -> list[CalendarView]:
    """Every calendar, by id."""
    def work(session: Session) -> list[CalendarView]:
        ids = session.scalars(select(CalendarRow.id).order_by(CalendarRow.id))
        return [_calendar_view(i, get_calendar(session, i)) for i in ids]
    return await in_transaction(server, work)


@router.get("/calendars/{calendar_id}", response_model=CalendarView)
async def read_calendar(calendar_id: str, server: ServerDep, _user: Admin) -> CalendarView:
    """One calendar."""
    return await in_transaction(
        server, lambda s: _calendar_view(calendar_id, get_calendar(s, calendar_id)))


@router.post("/calendars", response_model=CalendarView, status_code=status.HTTP_201_CREATED)
async def add_calendar(body: CalendarIn, server: ServerDep, user: Admin) -> CalendarView:
    """Create a calendar; 409 if it exists."""
    return await _write_calendar(server, user, body.id, body, create=True)


@router.put("/calendars/{calendar_id}", response_model=CalendarView)
async def change_calendar(calendar_id: str, body: CalendarSettings, server: ServerDep,
                          user: Admin) -> CalendarView:
    """Replace a calendar; the running queues that use it follow."""
    return await _write_calendar(server, user, calendar_id, body, create=False)


@router.delete("/calendars/{calendar_id}", **NO_CONTENT)
async def remove_calendar(calendar_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a calendar; 409 while a queue uses it."""
    def work(session: Session) -> None:
        before = get_calendar(session, calendar_id)
        delete_calendar(session, calendar_id)
        record(session, user, "delete", "calendar", calendar_id, before=before)
    await in_transaction(server, work)
