"""A campaign's queue in the routing engine: where its live answers wait for an agent.

Every campaign has one queue, ``campaign:<name>``, that requires the skill of the
same name: an agent works the campaign when it has that skill (and, if it lists
the queues it serves, lists this one too). Blending is built into the queue:
its interactions arrive with `OUTBOUND_PRIORITY` and do not age, so an agent who
becomes free takes any inbound interaction waiting for it first.
"""

from __future__ import annotations

from callcenter.core.config import QueueConfig, SkillRequirement
from callcenter.core.dialer.campaign import Campaign

PREFIX = "campaign:"
OUTBOUND_PRIORITY = -1_000_000
"""Live answers rank below every inbound interaction (priority + aging of those is >= 0
unless an admin sets inbound priorities this low)."""


def queue_id(campaign: str) -> str:
    """The engine queue (and the skill) of campaign `campaign`."""
    return f"{PREFIX}{campaign}"


def campaign_of_queue(queue: str) -> str | None:
    """The campaign whose queue this is; None for any other queue."""
    return queue[len(PREFIX):] if queue.startswith(PREFIX) else None


def campaign_queue(campaign: Campaign, *, wrap_up: float, grace: float) -> QueueConfig:
    """The queue configuration of `campaign`: only its agents, no aging, `grace` as the
    service-level threshold (a live answer connected later than that is a drop)."""
    qid = queue_id(campaign.name)
    return QueueConfig(qid, required_skills=(SkillRequirement(qid),), aging_rate=0.0,
                       wrap_up=wrap_up, service_level_threshold=grace, short_abandon=0.0,
                       offer_timeout=max(grace, 1.0), retry_after=0.0)
