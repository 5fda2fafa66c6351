"""Recordings, voicemails and IVR runs: listing and playback for supervisors and
admins, and the pause/resume of a call's recording (payment details) for the agent
on the call or staff, each written to the audit log.

A supervisor reaches a call only when its agent (the one connected now, or the stored
row's last agent) is in its teams, or when no agent took it (`deps.scope_of`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, Protocol, runtime_checkable

from fastapi import APIRouter, HTTPException, Query, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from callcenter.api.auth import STAFF, Principal, Role
from callcenter.api.deps import AnyUser, ServerDep, Staff, check_agent
from callcenter.api.errors import errors
from callcenter.api.routes_read import InteractionView
from callcenter.api.state import Server
from callcenter.store.audit import audit
from callcenter.store.media import ivr_run, recording, recordings_of, voicemails
from callcenter.store.models import InteractionRow, IvrRunRow
from callcenter.telephony.sip.monitoring import MonitorError, NoSuchCall

router = APIRouter(prefix="/api", tags=["media"], responses=errors(401, 403))


@runtime_checkable
class RecordingTelephony(Protocol):
    """A telephony adapter that records calls (the sip adapter with `recording`)."""

    def recording(self, interaction_id: str) -> str | None: ...
    def connected_agent(self, interaction_id: str) -> str | None: ...
    async def pause_recording(self, interaction_id: str) -> bool: ...
    async def resume_recording(self, interaction_id: str) -> bool: ...


@runtime_checkable
class MonitoringTelephony(Protocol):
    """A telephony adapter that lets supervisors listen to calls (the sip adapter)."""

    async def listen(self, interaction_id: str, phone: str) -> str: ...
    async def stop_listening(self, listen_id: str) -> bool: ...


class ListenRequest(BaseModel):
    """Which phone hears the call: an entry of the telephony config's `agents`
    (registered or with a static contact); default: the supervisor's user name."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, min_length=1, max_length=100)


class Listening(BaseModel):
    """A supervisor's phone listening to a call."""

    listen_id: str
    interaction_id: str
    phone: str


class RecordingView(BaseModel):
    """A stored recording (times are UTC)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    interaction_id: str
    kind: str
    box: str | None
    caller: str
    started_at: datetime
    ended_at: datetime
    seconds: float
    paused_seconds: float


class RecordingState(BaseModel):
    """The recording of a live call: `recording` or `paused`."""

    interaction_id: str
    state: str


class IvrRunView(BaseModel):
    """How a call went through its IVR flow."""

    model_config = ConfigDict(from_attributes=True)

    call_id: str
    flow_id: str
    outcome: str
    path: list[str]
    variables: dict[str, str]
    language: str | None
    started_at: datetime
    ended_at: datetime


class TimelineStep(BaseModel):
    """One step of an interaction (Unix seconds on the engine's clock)."""

    at: float | None = Field(description="null: the row keeps a total, not a moment "
                             "(held, transferred)")
    step: str = Field(description="arrived, queued, offered, answered, held, transferred, "
                      "ended or completed")
    detail: str


class InteractionDetail(BaseModel):
    """One interaction with its timeline, IVR path, recordings (its row's fields, then
    what was stored beside it)."""

    interaction: InteractionView
    timeline: list[TimelineStep]
    ivr: IvrRunView | None
    recordings: list[RecordingView]


def _timeline(row: InteractionRow, ivr: IvrRunRow | None) -> list[TimelineStep]:
    """The steps the stored row (and its IVR run) show, in order."""
    steps = [TimelineStep(at=row.arrived_at, step="arrived",
                          detail=f"{row.channel} from {row.caller_number or 'unknown'} "
                                 f"at {row.first_queue_id}")]
    if ivr is not None and ivr.outcome.startswith("queue:"):
        steps.append(TimelineStep(at=ivr.ended_at.timestamp(), step="queued",
                                  detail=f"in {ivr.outcome.removeprefix('queue:')} after "
                                         f"IVR flow {ivr.flow_id}"))
    elif ivr is None:
        steps.append(TimelineStep(at=row.arrived_at, step="queued",
                                  detail=f"in {row.first_queue_id}"))
    if row.first_offered_at is not None:
        steps.append(TimelineStep(at=row.first_offered_at, step="offered",
                                  detail=f"{row.offers} offer(s) in all"))
    if row.answered_at is not None:
        steps.append(TimelineStep(at=row.answered_at, step="answered",
                                  detail=f"by {row.agent_id or 'no agent'}"))
    if row.hold_seconds > 0:
        steps.append(TimelineStep(at=None, step="held",
                                  detail=f"{row.hold_seconds:g} s on hold in all"))
    if row.transfers > 0:
        moved = f", {row.first_queue_id} to {row.queue_id}" \
            if row.queue_id != row.first_queue_id else ""
        steps.append(TimelineStep(at=None, step="transferred",
                                  detail=f"{row.transfers} time(s){moved}"))
    if row.ended_at is not None:
        steps.append(TimelineStep(at=row.ended_at, step="ended",
                                  detail=row.outcome or row.state))
    if row.completed_at is not None:
        steps.append(TimelineStep(at=row.completed_at, step="completed",
                                  detail=f"disposition {row.disposition}"
                                  if row.disposition else "no disposition"))
    return steps


def _recorder(server: Server) -> RecordingTelephony:
    telephony = server.runtime.telephony
    if not isinstance(telephony, RecordingTelephony):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "this server's telephony does not record calls")
    return telephony


