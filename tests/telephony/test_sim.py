"""The sim adapter on a fake clock, through a real driver and engine: callers arrive,
bots answer and talk, impatient callers abandon, breaks and recoveries happen."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import date

import numpy as np

from callcenter.clock import FakeClock
from callcenter.core.commands import AgentStateChanged, Command, RecordInteraction
from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.events import AgentLogin, OfferAccepted
from callcenter.core.records import InteractionRecord
from callcenter.runtime.driver import EngineDriver
from callcenter.scenario.models import Constant
from callcenter.scenario.spec import AgentGroup, ArrivalStream, Break, CallerModel, Scenario, Shift
from callcenter.telephony.sim import SimTelephony

DAY0 = date(2025, 3, 3)


def scenario(per_hour: float = 60.0, agents: int = 2, patience: float | None = None,
             handle: float = 60.0, **group: object) -> Scenario:
    """One round-the-clock queue `q` and one group of agents `a-1`, `a-2`, ..."""
    q = QueueConfig("q", wrap_up=5.0, offer_timeout=15.0)
    ids = tuple(AgentConfig(f"a-{i}", queues=(Membership("q"),))
                for i in range(1, agents + 1))
    model = CallerModel(Constant(handle)) if patience is None \
        else CallerModel(Constant(handle), Constant(patience))
    return Scenario(queues=(q,), callers={"q": model},
                    groups=(AgentGroup("a", ids, **group),),  # type: ignore[arg-type]
                    arrivals=(ArrivalStream.constant("q", per_hour),), start=DAY0)


class World:
    """Engine + driver + sim adapter on a fake clock; rows collected by a persist sink."""

    def __init__(self, sc: Scenario, bots: bool | set[str] = True, seed: int = 7,
                 queues: set[str] | None = None, shifts: bool = False) -> None:
        self.clock = FakeClock(sc.epoch(DAY0, 9 * 3600))
        self.rows: list[InteractionRecord] = []
        self.commands: list[Command] = []
        engine = Engine(sc.queues, [a for g in sc.groups for a in g.agents])
        self.driver = EngineDriver(engine, self.clock, self._persist)
        self.tel = SimTelephony(sc, self.clock, np.random.default_rng(seed), bots=bots,
                                queues=queues, id_prefix="t", shifts=shifts)
        self.driver.add_sink("telephony", self.tel.execute)

    async def _persist(self, commands: list[Command]) -> None:
        self.commands += commands
        self.rows += [c.record for c in commands if isinstance(c, RecordInteraction)]

    async def start(self) -> None:
        await self.driver.start()
        await self.tel.start(self.driver.report)
        await self.driver.settled()

    async def run(self, seconds: float, step: float = 0.5) -> None:
        for _ in range(int(seconds / step)):
            self.clock.advance(step)
            await self.driver.settled()

    async def stop(self) -> None:
        await self.tel.stop()
        await self.driver.stop()


def test_calls_arrive_get_answered_by_bots_and_complete() -> None:
    """With bots, calls arrive at about the scenario's rate and end as completed rows."""

    async def main() -> None:
        w = World(scenario(per_hour=120, agents=3, answer_delay=Constant(2.0)))
        await w.start()
        await w.run(3600)
        await w.stop()
        assert 80 <= w.tel.arrivals <= 160
        assert len(w.rows) >= w.tel.arrivals - 5
        assert {r.outcome for r in w.rows} == {"completed"}
        assert all(r.talk_seconds >= 59.0 for r in w.rows)
        ids = [r.interaction_id for r in w.rows]
        assert len(set(ids)) == len(ids) and all(i.startswith("t-") for i in ids)

    asyncio.run(main())


def test_same_seed_gives_the_same_calls() -> None:
    """Two runs with the same seed produce the same interactions at the same times."""

    async def one() -> list[tuple[str, float]]:
        w = World(scenario(per_hour=120), seed=3)
        await w.start()
        await w.run(900)
        await w.stop()
        return [(r.interaction_id, r.arrived_at) for r in w.rows]

    assert asyncio.run(one()) == asyncio.run(one())


def test_impatient_callers_abandon_when_nobody_answers() -> None:
    """Without agents logged in, callers hang up after their patience: abandoned rows."""

    async def main() -> None:
        w = World(scenario(per_hour=120, patience=30.0), bots=False)
        await w.start()
        await w.run(600)
        await w.stop()
        assert w.rows and {r.outcome for r in w.rows} == {"abandoned"}
        assert all(29.0 <= r.wait <= 31.0 for r in w.rows)

    asyncio.run(main())


def test_without_bots_the_caller_hangs_up_after_the_handle_time() -> None:
    """A person's accepted call ends when the synthetic caller hangs up, 60 s later."""

    async def main() -> None:
        w = World(scenario(per_hour=60, agents=1), bots=False)
        await w.start()
        await w.driver.submit(AgentLogin("a-1"))
        while not w.tel.arrivals:
            await w.run(1)
        iid = "t-1"
        await w.run(1)
        await w.driver.submit(OfferAccepted("a-1", iid))
        await w.run(70)
        row = next(r for r in w.rows if r.interaction_id == iid)
        assert row.outcome == "completed" and 59.0 <= row.talk_seconds <= 61.0
        await w.stop()

    asyncio.run(main())


