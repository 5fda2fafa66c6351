"""Do-not-call lists: the global internal list, per-campaign lists, imported national lists.

A number on any list that applies is never dialed: `LeadQueue` asks `is_blocked`
when it is about to hand out a lead, so a number added mid-campaign stops a
lead that is already queued. National lists (a country's registry, imported from
a file) apply to every campaign. Numbers are E.164 strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import E164


def _checked(number: str) -> str:
    if not E164.match(number):
        raise ConfigError(f"number: not an E.164 number: {number!r}")
    return number


class DncRegistry:
    """Every do-not-call list the dialer honours, kept in memory for O(1) checks."""

    def __init__(self) -> None:
        self._global: set[str] = set()
        self._campaign: dict[str, set[str]] = {}
        self._national: dict[str, frozenset[str]] = {}

    def add(self, number: str, campaign: str | None = None) -> None:
        """Block `number` everywhere (campaign None) or in one campaign."""
        _checked(number)
        if campaign is None:
            self._global.add(number)
        else:
            self._campaign.setdefault(campaign, set()).add(number)

    def remove(self, number: str, campaign: str | None = None) -> None:
        """Lift an internal block (national lists change only by a new import)."""
        if campaign is None:
            self._global.discard(number)
        else:
            self._campaign.get(campaign, set()).discard(number)

    def import_national(self, name: str, numbers: Iterable[str]) -> int:
        """Replace national list `name` with `numbers` (E.164); returns its size."""
        if not name:
            raise ConfigError("name: a national list needs a name")
        entries = frozenset(_checked(n) for n in numbers)
        self._national[name] = entries
        return len(entries)

    def block_reason(self, number: str, campaign: str) -> str | None:
        """Which list blocks `number` for `campaign`: 'global', 'campaign', 'national:NAME'."""
        if number in self._global:
            return "global"
        if number in self._campaign.get(campaign, ()):
            return "campaign"
        for name, entries in self._national.items():
            if number in entries:
                return f"national:{name}"
        return None

    def is_blocked(self, number: str, campaign: str) -> bool:
        """True when `number` must not be dialed for `campaign`."""
        return self.block_reason(number, campaign) is not None

    def sizes(self) -> dict[str, int]:
        """How many numbers each list holds (for reports)."""
        out = {"global": len(self._global)}
        out.update({f"campaign:{c}": len(s) for c, s in self._campaign.items()})
        out.update({f"national:{n}": len(s) for n, s in self._national.items()})
        return out
