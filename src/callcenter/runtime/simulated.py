"""A runtime on simulated telephony: the `sim` adapter built from a scenario, handed to
`build_runtime`.

    runtime = build_simulated(RuntimeSettings(speed=60), SimSettings("hotline"),
                              persist=store.persist)

The scenario gives the queues and agents (unless the caller passes the store's), the
engine settings, the seed, and the callers and bot agents of the `sim` adapter; a
scenario's `[ivr]` flows run unless `flows` says otherwise. Only this path loads a
scenario: a runtime on SIP telephony is built by `build_runtime` alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from callcenter.clock import Clock, LoopClock
from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.core.ivr_flow import Flow
from callcenter.runtime.app import Runtime, RuntimeSettings, build_runtime
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.spec import IvrModel, Scenario
from callcenter.telephony.base import Telephony
from callcenter.telephony.sim import SimTelephony


@dataclass(frozen=True, slots=True)
class SimSettings:
    """What the simulated telephony plays: whose callers and bots, from what seed."""

    scenario: str | Path = "hotline"
    """An example's name or a scenario file."""
    seed: int | None = None
    """Seed of the synthetic callers and bots (and the engine); None: the scenario's."""
    bots: bool = True
    """Bot agents log in and answer offers; False leaves the agents to people."""
    breaks: bool = True
    """Bot agents take their shift's breaks."""
    shifts: bool = False
    """Bot agents log in and out by their shifts (else all log in at the start)."""


def build_simulated(settings: RuntimeSettings, sim: SimSettings | None = None, *,
                    scenario: Scenario | None = None, clock: Clock | None = None,
                    telephony: Telephony | None = None,
                    queues: Sequence[QueueConfig] | None = None,
                    agents: Sequence[AgentConfig] | None = None,
                    humans: Collection[str] = (),
                    flows: Mapping[str, Flow] | None = None,
                    **runtime: Any) -> Runtime:
    """A runtime whose telephony is the `sim` adapter playing `scenario` (default:
    `sim.scenario`, loaded here). The engine runs `queues` and `agents` (the server
    passes the store's), else the scenario's; the adapter's callers go to those
    queues, and its bots drive those agents but for `humans` (agents people log in
    as). With `flows` (default: the scenario's `[ivr]` flows) the adapter's modelled
    callers answer them as in the simulator. `telephony` replaces the adapter (tests);
    everything else in `runtime` goes to `build_runtime`."""
    sim = sim or SimSettings()
    if scenario is None:
        scenario = load_scenario(scenario_path(sim.scenario))
    if queues is None:
        queues = scenario.queues
    if agents is None:
        agents = [a for g in scenario.groups for a in g.agents]
    seed = scenario.seed if sim.seed is None else sim.seed
    if clock is None:
        clock = LoopClock(settings.speed, settings.start, warm_up=settings.warm_up)
    if flows is None and telephony is None and scenario.ivr is not None:
        flows = scenario.ivr.flows
    if telephony is None:
        tel_rng, _ = np.random.default_rng(seed).spawn(2)  # the engine draws from the other
        bots = {a.id for a in agents}.difference(humans) if sim.bots else set()
        model = None if flows is None else IvrModel(flows) if scenario.ivr is None \
            else replace(scenario.ivr, flows=flows)
        telephony = SimTelephony(scenario, clock, tel_rng, bots=bots, breaks=sim.breaks,
                                 shifts=sim.shifts,
                                 queues={q.id for q in queues}, ivr=model, ivr_seed=seed)
    return build_runtime(settings, telephony, queues=queues, agents=agents,
                         engine_settings=scenario.settings, seed=seed, clock=clock,
                         flows=flows, **runtime)
