"""IVR flows and telephony numbers for the administration (`/api/admin/ivr`,
`/api/admin/telephony`), read-only but for a check of a flow file's text.

Flows live in YAML files (docs/reference/ivr.md): the `flows` file of the sip
telephony config, or of the scenario's `[ivr]` table under the `sim` adapter. The
server reads them at its start; `GET /ivr` shows the file's text and the flows the IVR
runs, `POST /ivr/validate` checks a text as a start would (and that every queue it
sends calls to is one the engine runs, and every dialled number's flow is in it),
naming the line of the first mistake. Under sip telephony, `PUT /ivr` stores a valid
text in the flow file (with an audit row) and gives the running IVR its flows
(`FlowsReplaced`): new calls start in them, calls already in a flow go on in theirs.
The scenario's flow file (under the `sim` adapter) ships with the package and is not
written.
"""

from __future__ import annotations

import asyncio
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.api.state import Server
from callcenter.core.ivr import FlowsReplaced
from callcenter.core.ivr_flow import Flow
from callcenter.flows import FlowFileError, parse_flows
from callcenter.store.errors import Conflict

router = APIRouter()  # included by callcenter.api.admin under /api/admin

_DEFAULT_SCENARIO = "hotline"  # api.app's default under the sim adapter


class IvrView(BaseModel):
    """The IVR flows the server runs and the file they come from."""

    source: str = Field(description="`sip` (the telephony config's flows), `scenario` (the "
                        "scenario's [ivr] flows) or `none`")
    file: str | None = Field(description="The flow file's name (no folder)")
    text: str | None = Field(description="The flow file's text, as the server reads it now")
    flows: list[str] = Field(description="The ids of the flows the running IVR has")
    editable: bool = Field(description="Whether `PUT /api/admin/ivr` stores a text and "
                           "applies it (under sip telephony only)")


class FlowText(BaseModel):
    """A flow file's text to check."""

    text: str = Field(max_length=1_000_000)


class FlowCheck(BaseModel):
    """What the check of a flow file found: its flows, or the first mistake and its line."""

    valid: bool
    flows: list[str]
    line: int | None
    message: str | None


class DialledNumber(BaseModel):
    """A dialled number and the IVR flow its calls start in."""

    number: str
    flow: str


class TelephonyView(BaseModel):
    """The telephony numbers and trunks of the sip config (none under the `sim` adapter)."""

    mode: str = Field(description="`sip` or `simulated`")
    numbers: list[DialledNumber]
    trunks: list[str] = Field(description="Addresses or networks that may send calls")
    dial: str | None = Field(description="Where outbound calls go (a password in it hidden)")


def _sip_config(server: Server) -> tuple[Path, dict[str, Any]] | None:
    settings = server.settings
    if settings.sip is None or settings.telephony_config is None:
        return None
    path = Path(settings.telephony_config)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return path, raw if isinstance(raw, dict) else {}


def _flow_file(server: Server) -> tuple[str, Path | None]:
    """Where the running flows come from: (source, file)."""
    sip = _sip_config(server)
    if sip is not None:
        path, raw = sip
        name = raw.get("flows")
        return "sip", path.parent / str(name) if isinstance(name, str) and name else None
    if server.runtime.center is None:
        return "none", None
    from callcenter.scenario.load import scenario_path  # only the scenario's file name
    scenario = scenario_path(server.settings.scenario or _DEFAULT_SCENARIO)
    with scenario.open("rb") as f:
        ivr = tomllib.load(f).get("ivr", {})
    name = ivr.get("flows") if isinstance(ivr, dict) else None
    return "scenario", scenario.parent / name if isinstance(name, str) and name else None


def _text(file: Path | None) -> str | None:
    return file.read_text(encoding="utf-8") if file is not None and file.exists() else None


@router.get("/ivr", response_model=IvrView)
async def read_ivr(server: ServerDep, _user: Admin) -> IvrView:
    """The running IVR's flows and the text of their file."""
    source, file = _flow_file(server)
    center = server.runtime.center
    flows = sorted(center.ivr.flows) if center is not None else []
    text = await asyncio.to_thread(_text, file)
    return IvrView(source=source, file=file.name if file is not None else None, text=text,
                   flows=flows,
                   editable=source == "sip" and file is not None and center is not None)


