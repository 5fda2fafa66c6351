"""A batch the store fails to take is kept, journaled and retried in order, never dropped;
meanwhile the driver refuses new work and turns new calls away."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.clock import FakeClock
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    ExitQueue,
    InteractionStateChanged,
    OfferToAgent,
)
from callcenter.core.events import AgentLogin, AgentPause, InteractionArrived
from callcenter.runtime.driver import (
    SHUTDOWN,
    UNAVAILABLE,
    Degraded,
    EngineDriver,
    NotPersisted,
)
from callcenter.runtime.durable import Backoff, DurableSink, Health
from callcenter.runtime.journal import Journal
from callcenter.telephony.base import FakeTelephony
from tests.runtime.commands import batches
from tests.runtime.conftest import T0, make_driver, small_engine

OK, FAIL, LOST_ACK = "ok", "fail", "lost_ack"
"""A store write: commits; fails before the commit; commits, then fails (the answer lost)."""


class FlakyStore:
    """A store whose writes go as `plan` says (then succeed); `again` does not store
    twice the batch whose answer was lost (it is the next one retried), as the store
    sink's `again` does not."""

    def __init__(self, plan: list[str] | None = None) -> None:
        self.plan = list(plan or [])
        self.stored: list[list[Command]] = []
        self.down = False
        """While True every write fails (a database down for a while)."""
        self.writes = 0
        self.unanswered = False
        """The last commit's answer was lost."""

    def _write(self, commands: list[Command], again: bool) -> None:
        self.writes += 1
        step = self.plan.pop(0) if self.plan else OK
        if self.down or step == FAIL:
            raise OSError("database unreachable")
        if not (again and self.unanswered):
            self.stored.append(list(commands))
        self.unanswered = step == LOST_ACK
        if self.unanswered:
            raise OSError("connection lost after commit")

    async def __call__(self, commands: list[Command]) -> None:
        self._write(commands, again=False)

    async def again(self, commands: list[Command]) -> None:
        self._write(commands, again=True)


