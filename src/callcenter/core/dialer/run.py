"""One running campaign: its leads, its pacer, its calls in flight, its drop ledger.

`CampaignRun` is plain state with no I/O and no clock of its own (the runtime's
dialer service passes `now` and carries out what it returns), so its rules read in
one place; what it cannot apply (a lead that moved on meanwhile) it tells the
`warn` callback it is given (the service logs it):

- `pacing(view, now)`: the `PacingState` from the engine's view of the campaign's
  agents and from the calls in flight; `leads(n, now)` takes up to n leads (the
  `LeadQueue` applies windows, do-not-call, caps and the 72 h rule).
- A call goes ringing -> (live answer) waiting -> connected, or ends with a
  no-contact outcome (busy, no answer, answering machine, failed) fed to the
  lead's retry rules, or is dropped: a live answer not connected within `grace`
  seconds. Each ending makes one `Attempt` row; a connected call's lead gets the
  agent's disposition when the interaction's row comes.
- The ledger records each live answer once, when its fate is known: connected
  (at the connect) or dropped (at the drop).

`Opened` (a campaign as the store gives it) and `Writes` (what ticks changed, stored
in one transaction) are what the dialer and its store exchange.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import CallOutcome, Campaign, DialMode, DispositionCategory
from callcenter.core.dialer.drops import DAY, MONTH, DropLedger
from callcenter.core.dialer.estimates import DialHistory
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead, LeadError, LeadResult, LeadState
from callcenter.core.dialer.pacing import (
    Pacer,
    PacingState,
    Predictive,
    PredictiveSettings,
    Progressive,
)
from callcenter.core.dialer.preview import PreviewDesk, Step
from callcenter.core.dialer.queue import queue_id
from callcenter.core.records import InteractionRecord

Warn = Callable[[str], None]
"""Told what a run could not apply (a lead that moved on meanwhile)."""


def _ignore(message: str) -> None:
    return None

PACERS: dict[DialMode, Callable[[Campaign], Pacer]] = {
    DialMode.PROGRESSIVE: lambda c: Progressive(),
    DialMode.PREDICTIVE: lambda c: Predictive(PredictiveSettings(
        target_rate=min(0.025, 0.8 * c.drop_cap))),
}
"""The dial modes paced by a pacer. Preview has none (its agents dial: `PreviewDesk`);
agentless is paced by its line limit (`Campaign.max_lines`)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One ended dial attempt, as the store keeps it (`store.models.AttemptRow`)."""

    campaign: str
    lead_id: str
    number: str
    started: float
    outcome: str
    answered: float | None = None
    agent: str | None = None
    dropped: bool = False
    info_delay: float | None = None
    interaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class Opened:
    """A campaign as the store has it, to run."""

    campaign: Campaign
    leads: list[Lead]
    lives: list[tuple[float, bool]]
    """(time, dropped) of the live answers of the last 30 days, for the drop ledger."""


@dataclass(slots=True)
class Writes:
    """What ticks changed, stored in one transaction."""

    leads: dict[str, list[Lead]] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    blocked: list[tuple[str, str | None]] = field(default_factory=list)
    """(number, campaign) put on a do-not-call list (campaign None: the global list)."""

    def __bool__(self) -> bool:
        return bool(self.attempts or self.blocked or any(self.leads.values()))


@dataclass(slots=True)
class AgentView:
    """What the engine says of the campaign's logged-in agents, and inbound load."""

    ready: int = 0
    talk_started: list[float] = field(default_factory=list)
    wrap_started: list[float] = field(default_factory=list)
    logged_in: int = 0
    inbound_waiting: int = 0


@dataclass(slots=True)
class Call:
    """An outbound call of the campaign, from launch until its attempt row is written."""

    call_id: str
    lead: Lead
    started: float
    answered: float | None = None
    agent: str | None = None
    dropped: bool = False
    reserved: str | None = None
    """The agent the call is for (a preview, an agent's own callback): no drop rule."""
    in_flow: bool = False
    """Agentless: the live answer is in the campaign's IVR flow."""

    @property
    def interaction_id(self) -> str:
        """The engine interaction of a live answer (the call's id)."""
        return self.call_id


