"""`POST /api/login`, `POST /api/logout` and `GET /api/me`."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session, sessionmaker

from callcenter.api.auth import COOKIE_NAME, Role, stored_username
from callcenter.api.deps import AnyUser, ServerDep, credential
from callcenter.api.errors import errors
from callcenter.api.throttle import Locked
from callcenter.store.users import (
    agent_of_user,
    authenticate,
    namesake_taken,
)

router = APIRouter(prefix="/api", tags=["auth"], responses=errors(401))


class LoginRequest(BaseModel):
    """A username (any case or Unicode form of the stored name) and its password."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)

    @field_validator("username")
    @classmethod
    def _normalised(cls, value: str) -> str:
        return stored_username(value)


class LoginResponse(BaseModel):
    """The bearer token (also set as the HttpOnly session cookie) and who logged in."""

    token: str
    token_type: str = "bearer"
    username: str
    role: Role
    agent_id: str | None
    expires_in: float


@dataclass(frozen=True, slots=True)
class _Checked:
    username: str
    role: Role
    agent_id: str | None
    namesake: bool


def _check_password(sessions: sessionmaker[Session], username: str,
                    password: str) -> _Checked | None:
    """The user's stored name, role, linked agent, and whether it may act as its namesake
    agent."""
    with sessions.begin() as session:  # commits a rehash of an outdated hash
        user = authenticate(session, username, password)
        if user is None:
            return None
        linked = agent_of_user(session, user)
        return _Checked(user.username, Role(user.role), linked,
                        linked is None and not namesake_taken(session, user))


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.post("/login", response_model=LoginResponse, responses=errors(422, 429))
async def login(body: LoginRequest, request: Request, response: Response,
                server: ServerDep) -> LoginResponse:
    """Check the password (argon2) and open a session: a token and a cookie. Repeated
    failures for an account or from an address make it wait (429, `Retry-After`)."""
    address = _client(request)
    try:
        server.throttle.attempt(body.username, address)
    except Locked as exc:
        wait = max(1, math.ceil(exc.wait))
        what = (f"user {body.username!r}" if exc.what == "account" else "this address")
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"too many failed logins for {what}: try again in {wait} s",
                            headers={"Retry-After": str(wait)}) from None
    found = await asyncio.to_thread(_check_password, server.sessions, body.username,
                                    body.password)
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    server.throttle.succeeded(body.username, address)
    agent_id = found.agent_id
    if (found.namesake and found.role is Role.AGENT
            and server.runtime.engine.has_agent(found.username)):
        agent_id = found.username  # an agent user without a link logs in as its namesake
    ttl = server.settings.session_ttl
    token = await server.logins.open(found.username, found.role, agent_id)
    response.set_cookie(COOKIE_NAME, token, max_age=int(ttl), httponly=True, samesite="strict",
                        secure=server.settings.cookie_secure, path="/")
    return LoginResponse(token=token, username=found.username, role=found.role,
                         agent_id=agent_id, expires_in=ttl)


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
