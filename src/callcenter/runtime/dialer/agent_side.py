"""The dialer's agent side: leads reserved for agents (preview, an agent's own callbacks)
and the callbacks agents schedule. A part of `DialerService` (a base class of it).

Preview: on each tick, every ready agent of a running preview campaign is reserved the
campaign's next lead for it (`PreviewDesk.reserve`: that agent's callbacks first) and
paused with reason ``preview``: the engine offers it nothing else, and supervisors see
the state and reason (an engine pause was chosen over a new agent state: routing,
spans, wallboard and reports already know pauses and their reasons). The agent dials
(`preview_dial`) or skips (`preview_skip`: the next lead is reserved at once). A dialed
call is the agent's: a live answer arrives reserved for that agent
(`InteractionArrived(agent_id=...)`) and the agent is made ready, so the engine offers
it the call and nothing else; no drop timer runs. A no-contact outcome (busy, no
answer, machine, failed) follows the retry rules, is shown to the agent (`last`), and
the agent is made ready (the next tick reserves its next lead). A reservation still
previewing `preview_timeout` seconds later is dialed or released (the agent is then
paused with reason ``preview-timeout``). An agent that leaves the preview pause itself
(ready, another pause, logout) releases its lead; so does pausing or stopping the
campaign (its agents are made ready).

Progressive and predictive campaigns dial an agent's own callbacks the same way, for
that agent only and when it is ready: reserved, the agent paused with reason
``callback``, dialed at once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.clock import Clock
from callcenter.core.agent_state import AgentState
from callcenter.core.dialer.campaign import CallOutcome, DialMode, PreviewTimeout
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.leads import Lead
from callcenter.core.dialer.preview import Ended, PreviewError, Reservation, Step
from callcenter.core.dialer.queue import OUTBOUND_PRIORITY
from callcenter.core.dialer.run import Call, CampaignRun
from callcenter.core.dialer.windows import HolidayCalendar, window_state
from callcenter.core.engine import Engine
from callcenter.core.errors import RoutingError
from callcenter.core.events import AgentPause, AgentReady, Event, InteractionArrived
from callcenter.runtime.driver import DriverStopped, EngineDriver, NotPersisted
from callcenter.telephony.base import Dialing, DialingUnsupported, DialStatus, DialUpdate

log = logging.getLogger(__name__)

PREVIEW, CALLBACK, TIMED_OUT = "preview", "callback", "preview-timeout"
"""Pause reasons of an agent with a reserved lead, and after a preview timed out."""
_HOLDING = (PREVIEW, CALLBACK)


class CallbackRefused(ValueError):
    """A callback the rules do not allow; `field` names the request field (the API: 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AgentSide:
    """Reservations and callbacks of `DialerService` (see the module's docstring)."""

    _engine: Engine
    _driver: EngineDriver[Any]
    _clock: Clock
    _dialing: Dialing | DialingUnsupported
    _holidays: HolidayCalendar
    _dnc: DncRegistry
    _runs: dict[str, CampaignRun]
    _calls: dict[str, tuple[CampaignRun, Call]]
    _early: dict[str, list[DialUpdate]]

    def _on_update(self, update: DialUpdate) -> None:  # pragma: no cover - the service's
        raise NotImplementedError

    def _report(self, event: Event) -> None:  # pragma: no cover - the service's
        raise NotImplementedError

    # ------------------------------------------------------------------ agent actions

    def reservation(self, agent_id: str) -> tuple[CampaignRun, Reservation] | None:
        """The agent's reserved lead and its campaign, if any."""
        for run in self._runs.values():
            r = run.desk.get(agent_id)
            if r is not None:
                return run, r
        return None

    def last_reservation(self, agent_id: str) -> tuple[CampaignRun, Ended] | None:
        """How the agent's last reservation ended, until its next one."""
        for run in self._runs.values():
            e = run.desk.last.get(agent_id)
            if e is not None:
                return run, e
        return None

    async def preview_dial(self, agent_id: str) -> Reservation:
        """The agent dials its previewed lead; `PreviewError` when it has none to dial."""
        run, r = self._reserved(agent_id)
        await self._dial_reserved(run, r.agent_id)
        return r

    async def preview_skip(self, agent_id: str) -> Lead:
        """The agent passes its previewed lead on (due again `skip_delay` later); its next
        lead is reserved at once, or the agent is made ready when there is none."""
        run, _ = self._reserved(agent_id)
        now = self._clock.time()
        lead = run.desk.skip(agent_id, now)
        if run.paused or run.desk.reserve(agent_id, now) is None:
            await self._submit(AgentReady(agent_id))
        return lead

    def schedule_callback(self, agent_id: str, interaction_id: str, at: datetime,
                          mine: bool) -> tuple[Lead, float]:
        """Call the lead of the agent's campaign call back at `at`, the callee's local
        wall-clock time; for this agent only (`mine`) or for anyone. Returns the lead and
        the time as epoch seconds. `CallbackRefused` names the field of a refusal;
        `PreviewError` when the call is not this agent's campaign call."""
        found = self._calls.get(interaction_id)
        if found is None:
            raise PreviewError(f"interaction {interaction_id!r} is not a call of a running "
                               "campaign (or its wrap-up is over)")
        run, call = found
        if call.agent != agent_id:
            raise PreviewError(f"interaction {interaction_id!r} is not agent {agent_id!r}'s "
                               "call")
        if at.tzinfo is not None:
            raise CallbackRefused("at", "at: give the callee's local date and time, without "
                                  "a UTC offset")
        lead = run.queue.get(call.lead.id)
        when = at.replace(tzinfo=ZoneInfo(lead.zone)).timestamp()
        if when <= self._clock.time():
            raise CallbackRefused("at", f"at: {at.isoformat()} ({lead.zone}) is in the past")
        if not window_state(lead.zone, run.campaign, when, self._holidays, lead.country)[0]:
            raise CallbackRefused("at", f"at: {at.isoformat()} ({lead.zone}) is outside the "
                                  f"campaign's calling windows")
        if self._dnc.is_blocked(lead.number, run.campaign.name):
            raise CallbackRefused("interaction_id", f"interaction_id: lead {lead.id!r}'s "
                                  "number is on a do-not-call list")
        lead = run.queue.schedule_callback(lead.id, when, agent_id if mine else None)
        return lead, when

    async def _end_previews(self, run: CampaignRun) -> None:
        """The campaign paused or stopped: leads still previewed go back and their agents
        are made ready (calls already dialed run to their end)."""
        now = self._clock.time()
        for r in run.desk:
            if r.step is Step.PREVIEWING:
                run.desk.release(r.agent_id, now)
                if self._holding(r.agent_id):
                    await self._submit(AgentReady(r.agent_id))

    # ------------------------------------------------------------------ on each tick

    async def _reservations(self, run: CampaignRun, now: float) -> None:
        """Release left previews, handle timed-out ones, reserve leads for ready agents."""
        desk = run.desk
        for r in desk:
            if r.step is Step.PREVIEWING and not self._holding(r.agent_id):
                desk.release(r.agent_id, now)  # the agent left the preview itself
        for r in desk.expired(now):
            try:
                if run.campaign.preview_timeout_action is PreviewTimeout.DIAL:
                    await self._dial_reserved(run, r.agent_id)
                else:
                    desk.release(r.agent_id, now)
                    await self._submit(AgentPause(r.agent_id, TIMED_OUT))
            except PreviewError as exc:  # the agent acted meanwhile
                log.info("campaign %s: %s", run.campaign.name, exc)
        mode = run.campaign.dial_mode
        if run.paused or mode is DialMode.AGENTLESS:
            return
        preview = mode is DialMode.PREVIEW
        for agent_id in self._ready_agents(run):
            if self.reservation(agent_id) is not None:
                continue
            if desk.reserve(agent_id, now, callbacks_only=not preview) is None:
                continue
            if not await self._submit(AgentPause(agent_id, PREVIEW if preview else CALLBACK)):
                desk.release(agent_id, now)
            elif not preview:
                await self._dial_reserved(run, agent_id)

    def _ready_agents(self, run: CampaignRun) -> list[str]:
        qid = run.queue_id
        return [a.agent_id for a in self._engine.agents(qid)
                if a.logged_in and a.state is AgentState.AVAILABLE and a.level(qid) >= 1]

    def _holding(self, agent_id: str) -> bool:
        """The agent is still paused for its reservation."""
        a = self._engine.agent(agent_id)
        return a is not None and a.state is AgentState.PAUSED and a.reason in _HOLDING

    def _reserved(self, agent_id: str) -> tuple[CampaignRun, Reservation]:
        found = self.reservation(agent_id)
        if found is None:
            raise PreviewError(f"agent {agent_id!r} has no lead reserved")
        return found

    async def _submit(self, event: Event) -> bool:
        try:
            await self._driver.submit(event)
        except (RoutingError, DriverStopped, NotPersisted) as exc:  # refused, or degraded
            log.info("dialer: %r refused: %s", event, exc)
            return False
        return True

    async def _dial_reserved(self, run: CampaignRun, agent_id: str) -> None:
        """Place the reservation's call (the agent stays paused until the answer)."""
        r = run.desk.dial(agent_id)
        c, lead = run.campaign, r.lead
        now = self._clock.time()
        try:
            if not isinstance(self._dialing, Dialing):
                raise self._dialing
            call_id = await self._dialing.originate(lead.number, c.name, caller_id=c.caller_id)
        except Exception:
            log.exception("campaign %s: originate %s failed", c.name, lead.number)
            failed = run.launched(f"failed-{run.dialed}-{lead.id}", lead, now)
            run.no_contact(failed, CallOutcome.FAILED, now)
            run.desk.ended(agent_id, CallOutcome.FAILED.value, now)
            await self._submit(AgentReady(agent_id))
            return
        call = run.launched(call_id, lead, now)
        call.reserved = agent_id
        run.desk.placed(agent_id, call_id)
        self._calls[call_id] = (run, call)
        for update in self._early.pop(call_id, []):
            self._on_update(update)

    # ------------------------------------------------------------------ what the line did

    def _reserved_update(self, run: CampaignRun, call: Call, update: DialUpdate,
                         no_contact: dict[DialStatus, CallOutcome]) -> None:
        """A step of a reserved call: the answer goes to its agent, no drop timer."""
        agent_id = call.reserved
        assert agent_id is not None
        status = update.status
        if status is DialStatus.ANSWERED and call.answered is None:
            run.answered(call, update.at)
            self._desk_step(run, agent_id, lambda: run.desk.answered(agent_id))
            self._report(InteractionArrived(call.interaction_id, run.queue_id,
                                            OUTBOUND_PRIORITY, caller=call.lead.number,
                                            agent_id=agent_id))
            self._report(AgentReady(agent_id))
        elif status in no_contact and call.answered is None:
            self._calls.pop(call.call_id, None)
            outcome = no_contact[status]
            run.no_contact(call, outcome, update.at)
            self._desk_step(run, agent_id,
                            lambda: run.desk.ended(agent_id, outcome.value, update.at))
            if self._holding(agent_id):
                self._report(AgentReady(agent_id))

    def _reserved_over(self, run: CampaignRun, call: Call, outcome: str) -> None:
        """The reserved call reached its agent (`answered`) or ended before it did."""
        agent_id = call.reserved
        assert agent_id is not None
        r = run.desk.get(agent_id)
        if r is not None and r.call_id == call.call_id:
            self._desk_step(run, agent_id,
                            lambda: run.desk.ended(agent_id, outcome, self._clock.time()))

    @staticmethod
    def _desk_step(run: CampaignRun, agent_id: str, step: Any) -> None:
        try:
            step()
        except PreviewError as exc:
            log.warning("campaign %s, agent %s: %s", run.campaign.name, agent_id, exc)
