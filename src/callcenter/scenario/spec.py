"""The simulated world as plain values: what `scenario.load_scenario` returns.

Routing settings are the core's own `QueueConfig` / `AgentConfig`; everything else
here describes the people around the engine: callers (arrivals, patience, handle
time, callback choice) and agents (shifts, breaks, answer delay).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.core.config import AgentConfig, EngineSettings, QueueConfig, SkillRequirement
from callcenter.core.ivr_flow import Flow
from callcenter.scenario.models import Constant, Distribution, Exponential, Never
from callcenter.scenario.trace import Trace

# The simulator reads rows and agent states; interaction state changes it leaves out.
SIM_SETTINGS = EngineSettings(interaction_changes=False)
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class CallbackChoice:
    """When the expected wait exceeds `threshold` seconds, a caller takes the
    offered callback with `probability`, `delay` seconds after arriving."""

    threshold: float
    probability: float
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class CallerModel:
    """How the callers of one queue behave."""

    handle_time: Distribution
    patience: Distribution = field(default_factory=Never)
    callback: CallbackChoice | None = None


@dataclass(frozen=True, slots=True)
class ArrivalStream:
    """Poisson arrivals with a constant rate within each interval of a day.

    Interval `i` starts `starts[i]` seconds after local midnight, lasts `length`
    seconds and expects `expected[i]` arrivals, on each day in `weekdays`.
    `handle_time` / `patience` override the queue's caller model. With `flow`, the
    callers start in that IVR flow (`Scenario.ivr`) and `queue_id` is empty: the flow
    decides their queue, skills and priority.
    """

    queue_id: str
    starts: tuple[float, ...]
    length: float
    expected: tuple[float, ...]
    weekdays: frozenset[int] = frozenset(range(7))
    priority: int = 0
    skills: tuple[SkillRequirement, ...] = ()
    handle_time: Distribution | None = None
    patience: Distribution | None = None
    flow: str | None = None

    @classmethod
    def constant(cls, queue_id: str, per_hour: float, **kw: object) -> ArrivalStream:
        """Round-the-clock arrivals at `per_hour` calls an hour."""
        return cls(queue_id, (0.0,), DAY, (per_hour * 24,), **kw)  # type: ignore[arg-type]

    def daily_volume(self) -> float:
        """Expected arrivals on one day it runs."""
        return sum(self.expected)


TIMEOUT = "timeout"
"""A caller's answer at a menu or collect node: press nothing (the node times out)."""
HANGUP = "hangup"
"""A caller's answer at a menu or collect node: hang up (abandoned in the IVR)."""


@dataclass(frozen=True, slots=True)
class NodeAnswers:
    """What callers answer at one menu or collect node: (answer, probability) pairs
    summing to 1. An answer is a key (menu), a string of digits (collect), `timeout`
    or `hangup`."""

    answers: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class IvrModel:
    """IVR flows and how simulated callers behave in them (the `[ivr]` table).

    A caller listens to each prompt to its end, then answers after `think_time`
    (keys of a collect `key_gap` seconds apart); it hangs up after `patience` in the
    IVR (from its arrival until the flow hands it on). Prompts last their WAV file's
    length (files under `prompt_dir`) or their words at `words_per_minute`. A lookup
    finds the customer with probability `lookup_found`, after `lookup_delay`."""

    flows: Mapping[str, Flow]
    nodes: Mapping[str, NodeAnswers] = field(default_factory=dict)
    words_per_minute: float = 150.0
    prompt_dir: Path | None = None
    prompt_seconds: Mapping[str, float] = field(default_factory=dict)
    """Length of each WAV prompt the flows name, read from its header on loading."""
    think_time: Distribution = field(default_factory=lambda: Constant(1.0))
    key_gap: float = 0.5
    patience: Distribution = field(default_factory=Never)
    lookup_found: float = 0.0
    lookup_delay: float = 0.0
    source: Path | None = None


@dataclass(frozen=True, slots=True)
class Break:
    """A pause during a shift, `start` seconds after local midnight.

    With `stagger`, the group's agents go one after another: the i-th agent
    (from 0) `i * stagger` seconds later, so a team does not leave all at once.
    """

    start: float
    duration: float
    reason: str = "break"
    stagger: float = 0.0


