"""IVR flows: the nodes a call walks through before (and while) it waits in a queue.

A `Flow` is a graph of named nodes starting at `start`. Each node either does
something at once and moves on (`SetValues`, `Hours`, `Switch`), waits for the caller or an
adapter (`Play`, `Menu`, `Collect`, `Survey`, `Lookup`), or ends the flow (`ToQueue`,
`Callback`, `Voicemail`, `Transfer`, `Hangup`). Flows are frozen values, checked on
creation: every `next` names a node, every node is reachable, and no cycle runs
through instant nodes alone (which would loop without waiting for anything).
`FlowError` names the node and the field.

The interpreter is `callcenter.core.ivr.IvrRunner`; YAML files are read by
`callcenter.flows`; the format is documented in docs/reference/ivr.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from callcenter.core.config import Calendar, ConfigError, SkillRequirement

DIGITS = frozenset("0123456789*#")
"""The DTMF keys a caller can press (A-D are not on phones)."""


class FlowError(ConfigError):
    """A flow is invalid; `path` names the place (`nodes.menu.choices`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True, slots=True)
class Prompt:
    """Something to play: a WAV file, or text rendered to speech (once, then cached).

    Text may hold `{name}` fields, filled from the call's variables (and, for queue
    announcements, `{position}`, `{wait}` as words and `{wait_minutes}` as a number)
    when it is played."""

    file: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if (self.file is None) == (self.text is None):
            raise FlowError("", "a prompt is either a file or a text")
        if self.file is not None and not self.file.endswith(".wav"):
            raise FlowError("file", f"prompts are WAV files, got {self.file!r}")

    def render(self, values: Mapping[str, object]) -> Prompt:
        """The prompt with its text fields filled (unknown fields are left as written)."""
        if self.text is None or "{" not in self.text:
            return self

        def fill(m: re.Match[str]) -> str:
            value = values.get(m.group(1))
            return m.group(0) if value is None else str(value)

        return Prompt(text=_FIELD.sub(fill, self.text))


_FIELD = re.compile(r"\{([A-Za-z0-9_][A-Za-z0-9_.-]*)\}")


@dataclass(frozen=True, slots=True)
class Play:
    """Play prompts, then go on."""

    prompts: tuple[Prompt, ...]
    next: str


@dataclass(frozen=True, slots=True)
class Menu:
    """Play a prompt and branch on one key. The caller may press during the prompt.

    No key within `timeout` seconds after the prompt, or a key not in `choices`,
    costs a try: `no_input` / `invalid` is played and the prompt again; after
    `retries` such repeats the call goes to `fail`."""

    prompts: tuple[Prompt, ...]
    choices: tuple[tuple[str, str], ...]
    fail: str
    timeout: float = 5.0
    retries: int = 2
    invalid: tuple[Prompt, ...] = ()
    no_input: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True)
class Collect:
    """Collect digits into `variable` (a customer or order number).

    Input ends at `terminator`, at `max_digits`, or `inter_digit` seconds after
    the last key. Valid when it has `min_digits`..`max_digits` digits and matches
    `pattern` (a regular expression, whole input) if given; otherwise a try is
    spent as in `Menu`."""

    prompts: tuple[Prompt, ...]
    variable: str
    next: str
    fail: str
    min_digits: int = 1
    max_digits: int = 20
    terminator: str = "#"
    timeout: float = 5.0
    inter_digit: float = 3.0
    pattern: str | None = None
    retries: int = 2
    invalid: tuple[Prompt, ...] = ()
    no_input: tuple[Prompt, ...] = ()


SURVEY_KEYS = ("1", "2", "3", "4", "5")
"""The keys a `Survey` takes as a rating (1 = worst, 5 = best)."""


@dataclass(frozen=True, slots=True)
class Survey:
    """Ask for a rating of the call, 1 to 5 on the keypad (a post-call survey).

    A key 1-5 during or within `timeout` seconds after the prompt is the rating: it
    is kept in the variable `survey.rating` and the call goes to `next`. Another key
    plays `invalid` and the prompt once more; a second wrong key, or no key at all,
    gives no rating and the call goes to `fail`."""

    prompts: tuple[Prompt, ...]
    next: str
    fail: str
    timeout: float = 5.0
    invalid: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True)
class Hours:
    """Branch on business hours: `open` inside the calendar's hours, else `closed`."""

    calendar: Calendar
    open: str
    closed: str


