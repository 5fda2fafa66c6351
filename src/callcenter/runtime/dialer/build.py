"""Wiring the live dialer onto a runtime's engine, driver and clock (`build_runtime`
calls this when it is given a dialer store)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from callcenter.clock import Clock
from callcenter.core.dialer.windows import HolidayCalendar
from callcenter.core.engine import Engine
from callcenter.runtime.dialer.service import DialerService, DialerSettings, DialerStore
from callcenter.runtime.driver import EngineDriver
from callcenter.telephony.base import Dialing, DialingUnsupported, dialing_of


def build_dialer(engine: Engine, driver: EngineDriver[Any], clock: Clock, telephony: object,
                 store: DialerStore, *, dialing: Dialing | None = None,
                 settings: DialerSettings | None = None,
                 holidays: HolidayCalendar | None = None,
                 flows: Collection[str] | None = None) -> DialerService:
    """The live dialer over `engine` and `driver`: calls placed through `dialing`
    (default: the `telephony` adapter, when it places outbound calls; otherwise
    campaigns cannot start and say why), calling windows that skip `holidays`
    (default: the public holidays of the `holidays` package); agentless campaigns may
    use the IVR `flows` the runtime runs (None: not checked)."""
    side: Dialing | DialingUnsupported
    try:
        side = dialing if dialing is not None else dialing_of(telephony)
    except DialingUnsupported as exc:
        side = exc
    if holidays is None:
        from callcenter.campaigns.public_holidays import PublicHolidays  # loads the tables

        holidays = PublicHolidays()
    service = DialerService(engine, driver, clock, store, side, holidays, settings)
    service.flows = None if flows is None else frozenset(flows)
    return service