@dataclass(frozen=True, slots=True)
class Shift:
    """Working hours: login at `start`, logout at `end` (seconds after local midnight;
    `end` may pass midnight), on `weekdays`, with breaks."""

    name: str
    start: float
    end: float
    weekdays: frozenset[int] = frozenset(range(7))
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Agents who share skills, queues, shift and behaviour."""

    name: str
    agents: tuple[AgentConfig, ...]
    shift: Shift | None = None
    answer_delay: Distribution = field(default_factory=lambda: Constant(0.0))
    reject_probability: float = 0.0
    recover_after: float = 60.0
    """Seconds after which an agent the engine paused on its own (missed offers) goes
    ready again."""

    def template(self, agent_id: str) -> AgentConfig:
        """A further agent like the group's first (used when trace staffing needs more)."""
        first = self.agents[0]
        return AgentConfig(agent_id, first.skills, first.queues, first.capacity)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a simulation run needs."""

    queues: tuple[QueueConfig, ...]
    callers: dict[str, CallerModel]
    groups: tuple[AgentGroup, ...]
    arrivals: tuple[ArrivalStream, ...] = ()
    name: str = "scenario"
    description: str = ""
    start: date = date(2025, 1, 6)
    timezone: str = "UTC"
    days: int = 1
    seed: int = 1
    warmup: float = 0.0
    report_interval: int = 30
    settings: EngineSettings = field(default_factory=lambda: SIM_SETTINGS)
    skills: tuple[str, ...] = ()
    trace: Trace | None = None
    source: Path | None = None
    ivr: IvrModel | None = None

    def zone(self) -> ZoneInfo:
        """The scenario's time zone."""
        return ZoneInfo(self.timezone)

    def epoch(self, day: date, seconds: float = 0.0) -> float:
        """Engine time (Unix seconds) of local `day` plus `seconds` of wall-clock time."""
        local = datetime.combine(day, time(0), tzinfo=self.zone()) + timedelta(seconds=seconds)
        return local.timestamp()  # aware + timedelta is wall-clock arithmetic: DST-correct

    def start_time(self) -> float:
        """Engine time of the first simulated instant (local midnight of `start`)."""
        return self.epoch(self.start)

    def end_time(self, days: int | None = None) -> float:
        """Engine time of the end of the horizon (local midnight after the last day)."""
        return self.epoch(self.start + timedelta(days=self.days if days is None else days))

    def caller_model(self, queue_id: str) -> CallerModel:
        """The callers of a queue (exponential handle times at the queue's default)."""
        model = self.callers.get(queue_id)
        if model is not None:
            return model
        queue = next(q for q in self.queues if q.id == queue_id)
        return CallerModel(Exponential(queue.default_handle_time))

    def with_(self, **changes: object) -> Scenario:
        """A copy with some fields replaced (days, seed, ...)."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


def erlang_scenario(
    servers: int,
    calls_per_hour: float,
    mean_handle: float,
    mean_patience: float = math.inf,
    *,
    days: int = 1,
    seed: int = 1,
    warmup: float = 0.0,
    wrap_up: float = 0.0,
) -> Scenario:
    """M/M/c (or M/M/c+M with finite `mean_patience`): one queue, `servers` agents."""
    patience: Distribution = Never() if math.isinf(mean_patience) else Exponential(mean_patience)
    queue = QueueConfig("q", wrap_up=wrap_up, offer_timeout=3600.0, short_abandon=0.0,
                        default_handle_time=mean_handle)
    agents = tuple(AgentConfig(f"a{i:03d}") for i in range(servers))
    return Scenario(
        queues=(queue,),
        callers={"q": CallerModel(Exponential(mean_handle), patience)},
        groups=(AgentGroup("a", agents),),
        arrivals=(ArrivalStream.constant("q", calls_per_hour),),
        name=f"M/M/{servers}" + ("" if math.isinf(mean_patience) else "+M"),
        days=days,
        seed=seed,
        warmup=warmup,
    )
