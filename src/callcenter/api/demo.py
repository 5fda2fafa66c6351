"""`callcenter demo`: a living contact center on this machine, in one command.

    callcenter demo                  # http://127.0.0.1:8080, logins printed
    callcenter demo --port 9000 --speed 5

The demo (re)creates a SQLite file (`callcenter-demo.db` unless told otherwise),
seeds it with the `customer-service` example (queues billing, technical and sales
with skills, tiers and escalation; 32 agents), a team, disposition codes and three
logins, then runs the server with simulated callers and bot agents. The agent that
the `agent` login is linked to is left to a person: log in as `agent` and take
calls in the browser beside the bots. The engine's clock starts at 10:00 local time
of the latest day the example's callers call and its queues are open, so the demo
is busy whatever the hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from callcenter.runtime.app import scenario_path
from callcenter.sim.scenario import load_scenario
from callcenter.sim.spec import Scenario
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.seed import routing_config
from callcenter.store.users import (
    add_agent,
    add_supervisor,
    create_team,
    create_user,
    link_agent,
    save_disposition,
)

__all__ = ["DEMO_SCENARIO", "DemoLogin", "busy_start", "demo_logins", "reset_database",
           "seed_demo"]

DEMO_SCENARIO = "customer-service"

DISPOSITIONS = {
    "resolved": "Resolved in the call",
    "follow-up": "Needs a follow-up",
    "complaint": "Complaint recorded",
    "sale": "Sale closed",
    "no-sale": "No sale",
}


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """One login the demo creates; the password equals the username."""

    username: str
    role: str
    agent_id: str | None = None
    """The agent this login acts as (agents only)."""

    @property
    def password(self) -> str:
        """The demo password (not for anything but a demo)."""
        return self.username


def demo_logins(scenario: Scenario) -> list[DemoLogin]:
    """An admin, a supervisor, and an agent login linked to the scenario's most
    versatile agent (the one with the most queues; the first such)."""
    agents = [a for g in scenario.groups for a in g.agents]
    if not agents:
        raise ValueError(f"scenario {scenario.name!r} has no agents for the demo logins")
    person = max(agents, key=lambda a: len(a.queues))
    return [DemoLogin("admin", "admin"), DemoLogin("supervisor", "supervisor"),
            DemoLogin("agent", "agent", person.id)]


def busy_start(scenario: Scenario, today: date, at: float = 10 * 3600) -> float:
    """Engine time `at` seconds after local midnight of the latest day, from `today`
    back, on which some arrival stream calls and every queue with a calendar is open."""
    for back in range(366):
        day = today - timedelta(days=back)
        t = scenario.epoch(day, at)
        calls = any(day.weekday() in s.weekdays for s in scenario.arrivals)
        if calls and all(q.calendar is None or q.calendar.is_open(t) for q in scenario.queues):
            return t
    raise ValueError(f"scenario {scenario.name!r}: no day in the past year with callers "
                     "and open queues")


def reset_database(path: Path) -> None:
    """Delete the SQLite file and its WAL and shared-memory files, if present."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def seed_demo(url: str, scenario_name: str = DEMO_SCENARIO) -> list[DemoLogin]:
    """Migrate the database at `url` and fill it with the scenario's queues and agents,
    the demo logins, a team `floor` (the supervisor, every agent) and disposition codes,
    in one transaction. Returns the logins."""
    scenario = load_scenario(scenario_path(scenario_name))
    logins = demo_logins(scenario)
    migrate(url)
    database = create_engine_for(url)
    try:
        with session_factory(database).begin() as session:
            routing = routing_config(session, scenario.queues,
                                     [a for g in scenario.groups for a in g.agents])
            team = create_team(session, "floor")
            for login in logins:
                user = create_user(session, login.username, login.password, login.role)
                if login.agent_id is not None:
                    link_agent(session, login.agent_id, user)
                if login.role == "supervisor":
                    add_supervisor(session, team, user)
            for agent in routing.agents:
                add_agent(session, team, agent.id)
            for code, label in DISPOSITIONS.items():
                save_disposition(session, code, label)
    finally:
        database.dispose()
    return logins