@dataclass(frozen=True, slots=True)
class SetValues:
    """Set the language, extra skills, priority or variables of the call; go on."""

    next: str
    language: str | None = None
    skills: tuple[SkillRequirement, ...] = ()
    priority: int | None = None
    variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Switch:
    """Branch on a variable: the node `cases` names for its value, else `default` (also
    when the variable is not set)."""

    variable: str
    cases: tuple[tuple[str, str], ...]
    default: str


LOOKUP_MATCHES = ("number", "account")
"""What a `Lookup` matches its value against: a customer's phone numbers, or accounts."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """Ask the customer directory for the caller's number (or a collected variable),
    matched against customers' phone numbers or, with `match="account"`, accounts.

    A found customer's fields become variables (`customer.<field>`) and its
    `priority` boost is added to the call's priority; no answer within `timeout`
    seconds counts as not found."""

    found: str
    missing: str
    by: str = "caller"
    timeout: float = 3.0
    match: str = "number"


@dataclass(frozen=True, slots=True)
class QueueTreatment:
    """What a caller hears while waiting: music, a recording-consent notice on entry,
    periodic announcements of position and expected wait, and a key that leaves a
    callback request (the callback keeps the caller's place)."""

    music: str | None = None
    consent: tuple[Prompt, ...] = ()
    announce_every: float | None = None
    announcement: tuple[Prompt, ...] = (
        Prompt(text="You are number {position} in line. The expected wait is {wait}."),)
    callback_key: str | None = None
    callback_confirmation: tuple[Prompt, ...] = (
        Prompt(text="Thank you. We will call you back and keep your place in line."),)


@dataclass(frozen=True, slots=True)
class ToQueue:
    """Put the call into a queue (with the skills and priority set so far)."""

    queue_id: str
    treatment: QueueTreatment = field(default_factory=QueueTreatment)
    survey: str | None = None
    """The flow the caller is sent to when the agent hangs up (a post-call survey);
    None: the caller is hung up with the agent."""


@dataclass(frozen=True, slots=True)
class Callback:
    """Offer a callback: the call enters the queue as a callback request, keeping its
    place, after the confirmation; then the line is released."""

    queue_id: str
    prompts: tuple[Prompt, ...] = (
        Prompt(text="Thank you. We will call you back and keep your place in line."),)


@dataclass(frozen=True, slots=True)
class Voicemail:
    """Record a message of up to `max_seconds` into `box`, after the prompts."""

    box: str
    prompts: tuple[Prompt, ...] = ()
    max_seconds: float = 120.0


@dataclass(frozen=True, slots=True)
class Transfer:
    """Transfer the call to an external number."""

    number: str


@dataclass(frozen=True, slots=True)
class Hangup:
    """Play the prompts (if any) and hang up."""

    prompts: tuple[Prompt, ...] = ()


Node = Play | Menu | Collect | Survey | Hours | SetValues | Switch | Lookup | ToQueue | \
    Callback | Voicemail | Transfer | Hangup

INSTANT = (Hours, SetValues, Switch)
"""Nodes that move on without waiting for anything."""


def successors(node: Node) -> Iterator[tuple[str, str]]:
    """(field, node name) for each node this one can go to."""
    if isinstance(node, Play | SetValues):
        yield "next", node.next
    elif isinstance(node, Menu):
        for key, target in node.choices:
            yield f"choices.{key}", target
        yield "fail", node.fail
    elif isinstance(node, Collect | Survey):
        yield "next", node.next
        yield "fail", node.fail
    elif isinstance(node, Hours):
        yield "open", node.open
        yield "closed", node.closed
    elif isinstance(node, Switch):
        for value, target in node.cases:
            yield f"cases.{value}", target
        yield "default", node.default
    elif isinstance(node, Lookup):
        yield "found", node.found
        yield "missing", node.missing


_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Flow:
    """A named IVR flow: nodes by name, the first one `start`, the call's initial
    `language` (None: the adapter's default)."""

    id: str
    start: str
    nodes: Mapping[str, Node]
    language: str | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.id):
            raise FlowError("id", f"a flow id is 1-64 letters, digits, '_', '.', '-': "
                                  f"got {self.id!r}")
        for name, node in self.nodes.items():
            _check_node(name, node)
        if self.start not in self.nodes:
            raise FlowError("start", f"no node {self.start!r}")
        for name, node in self.nodes.items():
            for where, target in successors(node):
                if target not in self.nodes:
                    raise FlowError(f"nodes.{name}.{where}", f"no node {target!r}")
        seen = _reachable(self)
        lost = sorted(set(self.nodes) - seen)
        if lost:
            raise FlowError("nodes", f"unreachable from {self.start!r}: {', '.join(lost)}")
        loop = _instant_cycle(self)
        if loop:
            raise FlowError("nodes", "these nodes loop without waiting for the caller: "
                                     + " -> ".join(loop))


