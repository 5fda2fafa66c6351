"""Trace replay input: real calls and agents on duty, read from CSV.

Calls CSV (one row per call; header names are case-insensitive):

- `arrival` (required): seconds after the scenario start, or an ISO date-time
  (`2025-03-03T08:00:12`; without an offset it is read in the scenario's zone);
- `handle_time` (required column, may be empty for calls that were never answered:
  the queue's handle-time model is drawn for them if they get answered in replay);
- `patience` (seconds the caller was willing to wait) or `hangup` (when the caller
  hung up, same format as `arrival`); empty or missing: the caller never hangs up;
- `queue`, `skill` (`german` or `german:5`, several separated by spaces),
  `priority`: optional.

Staffing CSV: `start` (same format as `arrival`), `agents` (how many are on duty
from `start` until the next row of the same group), optional `group` (the name of
an `[[agents]]` group of the scenario, which gives their skills and queues).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.core.config import ConfigError, SkillRequirement
from callcenter.scenario.errors import ScenarioError

CALL_COLUMNS = {
    "arrival": ("arrival", "arrival_time", "arrived_at"),
    "handle_time": ("handle_time", "handle", "aht"),
    "patience": ("patience",),
    "hangup": ("hangup", "hangup_at", "hung_up_at"),
    "queue": ("queue", "queue_id"),
    "skill": ("skill", "skills"),
    "priority": ("priority",),
}
STAFFING_COLUMNS = {
    "start": ("start", "interval_start", "from"),
    "agents": ("agents", "count", "on_duty"),
    "group": ("group", "agent_group"),
}


@dataclass(frozen=True, slots=True)
class TraceCall:
    """One recorded call: when it came, how long it talked, how long the caller would wait."""

    arrival: float
    handle_time: float | None
    patience: float = math.inf
    queue_id: str | None = None
    skills: tuple[SkillRequirement, ...] = ()
    priority: int = 0


@dataclass(frozen=True, slots=True)
class StaffingStep:
    """From `start` on, `agents` agents of `group` (None: the default group) are on duty."""

    start: float
    agents: int
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """Calls and staffing to replay through the engine."""

    calls: tuple[TraceCall, ...]
    staffing: tuple[StaffingStep, ...]


class _Clock:
    """Reads trace times: seconds after `origin`, or ISO date-times in zone `tz`."""

    def __init__(self, origin: float, tz: str) -> None:
        self.origin = origin
        self.zone = ZoneInfo(tz)

    def __call__(self, value: object) -> float:
        if isinstance(value, datetime):
            dt = value if value.tzinfo else value.replace(tzinfo=self.zone)
            return dt.timestamp()
        if isinstance(value, date):
            raise ValueError(f"needs a time of day, got the date {value}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.origin + float(value)
        text = str(value).strip()
        try:
            return self.origin + float(text)
        except ValueError:
            pass
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not seconds or an ISO date-time: {text!r}") from None
        return self(dt)


def _columns(header: Sequence[str] | None, known: Mapping[str, tuple[str, ...]],
             required: Iterable[str], file: Path) -> dict[str, str]:
    if not header:
        raise ScenarioError("empty file: expected a header row", file=file, line=1)
    names = {h.strip().lower(): h for h in header}
    found: dict[str, str] = {}
    for key, aliases in known.items():
        for alias in aliases:
            if alias in names:
                found[key] = names[alias]
                break
    for key in required:
        if key not in found:
            raise ScenarioError(
                f"missing column {key!r} (header has: {', '.join(header)})", file=file, line=1
            )
    return found


def _seconds(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number of seconds, got {text!r}") from None
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"{what} must be >= 0 seconds, got {text!r}")
    return value


def parse_skills(text: str) -> tuple[SkillRequirement, ...]:
    """`"german:5 billing"` -> requirements (level 1 when not given)."""
    out = []
    for item in text.replace(";", " ").replace(",", " ").split():
        name, _, level = item.partition(":")
        try:
            out.append(SkillRequirement(name, int(level) if level else 1))
        except (ValueError, ConfigError) as exc:
            raise ValueError(f"bad skill {item!r}: {exc}") from None
    return tuple(out)


def _call(row: dict[str, str], cols: dict[str, str], clock: _Clock) -> TraceCall:
    def cell(key: str) -> str:
        return (row.get(cols[key]) or "").strip() if key in cols else ""

    arrival_text = cell("arrival")
    if not arrival_text:
        raise ValueError("arrival is empty")
    arrival = clock(arrival_text)
    ht = cell("handle_time")
    handle_time = _seconds(ht, "handle_time") if ht else None
    patience = math.inf
    if cell("patience"):
        patience = _seconds(cell("patience"), "patience")
    elif cell("hangup"):
        patience = clock(cell("hangup")) - arrival
        if patience < 0:
            raise ValueError("hangup is before arrival")
    priority = 0
    if cell("priority"):
        try:
            priority = int(cell("priority"))
        except ValueError:
            raise ValueError(f"priority must be an integer, got {cell('priority')!r}") from None
    return TraceCall(arrival, handle_time, patience, cell("queue") or None,
                     parse_skills(cell("skill")), priority)


def read_calls(file: Path, origin: float, tz: str) -> tuple[TraceCall, ...]:
    """The calls of a trace CSV, sorted by arrival; bad rows raise with their line."""
    clock = _Clock(origin, tz)
    calls: list[TraceCall] = []
    try:
        with file.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            cols = _columns(reader.fieldnames, CALL_COLUMNS, ("arrival", "handle_time"), file)
            for row in reader:
                try:
                    calls.append(_call(row, cols, clock))
                except ValueError as exc:
                    raise ScenarioError(str(exc), file=file, line=reader.line_num) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read calls file: {exc.strerror}", file=file) from None
    if not calls:
        raise ScenarioError("no calls in the file", file=file)
    calls.sort(key=lambda c: c.arrival)
    return tuple(calls)


def _step(start: object, agents: object, group: object, clock: _Clock) -> StaffingStep:
    when = clock(start)
    try:
        n = int(str(agents).strip()) if not isinstance(agents, int) else agents
    except ValueError:
        raise ValueError(f"agents must be an integer, got {agents!r}") from None
    if n < 0:
        raise ValueError(f"agents must be >= 0, got {n}")
    name = str(group).strip() if group not in (None, "") else None
    return StaffingStep(when, n, name)


def read_staffing(file: Path, origin: float, tz: str) -> tuple[StaffingStep, ...]:
    """Agents on duty per interval from a staffing CSV; bad rows raise with their line."""
    clock = _Clock(origin, tz)
    steps: list[StaffingStep] = []
    try:
        with file.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            cols = _columns(reader.fieldnames, STAFFING_COLUMNS, ("start", "agents"), file)
            for row in reader:
                try:
                    start = (row.get(cols["start"]) or "").strip()
                    if not start:
                        raise ValueError("start is empty")
                    group = row.get(cols["group"]) if "group" in cols else None
                    steps.append(_step(start, row.get(cols["agents"]) or "", group, clock))
                except ValueError as exc:
                    raise ScenarioError(str(exc), file=file, line=reader.line_num) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read staffing file: {exc.strerror}", file=file) from None
    return tuple(sorted(steps, key=lambda s: s.start))


def staffing_from_rows(rows: list[object], origin: float, tz: str) -> tuple[StaffingStep, ...]:
    """Staffing from a scenario's `[[trace.staffing]]` tables."""
    clock = _Clock(origin, tz)
    steps = []
    for i, row in enumerate(rows):
        path = ("trace", "staffing", i)
        if not isinstance(row, dict):
            raise ScenarioError("must be a table with start and agents", path)
        unknown = set(row) - {"start", "agents", "group"}
        if unknown:
            raise ScenarioError(f"unknown key {sorted(unknown)[0]!r}; known keys: "
                                "agents, group, start", path)
        for key in ("start", "agents"):
            if key not in row:
                raise ScenarioError(f"missing required key {key!r}", path)
        try:
            steps.append(_step(row["start"], row["agents"], row.get("group"), clock))
        except ValueError as exc:
            raise ScenarioError(str(exc), path) from None
    return tuple(sorted(steps, key=lambda s: s.start))