def _stored_agent(server: Server, interaction_id: str) -> str | None:
    with server.sessions() as session:
        row = session.get(InteractionRow, interaction_id)
        return None if row is None else row.agent_id


async def _may_see(server: Server, user: Principal, interaction_id: str) -> None:
    """403 when a supervisor asks for a call its teams' agents did not take (a call no
    agent took, or a voicemail, is open to every supervisor)."""
    if user.role != Role.SUPERVISOR:
        return
    agent = await asyncio.to_thread(_stored_agent, server, interaction_id)
    if agent is not None:
        await check_agent(server, user, agent)


async def _may_control(server: Server, user: Principal, telephony: RecordingTelephony,
                       interaction_id: str) -> None:
    agent = telephony.connected_agent(interaction_id)
    if user.role in STAFF:
        if agent is not None:
            await check_agent(server, user, agent)
        return
    if agent is None or agent != user.agent_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"user {user.username!r} is not on interaction {interaction_id!r}")


async def _change(server: Server, user: Principal, interaction_id: str,
                  pause: bool) -> RecordingState:
    telephony = _recorder(server)
    await _may_control(server, user, telephony, interaction_id)
    before = telephony.recording(interaction_id)
    if before is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"interaction {interaction_id!r} is not being recorded")
    done = await (telephony.pause_recording(interaction_id) if pause
                  else telephony.resume_recording(interaction_id))
    if not done:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"the recording of {interaction_id!r} is {before} already"
                            if before == ("paused" if pause else "recording")
                            else f"the recording of {interaction_id!r} cannot change now")
    after = telephony.recording(interaction_id) or "stopped"

    def write() -> None:
        with server.sessions.begin() as session:
            audit(session, actor=user.username,
                  action="recording.pause" if pause else "recording.resume",
                  entity="interaction", entity_id=interaction_id,
                  before={"recording": before}, after={"recording": after})

    await asyncio.to_thread(write)
    return RecordingState(interaction_id=interaction_id, state=after)


@router.post("/interactions/{interaction_id}/recording/pause",
             responses=errors(404, 409))
async def pause_recording(interaction_id: str, user: AnyUser,
                          server: ServerDep) -> RecordingState:
    """Stop writing the call's recording (the caller gives payment details); nothing
    said until resume is stored. The agent on the call, supervisors and admins."""
    return await _change(server, user, interaction_id, pause=True)


@router.post("/interactions/{interaction_id}/recording/resume",
             responses=errors(404, 409))
async def resume_recording(interaction_id: str, user: AnyUser,
                           server: ServerDep) -> RecordingState:
    """Write the call's recording again after a pause."""
    return await _change(server, user, interaction_id, pause=False)


@router.get("/interactions/{interaction_id}/recordings")
async def interaction_recordings(interaction_id: str, user: Staff,
                                 server: ServerDep) -> list[RecordingView]:
    """The recordings of an interaction (a call's, or a voicemail's call id)."""
    await _may_see(server, user, interaction_id)

    def read() -> list[RecordingView]:
        with server.sessions() as session:
            return [RecordingView.model_validate(r) for r in recordings_of(session,
                                                                          interaction_id)]

    return await asyncio.to_thread(read)


