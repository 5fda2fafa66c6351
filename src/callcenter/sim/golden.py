"""Golden summaries of the example scenarios: `<name>.expected.json` beside each `<name>.toml`.

Check them (what the test suite does):

    python -m callcenter.sim.golden

Regenerate them after a deliberate change of behaviour, and review the diff:

    python -m callcenter.sim.golden --update

Counts must match exactly; other numbers within 1e-9 (relative or absolute).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from callcenter.scenario.load import load_scenario
from callcenter.sim.outbound import simulate
from callcenter.sim.outbound_report import summarize_outbound
from callcenter.sim.outbound_scenario import is_outbound, load_outbound
from callcenter.sim.runner import run_replications
from callcenter.sim.summary import summarize

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "examples" / "scenarios"
TOLERANCE = 1e-9


def expected_path(scenario: Path) -> Path:
    """`hotline.toml` -> `hotline.expected.json`."""
    return scenario.with_name(scenario.stem + ".expected.json")


def golden_summary(scenario: Path) -> dict[str, Any]:
    """The `--json` summary of one run of the scenario with its own seed and days (an
    outbound scenario: its own dialer)."""
    if is_outbound(scenario.read_text(encoding="utf-8")):
        spec = load_outbound(scenario)
        result = simulate(spec.scenario, spec.pacer(), spec.seed)
        out = summarize_outbound(spec, {spec.dial_mode: [result]}, spec.seed,
                                 spec.scenario.days).to_json()
    else:
        sc = load_scenario(scenario)
        results = run_replications(sc, 1, sc.seed, sc.days)
        out = summarize(sc, results, sc.seed, sc.days).to_json()
    # Round-trip through JSON so the comparison sees exactly what the file holds.
    loaded: dict[str, Any] = json.loads(json.dumps(out))
    return loaded


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where `actual` departs from `expected`: ints and strings exactly, floats within 1e-9."""
    here = path or "<root>"
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{sub}: missing")
            elif key not in expected:
                out.append(f"{sub}: unexpected")
            else:
                out += differences(expected[key], actual[key], sub)
        return out
    if isinstance(expected, float) or isinstance(actual, float):
        if (isinstance(expected, int | float) and isinstance(actual, int | float)
                and not isinstance(expected, bool) and not isinstance(actual, bool)
                and math.isclose(expected, actual, rel_tol=TOLERANCE, abs_tol=TOLERANCE)):
            return []
        return [f"{here}: expected {expected!r}, got {actual!r}"]
    if expected != actual or type(expected) is not type(actual):
        return [f"{here}: expected {expected!r}, got {actual!r}"]
    return []


def scenarios(directory: Path) -> list[Path]:
    """The scenario files of a directory, sorted."""
    return sorted(directory.glob("*.toml"))


def main(argv: list[str] | None = None) -> int:
    """Check (or with --update, rewrite) the golden summaries; exit status 1 on a mismatch."""
    parser = argparse.ArgumentParser(prog="python -m callcenter.sim.golden",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--update", action="store_true", help="rewrite the expected files")
    args = parser.parse_args(argv)
    failed = False
    for scenario in scenarios(args.directory):
        actual = golden_summary(scenario)
        target = expected_path(scenario)
        if args.update:
            target.write_text(json.dumps(actual, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {target.name}")
            continue
        if not target.exists():
            print(f"{scenario.name}: no {target.name} (run with --update)")
            failed = True
            continue
        diffs = differences(json.loads(target.read_text(encoding="utf-8")), actual)
        failed |= bool(diffs)
        print(f"{scenario.name}: " + ("ok" if not diffs else "\n  ".join(["DIFFERS", *diffs])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
