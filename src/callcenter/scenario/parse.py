"""Readers for scenario values: tables with known keys, times of day, weekdays, distributions.

Every reader takes the key path of the value so its `ScenarioError` can name it;
`locate` finds the line of a key path in the TOML text.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from callcenter.scenario.errors import Key, ScenarioError
from callcenter.scenario.models import (
    Constant,
    Distribution,
    Empirical,
    Exponential,
    LogNormal,
    Never,
    Uniform,
)

Path = tuple[Key, ...]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


class Table:
    """A TOML table at `path`; `done()` rejects keys nobody asked for (typos)."""

    def __init__(self, data: object, path: Path) -> None:
        if not isinstance(data, dict):
            raise ScenarioError(f"must be a table, got {_type_name(data)}", path)
        self.data: dict[str, Any] = data
        self.path = path
        self._seen: set[str] = set()

    def has(self, key: str) -> bool:
        """True if the key is present (asking makes it a known key)."""
        self._seen.add(key)
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        """The value as parsed by TOML (marks the key as known)."""
        self._seen.add(key)
        return self.data.get(key, default)

    def at(self, key: str) -> Path:
        """The key path of `key` in this table."""
        return (*self.path, key)

    def require(self, key: str) -> Any:
        """The value; a missing key is an error."""
        self._seen.add(key)
        if key not in self.data:
            raise ScenarioError(f"missing required key {key!r}", self.path)
        return self.data[key]

    def string(self, key: str, default: str | None = None,
               choices: Iterable[str] | None = None) -> str:
        """A string (one of `choices`, if given)."""
        value = self.require(key) if default is None else self.raw(key, default)
        if not isinstance(value, str):
            raise ScenarioError(f"must be a string, got {_type_name(value)}", self.at(key))
        if choices is not None:
            options = list(choices)
            if value not in options:
                raise ScenarioError(f"must be one of {', '.join(options)}; got {value!r}",
                                    self.at(key))
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float | None = None,
               positive: bool = False) -> float:
        """A number (int or float), optionally >= `minimum` or > 0."""
        value = self.require(key) if default is None else self.raw(key, default)
        return number(value, self.at(key), minimum=minimum, positive=positive)

    def optional_number(self, key: str, *, minimum: float | None = None,
                        positive: bool = False) -> float | None:
        """A number, or None when absent."""
        value = self.raw(key)
        if value is None:
            return None
        return number(value, self.at(key), minimum=minimum, positive=positive)

    def integer(self, key: str, default: int | None = None, *,
                minimum: int | None = None) -> int:
        """An integer, optionally >= `minimum`."""
        value = self.require(key) if default is None else self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(f"must be an integer, got {_type_name(value)}", self.at(key))
        if minimum is not None and value < minimum:
            raise ScenarioError(f"must be >= {minimum}, got {value}", self.at(key))
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """A boolean."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise ScenarioError(f"must be true or false, got {_type_name(value)}", self.at(key))
        return value

    def table(self, key: str) -> Table:
        """A nested table (empty when absent)."""
        return Table(self.raw(key, {}), self.at(key))

    def array(self, key: str) -> list[Any]:
        """An array (empty when absent)."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise ScenarioError(f"must be an array, got {_type_name(value)}", self.at(key))
        return value

    def done(self) -> None:
        """Raise on the first key that no reader asked for."""
        for key in self.data:
            if key not in self._seen:
                hint = difflib.get_close_matches(key, sorted(self._seen), n=1)
                more = f" (did you mean {hint[0]!r}?)" if hint else ""
                known = ", ".join(sorted(self._seen))
                raise ScenarioError(f"unknown key {key!r}{more}; known keys: {known}", self.at(key))


def number(value: object, path: Path, *, minimum: float | None = None,
           positive: bool = False) -> float:
    """A finite number, optionally >= `minimum` or > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"must be a number, got {_type_name(value)}", path)
    out = float(value)
    if math.isnan(out) or math.isinf(out):
        raise ScenarioError(f"must be a finite number, got {value}", path)
    if positive and out <= 0:
        raise ScenarioError(f"must be > 0, got {value}", path)
    if minimum is not None and out < minimum:
        raise ScenarioError(f"must be >= {minimum:g}, got {value}", path)
    return out


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def time_of_day(value: object, path: Path, *, allow_24: bool = False) -> float:
    """Seconds after local midnight of `"HH:MM"`, `"HH:MM:SS"` or a TOML local time."""
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            secs = h * 3600 + mi * 60 + s
            if mi < 60 and s < 60 and (secs < 86400 or (allow_24 and secs == 86400)):
                return float(secs)
    raise ScenarioError(f"must be a time of day like \"08:30\", got {value!r}", path)


def day(value: object, path: Path) -> date:
    """A date from a TOML date or a `"YYYY-MM-DD"` string."""
    if isinstance(value, datetime):
        raise ScenarioError(f"must be a date without a time, got {value}", path)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(f"must be a date like 2025-03-03, got {value!r}", path)


