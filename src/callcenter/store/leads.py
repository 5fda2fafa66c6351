"""Campaigns, leads and do-not-call numbers in the store.

Repository functions over a `Session`: they flush but never commit. A long lead list
goes in a chunk at a time, each chunk its own transaction (`store_leads`), so the
engine's writes never wait long for the database.
A campaign's configuration is stored as JSON (`campaign_to_json`), read back into
the same frozen `Campaign` (`campaign_from_json`), which validates it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import (
    CallingWindow,
    CallOutcome,
    Campaign,
    DialMode,
    Disposition,
    DispositionCategory,
    DncScope,
    PreviewTimeout,
    Purpose,
    RetryRule,
)
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.leads import Lead, LeadResult, LeadState
from callcenter.store.chunks import PartlyStored, write_in_chunks
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CampaignRow, DncNumberRow, LeadRow

BATCH = 5000
"""Rows per INSERT or UPDATE statement."""
_LOOKUP = 500
"""Numbers (and ids) per lookup of the leads already stored."""

_PLAIN = ("caller_id", "information_message", "default_region", "timezone", "holiday_country",
          "holiday_subdivision", "max_attempts", "max_attempts_per_day", "drop_cap", "drop_hold")
_LATER = ("preview_timeout", "skip_delay", "flow", "max_lines")
"""Plain fields added later: a campaign stored before them gets the defaults."""


def campaign_to_json(c: Campaign) -> dict[str, Any]:
    """The campaign's configuration as plain JSON values (its name is the row's key)."""
    out: dict[str, Any] = {name: getattr(c, name) for name in (*_PLAIN, *_LATER)}
    out.update(
        purpose=c.purpose.value,
        preview_timeout_action=c.preview_timeout_action.value,
        dial_mode=c.dial_mode.value,
        dnc_scope=c.dnc_scope.value,
        windows=[[w.weekday, w.start.isoformat(), w.end.isoformat()] for w in c.windows],
        dispositions=[{"code": d.code, "category": d.category.value, "label": d.label,
                       "retry_after": d.retry_after} for d in c.dispositions],
        retry_rules=[{"outcome": r.outcome.value, "delays": list(r.delays),
                      "max_tries": r.max_tries} for r in c.retry_rules],
    )
    return out


def campaign_from_json(name: str, data: dict[str, Any]) -> Campaign:
    """The campaign from its JSON; a bad value raises `ConfigError` naming the field."""
    try:
        return Campaign(
            name=name,
            purpose=Purpose(data["purpose"]),
            dial_mode=DialMode(data["dial_mode"]),
            dnc_scope=DncScope(data["dnc_scope"]),
            windows=tuple(CallingWindow(int(d), time.fromisoformat(s), time.fromisoformat(e))
                          for d, s, e in data["windows"]),
            dispositions=tuple(
                Disposition(d["code"], DispositionCategory(d["category"]), d["label"],
                            d["retry_after"]) for d in data["dispositions"]),
            retry_rules=tuple(
                RetryRule(CallOutcome(r["outcome"]), tuple(float(x) for x in r["delays"]),
                          r["max_tries"]) for r in data["retry_rules"]),
            preview_timeout_action=PreviewTimeout(data.get("preview_timeout_action",
                                                           PreviewTimeout.RELEASE.value)),
            **{k: data[k] for k in _PLAIN},
            **{k: data[k] for k in _LATER if k in data},
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"campaign {name!r}: stored configuration is unreadable: {exc}") from exc


def add_campaign(session: Session, campaign: Campaign) -> None:
    """Store a new campaign; `Conflict` when the name is taken."""
    if session.get(CampaignRow, campaign.name) is not None:
        raise Conflict(f"campaign {campaign.name!r} already exists")
    session.add(CampaignRow(name=campaign.name, config=campaign_to_json(campaign)))
    session.flush()


def get_campaign(session: Session, name: str) -> Campaign:
    """The stored campaign; `NotFound` when there is none."""
    row = session.get(CampaignRow, name)
    if row is None:
        raise NotFound(f"no campaign {name!r}")
    return campaign_from_json(name, row.config)


def _row(campaign: str, lead: Lead) -> dict[str, Any]:
    return {
        "campaign": campaign, "lead_id": lead.id, "number": lead.number, "zone": lead.zone,
        "priority": lead.priority, "fields": dict(lead.fields), "country": lead.country,
        "agent_reserved": lead.agent_reserved, "state": lead.state.value,
        "result": None if lead.result is None else lead.result.value, "due": lead.due,
        "attempts": lead.attempts, "day": lead.day, "attempts_on_day": lead.attempts_on_day,
        "counts": list(lead.counts), "last_outcome": lead.last_outcome,
        "last_attempt_at": lead.last_attempt_at, "dropped_at": lead.dropped_at,
        "callback_at": lead.callback_at, "callback_agent": lead.callback_agent,
    }


def _lead(row: LeadRow) -> Lead:
    return Lead(
        id=row.lead_id, number=row.number, zone=row.zone, priority=row.priority,
        fields=row.fields, country=row.country, agent_reserved=row.agent_reserved,
        state=LeadState(row.state), result=None if row.result is None else LeadResult(row.result),
        due=row.due, attempts=row.attempts, day=row.day, attempts_on_day=row.attempts_on_day,
        counts=tuple(row.counts), last_outcome=row.last_outcome,
        last_attempt_at=row.last_attempt_at, dropped_at=row.dropped_at,
        callback_at=row.callback_at, callback_agent=row.callback_agent,
    )


@dataclass(slots=True)
class Stored:
    """What `add_leads` did: how many leads were added, and which were already there."""

    added: int = 0
    present: list[tuple[Lead, str]] = field(default_factory=list)
    """(lead, why): its number or its id is already in the campaign."""
    longest: float = 0.0
    """The longest of the transactions that stored them, in seconds (`store_leads`)."""


def add_leads(
    session: Session, campaign: str, leads: Sequence[Lead],
) -> Stored:
    """Insert new leads into `campaign` (in the caller's transaction); a lead whose number
    or id is there already is skipped. Only `leads`' own numbers and ids are looked up,
    so a long list can go in a chunk at a time (`store_leads`)."""
    if session.get(CampaignRow, campaign) is None:
        raise NotFound(f"no campaign {campaign!r}")
    numbers: dict[str, str] = {}
    ids: set[str] = set()
    for start in range(0, len(leads), _LOOKUP):
        part = leads[start:start + _LOOKUP]
        # Two lookups, each on its own index (an OR of both scans the campaign's leads).
        for column, values in ((LeadRow.number, [lead.number for lead in part]),
                               (LeadRow.lead_id, [lead.id for lead in part])):
            for lead_id, number in session.execute(
                select(LeadRow.lead_id, LeadRow.number).where(
                    LeadRow.campaign == campaign, column.in_(values))
            ):
                numbers[number] = lead_id
                ids.add(lead_id)
    out = Stored()
    batch: list[dict[str, Any]] = []
    for lead in leads:
        if lead.number in numbers:
            out.present.append((lead, f"number already in the campaign as lead "
                                      f"{numbers[lead.number]!r}"))
        elif lead.id in ids:
            out.present.append((lead, f"id {lead.id!r} already in the campaign"))
        else:
            numbers[lead.number] = lead.id
            ids.add(lead.id)
            batch.append(_row(campaign, lead))
        if len(batch) >= BATCH:
            out.added += _insert(session, batch)
    out.added += _insert(session, batch)
    return out


def store_leads(
    sessions: sessionmaker[Session], campaign: str, leads: Sequence[Lead], *,
    chunk: int = 1000, pause: float = 0.0, progress: Callable[[int], None] | None = None,
) -> Stored:
    """`add_leads` a chunk at a time, each chunk its own transaction (`write_in_chunks`):
    the database is never held longer than one chunk. `progress(n)` after each chunk;
    `PartlyStored` (with `.result`: what the stored chunks did) when a chunk fails: the
    leads before it are stored, in the order of `leads`."""
    out = Stored()

    def write(session: Session, part: Sequence[Lead]) -> None:
        done = add_leads(session, campaign, part)
        out.added += done.added
        out.present += done.present

    try:
        out.longest = write_in_chunks(sessions, leads, chunk, write, pause=pause,
                                      done=progress, what=f"leads of campaign {campaign!r}")
    except PartlyStored as exc:
        exc.result = out
        raise
    return out


def _insert(session: Session, batch: list[dict[str, Any]]) -> int:
    n = len(batch)
    if batch:
        session.execute(insert(LeadRow), batch)
        batch.clear()
    return n


def save_leads(session: Session, campaign: str, leads: Iterable[Lead]) -> int:
    """Write back leads the queue changed (`LeadQueue.take_changes()`); returns how many."""
    rows = [_row(campaign, lead) for lead in leads]
    for start in range(0, len(rows), BATCH):
        session.execute(update(LeadRow), rows[start:start + BATCH])
    return len(rows)


def load_leads(session: Session, campaign: str) -> Iterator[Lead]:
    """Every lead of `campaign`, streamed (for `LeadQueue.extend`)."""
    query = select(LeadRow).where(LeadRow.campaign == campaign).execution_options(
        yield_per=BATCH)
    for row in session.scalars(query):
        yield _lead(row)


def _list_name(scope: str | None) -> str:
    return "global" if scope is None else f"campaign:{scope}"


def add_dnc(session: Session, number: str, campaign: str | None = None) -> None:
    """Put `number` on the global list (campaign None) or a campaign's list."""
    DncRegistry().add(number, campaign)  # validates the number
    name = _list_name(campaign)
    if session.get(DncNumberRow, (name, number)) is None:
        session.add(DncNumberRow(list_name=name, number=number))
        session.flush()


def import_national_dnc(session: Session, name: str, numbers: Iterable[str]) -> int:
    """Replace national list `name` with `numbers`; returns its size."""
    entries = sorted(set(numbers))
    DncRegistry().import_national(name, entries)  # validates every number
    list_name = f"national:{name}"
    session.execute(delete(DncNumberRow).where(DncNumberRow.list_name == list_name))
    for start in range(0, len(entries), BATCH):
        session.execute(insert(DncNumberRow), [
            {"list_name": list_name, "number": n} for n in entries[start:start + BATCH]])
    return len(entries)


def load_dnc(session: Session) -> DncRegistry:
    """Every stored do-not-call list, as the registry the dialer checks."""
    registry = DncRegistry()
    national: dict[str, list[str]] = {}
    for list_name, number in session.execute(select(DncNumberRow.list_name,
                                                    DncNumberRow.number)):
        kind, _, name = list_name.partition(":")
        if kind == "global":
            registry.add(number)
        elif kind == "campaign":
            registry.add(number, name)
        else:
            national.setdefault(name, []).append(number)
    for name, numbers in national.items():
        registry.import_national(name, numbers)
    return registry
