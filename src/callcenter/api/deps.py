"""The one access check: who is calling (cookie or bearer token), may they use this route,
and which agents may they see and drive.

Every route but `/api/login` and `/metrics` depends on an `Authorize`:

- no valid credentials: 401 (with `WWW-Authenticate: Bearer`);
- a role the route does not allow: 403;
- with `agent_path`, an `{agent_id}` path parameter outside the caller's scope: 403.

The scope (`scope_of`): an admin, every agent; a supervisor, the agents of the teams
it supervises (store teams, read at each request, so a team change applies at once);
an agent user, itself. Routes that list agents or touch an interaction use the same
scope (`check_agent`, `scope_of`), and so does the WebSocket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from callcenter.api.auth import ALL_ROLES, COOKIE_NAME, STAFF, Principal, Role
from callcenter.api.state import Server, server_of
from callcenter.store.errors import NotFound
from callcenter.store.users import get_user, supervised_agents


def credential(request: Request) -> str | None:
    """The token of the request: `Authorization: Bearer ...` first, else the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE_NAME) or None


def _supervised(server: Server, username: str) -> frozenset[str]:
    with server.sessions() as session:
        try:
            return frozenset(supervised_agents(session, get_user(session, username)))
        except NotFound:  # deleted meanwhile (its logins end with it)
            return frozenset()


async def scope_of(server: Server, user: Principal) -> frozenset[str] | None:
    """The agents `user` may see and drive (None: every agent)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.SUPERVISOR:
        return await asyncio.to_thread(_supervised, server, user.username)
    return frozenset() if user.agent_id is None else frozenset({user.agent_id})


def in_scope(scope: frozenset[str] | None, agent_id: str | None) -> bool:
    """True when `agent_id` is in `scope` (None: every agent)."""
    return scope is None or (agent_id is not None and agent_id in scope)


def out_of_scope(user: Principal, agent_id: str | None) -> HTTPException:
    """The 403 for `user` naming an agent outside its scope."""
    if user.role == Role.SUPERVISOR:
        message = f"user {user.username!r} does not supervise agent {agent_id!r}"
    else:
        message = f"user {user.username!r} may not act on agent {agent_id!r}"
    return HTTPException(status.HTTP_403_FORBIDDEN, message)


async def check_agent(server: Server, user: Principal, agent_id: str | None) -> None:
    """403 unless `user` may see and drive agent `agent_id` (None: no agent, so only
    an admin may)."""
    if not in_scope(await scope_of(server, user), agent_id):
        raise out_of_scope(user, agent_id)


class Authorize:
    """A dependency that admits `roles`; with `agent_path`, only for an `{agent_id}` path
    parameter in the caller's scope (an agent: itself; a supervisor: its teams' agents;
    an admin: every agent)."""

    def __init__(self, roles: Iterable[Role], *, agent_path: bool = False) -> None:
        self.roles = frozenset(roles)
        self.agent_path = agent_path

    async def __call__(self, request: Request) -> Principal:
        token = credential(request)
        server = server_of(request)
        principal = server.logins.lookup(token) if token else None
        if principal is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in",
                                headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in self.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"role {principal.role.value!r} may not use this route")
        if self.agent_path:
            await check_agent(server, principal, request.path_params.get("agent_id", ""))
        return principal


AnyUser = Annotated[Principal, Depends(Authorize(ALL_ROLES))]
Staff = Annotated[Principal, Depends(Authorize(STAFF))]
AgentOrStaff = Annotated[Principal, Depends(Authorize(ALL_ROLES, agent_path=True))]
"""An agent on itself, a supervisor on its teams' agents, an admin on every agent."""
StaffOnAgent = Annotated[Principal, Depends(Authorize(STAFF, agent_path=True))]
"""A supervisor on its teams' agents, an admin on every agent."""


async def _server(request: Request) -> Server:
    return server_of(request)  # async: FastAPI would run a plain def in a worker thread


ServerDep = Annotated[Server, Depends(_server)]
