"""IVR flows from YAML files: `load_flows(path) -> {flow id: Flow}`.

    flows = load_flows("examples/flows/customer-service.yaml")
    runner = IvrRunner(flows)

The format is in docs/reference/ivr.md; `examples/flows/` has a complete example.
Every mistake raises `FlowFileError` naming the file, the line and the key
(`flows.main.nodes.menu.choices: no node 'billing'`). Files are read with
`yaml.safe_load` semantics (no tags, no objects).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml

from callcenter.core.config import Calendar, ConfigError, SkillRequirement, WeeklyHours
from callcenter.core.ivr_flow import (
    Callback,
    Collect,
    Flow,
    FlowError,
    Hangup,
    Hours,
    Lookup,
    Menu,
    Node,
    Play,
    Prompt,
    QueueTreatment,
    SetValues,
    Survey,
    Switch,
    ToQueue,
    Transfer,
    Voicemail,
)
from callcenter.core.yaml_lines import key_lines, line_of

__all__ = ["FlowFileError", "load_flows", "parse_flows"]


class FlowFileError(ValueError):
    """A flow file is invalid; the message names the file, line and key (`line`: the
    line number, None when the mistake has none)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KINDS = ("play", "menu", "collect", "survey", "hours", "set", "switch", "lookup", "queue",
          "callback", "voicemail", "transfer", "hangup")


def load_flows(file: str | Path, calendars: Mapping[str, Calendar] | None = None
               ) -> dict[str, Flow]:
    """The flows of a YAML file. `calendars` adds named calendars (e.g. the store's)
    that `hours` nodes may use beside the file's own."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlowFileError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_flows(text, path, calendars)


def parse_flows(text: str, source: Path | None = None,
                calendars: Mapping[str, Calendar] | None = None,
                queues: Collection[str] | None = None) -> dict[str, Flow]:
    """The flows in YAML `text` (`source` names it in errors). With `queues`, every queue
    a `queue` or `callback` node sends calls to must be one of them."""
    name = str(source) if source is not None else "<flows>"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f"{name}:{line}" if line is not None else name
        raise FlowFileError(f"{where}: not valid YAML: "
                            f"{getattr(exc, 'problem', None) or exc}", line) from None
    lines = key_lines(root)
    if data is None:
        data = {}

    def fail(path: str, message: str) -> FlowFileError:
        line = line_of(lines, path)
        return FlowFileError(f"{name}{f':{line}' if line else ''}: {path}: {message}", line)

    try:
        flows = _Reader(data, calendars or {}).flows()
    except FlowError as exc:
        raise fail(exc.path, exc.reason) from None
    except _Bad as exc:
        raise fail(exc.path, exc.message) from None
    for fid, flow in flows.items():
        for node_name, node in flow.nodes.items():
            if isinstance(node, ToQueue) and node.survey is not None \
                    and node.survey not in flows:
                raise fail(f"flows.{fid}.nodes.{node_name}.survey_flow",
                           f"no flow {node.survey!r} (flows: {', '.join(sorted(flows))})")
    if queues is not None:
        for fid, flow in flows.items():
            for node_name, node in flow.nodes.items():
                if isinstance(node, ToQueue | Callback) and node.queue_id not in queues:
                    key = "queue" if isinstance(node, ToQueue) else "callback"
                    raise fail(f"flows.{fid}.nodes.{node_name}.{key}",
                               f"no queue {node.queue_id!r} (queues: "
                               f"{', '.join(sorted(queues)) or 'none'})")
    return flows


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _mapping(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        got = "nothing" if value is None else type(value).__name__
        raise _Bad(path, f"expected a mapping, got {got}")
    return {str(k): v for k, v in value.items()}


def _str(value: object, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Bad(path, f"expected text, got {type(value).__name__}")
    return str(value)


def _number(value: object, path: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(path, f"expected a number, got {type(value).__name__}")
    if value < minimum:
        raise _Bad(path, f"must be >= {minimum:g}, got {value}")
    return float(value)


def _int(value: object, path: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(path, f"expected a whole number, got {type(value).__name__}")
    if value < minimum:
        raise _Bad(path, f"must be >= {minimum}, got {value}")
    return value


def _prompts(value: object, path: str) -> tuple[Prompt, ...]:
    """Text, `{file: x.wav}`, `{text: ...}`, or a list of those; null for nothing."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]" if isinstance(value, list) else path
        if isinstance(item, str):
            out.append(Prompt(text=item))
            continue
        m = _mapping(item, where)
        unknown = set(m) - {"file", "text"}
        if unknown or len(m) != 1:
            raise _Bad(where, "a prompt is text, {file: name.wav} or {text: ...}")
        try:
            out.append(Prompt(file=_str(m["file"], f"{where}.file")) if "file" in m
                       else Prompt(text=_str(m["text"], f"{where}.text")))
        except FlowError as exc:
            raise _Bad(where, exc.reason) from None
    return tuple(out)


