"""Scripts and questionnaires in the store: versions of a script's YAML text, the script
and purpose of each campaign, and the runs of scripts with their answers.

Repository functions over a `Session`; they flush but never commit. Texts are parsed by
`callcenter.core.scripts.parse_script` (a `ScriptError` names the line of each mistake);
`script_of` gives the parsed `Script` of a stored version (parsed once per text).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.core.scripts import PURPOSES, Script, parse_script
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    CampaignRow,
    CampaignScriptRow,
    ScriptAnswerRow,
    ScriptRow,
    ScriptRunRow,
    utcnow,
)

OPEN, ENDED = "open", "ended"
"""A run's status: answers may change while it is open."""


@lru_cache(maxsize=128)
def _parsed(text: str) -> Script:
    return parse_script(text)


def script_of(row: ScriptRow) -> Script:
    """The stored version's script (its text was valid when stored)."""
    return _parsed(row.text)


def save_script(session: Session, text: str, created_by: str | None,
                at: datetime | None = None) -> ScriptRow:
    """Store `text` as the next version of the script it names (version 1 for a new
    name); `ScriptError` when it is not valid."""
    script = parse_script(text)
    newest = session.scalar(select(func.max(ScriptRow.version))
                            .where(ScriptRow.name == script.id))
    row = ScriptRow(name=script.id, version=(newest or 0) + 1, title=script.title,
                    purpose=script.purpose, text=text, created_by=created_by,
                    created_at=at or utcnow(), retired=False)
    session.add(row)
    session.flush()
    return row


def script_row(session: Session, name: str, version: int | None = None) -> ScriptRow:
    """A version of a script (None: the newest); `NotFound` when there is none."""
    query = select(ScriptRow).where(ScriptRow.name == name)
    if version is not None:
        query = query.where(ScriptRow.version == version)
    row = session.scalar(query.order_by(ScriptRow.version.desc()).limit(1))
    if row is None:
        raise NotFound(f"no script {name!r}" + (f" version {version}" if version else ""))
    return row


def newest_scripts(session: Session, purpose: str | None = None,
                   include_retired: bool = True) -> list[ScriptRow]:
    """The newest version of each script, by name (only of `purpose` when given)."""
    newest = (select(ScriptRow.name, func.max(ScriptRow.version).label("version"))
              .group_by(ScriptRow.name).subquery())
    query = select(ScriptRow).join(newest, (ScriptRow.name == newest.c.name)
                                   & (ScriptRow.version == newest.c.version))
    if purpose is not None:
        query = query.where(ScriptRow.purpose == purpose)
    if not include_retired:
        query = query.where(ScriptRow.retired.is_(False))
    return list(session.scalars(query.order_by(ScriptRow.name)))


def script_versions(session: Session, name: str) -> list[ScriptRow]:
    """Every version of a script, newest first; `NotFound` when there is none."""
    rows = list(session.scalars(select(ScriptRow).where(ScriptRow.name == name)
                                .order_by(ScriptRow.version.desc())))
    if not rows:
        raise NotFound(f"no script {name!r}")
    return rows


def retire_script(session: Session, name: str, retired: bool) -> ScriptRow:
    """Retire a script (offered to no new run) or bring it back; its newest version."""
    rows = script_versions(session, name)
    for row in rows:
        row.retired = retired
    session.flush()
    return rows[0]


def default_script(session: Session, purpose: str) -> ScriptRow | None:
    """A purpose's default script: the newest script of that purpose not retired."""
    return session.scalar(select(ScriptRow).where(ScriptRow.purpose == purpose,
                                                  ScriptRow.retired.is_(False))
                          .order_by(ScriptRow.created_at.desc(), ScriptRow.id.desc())
                          .limit(1))


def campaign_script(session: Session, campaign: str) -> CampaignScriptRow | None:
    """The campaign's purpose and script, None when none was set."""
    return session.get(CampaignScriptRow, campaign)


