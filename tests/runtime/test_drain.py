"""A graceful stop drains: no new calls, those in progress may end within the grace
time, the rest are closed with reason `shutdown`, nothing is left open."""

from __future__ import annotations

import asyncio
from datetime import date

from callcenter.clock import FakeClock
from callcenter.core.commands import Command, ExitQueue, RecordInteraction
from callcenter.core.events import InteractionArrived
from callcenter.core.records import InteractionRecord
from callcenter.runtime.app import RuntimeSettings
from callcenter.runtime.driver import SHUTDOWN
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.telephony.sim import SimTelephony

MONDAY_10AM = load_scenario(scenario_path("hotline")).epoch(date(2025, 3, 3), 10 * 3600)


def test_a_drain_on_the_sim_adapter_closes_every_call_with_a_reason() -> None:
    """The hotline with bots, five busy minutes, then a drain of 60 s: new arrivals are
    turned away (the adapter's, and one reported as the adapter would), calls that end
    within the grace end as usual, those left are closed with exit reason `shutdown`, and
    every call open at the start of the drain has its final row."""
    rows: dict[str, InteractionRecord] = {}
    turned_away: list[ExitQueue] = []

    async def persist(commands: list[Command]) -> None:
        for c in commands:
            if isinstance(c, RecordInteraction):
                rows[c.record.interaction_id] = c.record

    async def main() -> tuple[set[str], list[str], int]:
        clock = FakeClock(MONDAY_10AM)
        rt = build_simulated(RuntimeSettings(start=MONDAY_10AM), SimSettings("hotline", seed=3),
                             clock=clock, persist=persist)
        tel = rt.telephony
        assert isinstance(tel, SimTelephony)
        refuse = rt.driver.refuse
        assert refuse is not None

        async def recorded_refusal(commands: list[ExitQueue]) -> None:
            turned_away.extend(commands)
            await refuse(commands)

        rt.driver.refuse = recorded_refusal
        await rt.start()
        for _ in range(5 * 6):  # five minutes, ten seconds at a time
            clock.advance(10)
            await rt.driver.settled()
        open_then = set(rt.engine.open_interactions())
        arrivals_then = tel.arrivals
        drain = asyncio.create_task(rt.drain(60))
        await asyncio.sleep(0)
        rt.driver.report_line(InteractionArrived("late", "hotline"))  # as the adapter would
        steps = 0
        while not drain.done():
            await asyncio.sleep(0)
            await rt.driver.settled()
            if not drain.done():
                clock.advance(5)
                steps += 1
                assert steps < 100, "the drain did not end"
        left = drain.result()
        assert rt.engine.open_interactions() == []
        assert clock.time() >= MONDAY_10AM + 5 * 60 + 60
        await rt.stop()
        return open_then, left, tel.arrivals - arrivals_then

    open_then, left, arrived_since = asyncio.run(main())
    assert open_then and left and set(left) < open_then  # some ended, some were closed
    assert open_then <= set(rows)
    assert all(rows[i].exit_reason == SHUTDOWN for i in left)
    assert all(rows[i].exit_reason != SHUTDOWN for i in open_then - set(left))
    assert arrived_since + 1 == len(turned_away)  # the sim's arrivals, and "late"
    assert {e.reason for e in turned_away} == {SHUTDOWN}
    assert not {e.interaction_id for e in turned_away} & set(rows)
