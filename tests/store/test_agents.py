"""Agents, users, teams and disposition codes in the store."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.core.config import AgentConfig, ConfigError, Membership, QueueConfig
from callcenter.store.configs import delete_agent, get_agent, list_agents, save_agent, save_queue
from callcenter.store.errors import Conflict
from callcenter.store.models import AgentQueueRow, SkillRow, UserRow
from callcenter.store.users import (
    add_agent,
    add_supervisor,
    agent_of_user,
    authenticate,
    create_team,
    create_user,
    link_agent,
    list_dispositions,
    save_disposition,
    set_password,
    supervised_agents,
)
from tests.store.strategies import agent_configs

ANNA = AgentConfig("anna", skills=(("german", 9), ("billing", 4)),
                   queues=(Membership("sales", 2), Membership("billing")),
                   capacity=(("chat", 3), ("voice", 1)))


def _queues(session: Session) -> None:
    save_queue(session, QueueConfig("sales"))
    save_queue(session, QueueConfig("billing"))


def test_agent_round_trips(session: Session) -> None:
    """Skills, levels, memberships with tiers and capacity come back in order."""
    _queues(session)
    save_agent(session, ANNA)
    session.commit()
    session.expunge_all()
    assert get_agent(session, "anna") == ANNA


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=agent_configs())
def test_any_agent_round_trips(session: Session, config: AgentConfig) -> None:
    """Any valid AgentConfig (its queues existing) is stored and read back exactly."""
    try:
        for m in config.queues:
            save_queue(session, QueueConfig(m.queue_id))
        save_agent(session, config)
        session.flush()
        session.expunge_all()
        assert get_agent(session, config.id) == config
    finally:
        session.rollback()


def test_agent_defaults_round_trip(session: Session) -> None:
    """An agent with default capacity and no skills or queues comes back equal."""
    save_agent(session, AgentConfig("bob"))
    session.expunge_all()
    assert list_agents(session) == [AgentConfig("bob")]


def test_agent_without_capacity_round_trips(session: Session) -> None:
    """An empty capacity stays empty (it is not replaced by the default)."""
    save_agent(session, AgentConfig("idle", capacity=()))
    session.expunge_all()
    assert get_agent(session, "idle").capacity == ()


def test_agent_skills_are_created(session: Session) -> None:
    """Saving an agent creates the skills it names."""
    _queues(session)
    save_agent(session, ANNA)
    assert sorted(session.scalars(select(SkillRow.id))) == ["billing", "german"]


def test_membership_of_unknown_queue_names_the_field(session: Session) -> None:
    """A membership of a queue that does not exist is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="agent 'x': queues: no queue 'ghost'"):
        save_agent(session, AgentConfig("x", queues=(Membership("ghost"),)))


def test_delete_agent_removes_memberships(session: Session) -> None:
    """Deleting an agent removes its memberships, so the queue can then be deleted."""
    _queues(session)
    save_agent(session, ANNA)
    session.commit()
    delete_agent(session, "anna")
    session.commit()
    assert session.scalar(select(func.count()).select_from(AgentQueueRow)) == 0


def test_password_is_stored_as_argon2_hash(session: Session) -> None:
    """The stored password is an argon2id hash, never the password."""
    user = create_user(session, "alice", "s3cret!", "admin")
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret!" not in user.password_hash


def test_right_password_authenticates(session: Session) -> None:
    """authenticate returns the user for the right password."""
    create_user(session, "alice", "s3cret!")
    session.commit()
    user = authenticate(session, "alice", "s3cret!")
    assert user is not None and user.username == "alice"


def test_wrong_password_is_refused(session: Session) -> None:
    """authenticate returns None for a wrong password."""
    create_user(session, "alice", "s3cret!")
    assert authenticate(session, "alice", "guess") is None


def test_unknown_user_is_refused(session: Session) -> None:
    """authenticate returns None for a username that does not exist."""
    assert authenticate(session, "nobody", "s3cret!") is None


def test_inactive_user_is_refused(session: Session) -> None:
    """A deactivated user cannot log in even with the right password."""
    create_user(session, "alice", "s3cret!", active=False)
    assert authenticate(session, "alice", "s3cret!") is None


def test_new_password_replaces_old(session: Session) -> None:
    """After set_password only the new password works."""
    user = create_user(session, "alice", "old")
    set_password(session, user, "new")
    assert (authenticate(session, "alice", "old"), authenticate(session, "alice", "new")) == (
        None, user)


def test_duplicate_username_conflicts(session: Session) -> None:
    """Creating a second user with a taken username raises Conflict."""
    create_user(session, "alice", "a")
    with pytest.raises(Conflict, match="'alice' already exists"):
        create_user(session, "alice", "b")


def test_unknown_role_names_the_field(session: Session) -> None:
    """A role other than agent, supervisor, admin is a ConfigError naming role."""
    with pytest.raises(ConfigError, match="role must be one of"):
        create_user(session, "alice", "a", "boss")
    assert session.scalar(select(func.count()).select_from(UserRow)) == 0


def test_agent_links_to_one_user(session: Session) -> None:
    """An agent linked to a user is found from the user, and a user is one agent only."""
    save_agent(session, AgentConfig("a1"))
    save_agent(session, AgentConfig("a2"))
    user = create_user(session, "anna", "pw")
    link_agent(session, "a1", user)
    assert agent_of_user(session, user) == "a1"
    with pytest.raises(Conflict, match="already agent 'a1'"):
        link_agent(session, "a2", user)


def test_supervisor_sees_agents_of_its_teams(session: Session) -> None:
    """supervised_agents lists the agents of the supervisor's teams only."""
    for aid in ("a1", "a2", "a3"):
        save_agent(session, AgentConfig(aid))
    boss = create_user(session, "boss", "pw", "supervisor")
    mine, other = create_team(session, "mine"), create_team(session, "other")
    add_supervisor(session, mine, boss)
    add_agent(session, mine, "a2")
    add_agent(session, mine, "a1")
    add_agent(session, other, "a3")
    assert supervised_agents(session, boss) == ["a1", "a2"]


def test_agent_user_cannot_supervise(session: Session) -> None:
    """A user with role agent cannot be a team's supervisor."""
    team = create_team(session, "t")
    user = create_user(session, "anna", "pw", "agent")
    with pytest.raises(ConfigError, match="has role 'agent'"):
        add_supervisor(session, team, user)


def test_dispositions_list_active_codes(session: Session) -> None:
    """Inactive disposition codes are left out unless asked for."""
    save_disposition(session, "sale", "Sale closed")
    save_disposition(session, "old", "Retired", active=False)
    assert [d.code for d in list_dispositions(session)] == ["sale"]
    assert [d.code for d in list_dispositions(session, active_only=False)] == ["old", "sale"]
