"""Survey quotas by answer cells: the top-level `quotas:` key of a script, read into
`Quota` cells, and the pure questions asked of them (which cells an interview or a lead
falls into, which are full, whether a lead may still be dialed).

    quotas:
      - id: young_north          # optional; made from the conditions when left out
        label: 18-34, north      # optional
        target: 50               # completed interviews wanted in the cell
        answers:                 # question id: a value, a list (any of) or a range
          age: {min: 18, max: 34}
        lead:                    # lead field: a value or a list (any of)
          region: north
      - grid:                    # a cross: one cell per combination (age band x region)
          answers: {age_band: ['18-34', '35-54', '55+']}
          lead: {region: [north, south]}
        target: 25               # each cell's target (or `targets: {cell id: n}`)

A cell holds an interview when every condition holds: an answer condition on the
question's answer (a multiple-choice answer holds when any of its choices does; an
unanswered question holds nothing), a lead condition on the lead's field (text; a range
compares the field read as a number). Cells may overlap (separate age and region
quotas): an interview counts in every cell it falls into.

Only completed interviews count towards a target (`count_cells`). A cell is full when
its count reaches the target. The dialer stops dialing a lead when a full cell has
lead conditions only and the lead matches them (`lead_blocked`); a cell with answer
conditions cannot be known before the interview, so the runner ends the interview
when its answers put it in a full cell (`screen_out`, outcome `quota_full`).

No I/O, no clock. The format is in docs/reference/surveys.md.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_CELLS",
    "MAX_TARGET",
    "Cell",
    "Condition",
    "Quota",
    "QuotaError",
    "QuotaProblem",
    "cells_of",
    "count_cells",
    "full_cells",
    "is_full",
    "lead_blocked",
    "lead_hold",
    "lead_matches",
    "matches",
    "parse_quotas",
    "screen_out",
]

MAX_CELLS = 500
"""Most cells a script's quotas may define (a grid counts each of its cells)."""
MAX_TARGET = 1_000_000
"""Largest target of one cell."""
MAX_VALUES = 100
"""Most values one condition may list."""

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.=,+-]*")

Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of a cell on `name` (a question id or a lead field): holds when the
    value is one of `values`, or lies in [`minimum`, `maximum`] (either may be None:
    open) when `values` is empty."""

    name: str
    values: tuple[Scalar, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_range(self) -> bool:
        return not self.values


@dataclass(frozen=True, slots=True)
class Cell:
    """A quota cell: its `id`, `label`, `target` and the conditions on answers and on
    lead fields that all hold for an interview in it; `line` is where it is written."""

    id: str
    target: int
    answers: tuple[Condition, ...] = ()
    lead: tuple[Condition, ...] = ()
    label: str = ""
    line: int | None = None

    @property
    def lead_only(self) -> bool:
        """True when the cell depends on lead fields only (the dialer can honour it)."""
        return not self.answers and bool(self.lead)


@dataclass(frozen=True, slots=True)
class Quota:
    """The quota cells of a script, in the order written (empty: no quotas)."""

    cells: tuple[Cell, ...] = ()

    def cell(self, cell_id: str) -> Cell:
        for c in self.cells:
            if c.id == cell_id:
                return c
        raise KeyError(cell_id)

    @property
    def questions(self) -> frozenset[str]:
        """The question ids the cells' conditions read."""
        return frozenset(c.name for cell in self.cells for c in cell.answers)

    @property
    def lead_fields(self) -> frozenset[str]:
        """The lead fields the cells' conditions read."""
        return frozenset(c.name for cell in self.cells for c in cell.lead)


@dataclass(frozen=True, slots=True)
class QuotaProblem:
    """One mistake in the quotas: the key `path` (e.g. `quotas[1].target`), its `line`
    (None when unknown) and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path}: {self.message}"


class QuotaError(ValueError):
    """The quotas are not valid; `problems` lists every mistake found, by line."""

    def __init__(self, problems: Iterable[QuotaProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.path)))
        super().__init__("; ".join(str(p) for p in self.problems))
        self.line = self.problems[0].line if self.problems else None


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message


def _line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`'s key, else of the nearest key above it that has one."""
    while path:
        if path in lines:
            return lines[path]
        above = re.sub(r"(\[\d+\]|\.[^.\[]*)$", "", path)
        if above == path:
            break
        path = above
    return None


