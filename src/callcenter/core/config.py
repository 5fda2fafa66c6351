"""Routing configuration: queues, agents, calendars. Frozen values, validated on creation.

Bad configuration raises `ConfigError` naming the field, so the CLI and the API
can turn it into a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.core.enums import StrEnum

CHANNELS = ("voice", "chat", "email")


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the field."""


class Strategy(StrEnum):
    """How a queue chooses among eligible available agents."""

    LONGEST_IDLE = "longest-idle"
    ROUND_ROBIN = "round-robin"
    FEWEST_CALLS = "fewest-calls"
    LEAST_TALK_TIME = "least-talk-time"
    LINEAR = "linear"
    RANDOM = "random"
    RING_ALL = "ring-all"
    BEST_SKILL_MATCH = "best-skill-match"


class ExitKind(StrEnum):
    """What happens to an interaction that leaves a queue without an agent."""

    HANGUP = "hangup"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    QUEUE = "queue"


@dataclass(frozen=True, slots=True)
class ExitAction:
    """An exit: hang up (after a message), voicemail, callback, or another queue."""

    kind: ExitKind = ExitKind.HANGUP
    queue_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind is ExitKind.QUEUE and not self.queue_id:
            raise ConfigError("exit action 'queue' needs a queue_id")
        if self.kind is not ExitKind.QUEUE and self.queue_id:
            raise ConfigError(f"exit action {self.kind.value!r} takes no queue_id")

    def label(self) -> str:
        """Short text for rows and logs, e.g. `queue:billing`."""
        return f"queue:{self.queue_id}" if self.kind is ExitKind.QUEUE else self.kind.value


@dataclass(frozen=True, slots=True)
class SkillRequirement:
    """The agent needs `skill` at `min_level` or better (levels 1..10)."""

    skill: str
    min_level: int = 1

    def __post_init__(self) -> None:
        if not self.skill:
            raise ConfigError("skill requirement needs a skill name")
        if not 1 <= self.min_level <= 10:
            raise ConfigError(
                f"skill {self.skill!r}: min_level must be 1..10, got {self.min_level}"
            )


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """After `after` seconds of waiting, widen who may take the interaction.

    `relax_levels` lowers every required level by that much (never below 1),
    `max_tier` admits members up to that tier (None: all tiers), and
    `overflow_to` lets the members of other queues take it as well. Steps are
    cumulative: a later step never narrows what an earlier one allowed.
    """

    after: float
    relax_levels: int = 0
    max_tier: int | None = None
    overflow_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.after <= 0:
            raise ConfigError(f"escalation step: after must be > 0 seconds, got {self.after}")
        if self.relax_levels < 0:
            raise ConfigError("escalation step: relax_levels must be >= 0")
        if self.max_tier is not None and self.max_tier < 1:
            raise ConfigError("escalation step: max_tier must be >= 1")


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Opening time ranges for one weekday (0 = Monday) in the calendar's zone."""

    weekday: int
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ConfigError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}")
        if self.closes <= self.opens and self.closes != time(0, 0):
            raise ConfigError(f"weekday {self.weekday}: closes {self.closes} is not after opens")


@dataclass(frozen=True, slots=True)
class Calendar:
    """Business hours: weekly ranges plus holiday dates, in one time zone."""

    timezone: str = "UTC"
    hours: tuple[WeeklyHours, ...] = ()
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"calendar: unknown time zone {self.timezone!r}") from exc

    def is_open(self, now: float) -> bool:
        """True when `now` (seconds since the Unix epoch) falls in opening hours."""
        local = datetime.fromtimestamp(now, tz=UTC).astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        t = local.time().replace(tzinfo=None)
        for h in self.hours:
            if h.weekday != local.weekday():
                continue
            closes_midnight = h.closes == time(0, 0)
            if h.opens <= t and (closes_midnight or t < h.closes):
                return True
        return False



