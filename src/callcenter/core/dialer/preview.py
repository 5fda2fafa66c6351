"""Leads reserved for agents: preview, and callbacks for one agent.

`PreviewDesk` is plain state with no I/O and no clock of its own (the dialer
service passes `now` and carries out what it returns), so its rules read in one
place. Each reservation is one agent and one lead, and moves by this table:

    previewing --dial--> dialing --answer--> answered --(connected or ended)--> gone
    previewing --skip--> gone (the lead is due again `skip_delay` later; the
                               service reserves the agent's next lead at once)
    previewing --release--> gone (the agent left the preview, or the preview timed out
                                  with `preview_timeout_action` release: due again now)
    dialing --no contact--> gone (busy, no answer, machine, failed: the retry rules)

A reserved lead is the `LeadQueue`'s next lead *for that agent* (that agent's own
callbacks first), so it is in state dialing from the reservation on and no other
agent or pacer can take it; a skip or release undoes the attempt (`LeadQueue.skip`).
A reservation still previewing at its deadline (`Campaign.preview_timeout` after it
was made) is `expired`: the service dials it or releases it, as the campaign says.
How the agent's last reservation ended stays readable (`last`) until its next one
ends, for the desktop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead, LeadError
from callcenter.core.enums import StrEnum


class PreviewError(LeadError):
    """An agent action that the agent's reservation does not allow (the API: 409)."""


class Step(StrEnum):
    """Where a reservation is."""

    PREVIEWING = "previewing"  # the agent sees the lead and may dial or skip it
    DIALING = "dialing"  # the call is placed (ringing)
    ANSWERED = "answered"  # a live answer, on its way to the agent


TRANSITIONS: dict[Step, dict[str, Step | None]] = {
    Step.PREVIEWING: {"dial": Step.DIALING, "skip": None, "release": None},
    Step.DIALING: {"answer": Step.ANSWERED, "end": None},
    Step.ANSWERED: {"end": None},
}
"""What each step allows; None: the reservation is over."""


@dataclass(slots=True)
class Reservation:
    """One lead reserved for one agent."""

    agent_id: str
    lead: Lead
    since: float
    deadline: float
    step: Step = Step.PREVIEWING
    call_id: str | None = None
    callback: bool = False
    """The lead is that agent's own callback (dialed at once outside preview mode)."""


@dataclass(frozen=True, slots=True)
class Ended:
    """How an agent's last reservation ended, for the desktop."""

    lead_id: str
    number: str
    outcome: str
    """skipped, released, answered, busy, no-answer, answering-machine, failed, ..."""
    at: float


class PreviewDesk:
    """The reservations of one campaign (see the module's docstring)."""

    def __init__(self, campaign: Campaign, queue: LeadQueue) -> None:
        self.campaign = campaign
        self.queue = queue
        self._by_agent: dict[str, Reservation] = {}
        self.last: dict[str, Ended] = {}

    def __iter__(self) -> Iterator[Reservation]:
        return iter(list(self._by_agent.values()))

    def __len__(self) -> int:
        return len(self._by_agent)

    def get(self, agent_id: str) -> Reservation | None:
        """The agent's reservation, if any."""
        return self._by_agent.get(agent_id)

    def by_call(self, call_id: str) -> Reservation | None:
        """The reservation whose call this is."""
        return next((r for r in self._by_agent.values() if r.call_id == call_id), None)

    # ------------------------------------------------------------------ moves

    def reserve(self, agent_id: str, now: float, *, callbacks_only: bool = False
                ) -> Reservation | None:
        """Reserve the agent's next lead (its own due callbacks first); None when there is
        none to call now. `callbacks_only`: only the agent's own callbacks (progressive and
        predictive campaigns dial those for their agent)."""
        if agent_id in self._by_agent:
            raise PreviewError(f"agent {agent_id!r} has lead "
                               f"{self._by_agent[agent_id].lead.id!r} reserved already")
        lead = (self.queue.next_agent_callback(agent_id, now) if callbacks_only
                else self.queue.next_lead(now, agent_id))
        if lead is None:
            return None
        r = Reservation(agent_id, lead, now, now + self.campaign.preview_timeout,
                        callback=lead.callback_agent == agent_id)
        self._by_agent[agent_id] = r
        return r

    def dial(self, agent_id: str) -> Reservation:
        """The agent (or the timeout) dials its previewed lead."""
        r = self._move(agent_id, "dial")
        assert r is not None
        return r

    def placed(self, agent_id: str, call_id: str) -> None:
        """The adapter placed the reservation's call under `call_id`."""
        r = self._need(agent_id)
        r.call_id = call_id

    def answered(self, agent_id: str) -> Reservation:
        """A live answer of the reservation's call."""
        r = self._move(agent_id, "answer")
        assert r is not None
        return r

    def skip(self, agent_id: str, now: float) -> Lead:
        """The agent passes the lead on: due again `skip_delay` seconds later."""
        r = self._need(agent_id)
        self._move(agent_id, "skip")
        self.last[agent_id] = Ended(r.lead.id, r.lead.number, "skipped", now)
        return self.queue.skip(r.lead.id, now, self.campaign.skip_delay)

    def release(self, agent_id: str, now: float) -> Lead:
        """The lead goes back undialed, due again now (the agent left the preview, or the
        preview timed out)."""
        r = self._need(agent_id)
        self._move(agent_id, "release")
        self.last[agent_id] = Ended(r.lead.id, r.lead.number, "released", now)
        return self.queue.skip(r.lead.id, now, 0.0)

    def ended(self, agent_id: str, outcome: str, at: float) -> None:
        """The reservation's call ended (`outcome`) or reached the agent (`answered`)."""
        r = self._need(agent_id)
        self._move(agent_id, "end")
        self.last[agent_id] = Ended(r.lead.id, r.lead.number, outcome, at)

    def expired(self, now: float) -> list[Reservation]:
        """Reservations still previewing at or after their deadline."""
        return [r for r in self._by_agent.values()
                if r.step is Step.PREVIEWING and r.deadline <= now]

    def next_deadline(self) -> float | None:
        """The earliest deadline of a reservation still previewing."""
        return min((r.deadline for r in self._by_agent.values()
                    if r.step is Step.PREVIEWING), default=None)

    # ------------------------------------------------------------------ internals

    def _need(self, agent_id: str) -> Reservation:
        r = self._by_agent.get(agent_id)
        if r is None:
            raise PreviewError(f"agent {agent_id!r} has no lead reserved")
        return r

    def _move(self, agent_id: str, what: str) -> Reservation | None:
        r = self._need(agent_id)
        allowed = TRANSITIONS[r.step]
        if what not in allowed:
            raise PreviewError(f"agent {agent_id!r}: lead {r.lead.id!r} is {r.step.value}: "
                               f"cannot {what}")
        nxt = allowed[what]
        if nxt is None:
            del self._by_agent[agent_id]
            return None
        r.step = nxt
        return r
