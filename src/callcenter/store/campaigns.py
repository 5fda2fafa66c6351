"""Campaign administration in the store: state, replace, delete, lead search, do-not-call
entries, and dial attempts (written by the dialer, read by the compliance report).

Repository functions over a `Session`; they flush but never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from callcenter.core.dialer.campaign import Campaign
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.leads import campaign_from_json, campaign_to_json
from callcenter.store.models import AttemptRow, CampaignRow, DncNumberRow, LeadRow

STOPPED, RUNNING, PAUSED = "stopped", "running", "paused"
STATES = (STOPPED, RUNNING, PAUSED)
TRANSITIONS: dict[str, dict[str, str]] = {
    STOPPED: {"start": RUNNING, "stop": STOPPED},
    RUNNING: {"pause": PAUSED, "stop": STOPPED, "start": RUNNING},
    PAUSED: {"start": RUNNING, "pause": PAUSED, "stop": STOPPED},
}
"""{state: {action: next state}}; an action a state does not list is a `Conflict`."""


def campaign_row(session: Session, name: str) -> CampaignRow:
    """The campaign's row; `NotFound` when there is none."""
    row = session.get(CampaignRow, name)
    if row is None:
        raise NotFound(f"no campaign {name!r}")
    return row


def campaign_rows(session: Session) -> list[CampaignRow]:
    """Every campaign row, by name."""
    return list(session.scalars(select(CampaignRow).order_by(CampaignRow.name)))


def campaign_of(row: CampaignRow) -> Campaign:
    """The row's configuration as the core's `Campaign`."""
    return campaign_from_json(row.name, row.config)


def replace_campaign(session: Session, campaign: Campaign) -> None:
    """Replace a stored campaign's configuration (its leads and state stay)."""
    campaign_row(session, campaign.name).config = campaign_to_json(campaign)
    session.flush()


def delete_campaign(session: Session, name: str) -> None:
    """Delete a campaign with its leads, attempts and do-not-call list; `Conflict` while
    it runs."""
    row = campaign_row(session, name)
    if row.state == RUNNING:
        raise Conflict(f"campaign {name!r} is running: stop it first")
    session.execute(delete(AttemptRow).where(AttemptRow.campaign == name))
    session.execute(delete(LeadRow).where(LeadRow.campaign == name))
    session.execute(delete(DncNumberRow).where(DncNumberRow.list_name == f"campaign:{name}"))
    session.delete(row)
    session.flush()


def change_state(session: Session, name: str, action: str) -> str:
    """Apply `start`, `pause` or `stop`; the new state. `Conflict` if not allowed."""
    row = campaign_row(session, name)
    following = TRANSITIONS[row.state].get(action)
    if following is None:
        raise Conflict(f"campaign {name!r} is {row.state}: cannot {action}")
    row.state = following
    session.flush()
    return following


@dataclass(frozen=True, slots=True)
class Page:
    """One page of rows and how many match in all."""

    items: Sequence[Any]
    total: int


def search_leads(session: Session, campaign: str, *, state: str | None = None,
                 number: str | None = None, offset: int = 0, limit: int = 50) -> Page:
    """A campaign's leads by id, filtered by state and number."""
    campaign_row(session, campaign)
    where = [LeadRow.campaign == campaign]
    if state is not None:
        where.append(LeadRow.state == state)
    if number is not None:
        where.append(LeadRow.number == number)
    total = session.scalar(select(func.count()).select_from(LeadRow).where(*where)) or 0
    rows = session.scalars(select(LeadRow).where(*where).order_by(LeadRow.lead_id)
                           .offset(offset).limit(limit)).all()
    return Page(rows, total)


def dnc_list_name(campaign: str | None) -> str:
    """The list a number goes on: `global`, or `campaign:NAME`."""
    return "global" if campaign is None else f"campaign:{campaign}"


def dnc_numbers(session: Session, campaign: str | None, *, offset: int = 0,
                limit: int = 50) -> Page:
    """The numbers of the global list (campaign None) or a campaign's list, by number."""
    where = DncNumberRow.list_name == dnc_list_name(campaign)
    total = session.scalar(select(func.count()).select_from(DncNumberRow).where(where)) or 0
    rows = session.scalars(select(DncNumberRow).where(where).order_by(DncNumberRow.number)
                           .offset(offset).limit(limit)).all()
    return Page(rows, total)


def remove_dnc(session: Session, number: str, campaign: str | None = None) -> None:
    """Take `number` off the global list or a campaign's list; `NotFound` if not on it."""
    row = session.get(DncNumberRow, (dnc_list_name(campaign), number))
    if row is None:
        raise NotFound(f"{number!r} is not on the {dnc_list_name(campaign)} list")
    session.delete(row)
    session.flush()


