"""GDPR: export, erasure and retention (crm.privacy) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.core.customers import Customer
from callcenter.core.dialer.campaign import Campaign
from callcenter.core.metrics import abandoned, handled, offered
from callcenter.core.records import InteractionRecord
from callcenter.crm import privacy
from callcenter.store import session_factory
from callcenter.store.audit import audit
from callcenter.store.customers import add_customer, get_customer
from callcenter.store.history import interaction_record, record_interaction, set_notes
from callcenter.store.leads import add_campaign
from callcenter.store.models import (
    AuditRow,
    Base,
    CustomerNumberRow,
    InteractionRow,
    LeadRow,
    RecordingRow,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
T0 = NOW.timestamp() - 10 * 86400  # ten days ago


def _call(session: Session, iid: str, caller: str | None, at: float, outcome: str = "completed",
          notes: str = "") -> None:
    answered = at + 5 if outcome == "completed" else None
    record_interaction(session, InteractionRecord(
        iid, "voice", "sales", "sales", 0, at, answered, at + 60, at + 70, outcome,
        agent_id="a1" if answered else None), caller_number=caller)
    if notes:
        set_notes(session, iid, notes)


def _recording(session: Session, iid: str, path: Path, started: datetime) -> RecordingRow:
    path.write_bytes(b"RIFF")
    row = RecordingRow(interaction_id=iid, kind="call", box=None, path=str(path),
                       caller="+12025550101", started_at=started,
                       ended_at=started + timedelta(seconds=60), seconds=60.0)
    session.add(row)
    session.flush()
    return row


def _ada(session: Session, tmp_path: Path) -> int:
    """Ada with two numbers, two calls from them (one with notes and a recording), a call
    from a stranger, and one audit entry about her."""
    ada = add_customer(session, Customer("Ada Lovelace", ("+12025550101", "+12025550102"),
                                         "K-1", "gold", "en", 2, "likes tea",
                                         {"tier": "b"})).id
    _call(session, "c1", "+12025550101", T0, notes="asked about invoice 17")
    _call(session, "c2", "+12025550102", T0 + 3600, outcome="abandoned")
    _call(session, "c3", "+12025550199", T0 + 7200, notes="a stranger")
    _recording(session, "c1", tmp_path / "c1.wav", NOW - timedelta(days=10))
    audit(session, actor="root", action="create", entity="customer", entity_id=str(ada),
          after={"name": "Ada Lovelace"}, at=NOW - timedelta(days=11))
    return ada


def test_export_holds_what_was_stored(session: Session, tmp_path: Path) -> None:
    """The export holds the customer, her numbers, her calls with notes, their recording's
    metadata and the audit entries about her, and nothing of the stranger."""
    ada = _ada(session, tmp_path)
    doc = privacy.export_customer(session, ada, actor="root")
    c = doc["customer"]
    assert (c["id"], c["name"], c["account"], c["segment"], c["language"], c["priority"],
            c["notes"], c["fields"], c["erased_at"]) == \
        (ada, "Ada Lovelace", "K-1", "gold", "en", 2, "likes tea", {"tier": "b"}, None)
    assert doc["numbers"] == ["+12025550101", "+12025550102"]
    assert [(i["interaction_id"], i["caller_number"], i["notes"], i["outcome"])
            for i in doc["interactions"]] == [
        ("c1", "+12025550101", "asked about invoice 17", "completed"),
        ("c2", "+12025550102", "", "abandoned")]
    assert [(r["interaction_id"], r["kind"], r["seconds"], r["started_at"])
            for r in doc["recordings"]] == [
        ("c1", "call", 60.0, (NOW - timedelta(days=10)).isoformat())]
    assert [(a["actor"], a["action"], a["after"]) for a in doc["audit"]] == [
        ("root", "create", {"name": "Ada Lovelace"})]
    assert "path" not in doc["recordings"][0]


def test_export_covers_every_table_with_a_customer_id(session: Session,
                                                      tmp_path: Path) -> None:
    """Every table of the metadata with a customer_id column is a key of `linked`."""
    ada = _ada(session, tmp_path)
    doc = privacy.export_customer(session, ada, actor="root")
    expected = sorted(t.name for t in Base.metadata.tables.values()
                      if "customer_id" in t.columns
                      and t.name not in ("customer_numbers", "interactions"))
    assert sorted(doc["linked"]) == expected


def test_export_is_audited(session: Session, tmp_path: Path) -> None:
    """Exporting writes an `export` audit row naming who and the customer."""
    ada = _ada(session, tmp_path)
    privacy.export_customer(session, ada, actor="dpo")
    row = session.scalars(select(AuditRow).where(AuditRow.action == "export")).one()
    assert (row.actor, row.entity, row.entity_id) == ("dpo", "customer", str(ada))
    assert row.after["interactions"] == 2 and row.after["recordings"] == 1


def test_erasure_removes_personal_data(session: Session, tmp_path: Path) -> None:
    """After erasure the customer has no name, account, notes, fields or numbers; her
    calls have no caller number or notes; the recording's file is gone and its row
    marked; the stranger's call is untouched."""
    ada = _ada(session, tmp_path)
    erasure = privacy.erase_customer(session, ada, actor="dpo", now=NOW)
    assert (erasure.numbers, erasure.interactions, erasure.recordings, erasure.files) == \
        (2, 2, 1, 1)
    row = get_customer(session, ada)
    assert (row.name, row.account, row.segment, row.language, row.notes, row.fields) == \
        ("(erased)", None, "", None, "", {})
    assert row.erased_at == NOW
    assert session.scalar(select(func.count()).select_from(CustomerNumberRow)) == 0
    calls = {r.interaction_id: (r.caller_number, r.notes)
             for r in session.scalars(select(InteractionRow))}
    assert calls == {"c1": (None, ""), "c2": (None, ""), "c3": ("+12025550199", "a stranger")}
    assert not (tmp_path / "c1.wav").exists()
    recording = session.scalars(select(RecordingRow)).one()
    assert (recording.path, recording.caller, recording.erased_at) == ("", "", NOW)


