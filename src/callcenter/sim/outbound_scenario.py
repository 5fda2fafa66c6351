"""Outbound scenario files (TOML) -> `OutboundSpec`, with errors naming the file, line and key.

A scenario file with a ``[campaign]`` table is outbound: one campaign, its agents, its
dialer and the people it calls (`callcenter.sim.outbound`). The format is documented
key by key in `docs/reference/scenario-format.md` ("Outbound scenarios").
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from callcenter.core.dialer.drops import DAY
from callcenter.core.dialer.pacing import (
    AdaptAverage,
    AdaptSettings,
    Pacer,
    Predictive,
    PredictiveSettings,
    Progressive,
)
from callcenter.scenario import parse
from callcenter.scenario.callees import OutcomeModel
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.parse import Table
from callcenter.sim.outbound import OutboundScenario

__all__ = ["DIAL_MODES", "OutboundSpec", "Swing", "is_outbound", "load_outbound",
           "mode_name", "parse_outbound", "schedule"]

DIAL_MODES = ("progressive", "adapt-average", "predictive")
_ALIASES = {"adapt": "adapt-average", "adapt_average": "adapt-average"}
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_DEFAULT = OutcomeModel()
_MAX_SHIFT_HOURS = 23.0  # calls still up at the end of a shift finish before the next one


def mode_name(text: str) -> str | None:
    """The dial mode a name stands for (`adapt` is `adapt-average`); None if unknown."""
    name = _ALIASES.get(text.strip().lower(), text.strip().lower())
    return name if name in DIAL_MODES else None


@dataclass(frozen=True, slots=True)
class Swing:
    """The live-answer rate from `at` seconds into the shift, on `days` (from 1; None: all)."""

    at: float
    live: float
    days: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class OutboundSpec:
    """An outbound scenario: the simulation, its dialer settings, runs and seed."""

    name: str
    description: str
    scenario: OutboundScenario
    dial_mode: str  # one of DIAL_MODES
    target_rate: float  # predictive: drops per live answer aimed at
    max_lines_per_agent: float  # predictive: calls in flight per logged-in agent, at most
    adapt: AdaptSettings
    seed: int
    replications: int
    swings: tuple[Swing, ...] = ()
    source: Path | None = None

    def simulation(self, days: int | None = None) -> OutboundScenario:
        """The simulation over `days` (default: the scenario's), swings laid out on them."""
        n = self.scenario.days if days is None else days
        model = replace(self.scenario.model, live_rates=schedule(
            self.swings, n, self.scenario.model.live_rate))
        return replace(self.scenario, days=n, model=model)

    def pacer(self, mode: str | None = None) -> Pacer:
        """A fresh pacer of `mode` (default: the scenario's) with the scenario's settings."""
        chosen = self.dial_mode if mode is None else mode
        if chosen == "progressive":
            return Progressive()
        if chosen == "adapt-average":
            return AdaptAverage(self.adapt)
        if chosen == "predictive":
            return Predictive(PredictiveSettings(
                target_rate=self.target_rate, grace=self.scenario.grace,
                ring_seconds=self.scenario.model.ring_timeout,
                max_in_flight_per_agent=self.max_lines_per_agent))
        raise ValueError(f"unknown dial mode {chosen!r}; known: {', '.join(DIAL_MODES)}")


def is_outbound(text: str) -> bool:
    """True if the TOML text has a top-level ``[campaign]`` table (False if not TOML)."""
    try:
        return "campaign" in tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False


def load_outbound(file: str | Path) -> OutboundSpec:
    """Read and validate an outbound scenario file."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario: {exc.strerror}", file=path) from None
    return parse_outbound(text, path)


def parse_outbound(text: str, source: Path | None = None) -> OutboundSpec:
    """Validate outbound scenario TOML `text`; `source` names the file in errors."""
    name = str(source) if source is not None else "<scenario>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        line = int(m.group(1)) if m else None
        raise ScenarioError(f"not valid TOML: {_TOML_AT.sub('', str(exc))}", file=name,
                            line=line) from None
    try:
        return _build(Table(data, ()), source)
    except ScenarioError as exc:
        raise exc.located(name, parse.locate(text, exc.path)) from None


def _build(root: Table, source: Path | None) -> OutboundSpec:
    sim = root.table("simulation")
    default_name = source.stem if source is not None else "outbound"
    name = sim.string("name", default_name)
    description = sim.string("description", "")
    days = sim.integer("days", 5, minimum=1)
    seed = sim.integer("seed", 1, minimum=0)
    replications = sim.integer("replications", 1, minimum=1)
    sim.done()

    campaign = root.table("campaign")
    raw_mode = campaign.string("dial_mode", "predictive")
    mode = mode_name(raw_mode)
    if mode is None:
        raise ScenarioError(f"must be one of {', '.join(DIAL_MODES)}; got {raw_mode!r}",
                            campaign.at("dial_mode"))
    cap = campaign.number("drop_cap", 0.03, minimum=0)
    if cap >= 1:
        raise ScenarioError(f"must be below 1 (a fraction: 0.03 is 3 %), got {cap:g}",
                            campaign.at("drop_cap"))
    grace = campaign.number("grace", 2.0, positive=True)
    target = campaign.optional_number("target_rate", positive=True)
    target_rate = min(0.025, 0.8 * cap) if target is None else target
    if not target_rate < 1:
        raise ScenarioError(f"must be below 1, got {target_rate:g}", campaign.at("target_rate"))
    if target_rate <= 0:
        raise ScenarioError("a drop cap of 0 leaves predictive no target: set target_rate "
                            "or use progressive", campaign.at("drop_cap"))
    lines = campaign.number("max_lines_per_agent", 4.0, positive=True)
    adapt = AdaptSettings(
        dropped_percentage=campaign.number("adapt_dropped_percentage", 100.0 * cap, minimum=0),
        maximum_level=campaign.number("adapt_maximum_level", 3.0, minimum=1),
        intensity=_intensity(campaign),
    )
    campaign.done()

    agents = root.table("agents")
    count = agents.integer("count")
    if count < 1:
        raise ScenarioError(f"must be >= 1, got {count}", agents.at("count"))
    hours = agents.number("shift_hours", 8.0, positive=True)
    if hours > _MAX_SHIFT_HOURS:
        raise ScenarioError(f"must be at most {_MAX_SHIFT_HOURS:g} (one shift a day), "
                            f"got {hours:g}", agents.at("shift_hours"))
    wrap = agents.number("wrap_up", 15.0, minimum=0)
    agents.done()

    model = _outcomes(root.table("outcomes"), wrap)
    swings = _swings(root.array("swings"), hours * 3600.0, model)
    root.done()
    scenario = OutboundScenario(agents=count, days=days, shift_seconds=hours * 3600.0,
                                grace=grace, cap=cap, model=model)
    spec = OutboundSpec(name=name, description=description, scenario=scenario,
                        dial_mode=mode, target_rate=target_rate, max_lines_per_agent=lines,
                        adapt=adapt, seed=seed, replications=replications, swings=swings,
                        source=source)
    return replace(spec, scenario=spec.simulation())


def _intensity(campaign: Table) -> float:
    value = campaign.number("adapt_intensity", 0.0)
    if not -40 <= value <= 40:
        raise ScenarioError(f"must be between -40 and 40, got {value:g}",
                            campaign.at("adapt_intensity"))
    return value


def _rate(t: Table, key: str, default: float) -> float:
    value = t.number(key, default, minimum=0)
    if value > 1:
        raise ScenarioError(f"must be a fraction from 0 to 1, got {value:g}", t.at(key))
    return value


def _outcomes(t: Table, wrap: float) -> OutcomeModel:
    live = _rate(t, "live", 0.30)
    machine = _rate(t, "machine", 0.15)
    busy = _rate(t, "busy", 0.10)
    if live + machine + busy > 1:
        raise ScenarioError(f"live + machine + busy must be at most 1, got "
                            f"{live + machine + busy:g}", t.at("live"))
    ring = t.number("ring_timeout", 30.0, positive=True)
    answer_mean, answer_shape = _gamma(t.raw("answer_time", {"dist": "gamma", "mean": 12.0,
                                                              "shape": 4.0}),
                                       t.at("answer_time"))
    if answer_mean >= ring:
        raise ScenarioError(f"mean ({answer_mean:g} s) must be below ring_timeout "
                            f"({ring:g} s)", t.at("answer_time"))
    busy_low, busy_high = _uniform(t.raw("busy_time", {"dist": "uniform", "low": 3.0,
                                                      "high": 8.0}), t.at("busy_time"))
    talk_mean, talk_sigma = _DEFAULT.talk_mean, _DEFAULT.talk_sigma  # sd 143.1 s
    if t.has("talk_time"):
        talk_mean, talk_sigma = _lognormal(t.raw("talk_time"), t.at("talk_time"))
    amd = t.number("machine_detection", 2.5, minimum=0)
    t.done()
    return OutcomeModel(live_rate=live, machine_rate=machine, busy_rate=busy,
                        answer_mean=answer_mean, answer_shape=answer_shape,
                        ring_timeout=ring, busy_seconds=(busy_low, busy_high),
                        amd_seconds=amd, talk_mean=talk_mean, talk_sigma=talk_sigma,
                        wrap_seconds=wrap)


def _gamma(value: object, path: parse.Path) -> tuple[float, float]:
    """Time to answer: `{ dist = "gamma", mean, shape }` or `{ dist = "exponential", mean }`."""
    if not isinstance(value, dict):
        raise ScenarioError('must be a table like { dist = "gamma", mean = 12, shape = 4 }',
                            path)
    t = Table(value, path)
    kind = t.string("dist", choices=("gamma", "exponential"))
    mean = t.number("mean", positive=True)
    shape = t.number("shape", positive=True) if kind == "gamma" else 1.0
    t.done()
    return mean, shape


def _uniform(value: object, path: parse.Path) -> tuple[float, float]:
    """`{ dist = "uniform", low, high }` or a constant number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = parse.number(value, path, positive=True)
        return v, v
    t = Table(value, path)
    t.string("dist", choices=("uniform",))
    low, high = t.number("low", positive=True), t.number("high", positive=True)
    if high < low:
        raise ScenarioError(f"high ({high:g}) must be at least low ({low:g})", path)
    t.done()
    return low, high


def _lognormal(value: object, path: parse.Path) -> tuple[float, float]:
    """Talk time: `{ dist = "lognormal", mean, sd }` -> (mean, sigma of the underlying normal)."""
    if not isinstance(value, dict):
        raise ScenarioError('must be a table like { dist = "lognormal", mean = 180, sd = 140 }',
                            path)
    t = Table(value, path)
    t.string("dist", choices=("lognormal",))
    mean, sd = t.number("mean", positive=True), t.number("sd", positive=True)
    t.done()
    return mean, math.sqrt(math.log1p((sd / mean) ** 2))


def _swings(items: list[Any], shift: float, model: OutcomeModel) -> tuple[Swing, ...]:
    """`[[swings]]`: the live-answer rate from a time into the shift, on some days or all."""
    others = model.machine_rate + model.busy_rate
    out = []
    for i, item in enumerate(items):
        t = Table(item, ("swings", i))
        live = t.number("live", minimum=0)
        if live + others > 1:
            raise ScenarioError(f"live + machine + busy must be at most 1, got "
                                f"{live + others:g}", t.at("live"))
        at = parse.time_of_day(t.raw("at", "00:00"), t.at("at"))
        if at >= shift:
            raise ScenarioError(f"must fall within the shift ({shift / 3600:g} h), "
                                f"got {t.raw('at')!r}", t.at("at"))
        on = _days(t.raw("days"), t.at("days")) if t.has("days") else None
        t.done()
        out.append(Swing(at, live, on))
    return tuple(sorted(out, key=lambda s: s.at))


def schedule(swings: tuple[Swing, ...], days: int, base: float
             ) -> tuple[tuple[float, float], ...]:
    """The live-rate steps (seconds from the run's start, rate) of `days` days: each day
    starts at the base rate, and the swings of that day take over at their time."""
    steps: list[tuple[float, float]] = []
    for d in range(days):
        today = [s for s in swings if s.days is None or d + 1 in s.days]
        if steps and steps[-1][1] != base and (not today or today[0].at > 0):
            steps.append((d * DAY, base))
        steps += [(d * DAY + s.at, s.live) for s in today]
    return tuple(steps)


def _days(value: object, path: parse.Path) -> frozenset[int]:
    """Day numbers from 1: `3`, `"5-9"`, or an array of those."""
    items = value if isinstance(value, list) else [value]
    out: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and item >= 1:
            out.add(item)
            continue
        m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", item) if isinstance(item, str) else None
        if m is None or not 1 <= int(m.group(1)) <= int(m.group(2)):
            raise ScenarioError(f'must be day numbers from 1 like 3, "5-9" or [1, "10-12"], '
                                f"got {item!r}", path)
        out |= set(range(int(m.group(1)), int(m.group(2)) + 1))
    if not out:
        raise ScenarioError("must name at least one day", path)
    return frozenset(out)