class Sleeps:
    """An injected `sleep`: records the backoff asked for, returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


@settings(max_examples=40, deadline=None)
@given(st.lists(batches, min_size=1, max_size=6),
       st.lists(st.sampled_from([OK, FAIL, LOST_ACK]), max_size=20))
def test_every_batch_is_stored_once_in_order_whatever_fails(written: list[list[Command]],
                                                             plan: list[str]) -> None:
    """Whatever the store's failures (before or after its commit), every batch ends up
    stored exactly once, in the order written; the backoff grows while writes fail and
    starts again after a success."""

    async def main(folder: Path) -> tuple[FlakyStore, Sleeps, DurableSink]:
        store, sleeps = FlakyStore(plan), Sleeps()
        sink = DurableSink(store, journal=Journal.open(folder / "j"), again=store.again,
                           backoff=Backoff(1, 2, 8), sleep=sleeps)
        for b in written:
            await sink(b)
            await asyncio.sleep(0)  # let the retry task run between some batches
        await sink.settled()
        await sink.close()
        return store, sleeps, sink

    with tempfile.TemporaryDirectory() as folder:
        store, sleeps, sink = asyncio.run(main(Path(folder)))
        assert store.stored == written
        assert not sink.degraded
        assert (Path(folder) / "j").stat().st_size == 0  # nothing left to replay
    for before, after in zip(sleeps.asked, sleeps.asked[1:], strict=False):
        assert after in (1, min(8, 2 * before))


def test_a_crash_while_degraded_leaves_the_journal_and_the_next_start_replays_it(
        tmp_path: Path) -> None:
    """Batches kept while the store was down survive the process (journal on disk); a new
    sink on the same journal stores them, in order, before anything else."""
    b1: list[Command] = [AgentStateChanged("a1", "available", "", 1.0)]
    b2: list[Command] = [AgentStateChanged("a1", "paused", "lunch", 2.0)]

    async def first_process() -> None:
        store = FlakyStore()
        store.down = True
        sink = DurableSink(store, journal=Journal.open(tmp_path / "j"), again=store.again,
                           sleep=Sleeps())
        await sink(b1)  # kept: journaled, so acknowledged
        await sink(b2)
        assert sink.health() == Health(True, 2, 2)
        await sink.close()  # the process dies: nothing stored

    async def next_process() -> FlakyStore:
        store = FlakyStore()
        sink = DurableSink(store, journal=Journal.open(tmp_path / "j"), again=store.again)
        assert await sink.replay() == 2
        await sink([AgentStateChanged("a1", "available", "", 3.0)])
        await sink.close()
        return store

    asyncio.run(first_process())
    store = asyncio.run(next_process())
    assert store.stored == [b1, b2, [AgentStateChanged("a1", "available", "", 3.0)]]
    assert (tmp_path / "j").stat().st_size == 0


def test_without_a_journal_a_failed_batch_is_kept_but_not_acknowledged() -> None:
    """With no journal the caller hears `NotPersisted`, and the batch is still stored once
    the store is back."""

    async def main() -> FlakyStore:
        store = FlakyStore([FAIL, FAIL])
        sink = DurableSink(store, again=store.again, sleep=Sleeps())
        driver, _, _ = make_driver(persist=sink)
        await driver.start()
        with pytest.raises(NotPersisted, match="kept in memory and retried"):
            await driver.submit(AgentLogin("a1"))
        await sink.settled()
        await driver.stop()
        return store

    store = asyncio.run(main())
    assert [type(c) for c in store.stored[0]] == [AgentStateChanged]


def test_while_degraded_the_driver_refuses_new_work_and_handles_calls_in_progress(
        tmp_path: Path) -> None:
    """Store down: the failed batch is acknowledged from the journal; the next API change
    is refused (`Degraded`) before the engine sees it; a new call is turned away through
    telephony; the events of a call in progress are handled and kept behind the first;
    once the store is back everything is stored in order and the driver takes work."""

    async def main() -> None:
        store = FlakyStore()
        gate = asyncio.Event()

        async def held(seconds: float) -> None:
            await gate.wait()  # the retry waits until the test lets it

        sink = DurableSink(store, journal=Journal.open(tmp_path / "j"), again=store.again,
                           sleep=held)
        changes: list[Health] = []
        sink.on_change.append(changes.append)
        engine = small_engine(agents=2)
        driver = EngineDriver(engine, FakeClock(T0), sink, backlog=sink)
        tel = FakeTelephony()
        driver.add_sink("telephony", tel.execute)
        driver.refuse = tel.execute  # as build_runtime wires them
        await driver.start()
        await driver.submit(AgentLogin("a1"))
        store.down = True
        first = await driver.submit(AgentLogin("a2"))  # fails to store: kept, journaled
        assert driver.degraded and changes == [Health(True, 1, len(first))]
        with pytest.raises(Degraded, match="not taking writes"):
            await driver.submit(AgentPause("a1", "lunch"))
        assert engine.agent_state("a1").value == "available"  # never saw it
        driver.report(InteractionArrived("c1", "q"))  # not a line event: the dialer's
        driver.report_line(InteractionArrived("c2", "q"))  # a new inbound call
        await driver.settled()
        assert tel.of_type(ExitQueue) == [ExitQueue("c2", "q", UNAVAILABLE, "hangup")]
        assert engine.interaction_state("c2") is None
        assert driver.stats.calls_refused == 1 and driver.stats.degraded_refused == 1
        assert [o.interaction_id for o in tel.of_type(OfferToAgent)] == ["c1"]
        assert sink.health().batches == 2
        store.down = False
        gate.set()
        await sink.settled()
        assert not driver.degraded and changes[-1] == Health(False, 0, 0)
        assert store.stored[1] == first
        assert next(c.interaction_id for c in store.stored[2]
                if isinstance(c, InteractionStateChanged)) == "c1"
        await driver.submit(AgentPause("a1", "lunch"))
        driver.draining = True  # a graceful stop: new calls turned away, the API works
        driver.report_line(InteractionArrived("c3", "q"))
        await driver.settled()
        assert tel.of_type(ExitQueue)[-1] == ExitQueue("c3", "q", SHUTDOWN, "hangup")
        await driver.stop()
        await sink.close()

    asyncio.run(main())
