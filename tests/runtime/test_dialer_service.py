"""The live dialer service (`runtime/dialer/service.py`) where the lines and the store
misbehave: an originate that raises, an answer reported before originate returns, the
customer hanging up, a store write that fails, an attempt a stopped process left open.
Real engine, driver and SQLite store on a fake clock; the fake adapter places the calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from callcenter.core.commands import OfferToAgent
from callcenter.core.dialer.campaign import DialMode
from callcenter.core.dialer.leads import LeadState
from callcenter.core.dialer.run import Writes
from callcenter.runtime.dialer.service import DialerStore
from callcenter.store.dialer import SqlDialerStore
from callcenter.telephony.base import DialStatus, DialUpdate, FakeTelephony
from tests.runtime.dialer_world import DialerWorld, campaign, leads


class TrunkDownOnce(FakeTelephony):
    """The first originate raises (the trunk refused it); later ones are placed."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        if not self.refused:
            self.refused.append(number)
            raise OSError("trunk down")
        return await super().originate(number, campaign_id, caller_id=caller_id)


class AnswersBeforeReturning(FakeTelephony):
    """Reports each call answered before `originate` returns its id (a callee who
    answers at once on an adapter whose updates come from another task)."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        call_id = await super().originate(number, campaign_id, caller_id=caller_id)
        assert self._on_dial is not None
        self._on_dial(DialUpdate(call_id, campaign_id, number, DialStatus.ANSWERED, self.now))
        return call_id


class FailsOnce:
    """The SQLite store whose first `save` of an attempt raises (the database refused
    the write)."""

    def __init__(self, store: SqlDialerStore) -> None:
        self._store = store
        self.failed = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def save(self, writes: Writes) -> None:
        if writes.attempts and not self.failed:
            self.failed += 1
            raise OSError("disk I/O error")
        self._store.save(writes)


def test_an_originate_that_raises_is_a_failed_attempt(tmp_path: Path) -> None:
    """The adapter raising on originate stores a `failed` attempt for that lead and
    schedules its retry (15 minutes for the first failure)."""

    async def main() -> tuple[DialerWorld, float]:
        tel = TrunkDownOnce()
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=tel)
        await w.start()
        failed_at = w.clock.time() + w.dialer.settings.tick
        await w.run(2.0)
        await w.stop()
        return w, failed_at

    w, failed_at = asyncio.run(main())
    (row,) = w.attempts()
    assert (row.lead_id, row.outcome) == ("l0", "failed")
    lead = w.leads()["l0"]
    assert (lead.state, lead.due) == (LeadState.SCHEDULED, failed_at + 900.0)


def test_the_next_lead_is_dialed_after_an_originate_raised(tmp_path: Path) -> None:
    """After the refused originate of the first lead the dialer goes on with the second."""

    async def main() -> TrunkDownOnce:
        tel = TrunkDownOnce()
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(2), agents=1,
                        fake=tel)
        await w.start()
        await w.run(3.0)
        await w.stop()
        return tel

    tel = asyncio.run(main())
    assert tel.refused == [leads(2)[0].number]
    assert [number for number, _ in tel.dials.values()] == [leads(2)[1].number]


def test_an_answer_reported_before_originate_returns_reaches_an_agent(tmp_path: Path) -> None:
    """The answer that came before the call's id is kept and applied once the id is
    known: the call arrives in the campaign's queue and is offered to the ready agent."""

    async def main() -> tuple[AnswersBeforeReturning, str]:
        tel = AnswersBeforeReturning()
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=tel)
        tel.now = w.clock.time()
        await w.start()
        await w.run(1.5)
        await w.stop()
        (call_id,) = tel.dials
        return tel, call_id

    tel, call_id = asyncio.run(main())
    assert [(o.interaction_id, o.agent_id, o.queue_id) for o in tel.of_type(OfferToAgent)] == [
        (call_id, "a-1", "campaign:spring")]


def test_the_customer_hanging_up_ends_the_conversation(tmp_path: Path) -> None:
    """The callee hangs up 30 s after the agent took the call: after the wrap-up (10 s)
    the interaction completes with the agent and 30 s of talk, and the attempt is stored
    as answered by it."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_connect("a-1")
        await w.run(30.0)
        fake.dial_update(call_id, DialStatus.ENDED, w.clock.time())
        await w.settle()  # handled now, before the clock moves on
        await w.run(11.0)
        await w.stop()
        return w

    w = asyncio.run(main())
    (record,) = [r for r in w.records if r.queue_id == "campaign:spring"]
    assert (record.outcome, record.agent_id, record.talk_seconds) == ("completed", "a-1", 30.0)
    (row,) = w.attempts()
    assert (row.outcome, row.agent) == ("answered", "a-1")


def test_a_failed_store_write_is_kept_and_stored_with_the_next_tick(tmp_path: Path) -> None:
    """The write of a busy attempt fails once; the next tick stores it, exactly once."""
    stores: list[FailsOnce] = []

    def flaky(sql: SqlDialerStore) -> DialerStore:
        stores.append(FailsOnce(sql))
        return stores[0]  # type: ignore[return-value]

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=True, store=flaky)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_take_dial()
        fake.dial_update(call_id, DialStatus.BUSY, w.clock.time())
        await w.run(1.0)
        assert stores[0].failed == 1 and w.attempts() == []
        await w.run(1.0)
        await w.stop()
        return w

    w = asyncio.run(main())
    assert [row.outcome for row in w.attempts()] == ["busy"]


def test_an_attempt_left_open_by_a_stopped_process_counts_as_failed(tmp_path: Path) -> None:
    """A lead stored as being dialed when the dialer starts (the process that dialed it
    stopped) is a failed attempt: not dialed now, due again in 15 minutes."""
    dialing = [replace(lead, state=LeadState.DIALING) for lead in leads(1)]

    async def main() -> tuple[DialerWorld, float]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), dialing, agents=1,
                        fake=True)
        started = w.clock.time()
        await w.start()
        await w.run(2.0)
        await w.stop()
        return w, started

    w, started = asyncio.run(main())
    fake = w.fake
    assert fake is not None and fake.dials == {}
    lead = w.leads()["l0"]
    assert (lead.state, lead.last_outcome, lead.due) == (LeadState.SCHEDULED, "failed",
                                                         started + 900.0)
