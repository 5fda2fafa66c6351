"""`callcenter demo`: a living contact center on this machine, in one command.

    callcenter demo                  # http://127.0.0.1:8080, logins printed
    callcenter demo --port 9000 --speed 5

The demo (re)creates a SQLite file (`callcenter-demo.db` unless told otherwise),
seeds it with the `customer-service` example (queues billing, technical and sales
with skills, tiers and escalation; 32 bot agents), one more agent `you` for a person
(every skill at 10, tier 1 in every queue, so calls come soon), a team, disposition
codes, three logins and the forty example customers whose numbers some simulated
callers call from (`callcenter.scenario.phones`: their offers pop the customer up),
then runs the server with simulated callers and bot agents.
The callers go through the example's IVR flow (examples/flows/customer-service.yaml:
language menu, customer number, main menu) before they reach a queue, answering it
as the scenario's `[ivr]` table models them.
Log in as `agent` (acting as `you`) and take calls in the browser beside the bots.
The engine's clock reaches 10:00 local time of the latest day the example's
callers call and its queues are open, so the demo is busy whatever the hour; it
starts half an hour earlier (`WARM_UP`) and lives through that half hour in the first
15 seconds (`callcenter.clock.LoopClock`'s warm-up), so calls wait and talk and the
day's figures are there when a person first looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from callcenter.core.config import AgentConfig, Membership
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.phones import EXAMPLE_CUSTOMERS
from callcenter.scenario.spec import Scenario
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.customers import add_customers
from callcenter.store.seed import routing_config
from callcenter.store.users import (
    add_agent,
    add_supervisor,
    create_team,
    create_user,
    link_agent,
    save_disposition,
)

__all__ = ["DEMO_SCENARIO", "PERSON", "WARM_UP", "DemoLogin", "busy_start", "demo_logins",
           "person_agent", "reset_database", "seed_demo"]

DEMO_SCENARIO = "customer-service"

WARM_UP = 1800.0
"""Engine seconds before the demo's 10:00 that its server lives through first, fast."""

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


PERSON = "you"
"""The agent the `agent` login acts as: added to the scenario's agents."""


def person_agent(scenario: Scenario) -> AgentConfig:
    """The demo's own agent for a person: every skill the scenario names at level 10,
    tier 1 in every queue. So calls reach the person soon whatever the strategy: it is
    the best skill match, starts with the fewest calls, and is never held back by tier."""
    skills = {r.skill for q in scenario.queues for r in q.required_skills}
    skills |= {s for g in scenario.groups for a in g.agents for s, _ in a.skills}
    skills |= {r.skill for s in scenario.arrivals for r in s.skills}
    return AgentConfig(PERSON, skills=tuple((s, 10) for s in sorted(skills)),
                       queues=tuple(Membership(q.id) for q in scenario.queues))


def demo_logins() -> list[DemoLogin]:
    """An admin, a supervisor, and an agent login acting as the person's agent."""
    return [DemoLogin("admin", "admin"), DemoLogin("supervisor", "supervisor"),
            DemoLogin("agent", "agent", PERSON)]


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
    """Delete the SQLite file, its WAL and shared-memory files, and the server's journal
    of batches waiting for it, if present."""
    for suffix in ("", "-wal", "-shm", "-journal", ".journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def seed_demo(url: str, scenario_name: str = DEMO_SCENARIO) -> list[DemoLogin]:
    """Migrate the database at `url` and fill it with the scenario's queues and agents,
    the demo logins, a team `floor` (the supervisor, every agent), disposition codes and
    the example customers, in one transaction. Returns the logins."""
    scenario = load_scenario(scenario_path(scenario_name))
    logins = demo_logins()
    migrate(url)
    database = create_engine_for(url)
    try:
        with session_factory(database).begin() as session:
            agents = [a for g in scenario.groups for a in g.agents]
            routing = routing_config(session, scenario.queues,
                                     [*agents, person_agent(scenario)])
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
            refused = add_customers(session, EXAMPLE_CUSTOMERS)
            if refused:  # only a database that was not fresh
                raise ValueError(f"the example customers are already stored: {refused[0][1]}")
    finally:
        database.dispose()
    return logins
