"""The role matrix: every route of the app, who may use it, and how to make it succeed.

Written by hand from the API's promises (the docstrings of `api.deps` and of each
route), not read from the code that enforces them: `ROLES` says which roles a route
admits, `scoped` that it acts on agent early-1 (an agent only on itself, a supervisor
only on its teams' agents). `test_roles` checks that this table names every route
the app serves, so a new route fails until it is given its row here.

Each row gives a request that succeeds for an allowed subject once its `arrange` has
run on a fresh stage (`role_stage`): an existing agent, call, campaign, lead,
customer, recording... `shared` arrangements may all run on one stage together (each
names its own resources); the module's shared stage (the "world") runs them all, so a
refused request meets the very resource it would change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.api import role_stage as st
from tests.api.conftest import password
from tests.api.role_stage import (
    ADMIN,
    AGENT,
    ANONYMOUS,
    CALL,
    OTHER,
    OUTSIDER,
    SUPERVISOR,
    UNLINKED,
    USER_OF,
    Stage,
)

ROLE_OF = {ADMIN: "admin", SUPERVISOR: "supervisor", OUTSIDER: "supervisor", AGENT: "agent",
           OTHER: "agent", UNLINKED: "agent", ANONYMOUS: "anonymous"}
ANYONE = frozenset({"anonymous", "agent", "supervisor", "admin"})
LOGGED_IN = frozenset({"agent", "supervisor", "admin"})
STAFF = frozenset({"supervisor", "admin"})
ADMINS = frozenset({"admin"})

_ARTICLE = {"title": "Refunds", "tags": "billing", "body": "Refund within five days."}
_ENTRY = {"name": "Sales desk", "department": "Sales", "number": "+4930123499"}
Options = dict[str, Any] | Callable[[Stage], dict[str, Any]]


@dataclass(frozen=True)
class Op:
    """One operation: `route` as the app declares it, `url` the request's (a
    `{fill}` in it is an id the arrangement chose), `options` its body."""

    method: str
    route: str
    roles: frozenset[str]
    url: str = ""
    options: Options = field(default_factory=dict)
    arrange: Callable[[Stage], None] | None = None
    scoped: bool = False
    shared: bool = True
    """The arrangement may run in the world with every other shared one."""
    answers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    """A subject's documented answer (status, Location) where it is not the route's
    success code (the pages' redirects)."""
    refusals: dict[str, str] = field(default_factory=dict)
    """Subjects refused for a reason of the route's own, and its words."""
    own_login: bool = False
    """The request ends the login it is made with: it gets one of its own."""

    @property
    def target(self) -> str:
        return self.url or self.route

    @property
    def changes(self) -> bool:
        """Allowed requests run on a fresh stage each (they change it)."""
        return self.method != "GET"

    def allows(self, subject: str) -> bool:
        return (ROLE_OF[subject] in self.roles and subject not in self.refusals
                and not (self.scoped and subject in (OUTSIDER, OTHER, UNLINKED)))

    def refusal(self, subject: str) -> tuple[int, str]:
        """The documented refusal of `subject`: 401 without a login, else 403 with the
        reason."""
        if subject == ANONYMOUS:
            return 401, "not logged in"
        if subject in self.refusals:
            return 403, self.refusals[subject]
        if ROLE_OF[subject] not in self.roles:
            return 403, f"role {ROLE_OF[subject]!r} may not use this route"
        if subject == OUTSIDER:
            return 403, "user 'sup-2' does not supervise agent 'early-1'"
        return 403, f"user {USER_OF[subject]!r} may not act on agent 'early-1'"

    def request_options(self, stage: Stage) -> dict[str, Any]:
        return self.options(stage) if callable(self.options) else dict(self.options)


def _ix(interaction_id: str = "ix-2", **more: Any) -> dict[str, Any]:
    return {"json": {"interaction_id": interaction_id, **more}}


def _callback(s: Stage) -> dict[str, Any]:
    return _ix(s.fills.get("interaction_id", "ix-2"), at=s.local(2))


def _csv(text: str, **params: Any) -> dict[str, Any]:
    return {"content": text.encode(), "params": params,
            "headers": {"Content-Type": "text/csv"}}


def _user(name: str) -> Callable[[Stage], None]:
    return st.created("/api/admin/users", {"username": name, "password": "hidden-words-42",
                                           "role": "supervisor"})


A = "/api/agents/early-1"
SINCE = "since=2025-03-03&until=2025-03-04"
CUSTOMER = {"name": "Ada Lovelace", "numbers": ["+49 30 1234567"]}
REPORT_SCOPE = {OUTSIDER: "user 'sup-2' does not supervise agent 'early-1'"}
ON_CALL = {OTHER: f"user 'early-2' is not on interaction {CALL!r}",
           UNLINKED: f"user 'lone' is not on interaction {CALL!r}"}
ADMIN_AGENT = frozenset({"admin", "agent"})


def not_callers(what: str) -> dict[str, str]:
    """The refusals of the agents not on the customer's call."""
    return {s: f"user {USER_OF[s]!r} may not {what} this customer: not the customer of "
               "a call it holds" for s in (OTHER, UNLINKED)}


PAGE_303 = {ANONYMOUS: (303, "/"), UNLINKED: (303, "/")}

OPS: list[Op] = [
    # sign-in
    Op("POST", "/api/login", ANYONE,
       options={"json": {"username": "early-1", "password": password("early-1")}}),
    Op("POST", "/api/logout", LOGGED_IN, own_login=True),
    Op("GET", "/api/me", LOGGED_IN),
    # agents: an agent on itself, a supervisor on its teams' agents, an admin on all
    Op("GET", "/api/agents", STAFF),
    Op("GET", "/api/agents/{agent_id}", LOGGED_IN, A, scoped=True),
    Op("GET", "/api/agents/{agent_id}/work", LOGGED_IN, A + "/work", scoped=True),
    Op("POST", "/api/agents/{agent_id}/login", LOGGED_IN, A + "/login",
       {"json": {"ready": False}}, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/logout", LOGGED_IN, A + "/logout",
       arrange=st.logged_in, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/ready", LOGGED_IN, A + "/ready",
       arrange=lambda s: st.logged_in(s, ready=False), scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/pause", LOGGED_IN, A + "/pause",
       {"json": {"reason": "lunch"}}, st.logged_in, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/accept", LOGGED_IN, A + "/accept", _ix(), st.offered,
       scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/reject", LOGGED_IN, A + "/reject", _ix(), st.offered,
       scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/hangup", LOGGED_IN, A + "/hangup", _ix(),
       st.connected, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/wrapup", LOGGED_IN, A + "/wrapup",
       _ix(disposition="", notes="called back"), st.wrapping, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/transfer", LOGGED_IN, A + "/transfer",
       _ix(queue_id="hotline"), st.connected, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/hold", LOGGED_IN, A + "/hold", _ix(), st.connected,
       scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/resume", LOGGED_IN, A + "/resume", _ix(), st.on_hold,
       scoped=True, shared=False),
    Op("GET", "/api/agents/{agent_id}/preview", LOGGED_IN, A + "/preview", scoped=True),
    Op("GET", "/api/agents/{agent_id}/directory", LOGGED_IN, A + "/directory", scoped=True),
    Op("GET", "/api/agents/{agent_id}/today", LOGGED_IN, A + "/today", scoped=True),
    Op("POST", "/api/agents/{agent_id}/preview/dial", LOGGED_IN, A + "/preview/dial",
       arrange=st.previewing, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/preview/skip", LOGGED_IN, A + "/preview/skip",
       {"json": {"reason": "busy line"}}, st.previewing, scoped=True, shared=False),
    Op("POST", "/api/agents/{agent_id}/callback", LOGGED_IN, A + "/callback", _callback,
       st.campaign_call_wrapping, scoped=True, shared=False),
    # reads for everyone logged in (an agent's search is held to itself)
    Op("GET", "/api/queues", LOGGED_IN),
    Op("GET", "/api/dispositions", LOGGED_IN),
    Op("GET", "/api/interactions", LOGGED_IN,
       refusals={UNLINKED: "user 'lone' is not linked to an agent"}),
    Op("GET", "/api/interactions", LOGGED_IN, "/api/interactions?agent=early-1",
       scoped=True),
    # admin CRUD
    Op("GET", "/api/admin/users", ADMINS),
    Op("GET", "/api/admin/users/{username}", ADMINS, "/api/admin/users/sup"),
    Op("POST", "/api/admin/users", ADMINS, options={"json": {
        "username": "u-new", "password": "hidden-words-42", "role": "agent"}}),
    Op("PUT", "/api/admin/users/{username}", ADMINS, "/api/admin/users/u-put",
       {"json": {"role": "supervisor", "active": False}}, _user("u-put")),
    Op("DELETE", "/api/admin/users/{username}", ADMINS, "/api/admin/users/u-del",
       arrange=_user("u-del")),
    Op("GET", "/api/admin/teams", ADMINS),
    Op("GET", "/api/admin/teams/{name}", ADMINS, "/api/admin/teams/floor"),
    Op("POST", "/api/admin/teams", ADMINS, options={"json": {"name": "t-new"}}),
    Op("PUT", "/api/admin/teams/{name}", ADMINS, "/api/admin/teams/t-put",
       {"json": {"supervisors": ["sup-2"]}}, st.created("/api/admin/teams", {"name": "t-put"})),
    Op("DELETE", "/api/admin/teams/{name}", ADMINS, "/api/admin/teams/t-del",
       arrange=st.created("/api/admin/teams", {"name": "t-del"})),
    Op("GET", "/api/admin/dispositions", ADMINS),
    Op("GET", "/api/admin/dispositions/{code}", ADMINS, "/api/admin/dispositions/d-get",
       arrange=st.created("/api/admin/dispositions", {"code": "d-get"})),
    Op("POST", "/api/admin/dispositions", ADMINS, options={"json": {"code": "d-new"}}),
    Op("PUT", "/api/admin/dispositions/{code}", ADMINS, "/api/admin/dispositions/d-put",
       {"json": {"label": "Sale"}}, st.created("/api/admin/dispositions", {"code": "d-put"})),
    Op("DELETE", "/api/admin/dispositions/{code}", ADMINS, "/api/admin/dispositions/d-del",
       arrange=st.created("/api/admin/dispositions", {"code": "d-del"})),
    Op("GET", "/api/admin/skills", ADMINS),
    Op("GET", "/api/admin/skills/{skill_id}", ADMINS, "/api/admin/skills/s-get",
       arrange=st.created("/api/admin/skills", {"id": "s-get"})),
    Op("POST", "/api/admin/skills", ADMINS, options={"json": {"id": "s-new"}}),
    Op("PUT", "/api/admin/skills/{skill_id}", ADMINS, "/api/admin/skills/s-put",
       {"json": {"description": "French"}}, st.created("/api/admin/skills", {"id": "s-put"})),
    Op("DELETE", "/api/admin/skills/{skill_id}", ADMINS, "/api/admin/skills/s-del",
       arrange=st.created("/api/admin/skills", {"id": "s-del"})),
    Op("GET", "/api/admin/calendars", ADMINS),
    Op("GET", "/api/admin/calendars/{calendar_id}", ADMINS, "/api/admin/calendars/hotline"),
    Op("POST", "/api/admin/calendars", ADMINS, options={"json": {"id": "cal-new"}}),
    Op("PUT", "/api/admin/calendars/{calendar_id}", ADMINS, "/api/admin/calendars/cal-put",
       {"json": {"timezone": "Europe/Paris"}},
       st.created("/api/admin/calendars", {"id": "cal-put"})),
    Op("DELETE", "/api/admin/calendars/{calendar_id}", ADMINS, "/api/admin/calendars/cal-del",
       arrange=st.created("/api/admin/calendars", {"id": "cal-del"})),
    Op("GET", "/api/admin/queues", ADMINS),
    Op("GET", "/api/admin/queues/{queue_id}", ADMINS, "/api/admin/queues/hotline"),
    Op("POST", "/api/admin/queues", ADMINS, options={"json": {"id": "q-new"}}),
    Op("PUT", "/api/admin/queues/{queue_id}", ADMINS, "/api/admin/queues/q-put",
       {"json": {"wrap_up": 30}}, st.created("/api/admin/queues", {"id": "q-put"})),
    Op("DELETE", "/api/admin/queues/{queue_id}", ADMINS, "/api/admin/queues/q-del",
       arrange=st.created("/api/admin/queues", {"id": "q-del"})),
    Op("GET", "/api/admin/agents", ADMINS),
    Op("GET", "/api/admin/agents/{agent_id}", ADMINS, "/api/admin/agents/early-1"),
    Op("POST", "/api/admin/agents", ADMINS, options={"json": {"id": "a-new"}}),
    Op("PUT", "/api/admin/agents/{agent_id}", ADMINS, "/api/admin/agents/a-put",
       {"json": {"skills": [{"skill": "german", "level": 3}]}},
       st.created("/api/admin/agents", {"id": "a-put"})),
    Op("DELETE", "/api/admin/agents/{agent_id}", ADMINS, "/api/admin/agents/a-del",
       arrange=st.created("/api/admin/agents", {"id": "a-del"})),
    # the audit log: admins read it
    Op("GET", "/api/admin/audit", ADMINS, "/api/admin/audit?entity=user&limit=5"),
    # the IVR flows (read, checked) and the telephony numbers
    Op("GET", "/api/admin/ivr", ADMINS),
    Op("POST", "/api/admin/ivr/validate", ADMINS, options={"json": {"text": "flows: {}"}}),
    Op("GET", "/api/admin/telephony", ADMINS),
    # the stage runs simulated telephony: its flows are not stored from here (409)
    Op("PUT", "/api/admin/ivr", ADMINS, options={"json": {"text": "flows: {}"}},
       answers={ADMIN: (409, None)}),
    # the customer directory: staff read, admins write
    Op("GET", "/api/admin/customers", STAFF),
    Op("GET", "/api/admin/customers/{customer_id}", STAFF,
       "/api/admin/customers/{customer_id}",
       arrange=st.created("/api/admin/customers", {"name": "Grace", "account": "K-get"},
                          "customer_id")),
    Op("POST", "/api/admin/customers", ADMINS, options={"json": CUSTOMER}),
    Op("PUT", "/api/admin/customers/{customer_id}", ADMINS,
       "/api/admin/customers/{customer_id}", {"json": {"name": "Ada King"}},
       st.created("/api/admin/customers", {"name": "Ada", "account": "K-put"},
                  "customer_id")),
    Op("DELETE", "/api/admin/customers/{customer_id}", ADMINS,
       "/api/admin/customers/{customer_id}",
       arrange=st.created("/api/admin/customers", {"name": "Bob", "account": "K-del"},
                          "customer_id")),
    Op("POST", "/api/admin/customers/import", ADMINS,
       options=_csv("name,number,account\nCleo,+4940555666,K-imp\n")),
    # GDPR: export, erasure (the name typed again) and retention rules, admins only
    Op("GET", "/api/admin/customers/{customer_id}/export", ADMINS,
       "/api/admin/customers/{customer_id}/export",
       arrange=st.created("/api/admin/customers", {"name": "Eve", "account": "K-exp"},
                          "customer_id")),
    Op("POST", "/api/admin/customers/{customer_id}/erase", ADMINS,
       "/api/admin/customers/{customer_id}/erase", {"json": {"confirm_name": "Erin"}},
       st.created("/api/admin/customers", {"name": "Erin", "account": "K-era"},
                  "customer_id")),
    Op("GET", "/api/admin/retention", ADMINS),
    Op("PUT", "/api/admin/retention/{kind}", ADMINS, "/api/admin/retention/recordings",
       {"json": {"days": 90, "enabled": True}}),
    Op("POST", "/api/admin/retention/run", ADMINS),
    # the wallboard's reads and a supervisor's actions on its agents
    Op("GET", "/api/supervisor/snapshot", STAFF),
    Op("GET", "/api/supervisor/queues", STAFF),
    Op("GET", "/api/supervisor/agents", STAFF),
    Op("GET", "/api/supervisor/figures", STAFF, "/api/supervisor/figures?tz=Europe/Berlin"),
    Op("GET", "/api/supervisor/intraday", STAFF, "/api/supervisor/intraday?queue=hotline"),
    Op("PUT", "/api/supervisor/thresholds/{queue_id}", STAFF,
       "/api/supervisor/thresholds/hotline",
       {"json": {"service_level_amber": 80, "service_level_red": 60, "waiting_red": 5}}),
    Op("POST", "/api/supervisor/agents/{agent_id}/pause", STAFF,
       "/api/supervisor/agents/early-1/pause", {"json": {"reason": "coaching"}},
       st.logged_in, scoped=True, shared=False),
    Op("POST", "/api/supervisor/agents/{agent_id}/logout", STAFF,
       "/api/supervisor/agents/early-1/logout", arrange=st.logged_in, scoped=True,
       shared=False),
    Op("GET", "/api/reports/queues", STAFF, f"/api/reports/queues?{SINCE}"),
    Op("GET", "/api/reports/agents", STAFF, f"/api/reports/agents?{SINCE}"),
    Op("GET", "/api/reports/agents", STAFF, f"/api/reports/agents?{SINCE}&agent=early-1",
       scoped=True, refusals=REPORT_SCOPE),
    Op("GET", "/api/reports/agent-states", STAFF, f"/api/reports/agent-states?{SINCE}"),
    Op("GET", "/api/reports/agent-states", STAFF,
       f"/api/reports/agent-states?{SINCE}&agent=early-1", scoped=True,
       refusals=REPORT_SCOPE),
    Op("GET", "/api/reports/teams", STAFF),
    Op("GET", "/api/reports/csat", STAFF, f"/api/reports/csat?{SINCE}"),
    Op("GET", "/api/reports/csat", STAFF, f"/api/reports/csat?{SINCE}&agent=early-1",
       scoped=True, refusals=REPORT_SCOPE),
    # media: a call's recording (its agent, the agent's supervisors, admins), monitoring
    Op("POST", "/api/interactions/{interaction_id}/recording/pause", LOGGED_IN,
       f"/api/interactions/{CALL}/recording/pause", arrange=st.recorded, scoped=True,
       shared=False, refusals=ON_CALL),
    Op("POST", "/api/interactions/{interaction_id}/recording/resume", LOGGED_IN,
       f"/api/interactions/{CALL}/recording/resume", arrange=st.recording_paused,
       scoped=True, shared=False, refusals=ON_CALL),
    Op("GET", "/api/interactions/{interaction_id}/recordings", STAFF,
       f"/api/interactions/{CALL}/recordings", scoped=True),
    Op("GET", "/api/interactions/{interaction_id}", STAFF, f"/api/interactions/{CALL}",
       scoped=True),
    Op("GET", "/api/recordings/{recording_id}/audio", STAFF, "/api/recordings/1/audio",
       scoped=True),
    Op("GET", "/api/voicemails", STAFF),
    Op("GET", "/api/ivr-runs/{call_id}", STAFF, "/api/ivr-runs/call-9"),
    Op("POST", "/api/supervisor/interactions/{interaction_id}/listen", STAFF,
       f"/api/supervisor/interactions/{CALL}/listen", {"json": {}}, st.recorded,
       scoped=True, shared=False),
    Op("DELETE", "/api/supervisor/listens/{listen_id}", STAFF,
       f"/api/supervisor/listens/{CALL}-listen-sup", arrange=st.listening, scoped=True,
       shared=False),
    # campaigns: staff read, admins write
    Op("GET", "/api/campaigns", STAFF),
    Op("POST", "/api/campaigns", ADMINS,
       options={"json": {"name": "c-new", "caller_id": "+4930123456"}}),
    Op("GET", "/api/campaigns/{name}", STAFF, "/api/campaigns/roles",
       arrange=st.campaign("roles")),
    Op("PUT", "/api/campaigns/{name}", ADMINS, "/api/campaigns/c-put",
       {"json": {"caller_id": "+4930123499", "max_attempts": 4}}, st.campaign("c-put")),
    Op("DELETE", "/api/campaigns/{name}", ADMINS, "/api/campaigns/c-del",
       arrange=st.campaign("c-del")),
    Op("POST", "/api/campaigns/{name}/start", ADMINS, "/api/campaigns/c-start/start",
       arrange=st.campaign("c-start")),
    Op("POST", "/api/campaigns/{name}/pause", ADMINS, "/api/campaigns/c-pause/pause",
       arrange=st.campaign("c-pause", running=True)),
    Op("POST", "/api/campaigns/{name}/stop", ADMINS, "/api/campaigns/c-stop/stop",
       arrange=st.campaign("c-stop", running=True)),
    Op("POST", "/api/campaigns/{name}/leads", ADMINS, "/api/campaigns/roles/leads",
       _csv("id,number\nr1,+4930555111\n", id="id"), st.campaign("roles")),
    Op("GET", "/api/campaigns/{name}/leads", STAFF, "/api/campaigns/roles/leads",
       arrange=st.campaign("roles")),
    Op("GET", "/api/campaigns/{name}/dnc", STAFF, "/api/campaigns/roles/dnc",
       arrange=st.campaign("roles")),
    Op("POST", "/api/campaigns/{name}/dnc", ADMINS, "/api/campaigns/roles/dnc",
       {"json": {"number": "+4930123458"}}, st.campaign("roles")),
    Op("DELETE", "/api/campaigns/{name}/dnc/{number}", ADMINS,
       "/api/campaigns/roles/dnc/+4930123457", arrange=st.dnc("+4930123457", "roles")),
    Op("GET", "/api/campaigns/{name}/compliance", STAFF, "/api/campaigns/roles/compliance",
       arrange=st.campaign("roles")),
    # survey results: staff read, admins set the weighting
    Op("GET", "/api/surveys/{name}", STAFF, "/api/surveys/roles", arrange=st.campaign("roles")),
    Op("GET", "/api/surveys/{name}/crosstab", STAFF,
       "/api/surveys/roles/crosstab?rows=answer:intent&columns=lead:region",
       arrange=st.campaign("roles")),
    Op("GET", "/api/surveys/{name}/answers", STAFF, "/api/surveys/roles/answers",
       arrange=st.campaign("roles")),
    Op("PUT", "/api/surveys/{name}/weights", ADMINS, "/api/surveys/roles/weights",
       {"json": {"variable": "lead:region", "shares": {"north": 0.5, "south": 0.5}}},
       st.campaign("roles")),
    Op("DELETE", "/api/surveys/{name}/weights", ADMINS, "/api/surveys/roles/weights",
       arrange=st.campaign("roles")),
    Op("POST", "/api/campaigns/{name}/dnc/import", ADMINS, "/api/campaigns/roles/dnc/import",
       _csv("number\n+4930123461\n"), st.campaign("roles")),
    Op("GET", "/api/campaigns/{name}/penetration", STAFF, "/api/campaigns/roles/penetration",
       arrange=st.campaign("roles")),
    Op("GET", "/api/dnc", STAFF),
    Op("POST", "/api/dnc/import", ADMINS, options=_csv("number\n+4930123462\n")),
    Op("GET", "/api/dnc/national", STAFF),
    Op("PUT", "/api/dnc/national/{list_name}", ADMINS, "/api/dnc/national/roles",
       _csv("number\n+4930123463\n")),
    Op("POST", "/api/dnc", ADMINS, options={"json": {"number": "+4930123459"}}),
    Op("DELETE", "/api/dnc/{number}", ADMINS, "/api/dnc/+4930123460",
       arrange=st.dnc("+4930123460")),
    # customers: anyone searches; staff read any, an agent its call's customer; an admin
    # changes any, an agent its call's customer; an admin merges and defines fields
    Op("GET", "/api/customers", LOGGED_IN, "/api/customers?q=Ada&limit=5"),
    Op("GET", "/api/customers/{customer_id}", LOGGED_IN, "/api/customers/{customer_id}",
       arrange=st.customer_on_call(), refusals=not_callers("read")),
    Op("PATCH", "/api/customers/{customer_id}", ADMIN_AGENT, "/api/customers/{customer_id}",
       {"json": {"language": "de", "marketing_consent": True, "interaction_id": CALL}},
       st.customer_on_call(), refusals=not_callers("change")),
    Op("PUT", "/api/customers/{customer_id}/addresses/{kind}", ADMIN_AGENT,
       "/api/customers/{customer_id}/addresses/home",
       {"json": {"street": "1 Main St", "city": "Berlin", "interaction_id": CALL}},
       st.customer_on_call(), refusals=not_callers("change")),
    Op("DELETE", "/api/customers/{customer_id}/addresses/{kind}", ADMIN_AGENT,
       "/api/customers/{customer_id}/addresses/work",
       arrange=st.customer_on_call(address=True), refusals=not_callers("change")),
    Op("POST", "/api/customers/{customer_id}/merge/{other_id}", ADMINS,
       "/api/customers/{customer_id}/merge/{other_id}", arrange=st.two_customers),
    Op("PUT", "/api/agents/{agent_id}/work/{interaction_id}/customer", LOGGED_IN,
       f"{A}/work/ix-2/customer",
       lambda s: {"json": {"customer_id": int(s.fills.get("customer_id", 1))}},
       lambda s: (st.connected(s), st.a_customer(s)), scoped=True, shared=False),
    Op("GET", "/api/admin/customer-fields", ADMINS),
    Op("PUT", "/api/admin/customer-fields/{name}", ADMINS, "/api/admin/customer-fields/tier",
       {"json": {"label": "Tier", "kind": "choice", "choices": ["gold", "silver"]}}),
    Op("DELETE", "/api/admin/customer-fields/{name}", ADMINS,
       "/api/admin/customer-fields/rs-del",
       arrange=lambda s: s.call("PUT", "/api/admin/customer-fields/rs-del",
                                json={"label": "Gone"}) and None),
    # cases: anyone logged in works them, staff assign them and watch their SLA
    Op("GET", "/api/case-types", LOGGED_IN),
    Op("GET", "/api/cases", LOGGED_IN, "/api/cases?open=true&breached=false"),
    Op("POST", "/api/cases", LOGGED_IN, options={"json": {
        "type_id": "rs-type", "subject": "Bill too high", "interaction_id": CALL}},
       arrange=st.case_type),
    Op("GET", "/api/cases/sla", STAFF),
    Op("GET", "/api/cases/{case_id}", LOGGED_IN, "/api/cases/{case_id}", arrange=st.a_case),
    Op("POST", "/api/cases/{case_id}/actions", LOGGED_IN, "/api/cases/{case_id}/actions",
       st.next_action, st.acted_on),
    Op("PUT", "/api/cases/{case_id}/assignee", STAFF, "/api/cases/{case_id}/assignee",
       {"json": {"agent_id": "early-1", "team": "floor"}}, st.a_case),
    Op("POST", "/api/cases/{case_id}/notes", LOGGED_IN, "/api/cases/{case_id}/notes",
       {"json": {"body": "Called back", "visibility": "customer"}}, st.a_case),
    Op("POST", "/api/cases/{case_id}/links", LOGGED_IN, "/api/cases/{case_id}/links",
       {"json": {"interaction_id": CALL}}, st.a_case),
    Op("GET", "/api/reports/fcr", STAFF, f"/api/reports/fcr?{SINCE}&by=agent"),
    Op("GET", "/api/admin/case-types", ADMINS),
    Op("POST", "/api/admin/case-types", ADMINS, options={"json": {"id": "ct-new"}}),
    Op("PUT", "/api/admin/case-types/{type_id}", ADMINS, "/api/admin/case-types/ct-put",
       {"json": {"label": "Fault report"}},
       st.created("/api/admin/case-types", {"id": "ct-put"})),
    Op("DELETE", "/api/admin/case-types/{type_id}", ADMINS, "/api/admin/case-types/ct-del",
       arrange=st.created("/api/admin/case-types", {"id": "ct-del"})),
    Op("GET", "/api/admin/case-categories", ADMINS),
    Op("POST", "/api/admin/case-categories", ADMINS,
       options={"json": {"id": "cc-new", "type_id": "rs-type"}}, arrange=st.case_type),
    Op("PUT", "/api/admin/case-categories/{category_id}", ADMINS,
       "/api/admin/case-categories/cc-put", {"json": {"type_id": "rs-type", "label": "Bill"}},
       lambda s: (st.case_type(s), st.created("/api/admin/case-categories",
                                              {"id": "cc-put", "type_id": "rs-type"})(s))),
    Op("DELETE", "/api/admin/case-categories/{category_id}", ADMINS,
       "/api/admin/case-categories/cc-del",
       arrange=lambda s: (st.case_type(s), st.created("/api/admin/case-categories",
                                                      {"id": "cc-del", "type_id": "rs-type"})(s))),
    Op("GET", "/api/admin/sla-policies", ADMINS),
    Op("POST", "/api/admin/sla-policies", ADMINS, options={"json": {
        "type_id": "rs-type", "priority": "urgent", "first_response_seconds": 900}},
       arrange=st.case_type),
    Op("PUT", "/api/admin/sla-policies/{policy_id}", ADMINS,
       "/api/admin/sla-policies/{policy_id}",
       {"json": {"type_id": "rs-type", "priority": "high", "resolution_seconds": 7200}},
       st.sla_policy("high")),
    Op("DELETE", "/api/admin/sla-policies/{policy_id}", ADMINS,
       "/api/admin/sla-policies/{policy_id}", arrange=st.sla_policy("low")),
    # scripts and questionnaires: admins upload, staff read, agents run them in calls
    Op("POST", "/api/admin/scripts/validate", ADMINS, options={"json": {"text": st.RS_SCRIPT}}),
    Op("GET", "/api/admin/scripts", STAFF),
    Op("POST", "/api/admin/scripts", ADMINS, options={"json": {"text": st.RS_SCRIPT}}),
    Op("GET", "/api/admin/scripts/{name}", STAFF, "/api/admin/scripts/rs_script",
       arrange=st.a_script),
    Op("GET", "/api/admin/scripts/{name}/versions/{version}", STAFF,
       "/api/admin/scripts/rs_script/versions/1", arrange=st.a_script),
    Op("PUT", "/api/admin/scripts/{name}/retired", ADMINS,
       "/api/admin/scripts/rs_script/retired", {"json": {"retired": False}}, st.a_script),
    Op("GET", "/api/campaigns/{name}/script", STAFF, "/api/campaigns/roles/script",
       arrange=st.campaign("roles")),
    Op("PUT", "/api/campaigns/{name}/script", ADMINS, "/api/campaigns/roles/script",
       {"json": {"purpose": "survey", "script": "rs_script"}},
       lambda s: (st.campaign("roles")(s), st.a_script(s))),
    Op("GET", "/api/scripts", LOGGED_IN),
    Op("POST", "/api/agents/{agent_id}/script-runs", LOGGED_IN, A + "/script-runs",
       _ix(script="rs_script"), lambda s: (st.a_script(s), st.connected(s)), scoped=True,
       shared=False),
    # (each run its own script; finishing or stopping an ended run gives it as it ended)
    Op("GET", "/api/agents/{agent_id}/script-runs/{run_id}", LOGGED_IN,
       A + "/script-runs/{run_id}", arrange=st.script_run("rs_read"), scoped=True),
    Op("PUT", "/api/agents/{agent_id}/script-runs/{run_id}/answers/{step_id}", LOGGED_IN,
       A + "/script-runs/{run_id}/answers/greet", {"json": {"value": None}},
       st.script_run("rs_answer"), scoped=True),
    Op("POST", "/api/agents/{agent_id}/script-runs/{run_id}/finish", LOGGED_IN,
       A + "/script-runs/{run_id}/finish", arrange=st.script_run("rs_finish", answered=True),
       scoped=True),
    Op("POST", "/api/agents/{agent_id}/script-runs/{run_id}/stop", LOGGED_IN,
       A + "/script-runs/{run_id}/stop", arrange=st.script_run("rs_stop"), scoped=True),
    # knowledge base and switchboard directory: anyone logged in reads, admins edit
    Op("GET", "/api/knowledge/articles", LOGGED_IN, "/api/knowledge/articles?q=refund"),
    Op("GET", "/api/knowledge/articles/{article_id}", LOGGED_IN,
       "/api/knowledge/articles/{article_id}",
       arrange=st.created("/api/admin/kb-articles", _ARTICLE, fill="article_id")),
    Op("GET", "/api/knowledge/directory", LOGGED_IN, "/api/knowledge/directory?q=sales"),
    Op("GET", "/api/admin/kb-articles", ADMINS),
    Op("POST", "/api/admin/kb-articles", ADMINS, options={"json": _ARTICLE}),
    Op("PUT", "/api/admin/kb-articles/{article_id}", ADMINS,
       "/api/admin/kb-articles/{article_id}", {"json": _ARTICLE},
       st.created("/api/admin/kb-articles", _ARTICLE, fill="article_id")),
    Op("DELETE", "/api/admin/kb-articles/{article_id}", ADMINS,
       "/api/admin/kb-articles/{article_id}",
       arrange=st.created("/api/admin/kb-articles", _ARTICLE, fill="article_id")),
    Op("GET", "/api/admin/directory-entries", ADMINS),
    Op("POST", "/api/admin/directory-entries", ADMINS, options={"json": _ENTRY}),
    Op("PUT", "/api/admin/directory-entries/{entry_id}", ADMINS,
       "/api/admin/directory-entries/{entry_id}", {"json": _ENTRY},
       st.created("/api/admin/directory-entries", _ENTRY, fill="entry_id")),
    Op("DELETE", "/api/admin/directory-entries/{entry_id}", ADMINS,
       "/api/admin/directory-entries/{entry_id}",
       arrange=st.created("/api/admin/directory-entries", _ENTRY, fill="entry_id")),
    # orders: anyone logged in takes and reads them (an agent acts only on its own),
    # admins edit the catalog
    Op("GET", "/api/catalog", LOGGED_IN, "/api/catalog?q=mug"),
    Op("POST", "/api/catalog", ADMINS, options={"json": {
        "sku": "rs-new", "name": "New mug", "price_cents": 900, "tax_bp": 1900,
        "available": 4}}),
    Op("PUT", "/api/catalog/{sku}", ADMINS, "/api/catalog/rs-mug", {"json": {
        "sku": "rs-mug", "name": "Mug", "price_cents": 1999, "tax_bp": 1900,
        "available": 500}}, arrange=st.catalog_item),
    Op("POST", "/api/orders/quote", LOGGED_IN, options={"json": {
        "lines": [{"sku": "rs-mug", "quantity": 2}]}}, arrange=st.catalog_item),
    Op("POST", "/api/orders", LOGGED_IN, options={"json": {
        "lines": [{"sku": "rs-mug", "quantity": 1}], "place": True}},
       arrange=st.catalog_item),
    Op("GET", "/api/orders", LOGGED_IN, "/api/orders?status=draft"),
    Op("GET", "/api/orders/{order_id}", LOGGED_IN, "/api/orders/{order_id}",
       arrange=st.an_order),
    Op("POST", "/api/orders/{order_id}/actions", LOGGED_IN, "/api/orders/{order_id}/actions",
       {"json": {"action": "cancel"}}, arrange=st.an_order,
       refusals={OTHER: "an agent acts only on the orders it took",
                 UNLINKED: "an agent acts only on the orders it took"}),
    # open to anyone: pages (redirecting by role), assets, documentation, probes
    Op("GET", "/", ANYONE),
    Op("GET", "/desktop", ANYONE, answers={**PAGE_303, SUPERVISOR: (303, "/wallboard"),
                                           OUTSIDER: (303, "/wallboard"),
                                           ADMIN: (303, "/wallboard")}),
    Op("GET", "/wallboard", ANYONE, answers={**PAGE_303, AGENT: (303, "/desktop"),
                                             OTHER: (303, "/desktop")}),
    # the other screens: 303 to the login without one, the HTML 403 page for a role
    # they are not for
    *(Op("GET", route, ANYONE, url, answers={
        ANONYMOUS: (303, "/"),
        **{s: (403, None) for s, role in ROLE_OF.items()
           if role != "anonymous" and role not in roles}})
      for route, url, roles in [
          ("/admin", "", ADMINS), ("/admin/{section}", "/admin/queues", ADMINS),
          ("/campaigns", "", STAFF), ("/campaigns/{name}", "/campaigns/roles", STAFF),
          ("/reports", "", STAFF), ("/cases", "", STAFF), ("/surveys", "", STAFF),
          ("/surveys/{name}", "/surveys/roles", STAFF), ("/orders", "", STAFF),
          ("/customers", "", STAFF), ("/customers/{customer_id}", "/customers/1", STAFF),
          ("/reports/{section}", "/reports/agents", STAFF),
          ("/reports/interactions/{interaction_id}", "/reports/interactions/ix-1", STAFF)]),
    Op("GET", "/static/{name}", ANYONE, "/static/desktop.js"),
    Op("GET", "/docs", ANYONE),
    Op("GET", "/redoc", ANYONE),
    Op("GET", "/static/vendor/{name}", ANYONE, "/static/vendor/swagger-ui.css"),
    Op("GET", "/openapi.json", ANYONE),
    Op("GET", "/health", ANYONE),
    Op("GET", "/metrics", ANYONE),
]
"""Every HTTP operation; `/api/ws` is checked by subject in test_roles."""