@router.get("/interactions/{interaction_id}", responses=errors(404))
async def interaction_detail(interaction_id: str, user: Staff,
                             server: ServerDep) -> InteractionDetail:
    """One stored interaction: its row, the timeline the row shows, its IVR run and
    its recordings (a supervisor: of its teams' agents, or that no agent took)."""
    await _may_see(server, user, interaction_id)

    def read() -> InteractionDetail | None:
        with server.sessions() as session:
            row = session.get(InteractionRow, interaction_id)
            if row is None:
                return None
            run = ivr_run(session, interaction_id)
            return InteractionDetail(
                interaction=InteractionView.model_validate(row),
                timeline=_timeline(row, run),
                ivr=None if run is None else IvrRunView.model_validate(run),
                recordings=[RecordingView.model_validate(r)
                            for r in recordings_of(session, interaction_id)])

    found = await asyncio.to_thread(read)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no interaction {interaction_id!r}")
    return found


@router.get("/recordings/{recording_id}/audio", response_class=FileResponse,
            responses={**errors(404), 200: {"content": {"audio/wav": {}}}})
async def recording_audio(recording_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
                          user: Staff, server: ServerDep) -> FileResponse:
    """The recording as a WAV file (8 kHz, 16-bit; calls: caller left, agent right)."""
    def read() -> tuple[str, str] | None:
        with server.sessions() as session:
            row = recording(session, recording_id)
            return None if row is None else (row.path, row.interaction_id)

    found = await asyncio.to_thread(read)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no recording {recording_id}")
    path, interaction_id = found
    await _may_see(server, user, interaction_id)
    if not Path(path).is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"the file of recording {recording_id} is gone")
    return FileResponse(path, media_type="audio/wav",
                        filename=f"recording-{recording_id}.wav")


@router.get("/voicemails")
async def list_voicemails(user: Staff, server: ServerDep,
                          box: Annotated[str | None, Query(max_length=100)] = None,
                          limit: Annotated[int, Query(ge=1, le=500)] = 100,
                          offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                          ) -> list[RecordingView]:
    """Voicemails, newest first, of one box or all."""
    def read() -> list[RecordingView]:
        with server.sessions() as session:
            return [RecordingView.model_validate(r)
                    for r in voicemails(session, box=box, limit=limit, offset=offset)]

    return await asyncio.to_thread(read)


@router.get("/ivr-runs/{call_id}", responses=errors(404))
async def get_ivr_run(call_id: str, user: Staff, server: ServerDep) -> IvrRunView:
    """How one call went through its IVR flow: outcome, nodes, variables."""
    def read() -> IvrRunView | None:
        with server.sessions() as session:
            row = ivr_run(session, call_id)
            return None if row is None else IvrRunView.model_validate(row)

    found = await asyncio.to_thread(read)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no IVR run of call {call_id!r}")
    return found


def _monitor(server: Server) -> MonitoringTelephony:
    telephony = server.runtime.telephony
    if not isinstance(telephony, MonitoringTelephony):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "this server's telephony has no silent monitoring")
    return telephony


@router.post("/supervisor/interactions/{interaction_id}/listen",
             responses=errors(404, 409, 422))
async def listen(interaction_id: str, body: ListenRequest, user: Staff,
                 server: ServerDep) -> Listening:
    """Call the supervisor's phone and let it hear both sides of the live call, mixed,
    without being heard (silent monitoring). Written to the audit log."""
    telephony = _monitor(server)
    await _may_see(server, user, interaction_id)
    phone = body.phone or user.username
    try:
        listen_id = await telephony.listen(interaction_id, phone)
    except NoSuchCall as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except MonitorError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None

    def write() -> None:
        with server.sessions.begin() as session:
            audit(session, actor=user.username, action="monitor.listen",
                  entity="interaction", entity_id=interaction_id,
                  after={"listen_id": listen_id, "phone": phone})

    server.listens[listen_id] = interaction_id
    await asyncio.to_thread(write)
    return Listening(listen_id=listen_id, interaction_id=interaction_id, phone=phone)


@router.delete("/supervisor/listens/{listen_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=errors(404, 409))
async def stop_listening(listen_id: str, user: Staff, server: ServerDep) -> None:
    """Hang up the supervisor's phone of a listen (a supervisor: of a call its teams'
    agents took, or that no agent took, as for starting one)."""
    telephony = _monitor(server)
    interaction_id = server.listens.get(listen_id)
    if interaction_id is not None:
        await _may_see(server, user, interaction_id)
    stopped = await telephony.stop_listening(listen_id)
    server.listens.pop(listen_id, None)
    if not stopped:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no listen {listen_id!r}")
