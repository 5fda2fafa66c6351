"""The store as the authority for routing: seeded once from a scenario, then kept."""

from __future__ import annotations

from sqlalchemy.orm import Session

from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.store.configs import delete_agent, save_queue
from callcenter.store.seed import linked_agents, routing_config
from callcenter.store.users import create_user, link_agent

SCENARIO = load_scenario(scenario_path("customer-service"))
AGENTS = [a for g in SCENARIO.groups for a in g.agents]


def test_an_empty_store_is_seeded_with_the_scenario_exactly(session: Session) -> None:
    """On an empty store the scenario's queues and agents are saved and read back equal."""
    routing = routing_config(session, SCENARIO.queues, AGENTS)
    assert routing.seeded
    assert routing.queues == sorted(SCENARIO.queues, key=lambda q: q.id)
    assert routing.agents == sorted(AGENTS, key=lambda a: a.id)


def test_a_store_with_routing_is_not_reseeded(session: Session) -> None:
    """Once seeded, the store's own changes win over the scenario on the next start."""
    routing_config(session, SCENARIO.queues, AGENTS)
    save_queue(session, QueueConfig("complaints"))
    delete_agent(session, AGENTS[0].id)
    again = routing_config(session, SCENARIO.queues, AGENTS)
    assert not again.seeded
    assert "complaints" in {q.id for q in again.queues}
    assert AGENTS[0].id not in {a.id for a in again.agents}


def test_a_store_with_only_a_queue_counts_as_configured(session: Session) -> None:
    """A queue saved by an admin before the first start keeps the scenario out."""
    save_queue(session, QueueConfig("only"))
    routing = routing_config(session, SCENARIO.queues, AGENTS)
    assert not routing.seeded
    assert [q.id for q in routing.queues] == ["only"] and routing.agents == []


def test_linked_agents_are_those_with_a_login(session: Session) -> None:
    """Only agents linked to a user are reported as driven by people."""
    routing_config(session, [QueueConfig("q")],
                   [AgentConfig("a-1", queues=(Membership("q"),)),
                    AgentConfig("a-2", queues=(Membership("q"),))])
    link_agent(session, "a-2", create_user(session, "anna", "pw-anna-123"))
    assert linked_agents(session) == {"a-2"}
