"""The media section of docs/reference/telephony.md covers the config and the NG commands."""

from __future__ import annotations

import inspect
from pathlib import Path

from callcenter.telephony.sip.rtpengine import NgClient
from callcenter.telephony.sip.rtpengine_process import RtpEngineSettings, render_config

PAGE = Path(__file__).resolve().parents[3] / "docs" / "reference" / "telephony.md"


def test_every_config_key_is_documented() -> None:
    """Each key of the generated rtpengine config appears in the page's config block."""
    config = render_config(RtpEngineSettings(recording_dir=Path("recordings")), dtmf_port=1)
    keys = [line.split(" = ")[0] for line in config.splitlines()[1:]]
    assert [k for k in keys if f"\n{k} = " not in PAGE.read_text()] == []


def test_every_ng_command_is_documented() -> None:
    """Each NG command method of NgClient has a row in the page's command table."""
    methods = [name for name, fn in inspect.getmembers(NgClient, inspect.iscoroutinefunction)
               if not name.startswith("_") and name not in ("open", "request")]
    assert [m for m in methods if f"`{m}(" not in PAGE.read_text()] == []
