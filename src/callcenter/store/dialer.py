"""The live dialer's store (`runtime.dialer.DialerStore` over SQLAlchemy sessions).

Each method is one transaction, run by the dialer in a worker thread. `save` writes
a tick's dial attempts (`attempts` rows), the leads the queue changed and the numbers
a do-not-call disposition blocked, all or nothing.

An attempt's interaction (a live answer) is the `interactions` row of queue
``campaign:NAME`` with the attempt's number as `caller_number` and its answer time
as `arrived_at`; the dialer also names it by the call's id.

`quota_hold` reads the campaign script's survey quotas and their counts (completed
interviews), for the dialer to hold back the leads of full cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.config import QueueConfig
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.drops import MONTH
from callcenter.core.dialer.leads import Lead
from callcenter.core.dialer.run import Opened, Writes
from callcenter.core.scripts.quotas import lead_hold
from callcenter.store.campaigns import campaign_of, campaign_row
from callcenter.store.configs import get_queue, save_queue
from callcenter.store.leads import add_dnc, load_dnc, load_leads, save_leads
from callcenter.store.models import AttemptRow, CampaignRow, LeadRow, QueueRow
from callcenter.store.surveys import campaign_script, quota_counts


class SqlDialerStore:
    """The dialer's reads and writes, one transaction each."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def states(self) -> dict[str, str]:
        """Every campaign's state."""
        with self._sessions() as session:
            return {name: state for name, state in
                    session.execute(select(CampaignRow.name, CampaignRow.state))}

    def open(self, name: str, now: float) -> Opened:
        """The campaign, its leads and the live answers of its last 30 days."""
        with self._sessions() as session:
            campaign = campaign_of(campaign_row(session, name))
            leads = list(load_leads(session, name))
            lives = [(a + (d or 0.0), bool(dropped)) for a, d, dropped in session.execute(
                select(AttemptRow.answered, AttemptRow.info_delay, AttemptRow.dropped)
                .where(AttemptRow.campaign == name, AttemptRow.answered.is_not(None),
                       AttemptRow.answered > now - MONTH,
                       AttemptRow.outcome.in_(("answered", "dropped"))))
                if a is not None]
        return Opened(campaign, leads, sorted(lives))

    def ensure_queue(self, queue: QueueConfig) -> QueueConfig:
        """Store the campaign's queue unless a queue of that id is stored (an admin may
        have changed it); the stored one."""
        with self._sessions.begin() as session:
            if session.get(QueueRow, queue.id) is None:
                save_queue(session, queue)
            return get_queue(session, queue.id)

    def dnc(self) -> DncRegistry:
        """Every stored do-not-call list."""
        with self._sessions() as session:
            return load_dnc(session)

    def lead_count(self, name: str) -> int:
        """How many leads the campaign has."""
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(LeadRow)
                                  .where(LeadRow.campaign == name)) or 0

    def leads(self, name: str) -> list[Lead]:
        """The campaign's leads."""
        with self._sessions() as session:
            return list(load_leads(session, name))

    def quota_hold(self, name: str) -> Callable[[Mapping[str, str]], bool] | None:
        """A test of a lead's fields true when a full quota cell of the campaign's script
        holds the lead (lead-only cells, counted from its completed interviews); None
        when the script has no such cell full (or the campaign no script)."""
        with self._sessions() as session:
            found = campaign_script(session, name)
            if found is None or not any(c.lead_only for c in found.script.quota.cells):
                return None
            quota = found.script.quota
            return lead_hold(quota, quota_counts(session, name, quota))

    def save(self, writes: Writes) -> None:
        """One tick's attempts, changed leads and blocked numbers."""
        with self._sessions.begin() as session:
            if writes.attempts:
                session.execute(insert(AttemptRow), [
                    {"campaign": a.campaign, "lead_id": a.lead_id, "number": a.number,
                     "started": a.started, "answered": a.answered, "outcome": a.outcome,
                     "agent": a.agent, "dropped": a.dropped, "info_delay": a.info_delay}
                    for a in writes.attempts])
            for campaign, leads in writes.leads.items():
                if leads:
                    save_leads(session, campaign, leads)
            for number, scope in writes.blocked:
                add_dnc(session, number, scope)
