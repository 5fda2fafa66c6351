"""The one access check: who is calling (cookie or bearer token) and may they use this route.

Every route but `/api/login` and `/metrics` depends on an `Authorize`:

- no valid credentials: 401 (with `WWW-Authenticate: Bearer`);
- a role the route does not allow, or an agent naming another agent: 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from callcenter.api.auth import ALL_ROLES, COOKIE_NAME, STAFF, Principal, Role
from callcenter.api.state import Server, server_of


def credential(request: Request) -> str | None:
    """The token of the request: `Authorization: Bearer ...` first, else the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE_NAME) or None


class Authorize:
    """A dependency that admits `roles`; with `own_agent`, an agent only for its own
    `{agent_id}` path parameter (supervisors and admins for every agent)."""

    def __init__(self, roles: Iterable[Role], *, own_agent: bool = False) -> None:
        self.roles = frozenset(roles)
        self.own_agent = own_agent

    async def __call__(self, request: Request) -> Principal:
        token = credential(request)
        principal = server_of(request).logins.lookup(token) if token else None
        if principal is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in",
                                headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in self.roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"role {principal.role.value!r} may not use this route")
        if self.own_agent:
            agent_id = request.path_params.get("agent_id", "")
            if not principal.may_act_on(agent_id):
                raise HTTPException(status.HTTP_403_FORBIDDEN,
                                    f"user {principal.username!r} may not act on "
                                    f"agent {agent_id!r}")
        return principal


AnyUser = Annotated[Principal, Depends(Authorize(ALL_ROLES))]
Staff = Annotated[Principal, Depends(Authorize(STAFF))]
AgentOrStaff = Annotated[Principal, Depends(Authorize(ALL_ROLES, own_agent=True))]


async def _server(request: Request) -> Server:
    return server_of(request)  # async: FastAPI would run a plain def in a worker thread


ServerDep = Annotated[Server, Depends(_server)]
