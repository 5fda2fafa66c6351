"""Scripts from YAML text: `parse_script(text) -> Script`, or `ScriptError` listing every
mistake found with its line and key path (`steps[2].next[0].if: no step 'age' before
this one`). Read with `yaml.safe_load` semantics (no tags, no objects). The format is in
docs/reference/scripts.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from callcenter.core.scripts.conditions import Condition, ConditionError, names, parse_condition
from callcenter.core.scripts.merge import merged_names
from callcenter.core.scripts.model import (
    ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    OUTCOMES,
    PURPOSES,
    STEP_TYPES,
    Option,
    Route,
    Sale,
    Script,
    Step,
)
from callcenter.core.scripts.quotas import Quota, QuotaError, parse_quotas
from callcenter.core.yaml_lines import key_lines, line_of

__all__ = ["MAX_STEPS", "Problem", "ScriptError", "parse_script"]

MAX_STEPS = 500
MAX_OPTIONS = 100
MAX_TEXT = 5000
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_TOP = ("script", "title", "purpose", "fields", "quotas", "steps")
_STEP_KEYS: dict[str, set[str]] = {
    "say": {"next"},
    "single": {"options", "required", "next"},
    "multiple": {"options", "required", "next"},
    "scale": {"min", "max", "required", "next"},
    "number": {"min", "max", "required", "next"},
    "text": {"required", "next"},
    "date": {"required", "next"},
    "close": {"message", "sale", "address"},
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: the key `path`, its `line` (None when the text has none) and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path + ': ' if self.path else ''}{self.message}"


class ScriptError(ValueError):
    """A script is invalid; `problems` lists each mistake in the order of the text."""

    def __init__(self, problems: list[Problem], source: str = "<script>") -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.path)))
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{source}{f':{first.line}' if first.line else ''}: "
                         f"{first.path + ': ' if first.path else ''}{first.message}{more}")
        self.line = first.line


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def parse_script(text: str, source: str = "<script>") -> Script:
    """The script in YAML `text`; `source` names it in the error message."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScriptError([Problem("", line, f"not valid YAML: {problem}")], source) from None
    except RecursionError:
        raise ScriptError([Problem("", None, "nested too deeply")], source) from None
    lines = key_lines(root)
    reader = _Reader(lines)
    script = reader.script(data)
    if reader.problems or script is None:
        raise ScriptError(reader.problems or [Problem("", None, "no script")], source)
    return script