def test_erasure_keeps_the_reports_counts(session: Session, tmp_path: Path) -> None:
    """Offered, handled and abandoned over the calls are the same before and after, and
    the calls keep their times, queue and agent."""
    ada = _ada(session, tmp_path)

    def report() -> tuple[int, int, int, list[tuple[str, float, str, str | None]]]:
        rows = list(session.scalars(select(InteractionRow).order_by(InteractionRow.interaction_id)))
        records = [interaction_record(r) for r in rows]
        return (offered(records), handled(records), abandoned(records),
                [(r.interaction_id, r.arrived_at, r.queue_id, r.agent_id) for r in rows])

    before = report()
    assert before[:3] == (3, 2, 1)
    privacy.erase_customer(session, ada, actor="dpo", now=NOW)
    assert report() == before


def test_erasure_is_audited_without_the_erased_values(session: Session,
                                                      tmp_path: Path) -> None:
    """The `erase` audit row names who and the counts, and holds no erased value."""
    ada = _ada(session, tmp_path)
    privacy.erase_customer(session, ada, actor="dpo", now=NOW)
    row = session.scalars(select(AuditRow).where(AuditRow.action == "erase")).one()
    assert (row.actor, row.entity_id) == ("dpo", str(ada))
    assert row.after == {"numbers": 2, "interactions": 2, "recordings": 1, "files": 1,
                         "rows": {"audit": 1}}
    created = session.scalars(select(AuditRow).where(AuditRow.action == "create")).one()
    assert (created.actor, created.before, created.after) == ("root", None, None)
    assert "Ada" not in str(row.after) and "+1202" not in str(row.after)


def _lead(session: Session, lead_id: str, state: str, last: float | None) -> None:
    number = f"+1202555{sum(map(ord, lead_id)):04d}"
    session.add(LeadRow(campaign="sale", lead_id=lead_id, number=number, zone="UTC",
                        priority=0, fields={}, country=None, agent_reserved=False, state=state,
                        result=None, due=0.0, attempts=1, day=0, attempts_on_day=1,
                        counts=[], last_outcome=None, last_attempt_at=last))


def test_retention_removes_only_what_is_older_than_its_rule(session: Session,
                                                            tmp_path: Path) -> None:
    """With recordings 30 days, notes 5 days, audit 60 days, leads 20 days on a fake
    clock: the 40-day-old recording, the 10-day-old notes, the 90-day-old audit entry
    and the 25-day-old finished lead go; the younger ones and an unfinished lead stay."""
    for kind, days in (("recordings", 30), ("interaction_notes", 5), ("audit", 60),
                       ("leads", 20)):
        privacy.set_retention_rule(session, kind, days, True, actor="root")
    _call(session, "old", "+12025550101", NOW.timestamp() - 10 * 86400, notes="old note")
    _call(session, "new", "+12025550102", NOW.timestamp() - 2 * 86400, notes="new note")
    _recording(session, "old", tmp_path / "old.wav", NOW - timedelta(days=40))
    _recording(session, "new", tmp_path / "new.wav", NOW - timedelta(days=20))
    audit(session, actor="x", action="a", entity="e", entity_id="1", at=NOW - timedelta(days=90))
    audit(session, actor="x", action="b", entity="e", entity_id="2", at=NOW - timedelta(days=30))
    add_campaign(session, Campaign("sale", caller_id="+4930123456", default_region="DE",
                                   timezone="Europe/Berlin"))
    _lead(session, "gone", "done", NOW.timestamp() - 25 * 86400)
    _lead(session, "young", "done", NOW.timestamp() - 15 * 86400)
    _lead(session, "open", "scheduled", NOW.timestamp() - 25 * 86400)
    session.flush()
    removed = privacy.run_retention(session, NOW)
    assert removed == {"audit": 1, "closed_cases": 0, "interaction_notes": 1, "leads": 1,
                       "recordings": 1, "survey_answers": 0}
    assert {r.interaction_id: (r.caller_number, r.notes)
            for r in session.scalars(select(InteractionRow))} == {
        "old": (None, ""), "new": ("+12025550102", "new note")}
    assert not (tmp_path / "old.wav").exists() and (tmp_path / "new.wav").exists()
    assert sorted(session.scalars(select(LeadRow.lead_id))) == ["open", "young"]
    assert "a" not in set(session.scalars(select(AuditRow.action)))
    job = session.scalars(select(AuditRow).where(AuditRow.action == "retention")).one()
    assert (job.actor, job.at, job.after) == (None, NOW, removed)