def set_campaign_script(session: Session, campaign: str, purpose: str,
                        script: str | None) -> CampaignScriptRow:
    """Set the campaign's purpose and script (None: its purpose's default). `NotFound`
    for an unknown campaign or script; `Conflict` when the script has another purpose."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: one of {', '.join(PURPOSES)}, got {purpose!r}")
    if session.get(CampaignRow, campaign) is None:
        raise NotFound(f"no campaign {campaign!r}")
    if script is not None:
        row = script_row(session, script)
        if row.purpose != purpose:
            raise Conflict(f"script {script!r} is for {row.purpose}, not {purpose}")
    link = session.get(CampaignScriptRow, campaign)
    if link is None:
        link = CampaignScriptRow(campaign=campaign)
        session.add(link)
    link.purpose, link.script = purpose, script
    session.flush()
    return link


def script_for_campaign(session: Session, campaign: str) -> ScriptRow | None:
    """The script a campaign's calls run: the one it names, else its purpose's default;
    None when it has neither (or no purpose)."""
    link = campaign_script(session, campaign)
    if link is None:
        return None
    if link.script is not None:
        return script_row(session, link.script)
    return default_script(session, link.purpose)


def start_run(session: Session, script: ScriptRow, *, interaction_id: str | None,
              agent_id: str | None, campaign: str | None = None, lead_id: str | None = None,
              customer_id: int | None = None, fields: Mapping[str, Any] | None = None,
              at: datetime | None = None) -> ScriptRunRow:
    """Start a run of the script version for a call."""
    row = ScriptRunRow(script=script.name, script_version=script.version,
                       interaction_id=interaction_id, campaign=campaign, lead_id=lead_id,
                       customer_id=customer_id, agent_id=agent_id,
                       started_at=at or utcnow(), status=OPEN, fields=dict(fields or {}))
    session.add(row)
    session.flush()
    return row


def open_run(session: Session, interaction_id: str, agent_id: str | None,
             script: str | None = None) -> ScriptRunRow | None:
    """The newest open run of the interaction by this agent (of `script` when given)."""
    query = select(ScriptRunRow).where(
        ScriptRunRow.interaction_id == interaction_id, ScriptRunRow.agent_id == agent_id,
        ScriptRunRow.status == OPEN)
    if script is not None:
        query = query.where(ScriptRunRow.script == script)
    return session.scalar(query.order_by(ScriptRunRow.id.desc()).limit(1))


def run_row(session: Session, run_id: int) -> ScriptRunRow:
    """A run; `NotFound` when there is none."""
    row = session.get(ScriptRunRow, run_id)
    if row is None:
        raise NotFound(f"no script run {run_id}")
    return row


def answers_of(session: Session, run_id: int) -> dict[str, Any]:
    """The run's answers, step id -> value."""
    return {a.question_id: a.value for a in session.scalars(
        select(ScriptAnswerRow).where(ScriptAnswerRow.run_id == run_id))}


def save_answer(session: Session, run: ScriptRunRow, step_id: str, value: Any,
                at: datetime | None = None) -> None:
    """Store (or replace) the answer to one step of an open run; `Conflict` once ended."""
    if run.status != OPEN:
        raise Conflict(f"script run {run.id} has ended")
    row = session.get(ScriptAnswerRow, (run.id, step_id))
    if row is None:
        row = ScriptAnswerRow(run_id=run.id, question_id=step_id)
        session.add(row)
    row.value, row.answered_at = value, at or utcnow()
    session.flush()


def end_run(session: Session, run: ScriptRunRow, outcome: str,
            detail: Mapping[str, Any] | None = None, at: datetime | None = None) -> None:
    """End an open run with its outcome; `Conflict` when it has ended already."""
    if run.status != OPEN:
        raise Conflict(f"script run {run.id} has ended")
    run.status, run.outcome, run.ended_at = ENDED, outcome, at or utcnow()
    run.detail = dict(detail) if detail else None
    session.flush()


def completed_answers(session: Session, script: str, outcome: str = "complete"
                      ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(answers, merge fields) of each ended run of `script` with `outcome` (what quota
    cells count)."""
    runs = list(session.scalars(select(ScriptRunRow).where(
        ScriptRunRow.script == script, ScriptRunRow.status == ENDED,
        ScriptRunRow.outcome == outcome)))
    answers: dict[int, dict[str, Any]] = {r.id: {} for r in runs}
    if runs:
        for a in session.scalars(select(ScriptAnswerRow).where(
                ScriptAnswerRow.run_id.in_(list(answers)))):
            answers[a.run_id][a.question_id] = a.value
    return [(answers[r.id], dict(r.fields)) for r in runs]
