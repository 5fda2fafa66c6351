"""The import-linter contracts of pyproject.toml (the layers of
docs/reference/architecture.md): kept by the code, and broken by an import across them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package under `tree`/src with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run([str(LINT), "--no-cache"], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and the contracts, to break."""
    shutil.copytree(ROOT / "src" / "callcenter", tmp_path / "src" / "callcenter",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree: Path, module: str, line: str) -> None:
    path = tree / "src" / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_every_contract() -> None:
    """The tree as it is keeps the layer contracts (what `make lint` checks)."""
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_layers(tree: Path) -> None:
    """The store importing the runtime breaks the layers contract, which names the import."""
    add_import(tree, "callcenter.store.errors", "import callcenter.runtime.driver  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "Each package imports only the layers below it BROKEN" in result.stdout
    assert "callcenter.store.errors -> callcenter.runtime.driver" in result.stdout


def test_independent_siblings_may_not_import_each_other(tree: Path) -> None:
    """Telephony importing the store (siblings kept independent) breaks the layers."""
    add_import(tree, "callcenter.telephony.base", "import callcenter.store.errors  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "callcenter.telephony.base -> callcenter.store.errors" in result.stdout


def test_the_live_server_importing_the_offline_simulator_is_refused(tree: Path) -> None:
    """The runtime importing `callcenter.sim` breaks the no-simulator contract, naming it."""
    add_import(tree, "callcenter.runtime.pubsub", "import callcenter.sim.runner  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "The live server never imports the offline simulator BROKEN" in result.stdout
    assert "callcenter.runtime.pubsub -> callcenter.sim.runner" in result.stdout


def test_a_new_package_must_be_given_a_layer(tree: Path) -> None:
    """A package the contract does not place is refused (the layers are exhaustive)."""
    (tree / "src" / "callcenter" / "stray").mkdir()
    (tree / "src" / "callcenter" / "stray" / "__init__.py").write_text('"""Stray."""\n')
    result = lint(tree)
    assert result.returncode != 0
    assert "callcenter.stray" in result.stdout + result.stderr
