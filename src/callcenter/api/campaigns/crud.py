"""Campaign CRUD and state (`/api/campaigns`): the core's `Campaign` as the body.

Supervisors and admins read; admins write. Each change is one transaction with its
audit row. `start`, `pause` and `stop` store the state, then the server's live dialer
follows it (`runtime.dialer.DialerService.apply`): start dials, pause stops new calls
(calls in flight end), stop ends the campaign's run. `start` is a 409 when the
telephony adapter places no outbound calls. A campaign's GET carries its live figures
(`live`) while it is running or paused.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.errors import named_field
from callcenter.core.dialer.campaign import (
    DEFAULT_DISPOSITIONS,
    DEFAULT_RETRY_RULES,
    DEFAULT_WINDOWS,
    CallingWindow,
    CallOutcome,
    Campaign,
    DialMode,
    Disposition,
    DispositionCategory,
    DncScope,
    PreviewTimeout,
    Purpose,
    RetryRule,
)
from callcenter.store.campaigns import (
    campaign_of,
    campaign_row,
    campaign_rows,
    change_state,
    delete_campaign,
    replace_campaign,
)
from callcenter.store.errors import Conflict
from callcenter.store.leads import add_campaign
from callcenter.store.models import CampaignRow
from callcenter.telephony.base import DialingUnsupported

router = APIRouter(prefix="/api/campaigns")
Name = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(max_length=500)]


class WindowIn(BaseModel):
    """A calling window: weekday (0 Monday) and local start and end times."""

    model_config = ConfigDict(extra="forbid")
    weekday: int
    start: time
    end: time


class CampaignDispositionIn(BaseModel):
    """A disposition code with its category."""

    model_config = ConfigDict(extra="forbid")
    code: Name
    category: DispositionCategory
    label: Text = ""
    retry_after: float | None = None


class RetryRuleIn(BaseModel):
    """Delays (seconds) after each time an outcome happens, and the tries it allows."""

    model_config = ConfigDict(extra="forbid")
    outcome: CallOutcome
    delays: list[float] = Field(max_length=100)
    max_tries: int | None = None


class CampaignSettings(BaseModel):
    """A campaign's configuration (`core.dialer.campaign.Campaign`, defaults included)."""

    model_config = ConfigDict(extra="forbid")
    purpose: Purpose = Purpose.OTHER
    dial_mode: DialMode = DialMode.PROGRESSIVE
    caller_id: Annotated[str, Field(max_length=20)]
    information_message: Text = ""
    default_region: Annotated[str, Field(max_length=10)] = "US"
    timezone: Annotated[str, Field(max_length=64)] = "UTC"
    windows: list[WindowIn] = Field(default_factory=lambda: [
        WindowIn(weekday=w.weekday, start=w.start, end=w.end) for w in DEFAULT_WINDOWS],
        max_length=100)
    holiday_country: Annotated[str, Field(max_length=10)] | None = None
    holiday_subdivision: Annotated[str, Field(max_length=10)] | None = None
    dispositions: list[CampaignDispositionIn] = Field(default_factory=lambda: [
        CampaignDispositionIn(code=d.code, category=d.category, label=d.label,
                      retry_after=d.retry_after) for d in DEFAULT_DISPOSITIONS],
        max_length=100)
    retry_rules: list[RetryRuleIn] = Field(default_factory=lambda: [
        RetryRuleIn(outcome=r.outcome, delays=list(r.delays), max_tries=r.max_tries)
        for r in DEFAULT_RETRY_RULES], max_length=20)
    max_attempts: int = 10
    max_attempts_per_day: int = 3
    drop_cap: float = 0.03
    drop_hold: float = 259_200.0
    dnc_scope: DncScope = DncScope.GLOBAL
    preview_timeout: float = Field(default=60.0, description="preview: seconds an agent "
                                   "may look at a lead before preview_timeout_action")
    preview_timeout_action: PreviewTimeout = PreviewTimeout.RELEASE
    skip_delay: float = Field(default=300.0, description="preview: a skipped lead is due "
                              "again this many seconds later")
    flow: Annotated[str, Field(max_length=100, description="agentless: the IVR flow a "
                               "live answer enters")] = ""
    max_lines: int = Field(default=10, description="agentless: at most this many calls "
                           "at once")


