"""The live dialer on a fake clock with the sim adapter's callees (or the fake adapter,
where a test decides each call's fate) and the SQLite store."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from callcenter.core.commands import OfferToAgent
from callcenter.core.dialer.campaign import DialMode
from callcenter.core.dialer.drops import worst_window
from callcenter.core.dialer.leads import LeadResult, LeadState
from callcenter.core.dialer.windows import FixedHolidays, may_call
from callcenter.core.events import (
    AgentHungUp,
    AgentPause,
    AgentReady,
    InteractionArrived,
    OfferAccepted,
    WrapUpDone,
)
from callcenter.runtime.app import RuntimeSettings
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.store.campaigns import change_state
from callcenter.store.dialer import SqlDialerStore
from callcenter.store.leads import add_leads
from callcenter.store.models import DncNumberRow
from callcenter.telephony.base import DialingUnsupported, DialStatus
from tests.runtime.dialer_world import DialerWorld, campaign, leads, scenario

NO_CONTACT = {"busy", "no-answer", "answering-machine", "failed"}


def test_a_running_campaign_stores_every_attempt_with_its_outcome(tmp_path: Path) -> None:
    """Fifteen simulated minutes of a predictive campaign: attempt rows with the outcomes
    of the callees, connected ones with their agent, and the leads written back."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(), leads(400), agents=4)
        await w.start()
        await w.run(900)
        await w.stop()
        return w

    w = asyncio.run(main())
    rows = w.attempts()
    outcomes = Counter(r.outcome for r in rows)
    assert outcomes["answered"] >= 10 and set(outcomes) <= NO_CONTACT | {"answered", "dropped"}
    assert outcomes.keys() & NO_CONTACT
    for r in rows:
        if r.outcome == "answered":
            assert r.agent is not None and r.answered is not None and r.answered >= r.started
        else:
            assert r.agent is None
        assert r.dropped == (r.outcome == "dropped")
    stored = w.leads()
    for r in rows:  # every attempt is counted on its lead
        assert stored[r.lead_id].attempts >= 1 and stored[r.lead_id].state is not LeadState.NEW
    connected = {r.interaction_id for r in w.records if r.queue_id == "campaign:spring"
                 and r.agent_id is not None}
    assert len(connected) >= outcomes["answered"] - 4  # the last calls may still be up


def test_never_dials_a_blocked_number_or_outside_the_callee_window(tmp_path: Path) -> None:
    """Numbers on the do-not-call list (stored, or blocked while running) and callees whose
    local window is closed (Los Angeles at 01:00) are never dialed."""
    berlin = leads(60)
    night = leads(20, zone="America/Los_Angeles", start=100, prefix="+1213")
    stored_block = tuple(lead.number for lead in berlin[:10])

    async def main() -> tuple[DialerWorld, set[str]]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), berlin + night, agents=2,
                        blocked=stored_block)
        await w.start()
        await w.run(30)
        run = w.dialer.run_of("spring")
        assert run is not None
        later = {lead.number for lead in run.queue if lead.state is LeadState.NEW}
        late_block = set(sorted(later)[:5])
        for number in late_block:
            w.dialer.block(number)
        await w.run(600)
        await w.stop()
        return w, late_block

    w, late_block = asyncio.run(main())
    rows = w.attempts()
    dialed = {r.number for r in rows}
    assert len(dialed) >= 10
    assert not dialed & set(stored_block)
    assert not dialed & late_block
    assert not any(n.startswith("+1213") for n in dialed)
    zones = {lead.number: lead.zone for lead in berlin + night}
    assert all(may_call(zones[r.number], w.campaign, r.started, FixedHolidays()) for r in rows)


def test_the_drop_rate_stays_within_the_cap(tmp_path: Path) -> None:
    """An hour of predictive dialing with 20 agents: the worst trailing window of live
    answers, and the dialer's own 24 h figure, stay within the 3 % cap."""

    async def main() -> tuple[DialerWorld, dict[str, object]]:
        w = DialerWorld(tmp_path, campaign(), leads(4000), agents=20, seed=9)
        await w.start()
        await w.run(3600, step=0.5)
        figures = w.dialer.figures("spring")
        assert figures is not None
        await w.stop()
        return w, figures

    w, figures = asyncio.run(main())
    rows = w.attempts()
    lives = sorted((r.answered + (r.info_delay or 0.0), r.dropped) for r in rows
                   if r.answered is not None and r.outcome in ("answered", "dropped"))
    assert len(lives) >= 200
    assert worst_window(lives).rate <= w.campaign.drop_cap
    assert isinstance(figures["drop_rate_24h"], float)
    assert figures["drop_rate_24h"] <= w.campaign.drop_cap
    assert figures["lives_24h"] == len(lives)


