"""Outbound calls in the sim adapter: simulated callees from the outcome model, on a fake
clock; the `Dialing` protocol and adapters without it."""

from __future__ import annotations

import asyncio
from collections import Counter

import numpy as np
import pytest

from callcenter.clock import FakeClock
from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.core.events import AgentConfigured, InteractionArrived, QueueConfigured
from callcenter.scenario.callees import OutcomeModel
from callcenter.telephony.base import (
    Dialing,
    DialingUnsupported,
    DialStatus,
    DialUpdate,
    FakeTelephony,
    dialing_of,
)
from callcenter.telephony.sim import SimTelephony
from tests.telephony.test_sim import World, scenario

OUTCOMES = {DialStatus.ANSWERED, DialStatus.ANSWERING_MACHINE, DialStatus.BUSY,
            DialStatus.NO_ANSWER}


async def _dial(tel: SimTelephony, w: World, n: int, seconds: float) -> list[DialUpdate]:
    updates: list[DialUpdate] = []
    tel.on_dial(updates.append)
    for i in range(n):
        await tel.originate(f"+4930{1000000 + i}", "spring")
    await w.run(seconds)
    return updates


def test_every_call_rings_then_gets_exactly_one_outcome_in_time() -> None:
    """Each outbound call reports ringing at once and one outcome within the ring timeout
    (plus answering-machine detection); the mix follows the model's rates."""

    async def main() -> list[DialUpdate]:
        w = World(scenario(per_hour=0.001), bots=False)
        await w.start()
        updates = await _dial(w.tel, w, 400, 60)
        await w.stop()
        return updates

    updates = asyncio.run(main())
    by_call: dict[str, list[DialUpdate]] = {}
    for u in updates:
        by_call.setdefault(u.call_id, []).append(u)
    assert len(by_call) == 400
    model = OutcomeModel()
    for steps in by_call.values():
        assert steps[0].status is DialStatus.RINGING
        assert len(steps) == 2 and steps[1].status in OUTCOMES
        assert steps[1].at - steps[0].at <= model.ring_timeout + model.amd_seconds
    mix = Counter(steps[1].status for steps in by_call.values())
    assert 0.2 < mix[DialStatus.ANSWERED] / 400 < 0.4  # live_rate 0.30
    assert 0.3 < mix[DialStatus.NO_ANSWER] / 400 < 0.6  # the rest: 0.45


def test_same_seed_gives_the_same_callees() -> None:
    """Two adapters with the same seed give the same outcomes at the same times."""

    async def one() -> list[tuple[str, float]]:
        w = World(scenario(per_hour=0.001), bots=False, seed=11)
        await w.start()
        updates = await _dial(w.tel, w, 50, 60)
        await w.stop()
        return [(u.status.value, u.at) for u in updates]

    assert asyncio.run(one()) == asyncio.run(one())


def test_a_bot_takes_a_campaign_offer_at_once_and_talks_the_drawn_time() -> None:
    """A live answer in a campaign queue is accepted by a bot with no ring time, and the
    bot hangs up after the talk time drawn for that callee."""

    async def main() -> None:
        sc = scenario(per_hour=0.001, agents=1)
        w = World(sc, bots=True)
        await w.driver.start()  # the campaign queue, and the agent in it, before login
        await w.driver.submit(QueueConfigured(QueueConfig("campaign:spring")))
        await w.driver.submit(AgentConfigured(AgentConfig(
            "a-1", queues=(Membership("q"), Membership("campaign:spring")))))
        await w.tel.start(w.driver.report)
        answered: list[DialUpdate] = []

        def on_dial(u: DialUpdate) -> None:
            if u.status is DialStatus.ANSWERED:
                answered.append(u)
                w.driver.report(InteractionArrived(u.call_id, "campaign:spring"))

        w.tel.on_dial(on_dial)
        for i in range(40):
            if answered:
                break
            await w.tel.originate(f"+4930{2000000 + i}", "spring")
            await w.run(35)
        assert answered
        await w.run(3600)
        await w.stop()
        row = next(r for r in w.rows if r.interaction_id == answered[0].call_id)
        assert row.outcome == "completed"
        assert row.answered_at is not None and row.answered_at - row.arrived_at <= 0.5
        assert row.talk_seconds > 0

    asyncio.run(main())


def test_dialing_of_names_an_adapter_without_outbound_calls() -> None:
    """An adapter without the outbound methods is refused with its class name; the sim
    adapter and the fake have them."""
    with pytest.raises(DialingUnsupported, match="object places no outbound calls"):
        dialing_of(object())
    fake = FakeTelephony()
    assert dialing_of(fake) is fake
    tel = SimTelephony(scenario(), FakeClock(), np.random.default_rng(1))
    assert isinstance(tel, Dialing)