_FIELDS: dict[str, set[str]] = {
    "play": {"next"},
    "menu": {"choices", "fail", "timeout", "retries", "invalid", "no_input"},
    "collect": {"variable", "next", "fail", "min_digits", "max_digits", "terminator", "timeout",
                "inter_digit", "pattern", "retries", "invalid", "no_input"},
    "survey": {"next", "fail", "timeout", "invalid"},
    "hours": {"open", "closed"},
    "set": {"next"},
    "switch": {"cases", "default"},
    "lookup": {"found", "missing", "timeout", "match"},
    "queue": {"music", "consent", "announce_every", "announcement", "callback_key",
              "callback_confirmation", "survey_flow"},
    "callback": {"say"},
    "voicemail": {"say", "max_seconds"},
    "transfer": set(),
    "hangup": set(),
}


class _Reader:
    def __init__(self, data: dict[str, Any], extra: Mapping[str, Calendar]) -> None:
        self.data = _mapping(data, "")
        unknown = set(self.data) - {"calendars", "flows"}
        if unknown:
            raise _Bad(sorted(unknown)[0], "unknown key (known: calendars, flows)")
        self.calendars = dict(extra)
        for cid, spec in _mapping(self.data.get("calendars", {}), "calendars").items():
            self.calendars[cid] = _calendar(spec, f"calendars.{cid}")

    def flows(self) -> dict[str, Flow]:
        flows = _mapping(self.data.get("flows"), "flows")
        if not flows:
            raise _Bad("flows", "no flows defined")
        return {fid: self._flow(fid, spec) for fid, spec in flows.items()}

    def _flow(self, fid: str, spec: object) -> Flow:
        where = f"flows.{fid}"
        m = _mapping(spec, where)
        unknown = set(m) - {"start", "language", "nodes"}
        if unknown:
            raise _Bad(f"{where}.{sorted(unknown)[0]}",
                       "unknown key (known: start, language, nodes)")
        nodes_spec = _mapping(m.get("nodes"), f"{where}.nodes")
        nodes = {name: self._node(v, f"{where}.nodes.{name}") for name, v in nodes_spec.items()}
        start = _str(m.get("start", next(iter(nodes_spec), "")), f"{where}.start")
        language = m.get("language")
        try:
            return Flow(fid, start, nodes,
                        None if language is None else _str(language, f"{where}.language"))
        except FlowError as exc:
            raise FlowError(f"{where}.{exc.path}" if exc.path else where, exc.reason) from None

    def _node(self, spec: object, where: str) -> Node:
        m = _mapping(spec, where)
        kinds = [k for k in _KINDS if k in m]
        if len(kinds) != 1:
            raise _Bad(where, f"a node has exactly one of: {', '.join(_KINDS)}")
        kind = kinds[0]
        unknown = set(m) - {kind} - _FIELDS[kind]
        if unknown:
            known = ", ".join(sorted(_FIELDS[kind])) or "none"
            raise _Bad(f"{where}.{sorted(unknown)[0]}", f"unknown key for {kind} (known: {known})")
        try:
            return _BUILD[kind](self, m, where)
        except KeyError as exc:
            raise _Bad(where, f"{kind} needs {exc.args[0]!r}") from None
        except FlowError as exc:
            raise _Bad(f"{where}.{exc.path}" if exc.path else where, exc.reason) from None
        except ConfigError as exc:
            raise _Bad(where, str(exc)) from None

    # one builder per kind ------------------------------------------------------------

    def _play(self, m: dict[str, Any], w: str) -> Node:
        return Play(_prompts(m["play"], f"{w}.play"), _str(m["next"], f"{w}.next"))

    def _menu(self, m: dict[str, Any], w: str) -> Node:
        choices = _mapping(m["choices"], f"{w}.choices")
        return Menu(_prompts(m["menu"], f"{w}.menu"),
                    tuple((str(k), _str(v, f"{w}.choices.{k}")) for k, v in choices.items()),
                    _str(m["fail"], f"{w}.fail"),
                    timeout=_number(m.get("timeout", 5.0), f"{w}.timeout"),
                    retries=_int(m.get("retries", 2), f"{w}.retries"),
                    invalid=_prompts(m.get("invalid"), f"{w}.invalid"),
                    no_input=_prompts(m.get("no_input"), f"{w}.no_input"))

    def _collect(self, m: dict[str, Any], w: str) -> Node:
        pattern = m.get("pattern")
        terminator = m.get("terminator", "#")
        return Collect(_prompts(m["collect"], f"{w}.collect"), _str(m["variable"], f"{w}.variable"),
                       _str(m["next"], f"{w}.next"), _str(m["fail"], f"{w}.fail"),
                       min_digits=_int(m.get("min_digits", 1), f"{w}.min_digits", 1),
                       max_digits=_int(m.get("max_digits", 20), f"{w}.max_digits", 1),
                       terminator="" if terminator is None else _str(terminator,
                                                                     f"{w}.terminator"),
                       timeout=_number(m.get("timeout", 5.0), f"{w}.timeout"),
                       inter_digit=_number(m.get("inter_digit", 3.0), f"{w}.inter_digit"),
                       pattern=None if pattern is None else _str(pattern, f"{w}.pattern"),
                       retries=_int(m.get("retries", 2), f"{w}.retries"),
                       invalid=_prompts(m.get("invalid"), f"{w}.invalid"),
                       no_input=_prompts(m.get("no_input"), f"{w}.no_input"))

    def _survey(self, m: dict[str, Any], w: str) -> Node:
        after = _str(m["next"], f"{w}.next")
        return Survey(_prompts(m["survey"], f"{w}.survey"), after,
                      _str(m.get("fail", after), f"{w}.fail"),
                      timeout=_number(m.get("timeout", 5.0), f"{w}.timeout"),
                      invalid=_prompts(m.get("invalid"), f"{w}.invalid"))

    def _hours(self, m: dict[str, Any], w: str) -> Node:
        cid = _str(m["hours"], f"{w}.hours")
        if cid not in self.calendars:
            known = ", ".join(sorted(self.calendars)) or "none defined"
            raise _Bad(f"{w}.hours", f"no calendar {cid!r} (known: {known})")
        return Hours(self.calendars[cid], _str(m["open"], f"{w}.open"),
                     _str(m["closed"], f"{w}.closed"))

    def _set(self, m: dict[str, Any], w: str) -> Node:
        s = _mapping(m["set"], f"{w}.set")
        unknown = set(s) - {"language", "skills", "priority", "variables"}
        if unknown:
            raise _Bad(f"{w}.set.{sorted(unknown)[0]}",
                       "unknown key (known: language, skills, priority, variables)")
        skills = _mapping(s.get("skills", {}), f"{w}.set.skills")
        variables = _mapping(s.get("variables", {}), f"{w}.set.variables")
        return SetValues(
            _str(m["next"], f"{w}.next"),
            language=None if s.get("language") is None else _str(s["language"],
                                                                  f"{w}.set.language"),
            skills=tuple(SkillRequirement(k, _int(v, f"{w}.set.skills.{k}", 1))
                         for k, v in skills.items()),
            priority=None if s.get("priority") is None else _int(s["priority"],
                                                                  f"{w}.set.priority"),
            variables=tuple((k, _str(v, f"{w}.set.variables.{k}")) for k, v in variables.items()))

    def _lookup(self, m: dict[str, Any], w: str) -> Node:
        return Lookup(_str(m["found"], f"{w}.found"), _str(m["missing"], f"{w}.missing"),
                      by=_str(m["lookup"], f"{w}.lookup"),
                      timeout=_number(m.get("timeout", 3.0), f"{w}.timeout"),
                      match=_str(m.get("match", "number"), f"{w}.match"))

    def _switch(self, m: dict[str, Any], w: str) -> Node:
        cases = _mapping(m["cases"], f"{w}.cases")
        return Switch(_str(m["switch"], f"{w}.switch"),
                      tuple((str(k), _str(v, f"{w}.cases.{k}")) for k, v in cases.items()),
                      _str(m["default"], f"{w}.default"))

    def _queue(self, m: dict[str, Any], w: str) -> Node:
        default = QueueTreatment()
        every = m.get("announce_every")
        key = m.get("callback_key")
        music = m.get("music")
        survey = m.get("survey_flow")
        return ToQueue(_str(m["queue"], f"{w}.queue"), QueueTreatment(
            music=None if music is None else _str(music, f"{w}.music"),
            consent=_prompts(m.get("consent"), f"{w}.consent"),
            announce_every=None if every is None else _number(every, f"{w}.announce_every"),
            announcement=_prompts(m["announcement"], f"{w}.announcement")
            if "announcement" in m else default.announcement,
            callback_key=None if key is None else _str(key, f"{w}.callback_key"),
            callback_confirmation=_prompts(m["callback_confirmation"],
                                           f"{w}.callback_confirmation")
            if "callback_confirmation" in m else default.callback_confirmation),
            survey=None if survey is None else _str(survey, f"{w}.survey_flow"))

    def _callback(self, m: dict[str, Any], w: str) -> Node:
        q = _str(m["callback"], f"{w}.callback")
        return Callback(q, _prompts(m["say"], f"{w}.say")) if "say" in m else Callback(q)

    def _voicemail(self, m: dict[str, Any], w: str) -> Node:
        return Voicemail(_str(m["voicemail"], f"{w}.voicemail"), _prompts(m.get("say"), f"{w}.say"),
                         _number(m.get("max_seconds", 120.0), f"{w}.max_seconds"))

    def _transfer(self, m: dict[str, Any], w: str) -> Node:
        return Transfer(_str(m["transfer"], f"{w}.transfer"))

    def _hangup(self, m: dict[str, Any], w: str) -> Node:
        return Hangup(_prompts(m["hangup"], f"{w}.hangup"))


