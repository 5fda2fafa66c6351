"""Wiring the live dialer onto a built `Runtime` (the server's lifespan calls this).

    dialer = build_dialer(runtime, SqlDialerStore(sessions))
    await runtime.start(); await dialer.start()
    ...
    await dialer.stop(); await runtime.stop()
"""

from __future__ import annotations

from callcenter.core.dialer.windows import HolidayCalendar
from callcenter.runtime.app import Runtime
from callcenter.runtime.dialer.service import DialerService, DialerSettings, DialerStore
from callcenter.telephony.base import Outbound, OutboundUnsupported, outbound_of


def build_dialer(runtime: Runtime, store: DialerStore, *, outbound: Outbound | None = None,
                 settings: DialerSettings | None = None,
                 holidays: HolidayCalendar | None = None) -> DialerService:
    """The live dialer of `runtime`: its engine and driver, calls placed through
    `outbound` (default: the runtime's telephony adapter, when it places outbound calls;
    otherwise campaigns cannot start and say why), calling windows that skip `holidays`
    (default: the public holidays of the `holidays` package)."""
    side: Outbound | OutboundUnsupported
    try:
        side = outbound if outbound is not None else outbound_of(runtime.telephony)
    except OutboundUnsupported as exc:
        side = exc
    if holidays is None:
        from callcenter.outbound.public_holidays import PublicHolidays  # loads the tables

        holidays = PublicHolidays()
    return DialerService(runtime.engine, runtime.driver, runtime.clock, store, side, holidays,
                         settings)