@router.post("/ivr/validate", response_model=FlowCheck)
async def validate_ivr(body: FlowText, server: ServerDep, _user: Admin) -> FlowCheck:
    """Check a flow file's text as the server's start would, and that each queue it sends
    calls to runs in the engine: its flows, or the first mistake naming its line and key
    (`flows.yaml:12: flows.main.nodes.menu.choices: no node 'billing'`)."""
    try:
        flows = _checked(server, body.text)
    except FlowFileError as exc:
        return FlowCheck(valid=False, flows=[], line=exc.line, message=str(exc))
    return FlowCheck(valid=True, flows=sorted(flows), line=None, message=None)


def _checked(server: Server, text: str) -> dict[str, Flow]:
    """The flows of `text` (`FlowFileError` naming the line of the first mistake): its
    queues must run in the engine, the sip config's numbers' flows must be in it."""
    _, file = _flow_file(server)
    name = file.name if file is not None else "flows.yaml"
    flows = parse_flows(text, Path(name), queues=set(server.runtime.engine.queue_ids()))
    sip = _sip_config(server)
    dids = sip[1].get("dids") if sip is not None else None
    for number, flow in sorted(dids.items()) if isinstance(dids, dict) else ():
        if str(flow) not in flows:
            raise FlowFileError(f"{name}: no flow {str(flow)!r}, which the number {number} "
                                f"starts in (flows: {', '.join(sorted(flows))})")
    return flows


def _write(file: Path, text: str) -> None:
    """Replace `file` by `text` at once (a reader sees the old file or the new one)."""
    spare = file.with_name(f".{file.name}.new")
    spare.write_text(text, encoding="utf-8")
    os.replace(spare, file)


@router.put("/ivr", response_model=IvrView)
async def store_ivr(body: FlowText, server: ServerDep, user: Admin) -> IvrView:
    """Under sip telephony: store a valid flow text in the telephony config's flow file
    and give the running IVR its flows (new calls start in them; calls in a flow go on
    in theirs). 422 naming `text` (the line and key) if the check refuses it, 409 under
    the `sim` adapter (its flow file is the scenario's)."""
    source, file = _flow_file(server)
    if source != "sip" or file is None or server.runtime.center is None:
        raise Conflict("the IVR flows are stored from here only under sip telephony "
                       "(the flow file of the telephony config)")
    try:
        flows = _checked(server, body.text)
    except FlowFileError as exc:
        raise InvalidField("text", str(exc)) from None

    def work(session: Session) -> None:
        before = file.read_text(encoding="utf-8") if file.exists() else None
        record(session, user, "update", "ivr_flows", file.name, {"text": before},
               {"text": body.text})
        _write(file, body.text)
    await in_transaction(server, work)
    await server.runtime.driver.submit(FlowsReplaced(tuple(flows.values())))
    return await read_ivr(server, user)


_PASSWORD = re.compile(r"^(sips?:[^:@;]+):[^@]*@")


@router.get("/telephony", response_model=TelephonyView)
async def read_telephony(server: ServerDep, _user: Admin) -> TelephonyView:
    """The dialled numbers (with their flows) and trunks of the sip telephony config."""
    sip = _sip_config(server)
    if sip is None:
        return TelephonyView(mode="simulated", numbers=[], trunks=[], dial=None)
    _, raw = sip
    dids = raw.get("dids") or {}
    trunks = raw.get("trunks") or []
    dial = raw.get("dial")
    return TelephonyView(
        mode="sip",
        numbers=[DialledNumber(number=str(k), flow=str(v)) for k, v in sorted(dids.items())]
        if isinstance(dids, dict) else [],
        trunks=[str(t) for t in trunks] if isinstance(trunks, list) else [str(trunks)],
        dial=_PASSWORD.sub(r"\1:***@", dial) if isinstance(dial, str) else None)