def parse_quotas(raw: object, lines: Mapping[str, int] | Iterable[tuple[str, int]] = (),
                 questions: Iterable[str] | None = None,
                 path: str = "quotas") -> Quota:
    """Read the raw value of a script's `quotas:` key (None: no quotas).

    `lines` maps key paths (`quotas[0].target`) to their line in the script text, as
    the script parser records them; `questions` (when given) are the script's question
    ids, which answer conditions must name. Raises `QuotaError` listing every mistake
    with its line.
    """
    line_map = dict(lines.items() if isinstance(lines, Mapping) else lines)
    reader = _Reader(line_map, None if questions is None else frozenset(questions))
    quota = reader.read(raw, path)
    if reader.problems:
        raise QuotaError(reader.problems)
    return quota


class _Reader:
    def __init__(self, lines: dict[str, int], questions: frozenset[str] | None) -> None:
        self.lines = lines
        self.questions = questions
        self.problems: list[QuotaProblem] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(QuotaProblem(path, _line_of(self.lines, path), message))

    def read(self, raw: object, path: str) -> Quota:
        if raw is None:
            return Quota()
        if not isinstance(raw, list):
            self.bad(path, f"expected a list of cells, got {type(raw).__name__}")
            return Quota()
        cells: list[Cell] = []
        seen: dict[str, str] = {}
        for i, item in enumerate(raw):
            where = f"{path}[{i}]"
            try:
                made = self.entry(item, where)
            except _Bad as exc:
                self.bad(exc.path, exc.message)
                continue
            for cell in made:
                if cell.id in seen:
                    self.bad(where, f"cell {cell.id!r} is defined twice (first at {seen[cell.id]})")
                    continue
                seen[cell.id] = where
                cells.append(cell)
            if len(cells) > MAX_CELLS:
                self.bad(where, f"more than {MAX_CELLS} cells")
                break
        return Quota(tuple(cells))

    def entry(self, item: object, where: str) -> list[Cell]:
        m = _mapping(item, where)
        line = _line_of(self.lines, where)
        if "grid" in m:
            return self.grid(m, where, line)
        unknown = sorted(set(m) - {"id", "label", "target", "answers", "lead"})
        if unknown:
            raise _Bad(f"{where}.{unknown[0]}",
                       "unknown key (known: id, label, target, answers, lead, or grid)")
        answers = self.conditions(m.get("answers"), f"{where}.answers", answer=True)
        lead = self.conditions(m.get("lead"), f"{where}.lead", answer=False)
        if not answers and not lead:
            raise _Bad(where, "a cell needs at least one condition under answers or lead")
        target = _target(m.get("target"), f"{where}.target")
        cell_id = (_cell_id(m["id"], f"{where}.id") if "id" in m
                   else _made_id(answers + lead))
        label = _text(m.get("label", ""), f"{where}.label", 200)
        return [Cell(cell_id, target, answers, lead, label or cell_id, line)]

    def grid(self, m: Mapping[str, object], where: str, line: int | None) -> list[Cell]:
        unknown = sorted(set(m) - {"grid", "target", "targets"})
        if unknown:
            raise _Bad(f"{where}.{unknown[0]}", "unknown key (known: grid, target, targets)")
        g = _mapping(m["grid"], f"{where}.grid")
        unknown = sorted(set(g) - {"answers", "lead"})
        if unknown:
            raise _Bad(f"{where}.grid.{unknown[0]}", "unknown key (known: answers, lead)")
        axes: list[tuple[bool, str, list[Condition]]] = []
        for part, answer in (("answers", True), ("lead", False)):
            spec = _mapping(g.get(part, {}), f"{where}.grid.{part}")
            for name, values in spec.items():
                at = f"{where}.grid.{part}.{name}"
                self.name(name, at, answer)
                if not isinstance(values, list) or not values:
                    raise _Bad(at, "a grid dimension is a non-empty list of values")
                if len(values) > MAX_VALUES:
                    raise _Bad(at, f"more than {MAX_VALUES} values")
                axes.append((answer, name,
                             [_condition(name, v, f"{at}[{i}]", answer)
                              for i, v in enumerate(values)]))
        if not axes:
            raise _Bad(f"{where}.grid", "a grid needs at least one dimension")
        size = 1
        for _, _, conds in axes:
            size *= len(conds)
        if size > MAX_CELLS:
            raise _Bad(f"{where}.grid", f"{size} cells, more than {MAX_CELLS}")
        default = (None if m.get("target") is None
                   else _target(m.get("target"), f"{where}.target"))
        targets_raw = _mapping(m.get("targets", {}), f"{where}.targets")
        targets = {str(k): _target(v, f"{where}.targets.{k}") for k, v in targets_raw.items()}
        cells: list[Cell] = []
        for combo in itertools.product(*(conds for _, _, conds in axes)):
            answers = tuple(c for (answer, _, _), c in zip(axes, combo, strict=True) if answer)
            lead = tuple(c for (answer, _, _), c in zip(axes, combo, strict=True) if not answer)
            cell_id = _made_id(combo)
            target = targets.pop(cell_id, default)
            if target is None:
                raise _Bad(f"{where}.target", f"cell {cell_id!r} has no target "
                                              "(give target, or targets for every cell)")
            cells.append(Cell(cell_id, target, answers, lead, cell_id, line))
        if targets:
            first = sorted(targets)[0]
            raise _Bad(f"{where}.targets.{first}", f"no cell {first!r} in the grid "
                                                   f"(cells: {', '.join(c.id for c in cells)})")
        return cells

    def name(self, name: str, where: str, answer: bool) -> None:
        if not _ID.fullmatch(name) or len(name) > 64:
            raise _Bad(where, f"{name!r} is not an id (letters, digits and _)")
        if answer and self.questions is not None and name not in self.questions:
            raise _Bad(where, f"no question {name!r} in the script")

    def conditions(self, raw: object, where: str, answer: bool) -> tuple[Condition, ...]:
        if raw is None:
            return ()
        m = _mapping(raw, where)
        out: list[Condition] = []
        for name, spec in m.items():
            at = f"{where}.{name}"
            self.name(name, at, answer)
            out.append(_condition(name, spec, at, answer))
        return tuple(out)


