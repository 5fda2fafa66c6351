"""The composition root: a runtime built from an example scenario runs in real time."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from callcenter.core.commands import Command, OfferToAgent, RecordInteraction
from callcenter.core.events import AgentLogin, InteractionArrived
from callcenter.core.records import InteractionRecord
from callcenter.runtime.app import RuntimeSettings, build_runtime
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.telephony.base import FakeTelephony


def test_sim_runtime_completes_calls_end_to_end_in_real_time() -> None:
    """The hotline at 600x on the real clock: calls complete, rows reach the persistence
    sink, offers reach pub/sub subscribers."""
    rows: list[InteractionRecord] = []
    five_completed = asyncio.Event()

    async def persist(commands: list[Command]) -> None:
        rows.extend(c.record for c in commands if isinstance(c, RecordInteraction))
        if sum(r.outcome == "completed" for r in rows) >= 5:
            five_completed.set()

    async def main() -> int:
        monday_9am = load_scenario(scenario_path("hotline")).epoch(date(2025, 3, 3), 9 * 3600)
        rt = build_simulated(RuntimeSettings(speed=600, start=monday_9am), SimSettings("hotline"),
                             persist=persist)
        offers = rt.events.subscribe(lambda c: isinstance(c, OfferToAgent))
        await rt.start()
        try:
            # Waits for the event, however slow the machine; the bound is only against a
            # hang: 60 real seconds are 10 engine hours, the office's whole open day.
            await asyncio.wait_for(five_completed.wait(), 60)
        finally:
            await rt.stop()
        assert rt.driver.stats.engine_errors == 0
        assert sum(rt.driver.stats.sink_errors.values()) == 0
        return len(offers)

    offered = asyncio.run(main())
    completed = [r for r in rows if r.outcome == "completed"]
    assert len(completed) >= 5
    assert offered >= len(completed)
    assert len({r.interaction_id for r in rows}) == len(rows)


def test_runtime_with_a_fake_telephony_routes_its_calls() -> None:
    """The runtime runs the adapter it is given, with no scenario: its arrivals are
    offered to agents the API logged in."""

    async def main() -> None:
        tel = FakeTelephony()
        hotline = load_scenario(scenario_path("hotline"))
        monday_9am = hotline.epoch(date(2025, 3, 3), 9 * 3600)
        rt = build_runtime(RuntimeSettings(start=monday_9am), tel, queues=hotline.queues,
                           agents=[a for g in hotline.groups for a in g.agents])
        await rt.start()
        await rt.driver.submit(AgentLogin("early-1"))
        tel.inject(InteractionArrived("x1", "hotline"))
        await rt.driver.settled()
        await rt.stop()
        assert [(o.interaction_id, o.agent_id) for o in tel.of_type(OfferToAgent)] == [
            ("x1", "early-1")]
        assert not tel.running

    asyncio.run(main())


def test_unknown_example_names_the_known_ones() -> None:
    """An unknown scenario name is refused with the list of examples."""
    with pytest.raises(ValueError, match="hotline"):
        build_simulated(RuntimeSettings(), SimSettings("nope"))
