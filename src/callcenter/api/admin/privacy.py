"""GDPR (admins only, as a data-protection officer expects: an export holds everything
about a person, an erasure cannot be undone): export a customer's data as JSON, erase a
customer, and the retention rules with their job (`crm.privacy`).

- `GET /api/admin/customers/{id}/export`: everything held on the customer, as a JSON
  download (`Content-Disposition: attachment`); audited as `export`.
- `POST /api/admin/customers/{id}/erase` with `{"confirm_name": ...}`: the customer's
  name typed again (422 naming `confirm_name` when it differs); the counts of what was
  removed; audited as `erase` (counts only).
- `GET /api/admin/retention`: the rules (kind, days, enabled, what the kind removes).
- `PUT /api/admin/retention/{kind}` with `{"days", "enabled"}`: set a rule; audited.
- `POST /api/admin/retention/run`: run the rules now (the server also runs them every
  `retention_seconds`); how many of each kind were removed; audited as `retention`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.crm import privacy
from callcenter.store.customers import get_customer
from callcenter.store.models import RetentionRuleRow, utcnow

router = APIRouter()  # included by callcenter.api.admin under /api/admin

CustomerId = Annotated[int, Path(ge=1, le=2**62)]
Kind = Annotated[str, Path(min_length=1, max_length=40)]


class EraseIn(BaseModel):
    """The customer's name, typed again to confirm the erasure."""

    model_config = ConfigDict(extra="forbid")
    confirm_name: str = Field(min_length=1, max_length=200)


class ErasureView(BaseModel):
    """What an erasure removed: numbers, calls stripped of caller number and notes,
    recordings (and their files deleted), rows changed per linked table."""

    customer_id: int
    numbers: int
    interactions: int
    recordings: int
    files: int
    rows: dict[str, int]


class RuleIn(BaseModel):
    """A retention rule: keep the kind `days` days; `enabled` False keeps it forever."""

    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=36_500)
    enabled: bool = True


class RuleView(BaseModel):
    """A rule, what its kind removes, and who last changed it when."""

    kind: str
    days: int
    enabled: bool
    removes: str
    updated_at: datetime
    updated_by: str | None


class RetentionRun(BaseModel):
    """How many of each kind one run removed."""

    removed: dict[str, int]


def _rule(row: RetentionRuleRow) -> RuleView:
    return RuleView(kind=row.kind, days=row.days, enabled=row.enabled,
                    removes=privacy.KINDS.get(row.kind, ""), updated_at=row.updated_at,
                    updated_by=row.updated_by)


@router.get("/customers/{customer_id}/export", response_class=Response,
            responses={200: {"content": {"application/json": {}},
                             "description": "Everything held on the customer."}})
async def export_customer(customer_id: CustomerId, server: ServerDep,
                          user: Admin) -> Response:
    """Everything held on the customer, as a JSON file to download."""
    document = await in_transaction(server, lambda s: privacy.export_customer(
        s, customer_id, actor=user.username))
    return Response(json.dumps(document, ensure_ascii=False, indent=1),
                    media_type="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="customer-{customer_id}.json"'})


@router.post("/customers/{customer_id}/erase", response_model=ErasureView)
async def erase_customer(customer_id: CustomerId, body: EraseIn, server: ServerDep,
                         user: Admin) -> ErasureView:
    """Erase the customer's personal data, keeping statistics; `confirm_name` must be
    the customer's name as stored."""
    def work(session: Session) -> ErasureView:
        if get_customer(session, customer_id).name != body.confirm_name:
            raise InvalidField("confirm_name",
                               "confirm_name: is not the customer's name")
        done = privacy.erase_customer(session, customer_id, actor=user.username,
                                      now=utcnow())
        return ErasureView(customer_id=done.customer_id, numbers=done.numbers,
                           interactions=done.interactions, recordings=done.recordings,
                           files=done.files, rows=done.rows)
    return await in_transaction(server, work)


@router.get("/retention", response_model=list[RuleView])
async def list_rules(server: ServerDep, _user: Admin) -> list[RuleView]:
    """The retention rules, by kind."""
    return await in_transaction(server, lambda s: [_rule(r) for r in privacy.retention_rules(s)])


@router.put("/retention/{kind}", response_model=RuleView)
async def set_rule(kind: Kind, body: RuleIn, server: ServerDep, user: Admin) -> RuleView:
    """Set the rule of one kind (`recordings`, `interaction_notes`, `closed_cases`,
    `survey_answers`, `audit`, `leads`)."""
    if kind not in privacy.KINDS:
        raise InvalidField("kind", f"kind: one of {', '.join(sorted(privacy.KINDS))}")
    return await in_transaction(server, lambda s: _rule(privacy.set_retention_rule(
        s, kind, body.days, body.enabled, actor=user.username)))


@router.post("/retention/run", response_model=RetentionRun)
async def run_retention(server: ServerDep, user: Admin) -> RetentionRun:
    """Apply the rules now (the server's clock, which stamps calls and answers): remove
    each kind older than its days."""
    now = datetime.fromtimestamp(server.runtime.clock.time(), UTC)
    removed = await in_transaction(server, lambda s: privacy.run_retention(
        s, now, actor=user.username))
    return RetentionRun(removed=removed)
