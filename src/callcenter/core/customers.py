"""A customer of the directory: its values, checked, and its numbers in E.164.

    c = make_customer("Ada Lovelace", ["030 1234567"], region="DE", segment="vip")
    c.numbers                      # ('+49301234567',)
    lookup_fields(7, c)            # what the IVR's `Lookup` stores as `customer.<field>`

Every phone number is normalized with `phonenumbers` against a default region (two
letters, `DE`): a number written without a country code is read as that region's.
A value that cannot be a customer's raises `InvalidCustomer`, naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import phonenumbers

from callcenter.core.config import ConfigError

MAX_NUMBERS = 20
"""Phone numbers one customer may have."""

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_REGION = re.compile(r"^[A-Z]{2}$")
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_TOKEN = re.compile(r"^\S(.*\S)?$")


class InvalidCustomer(ConfigError):
    """A customer's value is invalid; `field` names it (`numbers[1]`, `fields.tier`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def check_region(region: str) -> str:
    """`region` if it is a two-letter country code phonenumbers knows; else `ValueError`."""
    if not _REGION.match(region) or region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"region: a two-letter country code like 'DE', got {region!r}")
    return region


def normalize_number(raw: str, region: str) -> str:
    """`raw` as an E.164 number (`+4930...`), a number without a country code read as
    `region`'s; `ValueError` naming the number if it is none or not a valid one."""
    text = raw.strip()
    if not text:
        raise ValueError("an empty phone number")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        why = re.sub(r"^\(\d+\) ", "", str(exc)).rstrip(".")
        raise ValueError(f"not a phone number: {raw!r} ({why})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {raw!r} (default region {region})")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_number(raw: str, region: str) -> str | None:
    """The E.164 form of a number to look up (a caller's, or digits a caller entered),
    or None when it is no valid number (an anonymous caller, a SIP user name)."""
    try:
        return normalize_number(raw, region)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer: `numbers` in E.164 (unique across the directory), an optional
    `account` number (unique too), a `segment` (`vip`, `gold`; free text), a preferred
    `language`, a `priority` boost for its calls, `notes` and custom `fields`."""

    name: str
    numbers: tuple[str, ...] = ()
    account: str | None = None
    segment: str = ""
    language: str | None = None
    priority: int = 0
    notes: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidCustomer("name", f"1-200 characters, got {self.name!r}")
        if len(self.numbers) > MAX_NUMBERS:
            raise InvalidCustomer("numbers", f"at most {MAX_NUMBERS} numbers")
        seen: set[str] = set()
        for i, number in enumerate(self.numbers):
            if not _E164.match(number):
                raise InvalidCustomer(f"numbers[{i}]", f"not an E.164 number: {number!r}")
            if number in seen:
                raise InvalidCustomer(f"numbers[{i}]", f"{number} is listed twice")
            seen.add(number)
        if self.account is not None and (len(self.account) > 100
                                         or not _TOKEN.match(self.account)):
            raise InvalidCustomer("account", "1-100 characters without leading or trailing "
                                             f"spaces, got {self.account!r}")
        if len(self.segment) > 50 or (self.segment and not _KEY.match(self.segment)):
            raise InvalidCustomer("segment", "up to 50 letters, digits, '_', '-', got "
                                             f"{self.segment!r}")
        if self.language is not None and (len(self.language) > 20
                                          or not _LANGUAGE.match(self.language)):
            raise InvalidCustomer("language", f"a language tag like 'de' or 'en-GB', got "
                                              f"{self.language!r}")
        if not -1000 <= self.priority <= 1000:
            raise InvalidCustomer("priority", f"a whole number -1000..1000, got {self.priority}")
        if len(self.notes) > 10_000:
            raise InvalidCustomer("notes", "at most 10000 characters")
        if len(self.fields) > 100:
            raise InvalidCustomer("fields", "at most 100 custom fields")
        for key, value in self.fields.items():
            if not _KEY.match(key):
                raise InvalidCustomer(f"fields.{key}", "a field name is 1-64 letters, digits, "
                                                       "'_', '-'")
            if not isinstance(value, str) or len(value) > 1000:
                raise InvalidCustomer(f"fields.{key}", "a text of at most 1000 characters")


def make_customer(name: str, numbers: Iterable[str], *, region: str, account: str | None = None,
                  segment: str = "", language: str | None = None, priority: int = 0,
                  notes: str = "", fields: Mapping[str, str] | None = None) -> Customer:
    """A `Customer` with `numbers` as written (`030 1234567`, `+49 30 ...`) normalized
    to E.164 against `region`; `InvalidCustomer` names the first bad value."""
    normalized = []
    for i, raw in enumerate(numbers):
        try:
            normalized.append(normalize_number(raw, region))
        except ValueError as exc:
            raise InvalidCustomer(f"numbers[{i}]", str(exc)) from None
    account = account.strip() if account is not None else None
    return Customer(name.strip(), tuple(normalized), account or None, segment.strip(),
                    language.strip() if language and language.strip() else None, priority,
                    notes, dict(fields or {}))


def lookup_fields(customer_id: int, c: Customer) -> tuple[tuple[str, str], ...]:
    """What a found customer gives the IVR (`LookupAnswered.fields`), which its `Lookup`
    keeps as `customer.<name>` variables: `customer_id`, `name`, `account`, `segment`,
    `language`, `priority` and each custom field as `custom.<key>`. Empty values are
    given as empty texts, so a flow can branch on them."""
    out = [("customer_id", str(customer_id)), ("name", c.name), ("account", c.account or ""),
           ("segment", c.segment), ("language", c.language or ""),
           ("priority", str(c.priority))]
    out.extend((f"custom.{k}", v) for k, v in sorted(c.fields.items()))
    return tuple(out)
