"""The fake telephony adapter: records telephony commands, injects line events."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.core.commands import AgentStateChanged, Connect, OfferToAgent
from callcenter.core.events import CallerHungUp, Event
from callcenter.telephony.base import FakeTelephony, Telephony


def test_fake_records_only_telephony_commands() -> None:
    """`execute` keeps offers, connects and the like, and ignores state changes."""

    async def main() -> None:
        tel = FakeTelephony()
        offer = OfferToAgent("c1", "a1", "q", "voice", 20.0)
        await tel.execute([AgentStateChanged("a1", "reserved", "", 0.0), offer,
                           Connect("c1", "a1")])
        assert tel.commands == [offer, Connect("c1", "a1")]
        assert tel.of_type(Connect) == [Connect("c1", "a1")]

    asyncio.run(main())


def test_injected_events_go_to_the_report_callback() -> None:
    """`inject` hands a line event to whatever the runtime gave `start`."""

    async def main() -> None:
        tel: Telephony = FakeTelephony()
        got: list[Event] = []
        await tel.start(got.append)
        assert isinstance(tel, FakeTelephony)
        tel.inject(CallerHungUp("c1"))
        assert got == [CallerHungUp("c1")]
        await tel.stop()
        with pytest.raises(RuntimeError, match="not started"):
            tel.inject(CallerHungUp("c2"))

    asyncio.run(main())
