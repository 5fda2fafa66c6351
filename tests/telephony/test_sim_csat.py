"""Post-call surveys with modelled callers: the sim adapter and the simulator keep the
caller after the agent hangs up, and its seeded answers give the same ratings in both."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from callcenter.core.csat import RecordSurvey, SurveyResult
from callcenter.scenario.load import load_scenario
from callcenter.sim.runner import run_replications
from callcenter.sim.summary import run_csat_kpis
from tests.sim.ivr_files import write
from tests.telephony.test_sim_ivr import Runtime

FLOWS = """
flows:
  main:
    nodes:
      menu:
        menu: "Press one"
        choices: { 1: a }
        timeout: 5
        retries: 0
        fail: a
      a: { queue: A, survey_flow: csat }
  csat:
    nodes:
      rate:
        survey: "Rate the call from one to five"
        invalid: "One to five please"
        next: thanks
        fail: bye
      thanks: { hangup: "Thank you" }
      bye: { hangup: null }
"""

MIXED = ('[ivr.nodes.menu]\nchoices = { "1" = 1.0 }\n'
         '[ivr.nodes.rate]\n'
         'choices = { "5" = 0.4, "4" = 0.2, "2" = 0.1, "9" = 0.1, timeout = 0.1, hangup = 0.1 }')


def ratings(rows: list[SurveyResult]) -> dict[int, int | None]:
    """The rating by the caller's arrival number."""
    return {int(r.interaction_id.rsplit("-", 1)[-1].lstrip("c")): r.rating for r in rows}


class SurveyRuntime(Runtime):
    """The sim adapter's runtime, keeping the survey rows too."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.surveys: list[SurveyResult] = []
        self.runtime.driver.add_sink("csat", self._surveys)

    async def _surveys(self, commands: list[Any]) -> None:
        self.surveys += [c.result for c in commands if isinstance(c, RecordSurvey)]


def test_the_sim_adapter_and_the_simulator_give_the_same_ratings(tmp_path: Path) -> None:
    """Callers 1..n rate alike (or give no rating alike) in the runtime with the sim
    adapter and in the simulator with the same seed."""
    sc = load_scenario(write(tmp_path, MIXED, per_hour=60, flows=FLOWS))
    live = SurveyRuntime(sc)
    asyncio.run(live.run(3600))
    adapter = ratings(live.surveys)
    simulated = ratings(run_replications(sc, 1)[0].surveys)
    assert len(adapter) > 20
    assert adapter == {n: simulated[n] for n in adapter}
    assert {5, 4, None} <= set(adapter.values())
    assert all(r.agent_id is not None and r.queue_id == "A" for r in live.surveys)


def test_callers_who_all_press_4_give_csat_1_and_mean_4(tmp_path: Path) -> None:
    """A model where every caller presses 4: every survey answered, CSAT 1, mean 4."""
    path = write(tmp_path, '[ivr.nodes.rate]\nchoices = { "4" = 1.0 }', flows=FLOWS)
    k = run_csat_kpis(run_replications(load_scenario(path), 1)[0])["A"]
    assert k["offered"] == k["answered"] and int(k["offered"] or 0) > 100
    assert (k["csat"], k["mean"], k["response_rate"]) == (1.0, 4.0, 1.0)


def test_silent_callers_give_no_rating(tmp_path: Path) -> None:
    """Without a model for the survey node nobody answers: response rate 0, no CSAT."""
    k = run_csat_kpis(run_replications(load_scenario(write(tmp_path, flows=FLOWS)), 1)[0])
    assert k["A"]["answered"] == 0 and k["A"]["response_rate"] == 0.0
    assert k["A"]["csat"] is None
