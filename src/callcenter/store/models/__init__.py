"""The tables, as SQLAlchemy 2 typed ORM classes (one class per table, `...Row`), one
module per subject:

- `base`: the declarative `Base` (constraint naming), `UTCDateTime`, `utcnow`;
- `users`: logins and teams;
- `config`: skills, agents, calendars, queues, disposition codes (each keeps the order
  of the tuples in `core.config` in a `position` column, so a config round-trips);
- `history`: interactions, agent spans and presence, the audit log (plain ids, not
  foreign keys: history outlives the queue, agent or user it names);
- `outbound`: campaigns, leads, do-not-call lists, dial attempts;
- `customers`: the customer directory (numbers, e-mails, addresses and their history,
  custom field definitions);
- `media`: recordings, voicemails and IVR runs;
- `logins`: open logins (token digests), kept across restarts;
- `supervision`: the wallboard's thresholds per queue;
- `cases`: case types, categories, SLA policies, cases, their events, notes and links;
- `csat`: post-call satisfaction ratings;
- `privacy`: retention rules per kind of personal data;
- `scripts`: agent scripts and questionnaires (versions), campaigns' scripts, script runs
  and their answers;
- `knowledge`: knowledge base articles and the switchboard directory.

Importing this package imports every module, so `Base.metadata` holds every table
(Alembic's environment relies on it); a new table's module is imported here too.
"""

from callcenter.store.models.base import ID, NAMING, Base, UTCDateTime, utcnow
from callcenter.store.models.cases import (
    CaseCategoryRow,
    CaseEventRow,
    CaseLinkRow,
    CaseNoteRow,
    CaseRow,
    CaseTypeRow,
    SlaPolicyRow,
)
from callcenter.store.models.config import (
    AgentCapacityRow,
    AgentQueueRow,
    AgentRow,
    AgentSkillRow,
    CalendarHolidayRow,
    CalendarHoursRow,
    CalendarRow,
    DispositionCodeRow,
    EscalationStepRow,
    QueueRow,
    QueueSkillRow,
    SkillRow,
)
from callcenter.store.models.csat import CsatRatingRow
from callcenter.store.models.customers import (
    CustomerAddressHistoryRow,
    CustomerAddressRow,
    CustomerEmailRow,
    CustomerFieldRow,
    CustomerNumberRow,
    CustomerRow,
)
from callcenter.store.models.history import (
    AgentPresenceRow,
    AgentSpanRow,
    AuditRow,
    InteractionRow,
)
from callcenter.store.models.knowledge import DirectoryEntryRow, KnowledgeArticleRow
from callcenter.store.models.logins import LoginRow
from callcenter.store.models.media import IvrRunRow, RecordingRow
from callcenter.store.models.orders import CatalogItemRow, OrderLineRow, OrderRow
from callcenter.store.models.outbound import AttemptRow, CampaignRow, DncNumberRow, LeadRow
from callcenter.store.models.privacy import RetentionRuleRow
from callcenter.store.models.scripts import (
    CampaignScriptRow,
    ScriptAnswerRow,
    ScriptRow,
    ScriptRunRow,
)
from callcenter.store.models.supervision import QueueThresholdRow
from callcenter.store.models.surveys import SurveyWeightRow
from callcenter.store.models.users import ROLES, TeamAgentRow, TeamRow, TeamSupervisorRow, UserRow

__all__ = [
    "ID",
    "NAMING",
    "ROLES",
    "AgentCapacityRow",
    "AgentPresenceRow",
    "AgentQueueRow",
    "AgentRow",
    "AgentSkillRow",
    "AgentSpanRow",
    "AttemptRow",
    "AuditRow",
    "Base",
    "CalendarHolidayRow",
    "CalendarHoursRow",
    "CalendarRow",
    "CampaignRow",
    "CampaignScriptRow",
    "CaseCategoryRow",
    "CaseEventRow",
    "CaseLinkRow",
    "CaseNoteRow",
    "CaseRow",
    "CaseTypeRow",
    "CatalogItemRow",
    "CsatRatingRow",
    "CustomerAddressHistoryRow",
    "CustomerAddressRow",
    "CustomerEmailRow",
    "CustomerFieldRow",
    "CustomerNumberRow",
    "CustomerRow",
    "DirectoryEntryRow",
    "DispositionCodeRow",
    "DncNumberRow",
    "EscalationStepRow",
    "InteractionRow",
    "IvrRunRow",
    "KnowledgeArticleRow",
    "LeadRow",
    "LoginRow",
    "OrderLineRow",
    "OrderRow",
    "QueueRow",
    "QueueSkillRow",
    "QueueThresholdRow",
    "RecordingRow",
    "RetentionRuleRow",
    "ScriptAnswerRow",
    "ScriptRow",
    "ScriptRunRow",
    "SkillRow",
    "SlaPolicyRow",
    "SurveyWeightRow",
    "TeamAgentRow",
    "TeamRow",
    "TeamSupervisorRow",
    "UTCDateTime",
    "UserRow",
    "utcnow",
]
