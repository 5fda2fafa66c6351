"""What every benchmark keeps of a run, and the one table `make bench` ends with.

Each benchmark calls :func:`record` once with its comparisons. A full run writes
``docs/benchmarks/<benchmark>.json`` (committed, so a regression shows in the history);
a ``--quick`` run writes under ``build/benchmarks/`` instead, so that a short run never
replaces the figures of a full one. ``python bench/_results.py`` prints the summary
table of every JSON present (``--quick`` for the quick ones).

A comparison is one figure measured on both sides of the same work in the same run:
``ours`` and ``peer`` are medians over the repeats, ``ratio`` is the median of the
per-repeat ratios oriented so that above 1 means ours is better, and ``low``/``high`` are
the smallest and largest per-repeat ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "docs" / "benchmarks"
QUICK = ROOT / "build" / "benchmarks"


@dataclass(frozen=True)
class Comparison:
    """One figure, ours beside the peer's, with the ratio's spread over the repeats."""

    name: str
    unit: str
    ours: float
    peer: float
    ratio: float
    low: float
    high: float
    repeats: int
    peer_name: str
    higher_is_better: bool


def compare(
    name: str,
    unit: str,
    ours: Sequence[float],
    peer: Sequence[float],
    *,
    peer_name: str,
    higher_is_better: bool,
) -> Comparison:
    """A comparison from paired repeats: ``ours[i]`` and ``peer[i]`` measured in repeat ``i``."""
    if len(ours) != len(peer) or not ours:
        raise ValueError(f"{name}: {len(ours)} repeats of ours against {len(peer)} of the peer")
    ratios = [
        (o / p if higher_is_better else p / o) if (o and p) else float("nan")
        for o, p in zip(ours, peer, strict=True)
    ]
    return Comparison(
        name=name,
        unit=unit,
        ours=statistics.median(ours),
        peer=statistics.median(peer),
        ratio=statistics.median(ratios),
        low=min(ratios),
        high=max(ratios),
        repeats=len(ours),
        peer_name=peer_name,
        higher_is_better=higher_is_better,
    )


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def record(
    benchmark: str,
    comparisons: Sequence[Comparison],
    *,
    quick: bool,
    details: dict[str, object] | None = None,
) -> Path:
    """Write this run's JSON and return its path."""
    folder = QUICK if quick else FULL
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{benchmark}.json"
    document = {
        "benchmark": benchmark,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": quick,
        "comparisons": [asdict(c) for c in comparisons],
        "details": details or {},
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def _figure(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def summary(quick: bool) -> Table:
    """One table of every benchmark's comparisons found on disk."""
    folder = QUICK if quick else FULL
    table = Table(title="callcenter against its peers" + (" (quick runs)" if quick else ""))
    for heading in ("benchmark", "figure", "ours", "peer", "ours better by", "spread", "n"):
        table.add_column(heading, justify="left" if heading in {"benchmark", "figure"} else "right")
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for raw in document["comparisons"]:
            c = Comparison(**raw)
            table.add_row(
                document["benchmark"],
                f"{c.name} ({c.unit}) vs {c.peer_name}",
                _figure(c.ours),
                _figure(c.peer),
                f"{_figure(c.ratio)}×",
                f"{_figure(c.low)}–{_figure(c.high)}×",
                str(c.repeats),
            )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description="The summary table of the kept benchmark runs.")
    parser.add_argument("--quick", action="store_true", help="the quick runs under build/")
    options = parser.parse_args()
    console = Console()
    if not console.is_terminal:
        console.width = 160
    console.print(summary(options.quick))


if __name__ == "__main__":
    main()
