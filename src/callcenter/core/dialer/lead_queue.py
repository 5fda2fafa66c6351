"""Which lead to dial next at `now`: indexed by zone, never a scan of the whole list.

Order: an agent's own callbacks (when that agent asks), then callbacks for anyone
that are due, then the other due leads by priority (higher first), then by due
time, then by arrival. Zones take turns: the queue goes round-robin across the
callee zones that have a callable lead, so one big zone cannot starve the others.

Only leads whose calling window is open now are handed out; a number on a
do-not-call list is never handed out (checked at hand-out time, so a number
blocked mid-campaign stops a queued lead); caps and the 72 h drop rule are
checked again at hand-out time (leads.py applies them when scheduling too). A
lead that matches a full survey quota cell (`hold`) is not handed out either: it
is put back for later, without an attempt counted.

Index: leads are kept in buckets, one per (zone, holiday country). Each bucket
has a heap of leads not yet due (by due time), a heap of due leads (by priority),
and a heap of callbacks for anyone (by due time). A bucket's window state is
cached until it next changes, so a closed zone costs one comparison per call.
Heap entries carry a sequence number; a lead re-indexed later makes its old
entries stale, and stale entries are dropped when they reach the top.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from callcenter.core.dialer import leads as lead_rules
from callcenter.core.dialer.campaign import CallOutcome, Campaign, DncScope
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.leads import Lead, LeadError, LeadInput, LeadResult, LeadState
from callcenter.core.dialer.windows import HolidayCalendar, window_state

_Timed = tuple[float, int, str]  # (due, seq, lead id)
_Ranked = tuple[int, float, int, str]  # (-priority, due, seq, lead id)
T = TypeVar("T", _Timed, _Ranked)

QUOTA_RECHECK = 900.0
"""Seconds before a lead held back by a full quota cell is looked at again."""


def _push(heap: list[T], entry: T, bulk: bool) -> None:
    """Push onto a heap; in bulk, append (the caller heapifies once at the end)."""
    if bulk:
        heap.append(entry)
    else:
        heapq.heappush(heap, entry)


class UnknownLead(LeadError):
    """No lead has this id."""


@dataclass(slots=True)
class _Bucket:
    zone: str
    country: str | None
    pending: list[_Timed] = field(default_factory=list)
    ready: list[_Ranked] = field(default_factory=list)
    callbacks: list[_Timed] = field(default_factory=list)
    is_open: bool = False
    valid_from: float = math.inf
    valid_until: float = -math.inf


class LeadQueue:
    """The leads of one campaign, and the choice of the next one to dial."""

    def __init__(self, campaign: Campaign, dnc: DncRegistry, holidays: HolidayCalendar) -> None:
        self.campaign = campaign
        self._dnc = dnc
        self._holidays = holidays
        self._leads: dict[str, Lead] = {}
        self._seq_of: dict[str, int] = {}
        self._seq = 0
        self._buckets: dict[tuple[str, str | None], _Bucket] = {}
        self._order: list[_Bucket] = []
        self._cursor = 0
        self._agent_callbacks: dict[str, list[_Timed]] = {}
        self._changed: dict[str, Lead] = {}
        self._held: Callable[[Lead], bool] | None = None
        self._hold_for = QUOTA_RECHECK

    # -- contents ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._leads)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._leads

    def __iter__(self) -> Iterator[Lead]:
        return iter(self._leads.values())

    def get(self, lead_id: str) -> Lead:
        """The lead with this id; `UnknownLead` when there is none."""
        try:
            return self._leads[lead_id]
        except KeyError:
            raise UnknownLead(f"no lead {lead_id!r}") from None

    def add(self, lead: Lead) -> None:
        """Queue one lead (in whatever state it is, e.g. as loaded from the store)."""
        self.extend((lead,))

    def extend(self, leads: Iterable[Lead]) -> int:
        """Queue many leads at once (heaps built once at the end); returns how many."""
        touched: set[int] = set()
        n = 0
        for lead in leads:
            if lead.id in self._leads:
                raise LeadError(f"lead {lead.id!r} is already queued")
            self._leads[lead.id] = lead
            touched.add(id(self._index(lead, bulk=True)))
            n += 1
        for b in self._order:
            if id(b) in touched:
                heapq.heapify(b.pending)
                heapq.heapify(b.ready)
                heapq.heapify(b.callbacks)
        for heap in self._agent_callbacks.values():
            heapq.heapify(heap)
        return n

    def take_changes(self) -> list[Lead]:
        """The leads changed since the last call, for the shell to persist."""
        out = list(self._changed.values())
        self._changed.clear()
        return out

    def summary(self) -> dict[str, int]:
        """How many leads are in each state (done ones by result), for reports."""
        out: dict[str, int] = {}
        for lead in self._leads.values():
            key = f"done:{lead.result}" if lead.state is LeadState.DONE else lead.state.value
            out[key] = out.get(key, 0) + 1
        return out

    def hold(self, held: Callable[[Lead], bool] | None,
             recheck: float = QUOTA_RECHECK) -> None:
        """Dial no lead for which `held` is true (a full survey quota cell it matches):
        such a lead is put back, due `recheck` seconds later, without an attempt
        counted; None dials every lead again."""
        self._held = held
        self._hold_for = recheck

    # -- choosing ---------------------------------------------------------------

    def next_lead(self, now: float, agent_id: str | None = None) -> Lead | None:
        """The next lead to dial at `now`, already moved to DIALING; None when none may be.

        `agent_id` is the agent the call is for (preview, progressive): that agent's
        own callbacks come first. Without it, agent-only callbacks are not handed out.
        """
        if agent_id is not None:
            lead = self._take_agent_callback(agent_id, now)
            if lead is not None:
                return lead
        n = len(self._order)
        for take in (self._take_callback, self._take_ready):
            for k in range(n):
                i = (self._cursor + k) % n
                b = self._order[i]
                if not self._open(b, now):
                    continue
                lead = take(b, now)
                if lead is not None:
                    self._cursor = (i + 1) % n
                    return lead
        return None

    def next_agent_callback(self, agent_id: str, now: float) -> Lead | None:
        """The agent's own callback due at `now` in an open window, moved to DIALING; None
        when it has none (the callbacks for anyone and the other leads are not looked at)."""
        return self._take_agent_callback(agent_id, now)

    def has_agent_callbacks(self, agent_id: str) -> bool:
        """True when callbacks for this agent only are queued (due or not)."""
        return bool(self._agent_callbacks.get(agent_id))

    def next_due(self, now: float) -> float | None:
        """When `next_lead` may next find a lead (for the shell's timer); None: never.

        May be early (a stale entry, a number blocked since); never late.
        """
        best = math.inf
        for b in self._order:
            tops = [e[0] for e in (b.pending[:1] + b.callbacks[:1])]
            if b.ready:
                tops.append(now)
            if not tops:
                continue
            t = max(min(tops), now)
            is_open, until = window_state(b.zone, self.campaign, t, self._holidays, b.country)
            if not is_open:
                if until is None:
                    continue
                t = until
            best = min(best, t)
        for heap in self._agent_callbacks.values():
            if heap:
                best = min(best, max(heap[0][0], now))
        return None if best == math.inf else best

    # -- what happened to a lead ----------------------------------------------

    def record_outcome(self, lead_id: str, outcome: CallOutcome, now: float) -> Lead:
        """A no-contact outcome (busy, no answer, machine, failed, dropped, invalid)."""
        return self._set(lead_rules.record_outcome(self.get(lead_id), self.campaign, outcome, now))

    def dispose(self, lead_id: str, code: str, now: float) -> Lead:
        """The agent's disposition; do-not-call blocks the number at once."""
        lead = self._set(lead_rules.dispose(self.get(lead_id), self.campaign, code, now))
        if lead.result is LeadResult.DNC:
            scope = None if self.campaign.dnc_scope is DncScope.GLOBAL else self.campaign.name
            self._dnc.add(lead.number, scope)
        return lead

    def schedule_callback(self, lead_id: str, at: float, agent_id: str | None = None) -> Lead:
        """Call the lead back at `at`, for `agent_id` only or for anyone."""
        lead = self.get(lead_id)
        return self._set(lead_rules.schedule_callback(lead, self.campaign, at, agent_id))

    def skip(self, lead_id: str, now: float, delay: float = 0.0) -> Lead:
        """Preview: the agent passed the lead on undialed; due again after `delay`."""
        lead = lead_rules.skip(self.get(lead_id))
        if lead.state is LeadState.SCHEDULED:
            lead = dataclasses.replace(lead, due=now + delay)
        return self._set(lead)

    def recycle(self, now: float) -> int:
        """Every exhausted lead starts over (attempts back to zero); returns how many."""
        n = 0
        for lead in list(self._leads.values()):
            if lead.result is LeadResult.EXHAUSTED:
                self._set(lead_rules.recycle(lead, now))
                n += 1
        return n

    # -- internals ----------------------------------------------------------------

    def _bucket(self, lead: Lead) -> _Bucket:
        key = (lead.zone, lead.country)
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = _Bucket(lead.zone, lead.country)
            self._order.append(b)
        return b

    def _index(self, lead: Lead, bulk: bool = False) -> _Bucket:
        """Put the lead where its state says (or nowhere); older entries become stale."""
        b = self._bucket(lead)
        if lead.state in (LeadState.DIALING, LeadState.DONE):
            self._seq_of.pop(lead.id, None)
            return b
        self._seq += 1
        seq = self._seq_of[lead.id] = self._seq
        if lead.state is LeadState.CALLBACK:
            if lead.callback_agent is not None:
                heap = self._agent_callbacks.setdefault(lead.callback_agent, [])
                _push(heap, (lead.due, seq, lead.id), bulk)
            else:
                _push(b.callbacks, (lead.due, seq, lead.id), bulk)
        elif lead.due <= 0.0:
            _push(b.ready, (-lead.priority, lead.due, seq, lead.id), bulk)
        else:
            _push(b.pending, (lead.due, seq, lead.id), bulk)
        return b

    def _set(self, lead: Lead) -> Lead:
        self._leads[lead.id] = lead
        self._changed[lead.id] = lead
        self._index(lead)
        return lead

    def _live(self, seq: int, lead_id: str) -> bool:
        return self._seq_of.get(lead_id) == seq

    def _open(self, b: _Bucket, now: float) -> bool:
        if not b.valid_from <= now < b.valid_until:
            is_open, until = window_state(b.zone, self.campaign, now, self._holidays, b.country)
            b.is_open, b.valid_from = is_open, now
            b.valid_until = math.inf if until is None else until
        return b.is_open

    def _hand_out(self, lead: Lead, now: float) -> Lead | None:
        """Dial `lead` if nothing forbids it now; else end it or put it back for later."""
        if self._dnc.is_blocked(lead.number, self.campaign.name):
            self._set(lead_rules.move(lead, LeadInput.BLOCK))
            return None
        if lead.attempts >= self.campaign.max_attempts:
            self._set(lead_rules.move(lead, LeadInput.EXHAUST))
            return None
        if self._held is not None and self._held(lead):
            self._set(dataclasses.replace(lead, due=max(lead.due, now + self._hold_for)))
            return None
        due = lead_rules.earliest_due(lead, self.campaign, now)
        if due > now:
            self._set(dataclasses.replace(lead, due=due))
            return None
        return self._set(lead_rules.dial(lead, now))

    def _take_callback(self, b: _Bucket, now: float) -> Lead | None:
        while b.callbacks and b.callbacks[0][0] <= now:
            _, seq, lead_id = heapq.heappop(b.callbacks)
            if self._live(seq, lead_id):
                lead = self._hand_out(self._leads[lead_id], now)
                if lead is not None:
                    return lead
        return None

    def _take_ready(self, b: _Bucket, now: float) -> Lead | None:
        while b.pending and b.pending[0][0] <= now:
            due, seq, lead_id = heapq.heappop(b.pending)
            if self._live(seq, lead_id):
                prio = self._leads[lead_id].priority
                heapq.heappush(b.ready, (-prio, due, seq, lead_id))
        while b.ready:
            _, due, seq, lead_id = heapq.heappop(b.ready)
            if not self._live(seq, lead_id):
                continue
            if due > now:  # only when `now` went back in time
                heapq.heappush(b.pending, (due, seq, lead_id))
                return None
            lead = self._hand_out(self._leads[lead_id], now)
            if lead is not None:
                return lead
        return None

    def _take_agent_callback(self, agent_id: str, now: float) -> Lead | None:
        heap = self._agent_callbacks.get(agent_id)
        if not heap:
            return None
        for entry in sorted(heap):
            due, seq, lead_id = entry
            if due > now:
                break
            if not self._live(seq, lead_id):
                heap.remove(entry)
                continue
            lead = self._leads[lead_id]
            if not self._open(self._bucket(lead), now):
                continue
            heap.remove(entry)
            heapq.heapify(heap)
            got = self._hand_out(lead, now)
            if got is not None:
                return got
        heapq.heapify(heap)
        return None
