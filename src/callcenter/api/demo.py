"""`callcenter demo`: a living contact center on this machine, in one command.

    callcenter demo                  # http://127.0.0.1:8080, logins printed
    callcenter demo --port 9000 --speed 5

The demo (re)creates a SQLite file (`callcenter-demo.db` unless told otherwise),
seeds it with the `customer-service` example (queues billing, technical and sales
with skills, tiers and escalation; 32 bot agents), one more agent `you` for a person
(every skill at 10, tier 1 in every queue, so calls come soon), a team, disposition
codes, three logins, the forty example customers whose numbers some simulated
callers call from (`callcenter.scenario.phones`: their offers pop the customer up)
and the example scripts and questionnaires (the agent's script panel offers them),
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
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.demo_survey import seed_survey
from callcenter.core.case_state import CaseAction
from callcenter.core.config import AgentConfig, Membership
from callcenter.core.customer_profile import Address, FieldDefinition
from callcenter.crm import cases
from callcenter.crm.knowledge_examples import seed_knowledge
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.phones import EXAMPLE_CUSTOMERS
from callcenter.scenario.spec import Scenario
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.customer_profile import (
    put_field_definition,
    set_address,
    set_consent,
    set_emails,
)
from callcenter.store.customers import add_customers
from callcenter.store.models import (
    CalendarRow,
    CaseCategoryRow,
    CaseTypeRow,
    CatalogItemRow,
    CustomerRow,
    SlaPolicyRow,
)
from callcenter.store.scripts import save_script
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


CASE_TYPES: dict[str, tuple[str, dict[str, str], dict[str, tuple[float, float]]]] = {
    # a type: its label, its categories, its targets (first response, resolution) by priority
    "complaint": ("Complaint", {"billing": "Billing", "service": "Service"},
                  {"normal": (2 * 3600, 16 * 3600), "high": (3600, 8 * 3600)}),
    "fault": ("Fault report", {"no-line": "No line", "slow-internet": "Slow internet"},
              {"normal": (3600, 8 * 3600), "high": (1800, 4 * 3600)}),
    "inquiry": ("Inquiry", {"contract": "Contract", "tariff": "Tariff"},
                {"normal": (4 * 3600, 24 * 3600)}),
}
DEMO_CASES = [  # (type, category, priority, subject, hours before the start, action)
    ("fault", "no-line", "high", "No dial tone since this morning", 1.0, None),
    ("complaint", "billing", "normal", "Charged twice for October", 1.7, None),
    ("inquiry", "tariff", "normal", "Which tariff for a family of four?", 3.0, "open"),
    ("complaint", "service", "high", "Technician did not come", 26.0, "pend"),
    ("fault", "slow-internet", "normal", "Internet slow in the evenings", 50.0, "resolve"),
]


DEMO_PROFILES = (
    ("home", "Hauptstraße 1", "10115", "Berlin", "Lindenallee 7", "14050"),
    ("home", "Am Markt 3", "20095", "Hamburg", None, None),
    ("billing", "Postfach 12 34", "80331", "München", None, None),
)
"""Addresses of the first example customers (kind, street, postal code, city), and a
former address some had (street, postal code), so the history shows a change."""


def seed_profiles(session: Session) -> None:
    """The first example customers' e-mail, consent and addresses (one with a change in
    its history), and a custom field definition."""
    put_field_definition(session, FieldDefinition("contract_end", "Contract ends", "date"))
    at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    ids = list(session.scalars(select(CustomerRow.id).order_by(CustomerRow.id).limit(3)))
    for customer_id, (kind, street, code, city, old, old_code) in zip(ids, DEMO_PROFILES,
                                                                       strict=False):
        set_emails(session, customer_id, [f"customer{customer_id}@example.org"])
        set_consent(session, customer_id, "recording", True, at)
        set_consent(session, customer_id, "marketing", customer_id % 2 == 1, at)
        if old is not None and old_code is not None:
            set_address(session, customer_id, kind, Address(kind, old, old_code, city, "",
                                                            "DE"),
                        changed_by="admin", at=at - timedelta(days=400))
        set_address(session, customer_id, kind, Address(kind, street, code, city, "", "DE"),
                    changed_by="admin", at=at)


def seed_cases(session: Session, now: float) -> None:
    """The demo's case types, categories and SLA policies (on the `office` calendar when
    the scenario has one), and a few cases of the first customers created before `now`:
    one warns and one is breached soon after the start."""
    calendar = "office" if session.get(CalendarRow, "office") is not None else None
    for type_id, (label, categories, targets) in CASE_TYPES.items():
        session.add(CaseTypeRow(id=type_id, label=label, active=True))
        session.flush()
        for category, text in categories.items():
            session.add(CaseCategoryRow(id=category, type_id=type_id, label=text, active=True))
        for priority, (first, resolution) in targets.items():
            session.add(SlaPolicyRow(type_id=type_id, priority=priority, warn_at=0.8,
                                     first_response_seconds=first,
                                     resolution_seconds=resolution, calendar_id=calendar))
    session.flush()
    customers = list(session.scalars(select(CustomerRow.id).order_by(CustomerRow.id)
                                     .limit(len(DEMO_CASES))))
    for (type_id, category, priority, subject, hours, action), customer in zip(
            DEMO_CASES, customers, strict=False):
        at = now - hours * 3600
        case = cases.create_case(session, cases.NewCase(
            type_id, subject, priority, category, customer_id=customer, team="floor"),
            "supervisor", at)
        if action is not None:
            cases.act(session, case, CaseAction(action), "supervisor", at + 600)
            cases.add_note(session, case, "Called the customer back.", "customer",
                           "supervisor", at + 600)


DEMO_SCRIPTS = ("satisfaction", "market-research", "telesales", "reactivation",
                "address-update")
"""The example scripts the demo stores (examples/scripts): the agent chooses one for a
call on the desktop's script panel."""


