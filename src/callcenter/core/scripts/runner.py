"""The pure script runner: given a script, the merge fields and the answers so far, where
the run stands (`position`), whether an answer is valid (`check_answer`), and at the end
the outcome.

A run is its answers, nothing else: the position is found by walking the script from
its first step, skipping steps whose `when` is false, and passing each step that has an
answer (a `say` step's answer is its acknowledgement) by its first matching route. The
first step without an answer is the current one; a closing step, a route to `end` or
the end of the list ends the run. Answers to steps off the walked path (left behind
when an earlier answer changed the route) are kept but read by nothing. Because routes
only go forward, every walk ends within `len(script.steps)` steps.

Quotas: given the counts of the campaign's quota cells (`quota_counts`), a run whose
answers so far (and lead fields) put it into a full cell ends at once with outcome
`quota_full` (`callcenter.core.scripts.quotas.screen_out`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from callcenter.core.scripts.conditions import evaluate
from callcenter.core.scripts.merge import merge
from callcenter.core.scripts.model import BREAK_OFF, DEFAULT_OUTCOME, Option, Script, Step
from callcenter.core.scripts.quotas import screen_out

__all__ = ["QUOTA_FULL", "AnswerError", "Outcome", "Position", "break_off", "check_answer",
           "position", "render"]

QUOTA_FULL = "quota_full"
"""The outcome of a run screened out by a full quota cell."""

MAX_ANSWER_TEXT = 2000
Answer = None | bool | int | float | str | list[str]


class AnswerError(ValueError):
    """An answer does not fit its question; the message says why."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run ended: its outcome `code`, the `step` that closed it (None: it ran off
    the end or was broken off), a sale's resolved figures, an address's new parts."""

    code: str
    step: str | None = None
    product: str | None = None
    quantity: float | None = None
    amount: float | None = None
    currency: str | None = None
    address: tuple[tuple[str, str], ...] = ()

    @property
    def is_sale(self) -> bool:
        return self.product is not None or self.amount is not None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a run stands: the `path` of step ids passed (in order), the `current`
    step (None when the run has ended), and the `outcome` once the current step is a
    closing step or the run has ended."""

    path: tuple[str, ...]
    current: Step | None
    outcome: Outcome | None

    @property
    def ended(self) -> bool:
        return self.current is None or self.current.kind == "close"


def _values(fields: Mapping[str, object], answers: Mapping[str, object],
            path: list[str]) -> dict[str, object]:
    values = dict(fields)
    values.update({sid: answers[sid] for sid in path})
    return values


def position(script: Script, fields: Mapping[str, object],
             answers: Mapping[str, object],
             quota_counts: Mapping[str, int] | None = None) -> Position:
    """Where a run with these merge `fields` and `answers` (step id -> answer) stands;
    with `quota_counts` (completed interviews per quota cell), a run in a full cell
    has ended with outcome `quota_full`."""
    path: list[str] = []
    i = 0
    steps = script.steps
    screen = quota_counts is not None and bool(script.quota.cells)
    lead = {k: str(v) for k, v in fields.items() if v is not None} if screen else {}
    while i < len(steps):
        step = steps[i]
        values = _values(fields, answers, path)
        if screen and quota_counts is not None and screen_out(
                script.quota, quota_counts, {sid: answers[sid] for sid in path}, lead):
            return Position(tuple(path), None, Outcome(QUOTA_FULL))
        if step.when is not None and not evaluate(step.when, values):
            i += 1
            continue
        if step.kind == "close":
            return Position(tuple(path), step, _close(script, step, values))
        if step.id not in answers:
            return Position(tuple(path), step, None)
        path.append(step.id)
        values[step.id] = answers[step.id]
        goto = next((r.goto for r in step.routes
                     if r.condition is None or evaluate(r.condition, values)), None)
        if goto == "end":
            break
        i = i + 1 if goto is None else script.index(goto)
    return Position(tuple(path), None, Outcome(DEFAULT_OUTCOME[script.purpose]))


def _close(script: Script, step: Step, values: Mapping[str, object]) -> Outcome:
    assert step.outcome is not None
    sale = step.sale
    if sale is None:
        address = tuple((part, str(values[qid])) for part, qid in step.address
                        if values.get(qid) not in (None, ""))
        return Outcome(step.outcome, step.id, address=address)

    def figure(v: float | str | None) -> float | None:
        got = values.get(v) if isinstance(v, str) else v
        return float(got) if isinstance(got, int | float) and not isinstance(got, bool) \
            else None
    return Outcome(step.outcome, step.id, sale.product, figure(sale.quantity),
                   figure(sale.amount), sale.currency)


def break_off(script: Script) -> Outcome:
    """The outcome of a run ended before its script did."""
    return Outcome(BREAK_OFF[script.purpose])


def render(step: Step, fields: Mapping[str, object], answers: Mapping[str, object]
           ) -> tuple[str, tuple[Option, ...]]:
    """The step's text and options with their merge fields filled in (earlier answers
    merge by question id)."""
    values = {**fields, **answers}
    return (merge(step.text, values),
            tuple(Option(o.value, merge(o.label, values)) for o in step.options))


def check_answer(step: Step, value: object) -> Answer:
    """The answer `value` to `step` as it is stored, or `AnswerError` saying why not.
    A question that is not required takes null (skipped); a `say` step takes anything
    (stored as true, the acknowledgement)."""
    if step.kind == "say":
        return True
    if step.kind == "close":
        raise AnswerError("a closing step takes no answer")
    if value is None or value == "" or value == []:
        if step.required:
            raise AnswerError("an answer is required")
        return None
    if step.kind == "single":
        if not isinstance(value, str) or value not in {o.value for o in step.options}:
            raise AnswerError(f"not one of the options: {_options(step)}")
        return value
    if step.kind == "multiple":
        allowed = [o.value for o in step.options]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerError("expected a list of options")
        if any(v not in allowed for v in value) or len(set(value)) != len(value):
            raise AnswerError(f"each option once, of: {_options(step)}")
        return [v for v in allowed if v in value]
    if step.kind in ("scale", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value \
                or value in (float("inf"), float("-inf")):
            raise AnswerError("expected a number")
        if step.kind == "scale" and not float(value).is_integer():
            raise AnswerError("expected a whole number on the scale")
        if step.minimum is not None and value < step.minimum:
            raise AnswerError(f"must be at least {step.minimum:g}")
        if step.maximum is not None and value > step.maximum:
            raise AnswerError(f"must be at most {step.maximum:g}")
        return int(value) if float(value).is_integer() else float(value)
    if not isinstance(value, str):
        raise AnswerError("expected text")
    if step.kind == "date":
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise AnswerError("expected a date as YYYY-MM-DD") from None
    text = value.strip()
    if len(text) > MAX_ANSWER_TEXT:
        raise AnswerError(f"longer than {MAX_ANSWER_TEXT} characters")
    if not text and step.required:
        raise AnswerError("an answer is required")
    return text or None


def _options(step: Step) -> str:
    return ", ".join(o.value for o in step.options)
