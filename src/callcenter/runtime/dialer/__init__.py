"""The live dialer in the server: `DialerService` runs every running campaign
(`service.py`) on the runtime's clock; its pure rules (`CampaignRun`, one
campaign's live state; `PreviewDesk`) are in `core.dialer.run` and
`core.dialer.preview`; `build_dialer` wires one onto an engine and driver
(`build.py`)."""

from callcenter.runtime.dialer.build import build_dialer
from callcenter.runtime.dialer.service import DialerService, DialerSettings, DialerStore

__all__ = ["DialerService", "DialerSettings", "DialerStore", "build_dialer"]
