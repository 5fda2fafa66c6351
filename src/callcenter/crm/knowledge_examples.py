"""The demo's knowledge base and switchboard directory: ten articles an agent of the
`customer-service` example looks up during a call, and ten directory entries to
transfer to (its queues `billing`, `technical`, `sales`, its agent `tech-1`, and
external numbers). `seed_knowledge(session, now)` stores them (no commit)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from callcenter.core.knowledge import tags_of
from callcenter.store.models import DirectoryEntryRow, KnowledgeArticleRow

ARTICLES: tuple[tuple[str, str, str], ...] = (
    ("Resetting a customer's password", "account login",
     "1. Verify the caller: customer number and date of birth.\n"
     "2. Send the reset link by text message to the number on the record.\n"
     "3. The link is valid for 30 minutes. Never read a password aloud."),
    ("Refunds for double payments", "billing refund payment",
     "When a customer was charged twice, open a case of type complaint, category "
     "billing, and refund the second payment. Refunds reach the account within five "
     "working days."),
    ("Moving house", "address contract",
     "Update the address on the customer's record; the history keeps the old one. "
     "Services move with the customer. Book the technician for the new address at "
     "least ten days ahead."),
    ("Opening hours and holidays", "hours holidays",
     "The hotline answers Monday to Friday from 08:00 to 20:00 and Saturday from 09:00 "
     "to 14:00. It is closed on public holidays."),
    ("No internet: first checks", "technical fault internet router",
     "Ask the caller to restart the router and wait two minutes. If the lights stay "
     "red, run a line test from the fault tool before booking an engineer."),
    ("Changing the tariff", "sales tariff contract",
     "A tariff change applies from the next billing period. Upgrades are free; a "
     "downgrade within the minimum term costs a fee (see the price list)."),
    ("Direct debit and payment dates", "billing payment",
     "Direct debits are collected on the 3rd of the month. A customer may move the "
     "date to the 15th once a year."),
    ("Cancelling a contract", "contract cancellation retention",
     "Confirm the end of the minimum term, offer the retention tariff once, and "
     "transfer to the retention desk if the customer still wants to cancel."),
    ("Data protection requests", "privacy gdpr",
     "Requests for a copy of the data or for erasure go to the data protection office; "
     "never promise a date, the office answers within one month."),
    ("Complaints about an engineer's visit", "complaint technical engineer",
     "Apologise, open a complaint case with the date of the visit and transfer to the "
     "field service desk when the customer wants a new appointment."),
)

ENTRIES: tuple[tuple[str, str, str, str, str], ...] = (
    # name, department, role, kind (number/queue/agent), target
    ("Billing team", "Billing", "Invoices, refunds, direct debits", "queue", "billing"),
    ("Technical support", "Technical", "Faults, routers, line tests", "queue", "technical"),
    ("Sales desk", "Sales", "Tariffs, upgrades, new contracts", "queue", "sales"),
    ("Retention desk", "Sales", "Cancellations", "queue", "sales"),
    ("Tom Becker", "Technical", "Senior technician", "agent", "tech-1"),
    ("Field service", "Technical", "Engineer appointments", "number", "+4930901820"),
    ("Data protection office", "Legal", "GDPR requests", "number", "+4930901830"),
    ("Head office reception", "Reception", "Switchboard", "number", "+4930901800"),
    ("Press office", "Communications", "Journalists", "number", "+4930901840"),
    ("Collections partner", "Billing", "Overdue accounts (external)", "number",
     "+4940555010"),
)


def seed_knowledge(session: Session, now: float) -> None:
    """Store the example articles (written by `admin` at `now`) and directory entries."""
    for title, tags, body in ARTICLES:
        session.add(KnowledgeArticleRow(title=title, tags=tags_of(tags), body=body,
                                        updated_at=now, updated_by="admin"))
    for name, department, role, kind, target in ENTRIES:
        session.add(DirectoryEntryRow(
            name=name, department=department, role=role,
            number=target if kind == "number" else None,
            queue_id=target if kind == "queue" else None,
            agent_id=target if kind == "agent" else None))
