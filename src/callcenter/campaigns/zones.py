"""The callee's time zone: from the number, from the address, or the campaign's.

From the number: phonenumbers' time zone geocoder. When it names several zones
that keep the same clock all year (e.g. London, Jersey, Guernsey) any of them
will do; when they differ (a US mobile number) the number alone does not say.

From the address: a country whose calling code has one clock (DE, FR, ...), or
for the US a coarse table by the first three ZIP digits (state by state; the few
counties on the other side of a zone line take their state's main zone).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA

_PROBES = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))
_UNKNOWN = "Etc/Unknown"

# (first ZIP3, last ZIP3, zone), checked in order; the first match wins.
_US_ZIP3: tuple[tuple[int, int, str], ...] = (
    (6, 9, "America/Puerto_Rico"),
    (324, 325, "America/Chicago"),  # Florida panhandle
    (376, 379, "America/New_York"),  # east Tennessee
    (420, 424, "America/Chicago"),  # west Kentucky
    (0, 349, "America/New_York"),
    (350, 397, "America/Chicago"),  # AL, TN, MS
    (398, 459, "America/New_York"),  # GA, KY, OH
    (460, 479, "America/Indiana/Indianapolis"),
    (480, 499, "America/Detroit"),
    (500, 589, "America/Chicago"),  # IA, WI, MN, SD, ND
    (590, 599, "America/Denver"),  # MT
    (600, 797, "America/Chicago"),  # IL, MO, KS, NE, LA, AR, OK, TX
    (798, 799, "America/Denver"),  # El Paso
    (800, 831, "America/Denver"),  # CO, WY
    (832, 838, "America/Boise"),  # ID
    (840, 847, "America/Denver"),  # UT
    (850, 865, "America/Phoenix"),  # AZ
    (870, 884, "America/Denver"),  # NM
    (889, 961, "America/Los_Angeles"),  # NV, CA
    (967, 968, "Pacific/Honolulu"),
    (969, 969, "Pacific/Guam"),
    (970, 994, "America/Los_Angeles"),  # OR, WA
    (995, 999, "America/Anchorage"),
)


def _one_clock(zones: tuple[str, ...] | list[str]) -> str | None:
    """The zone when all of `zones` keep the same clock all year; else None."""
    real = sorted(z for z in zones if z != _UNKNOWN)
    if not real:
        return None
    offsets = {tuple(p.astimezone(ZoneInfo(z)).utcoffset() for p in _PROBES) for z in real}
    return real[0] if len(offsets) == 1 else None


def zone_of_number(number: phonenumbers.PhoneNumber) -> str | None:
    """The number's zone when phonenumbers' geocoder pins it to one clock; else None."""
    return _one_clock(pn_timezone.time_zones_for_number(number))


def zone_of_address(country: str, postcode: str = "") -> str | None:
    """The zone of an address's country (ISO alpha-2), with the ZIP code for the US."""
    country = country.strip().upper()
    digits = postcode.strip()[:3]
    if country == "US" and len(digits) == 3 and digits.isdigit():
        zip3 = int(digits)
        for lo, hi, zone in _US_ZIP3:
            if lo <= zip3 <= hi:
                return zone
    code = phonenumbers.country_code_for_region(country)
    if not code:
        return None
    return _one_clock(TIMEZONE_DATA.get(str(code), ()))