_BUILD: dict[str, Callable[[_Reader, dict[str, Any], str], Node]] = {
    "play": _Reader._play, "menu": _Reader._menu, "collect": _Reader._collect,
    "survey": _Reader._survey,
    "hours": _Reader._hours, "set": _Reader._set, "switch": _Reader._switch,
    "lookup": _Reader._lookup,
    "queue": _Reader._queue, "callback": _Reader._callback, "voicemail": _Reader._voicemail,
    "transfer": _Reader._transfer, "hangup": _Reader._hangup,
}

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _calendar(spec: object, where: str) -> Calendar:
    m = _mapping(spec, where)
    unknown = set(m) - {"timezone", "hours", "holidays"}
    if unknown:
        raise _Bad(f"{where}.{sorted(unknown)[0]}", "unknown key (known: timezone, hours, "
                                                    "holidays)")
    hours: list[WeeklyHours] = []
    for days, ranges in _mapping(m.get("hours", {}), f"{where}.hours").items():
        at = f"{where}.hours.{days}"
        for day in _weekdays(days, at):
            for r in ranges if isinstance(ranges, list) else [ranges]:
                found = _RANGE.match(_str(r, at))
                if found is None:
                    raise _Bad(at, f"hours are 'HH:MM-HH:MM', got {r!r}")
                h1, m1, h2, m2 = (int(x) for x in found.groups())
                try:
                    hours.append(WeeklyHours(day, time(h1, m1), time(0, 0) if h2 == 24
                                             else time(h2, m2)))
                except (ValueError, ConfigError) as exc:
                    raise _Bad(at, str(exc)) from None
    holidays = []
    for i, d in enumerate(m.get("holidays", []) or []):
        if not isinstance(d, date):
            raise _Bad(f"{where}.holidays[{i}]", f"expected a date (YYYY-MM-DD), got {d!r}")
        holidays.append(d)
    try:
        return Calendar(_str(m.get("timezone", "UTC"), f"{where}.timezone"), tuple(hours),
                        frozenset(holidays))
    except ConfigError as exc:
        raise _Bad(f"{where}.timezone", str(exc)) from None


def _weekdays(text: str, where: str) -> list[int]:
    out: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise _Bad(where, f"weekdays are mon..sun or ranges like mon-fri, got {text!r}")
        a = _DAYS.index(first)
        b = _DAYS.index(last) if last else a
        out += list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
    return out
