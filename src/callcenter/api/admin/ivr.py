"""IVR flows and telephony numbers for the administration (`/api/admin/ivr`,
`/api/admin/telephony`), read-only but for a check of a flow file's text.

Flows live in YAML files (docs/reference/ivr.md): the `flows` file of the sip
telephony config, or of the scenario's `[ivr]` table under the `sim` adapter. The
server reads them at its start; `GET /ivr` shows the file's text and the flows the IVR
runs, `POST /ivr/validate` checks a text as a start would (and that every queue it
sends calls to is one the engine runs), naming the line of the first mistake. Storing
a changed file and applying it to the running IVR is not offered: edit the file and
restart the server.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, Field

from callcenter.api.admin.common import Admin
from callcenter.api.deps import ServerDep
from callcenter.api.state import Server
from callcenter.flows import FlowFileError, parse_flows

router = APIRouter()  # included by callcenter.api.admin under /api/admin

_DEFAULT_SCENARIO = "hotline"  # api.app's default under the sim adapter


class IvrView(BaseModel):
    """The IVR flows the server runs and the file they come from."""

    source: str = Field(description="`sip` (the telephony config's flows), `scenario` (the "
                        "scenario's [ivr] flows) or `none`")
    file: str | None = Field(description="The flow file's name (no folder)")
    text: str | None = Field(description="The flow file's text, as the server reads it now")
    flows: list[str] = Field(description="The ids of the flows the running IVR has")
    editable: bool = Field(description="Whether a changed text can be applied here (not "
                           "yet: edit the file and restart)")


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


@router.get("/ivr", response_model=IvrView)
async def read_ivr(server: ServerDep, _user: Admin) -> IvrView:
    """The running IVR's flows and the text of their file."""
    source, file = _flow_file(server)
    center = server.runtime.center
    flows = sorted(center.ivr.flows) if center is not None else []
    text = file.read_text(encoding="utf-8") if file is not None and file.exists() else None
    return IvrView(source=source, file=file.name if file is not None else None, text=text,
                   flows=flows, editable=False)


@router.post("/ivr/validate", response_model=FlowCheck)
async def validate_ivr(body: FlowText, server: ServerDep, _user: Admin) -> FlowCheck:
    """Check a flow file's text as the server's start would, and that each queue it sends
    calls to runs in the engine: its flows, or the first mistake naming its line and key
    (`flows.yaml:12: flows.main.nodes.menu.choices: no node 'billing'`)."""
    _, file = _flow_file(server)
    name = Path(file.name if file is not None else "flows.yaml")
    try:
        flows = parse_flows(body.text, name, queues=set(server.runtime.engine.queue_ids()))
    except FlowFileError as exc:
        return FlowCheck(valid=False, flows=[], line=exc.line, message=str(exc))
    return FlowCheck(valid=True, flows=sorted(flows), line=None, message=None)


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