def test_bots_take_their_shift_breaks() -> None:
    """A bot pauses at its break with the break's reason and is ready again after it."""

    async def main() -> None:
        shift = Shift("day", 8 * 3600, 17 * 3600,
                      breaks=(Break(9 * 3600 + 600, 300, "coffee"),))
        w = World(scenario(per_hour=1, agents=1, shift=shift))
        await w.start()
        await w.run(1200)
        await w.stop()
        states = [(c.state, c.reason) for c in w.commands
                  if isinstance(c, AgentStateChanged) and c.agent_id == "a-1"]
        assert ("paused", "coffee") in states
        assert states[-1][0] == "available"

    asyncio.run(main())


def test_with_shifts_bots_log_in_at_their_shifts_start_and_out_at_its_end() -> None:
    """Following shifts, a bot whose shift runs 09:10-09:20 is logged out at the 09:00
    start, logs in at 09:10 (available) and is logged out at 09:20; a bot of a
    group without a shift logs in at once."""

    async def main() -> None:
        shift = Shift("short", 9 * 3600 + 600, 9 * 3600 + 1200)
        sc = scenario(per_hour=1, agents=1, shift=shift)
        free = AgentGroup("free", (AgentConfig("f-1", queues=(Membership("q"),)),))
        w = World(replace(sc, groups=(*sc.groups, free)), shifts=True)
        await w.start()
        t0 = w.clock.time()

        def states(aid: str) -> list[tuple[float, str]]:
            return [(c.at - t0, c.state) for c in w.commands
                    if isinstance(c, AgentStateChanged) and c.agent_id == aid]

        await w.run(300)
        assert states("a-1") == []
        assert states("f-1")[0] == (0.0, "available")
        await w.run(1200)
        await w.stop()
        seen = states("a-1")
        assert seen[0] == (600.0, "available")
        assert seen[-1] == (1200.0, "logged_out")

    asyncio.run(main())


def test_bot_paused_for_missed_offers_recovers() -> None:
    """A bot that lets offers ring out is paused by the engine and goes ready again."""

    async def main() -> None:
        sc = scenario(per_hour=240, agents=1, answer_delay=Constant(30.0), recover_after=60.0)
        w = World(replace(sc, queues=(replace(sc.queues[0], offer_timeout=5.0),)))
        await w.start()
        await w.run(900)
        await w.stop()
        reasons = Counter((c.state, c.reason) for c in w.commands
                          if isinstance(c, AgentStateChanged))
        assert reasons[("paused", "missed_offers")] >= 2
        assert w.driver.stats.peer_refused == 0

    asyncio.run(main())


def test_stop_cancels_every_pending_timer() -> None:
    """After `stop` nothing of the adapter's is left on the clock."""

    async def main() -> None:
        w = World(scenario(per_hour=120, patience=600.0))
        await w.start()
        await w.run(300)
        await w.stop()
        assert w.clock.pending() == 0

    asyncio.run(main())


def test_bots_drive_only_the_agents_named() -> None:
    """With a set of bots, the other agents of the group never log in nor take breaks."""

    async def main() -> None:
        shift = Shift("day", 8 * 3600, 17 * 3600,
                      breaks=(Break(9 * 3600 + 600, 300, "coffee"),))
        w = World(scenario(per_hour=60, agents=2, shift=shift), bots={"a-1"})
        await w.start()
        await w.run(1200)
        await w.stop()
        moved = {c.agent_id for c in w.commands if isinstance(c, AgentStateChanged)}
        assert moved == {"a-1"}
        assert w.rows and {r.agent_id for r in w.rows if r.agent_id} == {"a-1"}

    asyncio.run(main())


def test_streams_to_queues_the_engine_lacks_stay_silent() -> None:
    """Arrival streams whose queue is not among `queues` produce no calls."""

    async def main() -> None:
        w = World(scenario(per_hour=360), queues={"other"})
        await w.start()
        await w.run(600)
        await w.stop()
        assert w.tel.arrivals == 0
        assert w.driver.stats.peer_refused == 0

    asyncio.run(main())


def test_callers_call_from_valid_numbers_some_of_them_known_customers() -> None:
    """Every simulated caller's row carries a valid E.164 number; over an hour of 600
    calls, some numbers are the example customers' and most are not."""
    import phonenumbers

    from callcenter.scenario.phones import EXAMPLE_CUSTOMERS

    async def main() -> None:
        w = World(scenario(per_hour=600, agents=20, answer_delay=Constant(1.0), handle=10.0))
        await w.start()
        await w.run(3600)
        await w.stop()
        numbers = [r.caller_number for r in w.rows]
        assert len(numbers) > 400
        assert all(n is not None and n.startswith("+49")
                   and phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers)
        known = {c.numbers[0] for c in EXAMPLE_CUSTOMERS}
        share = sum(n in known for n in numbers) / len(numbers)
        assert 0.2 < share < 0.4  # 0.3 expected; 5 standard deviations are 0.1 at n=500

    asyncio.run(main())