class CampaignRun:
    """The live state of one campaign (see the module's docstring)."""

    def __init__(self, campaign: Campaign, queue: LeadQueue,
                 lives: list[tuple[float, bool]] | None = None, *, grace: float = 2.0,
                 warn: Warn = _ignore) -> None:
        self.campaign = campaign
        self.warn = warn
        self.queue = queue
        self.queue_id = queue_id(campaign.name)
        self.grace = grace
        make = PACERS.get(campaign.dial_mode)
        self.pacer: Pacer | None = make(campaign) if make is not None else None
        self.desk = PreviewDesk(campaign, queue)
        """Leads reserved for agents (preview; an agent's own callbacks)."""
        self.history = DialHistory()
        self.ledger = DropLedger(campaign.drop_cap, MONTH)
        for at, dropped in sorted(lives or ()):
            self.ledger.record(at, dropped)
        self.paused = False
        self.calls: dict[str, Call] = {}
        self.attempts: list[Attempt] = []
        """Ended attempts not yet stored."""
        self.blocked: list[str] = []
        """Numbers a do-not-call disposition blocked, not yet stored."""
        self.dialed = 0
        self.held_for_inbound = False
        self._last_mark = float("-inf")

    # ------------------------------------------------------------------ pacing

    @property
    def ringing(self) -> list[Call]:
        """Calls launched and not answered yet."""
        return [c for c in self.calls.values() if c.answered is None]

    @property
    def waiting(self) -> list[Call]:
        """Live answers waiting for an agent (not connected, not dropped)."""
        return [c for c in self.calls.values()
                if c.answered is not None and c.agent is None and not c.dropped]

    def pacing(self, view: AgentView, now: float) -> PacingState:
        """The pacer's view at `now`."""
        return PacingState(
            ready=view.ready, talk_started=tuple(view.talk_started),
            wrap_started=tuple(view.wrap_started),
            ringing=tuple(c.started for c in self.ringing),
            waiting=tuple(c.answered for c in self.waiting if c.answered is not None),
            logged_in=view.logged_in, estimates=self.history.estimates(now), drops=self.ledger)

    def to_dial(self, view: AgentView, now: float, inbound_waiting_max: int) -> int:
        """How many calls to launch now (0 while paused, or while inbound work waits;
        agentless: up to `max_lines` calls at once, ringing or in the flow)."""
        if self.paused:
            return 0
        if self.campaign.dial_mode is DialMode.AGENTLESS:
            return max(0, self.campaign.max_lines - len(self.calls))
        if self.pacer is None:
            return 0
        n = self.pacer.decide(self.pacing(view, now), now)
        self.held_for_inbound = view.inbound_waiting > inbound_waiting_max
        return 0 if self.held_for_inbound else n

    def leads(self, n: int, now: float) -> list[Lead]:
        """Up to `n` leads to dial now (each moved to dialing)."""
        out = []
        for _ in range(n):
            lead = self.queue.next_lead(now)
            if lead is None:
                break
            out.append(lead)
        return out

    def launched(self, call_id: str, lead: Lead, now: float) -> Call:
        """A call is placed for `lead`."""
        call = self.calls[call_id] = Call(call_id, lead, now)
        self.dialed += 1
        return call

    # ------------------------------------------------------------------ what the line did

    def answered(self, call: Call, at: float) -> None:
        """A live answer: it now waits (at most `grace` seconds) for an agent."""
        call.answered = at
        self.history.attempt(True, at - call.started)

    def no_contact(self, call: Call, outcome: CallOutcome, at: float) -> None:
        """Busy, no answer, answering machine or failed: the lead's retry rule applies."""
        self.calls.pop(call.call_id, None)
        self.history.attempt(False, at - call.started)
        self._outcome(call, outcome, at)
        self.attempts.append(Attempt(self.campaign.name, call.lead.id, call.lead.number,
                                     call.started, outcome.value))

    def connected(self, call: Call, agent: str, at: float) -> None:
        """An agent took the live answer in time."""
        call.agent = agent
        self._mark(at, dropped=False)
        self.attempts.append(Attempt(self.campaign.name, call.lead.id, call.lead.number,
                                     call.started, CallOutcome.ANSWERED.value, call.answered,
                                     agent, interaction_id=call.interaction_id))

    def dropped(self, call: Call, at: float) -> None:
        """No agent within the grace: the callee hears the information message."""
        call.dropped = True
        self._mark(at, dropped=True)
        self._outcome(call, CallOutcome.DROPPED, at)
        info = None if call.answered is None else at - call.answered
        self.attempts.append(Attempt(self.campaign.name, call.lead.id, call.lead.number,
                                     call.started, CallOutcome.DROPPED.value, call.answered,
                                     dropped=True, info_delay=info,
                                     interaction_id=call.interaction_id))

    def flow_ended(self, call: Call, variables: dict[str, str], at: float) -> None:
        """Agentless: the live answer's flow is over (whatever its outcome: the callee
        answered, so it is a contact). The lead gets the flow's variable `disposition`
        when it names one of the campaign's codes, else the first contact code."""
        self.calls.pop(call.call_id, None)
        self.attempts.append(Attempt(self.campaign.name, call.lead.id, call.lead.number,
                                     call.started, CallOutcome.ANSWERED.value, call.answered,
                                     interaction_id=call.interaction_id))
        code = variables.get("disposition", "")
        if code not in {d.code for d in self.campaign.dispositions}:
            code = self._default_disposition()
        try:
            lead = self.queue.dispose(call.lead.id, code, at)
        except LeadError as exc:
            self.warn(f"campaign {self.campaign.name}, lead {call.lead.id}: {exc}")
            return
        if lead.result is LeadResult.DNC:
            self.blocked.append(lead.number)

    def finished(self, call: Call, record: InteractionRecord, at: float) -> None:
        """The interaction's row: a connected call's lead gets the disposition."""
        self.calls.pop(call.call_id, None)
        if call.dropped:
            return
        if call.agent is None:  # the callee left before an agent came (within the grace)
            self._outcome(call, CallOutcome.NO_ANSWER, at)
            self.attempts.append(Attempt(self.campaign.name, call.lead.id, call.lead.number,
                                         call.started, CallOutcome.NO_ANSWER.value,
                                         call.answered, interaction_id=call.interaction_id))
            return
        self.history.talk(record.talk_seconds)
        self.history.wrap(record.wrap_seconds)
        if self.queue.get(call.lead.id).state is LeadState.CALLBACK:
            return  # the agent scheduled a callback during the wrap-up: it stands
        code = record.disposition or self._default_disposition()
        try:
            try:
                lead = self.queue.dispose(call.lead.id, code, at)
            except ConfigError as exc:  # a code the campaign does not have
                self.warn(f"campaign {self.campaign.name}, lead {call.lead.id}: {exc};"
                          " counted as a contact")
                lead = self.queue.dispose(call.lead.id, self._default_disposition(), at)
        except LeadError as exc:  # the lead moved on meanwhile
            self.warn(f"campaign {self.campaign.name}, lead {call.lead.id}: {exc}")
            return
        if lead.result is LeadResult.DNC:
            self.blocked.append(lead.number)

    def _default_disposition(self) -> str:
        """A wrap-up without a code (a bot, the wrap-up timer): the first contact code."""
        ds = self.campaign.dispositions
        return next((d.code for d in ds if d.category is DispositionCategory.CONTACT),
                    ds[0].code)

    def _outcome(self, call: Call, outcome: CallOutcome, at: float) -> None:
        try:
            self.queue.record_outcome(call.lead.id, outcome, at)
        except LeadError as exc:  # e.g. the lead was blocked meanwhile
            self.warn(f"campaign {self.campaign.name}, lead {call.lead.id}: {exc}")

    def _mark(self, at: float, dropped: bool) -> None:
        at = max(at, self._last_mark)  # the ledger takes rows in time order
        self._last_mark = at
        self.ledger.record(at, dropped)

    # ------------------------------------------------------------------ figures

    def figures(self, view: AgentView, now: float) -> dict[str, object]:
        """Live figures for the API: dialing, calls, drops, agents."""
        day, month = self.ledger.window(now, DAY), self.ledger.window(now, MONTH)
        return {
            "dial_mode": self.campaign.dial_mode.value,
            "pacer": None if self.pacer is None else self.pacer.name,
            "dialing": (self.pacer is not None or self.campaign.dial_mode is DialMode.AGENTLESS)
            and not self.paused and not self.held_for_inbound,
            "in_flow": sum(1 for c in self.calls.values() if c.in_flow),
            "held_for_inbound": self.held_for_inbound,
            "dialed": self.dialed,
            "ringing": len(self.ringing),
            "waiting": len(self.waiting),
            "in_flight": len(self.ringing) + len(self.waiting),
            "connected": sum(1 for c in self.calls.values() if c.agent is not None),
            "lives_24h": day.lives, "drops_24h": day.drops, "drop_rate_24h": day.rate,
            "lives_30d": month.lives, "drops_30d": month.drops, "drop_rate_30d": month.rate,
            "agents": view.logged_in, "agents_ready": view.ready,
            "agents_talking": len(view.talk_started),
            "inbound_waiting": view.inbound_waiting,
            "reserved": len(self.desk),
            "previewing": sum(1 for r in self.desk if r.step is Step.PREVIEWING),
        }
