"""Result rows to CSV: one row per interaction, one per agent-state span."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path

from callcenter.core.records import AGENT_SPAN_COLUMNS, INTERACTION_COLUMNS
from callcenter.sim.runner import RunResult


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly
    return value


def write_records(path: Path, results: Sequence[RunResult]) -> int:
    """Write every interaction row of every replication; returns the row count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("replication", *INTERACTION_COLUMNS))
        for i, res in enumerate(results, 1):
            for r in res.records:
                w.writerow((i, *(_cell(v) for v in astuple(r))))
                n += 1
    return n


def write_spans(path: Path, results: Sequence[RunResult]) -> int:
    """Write every agent-state span of every replication; returns the row count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(("replication", *AGENT_SPAN_COLUMNS))
        for i, res in enumerate(results, 1):
            for s in res.spans:
                w.writerow((i, *(_cell(v) for v in astuple(s))))
                n += 1
    return n
