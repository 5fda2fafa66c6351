"""Agent actions of outbound campaigns: preview (dial or skip the reserved lead) and
callbacks scheduled during a campaign call's wrap-up (`/api/agents/{agent_id}/...`).

The live dialer carries them out (`runtime.dialer.agent_side`); an action the agent's
reservation or call does not allow is a 409 naming it, a refused callback a 422 naming
the field. An agent acts only for itself, a supervisor for its teams' agents, an
admin for anyone; what someone else does for the agent is audited.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from callcenter.api.deps import AgentOrStaff, ServerDep
from callcenter.api.errors import InvalidField, errors
from callcenter.api.preview_card import PreviewView, preview_of
from callcenter.api.routes_agents import audited
from callcenter.api.state import Server
from callcenter.core.errors import UnknownAgent
from callcenter.runtime.dialer import DialerService
from callcenter.runtime.dialer.agent_side import CallbackRefused
from callcenter.store.audit import audit

router = APIRouter(prefix="/api/agents", tags=["agents"],
                   responses=errors(401, 403, 404, 409, 503))


class SkipBody(BaseModel):
    """Why the agent passes the lead on (optional; kept in the audit log)."""

    reason: str = Field(default="", max_length=200)


class CallbackBody(BaseModel):
    """A callback for the lead of the agent's campaign call."""

    interaction_id: str = Field(min_length=1, max_length=100)
    at: datetime = Field(description="the callee's local date and time, without a UTC "
                         "offset, e.g. 2025-03-04T17:30")
    mine: bool = Field(default=True, description="for this agent only (true) or for "
                       "anyone (false)")


class CallbackView(BaseModel):
    """The scheduled callback."""

    lead_id: str
    callback_at: float = Field(description="Unix seconds")
    callback_agent: str | None


def _dialer(server: Server, agent_id: str) -> DialerService:
    if not server.runtime.engine.has_agent(agent_id):
        raise UnknownAgent(f"no agent {agent_id!r}")
    dialer = server.runtime.dialer
    if dialer is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "this server runs no outbound dialer")
    return dialer


async def _card(server: Server, agent_id: str) -> PreviewView:
    card = await preview_of(server, agent_id)
    assert card is not None
    return card


@router.get("/{agent_id}/preview", response_model=PreviewView)
async def get_preview(agent_id: str, server: ServerDep, _user: AgentOrStaff) -> PreviewView:
    """The lead reserved for the agent (name, number, fields, attempt history) and how
    its last one ended."""
    _dialer(server, agent_id)
    return await _card(server, agent_id)


@router.post("/{agent_id}/preview/dial", response_model=PreviewView)
async def preview_dial(agent_id: str, server: ServerDep, user: AgentOrStaff) -> PreviewView:
    """Dial the previewed lead; its answer is connected to this agent. 409 when the
    agent has no lead to dial."""
    await _dialer(server, agent_id).preview_dial(agent_id)
    await audited(server, user, agent_id, "preview_dial")
    return await _card(server, agent_id)


def _audit_skip(server: Server, actor: str, agent_id: str, lead_id: str, reason: str) -> None:
    with server.sessions.begin() as session:
        audit(session, actor=actor, action="preview_skip", entity="lead", entity_id=lead_id,
              after={"agent_id": agent_id, "reason": reason})


@router.post("/{agent_id}/preview/skip", response_model=PreviewView)
async def preview_skip(agent_id: str, server: ServerDep, user: AgentOrStaff,
                       body: SkipBody | None = None) -> PreviewView:
    """Pass the previewed lead on undialed (due again after the campaign's skip_delay);
    the next lead is shown at once. 409 when the agent has none previewed."""
    lead = await _dialer(server, agent_id).preview_skip(agent_id)
    reason = "" if body is None else body.reason
    await asyncio.to_thread(_audit_skip, server, user.username, agent_id, lead.id, reason)
    return await _card(server, agent_id)


@router.post("/{agent_id}/callback", response_model=CallbackView)
async def schedule_callback(agent_id: str, body: CallbackBody, server: ServerDep,
                            user: AgentOrStaff) -> CallbackView:
    """Schedule a callback for the lead of the agent's campaign call (connected or in
    wrap-up) at the callee's local time, for this agent or anyone: 422 naming `at` when
    it is past or outside the calling windows, naming `interaction_id` when the number is
    on a do-not-call list; 409 when the interaction is not this agent's campaign call."""
    try:
        lead, when = _dialer(server, agent_id).schedule_callback(
            agent_id, body.interaction_id, body.at, body.mine)
    except CallbackRefused as exc:
        raise InvalidField(exc.field, str(exc)) from None
    await audited(server, user, agent_id, "callback",
                  {"interaction_id": body.interaction_id, "lead_id": lead.id,
                   "callback_at": when, "mine": body.mine})
    return CallbackView(lead_id=lead.id, callback_at=when, callback_agent=lead.callback_agent)