class CampaignIn(CampaignSettings):
    """A new campaign."""

    name: Name


class CampaignLive(BaseModel):
    """What the live dialer is doing for a running or paused campaign."""

    dial_mode: DialMode
    pacer: str | None = Field(description="the pacer dialing it; null: no pacer "
                              "(preview: the agents dial; agentless: up to max_lines)")
    dialing: bool = Field(description="calls are being placed (running, a pacer, and not "
                          "held for inbound work)")
    held_for_inbound: bool = Field(description="inbound interactions wait for the "
                                   "campaign's agents: no new calls")
    dialed: int = Field(description="calls placed since the campaign was taken up")
    ringing: int
    waiting: int = Field(description="live answers waiting for an agent (at most 2 s)")
    in_flight: int = Field(description="ringing + waiting")
    connected: int = Field(description="calls connected to an agent, not yet finished")
    lives_24h: int
    drops_24h: int
    drop_rate_24h: float
    lives_30d: int
    drops_30d: int
    drop_rate_30d: float
    agents: int = Field(description="the campaign's agents logged in")
    agents_ready: int
    agents_talking: int
    inbound_waiting: int = Field(description="inbound interactions waiting for the "
                                 "campaign's agents")
    reserved: int = Field(default=0, description="leads reserved for agents (preview, "
                          "agents' own callbacks)")
    previewing: int = Field(default=0, description="reserved leads agents are looking at")
    in_flow: int = Field(default=0, description="agentless: live answers in the "
                         "campaign's IVR flow")


class CampaignView(CampaignIn):
    """A stored campaign and its state (`stopped`, `running`, `paused`)."""

    state: str
    live: CampaignLive | None = None


def build(name: str, body: CampaignSettings) -> Campaign:
    """The core's campaign from the body; a refusal is a 422 naming the field."""
    def make() -> Campaign:
        return Campaign(
            name=name, purpose=body.purpose, dial_mode=body.dial_mode,
            caller_id=body.caller_id, information_message=body.information_message,
            default_region=body.default_region, timezone=body.timezone,
            windows=tuple(CallingWindow(w.weekday, w.start, w.end) for w in body.windows),
            holiday_country=body.holiday_country,
            holiday_subdivision=body.holiday_subdivision,
            dispositions=tuple(Disposition(d.code, d.category, d.label, d.retry_after)
                               for d in body.dispositions),
            retry_rules=tuple(RetryRule(r.outcome, tuple(r.delays), r.max_tries)
                              for r in body.retry_rules),
            max_attempts=body.max_attempts, max_attempts_per_day=body.max_attempts_per_day,
            drop_cap=body.drop_cap, drop_hold=body.drop_hold, dnc_scope=body.dnc_scope,
            preview_timeout=body.preview_timeout,
            preview_timeout_action=body.preview_timeout_action, skip_delay=body.skip_delay,
            flow=body.flow, max_lines=body.max_lines)
    return named_field(["name", *CampaignSettings.model_fields], make)


def view(row: CampaignRow) -> CampaignView:
    """The stored campaign as answered."""
    c = campaign_of(row)
    return CampaignView(
        name=c.name, state=row.state, purpose=c.purpose, dial_mode=c.dial_mode,
        caller_id=c.caller_id, information_message=c.information_message,
        default_region=c.default_region, timezone=c.timezone,
        windows=[WindowIn(weekday=w.weekday, start=w.start, end=w.end) for w in c.windows],
        holiday_country=c.holiday_country, holiday_subdivision=c.holiday_subdivision,
        dispositions=[CampaignDispositionIn(code=d.code, category=d.category, label=d.label,
                                    retry_after=d.retry_after) for d in c.dispositions],
        retry_rules=[RetryRuleIn(outcome=r.outcome, delays=list(r.delays),
                                 max_tries=r.max_tries) for r in c.retry_rules],
        max_attempts=c.max_attempts, max_attempts_per_day=c.max_attempts_per_day,
        drop_cap=c.drop_cap, drop_hold=c.drop_hold, dnc_scope=c.dnc_scope,
        preview_timeout=c.preview_timeout, preview_timeout_action=c.preview_timeout_action,
        skip_delay=c.skip_delay, flow=c.flow, max_lines=c.max_lines)


