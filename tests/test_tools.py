"""The `requires_tool` mark and `tests/tools.py`: a missing tool skips a test (naming what
to install) before any fixture runs, and fails it under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import tools

ROOT = Path(__file__).resolve().parent.parent

MODULE = '''
import pytest

pytestmark = pytest.mark.requires_tool("sipp")


@pytest.fixture(scope="module")
def started():
    raise RuntimeError("the module fixture ran")


def test_needs_sipp(started):
    pass
'''


def run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """Run MODULE under pytest with the suite's conftest as a plugin, on a PATH that
    holds no sipp."""
    (tmp_path / "test_needs.py").write_text(MODULE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env |= {"PATH": str(tmp_path / "empty"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-rs",
                           "-p", "no:cacheprovider", str(tmp_path / "test_needs.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_a_missing_tool_skips_before_module_fixtures(tmp_path: Path) -> None:
    """Without sipp the test is skipped, naming the Debian package and the set-up
    script, and its module-scoped fixture never runs (it used to error there)."""
    done = run_pytest(tmp_path, ci=None)
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "apt-get install sip-tester" in done.stdout
    assert "scripts/setup-system" in done.stdout
    assert "the module fixture ran" not in done.stdout


def test_under_ci_a_missing_tool_fails(tmp_path: Path) -> None:
    """Under CI=true the same test fails, saying why; CI=false skips as elsewhere."""
    failed = run_pytest(tmp_path, ci="true")
    assert failed.returncode == 1, failed.stdout
    assert "under CI no test skips for a missing tool" in failed.stdout
    assert "the module fixture ran" not in failed.stdout
    assert "1 skipped" in run_pytest(tmp_path, ci="false").stdout


def test_unknown_tool_names_are_refused() -> None:
    """A misspelt tool name is an error naming the known ones, not a silent pass."""
    with pytest.raises(ValueError, match="unknown tool"):
        tools.missing("sip")


@pytest.mark.parametrize(("value", "expected"), [
    ("", False), ("0", False), ("false", False), ("False", False), ("no", False),
    ("true", True), ("1", True), ("yes", True)])
def test_ci_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str,
                                         expected: bool) -> None:
    """`CI` counts as set unless empty, 0, false or no."""
    monkeypatch.setenv("CI", value)
    assert tools.in_ci() is expected
