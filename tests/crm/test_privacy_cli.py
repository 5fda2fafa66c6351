"""`callcenter retention run`: the rules applied from the command line, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.store import create_engine_for, session_factory
from callcenter.store.audit import audit
from callcenter.store.models import AuditRow


def test_retention_run_removes_old_audit_entries_and_says_so(tmp_path: Path) -> None:
    """At --now 2030-01-01 an audit entry of 2026 (over 730 days) is removed, the count
    is printed, and the run is audited by `cli` at that time."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["retention", "rules", "--db", url]).exit_code == 0
    engine = create_engine_for(url)
    try:
        with session_factory(engine).begin() as session:
            audit(session, actor="x", action="old", entity="e", entity_id="1",
                  at=datetime(2026, 1, 1, tzinfo=UTC))
        result = runner.invoke(app, ["retention", "run", "--db", url,
                                     "--now", "2030-01-01T00:00:00"])
        assert result.exit_code == 0, result.output
        counts = {cells[0]: cells[1] for line in result.output.splitlines()
                  if len(cells := [c.strip() for c in line.strip("│ ").split("│")]) == 2}
        assert counts["audit"] == "1" and counts["recordings"] == "0"
        with session_factory(engine)() as session:
            rows = list(session.execute(select(AuditRow.action, AuditRow.actor, AuditRow.at)))
        assert [(a, b) for a, b, _ in rows] == [("retention", "cli")]
        assert rows[0][2] == datetime(2030, 1, 1, tzinfo=UTC)
    finally:
        engine.dispose()
