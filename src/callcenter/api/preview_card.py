"""The lead an agent has reserved (preview, its own callback) as the desktop shows it:
the lead's name, number and custom fields, the reservation's step and deadline, and the
lead's attempt history from the store; and how the agent's last reservation ended."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy import select

from callcenter.api.state import Server
from callcenter.core.dialer.preview import Step
from callcenter.store.models import AttemptRow


class PreviewAttempt(BaseModel):
    """One earlier call of the lead."""

    started: float
    outcome: str
    agent: str | None


class PreviewEnded(BaseModel):
    """How the agent's last reserved lead ended (skipped, released, answered, busy,
    no-answer, answering-machine, failed)."""

    campaign: str
    lead_id: str
    number: str
    outcome: str
    at: float


class PreviewLead(BaseModel):
    """The lead reserved for the agent."""

    campaign: str
    lead_id: str
    number: str
    name: str | None = Field(description="the lead's `name` field, if it has one")
    fields: dict[str, str]
    zone: str = Field(description="the callee's time zone")
    step: str = Field(description="previewing (dial or skip it), dialing (ringing), "
                      "answered (on its way to the agent)")
    since: float
    deadline: float | None = Field(description="previewing: when the campaign's "
                                   "preview_timeout_action applies (engine time)")
    timeout_action: str
    callback_at: float | None = Field(description="the lead is a callback due then")
    callback_mine: bool = Field(description="a callback for this agent only")
    attempts: int
    history: list[PreviewAttempt]


class PreviewView(BaseModel):
    """The agent's reserved lead (none: null) and how its last one ended."""

    lead: PreviewLead | None
    last: PreviewEnded | None


def _history(server: Server, campaign: str, lead_id: str) -> list[PreviewAttempt]:
    with server.sessions() as session:
        rows = session.scalars(select(AttemptRow).where(
            AttemptRow.campaign == campaign, AttemptRow.lead_id == lead_id)
            .order_by(AttemptRow.started, AttemptRow.id))
        return [PreviewAttempt(started=r.started, outcome=r.outcome, agent=r.agent)
                for r in rows]


async def preview_of(server: Server, agent_id: str) -> PreviewView | None:
    """The agent's preview card; None when the server has no live dialer."""
    dialer = server.runtime.dialer
    if dialer is None:
        return None
    lead = last = None
    found = dialer.reservation(agent_id)
    if found is not None:
        run, r = found
        c = run.campaign
        history = await asyncio.to_thread(_history, server, c.name, r.lead.id)
        fields = dict(r.lead.fields)
        lead = PreviewLead(
            campaign=c.name, lead_id=r.lead.id, number=r.lead.number,
            name=fields.get("name"), fields=fields, zone=r.lead.zone, step=r.step.value,
            since=r.since, deadline=r.deadline if r.step is Step.PREVIEWING else None,
            timeout_action=c.preview_timeout_action.value, callback_at=r.lead.callback_at,
            callback_mine=r.callback, attempts=len(history), history=history)
    ended = dialer.last_reservation(agent_id)
    if ended is not None:
        run, e = ended
        last = PreviewEnded(campaign=run.campaign.name, lead_id=e.lead_id, number=e.number,
                            outcome=e.outcome, at=e.at)
    return PreviewView(lead=lead, last=last)
