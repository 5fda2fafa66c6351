"""Statement coverage of src/callcenter per package, against the floors of
coverage-floors.toml; `make test` runs it on the JSON report pytest-cov writes:

    python -m tests.coverage_floors build/coverage.json

A package is a directory of src/callcenter (`core`, `core/dialer`, `telephony/sip`...;
the modules at the top, `cli.py`, `flows.py`..., are the package `callcenter`), its
subdirectories counted apart. It prints one line per package and exits 1 naming each
package under its floor, each package without a floor and each floor that matches no
package. Floors may only rise: where a package is a whole point above its floor the
line says so, so that the floor can be raised with the change that earned it.
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FLOORS = Path(__file__).resolve().parent.parent / "coverage-floors.toml"
TOP = "callcenter"


@dataclass(frozen=True)
class Measured:
    """One package's statements and the statements the suite ran."""

    package: str
    statements: int
    covered: int

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.statements if self.statements else 100.0


def package_of(path: str) -> str:
    """The package of a measured file: its directory below `callcenter/`."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if TOP not in parts:
        raise ValueError(f"{path} is not a file of the callcenter package")
    start = len(parts) - 1 - parts[::-1].index(TOP)
    inner = parts[start + 1:-1]
    return "/".join(inner) if inner else TOP


def per_package(report: dict[str, object]) -> dict[str, Measured]:
    """Statements and covered statements summed per package from coverage's JSON."""
    files = report["files"]
    assert isinstance(files, dict)
    sums: dict[str, tuple[int, int]] = {}
    for path, data in files.items():
        summary = data["summary"]
        statements, covered = sums.get(package_of(path), (0, 0))
        sums[package_of(path)] = (statements + summary["num_statements"],
                                  covered + summary["covered_lines"])
    return {name: Measured(name, statements, covered)
            for name, (statements, covered) in sorted(sums.items())}


def read_floors(path: Path) -> dict[str, int]:
    """The `[floors]` table: package -> whole percent."""
    floors = tomllib.loads(path.read_text())["floors"]
    if not all(isinstance(value, int) for value in floors.values()):
        raise ValueError(f"{path}: each floor is a whole percent")
    return dict(floors)


def check(measured: dict[str, Measured], floors: dict[str, int]) -> tuple[list[str], list[str]]:
    """(report lines, failures): one line per package, one failure per broken floor."""
    lines = [f"{'package':<26}{'statements':>11}{'missed':>8}{'cover':>8}{'floor':>7}"]
    failures = []
    for name, m in measured.items():
        floor = floors.get(name)
        note = ""
        if floor is None:
            failures.append(f"{name}: {m.percent:.1f}% has no floor in {FLOORS.name} "
                            f"(add {name!r} = {math.floor(m.percent)})")
        elif m.percent < floor:
            failures.append(f"{name}: {m.percent:.1f}% is under its floor of {floor}%")
            note = "  UNDER"
        elif math.floor(m.percent) > floor:
            note = f"  (floor may rise to {math.floor(m.percent)})"
        shown = "-" if floor is None else f"{floor}%"
        lines.append(f"{name:<26}{m.statements:>11}{m.statements - m.covered:>8}"
                     f"{m.percent:>7.1f}%{shown:>7}{note}")
    total = Measured("total", sum(m.statements for m in measured.values()),
                     sum(m.covered for m in measured.values()))
    lines.append(f"{'total':<26}{total.statements:>11}{total.statements - total.covered:>8}"
                 f"{total.percent:>7.1f}%")
    failures += [f"{name}: floor {floor}% names no measured package (renamed or removed?)"
                 for name, floor in floors.items() if name not in measured]
    return lines, failures


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text())
    lines, failures = check(per_package(report), read_floors(FLOORS))
    print("\n".join(lines))
    for failure in failures:
        print(f"coverage floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
