"""A live dialer on a fake clock: engine, driver, telephony (sim or fake), the SQLite store.

The campaign `spring` calls Berlin numbers from Monday 2025-03-03 10:00 Berlin time
(inside the default windows). Agents `a-1`, `a-2`, ... have the campaign's skill and no
queue list, so they serve the inbound queue `q` and the campaign's queue (blended).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from callcenter.clock import FakeClock
from callcenter.core.commands import Command, RecordInteraction
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.dialer.campaign import Campaign, DialMode
from callcenter.core.dialer.leads import Lead
from callcenter.core.dialer.windows import FixedHolidays
from callcenter.core.engine import Engine
from callcenter.core.events import AgentLogin, OfferAccepted
from callcenter.core.records import InteractionRecord
from callcenter.runtime.dialer import DialerService, DialerSettings
from callcenter.runtime.dialer.service import DialerStore
from callcenter.runtime.driver import EngineDriver
from callcenter.scenario.callees import OutcomeModel
from callcenter.scenario.models import Constant
from callcenter.scenario.spec import AgentGroup, ArrivalStream, CallerModel, Scenario
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.campaigns import attempts_of, change_state
from callcenter.store.dialer import SqlDialerStore
from callcenter.store.leads import add_campaign, add_dnc, add_leads, load_leads
from callcenter.store.models import AttemptRow
from callcenter.telephony.base import DialStatus, FakeTelephony
from callcenter.telephony.sim import SimTelephony

DAY0 = date(2025, 3, 3)  # a Monday
BERLIN = "Europe/Berlin"
SKILL = "campaign:spring"


def campaign(mode: DialMode = DialMode.PREDICTIVE, **changes: Any) -> Campaign:
    """The test campaign."""
    c = Campaign("spring", dial_mode=mode, caller_id="+4930999000",
                 information_message="Sorry, we will call again.")
    return replace(c, **changes)


def leads(n: int, zone: str = BERLIN, start: int = 0, prefix: str = "+4930") -> list[Lead]:
    """`n` leads with distinct numbers."""
    return [Lead(f"l{start + i}", f"{prefix}{5000000 + start + i}", zone)
            for i in range(n)]


def scenario(agents: int, inbound_per_hour: float = 0.0) -> Scenario:
    """An inbound queue `q` (5 s wrap-up) and `agents` blended agents."""
    q = QueueConfig("q", wrap_up=5.0, offer_timeout=15.0)
    ids = tuple(AgentConfig(f"a-{i}", skills=((SKILL, 1),)) for i in range(1, agents + 1))
    arrivals = (ArrivalStream.constant("q", inbound_per_hour),) if inbound_per_hour else ()
    return Scenario(queues=(q,), callers={"q": CallerModel(Constant(120.0))},
                    groups=(AgentGroup("a", ids),), arrivals=arrivals, start=DAY0,
                    timezone=BERLIN)


class DialerWorld:
    """Everything wired; `run(seconds)` moves the clock in small steps."""

    def __init__(self, tmp: Path, c: Campaign, lead_list: list[Lead], *, agents: int = 3,
                 fake: bool | FakeTelephony = False, blocked: tuple[str, ...] = (),
                 seed: int = 5, inbound_per_hour: float = 0.0,
                 model: OutcomeModel | None = None, settings: DialerSettings | None = None,
                 store: Callable[[SqlDialerStore], DialerStore] | None = None) -> None:
        """`fake`: the fake adapter (or this one) instead of the sim adapter; `store`
        wraps the SQLite store the dialer is given."""
        url = f"sqlite:///{tmp / 'dialer.db'}"
        migrate(url)
        self.database = create_engine_for(url)
        self.sessions = session_factory(self.database)
        with self.sessions.begin() as session:
            add_campaign(session, c)
            add_leads(session, c.name, lead_list)
            change_state(session, c.name, "start")
            for number in blocked:
                add_dnc(session, number)
        self.campaign = c
        sc = scenario(agents, inbound_per_hour)
        self.clock = FakeClock(sc.epoch(DAY0, 10 * 3600))
        self.records: list[InteractionRecord] = []
        self.commands: list[Command] = []
        self.engine = Engine(sc.queues, [a for g in sc.groups for a in g.agents])
        self.driver: EngineDriver[Command] = EngineDriver(self.engine, self.clock, self._persist)
        self.fake = fake if isinstance(fake, FakeTelephony) else FakeTelephony() if fake else None
        self.sim = None if fake else SimTelephony(
            sc, self.clock, np.random.default_rng(seed), bots=True, id_prefix="t",
            callees=model)
        tel = self.fake if self.fake is not None else self.sim
        assert tel is not None
        self.tel = tel
        self.driver.add_sink("telephony", tel.execute)
        sql = SqlDialerStore(self.sessions)
        self.dialer = DialerService(self.engine, self.driver, self.clock,
                                    sql if store is None else store(sql), tel, FixedHolidays(),
                                    settings)

    async def _persist(self, commands: list[Command]) -> None:
        self.commands += commands
        self.records += [c.record for c in commands if isinstance(c, RecordInteraction)]

    async def start(self) -> None:
        """Driver, telephony (bots log in; with the fake adapter the agents log in), dialer."""
        await self.driver.start()
        await self.tel.start(self.driver.report)
        if self.fake is not None:  # no bots: the agents log in ready
            for agent_id in self.engine.agent_ids():
                await self.driver.submit(AgentLogin(agent_id))
        await self.driver.settled()
        await self.dialer.start()

    async def start_and_take_dial(self, ring: float = 1.0) -> str:
        """Start, run `ring` seconds: the id of the one call placed (fake adapter only;
        fails unless exactly one call was placed)."""
        fake = self.fake
        assert fake is not None
        await self.start()
        await self.run(ring)
        assert len(fake.dials) == 1, fake.dials
        (call_id,) = fake.dials
        return call_id

    async def start_and_answer(self, ring: float = 1.0, settle: float = 0.25) -> str:
        """Start, run `ring` seconds, report the one call placed answered, run `settle`
        seconds (the call is offered, not yet accepted): its id."""
        call_id = await self.start_and_take_dial(ring)
        assert self.fake is not None
        self.fake.dial_update(call_id, DialStatus.ANSWERED, self.clock.time())
        await self.run(settle)
        return call_id

    async def start_and_connect(self, agent: str = "a-1", ring: float = 1.0,
                                settle: float = 0.25) -> str:
        """`start_and_answer`, then `agent` accepts the call: its id."""
        call_id = await self.start_and_answer(ring, settle)
        await self.driver.submit(OfferAccepted(agent, call_id))
        return call_id

    async def stop(self) -> None:
        """Dialer (last writes), telephony, driver; the database closed."""
        await self.dialer.stop()
        await self.tel.stop()
        await self.driver.stop()
        self.database.dispose()

    async def settle(self) -> None:
        """Everything queued handled, every dialer task done."""
        for _ in range(3):
            await asyncio.sleep(0)
            await self.dialer.settled()
            await self.driver.settled()

    async def run(self, seconds: float, step: float = 0.25) -> None:
        """Move the clock `seconds` forward, `step` at a time, settling after each."""
        for _ in range(round(seconds / step)):
            self.clock.advance(step)
            await self.settle()

    async def set_state(self, action: str) -> str:
        """Change the stored state as the API does, then tell the dialer."""
        with self.sessions.begin() as session:
            state = change_state(session, self.campaign.name, action)
        await self.dialer.apply(self.campaign.name, state)
        return state

    def attempts(self) -> list[AttemptRow]:
        """The stored attempts."""
        with self.sessions() as session:
            rows = attempts_of(session, self.campaign.name)
            session.expunge_all()
            return rows

    def leads(self) -> dict[str, Lead]:
        """The stored leads by id."""
        with self.sessions() as session:
            return {lead.id: lead for lead in load_leads(session, self.campaign.name)}
