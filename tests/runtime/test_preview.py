"""Preview campaigns and agents' own callbacks in the live dialer, on a fake clock with
the fake adapter (each test decides what every line does) and the SQLite store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import OfferToAgent
from callcenter.core.dialer.campaign import DialMode, PreviewTimeout
from callcenter.core.dialer.leads import LeadState
from callcenter.core.dialer.preview import PreviewError
from callcenter.core.events import (
    AgentHungUp,
    AgentPause,
    AgentReady,
    OfferAccepted,
    WrapUpDone,
)
from callcenter.runtime.dialer.agent_side import CallbackRefused
from callcenter.telephony.base import DialStatus
from tests.runtime.dialer_world import BERLIN, DialerWorld, campaign, leads

PREVIEW = campaign(DialMode.PREVIEW)


def reserved(w: DialerWorld, agent_id: str) -> str:
    """The lead id reserved for the agent (fails when none is)."""
    found = w.dialer.reservation(agent_id)
    assert found is not None
    return found[1].lead.id


def state(w: DialerWorld, agent_id: str) -> tuple[AgentState, str]:
    a = w.engine.agent(agent_id)
    assert a is not None
    return a.state, a.reason


def test_each_ready_agent_is_reserved_a_lead_and_paused_for_preview(tmp_path: Path) -> None:
    """A tick reserves one lead per ready agent, pauses each agent with reason preview
    (what supervisors see), and dials nothing by itself."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, PREVIEW, leads(5), agents=2, fake=True)
        await w.start()
        await w.run(10)
        assert state(w, "a-1") == state(w, "a-2") == (AgentState.PAUSED, "preview")
        assert reserved(w, "a-1") != reserved(w, "a-2")
        figures = w.dialer.figures("spring")
        assert figures is not None and figures["previewing"] == 2
        await w.stop()
        return w

    w = asyncio.run(main())
    assert w.fake is not None and not w.fake.dials
    assert w.attempts() == []


def test_a_dialed_preview_is_answered_straight_to_its_agent(tmp_path: Path) -> None:
    """Dial, answer: the call is offered to that agent only (the other is free), with no
    drop however long it takes; the attempt row says answered by that agent."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, PREVIEW, leads(1), agents=2, fake=True)
        fake = w.fake
        assert fake is not None
        await w.start()
        await w.run(2)
        lead_id = reserved(w, "a-1")
        await w.driver.submit(AgentReady("a-2"))  # a-2 has nothing to preview: stays free
        await w.dialer.preview_dial("a-1")
        with pytest.raises(PreviewError, match="dialing: cannot dial"):
            await w.dialer.preview_dial("a-1")
        (call_id,) = fake.dials
        await w.run(5)
        fake.dial_update(call_id, DialStatus.ANSWERED, w.clock.time())
        await w.run(0.5)
        offers = [c for c in w.commands if isinstance(c, OfferToAgent)]
        assert [(o.interaction_id, o.agent_id) for o in offers] == [(call_id, "a-1")]
        await w.driver.submit(OfferAccepted("a-1", call_id))
        await w.run(30)
        await w.driver.submit(AgentHungUp("a-1", call_id))
        await w.driver.submit(WrapUpDone("a-1", call_id, "sale"))
        await w.run(2)
        await w.stop()
        assert fake.dropped == []
        assert w.leads()[lead_id].state is LeadState.DONE
        return w

    w = asyncio.run(main())
    (row,) = w.attempts()
    assert (row.outcome, row.agent, row.dropped) == ("answered", "a-1", False)


def test_a_busy_preview_is_shown_retried_and_the_next_lead_reserved(tmp_path: Path) -> None:
    """Busy: an attempt row, the lead scheduled by its retry rule, the agent told (last)
    and reserved its next lead."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, PREVIEW, leads(2), agents=1, fake=True)
        fake = w.fake
        assert fake is not None
        await w.start()
        await w.run(2)
        first = reserved(w, "a-1")
        await w.dialer.preview_dial("a-1")
        (call_id,) = fake.dials
        fake.dial_update(call_id, DialStatus.BUSY, w.clock.time())
        await w.run(2)
        last = w.dialer.last_reservation("a-1")
        assert last is not None and (last[1].lead_id, last[1].outcome) == (first, "busy")
        assert reserved(w, "a-1") != first
        assert state(w, "a-1") == (AgentState.PAUSED, "preview")
        await w.stop()
        assert w.leads()[first].state is LeadState.SCHEDULED
        return w

    w = asyncio.run(main())
    assert [r.outcome for r in w.attempts()] == ["busy"]


