"""The phone numbers simulated callers call from, and the example customers behind some.

    number = caller_number(rng)          # '+4930...', '+49151...' (E.164)

The `sim` telephony gives every caller a number (`CallEntered.caller`,
`InteractionArrived.caller`), so a runtime's customer directory finds the caller by it
(the IVR's `lookup: caller`) and the agent's desktop shows the number with the offer.
With probability `KNOWN_SHARE` the number is one of `EXAMPLE_CUSTOMERS`' (the demo
stores them in its directory, so their calls pop up the customer); else it is a random
German landline or mobile number. `EXAMPLE_CUSTOMERS` is fixed: the same customers and
numbers in every run and on every machine. Their accounts are the customer numbers
the example IVR's callers key in (`4711001` to `4711007`).
"""

from __future__ import annotations

import numpy as np
import phonenumbers

from callcenter.core.customers import Customer

__all__ = ["EXAMPLE_CUSTOMERS", "KNOWN_SHARE", "caller_number", "random_number"]

KNOWN_SHARE = 0.3
"""The share of simulated callers who call from an example customer's number."""

_AREAS = ("30", "40", "89", "221", "69", "711", "211", "341", "151", "152", "160", "170",
          "171", "176")
"""Berlin, Hamburg, Munich, Cologne, Frankfurt, Stuttgart, Düsseldorf, Leipzig; mobile."""

_FIRST = ("Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Ismail",
          "Jonas", "Katarina", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sven",
          "Tanja", "Yusuf")
_LAST = ("Becker", "Schmidt", "Yilmaz", "Nowak", "Wagner", "Hoffmann", "Fischer", "Kowalski",
         "Weber", "Meyer", "Schulz", "Richter", "Kaya", "Lehmann", "Krüger", "Wolf")


def random_number(rng: np.random.Generator) -> str:
    """A valid German landline or mobile number in E.164, drawn from `rng`."""
    while True:
        area = _AREAS[int(rng.integers(len(_AREAS)))]
        digits = 7 if area.startswith("1") else 10 - len(area)
        subscriber = str(int(rng.integers(2, 10))) + "".join(
            str(d) for d in rng.integers(0, 10, digits - 1))
        number = f"+49{area}{subscriber}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _example_customers(count: int = 40) -> tuple[Customer, ...]:
    rng = np.random.default_rng(4711)
    out: list[Customer] = []
    taken: set[str] = set()
    for i in range(count):
        number = random_number(rng)
        while number in taken:
            number = random_number(rng)
        taken.add(number)
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}"
        segment = "vip" if i % 8 == 0 else "gold" if i % 3 == 0 else "standard"
        out.append(Customer(name, (number,), account=f"{4711001 + i}", segment=segment,
                            language="en" if i % 5 == 4 else "de"))
    return tuple(out)


EXAMPLE_CUSTOMERS: tuple[Customer, ...] = _example_customers()
"""Forty customers with one number and an account each (`4711001` up); every eighth
is `vip`, of the others every third `gold`."""


def caller_number(rng: np.random.Generator) -> str:
    """The number a simulated caller calls from: an example customer's with probability
    `KNOWN_SHARE`, else a random one."""
    if rng.random() < KNOWN_SHARE:
        return EXAMPLE_CUSTOMERS[int(rng.integers(len(EXAMPLE_CUSTOMERS)))].numbers[0]
    return random_number(rng)
