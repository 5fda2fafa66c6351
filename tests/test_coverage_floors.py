"""`tests/coverage_floors.py`: coverage's JSON summed per package and held to the floors
of coverage-floors.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import coverage_floors
from tests.coverage_floors import Measured, check, package_of, per_package, read_floors


def _file(statements: int, covered: int) -> dict[str, object]:
    """A file's entry in coverage's JSON report (only what the floors read)."""
    return {"summary": {"num_statements": statements, "covered_lines": covered}}


REPORT = {"files": {
    "src/callcenter/core/engine.py": _file(100, 90),
    "src/callcenter/core/routing.py": _file(300, 270),
    "src/callcenter/core/dialer/pacing.py": _file(200, 150),
    "src/callcenter/cli.py": _file(50, 10),
}}


def test_a_file_belongs_to_its_directory_below_callcenter() -> None:
    """core/dialer is a package apart from core; the top-level modules are `callcenter`."""
    assert package_of("src/callcenter/core/dialer/pacing.py") == "core/dialer"
    assert package_of("/ci/clone/src/callcenter/core/engine.py") == "core"
    assert package_of("src/callcenter/cli.py") == "callcenter"


def test_statements_are_summed_per_package() -> None:
    """core: 90 + 270 of 100 + 300 statements, 90 %; core/dialer 75 %; callcenter 20 %."""
    measured = per_package(REPORT)
    assert measured["core"] == Measured("core", 400, 360)
    assert measured["core"].percent == pytest.approx(90.0)
    assert measured["core/dialer"].percent == pytest.approx(75.0)
    assert measured["callcenter"].percent == pytest.approx(20.0)


def test_packages_at_or_over_their_floors_pass() -> None:
    """Floors of 90, 75 and 20 % are met by 90, 75 and 20 %."""
    _, failures = check(per_package(REPORT), {"core": 90, "core/dialer": 75, "callcenter": 20})
    assert failures == []


def test_a_package_under_its_floor_fails_naming_it() -> None:
    """core/dialer at 75 % under a floor of 76 % is the one failure, with both figures."""
    _, failures = check(per_package(REPORT), {"core": 90, "core/dialer": 76, "callcenter": 20})
    assert failures == ["core/dialer: 75.0% is under its floor of 76%"]


def test_a_package_without_a_floor_fails_saying_which_floor_to_add() -> None:
    """A measured package missing from the floors fails, proposing its rounded-down figure."""
    _, failures = check(per_package(REPORT), {"core": 90, "core/dialer": 75})
    assert failures == ["callcenter: 20.0% has no floor in coverage-floors.toml "
                        "(add 'callcenter' = 20)"]


def test_a_floor_of_no_measured_package_fails() -> None:
    """A floor naming a package that was not measured (renamed, removed) fails."""
    floors = {"core": 90, "core/dialer": 75, "callcenter": 20, "gone": 50}
    _, failures = check(per_package(REPORT), floors)
    assert failures == ["gone: floor 50% names no measured package (renamed or removed?)"]


def test_the_report_says_where_a_floor_may_rise() -> None:
    """core at 90 % over a floor of 85 % is reported as a floor that may rise to 90."""
    lines, _ = check(per_package(REPORT), {"core": 85, "core/dialer": 75, "callcenter": 20})
    (core,) = [line for line in lines if line.startswith("core ")]
    assert core.endswith("(floor may rise to 90)")


def test_the_checked_in_floors_are_whole_percents_for_packages_that_exist() -> None:
    """Every floor in coverage-floors.toml is a whole percent naming a directory of
    src/callcenter (or `callcenter` for its top-level modules)."""
    src = Path(coverage_floors.__file__).resolve().parent.parent / "src" / "callcenter"
    for name, floor in read_floors(coverage_floors.FLOORS).items():
        assert 0 <= floor <= 100, name
        assert name == "callcenter" or (src / name).is_dir(), name


def test_main_exits_1_and_names_the_package_under_its_floor(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Run on a report and a floors file: exit 1, the package named on stderr."""
    report = tmp_path / "coverage.json"
    report.write_text(json.dumps(REPORT))
    floors = tmp_path / "floors.toml"
    floors.write_text('[floors]\ncore = 95\n"core/dialer" = 75\ncallcenter = 20\n')
    monkeypatch.setattr(coverage_floors, "FLOORS", floors)
    assert coverage_floors.main([str(report)]) == 1
    assert "core: 90.0% is under its floor of 95%" in capsys.readouterr().err
