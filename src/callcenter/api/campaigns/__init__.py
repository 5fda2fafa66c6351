"""Outbound campaigns over HTTP: `/api/campaigns` (CRUD, state, leads, do-not-call,
compliance) and the global do-not-call list `/api/dnc`. Supervisors and admins read;
admins write. A campaign's state and do-not-call changes reach the server's live dialer
(`runtime.dialer`) at once; a campaign's GET shows its live figures."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api.campaigns import compliance, crud, dnc, dnc_import, leads, penetration
from callcenter.api.errors import errors

router = APIRouter(tags=["campaigns"], responses=errors(401, 403, 404, 409, 422, 503))
for _module in (crud.router, leads.router, dnc_import.campaign_router, dnc.campaign_router,
                compliance.router, penetration.router, dnc_import.global_router,
                dnc.global_router):
    router.include_router(_module)