def test_pausing_stops_new_dials_and_starting_resumes(tmp_path: Path) -> None:
    """After pause no call is placed; calls in flight still end; start dials again."""

    async def main() -> tuple[DialerWorld, float, int, int]:
        w = DialerWorld(tmp_path, campaign(), leads(600), agents=3)
        await w.start()
        await w.run(120)
        await w.set_state("pause")
        paused_at = w.clock.time()
        run = w.dialer.run_of("spring")
        assert run is not None
        before = run.dialed
        await w.run(180)
        during = run.dialed - before
        await w.set_state("start")
        await w.run(60)
        after = run.dialed - before
        await w.stop()
        return w, paused_at, during, after

    w, paused_at, during, after = asyncio.run(main())
    assert during == 0
    assert after > 0
    rows = w.attempts()
    assert not [r for r in rows if paused_at < r.started < paused_at + 180]


def test_a_stopped_campaign_dials_no_more(tmp_path: Path) -> None:
    """Stop ends the campaign's run: no figures, no dials, its writes stored."""

    async def main() -> tuple[DialerWorld, float]:
        w = DialerWorld(tmp_path, campaign(), leads(300), agents=2)
        await w.start()
        await w.run(60)
        await w.set_state("stop")
        stopped_at = w.clock.time()
        assert w.dialer.figures("spring") is None
        await w.run(120)
        await w.stop()
        return w, stopped_at

    w, stopped_at = asyncio.run(main())
    started = [r.started for r in w.attempts()]
    assert started  # it was dialing before the stop
    assert [t for t in started if t > stopped_at] == []


def test_inbound_goes_first_when_both_wait(tmp_path: Path) -> None:
    """An agent freed while an inbound call and a live answer both wait gets the inbound
    call; the live answer, left without an agent for 2 s, is dropped."""

    async def main() -> tuple[DialerWorld, list[OfferToAgent]]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(5), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_take_dial()  # the ready agent gets one call
        await w.driver.submit(InteractionArrived("in-1", "q"))
        await w.driver.submit(OfferAccepted("a-1", "in-1"))
        await w.driver.submit(InteractionArrived("in-2", "q"))
        fake.dial_update(call_id, DialStatus.ANSWERED, w.clock.time())
        await w.run(0.5)
        offers_before = len(fake.of_type(OfferToAgent))
        await w.driver.submit(AgentHungUp("a-1", "in-1"))  # q: 5 s wrap-up, then free
        await w.run(0.5)
        await w.run(6.0)
        offers = fake.of_type(OfferToAgent)[offers_before:]
        await w.stop()
        return w, offers

    w, offers = asyncio.run(main())
    assert offers and offers[0].interaction_id == "in-2"
    (row,) = w.attempts()
    assert row.outcome == "dropped" and row.dropped


def test_a_live_answer_with_no_agent_for_two_seconds_is_a_drop(tmp_path: Path) -> None:
    """The live answer waits 2 s, then: the information message, the interaction ended as
    `dropped`, a dropped attempt row, the ledger's drop, and the number held for 72 h."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(), leads(1), agents=1, fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_take_dial()
        await w.driver.submit(AgentPause("a-1", "lunch"))
        answered = w.clock.time()
        fake.dial_update(call_id, DialStatus.ANSWERED, answered)
        await w.run(1.5)
        assert not fake.dropped
        await w.run(1.0)
        assert fake.dropped == [(call_id, w.campaign.information_message)]
        await w.driver.submit(AgentReady("a-1"))
        await w.run(60)
        await w.stop()
        return w

    w = asyncio.run(main())
    (row,) = w.attempts()
    assert row.outcome == "dropped" and row.dropped and row.agent is None
    assert row.info_delay == 2.0
    (record,) = [r for r in w.records if r.queue_id == "campaign:spring"]
    assert record.exit_reason == "dropped" and record.answered_at is None
    lead = w.leads()["l0"]
    assert lead.dropped_at is not None and lead.state is LeadState.SCHEDULED
    assert lead.due >= lead.dropped_at + 72 * 3600
    fake = w.fake
    assert fake is not None and len(fake.dials) == 1  # not called again within 72 h


def test_build_runtime_runs_the_stored_running_campaigns(tmp_path: Path) -> None:
    """A runtime built with a dialer store takes the running campaign up at start and
    dials it through the sim adapter until it stops."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(), leads(50), agents=2)  # for its store only
        runtime = build_simulated(RuntimeSettings(), SimSettings(bots=True), clock=w.clock,
                                scenario=scenario(2), dialer_store=SqlDialerStore(w.sessions))
        assert runtime.dialer is not None
        await runtime.start()
        for _ in range(240):
            w.clock.advance(0.5)
            await asyncio.sleep(0)
            await runtime.dialer.settled()
            await runtime.driver.settled()
        assert runtime.dialer.figures("spring") is not None
        await runtime.stop()
        return w

    w = asyncio.run(main())
    assert len(w.attempts()) >= 3
    w.database.dispose()


