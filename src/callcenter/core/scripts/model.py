"""Agent scripts and questionnaires as immutable values: a `Script` is an ordered tuple
of `Step`s (things to say, questions of six types, closing steps), each with an
optional `when` (skip logic) and `next` routes; jumps go forward only, so every walk
through a script ends.

The YAML format is read by `callcenter.core.scripts.parse` and documented in
docs/reference/scripts.md; the runner is `callcenter.core.scripts.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from callcenter.core.scripts.conditions import Condition
from callcenter.core.scripts.quotas import Quota

PURPOSES: Final = ("sales", "survey", "satisfaction", "reactivation", "address_update")
"""What a campaign (and its script) is for."""

OUTCOMES: Final[MappingProxyType[str, tuple[str, ...]]] = MappingProxyType({
    "sales": ("sale", "contract", "no_sale", "callback", "refusal"),
    "survey": ("complete", "partial", "refusal", "break_off", "ineligible", "quota_full"),
    "satisfaction": ("complete", "partial", "refusal", "break_off"),
    "reactivation": ("reactivated", "sale", "not_interested", "callback", "refusal"),
    "address_update": ("address_confirmed", "address_corrected", "moved_away", "refusal"),
})
"""The outcome codes a closing step may record, per purpose (the survey codes follow
AAPOR's final dispositions: complete, partial, refusal, break-off, ineligible)."""

DEFAULT_OUTCOME: Final[MappingProxyType[str, str]] = MappingProxyType({
    "sales": "no_sale", "survey": "complete", "satisfaction": "complete",
    "reactivation": "not_interested", "address_update": "address_confirmed",
})
"""The outcome of a run that walks off the end of its script without a closing step."""

BREAK_OFF: Final[MappingProxyType[str, str]] = MappingProxyType({
    "sales": "no_sale", "survey": "break_off", "satisfaction": "break_off",
    "reactivation": "not_interested", "address_update": "refusal",
})
"""The outcome of a run ended early (the call ended before the script did)."""

QUESTION_TYPES: Final = ("single", "multiple", "scale", "number", "text", "date")
"""The kinds of question; `say` (text only) and `close` are the other steps."""

STEP_TYPES: Final = ("say", *QUESTION_TYPES, "close")

ADDRESS_FIELDS: Final = ("street", "postal_code", "city", "region", "country")
"""The parts of an address a closing step may write (`address:`)."""

CUSTOMER_FIELDS: Final = frozenset({
    "first_name", "last_name", "name", "account", "segment", "language", "number", "email",
    "street", "postal_code", "city", "country", "agent_name", "campaign",
})
"""Merge fields every script may use without declaring them: the customer's, the
lead's usual ones, and the agent's and campaign's names."""


@dataclass(frozen=True, slots=True)
class Option:
    """A choice of a single- or multiple-choice question: the stored `value` and the
    `label` the agent reads (merge fields allowed)."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Route:
    """Go to step `goto` (or `end`) when `condition` holds (None: always)."""

    goto: str
    condition: Condition | None = None
    text: str = ""
    """The condition as written (for messages and the editor)."""


@dataclass(frozen=True, slots=True)
class Sale:
    """What a sales close records: an order line (`product` a catalog SKU, `quantity`)
    or a contract with an `amount` in `currency`. `amount` and `quantity` are a number
    or the id of an earlier number question whose answer gives it."""

    product: str | None = None
    quantity: float | str = 1
    amount: float | str | None = None
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a script.

    `kind` is `say`, a question type or `close`. `text` is what the agent reads
    (with `{field}` merges). Questions have `options` (single, multiple), `minimum`
    and `maximum` (scale: required; number: optional), `required` (false lets the
    agent skip it). `when` skips the step when false. `routes` are tried in order
    after the step; none matching goes to the following step. A `close` step ends the
    run with `outcome` (and `sale`, or `address`: address part -> question id)."""

    id: str
    kind: str
    text: str = ""
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = True
    when: Condition | None = None
    when_text: str = ""
    routes: tuple[Route, ...] = ()
    outcome: str | None = None
    sale: Sale | None = None
    address: tuple[tuple[str, str], ...] = ()
    line: int | None = None

    @property
    def is_question(self) -> bool:
        return self.kind in QUESTION_TYPES


@dataclass(frozen=True, slots=True)
class Script:
    """A validated script: `purpose`, its `steps` in order, the lead fields it merges
    beyond `CUSTOMER_FIELDS`, the raw `quotas` value with the line of each of its key
    paths, and `quota`, what `callcenter.core.scripts.quotas.parse_quotas` read from
    them (no cells when the script has no quotas)."""

    id: str
    title: str
    purpose: str
    steps: tuple[Step, ...]
    fields: frozenset[str] = frozenset()
    quotas: object = None
    quota_lines: tuple[tuple[str, int], ...] = ()
    quota: Quota = field(default_factory=Quota)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise KeyError(step_id)

    @property
    def questions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.is_question)
