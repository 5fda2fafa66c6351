"""The system tools some tests need, and the one way a test asks for them.

A test, or a whole module with `pytestmark`, says what it needs:

    pytestmark = pytest.mark.requires_tool("sipp", "rtpengine", "espeak-ng")

`tests/conftest.py` checks these marks before any fixture of the test is set up, so a
module-scoped fixture that would start the tool never runs without it (a missing
rtpengine once made 73 tests error in such fixtures instead of skipping). A fixture or
helper that needs a tool at run time calls `require(...)`.

Without a tool the test is skipped with a reason naming the Debian package and the
script that installs them all (`scripts/setup-system`, which `make test` runs); under
CI (`in_ci()`) it fails instead: nothing may skip there for a missing tool.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg_throwaway import bin_dir

__all__ = ["TOOLS", "Tool", "baresip_module_dir", "in_ci", "missing", "path_of", "reason",
           "require"]

MARK = "requires_tool"
SETUP = "scripts/setup-system"
BARESIP_MODULES = ("g711", "aufile", "sndfile", "account", "menu", "ctrl_tcp")
"""The baresip modules the test phones load (all in Debian's baresip-core)."""
BARESIP_MODULE_DIRS = ("/usr/lib/baresip/modules", "/usr/lib/*/baresip/modules",
                       "/usr/local/lib/baresip/modules", "/usr/lib64/baresip/modules")
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, which Playwright drives (it never downloads a browser)."""


def in_ci() -> bool:
    """True when `CI` is set to anything but "", "0", "false" or "no"."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def baresip_module_dir() -> Path | None:
    """The directory holding every baresip module the test phones load, if any does."""
    for pattern in BARESIP_MODULE_DIRS:
        for found in sorted(glob.glob(pattern)):
            if all((Path(found) / f"{m}.so").is_file() for m in BARESIP_MODULES):
                return Path(found)
    return None


def _on_path(name: str) -> Callable[[], str | None]:
    return lambda: shutil.which(name)


def _baresip() -> str | None:
    return shutil.which("baresip") if baresip_module_dir() is not None else None


def _initdb() -> str | None:
    found = bin_dir()
    return None if found is None else str(found / "initdb")


@functools.cache
def _playwright_driver_runs() -> bool:
    """Playwright's bundled node starts (it needs libatomic.so.1, which a minimal Debian
    lacks: without it every browser test failed in its fixture)."""
    from playwright._impl._driver import compute_driver_executable

    node = compute_driver_executable()[0]
    try:
        done = subprocess.run([node, "--version"], capture_output=True, timeout=60, check=False)
    except OSError:
        return False
    return done.returncode == 0


def _chromium() -> str | None:
    return str(CHROMIUM) if CHROMIUM.is_file() and _playwright_driver_runs() else None


@dataclass(frozen=True)
class Tool:
    """A program some tests run, and the Debian package that brings it."""

    name: str
    package: str
    locate: Callable[[], str | None]
    what: str = ""
    """What exactly must be there, when more than the program on PATH."""

    def path(self) -> str | None:
        """Where the tool is, or None when it is missing."""
        return self.locate()

    def install_hint(self) -> str:
        """What a person runs to get it."""
        return f"apt-get install {self.package}"


TOOLS: dict[str, Tool] = {t.name: t for t in (
    Tool("sipp", "sip-tester", _on_path("sipp")),
    Tool("rtpengine", "rtpengine-daemon", _on_path("rtpengine")),
    Tool("espeak-ng", "espeak-ng", _on_path("espeak-ng")),
    Tool("baresip", "baresip-core", _baresip,
         what=f"baresip (with its modules {' '.join(BARESIP_MODULES)})"),
    Tool("chromium", "chromium libatomic1", _chromium,
         what=f"chromium ({CHROMIUM}) with Playwright's driver (libatomic1)"),
    Tool("setpriv", "util-linux", _on_path("setpriv")),
    Tool("initdb", "postgresql", _initdb, what="PostgreSQL's initdb and pg_ctl"),
)}


def missing(*names: str) -> list[Tool]:
    """The tools among `names` that are not installed (an unknown name is an error)."""
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise ValueError(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    return [TOOLS[n] for n in dict.fromkeys(names) if TOOLS[n].path() is None]


def reason(tools: list[Tool]) -> str:
    """The skip (or, under CI, failure) message for missing `tools`."""
    names = ", ".join(t.what or t.name for t in tools)
    packages = " ".join(t.package for t in tools)
    return (f"missing {names}: run {SETUP} as root (or `apt-get install {packages}`)")


def require(*names: str) -> None:
    """Skip the test without one of the tools `names`; under CI, fail it."""
    absent = missing(*names)
    if absent:
        message = reason(absent)
        if in_ci():
            pytest.fail(f"{message} - under CI no test skips for a missing tool")
        pytest.skip(message)


def path_of(name: str) -> str:
    """Where tool `name` is; skips (fails under CI) when it is missing."""
    require(name)
    found = TOOLS[name].path()
    assert found is not None
    return found