def test_an_adapter_without_outbound_calls_cannot_start_a_campaign(tmp_path: Path) -> None:
    """Starting a campaign on a runtime whose adapter places no calls names the adapter."""

    class Inbound:
        """A telephony adapter with no outbound side."""

        async def start(self, report: object) -> None:
            pass

        async def stop(self) -> None:
            pass

        async def execute(self, commands: object) -> None:
            pass

    async def main() -> None:
        w = DialerWorld(tmp_path, campaign(), leads(5), agents=1, fake=True)
        with w.sessions.begin() as session:  # paused: taken up at start only by an adapter
            change_state(session, "spring", "pause")  # that places calls
        runtime = build_simulated(RuntimeSettings(), clock=w.clock, scenario=scenario(1),
                                telephony=Inbound(),  # type: ignore[arg-type]
                                dialer_store=SqlDialerStore(w.sessions))
        assert runtime.dialer is not None
        await runtime.start()
        assert runtime.dialer.figures("spring") is None
        with pytest.raises(DialingUnsupported, match="adapter Inbound places no outbound"):
            await runtime.dialer.apply("spring", "running")
        await runtime.stop()
        w.database.dispose()

    asyncio.run(main())


def test_leads_imported_while_running_are_dialed(tmp_path: Path) -> None:
    """Leads stored while the campaign runs (an import) join its queue within a minute."""

    async def main() -> list[str]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        first = await w.start_and_take_dial()
        fake.dial_update(first, DialStatus.BUSY, w.clock.time())
        with w.sessions.begin() as session:
            add_leads(session, "spring", leads(2, start=50))
        await w.run(61.0)
        await w.stop()
        return [number for number, _ in fake.dials.values()]

    dialed = asyncio.run(main())
    assert len(dialed) == 2 and dialed[1] in {lead.number for lead in leads(2, start=50)}


def test_a_call_in_flight_when_the_campaign_stops_is_still_stored(tmp_path: Path) -> None:
    """Stop places no more calls, but the call already ringing gets its attempt row."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(3), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_take_dial()
        await w.set_state("stop")
        fake.dial_update(call_id, DialStatus.BUSY, w.clock.time())
        await w.run(3.0)
        assert len(fake.dials) == 1
        await w.stop()
        return w

    w = asyncio.run(main())
    (row,) = w.attempts()
    assert row.outcome == "busy"
    assert w.leads()[row.lead_id].state is LeadState.SCHEDULED


def test_a_do_not_call_wrap_up_blocks_the_number_at_once(tmp_path: Path) -> None:
    """The agent's do-not-call disposition ends the lead as dnc and puts the number on the
    global list in the store with the next write (a second after)."""

    async def main() -> tuple[DialerWorld, str]:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_connect("a-1")
        await w.run(30.0)
        await w.driver.submit(AgentHungUp("a-1", call_id))
        await w.driver.submit(WrapUpDone("a-1", call_id, "do-not-call"))
        await w.run(1.0)
        await w.stop()
        return w, fake.dials[call_id][0]

    w, number = asyncio.run(main())
    (row,) = w.attempts()
    assert row.outcome == "answered" and row.agent == "a-1"
    lead = w.leads()["l0"]
    assert lead.state is LeadState.DONE and lead.result is LeadResult.DNC
    with w.sessions() as session:
        assert session.get(DncNumberRow, ("global", number)) is not None
