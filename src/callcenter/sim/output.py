"""Result rows to CSV: one row per interaction, one per agent-state span, one per call
through an IVR flow."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import astuple
from pathlib import Path

from callcenter.core.ivr import FlowEnded
from callcenter.core.records import (
    AGENT_SPAN_COLUMNS,
    INTERACTION_COLUMNS,
    AgentSpan,
    InteractionRecord,
)
from callcenter.sim.runner import RunResult


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly
    return value


def _write(path: Path, columns: Sequence[str],
           rows: Iterable[tuple[int, InteractionRecord | AgentSpan]]) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("replication", *columns))
        for i, row in rows:
            w.writerow((i, *(_cell(v) for v in astuple(row))))
            n += 1
    return n


def write_records(path: Path, results: Sequence[RunResult]) -> int:
    """Write every interaction row of every replication; returns the row count."""
    rows = ((i, r) for i, res in enumerate(results, 1) for r in res.records)
    return _write(path, INTERACTION_COLUMNS, rows)


def write_spans(path: Path, results: Sequence[RunResult]) -> int:
    """Write every agent-state span of every replication; returns the row count."""
    rows = ((i, s) for i, res in enumerate(results, 1) for s in res.spans)
    return _write(path, AGENT_SPAN_COLUMNS, rows)


FLOW_COLUMNS = ("call_id", "flow_id", "outcome", "path", "language", "started", "ended",
                "time_in_ivr")
"""Columns of `write_flows` (after `replication`); `path` is the node names, space-separated."""


def write_flows(path: Path, results: Sequence[RunResult]) -> int:
    """Write every `FlowEnded` row of every replication (no variables: they may hold
    customer data); returns the row count."""
    def row(f: FlowEnded) -> tuple[object, ...]:
        return (f.call_id, f.flow_id, f.outcome, " ".join(f.path), _cell(f.language),
                _cell(f.started), _cell(f.ended), _cell(f.ended - f.started))

    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("replication", *FLOW_COLUMNS))
        for i, res in enumerate(results, 1):
            for f in res.flows:
                w.writerow((i, *row(f)))
                n += 1
    return n