def test_a_skip_shows_the_next_lead_at_once_and_uses_no_attempt(tmp_path: Path) -> None:
    """Skip: no call, no attempt row; the lead is due skip_delay later, the next lead is
    reserved at once; with nothing left the agent is made ready."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PREVIEW, skip_delay=600.0), leads(2),
                        agents=1, fake=True)
        await w.start()
        await w.run(2)
        first = reserved(w, "a-1")
        now = w.clock.time()
        skipped = await w.dialer.preview_skip("a-1")
        assert (skipped.id, skipped.state, skipped.due) == (first, LeadState.SCHEDULED,
                                                            now + 600)
        second = reserved(w, "a-1")
        assert second != first
        await w.dialer.preview_skip("a-1")
        assert w.dialer.reservation("a-1") is None
        await w.run(1)
        assert state(w, "a-1")[0] is AgentState.AVAILABLE
        await w.stop()
        return w

    w = asyncio.run(main())
    assert w.fake is not None and not w.fake.dials and w.attempts() == []


def test_a_preview_left_too_long_is_released_and_the_agent_paused(tmp_path: Path) -> None:
    """With the release action, after preview_timeout the lead goes back (due at once) and
    the agent is paused with reason preview-timeout (no more leads until it is ready)."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PREVIEW, preview_timeout=30.0),
                        leads(1), agents=1, fake=True)
        await w.start()
        await w.run(2)
        lead_id = reserved(w, "a-1")
        await w.run(25)
        assert w.dialer.reservation("a-1") is not None
        await w.run(10)
        assert w.dialer.reservation("a-1") is None
        assert state(w, "a-1") == (AgentState.PAUSED, "preview-timeout")
        await w.run(30)
        assert w.dialer.reservation("a-1") is None
        await w.driver.submit(AgentReady("a-1"))
        await w.run(2)
        assert reserved(w, "a-1") == lead_id
        await w.stop()
        return w

    w = asyncio.run(main())
    assert w.fake is not None and not w.fake.dials


def test_a_preview_left_too_long_is_dialed_with_the_dial_action(tmp_path: Path) -> None:
    """With the dial action, the lead is dialed for the agent at preview_timeout."""

    async def main() -> DialerWorld:
        c = campaign(DialMode.PREVIEW, preview_timeout=30.0,
                     preview_timeout_action=PreviewTimeout.DIAL)
        w = DialerWorld(tmp_path, c, leads(1), agents=1, fake=True)
        fake = w.fake
        assert fake is not None
        await w.start()
        await w.run(20)
        assert not fake.dials
        await w.run(15)
        assert len(fake.dials) == 1
        await w.stop()
        return w

    asyncio.run(main())


def test_an_agent_leaving_the_preview_pause_releases_its_lead(tmp_path: Path) -> None:
    """An agent that pauses for lunch while previewing gives its lead back at once."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, PREVIEW, leads(1), agents=2, fake=True)
        await w.start()
        await w.driver.submit(AgentPause("a-2", "lunch"))
        await w.run(2)
        lead_id = reserved(w, "a-1")
        await w.driver.submit(AgentPause("a-1", "lunch"))
        await w.driver.submit(AgentReady("a-2"))
        await w.run(2)
        assert w.dialer.reservation("a-1") is None
        assert reserved(w, "a-2") == lead_id
        await w.stop()
        return w

    asyncio.run(main())


def test_pausing_the_campaign_gives_previewed_leads_back_and_frees_the_agents(
        tmp_path: Path) -> None:
    """Pause: the previewed lead goes back, the agent is ready and reserved nothing more
    until the campaign runs again; then it is reserved the same lead."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, PREVIEW, leads(1), agents=1, fake=True)
        await w.start()
        await w.run(2)
        lead_id = reserved(w, "a-1")
        await w.set_state("pause")
        await w.run(5)
        assert w.dialer.reservation("a-1") is None
        assert state(w, "a-1") == (AgentState.AVAILABLE, "")
        await w.set_state("start")
        await w.run(2)
        assert reserved(w, "a-1") == lead_id
        await w.set_state("stop")
        await w.run(2)
        assert state(w, "a-1") == (AgentState.AVAILABLE, "")
        await w.stop()
        return w

    w = asyncio.run(main())
    assert w.leads()["l0"].state is LeadState.SCHEDULED and w.attempts() == []


