"""Admin CRUD (`/api/admin/...`, admin role only): one module per resource (users,
teams, dispositions, skills, calendars, queues, agents, customers, case types,
categories and SLA policies, knowledge base articles and directory entries), the
audit log
(`audit`, read only), GDPR export, erasure and retention rules (`privacy`) and the IVR
flows and telephony numbers (`ivr`, read and checked),
what they share in `common`. Supervisors may read the customer directory too.

Each change is one store transaction with its audit row (who, action, entity, id,
before/after). After the commit, a queue or agent change is applied to the running
engine (`QueueConfigured` / `AgentConfigured`). What the engine would refuse is
checked before the transaction, so the store and the engine agree: a logged-in
agent or a queue with waiting interactions gives 409. A delete leaves the store,
then the engine (`QueueRemoved` / `AgentRemoved`).
"""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api.admin import (
    agents,
    audit,
    calendars,
    cases,
    customers,
    dispositions,
    ivr,
    knowledge,
    privacy,
    queues,
    skills,
    teams,
    users,
)
from callcenter.api.errors import errors

router = APIRouter(prefix="/api/admin", tags=["admin"],
                   responses=errors(401, 403, 404, 409, 422, 503))
# In this order: the order of the paths in /openapi.json.
for _module in (users, teams, dispositions, skills, calendars, queues, agents, customers, audit,
                ivr, cases, privacy, knowledge):
    router.include_router(_module.router)
