"""Scenario files (TOML) -> `Scenario`, with errors that name the file, line and key.

The format is documented key by key in `docs/reference/scenario-format.md`.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.core.config import (
    CHANNELS,
    AgentConfig,
    Calendar,
    ConfigError,
    EngineSettings,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
)
from callcenter.scenario import parse
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.ivr_load import ivr_table
from callcenter.scenario.models import Exponential, normalise
from callcenter.scenario.parse import Path as KeyPath
from callcenter.scenario.parse import Table
from callcenter.scenario.spec import (
    DAY,
    AgentGroup,
    ArrivalStream,
    CallbackChoice,
    CallerModel,
    Scenario,
    Shift,
)
from callcenter.scenario.tables import calendar_table, calendars_table, shifts_table
from callcenter.scenario.trace import Trace, read_calls, read_staffing, staffing_from_rows

__all__ = ["ScenarioError", "load_scenario", "parse_scenario"]

_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_QUEUE_NUMBERS = ("wrap_up", "offer_timeout", "retry_after", "aging_rate",
                  "service_level_threshold", "short_abandon", "default_handle_time")


def load_scenario(file: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario: {exc.strerror}", file=path) from None
    return parse_scenario(text, path)


def parse_scenario(text: str, source: Path | None = None) -> Scenario:
    """Validate scenario TOML `text`; `source` names the file in errors and anchors
    relative trace paths."""
    name = str(source) if source is not None else "<scenario>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        msg = _TOML_AT.sub("", str(exc))
        line = int(m.group(1)) if m else None
        raise ScenarioError(f"not valid TOML: {msg}", file=name, line=line) from None
    try:
        return _Builder(data, source).build()
    except ScenarioError as exc:
        raise exc.located(name, parse.locate(text, exc.path)) from None


class _Builder:
    def __init__(self, data: dict[str, Any], source: Path | None) -> None:
        self.root = Table(data, ())
        self.source = source
        self.skills: tuple[str, ...] = ()
        self.queue_ids: set[str] = set()
        self.flow_ids: set[str] | None = None  # None: no [ivr]

    def build(self) -> Scenario:
        if self.root.has("campaign"):
            raise ScenarioError("an outbound scenario (it has a campaign table): "
                                "`callcenter simulate` runs it; it has no queues or callers "
                                "for the routing engine", ("campaign",))
        sim = self.root.table("simulation")
        tz = sim.string("timezone", "UTC")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScenarioError(f"unknown time zone {tz!r}", sim.at("timezone")) from None
        start = parse.day(sim.raw("start", "2025-01-06"), sim.at("start"))
        default_name = self.source.stem if self.source is not None else "scenario"
        base = Scenario(
            queues=(), callers={}, groups=(), name=sim.string("name", default_name),
            description=sim.string("description", ""), start=start, timezone=tz,
            days=sim.integer("days", 1, minimum=1), seed=sim.integer("seed", 1, minimum=0),
            warmup=sim.number("warmup", 0, minimum=0),
            report_interval=int(sim.number("report_interval", 30)),
            source=self.source,
        )
        if base.report_interval not in (15, 30, 60):
            raise ScenarioError("must be 15, 30 or 60 (minutes)", sim.at("report_interval"))
        sim.done()
        self.skills = tuple(self.root.table("skills").data)
        self.root.raw("skills")
        calendars = calendars_table(self.root.table("calendars"), tz)
        queues_t = self.root.table("queues")
        if not queues_t.data and not self.root.has("trace"):
            raise ScenarioError("define at least one queue, e.g. [queues.hotline]", ("queues",))
        self.queue_ids = set(queues_t.data)
        queues, callers = [], {}
        for qid in queues_t.data:
            q, c = self._queue(qid, Table(queues_t.raw(qid), queues_t.at(qid)), calendars, tz)
            queues.append(q)
            callers[qid] = c
        shifts = shifts_table(self.root.table("shifts"))
        groups = [self._group(Table(g, ("agents", i)), shifts)
                  for i, g in enumerate(self.root.array("agents"))]
        ivr = None
        if self.root.has("ivr"):
            ivr = ivr_table(self.root.table("ivr"), self.source, self.queue_ids)
            self.flow_ids = set(ivr.flows)
        profiles = self.root.table("profiles")
        arrivals = tuple(self._arrivals(Table(a, ("arrivals", i)), profiles)
                         for i, a in enumerate(self.root.array("arrivals")))
        for key in profiles.data:
            profiles.raw(key)
        settings = self._settings(self.root.table("engine"))
        scenario = base.with_(queues=tuple(queues), callers=callers, groups=tuple(groups),
                              arrivals=arrivals, settings=settings, skills=self.skills,
                              ivr=ivr)
        if self.root.has("trace"):
            scenario = self._trace(scenario, Table(self.root.raw("trace"), ("trace",)))
        elif not arrivals:
            raise ScenarioError("define arrivals ([[arrivals]]) or a [trace]", ("arrivals",))
        if not scenario.groups:
            raise ScenarioError("define at least one agent group ([[agents]])", ("agents",))
        self._check_ids(scenario.groups)
        self.root.done()
        return scenario

    # -- queues --------------------------------------------------------------------------

    def _queue(self, qid: str, t: Table, calendars: dict[str, Calendar],
               tz: str) -> tuple[QueueConfig, CallerModel]:
        kw: dict[str, Any] = {}
        if t.has("strategy"):
            kw["strategy"] = Strategy(t.string("strategy", choices=[s.value for s in Strategy]))
        kw["channel"] = t.string("channel", "voice", choices=CHANNELS)
        kw["required_skills"] = self._requirements(t, "required_skills")
        for key in ("initial_max_tier", "max_length"):
            if t.has(key):
                kw[key] = t.integer(key, minimum=0 if key == "max_length" else 1)
        if t.has("max_wait"):
            kw["max_wait"] = t.number("max_wait", positive=True)
        for key in ("timeout_action", "full_action", "no_agents_action", "closed_action"):
            if t.has(key):
                kw[key] = self._exit(t.raw(key), t.at(key))
        kw["reject_when_no_agents"] = t.boolean("reject_when_no_agents", False)
        for key in _QUEUE_NUMBERS:
            if t.has(key):
                kw[key] = t.number(key, minimum=0)
        kw["escalation"] = tuple(self._escalation(Table(s, (*t.at("escalation"), i)))
                                 for i, s in enumerate(t.array("escalation")))
        if t.has("calendar"):
            cal = t.raw("calendar")
            if isinstance(cal, str):
                if cal not in calendars:
                    raise ScenarioError(f"no calendar {cal!r} under [calendars]", t.at("calendar"))
                kw["calendar"] = calendars[cal]
            else:
                kw["calendar"] = calendar_table(Table(cal, t.at("calendar")), tz)
        handle = (parse.distribution(t.raw("handle_time"), t.at("handle_time"))
                  if t.has("handle_time") else None)
        patience = parse.distribution(t.raw("patience", "never"), t.at("patience"))
        callback = self._callback(Table(t.raw("callback"), t.at("callback"))) \
            if t.has("callback") else None
        t.done()
        try:
            queue = QueueConfig(qid, **kw)
        except ConfigError as exc:
            raise ScenarioError(str(exc), t.path) from None
        if handle is None:  # the queue's own default handle time (QueueConfig's default)
            handle = Exponential(queue.default_handle_time)
        return queue, CallerModel(handle, patience, callback)

    def _requirements(self, t: Table, key: str) -> tuple[SkillRequirement, ...]:
        if not t.has(key):
            return ()
        levels = parse.skill_levels(t.raw(key), t.at(key))
        self._check_skills([s for s, _ in levels], t.at(key))
        return tuple(SkillRequirement(s, lv) for s, lv in levels)

    def _check_skills(self, names: list[str], path: KeyPath) -> None:
        if not self.skills:
            return
        for name in names:
            if name not in self.skills:
                raise ScenarioError(f"skill {name!r} is not declared under [skills] "
                                    f"(declared: {', '.join(self.skills)})", path)

    def _check_queue(self, qid: str, path: KeyPath) -> None:
        if self.queue_ids and qid not in self.queue_ids:
            raise ScenarioError(f"no queue {qid!r} (queues: {', '.join(sorted(self.queue_ids))})",
                                path)

    def _exit(self, value: object, path: KeyPath) -> ExitAction:
        if not isinstance(value, str):
            raise ScenarioError("must be a string: hangup, voicemail, callback or queue:<id>",
                                path)
        kind, _, target = value.partition(":")
        if kind not in [k.value for k in ExitKind] or (kind == "queue") != bool(target):
            raise ScenarioError(
                f"must be hangup, voicemail, callback or queue:<id>; got {value!r}", path)
        if target:
            self._check_queue(target, path)
        return ExitAction(ExitKind(kind), target or None)

    def _escalation(self, t: Table) -> EscalationStep:
        after = t.number("after", positive=True)
        relax = t.integer("relax_levels", 0, minimum=0)
        max_tier = t.integer("max_tier", minimum=1) if t.has("max_tier") else None
        overflow = t.array("overflow_to")
        for i, q in enumerate(overflow):
            if not isinstance(q, str):
                raise ScenarioError("must be a queue id", (*t.at("overflow_to"), i))
            self._check_queue(q, (*t.at("overflow_to"), i))
        t.done()
        return EscalationStep(after, relax, max_tier, tuple(overflow))

    def _callback(self, t: Table) -> CallbackChoice:
        threshold = t.number("threshold", minimum=0)
        probability = t.number("probability", minimum=0)
        if probability > 1:
            raise ScenarioError(f"must be 0..1, got {probability:g}", t.at("probability"))
        delay = t.number("delay", 0, minimum=0)
        t.done()
        return CallbackChoice(threshold, probability, delay)

    # -- agents ---------------------------------------------------------------------------

    def _group(self, t: Table, shifts: dict[str, Shift]) -> AgentGroup:
        name = t.string("name")
        count = t.integer("count", 1, minimum=1)
        skills = parse.skill_levels(t.raw("skills", {}), t.at("skills"))
        self._check_skills([s for s, _ in skills], t.at("skills"))
        memberships = self._memberships(t.raw("queues", []), t.at("queues"))
        capacity = tuple((ch, int(parse.number(n, (*t.at("capacity"), ch), minimum=0)))
                         for ch, n in t.table("capacity").data.items())
        for ch, _ in capacity:
            if ch not in CHANNELS:
                raise ScenarioError(f"unknown channel {ch!r}; use {', '.join(CHANNELS)}",
                                    t.at("capacity"))
        shift = None
        if t.has("shift"):
            sname = t.string("shift")
            if sname not in shifts:
                raise ScenarioError(f"no shift {sname!r} under [shifts]", t.at("shift"))
            shift = shifts[sname]
        answer = parse.distribution(t.raw("answer_delay", 0), t.at("answer_delay"))
        reject = t.number("reject_probability", 0, minimum=0)
        if reject > 1:
            raise ScenarioError(f"must be 0..1, got {reject:g}", t.at("reject_probability"))
        recover = t.number("recover_after", 60, minimum=0)
        t.done()
        ids = [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]
        try:
            agents = tuple(
                AgentConfig(aid, skills, memberships, capacity or AgentConfig("x").capacity)
                for aid in ids
            )
        except ConfigError as exc:
            raise ScenarioError(str(exc), t.path) from None
        return AgentGroup(name, agents, shift, answer, reject, recover)

    def _memberships(self, value: object, path: KeyPath) -> tuple[Membership, ...]:
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ScenarioError("must be queue ids, or a table of queue = tier", path)
            value = dict.fromkeys(value, 1)
        t = Table(value, path)
        out = []
        for qid in t.data:
            self._check_queue(qid, t.at(qid))
            tier = t.integer(qid, minimum=1)
            out.append(Membership(qid, tier))
        return tuple(out)

    def _check_ids(self, groups: tuple[AgentGroup, ...]) -> None:
        seen: set[str] = set()
        for i, g in enumerate(groups):
            for a in g.agents:
                if a.id in seen:
                    raise ScenarioError(f"agent id {a.id!r} is used twice; rename the group",
                                        ("agents", i, "name"))
                seen.add(a.id)

    # -- arrivals -------------------------------------------------------------------------

    def _arrivals(self, t: Table, profiles: Table) -> ArrivalStream:
        flow = self._flow(t)
        qid = "" if flow is not None else t.string("queue")
        if flow is None:
            self._check_queue(qid, t.at("queue"))
        forms = [k for k in ("per_interval", "daily", "per_hour") if t.has(k)]
        if len(forms) != 1:
            raise ScenarioError("give exactly one of per_interval, daily (with profile), "
                                "per_hour", t.path)
        scale = t.number("scale", 1, minimum=0)
        if forms[0] == "per_hour":
            start = parse.time_of_day(t.raw("start", "00:00"), t.at("start"))
            end = parse.time_of_day(t.raw("end", "24:00"), t.at("end"), allow_24=True)
            if end <= start:
                raise ScenarioError("end must be after start", t.at("end"))
            rate = t.number("per_hour", minimum=0)
            starts, length, expected = [start], end - start, [rate * (end - start) / 3600]
        elif forms[0] == "per_interval":
            start = parse.time_of_day(t.raw("start", "00:00"), t.at("start"))
            length = t.number("interval", 60, positive=True) * 60
            counts = t.array("per_interval")
            expected = [parse.number(v, (*t.at("per_interval"), i), minimum=0)
                        for i, v in enumerate(counts)]
            starts = [start + i * length for i in range(len(expected))]
        else:
            volume = t.number("daily", minimum=0)
            pname = t.string("profile")
            if pname not in profiles.data:
                raise ScenarioError(f"no profile {pname!r} under [profiles]", t.at("profile"))
            pt = Table(profiles.data[pname], profiles.at(pname))
            start = parse.time_of_day(pt.raw("start", "00:00"), pt.at("start"))
            length = pt.number("interval", 60, positive=True) * 60
            weights = [parse.number(v, (*pt.at("weights"), i), minimum=0)
                       for i, v in enumerate(pt.array("weights"))]
            if not weights or sum(weights) <= 0:
                raise ScenarioError("must be a non-empty array with a positive sum",
                                    pt.at("weights"))
            pt.done()
            expected = [volume * w for w in normalise(weights)]
            starts = [start + i * length for i in range(len(expected))]
        if not expected:
            raise ScenarioError("has no intervals", t.at(forms[0]))
        if starts[-1] + length > DAY + 1e-9:
            raise ScenarioError("the intervals run past midnight", t.at(forms[0]))
        skills = self._requirements(t, "skills")
        ht = parse.distribution(t.raw("handle_time"), t.at("handle_time")) \
            if t.has("handle_time") else None
        pat = parse.distribution(t.raw("patience"), t.at("patience")) \
            if t.has("patience") else None
        stream = ArrivalStream(
            qid, tuple(starts), length, tuple(e * scale for e in expected),
            parse.weekdays(t.raw("weekdays", "daily"), t.at("weekdays")),
            t.integer("priority", 0), skills, ht, pat, flow,
        )
        t.done()
        return stream

    def _flow(self, t: Table) -> str | None:
        """The stream's IVR flow (`flow = "main"` instead of `queue`), if any."""
        if not t.has("flow"):
            return None
        if t.has("queue"):
            raise ScenarioError("give either queue or flow, not both", t.at("flow"))
        flow = t.string("flow")
        if self.flow_ids is None:
            raise ScenarioError("a flow needs an [ivr] table naming the flows file",
                                t.at("flow"))
        if flow not in self.flow_ids:
            raise ScenarioError(f"no flow {flow!r} in the flows file (flows: "
                                f"{', '.join(sorted(self.flow_ids))})", t.at("flow"))
        for key in ("skills", "priority", "handle_time", "patience"):
            if t.has(key):
                raise ScenarioError("a flow stream takes its skills and priority from the "
                                    "flow, its handle time and queue patience from the queue "
                                    "it reaches, and its IVR patience from [ivr]", t.at(key))
        return flow

    def _settings(self, t: Table) -> EngineSettings:
        kw: dict[str, Any] = {"interaction_changes": False}  # the simulator needs rows only
        if t.has("max_missed_offers"):
            kw["max_missed_offers"] = t.integer("max_missed_offers", minimum=1)
        if t.has("ewt_smoothing"):
            kw["ewt_smoothing"] = t.number("ewt_smoothing", positive=True)
        t.done()
        try:
            return EngineSettings(**kw)
        except ConfigError as exc:
            raise ScenarioError(str(exc), t.path) from None

    # -- trace ----------------------------------------------------------------------------

    def _trace(self, scenario: Scenario, t: Table) -> Scenario:
        if scenario.arrivals:
            raise ScenarioError("a scenario takes either [[arrivals]] or a [trace], not both",
                                ("arrivals",))
        base = self.source.parent if self.source is not None else Path.cwd()
        origin, tz = scenario.start_time(), scenario.timezone
        calls = read_calls(base / t.string("calls"), origin, tz)
        staffing_raw = t.raw("staffing")
        if isinstance(staffing_raw, str):
            staffing = read_staffing(base / staffing_raw, origin, tz)
        elif isinstance(staffing_raw, list):
            staffing = staffing_from_rows(staffing_raw, origin, tz)
        elif staffing_raw is None:
            staffing = ()
        else:
            raise ScenarioError("must be a CSV file name or [[trace.staffing]] tables",
                                t.at("staffing"))
        t.done()
        queues = scenario.queues
        names = {c.queue_id for c in calls}
        if not queues:
            queues = tuple(QueueConfig(q or "default") for q in sorted(names, key=str))
        ids = {q.id for q in queues}
        for q in names:
            if q is not None and q not in ids:
                raise ScenarioError(f"the calls file names queue {q!r}, which is not defined",
                                    ("trace", "calls"))
        if None in names and len(ids) != 1:
            raise ScenarioError("calls without a queue need exactly one queue defined",
                                ("trace", "calls"))
        groups = scenario.groups or (AgentGroup("agent", (AgentConfig("agent-1"),)),)
        gnames = {g.name for g in groups}
        for step in staffing:
            if step.group is None and len(groups) != 1:
                raise ScenarioError("staffing rows without a group need exactly one [[agents]] "
                                    "group", ("trace", "staffing"))
            if step.group is not None and step.group not in gnames:
                raise ScenarioError(f"staffing names group {step.group!r}, which is not an "
                                    "[[agents]] group", ("trace", "staffing"))
        last = calls[-1].arrival
        days = max(scenario.days, int((last - scenario.start_time()) // DAY) + 1)
        return scenario.with_(queues=queues, groups=groups, days=days,
                              trace=Trace(calls, staffing))


def example_scenarios() -> Path:
    """The folder of example scenarios shipped with the package."""
    return Path(str(resources.files("callcenter.examples") / "scenarios"))


def scenario_path(name: str | Path) -> Path:
    """A scenario file: an example's name (`hotline`) or a path to a TOML file."""
    path = Path(name)
    if path.suffix:
        return path
    found = example_scenarios() / f"{name}.toml"
    if not found.exists():
        known = ", ".join(p.stem for p in sorted(example_scenarios().glob("*.toml")))
        raise ValueError(f"no example scenario {str(name)!r} (examples: {known})")
    return found