def local(w: DialerWorld, hours: float) -> datetime:
    """Berlin wall-clock time `hours` after the world's now, without tzinfo."""
    now = datetime.fromtimestamp(w.clock.time(), ZoneInfo(BERLIN))
    return (now + timedelta(hours=hours)).replace(tzinfo=None)


def test_a_personal_callback_is_dialed_only_for_its_agent_when_ready(tmp_path: Path) -> None:
    """Progressive: a callback scheduled during wrap-up for the agent itself is not dialed
    before it is due, nor while that agent is paused (another agent free); once the agent
    is ready it is dialed for it, and its answer goes to it."""

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=2,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_answer(ring=2, settle=0.5)
        (offer,) = [c for c in w.commands if isinstance(c, OfferToAgent)]
        agent, other = offer.agent_id, ({"a-1", "a-2"} - {offer.agent_id}).pop()
        await w.driver.submit(OfferAccepted(agent, call_id))
        await w.driver.submit(AgentHungUp(agent, call_id))
        with pytest.raises(CallbackRefused, match="past"):
            w.dialer.schedule_callback(agent, call_id, local(w, -1), mine=True)
        with pytest.raises(CallbackRefused, match="calling windows"):
            w.dialer.schedule_callback(agent, call_id, local(w, 12), mine=True)
        with pytest.raises(PreviewError, match="not agent"):
            w.dialer.schedule_callback(other, call_id, local(w, 2), mine=True)
        lead, due = w.dialer.schedule_callback(agent, call_id, local(w, 2), mine=True)
        assert lead.state is LeadState.CALLBACK and lead.callback_agent == agent
        await w.driver.submit(WrapUpDone(agent, call_id, "not-interested"))
        await w.driver.submit(AgentPause(agent, "lunch"))
        await w.run(60)
        assert w.leads()[lead.id].state is LeadState.CALLBACK  # the callback stands
        w.clock.advance(due - w.clock.time() + 1)
        await w.run(30)
        assert len(fake.dials) == 1  # due, but its agent is paused; the other is free
        await w.driver.submit(AgentReady(agent))
        await w.run(2)
        assert len(fake.dials) == 2
        assert state(w, agent) == (AgentState.PAUSED, "callback")
        fake.dial_update(list(fake.dials)[1], DialStatus.ANSWERED, w.clock.time())
        await w.run(0.5)
        offers = [c for c in w.commands if isinstance(c, OfferToAgent)]
        assert (offers[-1].interaction_id, offers[-1].agent_id) == (list(fake.dials)[1], agent)
        assert other not in {o.agent_id for o in offers[1:]}
        await w.stop()
        return w

    asyncio.run(main())


def test_a_callback_for_a_do_not_call_number_is_refused(tmp_path: Path) -> None:
    """A number put on a do-not-call list during the call gets no callback: the refusal
    names the interaction."""

    async def main() -> None:
        w = DialerWorld(tmp_path, campaign(DialMode.PROGRESSIVE), leads(1), agents=1,
                        fake=True)
        fake = w.fake
        assert fake is not None
        call_id = await w.start_and_connect("a-1", ring=2, settle=0.5)
        await w.driver.submit(AgentHungUp("a-1", call_id))
        w.dialer.block(fake.dials[call_id][0])
        with pytest.raises(CallbackRefused, match="do-not-call") as refused:
            w.dialer.schedule_callback("a-1", call_id, local(w, 2), mine=False)
        assert refused.value.field == "interaction_id"
        await w.stop()

    asyncio.run(main())
