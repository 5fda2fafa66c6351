"""The sim adapter plays IVR flows in a runtime (fake clock) with the simulator's caller
model: the same flow file and seed give the same outcome for every caller."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from callcenter.api.demo import DEMO_SCENARIO
from callcenter.clock import FakeClock
from callcenter.core.commands import Command, RecordInteraction
from callcenter.core.ivr import FlowEnded
from callcenter.runtime.app import RuntimeSettings
from callcenter.runtime.simulated import build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.spec import Scenario
from callcenter.sim.runner import run_replications
from tests.sim.ivr_files import write

DAY0 = date(2025, 3, 3)
CALLERS = (
    "patience = { dist = \"empirical\", values = [4, 60], weights = [1, 4] }\n"
    "[ivr.nodes.menu]\n"
    'choices = { "1" = 0.3, "2" = 0.2, "3" = 0.2, "7" = 0.1, timeout = 0.1, hangup = 0.1 }\n'
    "[ivr.nodes.number]\n"
    'digits = { "1234" = 0.8, "99" = 0.2 }'
)
"""Every kind of answer; patience far from any prompt's end (4 s, or longer than any
path), so the outcome of a caller does not hang on when exactly it arrived."""


class Runtime:
    """A runtime with the sim adapter on a fake clock; flow rows and interaction rows."""

    def __init__(self, sc: Scenario, **kw: Any) -> None:
        self.clock = FakeClock(sc.epoch(DAY0, 9 * 3600))
        self.flows: list[FlowEnded] = []
        self.rows: list[RecordInteraction] = []
        self.runtime = build_simulated(RuntimeSettings(), persist=self._persist,
                                       clock=self.clock, scenario=sc, **kw)
        self.runtime.driver.add_sink("flows", self._flows)

    async def _persist(self, commands: list[Command]) -> None:
        self.rows += [c for c in commands if isinstance(c, RecordInteraction)]

    async def _flows(self, commands: list[Any]) -> None:
        self.flows += [c for c in commands if isinstance(c, FlowEnded)]

    async def run(self, seconds: float, step: float = 0.5) -> None:
        await self.runtime.start()
        for _ in range(int(seconds / step)):
            self.clock.advance(step)
            await self.runtime.driver.settled()
        await self.runtime.stop()


def by_caller(rows: list[FlowEnded]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Outcome and path by the caller's arrival number (the id's last part)."""
    return {int(r.call_id.rsplit("-", 1)[-1].lstrip("c")): (r.outcome, r.path) for r in rows}


def test_the_sim_adapter_and_the_simulator_give_the_same_outcomes(tmp_path: Path) -> None:
    """Callers 1..n end the flow the same way, on the same path, in the runtime with
    build_simulated(flows=...) and the sim adapter as in the simulator with the same seed."""
    sc = load_scenario(write(tmp_path, CALLERS, per_hour=60))
    assert sc.ivr is not None
    live = Runtime(sc, flows=sc.ivr.flows)
    asyncio.run(live.run(1800))
    simulated = by_caller(run_replications(sc, 1)[0].flows)
    adapter = by_caller(live.flows)
    assert len(adapter) > 20
    assert adapter == {n: simulated[n] for n in adapter}
    kinds = {outcome.partition(":")[0] for outcome, _ in adapter.values()}
    assert kinds == {"queue", "voicemail", "hangup", "abandoned"}


def test_callers_a_flow_queues_are_answered_by_the_bots(tmp_path: Path) -> None:
    """A scenario with [ivr] runs its flows in the sim adapter by default: callers who
    press 1 reach queue A and their calls are completed by bot agents."""
    sc = load_scenario(write(tmp_path, '[ivr.nodes.menu]\nchoices = { "1" = 1.0 }',
                             per_hour=120))
    live = Runtime(sc)
    asyncio.run(live.run(1200))
    assert live.flows and {f.outcome for f in live.flows} == {"queue:A"}
    assert {f.ended - f.started for f in live.flows} == {13.0}
    assert live.rows and {r.record.queue_id for r in live.rows} == {"A"}
    assert {r.record.outcome for r in live.rows} == {"completed"}


def test_the_demo_example_runs_its_callers_through_its_ivr() -> None:
    """The customer-service example (the demo's) sends its callers through the example
    flow into its queues, where the bots answer them."""
    sc = load_scenario(scenario_path(DEMO_SCENARIO))
    live = Runtime(sc)
    asyncio.run(live.run(1800, step=1.0))
    outcomes = {f.outcome for f in live.flows}
    assert {"queue:billing", "queue:technical"} <= outcomes
    entered = [f for f in live.flows if f.flow_id != "csat"]  # not the post-call survey
    assert entered and all(f.path[:2] == ("hours", "language") for f in entered)
    assert {f.flow_id for f in live.flows} <= {"main", "csat"}
    assert {r.record.outcome for r in live.rows} >= {"completed"}


def test_flows_without_the_scenarios_flow_are_refused_when_built(tmp_path: Path) -> None:
    """Flows given to build_simulated that lack a flow the scenario's callers start in are
    an error naming it, before anything runs."""
    sc = load_scenario(write(tmp_path))
    assert sc.ivr is not None
    other = {"other": replace(sc.ivr.flows["main"], id="other")}
    with pytest.raises(ValueError, match=r"start in flow\(s\) main, which the runtime does not"):
        build_simulated(RuntimeSettings(), clock=FakeClock(), scenario=sc, flows=other)