def _mapping(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        got = "nothing" if value is None else type(value).__name__
        raise _Bad(path, f"expected a mapping, got {got}")
    return {str(k): v for k, v in value.items()}


def _text(value: object, path: str, limit: int = MAX_TEXT) -> str:
    if isinstance(value, bool):
        raise _Bad(path, "YAML reads yes/no/on/off/true/false as true or false: "
                         "put the text in quotes")
    if not isinstance(value, str | int | float):
        got = "nothing" if value is None else type(value).__name__
        raise _Bad(path, f"expected text, got {got}")
    text = str(value)
    if len(text) > limit:
        raise _Bad(path, f"longer than {limit} characters")
    return text


def _id(value: object, path: str) -> str:
    text = _text(value, path, 64)
    if not _ID.fullmatch(text):
        raise _Bad(path, f"{text!r} is not an id (letters, digits and _, "
                         "starting with a letter or _)")
    return text


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(path, f"expected a number, got {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _Bad(path, "expected a finite number")
    return float(value)


class _Reader:
    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.fields: frozenset[str] = frozenset()
        self.broken: set[str] = set()
        """Ids of steps that did not parse (references to them are not reported)."""

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, line_of(self.lines, path), message))

    def script(self, data: object) -> Script | None:
        try:
            top = _mapping(data, "")
        except _Bad:
            self.bad("", "a script is a mapping with the keys " + ", ".join(_TOP))
            return None
        for key in sorted(set(top) - set(_TOP)):
            self.bad(key, f"unknown key (known: {', '.join(_TOP)})")
        sid = title = ""
        purpose = "survey"
        try:
            sid = _id(top.get("script"), "script")
            title = _text(top.get("title", sid), "title", 200)
            purpose = _text(top.get("purpose", "survey"), "purpose")
            if purpose not in PURPOSES:
                raise _Bad("purpose", f"unknown purpose {purpose!r} "
                                      f"(known: {', '.join(PURPOSES)})")
            self.fields = self._fields(top.get("fields", []))
        except _Bad as exc:
            self.bad(exc.path, exc.message)
        steps = self._steps(top.get("steps"), purpose)
        quotas = top.get("quotas")
        quota_lines = tuple(sorted((k, v) for k, v in self.lines.items()
                                   if k == "quotas" or k.startswith(("quotas.", "quotas["))))
        quota = Quota()
        if quotas is not None and steps:
            try:
                quota = parse_quotas(quotas, quota_lines, [s.id for s in steps if s.is_question])
            except QuotaError as exc:
                self.problems.extend(Problem(p.path, p.line, p.message) for p in exc.problems)
        if self.problems:
            return None
        return Script(sid, title, purpose, steps, self.fields, quotas, quota_lines, quota)

    def _fields(self, value: object) -> frozenset[str]:
        if not isinstance(value, list):
            raise _Bad("fields", "expected a list of field names")
        return frozenset(_id(v, f"fields[{i}]") for i, v in enumerate(value))

    def _steps(self, value: object, purpose: str) -> tuple[Step, ...]:
        if not isinstance(value, list) or not value:
            self.bad("steps", "expected a list of steps (at least one)")
            return ()
        if len(value) > MAX_STEPS:
            self.bad("steps", f"more than {MAX_STEPS} steps")
            return ()
        steps: list[Step] = []
        seen: dict[str, int] = {}
        for i, spec in enumerate(value):
            where = f"steps[{i}]"
            try:
                step = self._step(spec, where, purpose)
            except _Bad as exc:
                self.bad(exc.path, exc.message)
                if isinstance(spec, dict) and isinstance(spec.get("id"), str):
                    self.broken.add(spec["id"])  # not named again as unknown
                continue
            if step.id in seen:
                self.bad(f"{where}.id", f"step {step.id!r} is already steps[{seen[step.id]}]")
                continue
            if step.id in self.fields or step.id in CUSTOMER_FIELDS or step.id == "end":
                self.bad(f"{where}.id", f"{step.id!r} is a merge field's name "
                                        "(or `end`); choose another id")
                continue
            seen[step.id] = i
            steps.append(step)
        self._references(steps)
        return tuple(steps)

    def _step(self, spec: object, where: str, purpose: str) -> Step:
        m = _mapping(spec, where)
        kinds = [k for k in STEP_TYPES if k in m]
        if len(kinds) != 1:
            raise _Bad(where, f"a step has exactly one of: {', '.join(STEP_TYPES)}")
        kind = kinds[0]
        known = {"id", "when", kind} | _STEP_KEYS[kind]
        for key in sorted(set(m) - known):
            raise _Bad(f"{where}.{key}", f"unknown key for {kind} (known: "
                                         f"{', '.join(sorted(known))})")
        sid = _id(m.get("id"), f"{where}.id")
        line = line_of(self.lines, where)
        when, when_text = None, ""
        if "when" in m:
            when_text = _text(m["when"], f"{where}.when")
            when = self._condition(when_text, f"{where}.when")
        if kind == "close":
            outcome = _text(m["close"], f"{where}.close")
            if outcome not in OUTCOMES[purpose]:
                raise _Bad(f"{where}.close", f"{outcome!r} is not an outcome of a {purpose} "
                                             f"script (known: {', '.join(OUTCOMES[purpose])})")
            return Step(sid, kind, _text(m.get("message", ""), f"{where}.message"), when=when,
                        when_text=when_text, outcome=outcome,
                        sale=self._sale(m.get("sale"), f"{where}.sale", purpose),
                        address=self._address(m.get("address"), f"{where}.address", purpose),
                        line=line)
        text = _text(m[kind], f"{where}.{kind}")
        options: tuple[Option, ...] = ()
        if kind in ("single", "multiple"):
            options = self._options(m.get("options"), f"{where}.options")
        minimum = maximum = None
        if kind in ("scale", "number"):
            if kind == "scale" and ("min" not in m or "max" not in m):
                raise _Bad(where, "a scale needs min and max")
            minimum = _number(m["min"], f"{where}.min") if "min" in m else None
            maximum = _number(m["max"], f"{where}.max") if "max" in m else None
            if minimum is not None and maximum is not None and minimum > maximum:
                raise _Bad(f"{where}.max", f"max {maximum:g} is below min {minimum:g}")
            if kind == "scale":
                assert minimum is not None and maximum is not None
                if not (minimum.is_integer() and maximum.is_integer()):
                    raise _Bad(f"{where}.min", "a scale's ends are whole numbers")
                if not 1 <= maximum - minimum <= 100:
                    raise _Bad(f"{where}.max", "a scale has 2 to 101 points")
        required = m.get("required", True)
        if not isinstance(required, bool):
            raise _Bad(f"{where}.required", "expected true or false")
        return Step(sid, kind, text, options, minimum, maximum, required, when, when_text,
                    self._routes(m.get("next"), f"{where}.next"), line=line)

    def _options(self, value: object, where: str) -> tuple[Option, ...]:
        if isinstance(value, dict):
            items = [(_text(k, f"{where}.{k}", 200), _text(v, f"{where}.{k}", 500))
                     for k, v in value.items()]
        elif isinstance(value, list):
            items = []
            for i, v in enumerate(value):
                if isinstance(v, dict):
                    m = _mapping(v, f"{where}[{i}]")
                    if set(m) - {"value", "label"} or "value" not in m:
                        raise _Bad(f"{where}[{i}]", "an option is text or {value, label}")
                    val = _text(m["value"], f"{where}[{i}].value", 200)
                    items.append((val, _text(m.get("label", val), f"{where}[{i}].label", 500)))
                else:
                    text = _text(v, f"{where}[{i}]", 200)
                    items.append((text, text))
        else:
            raise _Bad(where, "expected options: a list, or a mapping of value: label")
        if not items:
            raise _Bad(where, "no options")
        if len(items) > MAX_OPTIONS:
            raise _Bad(where, f"more than {MAX_OPTIONS} options")
        values = [v for v, _ in items]
        for v in values:
            if values.count(v) > 1:
                raise _Bad(where, f"option {v!r} appears twice")
        return tuple(Option(v, label) for v, label in items)

    def _routes(self, value: object, where: str) -> tuple[Route, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            return (Route(_text(value, where, 64)),)
        routes = []
        for i, spec in enumerate(value):
            at = f"{where}[{i}]"
            m = _mapping(spec, at)
            if set(m) - {"if", "goto"} or "goto" not in m:
                raise _Bad(at, "a route is {if: condition, goto: step} or {goto: step}")
            text = _text(m["if"], f"{at}.if") if "if" in m else ""
            condition = self._condition(text, f"{at}.if") if "if" in m else None
            routes.append(Route(_text(m["goto"], f"{at}.goto", 64), condition, text))
        return tuple(routes)

    def _condition(self, text: str, where: str) -> Condition:
        try:
            return parse_condition(text)
        except ConditionError as exc:
            raise _Bad(where, f"{exc}") from None

    def _sale(self, value: object, where: str, purpose: str) -> Sale | None:
        if value is None:
            return None
        if purpose not in ("sales", "reactivation"):
            raise _Bad(where, f"a {purpose} script records no sale")
        m = _mapping(value, where)
        for key in sorted(set(m) - {"product", "quantity", "amount", "currency"}):
            raise _Bad(f"{where}.{key}", "unknown key (known: amount, currency, product, "
                                         "quantity)")
        if "product" not in m and "amount" not in m:
            raise _Bad(where, "a sale names a product (an order) or an amount (a contract)")

        def amount(key: str) -> float | str:
            v = m[key]
            return _id(v, f"{where}.{key}") if isinstance(v, str) else _number(v, f"{where}.{key}")
        currency = _text(m.get("currency", "EUR"), f"{where}.currency", 3)
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise _Bad(f"{where}.currency", "a currency is three capital letters (ISO 4217)")
        return Sale(_text(m["product"], f"{where}.product", 64) if "product" in m else None,
                    amount("quantity") if "quantity" in m else 1,
                    amount("amount") if "amount" in m else None, currency)

    def _address(self, value: object, where: str, purpose: str) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        if purpose != "address_update":
            raise _Bad(where, "only an address_update script writes an address")
        m = _mapping(value, where)
        for key in sorted(set(m) - set(ADDRESS_FIELDS)):
            raise _Bad(f"{where}.{key}", f"unknown address part (known: "
                                         f"{', '.join(ADDRESS_FIELDS)})")
        return tuple((k, _id(v, f"{where}.{k}")) for k, v in m.items())

    def _references(self, steps: list[Step]) -> None:
        """Routes go forward to a step or `end`; conditions and merges read earlier
        questions or merge fields; sales and addresses read earlier questions."""
        index = {s.id: i for i, s in enumerate(steps)}
        kinds = {s.id: s.kind for s in steps}
        for i, step in enumerate(steps):
            where = f"steps[{i}]"
            earlier = {s.id for s in steps[:i] if s.is_question}
            known = earlier | self.fields | CUSTOMER_FIELDS | self.broken
            if step.when is not None:
                self._names(step.when, known, f"{where}.when", step.id)
            for r, route in enumerate(step.routes):
                listed = f"{where}.next[{r}]" in self.lines
                at = f"{where}.next[{r}]" if listed else f"{where}.next"
                if route.condition is not None:
                    own = known | ({step.id} if step.is_question else set())
                    self._names(route.condition, own, f"{at}.if", step.id)
                goto, to = route.goto, f"{at}.goto" if listed else at
                if goto in self.broken:
                    continue
                if goto != "end" and goto not in index:
                    self.bad(to, f"no step {goto!r}")
                elif goto != "end" and index[goto] <= i:
                    self.bad(to, f"{goto!r} is not after this step (routes go forward only)")
            texts = [(f"{where}.{step.kind}" if step.kind != "close" else f"{where}.message",
                      step.text)]
            texts += [(f"{where}.options", o.label) for o in step.options]
            for at, text in texts:
                for name in merged_names(text):
                    if name not in known:
                        self.bad(at, f"unknown merge field {{{name}}} (fields: "
                                     f"{', '.join(sorted(self.fields | CUSTOMER_FIELDS))}; "
                                     "or an earlier question's id)")
            if step.sale is not None:
                for key, v in (("quantity", step.sale.quantity), ("amount", step.sale.amount)):
                    if isinstance(v, str) and v not in self.broken and (
                            v not in earlier or kinds[v] != "number"):
                        self.bad(f"{where}.sale.{key}", f"{v!r} is not an earlier number "
                                                        "question")
            for part, qid in step.address:
                if qid not in earlier and qid not in self.broken:
                    self.bad(f"{where}.address.{part}", f"{qid!r} is not an earlier question")

    def _names(self, condition: Condition, known: set[str] | frozenset[str], at: str,
               step_id: str) -> None:
        for name in sorted(names(condition) - known):
            self.bad(at, f"{name!r} is neither a question before step {step_id!r} "
                         "nor a merge field")