def _mapping(value: object, path: str) -> dict[str, object]:
    if not isinstance(value, dict):
        got = "nothing" if value is None else type(value).__name__
        raise _Bad(path, f"expected a mapping, got {got}")
    return {str(k): v for k, v in value.items()}


def _text(value: object, path: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _Bad(path, f"expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise _Bad(path, f"longer than {limit} characters")
    return value


def _target(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        got = "nothing" if value is None else type(value).__name__
        raise _Bad(path, f"a target is a whole number, got {got}")
    if not 0 <= value <= MAX_TARGET:
        raise _Bad(path, f"a target is between 0 and {MAX_TARGET}, got {value}")
    return value


def _cell_id(value: object, path: str) -> str:
    text = _text(value, path, 120)
    if not _CELL_ID.fullmatch(text):
        raise _Bad(path, f"{text!r} is not a cell id (letters, digits and _ . = , + -)")
    return text


def _scalar(value: object, path: str) -> Scalar:
    if isinstance(value, bool | str):
        if isinstance(value, str) and len(value) > 200:
            raise _Bad(path, "longer than 200 characters")
        return value
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Bad(path, "expected a finite number")
        return value
    got = "nothing" if value is None else type(value).__name__
    raise _Bad(path, f"expected a value (text, number or true/false), got {got}")


def _bound(value: object, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(path, f"expected a number, got {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _Bad(path, "expected a finite number")
    return float(value)


def _condition(name: str, spec: object, path: str, answer: bool) -> Condition:
    if isinstance(spec, dict):
        m = {str(k): v for k, v in spec.items()}
        unknown = sorted(set(m) - {"min", "max"})
        if unknown:
            raise _Bad(f"{path}.{unknown[0]}", "unknown key (a range has min and max)")
        lo, hi = _bound(m.get("min"), f"{path}.min"), _bound(m.get("max"), f"{path}.max")
        if lo is None and hi is None:
            raise _Bad(path, "a range needs min or max")
        if lo is not None and hi is not None and lo > hi:
            raise _Bad(path, f"min {lo:g} is above max {hi:g}")
        return Condition(name, (), lo, hi)
    if isinstance(spec, list):
        if not spec:
            raise _Bad(path, "an empty list matches nothing")
        if len(spec) > MAX_VALUES:
            raise _Bad(path, f"more than {MAX_VALUES} values")
        values = tuple(_scalar(v, f"{path}[{i}]") for i, v in enumerate(spec))
    else:
        values = (_scalar(spec, path),)
    if not answer:
        values = tuple(_lead_text(v) for v in values)
    return Condition(name, values)


def _lead_text(value: Scalar) -> str:
    """A lead field is text: a number or true/false written in YAML is compared as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value_text(c: Condition) -> str:
    if c.is_range:
        lo = "" if c.minimum is None else f"{c.minimum:g}"
        hi = "" if c.maximum is None else f"{c.maximum:g}"
        return f"{lo}-{hi}"
    return "+".join(_lead_text(v) for v in c.values)


def _made_id(conditions: Iterable[Condition]) -> str:
    """A cell id from its conditions: `age_band=18-34,region=north`."""
    text = ",".join(f"{c.name}={_value_text(c)}" for c in conditions)
    return re.sub(r"[^A-Za-z0-9_.=,+-]", "_", text)[:120] or "cell"


# -- matching ----------------------------------------------------------------


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if number == number else None
    return None


def _same(wanted: Scalar, value: object) -> bool:
    """`value` (an answer or a lead field) equals `wanted`: numbers as numbers (a lead
    field's text read as one), true/false as themselves or as the text true/false."""
    if isinstance(wanted, bool) or isinstance(value, bool):
        if isinstance(wanted, bool) and isinstance(value, bool):
            return wanted is value
        other = value if isinstance(wanted, bool) else wanted
        flag = wanted if isinstance(wanted, bool) else value
        return isinstance(other, str) and other == _lead_text(bool(flag))
    if isinstance(wanted, int | float) or isinstance(value, int | float):
        a, b = _number(wanted), _number(value)
        return a is not None and a == b
    return wanted == value


def _holds_one(c: Condition, value: object) -> bool:
    if value is None:
        return False
    if c.is_range:
        number = _number(value)
        if number is None:
            return False
        return ((c.minimum is None or number >= c.minimum)
                and (c.maximum is None or number <= c.maximum))
    return any(_same(w, value) for w in c.values)


def _holds(c: Condition, value: object) -> bool:
    if isinstance(value, list | tuple):
        return any(_holds_one(c, v) for v in value)
    return _holds_one(c, value)


def matches(cell: Cell, answers: Mapping[str, object],
            lead: Mapping[str, str] | None = None) -> bool:
    """True when an interview with these `answers` (question id -> answer) and this
    `lead`'s fields falls into `cell`."""
    fields = lead or {}
    return (all(_holds(c, answers.get(c.name)) for c in cell.answers)
            and all(_holds(c, fields.get(c.name)) for c in cell.lead))


def lead_matches(cell: Cell, lead: Mapping[str, str]) -> bool:
    """True when a lead with these fields meets every lead condition of `cell`."""
    return all(_holds(c, lead.get(c.name)) for c in cell.lead)


def cells_of(quota: Quota, answers: Mapping[str, object],
             lead: Mapping[str, str] | None = None) -> tuple[Cell, ...]:
    """The cells an interview falls into, in the order written."""
    return tuple(c for c in quota.cells if matches(c, answers, lead))


def count_cells(quota: Quota, completed: Iterable[tuple[Mapping[str, object],
                                                          Mapping[str, str] | None]],
                ) -> dict[str, int]:
    """How many of the `completed` interviews (answers, lead fields) each cell holds."""
    counts = {c.id: 0 for c in quota.cells}
    for answers, lead in completed:
        for cell in cells_of(quota, answers, lead):
            counts[cell.id] += 1
    return counts


def is_full(cell: Cell, counts: Mapping[str, int]) -> bool:
    """True when the cell's completed interviews have reached its target."""
    return counts.get(cell.id, 0) >= cell.target


def full_cells(quota: Quota, counts: Mapping[str, int]) -> tuple[Cell, ...]:
    """The cells whose targets are reached."""
    return tuple(c for c in quota.cells if is_full(c, counts))


def lead_blocked(quota: Quota, counts: Mapping[str, int],
                 lead: Mapping[str, str]) -> Cell | None:
    """The full lead-only cell that keeps this lead from being dialed, else None."""
    for cell in quota.cells:
        if cell.lead_only and is_full(cell, counts) and lead_matches(cell, lead):
            return cell
    return None


def lead_hold(quota: Quota, counts: Mapping[str, int],
              ) -> Callable[[Mapping[str, str]], bool] | None:
    """A test of a lead's fields that is true when a full lead-only cell holds the lead
    (what the dialer's `LeadQueue.hold` takes); None when no such cell is full."""
    closed = tuple(c for c in quota.cells if c.lead_only and is_full(c, counts))
    if not closed:
        return None

    def held(fields: Mapping[str, str]) -> bool:
        return any(lead_matches(c, fields) for c in closed)

    return held


def screen_out(quota: Quota, counts: Mapping[str, int], answers: Mapping[str, object],
               lead: Mapping[str, str] | None = None) -> Cell | None:
    """The full cell the interview so far falls into (the runner ends it with outcome
    `quota_full`), else None. Unanswered questions hold nothing, so a cell is decided
    once its questions are answered."""
    for cell in quota.cells:
        if is_full(cell, counts) and matches(cell, answers, lead):
            return cell
    return None
