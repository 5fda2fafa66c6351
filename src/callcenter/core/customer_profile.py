"""What a customer's profile holds beyond the directory's `Customer`, checked: e-mail
addresses, postal addresses, and custom fields checked against an admin's definitions.

    normalize_email(" Ada@Example.ORG ")             # 'ada@example.org'
    Address("home", "1 Main St", "10115", "Berlin", country="DE").values()
    check_field(FieldDefinition("tier", "Tier", "choice", ("gold", "silver")), "gold")

A bad value raises `InvalidCustomer` naming the field (`emails[0]`, `address.country`,
`fields.tier`). Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from callcenter.core.customers import InvalidCustomer

MAX_EMAILS = 10
"""E-mail addresses one customer may have."""

FIELD_KINDS = ("text", "number", "date", "choice", "boolean")
"""The kinds of value a custom field holds."""

ADDRESS_KINDS = ("home", "billing", "delivery", "work", "other")
"""The kinds of postal address a customer has (one of each at most)."""

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NUMBER = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$")
_FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
_BOOLEAN = ("true", "false")


def normalize_email(raw: str) -> str:
    """`raw` stripped and in lower case; `ValueError` if it is no e-mail address."""
    text = raw.strip().lower()
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValueError(f"not an e-mail address: {raw!r}")
    return text


def normalize_emails(raws: Sequence[str]) -> tuple[str, ...]:
    """Every address of `raws` normalized, in order; `InvalidCustomer` names a bad or
    repeated one (`emails[1]`)."""
    if len(raws) > MAX_EMAILS:
        raise InvalidCustomer("emails", f"at most {MAX_EMAILS} e-mail addresses")
    out: list[str] = []
    for i, raw in enumerate(raws):
        try:
            email = normalize_email(raw)
        except ValueError as exc:
            raise InvalidCustomer(f"emails[{i}]", str(exc)) from None
        if email in out:
            raise InvalidCustomer(f"emails[{i}]", f"{email} is listed twice")
        out.append(email)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address of one `kind`; `country` a two-letter code (or empty)."""

    kind: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ADDRESS_KINDS:
            raise InvalidCustomer("kind", f"one of {', '.join(ADDRESS_KINDS)}, got "
                                          f"{self.kind!r}")
        for name, most in (("street", 200), ("postal_code", 20), ("city", 100),
                           ("region", 100)):
            value = getattr(self, name)
            if len(value) > most or value != value.strip():
                raise InvalidCustomer(f"address.{name}", f"at most {most} characters without "
                                                         "leading or trailing spaces")
        if self.country and not _COUNTRY.match(self.country):
            raise InvalidCustomer("address.country", "a two-letter country code like 'DE', "
                                                     f"got {self.country!r}")
        if not (self.street or self.postal_code or self.city):
            raise InvalidCustomer("address", "give at least a street, postal code or city")

    def values(self) -> dict[str, str]:
        """The address's values without its kind (as the history stores them)."""
        out = asdict(self)
        del out["kind"]
        return out


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """A custom field an admin defined: its `name` (the key in `Customer.fields`),
    `label`, `kind` (`FIELD_KINDS`), `choices` for a `choice`, and whether every
    customer must have it."""

    name: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False

    def __post_init__(self) -> None:
        if not _FIELD_NAME.match(self.name):
            raise InvalidCustomer("name", "1-64 letters, digits, '_', '-'")
        if not self.label.strip() or len(self.label) > 200:
            raise InvalidCustomer("label", "1-200 characters")
        if self.kind not in FIELD_KINDS:
            raise InvalidCustomer("kind", f"one of {', '.join(FIELD_KINDS)}, got {self.kind!r}")
        if self.kind == "choice":
            if not self.choices or len(self.choices) > 100:
                raise InvalidCustomer("choices", "a choice field has 1-100 choices")
            if len(set(self.choices)) != len(self.choices):
                raise InvalidCustomer("choices", "a choice is listed twice")
            if any(not c.strip() or len(c) > 100 for c in self.choices):
                raise InvalidCustomer("choices", "each choice is 1-100 characters")
        elif self.choices:
            raise InvalidCustomer("choices", f"only a choice field has choices, not a "
                                             f"{self.kind} field")


def check_field(definition: FieldDefinition, value: str) -> str:
    """`value` if it fits `definition` (a number, an ISO date `2026-12-04`, one of the
    choices, `true`/`false`); else `InvalidCustomer` naming `fields.<name>`."""
    where = f"fields.{definition.name}"
    kind = definition.kind
    if kind == "number" and not _NUMBER.match(value):
        raise InvalidCustomer(where, f"a number like 12 or -3.5, got {value!r}")
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise InvalidCustomer(where, f"a date like 2026-12-04, got {value!r}") from None
        if len(value) != 10:
            raise InvalidCustomer(where, f"a date like 2026-12-04, got {value!r}")
    if kind == "choice" and value not in definition.choices:
        raise InvalidCustomer(where, f"one of {', '.join(definition.choices)}, got {value!r}")
    if kind == "boolean" and value not in _BOOLEAN:
        raise InvalidCustomer(where, f"true or false, got {value!r}")
    return value


def check_fields(definitions: Sequence[FieldDefinition], fields: Mapping[str, str]) -> None:
    """`InvalidCustomer` for the first defined field whose value does not fit, or a
    required one that is missing; fields without a definition are free text."""
    for d in definitions:
        value = fields.get(d.name)
        if value is None or value == "":
            if d.required:
                raise InvalidCustomer(f"fields.{d.name}", f"{d.label} is required")
            continue
        check_field(d, value)