def test_a_disabled_rule_removes_nothing(session: Session, tmp_path: Path) -> None:
    """A disabled recordings rule keeps a recording far older than its days."""
    privacy.set_retention_rule(session, "recordings", 1, False, actor="root")
    _call(session, "old", None, NOW.timestamp() - 400 * 86400)
    _recording(session, "old", tmp_path / "old.wav", NOW - timedelta(days=400))
    assert "recordings" not in privacy.run_retention(session, NOW)
    assert (tmp_path / "old.wav").exists()


def test_rule_changes_are_audited(session: Session) -> None:
    """Setting a rule writes an audit row with the old and new days."""
    privacy.set_retention_rule(session, "recordings", 30, True, actor="root")
    row = session.scalars(select(AuditRow).where(AuditRow.entity == "retention_rule")).one()
    assert (row.actor, row.entity_id, row.before, row.after) == (
        "root", "recordings", {"days": 90, "enabled": True}, {"days": 30, "enabled": True})


def test_the_migration_stores_default_rules(session: Session) -> None:
    """A new database starts with a rule for every kind, recordings at 90 days."""
    rules = {r.kind: r.days for r in privacy.retention_rules(session)}
    assert sorted(rules) == sorted(privacy.KINDS)
    assert rules["recordings"] == 90


def test_the_scheduled_job_runs_on_its_clock(engine: Engine, tmp_path: Path) -> None:
    """The job waits `every`, runs the rules at the fake clock's time, waits again and
    runs again: a recording of 80 days stays at the first run and goes at the second,
    20 days on."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        _call(session, "c", None, NOW.timestamp() - 80 * 86400)
        _recording(session, "c", tmp_path / "c.wav", NOW - timedelta(days=80))
    times = iter([NOW, NOW + timedelta(days=20)])
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:
            assert (tmp_path / "c.wav").exists()
        if len(slept) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(privacy.retention_forever(sessions, 86400.0, lambda: next(times), sleep))
    assert slept == [86400.0, 86400.0, 86400.0]
    assert not (tmp_path / "c.wav").exists()
    with sessions() as session:
        runs = list(session.scalars(select(AuditRow.at).where(AuditRow.action == "retention")
                                    .order_by(AuditRow.id)))
    assert runs == [NOW, NOW + timedelta(days=20)]


def _case_with_note(session: Session, customer_id: int) -> None:
    cases, notes = Base.metadata.tables["cases"], Base.metadata.tables["case_notes"]
    session.execute(cases.insert().values(
        id=5, type_id="complaint", priority="normal", status="open", subject="Ada's bill",
        description="charged twice", customer_id=customer_id, created_at=T0,
        created_by="root", updated_at=T0))
    session.execute(notes.insert().values(id=9, case_id=5, at=T0, author="a1",
                                          visibility="internal", body="called Ada back"))


def test_export_and_erasure_reach_rows_that_point_at_linked_rows(session: Session,
                                                                 tmp_path: Path) -> None:
    """The customer's case and its note are exported; erasure blanks the case's subject
    and description and the note's body, keeping both rows, status and times."""
    ada = _ada(session, tmp_path)
    _case_with_note(session, ada)
    doc = privacy.export_customer(session, ada, actor="root")
    assert [(c["id"], c["subject"], c["description"]) for c in doc["linked"]["cases"]] == \
        [(5, "Ada's bill", "charged twice")]
    assert [(n["case_id"], n["body"]) for n in doc["linked"]["case_notes"]] == \
        [(5, "called Ada back")]
    erasure = privacy.erase_customer(session, ada, actor="dpo", now=NOW)
    assert erasure.rows["cases"] == 1 and erasure.rows["case_notes"] == 1
    cases, notes = Base.metadata.tables["cases"], Base.metadata.tables["case_notes"]
    assert session.execute(select(cases.c.subject, cases.c.description, cases.c.status,
                                  cases.c.created_at)).one() == ("", "", "open", T0)
    assert session.execute(select(notes.c.body, notes.c.author)).one() == ("", "a1")