def _dump(v: CampaignView) -> dict[str, Any]:
    return v.model_dump(mode="json")


@router.get("", response_model=list[CampaignView])
async def list_campaigns(server: ServerDep, _user: Staff) -> list[CampaignView]:
    """Every campaign, by name, each with its live figures while running or paused."""
    rows = await in_transaction(server, lambda s: [view(r) for r in campaign_rows(s)])
    return [_live(server, c) for c in rows]


@router.post("", response_model=CampaignView, status_code=status.HTTP_201_CREATED)
async def create_campaign(body: CampaignIn, server: ServerDep, user: Admin) -> CampaignView:
    """Create a campaign (state `stopped`); 409 if the name is taken."""
    campaign = build(body.name, body)

    def work(session: Session) -> CampaignView:
        add_campaign(session, campaign)
        out = view(campaign_row(session, campaign.name))
        record(session, user, "create", "campaign", campaign.name, after=_dump(out))
        return out
    return await in_transaction(server, work)


def _live(server: ServerDep, out: CampaignView) -> CampaignView:
    dialer = server.runtime.dialer
    figures = None if dialer is None else dialer.figures(out.name)
    if figures is not None:
        out.live = CampaignLive.model_validate(figures)
    return out


@router.get("/{name}", response_model=CampaignView)
async def read_campaign(name: str, server: ServerDep, _user: Staff) -> CampaignView:
    """One campaign, with its live figures while it is running or paused."""
    return _live(server, await in_transaction(server, lambda s: view(campaign_row(s, name))))


@router.put("/{name}", response_model=CampaignView)
async def change_campaign(name: str, body: CampaignSettings, server: ServerDep,
                          user: Admin) -> CampaignView:
    """Replace a campaign's configuration (its leads and state stay)."""
    campaign = build(name, body)

    def work(session: Session) -> CampaignView:
        before = _dump(view(campaign_row(session, name)))
        replace_campaign(session, campaign)
        out = view(campaign_row(session, name))
        record(session, user, "update", "campaign", name, before, _dump(out))
        return out
    return await in_transaction(server, work)


@router.delete("/{name}", **NO_CONTENT)
async def remove_campaign(name: str, server: ServerDep, user: Admin) -> None:
    """Delete a campaign with its leads, attempts and do-not-call list; 409 while running."""
    def work(session: Session) -> None:
        before = _dump(view(campaign_row(session, name)))
        delete_campaign(session, name)
        record(session, user, "delete", "campaign", name, before=before)
    await in_transaction(server, work)


async def _act(server: ServerDep, user: Admin, name: str, action: str) -> CampaignView:
    dialer = server.runtime.dialer
    if dialer is not None and action == "start":
        campaign = await in_transaction(server, lambda s: campaign_of(campaign_row(s, name)))
        try:
            dialer.check_start(campaign)
        except DialingUnsupported as exc:
            raise Conflict(f"campaign {name!r} cannot start: {exc}") from None

    def work(session: Session) -> CampaignView:
        before = campaign_row(session, name).state
        after = change_state(session, name, action)
        record(session, user, action, "campaign", name, {"state": before}, {"state": after})
        return view(campaign_row(session, name))
    out = await in_transaction(server, work)
    if dialer is not None:
        await dialer.apply(name, out.state)
    return _live(server, out)


@router.post("/{name}/start", response_model=CampaignView)
async def start_campaign(name: str, server: ServerDep, user: Admin) -> CampaignView:
    """Mark the campaign `running` (from stopped or paused): the live dialer dials it."""
    return await _act(server, user, name, "start")


@router.post("/{name}/pause", response_model=CampaignView)
async def pause_campaign(name: str, server: ServerDep, user: Admin) -> CampaignView:
    """Mark a running campaign `paused` (no new calls); 409 when it is stopped."""
    return await _act(server, user, name, "pause")


@router.post("/{name}/stop", response_model=CampaignView)
async def stop_campaign(name: str, server: ServerDep, user: Admin) -> CampaignView:
    """Mark the campaign `stopped`: its live run ends."""
    return await _act(server, user, name, "stop")