DEMO_CATALOG = (
    # sku, name, kind, net price in cents, tax in basis points, stock or seats, venue
    ("ROUTER-FB250", "Fibre router FB250", "product", 3353, 1900, 40, ""),
    ("CABLE-CAT6-5M", "Network cable Cat 6, 5 m", "product", 840, 1900, 200, ""),
    ("GUIDE-BOOK", "Home network guide (book)", "product", 1490, 700, 25, ""),
    ("EVT-OPEN-DAY", "Open day: fibre at home", "event", 1000, 700, 12, "Town hall, room 2"),
)
"""The demo's catalog: products with stock and one event with seats (the telesales
script's close sells ROUTER-FB250 at 39.90 gross: 33.53 + 19 % tax)."""


def seed_catalog(session: Session, now: float) -> None:
    """The demo's products and its event (in two weeks from `now`)."""
    for sku, name, kind, price, tax, available, venue in DEMO_CATALOG:
        session.add(CatalogItemRow(
            sku=sku, name=name, kind=kind, price_cents=price, tax_bp=tax,
            available=available, venue=venue,
            event_at=now + 14 * 86400 if kind == "event" else None, active=True))


def seed_scripts(session: Session) -> None:
    """The demo's scripts and questionnaires, from the examples shipped with the package."""
    folder = resources.files("callcenter.examples") / "scripts"
    for name in DEMO_SCRIPTS:
        save_script(session, (folder / f"{name}.yaml").read_text(encoding="utf-8"), "admin")


def seed_demo(url: str, scenario_name: str = DEMO_SCENARIO,
              now: float | None = None) -> list[DemoLogin]:
    """Migrate the database at `url` and fill it with the scenario's queues and agents,
    the demo logins, a team `floor` (the supervisor, every agent), disposition codes,
    the example customers (the first ones with e-mail, consent and an address history:
    `seed_profiles`), the example scripts and questionnaires (`seed_scripts`), the
    demo survey with its interviews (`demo_survey.seed_survey`) and,
    given the engine's start `now`, the demo's cases (`seed_cases`), the knowledge base
    and the switchboard directory (`crm.knowledge_examples`) and the catalog
    (`seed_catalog`), in one transaction.
    Returns the logins."""
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
            seed_scripts(session)
            seed_survey(session)
            seed_profiles(session)
            if now is not None:
                seed_cases(session, now)
                seed_knowledge(session, now)
                seed_catalog(session, now)
    finally:
        database.dispose()
    return logins
