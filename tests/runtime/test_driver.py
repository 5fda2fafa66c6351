"""The engine driver: one event at a time, persistence before acknowledgement, timers,
refusals and failing sinks."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    OfferToAgent,
    WithdrawOffer,
)
from callcenter.core.errors import RoutingError, UnknownAgent
from callcenter.core.events import AgentLogin, InteractionArrived, OfferAccepted
from callcenter.runtime.driver import DriverStopped, NotPersisted
from tests.runtime.conftest import T0, Recorder, make_driver, small_engine


def test_concurrent_submits_are_applied_in_order_each_with_its_own_commands() -> None:
    """Concurrent submits are applied one at a time in posting order, each answered with
    exactly the commands its event produced, and persisted in that same order."""

    async def main() -> None:
        rec = Recorder()
        driver, _, _ = make_driver(small_engine(agents=3), rec)
        await driver.start()
        await driver.submit(AgentLogin("a1"))
        results = await asyncio.gather(
            *(driver.submit(InteractionArrived(f"c{i}", "q")) for i in range(20)))
        await driver.stop()
        for i, cmds in enumerate(results):
            ids = {c.interaction_id for c in cmds if isinstance(c, InteractionStateChanged)}
            assert ids == {f"c{i}"}
        offers = [c for cmds in results for c in cmds if isinstance(c, OfferToAgent)]
        assert [o.interaction_id for o in offers] == ["c0"]  # first come, first served
        flat = [c for cmds in results for c in cmds]
        assert rec.commands[-len(flat):] == flat
        assert driver.stats.batches < 21  # queued events share one persistence call

    asyncio.run(main())


def test_persistence_completes_before_submit_returns() -> None:
    """A submit is not answered, and other sinks see nothing, until persistence finishes."""

    async def main() -> None:
        gate = asyncio.Event()
        persisted: list[Command] = []

        async def slow_store(commands: list[Command]) -> None:
            await gate.wait()
            persisted.extend(commands)

        driver, _, tel = make_driver(persist=slow_store)
        await driver.start()
        task = asyncio.create_task(driver.submit(AgentLogin("a1")))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done()
        assert persisted == [] and tel.commands == []
        gate.set()
        cmds = await task
        assert persisted == cmds
        assert any(isinstance(c, AgentStateChanged) for c in cmds)
        await driver.stop()

    asyncio.run(main())


def test_offer_timeout_fires_at_the_engine_deadline_on_the_clock() -> None:
    """The driver arms the engine's next deadline: the offer is withdrawn at 20 s, not before."""

    async def main() -> None:
        driver, clock, tel = make_driver(small_engine(offer_timeout=20.0))
        await driver.start()
        await driver.submit(AgentLogin("a1"))
        await driver.submit(InteractionArrived("c1", "q"))
        assert tel.of_type(OfferToAgent)[0].expires_at == T0 + 20
        clock.advance(19.9)
        await driver.settled()
        assert tel.of_type(WithdrawOffer) == []
        clock.advance(0.1)
        await driver.settled()
        assert tel.of_type(WithdrawOffer) == [WithdrawOffer("c1", "a1", "timeout")]
        assert driver.stats.timers == 1
        await driver.stop()
        assert clock.pending() == 0

    asyncio.run(main())


def test_routing_error_reaches_the_caller_and_the_driver_goes_on() -> None:
    """A refused event raises the engine's error to its caller; the next event still works."""

    async def main() -> None:
        driver, _, _ = make_driver()
        await driver.start()
        with pytest.raises(UnknownAgent):
            await driver.submit(AgentLogin("nobody"))
        with pytest.raises(RoutingError, match="logged_out: cannot accept"):
            await driver.submit(OfferAccepted("a1", "c9"))
        cmds = await driver.submit(AgentLogin("a1"))
        assert any(isinstance(c, AgentStateChanged) and c.state == "available" for c in cmds)
        assert driver.stats.refused == 2
        await driver.stop()

    asyncio.run(main())


def test_refused_report_from_an_adapter_is_counted_not_raised() -> None:
    """An adapter's event the engine refuses (a race, a bad peer) is logged and counted."""

    async def main() -> None:
        driver, _, _ = make_driver()
        await driver.start()
        driver.report(OfferAccepted("a1", "gone"))
        driver.report(AgentLogin("a1"))
        await driver.settled()
        assert driver.stats.peer_refused == 1
        assert driver.engine.agent_state("a1").value == "available"
        await driver.stop()

    asyncio.run(main())


def test_failing_sink_is_counted_and_the_others_still_run() -> None:
    """A sink that raises is counted; the caller is answered and later sinks still run."""

    async def main() -> None:
        driver, _, _ = make_driver()
        seen: list[Command] = []

        async def broken(commands: list[Command]) -> None:
            raise OSError("socket closed")

        async def after(commands: list[Command]) -> None:
            seen.extend(commands)

        driver.add_sink("broken", broken)
        driver.add_sink("after", after)
        await driver.start()
        first = await driver.submit(AgentLogin("a1"))
        second = await driver.submit(InteractionArrived("c1", "q"))
        assert driver.stats.sink_errors["broken"] == 2
        assert seen == first + second
        await driver.stop()

    asyncio.run(main())


def test_failed_persistence_is_not_acknowledged() -> None:
    """When the store fails the caller gets NotPersisted, and the driver keeps running."""

    async def main() -> None:
        fail = True

        async def store(commands: list[Command]) -> None:
            if fail:
                raise OSError("disk full")

        driver, _, _ = make_driver(persist=store)
        await driver.start()
        with pytest.raises(NotPersisted, match="disk full"):
            await driver.submit(AgentLogin("a1"))
        fail = False
        await driver.submit(InteractionArrived("c1", "q"))
        assert driver.stats.persist_errors == 1
        await driver.stop()

    asyncio.run(main())


def test_engine_time_never_goes_back_when_the_clock_does() -> None:
    """A clock that steps backwards (NTP) still gives the engine non-decreasing times."""

    async def main() -> None:
        driver, clock, _ = make_driver()
        await driver.start()
        clock.advance(10)
        await driver.submit(AgentLogin("a1"))
        clock.now -= 5
        cmds = await driver.submit(InteractionArrived("c1", "q"))
        changes = [c.at for c in cmds if isinstance(c, InteractionStateChanged)]
        assert changes and min(changes) == T0 + 10
        await driver.stop()

    asyncio.run(main())


def test_stop_finishes_queued_events_then_refuses_new_ones() -> None:
    """`stop` handles what was already queued; afterwards posting raises DriverStopped."""

    async def main() -> None:
        rec = Recorder()
        driver, _, _ = make_driver(persist=rec)
        await driver.start()
        driver.report(AgentLogin("a1"))
        await driver.stop()
        assert any(isinstance(c, AgentStateChanged) for c in rec.commands)
        with pytest.raises(DriverStopped):
            driver.report(InteractionArrived("c1", "q"))

    asyncio.run(main())


def test_a_sink_awaiting_submit_is_refused_instead_of_deadlocking() -> None:
    """A sink that awaits `submit` gets a RuntimeError (counted) rather than hanging."""

    async def main() -> None:
        driver, _, _ = make_driver()

        async def reentrant(commands: list[Command]) -> None:
            await driver.submit(InteractionArrived("c1", "q"))

        driver.add_sink("reentrant", reentrant)
        await driver.start()
        await asyncio.wait_for(driver.submit(AgentLogin("a1")), timeout=60)  # a hang fails
        assert driver.stats.sink_errors["reentrant"] == 1
        await driver.stop()

    asyncio.run(main())
