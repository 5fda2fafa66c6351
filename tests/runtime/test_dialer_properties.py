"""Property test of one campaign's live state (`CampaignRun`): any order of launches,
answers, connects, drops, no-contact outcomes and finished interactions keeps the books
straight: one attempt row per ended call, the drop ledger counting each live answer
once, no lead dialed twice at once, do-not-call dispositions blocking the number."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from callcenter.core.dialer.campaign import CallOutcome, DialMode
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead, LeadState
from callcenter.core.dialer.run import AgentView, Call, CampaignRun
from callcenter.core.dialer.windows import FixedHolidays
from callcenter.core.records import InteractionRecord
from tests.runtime.dialer_world import campaign

T0 = datetime(2025, 3, 3, 10, tzinfo=UTC).timestamp()  # a Monday, inside the windows
NO_CONTACT = [CallOutcome.BUSY, CallOutcome.NO_ANSWER, CallOutcome.ANSWERING_MACHINE,
              CallOutcome.FAILED]
CODES = ["sale", "not-interested", "call-again", "wrong-number", "do-not-call", ""]


def _record(call: Call, disposition: str, at: float) -> InteractionRecord:
    return InteractionRecord(call.call_id, "voice", "campaign:spring", "campaign:spring", 0,
                             call.answered or at, call.answered, at, at, "completed",
                             call.agent, disposition=disposition, talk_seconds=60.0,
                             wrap_seconds=5.0)


class Books(RuleBasedStateMachine):
    """A campaign's calls driven in random order."""

    def __init__(self) -> None:
        super().__init__()
        self.dnc = DncRegistry()
        c = campaign(DialMode.PREDICTIVE)
        queue = LeadQueue(c, self.dnc, FixedHolidays())
        queue.extend(Lead(f"l{i}", f"+4930{7000000 + i}", "UTC") for i in range(12))
        self.run = CampaignRun(c, queue)
        self.now = T0
        self.ids = 0
        self.ended: set[str] = set()
        self.lives = self.drops = 0
        self.dnc_numbers: set[str] = set()

    def _calls(self, which: str) -> list[Call]:
        calls = self.run.calls.values()
        if which == "ringing":
            return [c for c in calls if c.answered is None]
        if which == "waiting":
            return [c for c in calls if c.answered is not None and c.agent is None
                    and not c.dropped]
        return [c for c in calls if c.agent is not None or c.dropped]

    @rule(dt=st.floats(0.0, 5.0))
    def time_passes(self, dt: float) -> None:
        self.now += dt

    @rule(n=st.integers(1, 3))
    def launch(self, n: int) -> None:
        for lead in self.run.leads(n, self.now):
            self.ids += 1
            self.run.launched(f"c{self.ids}", lead, self.now)

    @precondition(lambda self: self._calls("ringing"))
    @rule(i=st.integers(0, 100))
    def answer(self, i: int) -> None:
        calls = self._calls("ringing")
        self.run.answered(calls[i % len(calls)], self.now)

    @precondition(lambda self: self._calls("ringing"))
    @rule(i=st.integers(0, 100), outcome=st.sampled_from(NO_CONTACT))
    def no_contact(self, i: int, outcome: CallOutcome) -> None:
        calls = self._calls("ringing")
        call = calls[i % len(calls)]
        self.run.no_contact(call, outcome, self.now)
        self.ended.add(call.call_id)

    @precondition(lambda self: self._calls("waiting"))
    @rule(i=st.integers(0, 100))
    def connect(self, i: int) -> None:
        calls = self._calls("waiting")
        self.run.connected(calls[i % len(calls)], "a-1", self.now)
        self.lives += 1

    @precondition(lambda self: self._calls("waiting"))
    @rule(i=st.integers(0, 100))
    def drop(self, i: int) -> None:
        calls = self._calls("waiting")
        self.run.dropped(calls[i % len(calls)], self.now)
        self.lives += 1
        self.drops += 1

    @precondition(lambda self: self._calls("done") or self._calls("waiting"))
    @rule(i=st.integers(0, 100), code=st.sampled_from(CODES))
    def finish(self, i: int, code: str) -> None:
        calls = self._calls("done") + self._calls("waiting")
        call = calls[i % len(calls)]
        if call.agent is not None and code == "do-not-call":
            self.dnc_numbers.add(call.lead.number)
        self.run.finished(call, _record(call, code, self.now), self.now)
        self.ended.add(call.call_id)

    @invariant()
    def one_row_per_ended_call(self) -> None:
        rows = self.run.attempts
        resolved = self.ended | {c.call_id for c in self._calls("done")}
        assert len(rows) == len(resolved)
        assert all(r.dropped == (r.outcome == "dropped") for r in rows)

    @invariant()
    def the_ledger_counts_each_live_answer_once(self) -> None:
        assert self.run.ledger.total_lives == self.lives
        assert self.run.ledger.total_drops == self.drops

    @invariant()
    def no_lead_is_dialed_twice_at_once(self) -> None:
        leads = [c.lead.id for c in self.run.calls.values()]
        assert len(leads) == len(set(leads))
        for c in self.run.calls.values():  # a dropped call's lead is already rescheduled
            state = self.run.queue.get(c.lead.id).state
            assert state is (LeadState.SCHEDULED if c.dropped else LeadState.DIALING) \
                or (c.dropped and state is LeadState.DONE)
        view = AgentView()
        assert self.run.pacing(view, self.now).in_flight == \
            len(self._calls("ringing")) + len(self._calls("waiting"))

    @invariant()
    def do_not_call_blocks_the_number(self) -> None:
        for number in self.dnc_numbers:
            assert self.dnc.is_blocked(number, "spring")
        assert set(self.run.blocked) == self.dnc_numbers


TestBooks = Books.TestCase
TestBooks.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
