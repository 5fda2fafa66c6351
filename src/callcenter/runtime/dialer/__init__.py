"""The live dialer in the server: `DialerService` runs every running campaign
(`service.py`); `CampaignRun` is one campaign's live state (`run.py`);
`build_dialer` wires one onto an engine and driver (`build.py`, used by
`runtime.app.build_runtime`)."""

from callcenter.runtime.dialer.build import build_dialer
from callcenter.runtime.dialer.run import PACERS, Attempt, CampaignRun
from callcenter.runtime.dialer.service import (
    DialerService,
    DialerSettings,
    DialerStore,
    Opened,
    Writes,
)

__all__ = ["PACERS", "Attempt", "CampaignRun", "DialerService", "DialerSettings", "DialerStore",
           "Opened", "Writes", "build_dialer"]
