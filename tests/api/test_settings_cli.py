"""Server settings from the environment, and the migrate / create-user commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from callcenter.api import ServerSettings
from callcenter.cli import app
from callcenter.store import create_engine_for, session_factory
from callcenter.store.users import authenticate


def test_settings_come_from_callcenter_variables() -> None:
    """CALLCENTER_* variables fill the fields; explicit values win."""
    env = {"CALLCENTER_DATABASE_URL": "sqlite:///x.db", "CALLCENTER_PORT": "9000",
           "CALLCENTER_BOTS": "false", "CALLCENTER_SPEED": "60"}
    s = ServerSettings.from_env(env, port=9100)
    assert (s.database_url, s.port, s.bots, s.speed) == ("sqlite:///x.db", 9100, False, 60.0)


def test_a_bad_port_variable_is_refused_naming_the_field() -> None:
    """An out-of-range port is a validation error about `port`."""
    with pytest.raises(ValidationError, match="port"):
        ServerSettings.from_env({"CALLCENTER_PORT": "70000"})


def test_create_user_makes_a_login(tmp_path: Path) -> None:
    """`callcenter create-user` migrates and stores a user who can then authenticate."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["create-user", "alice", "--role", "supervisor",
                                      "--password", "s3cret-phrase", "--db", url])
    assert result.exit_code == 0, result.output
    engine = create_engine_for(url)
    try:
        with session_factory(engine).begin() as session:
            user = authenticate(session, "alice", "s3cret-phrase")
            assert user is not None and user.role == "supervisor"
    finally:
        engine.dispose()


def test_create_user_with_a_bad_role_fails_with_a_message(tmp_path: Path) -> None:
    """An unknown role is a clear error and exit status 2."""
    result = CliRunner().invoke(app, ["create-user", "bob", "--role", "boss", "--password",
                                      "s3cret-phrase", "--db",
                                      f"sqlite:///{tmp_path / 'cli.db'}"])
    assert result.exit_code == 2
    assert "role" in result.output


def test_create_user_with_a_common_password_fails_naming_it(tmp_path: Path) -> None:
    """A password among the commonest is refused before anything is stored."""
    result = CliRunner().invoke(app, ["create-user", "bob", "--password", "password123",
                                      "--db", f"sqlite:///{tmp_path / 'cli.db'}"])
    assert result.exit_code == 2
    assert "commonest passwords" in result.output


def test_migrate_reports_the_database(tmp_path: Path) -> None:
    """`callcenter migrate --db URL` upgrades and names the database."""
    result = CliRunner().invoke(app, ["migrate", "--db", f"sqlite:///{tmp_path / 'm.db'}"])
    assert result.exit_code == 0, result.output
    assert "m.db" in result.output
