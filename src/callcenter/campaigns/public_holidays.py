"""The `holidays` package behind the core's `HolidayCalendar` protocol.

Holiday data is pure computation inside the package (no files, no network); it
lives out here only so the core imports nothing but the standard library. One
holiday table per (country, subdivision) is built on first use and grows by
year as dates are asked for.
"""

from __future__ import annotations

from datetime import date

import holidays

from callcenter.core.config import ConfigError


class PublicHolidays:
    """Public holidays per country and subdivision, from the `holidays` package."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str | None], holidays.HolidayBase] = {}

    def check(self, country: str, subdivision: str | None = None) -> None:
        """Raise `ConfigError` naming the field unless the country (and subdivision) exist."""
        self._table(country, subdivision)

    def _table(self, country: str, subdivision: str | None) -> holidays.HolidayBase:
        key = (country, subdivision)
        table = self._tables.get(key)
        if table is None:
            try:
                table = holidays.country_holidays(country, subdiv=subdivision)
            except NotImplementedError as exc:
                field = "holiday_subdivision" if subdivision else "holiday_country"
                raise ConfigError(f"{field}: {exc}") from exc
            self._tables[key] = table
        return table

    def is_holiday(self, day: date, country: str, subdivision: str | None) -> bool:
        """True when `day` is a public holiday in `country` (and `subdivision`).

        A country the package does not know has no holidays (a lead's number can
        come from anywhere); use `check` to validate a campaign's own country.
        """
        try:
            return day in self._table(country, subdivision)
        except ConfigError:
            if subdivision is not None:
                return self.is_holiday(day, country, None)
            self._tables[(country, subdivision)] = holidays.HolidayBase()
            return False

    def name(self, day: date, country: str, subdivision: str | None = None) -> str | None:
        """The holiday's name, or None (for messages and reports)."""
        got = self._table(country, subdivision).get(day)
        return None if got is None else str(got)
