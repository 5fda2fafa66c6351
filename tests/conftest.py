"""Suite-wide test set-up: the `requires_tool` mark (see `tests/tools.py`), the throwaway
PostgreSQL server a session may have started (`tests/postgres.py`), and Hypothesis without
its wall-clock checks."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, settings

from tests import tools

# Hypothesis fails an example that runs longer than 200 ms by default, and a test whose
# inputs take over a second to generate (the too_slow health check): wall-clock thresholds
# that a loaded machine trips, and coverage's tracing (`make test`) slows both. No example
# has a deadline or a generation-time check; each test keeps its example count.
settings.register_profile("no-deadline", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("no-deadline")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{tools.MARK}(*names): the test runs these system tools (tests/tools.py); "
                   "skipped without them, failed under CI")
    # pytest-cov's marker, registered here too: a run without the plugin knows it
    config.addinivalue_line("markers", "no_cover: not measured by `make test`'s coverage")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Check the tools a test needs before any of its fixtures is set up."""
    names = [name for mark in item.iter_markers(tools.MARK) for name in mark.args]
    if names:
        tools.require(*names)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which PostgreSQL the session used, when it used one."""
    postgres = sys.modules.get("tests.postgres")  # imported only by tests that use it
    used = None if postgres is None else postgres.used()
    if used is not None:
        terminalreporter.write_line(used)


def pytest_sessionfinish(session: pytest.Session) -> None:
    postgres = sys.modules.get("tests.postgres")
    if postgres is not None:
        postgres.stop_throwaway()
