"""The `[ivr]` table of a scenario: the flows file and how simulated callers behave.

    [ivr]
    flows = "../flows/customer-service.yaml"   # relative to the scenario file
    think_time = { dist = "uniform", low = 1, high = 3 }
    patience = { dist = "exponential", mean = 90 }

    [ivr.nodes.main-menu]
    choices = { "1" = 0.5, "2" = 0.3, "3" = 0.15, timeout = 0.05 }

    [ivr.nodes.ask-number]
    digits = { "1234567" = 0.8, timeout = 0.2 }

The keys are in docs/reference/scenario-format.md; every error names the key.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

from callcenter.core.ivr_flow import DIGITS, Callback, Collect, Flow, Menu, Survey, ToQueue
from callcenter.flows import FlowFileError, load_flows
from callcenter.scenario import parse
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.ivr_callers import prompt_files, wav_seconds
from callcenter.scenario.parse import Path as KeyPath
from callcenter.scenario.parse import Table
from callcenter.scenario.spec import HANGUP, TIMEOUT, IvrModel, NodeAnswers

__all__ = ["ivr_table", "node_answers"]

_TOLERANCE = 1e-6


def ivr_table(t: Table, source: Path | None, queue_ids: Collection[str]) -> IvrModel:
    """The `[ivr]` table; relative paths are anchored at the scenario file's folder.
    Every queue the flows send calls to must be one of `queue_ids`."""
    base = source.parent if source is not None else Path.cwd()
    flows_file = base / t.string("flows")
    try:
        flows = load_flows(flows_file)
    except FlowFileError as exc:
        raise ScenarioError(f"the flows file is invalid: {exc}", t.at("flows")) from None
    for flow in flows.values():
        for name, node in flow.nodes.items():
            if isinstance(node, ToQueue | Callback) and node.queue_id not in queue_ids:
                raise ScenarioError(
                    f"flow {flow.id!r}, node {name!r}: no queue {node.queue_id!r} in the "
                    f"scenario (queues: {', '.join(sorted(queue_ids))})", t.at("flows"))
    prompt_dir = base / t.string("prompt_dir") if t.has("prompt_dir") else flows_file.parent
    lengths: dict[str, float] = {}
    for name in prompt_files(flows):
        if name not in lengths:
            try:
                lengths[name] = wav_seconds(prompt_dir / name)
            except ValueError as exc:
                raise ScenarioError(str(exc), t.at("prompt_dir")) from None
    found = t.number("lookup_found", 0, minimum=0)
    if found > 1:
        raise ScenarioError(f"must be 0..1, got {found:g}", t.at("lookup_found"))
    nodes_t = t.table("nodes")
    nodes = {name: node_answers(nodes_t.raw(name), nodes_t.at(name), _node(flows, name,
                                                                          nodes_t.at(name)))
             for name in nodes_t.data}
    model = IvrModel(
        flows=flows, nodes=nodes,
        words_per_minute=t.number("words_per_minute", 150, positive=True),
        prompt_dir=prompt_dir, prompt_seconds=lengths,
        think_time=parse.distribution(t.raw("think_time", 1.0), t.at("think_time")),
        key_gap=t.number("key_gap", 0.5, minimum=0),
        patience=parse.distribution(t.raw("patience", "never"), t.at("patience")),
        lookup_found=found,
        lookup_delay=t.number("lookup_delay", 0, minimum=0),
        source=flows_file,
    )
    t.done()
    return model


def _node(flows: dict[str, Flow], name: str, path: KeyPath) -> Menu | Collect | Survey:
    """The menu, collect or survey node `name` (the first flow that has it)."""
    kinds = [f.nodes[name] for f in flows.values() if name in f.nodes]
    if not kinds:
        known = sorted({n for f in flows.values() for n, node in f.nodes.items()
                        if isinstance(node, Menu | Collect | Survey)})
        raise ScenarioError(f"no menu, collect or survey node {name!r} in the flows "
                            f"(they have: {', '.join(known) or 'none'})", path)
    node = kinds[0]
    if not all(isinstance(k, Menu | Collect | Survey) for k in kinds) or \
            len({type(k) for k in kinds}) != 1:
        raise ScenarioError(f"node {name!r} is not a menu, collect or survey node in every "
                            f"flow", path)
    assert isinstance(node, Menu | Collect | Survey)
    return node


def node_answers(value: object, path: KeyPath, node: Menu | Collect | Survey) -> NodeAnswers:
    """What callers answer at a node: `choices = { "1" = 0.6, timeout = 0.4 }` for a
    menu or a survey (the rating keys, other keys, `timeout`, `hangup`: the share who
    answer and their ratings), `digits = "1234567"` or `digits = { "1234567" = 0.9,
    hangup = 0.1 }` for a collect. Probabilities are >= 0 and sum to 1."""
    t = Table(value, path)
    key = "digits" if isinstance(node, Collect) else "choices"
    other = "digits" if key == "choices" else "choices"
    if t.has(other):
        kind = "menu" if isinstance(node, Menu) else "survey" if isinstance(node, Survey) \
            else "collect"
        raise ScenarioError(f"a {kind} node takes {key!r}, not {other!r}", t.at(other))
    raw = t.require(key)
    where = t.at(key)
    if isinstance(raw, str) and key == "digits":
        raw = {raw: 1.0}
    weights = Table(raw, where)
    answers: list[tuple[str, float]] = []
    for answer in weights.data:
        at = weights.at(answer)
        if answer not in (TIMEOUT, HANGUP):
            if key == "choices" and (len(answer) != 1 or answer not in DIGITS):
                raise ScenarioError(f"a menu answer is one key of 0-9 * #, {TIMEOUT!r} or "
                                    f"{HANGUP!r}; got {answer!r}", at)
            if key == "digits" and not (answer.isascii() and answer.isdigit()
                                        and len(answer) <= 64):
                raise ScenarioError(f"collect answers are 1-64 digits 0-9, {TIMEOUT!r} or "
                                    f"{HANGUP!r}; got {answer!r}", at)
        answers.append((answer, parse.number(weights.raw(answer), at, minimum=0)))
    if not answers:
        raise ScenarioError("give at least one answer with its probability", where)
    total = math.fsum(p for _, p in answers)
    if abs(total - 1.0) > _TOLERANCE:
        raise ScenarioError(f"the probabilities must sum to 1, got {total:g}", where)
    t.done()
    return NodeAnswers(tuple(answers))
