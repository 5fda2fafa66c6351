"""Agentless campaigns in the live dialer: up to max_lines calls at once, each live answer
walks the campaign's IVR flow (a recorded survey), no-contact outcomes retried; on a fake
clock with the fake adapter (the test plays the callee) and with the sim adapter's
modelled IVR callers."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from callcenter.core.dialer.campaign import Campaign, DialMode
from callcenter.core.dialer.leads import LeadResult, LeadState
from callcenter.core.ivr import DigitPressed, FlowEnded
from callcenter.core.ivr_flow import Collect, Flow, Hangup, Prompt
from callcenter.runtime.app import Runtime, RuntimeSettings
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.store.dialer import SqlDialerStore
from callcenter.telephony.base import DialingUnsupported, DialStatus, FakeTelephony
from tests.runtime.dialer_world import DialerWorld, campaign, leads, scenario

SURVEY = Flow("survey", "rate", {
    "rate": Collect((Prompt(text="How did we do, from 1 to 5?"),), "rating", "thanks", "bye",
                    max_digits=1),
    "thanks": Hangup((Prompt(text="Thank you."),)),
    "bye": Hangup(),
})


def agentless(**changes: Any) -> Campaign:
    """The test campaign, agentless into the survey on two lines."""
    return replace(campaign(), **{"dial_mode": DialMode.AGENTLESS, "flow": "survey",
                                  "max_lines": 2, **changes})


async def advance(w: DialerWorld, runtime: Runtime, seconds: float) -> None:
    for _ in range(round(seconds / 0.25)):
        w.clock.advance(0.25)
        await asyncio.sleep(0)
        assert runtime.dialer is not None
        await runtime.dialer.settled()
        await runtime.driver.settled()


def test_a_live_answer_walks_the_survey_and_its_answers_end_the_lead(tmp_path: Path) -> None:
    """Two lines at once; the answered callee's key is the flow's variable and the lead is
    done; a busy one is retried; a freed line dials the next lead."""
    ended: list[FlowEnded] = []

    async def main() -> DialerWorld:
        w = DialerWorld(tmp_path, agentless(), leads(4), agents=1, fake=True)  # its store
        fake = FakeTelephony()
        runtime = build_simulated(RuntimeSettings(), SimSettings(bots=False), clock=w.clock,
                                scenario=scenario(1), telephony=fake,
                                flows={"survey": SURVEY},
                                dialer_store=SqlDialerStore(w.sessions))

        async def flows(commands: list[Any]) -> None:
            ended.extend(c for c in commands if isinstance(c, FlowEnded))

        runtime.driver.add_sink("test", flows)
        await runtime.start()
        await advance(w, runtime, 3)
        first, second = list(fake.dials)
        assert len(fake.dials) == 2  # max_lines
        fake.dial_update(first, DialStatus.ANSWERED, w.clock.time())
        fake.dial_update(second, DialStatus.BUSY, w.clock.time())
        await advance(w, runtime, 2)
        assert fake.flows_entered == [(first, "survey")]
        assert len(fake.dials) == 3  # the busy line is free again; the answered one is not
        fake.inject(DigitPressed(first, "4"))
        await advance(w, runtime, 3)
        assert len(fake.dials) == 4
        await runtime.stop()
        return w

    w = asyncio.run(main())
    (run,) = ended
    assert (run.flow_id, run.outcome) == ("survey", "hangup")
    assert dict(run.variables) == {"rating": "4", "caller": "+49305000000",
                                   "dialed": "+4930999000"}
    rows = {r.outcome: r for r in w.attempts()}
    assert set(rows) == {"answered", "busy"} and rows["answered"].agent is None
    stored = w.leads()
    answered = stored[rows["answered"].lead_id]
    assert (answered.state, answered.result) == (LeadState.DONE, LeadResult.COMPLETED)
    assert stored[rows["busy"].lead_id].state is LeadState.SCHEDULED
    w.database.dispose()


def test_an_agentless_campaign_needs_a_flow_the_runtime_runs(tmp_path: Path) -> None:
    """An agentless campaign whose flow the runtime lacks is not taken up at start (the
    runtime starts all the same) and starting it is refused, naming the flow."""

    async def main() -> None:
        w = DialerWorld(tmp_path, agentless(flow="nope"), leads(1), agents=1, fake=True)
        runtime = build_simulated(RuntimeSettings(), SimSettings(bots=False), clock=w.clock,
                                scenario=scenario(1), telephony=FakeTelephony(),
                                flows={"survey": SURVEY},
                                dialer_store=SqlDialerStore(w.sessions))
        assert runtime.dialer is not None
        await runtime.start()
        assert runtime.dialer.run_of("spring") is None
        with pytest.raises(DialingUnsupported, match=r"'nope'.*survey"):
            await runtime.dialer.apply("spring", "running")
        assert runtime.dialer.run_of("spring") is None
        await runtime.stop()
        w.database.dispose()

    asyncio.run(main())


def test_sim_callees_walk_the_campaigns_flow_as_modelled_ivr_callers(tmp_path: Path) -> None:
    """With the sim adapter, live answers enter the scenario's IVR flow as its modelled
    callers: each answered attempt is one flow run with the callee as caller; other
    outcomes occur, and never more than max_lines calls are up at once."""
    ended: list[FlowEnded] = []
    most = 0

    async def main() -> DialerWorld:
        nonlocal most
        c = agentless(flow="main", max_lines=3)
        w = DialerWorld(tmp_path, c, leads(60), agents=1, fake=True)  # for its store only
        sc = load_scenario(scenario_path("customer-service"))
        sc = replace(sc, arrivals=())
        runtime = build_simulated(RuntimeSettings(), SimSettings(bots=True), clock=w.clock,
                                  scenario=sc,
                                  dialer_store=SqlDialerStore(w.sessions))

        async def flows(commands: list[Any]) -> None:
            ended.extend(c for c in commands if isinstance(c, FlowEnded))

        runtime.driver.add_sink("test", flows)
        assert runtime.dialer is not None
        await runtime.start()
        for _ in range(1200):
            await advance(w, runtime, 0.5)
            run = runtime.dialer.run_of("spring")
            assert run is not None
            most = max(most, len(run.calls))
        await runtime.stop()
        return w

    w = asyncio.run(main())
    rows = w.attempts()
    answered = [r.number for r in rows if r.outcome == "answered"]
    assert len(answered) >= 3 and all(r.agent is None for r in rows)
    runs = sorted(dict(e.variables)["caller"] for e in ended if e.flow_id == "main")
    assert runs == sorted(answered)
    assert {r.outcome for r in rows} - {"answered"}  # some no-contact outcomes too
    assert most <= 3