def weekdays(value: object, path: Path) -> frozenset[int]:
    """Weekday numbers (0 = Monday) from `"mon-fri"`, `"daily"` or `["mon", "sat"]`."""
    if value in ("daily", "all"):
        return frozenset(range(7))
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ScenarioError("must be weekday names like \"mon-fri\" or [\"mon\", \"sat\"]", path)
    out: set[int] = set()
    for item in items:
        out |= _weekday_range(item, path)
    return frozenset(out)


def _weekday_range(item: object, path: Path) -> set[int]:
    if not isinstance(item, str):
        raise ScenarioError(f"weekday must be a name like \"mon\", got {item!r}", path)
    parts = [p.strip().lower()[:3] for p in item.split("-")]
    if len(parts) not in (1, 2) or any(p not in WEEKDAYS for p in parts):
        raise ScenarioError(f"unknown weekday {item!r}; use {', '.join(WEEKDAYS)}", path)
    a, b = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    if b < a:
        raise ScenarioError(f"weekday range {item!r} runs backwards", path)
    return set(range(a, b + 1))


DISTRIBUTIONS = ("constant", "exponential", "lognormal", "uniform", "empirical", "never")


def distribution(value: object, path: Path) -> Distribution:
    """A distribution from a number (constant), `"never"`, or `{ dist = "...", ... }`."""
    if value == "never":
        return Never()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Constant(number(value, path, minimum=0))
    t = Table(value, path)
    kind = t.string("dist", choices=DISTRIBUTIONS)
    dist: Distribution
    if kind == "constant":
        dist = Constant(t.number("value", minimum=0))
    elif kind == "exponential":
        dist = Exponential(t.number("mean", positive=True))
    elif kind == "lognormal":
        dist = LogNormal(t.number("mean", positive=True), t.number("sd", positive=True))
    elif kind == "uniform":
        low, high = t.number("low", minimum=0), t.number("high", minimum=0)
        if high <= low:
            raise ScenarioError(f"high ({high:g}) must be above low ({low:g})", path)
        dist = Uniform(low, high)
    elif kind == "empirical":
        values = t.require("values")
        if not isinstance(values, list) or not values:
            raise ScenarioError("must be a non-empty array of numbers", t.at("values"))
        vals = tuple(number(v, (*t.at("values"), i), minimum=0) for i, v in enumerate(values))
        raw_w = t.raw("weights")
        weights = None
        if raw_w is not None:
            if not isinstance(raw_w, list) or len(raw_w) != len(vals):
                raise ScenarioError(f"must be an array of {len(vals)} numbers (one per value)",
                                    t.at("weights"))
            weights = tuple(number(w, (*t.at("weights"), i), minimum=0)
                            for i, w in enumerate(raw_w))
            if sum(weights) <= 0:
                raise ScenarioError("must not all be zero", t.at("weights"))
        dist = Empirical(vals, weights)
    else:
        dist = Never()
    t.done()
    return dist


def skill_levels(value: object, path: Path) -> tuple[tuple[str, int], ...]:
    """`{ billing = 7, german = 10 }` or `["billing", "german"]` (level 1)."""
    if isinstance(value, list):
        value = dict.fromkeys(value, 1) if all(isinstance(v, str) for v in value) else value
    t = Table(value, path)
    out = []
    for name in t.data:
        level = t.raw(name)
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 10:
            raise ScenarioError(f"level must be an integer 1..10, got {level!r}", t.at(name))
        out.append((name, level))
    return tuple(out)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _split_keys(text: str) -> tuple[str, ...]:
    return tuple(p.strip().strip('"').strip("'") for p in text.split("."))


def locate(text: str, path: Path) -> int | None:
    """Best-effort line number of the key path `path` in TOML `text`."""
    lines = text.splitlines()
    headers: list[tuple[int, Path]] = [(0, ())]
    counts: dict[tuple[str, ...], int] = {}
    for n, line in enumerate(lines, 1):
        m = _HEADER.match(line)
        if not m:
            continue
        names = _split_keys(m.group(2))
        if m.group(1) == "[[":
            counts[names] = counts.get(names, -1) + 1
            headers.append((n, (*names, counts[names])))
        else:
            headers.append((n, names))
    ends = [n for n, _ in headers[1:]] + [len(lines) + 1]
    for k in range(len(path), -1, -1):
        prefix = path[:k]
        for (start, keys), end in zip(headers, ends, strict=True):
            if keys != prefix:
                continue
            if k < len(path) and isinstance(path[k], str):
                key = re.escape(str(path[k]))
                pat = re.compile(rf"^\s*[\"']?{key}[\"']?\s*[=.]")
                for n in range(start + 1, end):
                    if pat.match(lines[n - 1]):
                        return n
            if start:
                return start
    return None


def check_mapping(value: object, path: Path) -> Mapping[str, Any]:
    """`value` as a table's mapping (error otherwise)."""
    return Table(value, path).data
