"""A campaign's penetration (`GET /api/campaigns/{name}/penetration`): the share of its
leads attempted, contacted and converted, and its leads by last disposition, from the
stored leads and attempts (`store.campaigns.penetration`)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import in_transaction
from callcenter.api.deps import ServerDep, Staff
from callcenter.core.dialer.campaign import CallOutcome
from callcenter.store.campaigns import campaign_of, campaign_row, penetration

router = APIRouter(prefix="/api/campaigns")


class DispositionShare(BaseModel):
    """Leads whose last disposition is `code` (a code of the campaign)."""

    code: str
    label: str
    category: str
    leads: int
    share: float = Field(description="of the campaign's leads (0 without leads)")


class OutcomeShare(BaseModel):
    """Leads whose last attempt ended with a network outcome, without a disposition
    (`not-dialed`: never dialed)."""

    outcome: str
    leads: int
    share: float


class PenetrationView(BaseModel):
    """How far the campaign got through its leads; shares are fractions of `leads`."""

    campaign: str
    leads: int
    attempted: int = Field(description="leads dialed at least once")
    attempted_share: float
    contacted: int = Field(description="leads with a live answer (connected or dropped)")
    contacted_share: float
    converted: int = Field(description="leads done as a success")
    converted_share: float
    dispositions: list[DispositionShare] = Field(description="every disposition code of "
                                                 "the campaign, in its order")
    outcomes: list[OutcomeShare]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _view(session: Session, name: str) -> PenetrationView:
    campaign = campaign_of(campaign_row(session, name))
    p = penetration(session, name)
    codes = {d.code for d in campaign.dispositions}
    dispositions = [DispositionShare(code=d.code, label=d.label, category=d.category.value,
                                     leads=p.last_outcomes.get(d.code, 0),
                                     share=_share(p.last_outcomes.get(d.code, 0), p.leads))
                    for d in campaign.dispositions]
    network = [o.value for o in CallOutcome]
    others = sorted((k for k in p.last_outcomes if k is not None and k not in codes),
                    key=lambda k: (network.index(k) if k in network else len(network), k))
    outcomes = [OutcomeShare(outcome=k, leads=p.last_outcomes[k],
                             share=_share(p.last_outcomes[k], p.leads)) for k in others]
    if p.last_outcomes.get(None):
        n = p.last_outcomes[None]
        outcomes.append(OutcomeShare(outcome="not-dialed", leads=n, share=_share(n, p.leads)))
    return PenetrationView(
        campaign=name, leads=p.leads, attempted=p.attempted,
        attempted_share=_share(p.attempted, p.leads), contacted=p.contacted,
        contacted_share=_share(p.contacted, p.leads), converted=p.converted,
        converted_share=_share(p.converted, p.leads), dispositions=dispositions,
        outcomes=outcomes)


@router.get("/{name}/penetration", response_model=PenetrationView)
async def campaign_penetration(name: str, server: ServerDep, _user: Staff) -> PenetrationView:
    """Leads attempted, contacted and converted, and leads by last disposition."""
    return await in_transaction(server, lambda s: _view(s, name))