@dataclass(frozen=True, slots=True)
class QueueConfig:
    """Every routing setting of one queue."""

    id: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    channel: str = "voice"
    required_skills: tuple[SkillRequirement, ...] = ()
    initial_max_tier: int | None = None
    escalation: tuple[EscalationStep, ...] = ()
    max_length: int | None = None
    max_wait: float | None = None
    timeout_action: ExitAction = field(default_factory=ExitAction)
    full_action: ExitAction = field(default_factory=ExitAction)
    reject_when_no_agents: bool = False
    no_agents_action: ExitAction = field(default_factory=ExitAction)
    calendar: Calendar | None = None
    closed_action: ExitAction = field(default_factory=ExitAction)
    wrap_up: float = 0.0
    offer_timeout: float = 20.0
    retry_after: float = 10.0
    aging_rate: float = 0.1
    service_level_threshold: float = 20.0
    short_abandon: float = 5.0
    default_handle_time: float = 180.0
    require_disposition: bool = False
    """Wrap-up of this queue's interactions must name a disposition code."""

    def __post_init__(self) -> None:
        if not self.id:
            raise ConfigError("queue needs an id")
        where = f"queue {self.id!r}"
        if self.channel not in CHANNELS:
            raise ConfigError(f"{where}: channel must be one of {CHANNELS}, got {self.channel!r}")
        if self.max_length is not None and self.max_length < 0:
            raise ConfigError(f"{where}: max_length must be >= 0")
        if self.max_wait is not None and self.max_wait <= 0:
            raise ConfigError(f"{where}: max_wait must be > 0 seconds")
        for name in ("wrap_up", "retry_after", "aging_rate", "service_level_threshold",
                     "short_abandon"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{where}: {name} must be >= 0")
        if self.offer_timeout <= 0:
            raise ConfigError(f"{where}: offer_timeout must be > 0 seconds")
        if self.default_handle_time <= 0:
            raise ConfigError(f"{where}: default_handle_time must be > 0 seconds")
        afters = [s.after for s in self.escalation]
        if afters != sorted(afters) or len(set(afters)) != len(afters):
            raise ConfigError(f"{where}: escalation steps must have increasing 'after' times")
        skills = [r.skill for r in self.required_skills]
        if len(set(skills)) != len(skills):
            raise ConfigError(f"{where}: a skill is required twice")

    def references(self) -> list[tuple[str, str]]:
        """Every queue this one sends interactions to, as (field, queue id): its exit
        actions to a queue and its escalation steps' overflows."""
        out = [(name, action.queue_id) for name, action in (
            ("timeout_action", self.timeout_action), ("full_action", self.full_action),
            ("no_agents_action", self.no_agents_action), ("closed_action", self.closed_action))
            if action.queue_id is not None]
        out += [(f"escalation[{i}].overflow_to", qid) for i, s in enumerate(self.escalation)
                for qid in s.overflow_to]
        return out


@dataclass(frozen=True, slots=True)
class Membership:
    """An agent serves a queue at a tier (1 is served first; a penalty in Asterisk)."""

    queue_id: str
    tier: int = 1

    def __post_init__(self) -> None:
        if self.tier < 1:
            raise ConfigError(f"membership of {self.queue_id!r}: tier must be >= 1")


def _default_capacity() -> dict[str, int]:
    return {"voice": 1, "chat": 1, "email": 1}


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """An agent: skills with levels 1..10, queue memberships, capacity per channel.

    With no memberships the agent serves every queue whose skills it meets, at tier 1.
    """

    id: str
    skills: tuple[tuple[str, int], ...] = ()
    queues: tuple[Membership, ...] = ()
    capacity: tuple[tuple[str, int], ...] = (("voice", 1), ("chat", 1), ("email", 1))

    def __post_init__(self) -> None:
        if not self.id:
            raise ConfigError("agent needs an id")
        where = f"agent {self.id!r}"
        for skill, level in self.skills:
            if not 1 <= level <= 10:
                raise ConfigError(f"{where}: skill {skill!r} level must be 1..10, got {level}")
        if len({s for s, _ in self.skills}) != len(self.skills):
            raise ConfigError(f"{where}: a skill is listed twice")
        for channel, n in self.capacity:
            if channel not in CHANNELS:
                raise ConfigError(f"{where}: unknown channel {channel!r} in capacity")
            if n < 0:
                raise ConfigError(f"{where}: capacity for {channel} must be >= 0")
        if len({m.queue_id for m in self.queues}) != len(self.queues):
            raise ConfigError(f"{where}: a queue is listed twice")

    def skill_map(self) -> dict[str, int]:
        """Skills as a dict of level by name."""
        return dict(self.skills)

    def capacity_map(self) -> dict[str, int]:
        """Capacity as a dict of slots by channel (missing channels: 0)."""
        caps = dict.fromkeys(CHANNELS, 0)
        caps.update(dict(self.capacity))
        return caps


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Engine-wide settings.

    `interaction_changes=False` leaves out `InteractionStateChanged` and
    `agent_changes=False` leaves out `AgentStateChanged` (the simulator needs the
    rows and agent states only; the live server needs every change).
    """

    max_missed_offers: int = 3
    ewt_smoothing: float = 0.1
    interaction_changes: bool = True
    agent_changes: bool = True

    def __post_init__(self) -> None:
        if self.max_missed_offers < 1:
            raise ConfigError("max_missed_offers must be >= 1")
        if not 0 < self.ewt_smoothing <= 1:
            raise ConfigError("ewt_smoothing must be in (0, 1]")

