"""Logins and teams: users with their role, teams with their supervisors and agents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.store.models.base import Base, UTCDateTime, utcnow

ROLES = ("agent", "supervisor", "admin")


class UserRow(Base):
    """A login: username, argon2 password hash, role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'supervisor', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamRow(Base):
    """A team: supervisors look after its agents."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    supervisors: Mapped[list[TeamSupervisorRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    agents: Mapped[list[TeamAgentRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)


class TeamSupervisorRow(Base):
    """A supervisor (a user) of a team."""

    __tablename__ = "team_supervisors"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class TeamAgentRow(Base):
    """An agent in a team."""

    __tablename__ = "team_agents"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
