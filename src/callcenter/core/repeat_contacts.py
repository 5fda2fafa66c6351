"""First-contact resolution (FCR) and repeat contacts, from flat contact rows.

The definition (docs/reference/metrics.md, "First-contact resolution"):

- A *contact* is an interaction linked to at least one case, with a known customer
  (the interaction's, else its case's).
- A contact is *repeated* when the same customer has another contact that starts
  after it and at most `window` seconds (7 days by default) after it starts, about
  the same case or a case of the same category.
- FCR = contacts not repeated / contacts, in percent. A repeat contact is itself a
  contact, repeated or not by the ones after it.

Contacts whose window runs past the end of the data are judged on what is there;
a report over [since, until) passes contacts up to `until + window` to judge those
of the period, and counts only the period's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

WEEK = 7 * 24 * 3600.0
"""The default window: 7 days."""


@dataclass(frozen=True, slots=True)
class Contact:
    interaction_id: str
    customer_id: int
    at: float
    cases: frozenset[int]
    categories: frozenset[str]
    queue_id: str | None = None
    agent_id: str | None = None


def repeated(contacts: Sequence[Contact], window: float = WEEK) -> frozenset[str]:
    """The interaction ids of the contacts that are repeated within `window` seconds."""
    by_customer: dict[int, list[Contact]] = defaultdict(list)
    for c in contacts:
        by_customer[c.customer_id].append(c)
    found: set[str] = set()
    for mine in by_customer.values():
        mine.sort(key=lambda c: (c.at, c.interaction_id))
        for i, first in enumerate(mine):
            for later in mine[i + 1:]:
                if later.at - first.at > window:
                    break
                if later.at > first.at and (first.cases & later.cases
                                             or first.categories & later.categories):
                    found.add(first.interaction_id)
                    break
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class FcrRow:
    key: str
    contacts: int
    repeated: int

    @property
    def fcr(self) -> float | None:
        """Percent of contacts not repeated (None without contacts)."""
        if self.contacts == 0:
            return None
        return 100.0 * (self.contacts - self.repeated) / self.contacts


def fcr_rows(contacts: Iterable[Contact], repeats: frozenset[str],
             keys: Callable[[Contact], Iterable[str | None]]) -> list[FcrRow]:
    """Contacts and repeats by each key of `keys(contact)` (None: not counted), by key."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in contacts:
        for key in set(keys(c)):
            if key is None:
                continue
            counts[key][0] += 1
            counts[key][1] += c.interaction_id in repeats
    return [FcrRow(k, n, r) for k, (n, r) in sorted(counts.items())]