def _check_node(name: str, node: Node) -> None:
    where = f"nodes.{name}"
    if not _NAME.match(name):
        raise FlowError(where, "a node name is 1-64 letters, digits, '_', '.', '-'")
    if isinstance(node, Menu | Collect | Survey) and node.timeout <= 0:
        raise FlowError(f"{where}.timeout", "must be > 0")
    if isinstance(node, Menu | Collect) and node.retries < 0:
        raise FlowError(f"{where}.retries", "must be >= 0")
    if isinstance(node, Menu):
        if not node.choices:
            raise FlowError(f"{where}.choices", "a menu needs at least one choice")
        keys = [k for k, _ in node.choices]
        for k in keys:
            if len(k) != 1 or k not in DIGITS:
                raise FlowError(f"{where}.choices", f"a choice is one key of 0-9 * #, got {k!r}")
        if len(set(keys)) != len(keys):
            raise FlowError(f"{where}.choices", "a key is listed twice")
    elif isinstance(node, Collect):
        if not 1 <= node.min_digits <= node.max_digits <= 64:
            raise FlowError(f"{where}.max_digits", "need 1 <= min_digits <= max_digits <= 64")
        if node.terminator and node.terminator not in ("#", "*"):
            raise FlowError(f"{where}.terminator", "is '#', '*' or empty")
        if node.inter_digit <= 0:
            raise FlowError(f"{where}.inter_digit", "must be > 0")
        if not _NAME.match(node.variable):
            raise FlowError(f"{where}.variable", f"not a variable name: {node.variable!r}")
        if node.pattern is not None:
            try:
                re.compile(node.pattern)
            except re.error as exc:
                raise FlowError(f"{where}.pattern", f"not a regular expression: {exc}") from None
    elif isinstance(node, Lookup):
        if node.timeout <= 0:
            raise FlowError(f"{where}.timeout", "must be > 0")
        if node.match not in LOOKUP_MATCHES:
            raise FlowError(f"{where}.match", f"is 'number' or 'account', got {node.match!r}")
    elif isinstance(node, Switch):
        if not _NAME.match(node.variable):
            raise FlowError(f"{where}.switch", f"not a variable name: {node.variable!r}")
        if not node.cases:
            raise FlowError(f"{where}.cases", "a switch needs at least one case")
        values = [v for v, _ in node.cases]
        if len(set(values)) != len(values):
            raise FlowError(f"{where}.cases", "a value is listed twice")
    elif isinstance(node, ToQueue):
        t = node.treatment
        if t.announce_every is not None and t.announce_every < 10:
            raise FlowError(f"{where}.announce_every", "must be at least 10 seconds")
        if t.callback_key is not None and (len(t.callback_key) != 1
                                           or t.callback_key not in DIGITS):
            raise FlowError(f"{where}.callback_key", "is one key of 0-9 * #")
        if node.survey is not None and not _NAME.match(node.survey):
            raise FlowError(f"{where}.survey_flow", f"not a flow id: {node.survey!r}")
    elif isinstance(node, Voicemail) and node.max_seconds <= 0:
        raise FlowError(f"{where}.max_seconds", "must be > 0")
    elif isinstance(node, Transfer) and not node.number:
        raise FlowError(f"{where}.number", "a transfer needs a number")
    elif isinstance(node, Play) and not node.prompts:
        raise FlowError(f"{where}.play", "nothing to play")


def _reachable(flow: Flow) -> set[str]:
    seen = {flow.start}
    todo = [flow.start]
    while todo:
        for _, target in successors(flow.nodes[todo.pop()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _instant_cycle(flow: Flow) -> list[str]:
    """A cycle through instant nodes only, as a list of names (empty if none)."""
    instant = {n for n, node in flow.nodes.items() if isinstance(node, INSTANT)}
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for _, target in successors(flow.nodes[name]):
            if target not in instant:
                continue
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return []

    for name in sorted(instant):
        if name not in state:
            found = visit(name)
            if found:
                return found
    return []
