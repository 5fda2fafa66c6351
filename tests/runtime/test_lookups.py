"""Customer lookups in a runtime with IVR flows: the directory answers beside the driver,
for any telephony adapter (here a fake), found or not, numbers normalized."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from callcenter.clock import FakeClock
from callcenter.core.customers import make_customer
from callcenter.core.events import AgentLogin
from callcenter.core.ivr import (
    CallEntered,
    EnterQueue,
    LookupCustomer,
    PlayPrompts,
    PromptFinished,
)
from callcenter.core.ivr_flow import Flow, Lookup, Play, Prompt, SetValues, Switch, ToQueue
from callcenter.crm.directory import Fields, MemoryDirectory
from callcenter.runtime.app import Runtime, RuntimeSettings
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.telephony.base import FakeTelephony

MONDAY_9AM = load_scenario(scenario_path("hotline")).epoch(date(2025, 3, 3), 9 * 3600)
ADA = make_customer("Ada Lovelace", ["030 1234567"], region="DE", account="K-1001",
                    segment="vip", priority=5, fields={"tier": "gold"})
FLOW = Flow("main", "find", {
    "find": Lookup("hello", "q"),
    "hello": Play((Prompt(text="Hello {customer.name}"),), "segment"),
    "segment": Switch("customer.segment", (("vip", "vip"),), "q"),
    "vip": SetValues("q", priority=20, language="en"),
    "q": ToQueue("hotline"),
})


class Seen:
    """A sink keeping every command of every list (IVR ones too)."""

    def __init__(self) -> None:
        self.commands: list[Any] = []

    async def __call__(self, commands: list[Any]) -> None:
        self.commands.extend(commands)

    def of(self, kind: type) -> list[Any]:
        """The commands of one type, in order."""
        return [c for c in self.commands if isinstance(c, kind)]


def run(directory: Any, body: Callable[[Runtime, FakeTelephony, Seen], Awaitable[None]]) -> None:
    """Build a runtime with FLOW, the fake telephony and `directory`; run `body`; stop."""
    async def main() -> None:
        tel = FakeTelephony()
        rt = build_simulated(RuntimeSettings(start=MONDAY_9AM), SimSettings("hotline"),
                             telephony=tel,
                           clock=FakeClock(MONDAY_9AM), flows={"main": FLOW},
                           directory=directory)
        seen = Seen()
        rt.driver.add_sink("seen", seen)
        await rt.start()
        try:
            await body(rt, tel, seen)
        finally:
            await rt.stop()
    asyncio.run(main())


async def settle(rt: Runtime) -> None:
    """Wait until the driver and the lookups under way are done."""
    assert rt.lookups is not None
    await rt.driver.settled()
    await rt.lookups.settled()
    await rt.driver.settled()


def test_a_known_caller_is_greeted_and_routed_by_segment() -> None:
    """A caller whose number (international form) is a vip customer's hears its name and
    queues with the vip branch's priority and the customer's fields as variables."""
    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="+49 30 1234567"))
        await settle(rt)
        assert seen.of(LookupCustomer) == [LookupCustomer("c1", "+49 30 1234567", "number")]
        play = seen.of(PlayPrompts)[-1]
        assert play.prompts == (Prompt(text="Hello Ada Lovelace"),)
        tel.inject(PromptFinished("c1", play.play))
        await settle(rt)
        queued = seen.of(EnterQueue)[0]
        variables = dict(queued.variables)
        assert (queued.priority, queued.language) == (20, "en")
        assert variables["customer.segment"] == "vip"
        assert variables["customer.account"] == "K-1001"
        assert variables["customer.custom.tier"] == "gold"
    run(MemoryDirectory({1: ADA}, region="DE"), body)


def test_a_national_number_is_normalized_with_the_region() -> None:
    """`030 1234567` from the line finds the customer stored as +49301234567 (region DE)."""
    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="030 1234567"))
        await settle(rt)
        assert seen.of(PlayPrompts)[-1].prompts == (Prompt(text="Hello Ada Lovelace"),)
    run(MemoryDirectory({1: ADA}, region="DE"), body)


def test_an_unknown_caller_goes_straight_to_the_queue() -> None:
    """A caller no customer has is not greeted and queues with no customer variables."""
    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="+4940555666"))
        await settle(rt)
        assert seen.of(PlayPrompts) == []
        queued = seen.of(EnterQueue)[0]
        assert queued.priority == 0
        assert not any(k.startswith("customer.") for k, _ in queued.variables)
    run(MemoryDirectory({1: ADA}, region="DE"), body)


def test_without_a_directory_nobody_is_found_at_once() -> None:
    """A runtime given no directory answers every lookup not found, without waiting for
    the IVR's timeout."""
    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="+49301234567"))
        await settle(rt)
        assert [e.queue_id for e in seen.of(EnterQueue)] == ["hotline"]
    run(None, body)


class Failing:
    """A directory whose database is gone."""

    async def find(self, value: str, match: str) -> Fields | None:
        raise ConnectionError("database unreachable")


def test_a_failing_directory_answers_not_found() -> None:
    """A directory error is counted and the call goes on as not found."""
    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="+49301234567"))
        await settle(rt)
        assert [e.queue_id for e in seen.of(EnterQueue)] == ["hotline"]
        assert rt.lookups is not None and rt.lookups.errors == 1
    run(Failing(), body)


class Slow:
    """A directory that answers only when the test lets it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def find(self, value: str, match: str) -> Fields | None:
        await self.release.wait()
        return None


def test_a_slow_directory_does_not_hold_up_the_driver() -> None:
    """While a lookup waits on the directory, the driver handles other events; the call
    moves on once the answer comes."""
    slow = Slow()

    async def body(rt: Runtime, tel: FakeTelephony, seen: Seen) -> None:
        tel.inject(CallEntered("c1", "main", caller="+49301234567"))
        await rt.driver.settled()
        await rt.driver.submit(AgentLogin("early-1"))  # answered while the lookup waits
        assert seen.of(EnterQueue) == []
        slow.release.set()
        await settle(rt)
        assert [e.queue_id for e in seen.of(EnterQueue)] == ["hotline"]
    run(slow, body)