def dnc_entries(session: Session, campaign: str) -> list[DncNumberRow]:
    """Every entry that blocks numbers of `campaign`: global, its own, national."""
    return list(session.scalars(select(DncNumberRow).where(or_(
        DncNumberRow.list_name == "global",
        DncNumberRow.list_name == f"campaign:{campaign}",
        DncNumberRow.list_name.startswith("national:")))))


def add_attempt(session: Session, campaign: str, *, lead_id: str, number: str,
                started: float, outcome: str, answered: float | None = None,
                agent: str | None = None, dropped: bool = False,
                info_delay: float | None = None) -> AttemptRow:
    """Store one dial attempt (the dialer's record of it)."""
    row = AttemptRow(campaign=campaign, lead_id=lead_id, number=number, started=started,
                     answered=answered, outcome=outcome, agent=agent, dropped=dropped,
                     info_delay=info_delay)
    session.add(row)
    session.flush()
    return row


def attempts_of(session: Session, campaign: str) -> list[AttemptRow]:
    """A campaign's attempts, by start time."""
    return list(session.scalars(select(AttemptRow).where(AttemptRow.campaign == campaign)
                                .order_by(AttemptRow.started, AttemptRow.id)))


def lead_places(session: Session, campaign: str) -> dict[str, tuple[str, str | None]]:
    """{lead id: (zone, country)} of a campaign's leads."""
    return {lid: (zone, country) for lid, zone, country in session.execute(
        select(LeadRow.lead_id, LeadRow.zone, LeadRow.country)
        .where(LeadRow.campaign == campaign))}


def dnc_leads(session: Session, campaign: str) -> int:
    """Leads of the campaign that ended as do-not-call (`done:dnc`)."""
    return session.scalar(select(func.count()).select_from(LeadRow).where(
        LeadRow.campaign == campaign, LeadRow.result == "dnc")) or 0


def add_dnc_numbers(session: Session, numbers: Sequence[str], campaign: str | None = None,
                    *, batch: int = 5000) -> list[str]:
    """Put `numbers` (E.164, checked by the caller) on the global list or a campaign's
    list; those already on it are left alone. Returns the numbers added, in order."""
    name = dnc_list_name(campaign)
    added: list[str] = []
    unique = list(dict.fromkeys(numbers))
    for start in range(0, len(unique), batch):
        part = unique[start:start + batch]
        present = set(session.scalars(select(DncNumberRow.number).where(
            DncNumberRow.list_name == name, DncNumberRow.number.in_(part))))
        new = [n for n in part if n not in present]
        session.add_all(DncNumberRow(list_name=name, number=n) for n in new)
        session.flush()
        added.extend(new)
    return added


def national_lists(session: Session) -> list[tuple[str, int]]:
    """The imported national do-not-call lists: (name, numbers), by name."""
    rows = session.execute(
        select(DncNumberRow.list_name, func.count()).where(
            DncNumberRow.list_name.startswith("national:"))
        .group_by(DncNumberRow.list_name).order_by(DncNumberRow.list_name))
    return [(list_name.removeprefix("national:"), count) for list_name, count in rows]


@dataclass(frozen=True, slots=True)
class Penetration:
    """How far a campaign got through its leads: leads attempted (dialed at least once),
    contacted (a live answer: connected or dropped), converted (done as a success), and
    leads by their last outcome (a disposition code or a network outcome; None: never
    dialed)."""

    leads: int
    attempted: int
    contacted: int
    converted: int
    last_outcomes: dict[str | None, int]


def penetration(session: Session, campaign: str) -> Penetration:
    """The penetration figures of `campaign` from its stored leads and attempts."""
    of = LeadRow.campaign == campaign
    leads = session.scalar(select(func.count()).select_from(LeadRow).where(of)) or 0
    attempted = session.scalar(select(func.count()).select_from(LeadRow).where(
        of, LeadRow.attempts > 0)) or 0
    converted = session.scalar(select(func.count()).select_from(LeadRow).where(
        of, LeadRow.result == "success")) or 0
    live = select(AttemptRow.lead_id).where(
        AttemptRow.campaign == campaign,
        or_(AttemptRow.outcome == "answered", AttemptRow.dropped)).distinct().subquery()
    contacted = session.scalar(select(func.count()).select_from(live)) or 0
    last: dict[str | None, int] = {
        outcome: count for outcome, count in session.execute(
            select(LeadRow.last_outcome, func.count()).where(of)
            .group_by(LeadRow.last_outcome))}
    return Penetration(leads, attempted, contacted, converted, last)
