"""The compliance report of a campaign (`GET /api/campaigns/{name}/compliance`), from its
stored attempts (`callcenter.campaigns.compliance`); JSON, or CSV with `?format=csv`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from callcenter.api.deps import ServerDep, Staff
from callcenter.api.routes_reports import Format
from callcenter.api.state import Server
from callcenter.campaigns.compliance import Compliance, as_csv, stored_report

router = APIRouter(prefix="/api/campaigns")


def _report(server: Server, name: str, until: float) -> Compliance:
    with server.sessions() as session:
        return stored_report(session, name, until)


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The report (CSV with ?format=csv)"}}


@router.get("/{name}/compliance", response_model=Compliance, responses=_CSV)
async def campaign_compliance(
    name: str, server: ServerDep, _user: Staff,
    until: Annotated[datetime | None, Query(description="End of the report (ISO 8601 or "
                                            "Unix seconds; default: now)")] = None,
    format: Annotated[Format, Query(description="json (default) or csv")] = Format.JSON,
) -> Compliance | Response:
    """Attempts, contacts, drops, drop rate (worst 24 h window and 30 d), calls outside
    the calling windows, do-not-call, caps and information-message delay."""
    if until is None:
        end = server.runtime.clock.time()
    else:
        end = (until if until.tzinfo else until.replace(tzinfo=UTC)).timestamp()
    figures = await asyncio.to_thread(_report, server, name, end)
    if format is Format.CSV:
        return Response(as_csv(figures), media_type="text/csv")
    return figures
