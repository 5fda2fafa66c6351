"""The role x route matrix: 401 without credentials, 403 for a role or agent not allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Harness

AGENT_SELF = "agent-self"  # early-1 on /api/agents/early-1/...
AGENT_OTHER = "agent-other"  # early-2 on /api/agents/early-1/...
SUPERVISOR = "supervisor"
ADMIN = "admin"
USER_OF = {AGENT_SELF: "early-1", AGENT_OTHER: "early-2", SUPERVISOR: "sup", ADMIN: "root"}
EVERYONE = frozenset(USER_OF)
ON_SELF = frozenset({AGENT_SELF, SUPERVISOR, ADMIN})
STAFF = frozenset({SUPERVISOR, ADMIN})
IX = {"interaction_id": "none"}
ADMINS = frozenset({ADMIN})
CAMPAIGN = {"name": "roles", "caller_id": "+4930123456"}

ROUTES: list[tuple[str, str, dict[str, Any] | None, frozenset[str]]] = [
    ("GET", "/api/queues", None, EVERYONE),
    ("GET", "/api/interactions", None, EVERYONE),
    ("POST", "/api/logout", None, EVERYONE),
    ("GET", "/api/agents", None, STAFF),
    ("GET", "/api/agents/early-1", None, ON_SELF),
    ("POST", "/api/agents/early-1/login", {"ready": False}, ON_SELF),
    ("POST", "/api/agents/early-1/ready", None, ON_SELF),
    ("POST", "/api/agents/early-1/pause", {"reason": "lunch"}, ON_SELF),
    ("POST", "/api/agents/early-1/accept", IX, ON_SELF),
    ("POST", "/api/agents/early-1/reject", IX, ON_SELF),
    ("POST", "/api/agents/early-1/hangup", IX, ON_SELF),
    ("POST", "/api/agents/early-1/wrapup", IX, ON_SELF),
    ("POST", "/api/agents/early-1/transfer", {**IX, "queue_id": "hotline"}, ON_SELF),
    ("POST", "/api/agents/early-1/hold", IX, ON_SELF),
    ("POST", "/api/agents/early-1/resume", IX, ON_SELF),
    ("GET", "/api/agents/early-1/preview", None, ON_SELF),
    ("POST", "/api/agents/early-1/preview/dial", None, ON_SELF),
    ("POST", "/api/agents/early-1/preview/skip", {"reason": "busy line"}, ON_SELF),
    ("POST", "/api/agents/early-1/callback", {**IX, "at": "2030-03-04T10:00"}, ON_SELF),
    ("POST", "/api/agents/early-1/logout", None, ON_SELF),
    ("GET", "/api/campaigns", None, STAFF),
    ("POST", "/api/campaigns", CAMPAIGN, ADMINS),
    ("GET", "/api/campaigns/roles", None, STAFF),
    ("PUT", "/api/campaigns/roles", {"caller_id": "+4930123456"}, ADMINS),
    ("POST", "/api/campaigns/roles/start", None, ADMINS),
    ("POST", "/api/campaigns/roles/pause", None, ADMINS),
    ("POST", "/api/campaigns/roles/stop", None, ADMINS),
    ("POST", "/api/campaigns/roles/leads", None, ADMINS),
    ("GET", "/api/campaigns/roles/leads", None, STAFF),
    ("GET", "/api/campaigns/roles/compliance", None, STAFF),
    ("GET", "/api/campaigns/roles/dnc", None, STAFF),
    ("POST", "/api/campaigns/roles/dnc", {"number": "+4930123457"}, ADMINS),
    ("DELETE", "/api/campaigns/roles/dnc/+4930123457", None, ADMINS),
    ("GET", "/api/dnc", None, STAFF),
    ("POST", "/api/dnc", {"number": "+4930123457"}, ADMINS),
    ("DELETE", "/api/dnc/+4930123457", None, ADMINS),
    ("DELETE", "/api/campaigns/roles", None, ADMINS),
    ("POST", "/api/interactions/none/recording/pause", None, EVERYONE),
    ("POST", "/api/interactions/none/recording/resume", None, EVERYONE),
    ("GET", "/api/interactions/none/recordings", None, STAFF),
    ("GET", "/api/recordings/1/audio", None, STAFF),
    ("GET", "/api/voicemails", None, STAFF),
    ("GET", "/api/ivr-runs/none", None, STAFF),
    ("POST", "/api/supervisor/interactions/none/listen", {}, STAFF),
    ("DELETE", "/api/supervisor/listens/none", None, STAFF),
    ("GET", "/api/admin/customers", None, STAFF),
    ("POST", "/api/admin/customers", {"name": "Roles"}, ADMINS),
    ("GET", "/api/admin/customers/1", None, STAFF),
    ("PUT", "/api/admin/customers/1", {"name": "Roles"}, ADMINS),
    ("POST", "/api/admin/customers/import", None, ADMINS),
    ("DELETE", "/api/admin/customers/1", None, ADMINS),
]
CASES = [pytest.param(method, path, body, who, who in allowed, id=f"{who}:{method} {path}")
         for method, path, body, allowed in ROUTES for who in sorted(USER_OF)]


@pytest.mark.parametrize(("method", "path", "body"),
                         [pytest.param(m, p, b, id=f"{m} {p}") for m, p, b, _ in ROUTES])
def test_no_credentials_is_401(shared: Harness, method: str, path: str,
                               body: dict[str, Any] | None) -> None:
    """Every route but login and /metrics needs a login."""
    assert shared.request(method, path, json=body).status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "who", "allowed"), CASES)
def test_role_matrix(shared: Harness, method: str, path: str, body: dict[str, Any] | None,
                     who: str, allowed: bool) -> None:
    """A role the route allows gets past the check; any other gets 403."""
    user = USER_OF[who]
    headers = ({"Authorization": f"Bearer {shared.token(user)}"} if path == "/api/logout"
               else shared.auth(user))
    r = shared.request(method, path, json=body, headers=headers)
    if allowed:
        assert r.status_code not in (401, 403), r.text
    else:
        assert r.status_code == 403, r.text


def test_an_agent_may_not_search_another_agents_interactions(shared: Harness) -> None:
    """An agent asking for another agent's interactions gets 403."""
    r = shared.get("/api/interactions", params={"agent": "early-1"},
                   headers=shared.auth("early-2"))
    assert r.status_code == 403


def test_metrics_needs_no_login(shared: Harness) -> None:
    """The Prometheus scrape is open (meant for a private network)."""
    assert shared.get("/metrics").status_code == 200
