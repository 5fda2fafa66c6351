"""`POST /api/login`, `POST /api/logout` and `GET /api/me`."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from callcenter.api.auth import COOKIE_NAME, Role
from callcenter.api.deps import AnyUser, ServerDep, credential
from callcenter.api.errors import errors
from callcenter.store.users import agent_of_user, authenticate, namesake_taken

router = APIRouter(prefix="/api", tags=["auth"], responses=errors(401))


class LoginRequest(BaseModel):
    """A username and its password."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class LoginResponse(BaseModel):
    """The bearer token (also set as the HttpOnly session cookie) and who logged in."""

    token: str
    token_type: str = "bearer"
    username: str
    role: Role
    agent_id: str | None
    expires_in: float


def _check_password(sessions: sessionmaker[Session], username: str,
                    password: str) -> tuple[Role, str | None, bool] | None:
    """The user's role, linked agent, and whether it may act as its namesake agent."""
    with sessions.begin() as session:  # commits a rehash of an outdated hash
        user = authenticate(session, username, password)
        if user is None:
            return None
        linked = agent_of_user(session, user)
        return Role(user.role), linked, linked is None and not namesake_taken(session, user)


@router.post("/login", response_model=LoginResponse)
async def login(body: LoginRequest, response: Response, server: ServerDep) -> LoginResponse:
    """Check the password (argon2) and open a session: a token and a cookie."""
    found = await asyncio.to_thread(_check_password, server.sessions, body.username,
                                    body.password)
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    role, agent_id, namesake = found
    if namesake and role is Role.AGENT and server.runtime.engine.has_agent(body.username):
        agent_id = body.username  # an agent user without a link logs in as its namesake
    ttl = server.settings.session_ttl
    token = await server.logins.open(body.username, role, agent_id)
    response.set_cookie(COOKIE_NAME, token, max_age=int(ttl), httponly=True, samesite="strict",
                        secure=server.settings.cookie_secure, path="/")
    return LoginResponse(token=token, username=body.username, role=role, agent_id=agent_id,
                         expires_in=ttl)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, response: Response, server: ServerDep,
                 _user: AnyUser) -> None:
    """End the session of the token or cookie used (the agent's state is left as it is)."""
    token = credential(request)
    if token:
        await server.logins.close(token)
    response.delete_cookie(COOKIE_NAME, path="/")


class Me(BaseModel):
    """Who the token or cookie belongs to (the browser UI cannot read its HttpOnly cookie)."""

    username: str
    role: Role
    agent_id: str | None
    expires_at: float


@router.get("/me", response_model=Me)
async def me(user: AnyUser) -> Me:
    """The logged-in user: name, role, the agent it acts as, when the login expires."""
    return Me(username=user.username, role=user.role, agent_id=user.agent_id,
              expires_at=user.expires_at)
