"""The demo's scenario (`customer-service`) keeps its agents busy: about 85 % occupied.

The expected figure is worked out here from the scenario file alone (offered load in
Erlangs over the agents on shift, as in Erlang C), then a simulated day with a seed of
its own must land in the same band.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from callcenter.scenario.load import load_scenario
from callcenter.sim.runner import run_replications
from callcenter.sim.summary import run_kpis

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenarios" \
    / "customer-service.toml"


def _spec() -> dict[str, Any]:
    with SCENARIO.open("rb") as f:
        return tomllib.load(f)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _mean_handle(queue: dict[str, Any]) -> float:
    """Mean talk time of a queue's calls, seconds (the distribution's own mean)."""
    ht = queue["handle_time"]
    if ht["dist"] == "empirical":
        return sum(v * w for v, w in zip(ht["values"], ht["weights"], strict=True)) \
            / sum(ht["weights"])
    return float(ht["mean"])


def offered_occupancy() -> float:
    """Offered load over staffed time for the whole day: the calls of the day times
    their mean talk time, over the agent time on shift within opening hours less
    breaks (Erlang C's A / N, summed over the day)."""
    spec = _spec()
    queues = spec["queues"]
    menu = spec["ivr"]["nodes"]["main-menu"]["choices"]
    ivr_callers = sum(a["daily"] for a in spec["arrivals"] if "flow" in a)
    work = ivr_callers * sum(menu[key] * _mean_handle(queues[q])
                             for key, q in (("1", "billing"), ("2", "technical"),
                                            ("3", "sales")))
    for a in spec["arrivals"]:
        if "queue" in a:
            work += sum(a["per_interval"]) * _mean_handle(queues[a["queue"]])
    opens, closes = (_minutes(t) for t in
                     spec["calendars"]["office"]["hours"]["mon-fri"].split("-"))
    staffed = 0.0
    for group in spec["agents"]:
        shift = spec["shifts"][group["shift"]]
        on = min(_minutes(shift["end"]), closes) - max(_minutes(shift["start"]), opens)
        staffed += group["count"] * (on - sum(b["minutes"] for b in shift["breaks"])) * 60
    return work / staffed


def test_the_demo_scenario_offers_enough_work_for_85_percent() -> None:
    """Offered load over agents on shift is 0.80 to 0.95: with the callers who hang up
    while waiting, the agents carry about 85 %."""
    # By hand: 2600 callers x (0.48 x 240 + 0.29 x 420 + 0.20 x 266.25) s + 32 x 266.25 s
    # = 763,170 s of talk; 18 x (480 - 45) + 14 x (490 - 45) = 14,060 agent-minutes.
    assert abs(offered_occupancy() - 763_170 / (14_060 * 60)) < 1e-9
    assert 0.80 <= offered_occupancy() <= 0.95


def test_a_simulated_demo_day_keeps_agents_about_85_percent_occupied() -> None:
    """One simulated day (seed 11, not the scenario's) keeps the agents 80 to 90 %
    occupied, and callers wait at the peaks (an ASA of seconds, not minutes)."""
    sc = load_scenario(SCENARIO)
    (result,) = run_replications(sc, 1, 11, 1)
    kpis = run_kpis(result, sc)["all"]
    assert 0.80 <= kpis["occupancy"] <= 0.90
    assert 10 <= kpis["asa"] <= 180
