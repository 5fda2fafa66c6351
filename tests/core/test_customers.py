"""The customer value: checks naming the field, E.164 normalization, lookup fields."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.customers import (
    Customer,
    InvalidCustomer,
    caller_number,
    check_region,
    lookup_fields,
    make_customer,
    normalize_number,
)

REGIONS = ["DE", "US", "GB", "FR", "AT", "CH", "IN", "BR", "JP", "AU"]
FORMATS = [phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
           phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.RFC3966]


@given(st.sampled_from(REGIONS), st.sampled_from(FORMATS))
def test_every_way_of_writing_a_number_normalizes_alike(region: str, fmt: int) -> None:
    """A region's number written in any format normalizes to the same E.164 number."""
    number = phonenumbers.example_number(region)
    assert number is not None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert normalize_number(phonenumbers.format_number(number, fmt), region) == e164


@given(st.text(max_size=30), st.sampled_from(REGIONS))
def test_any_text_is_an_e164_number_or_a_value_error(raw: str, region: str) -> None:
    """Normalizing any text gives an E.164 number or a ValueError quoting the text."""
    try:
        out = normalize_number(raw, region)
    except ValueError as exc:
        assert "empty" in str(exc) or repr(raw) in str(exc)
    else:
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", out)
        assert normalize_number(out, region) == out


def test_a_national_number_takes_the_default_region() -> None:
    """`030 1234567` is Berlin with region DE; the same digits are no US number."""
    assert normalize_number("030 1234567", "DE") == "+49301234567"
    with pytest.raises(ValueError, match="not a valid phone number: '030 1234567' "
                                         r"\(default region US\)"):
        normalize_number("030 1234567", "US")


def test_a_caller_that_is_no_number_looks_up_nothing() -> None:
    """An anonymous caller or a SIP user name has no E.164 form."""
    assert caller_number("anonymous", "DE") is None
    assert caller_number("", "DE") is None
    assert caller_number("+49 30 1234567", "US") == "+49301234567"


def test_region_must_be_a_known_country_code() -> None:
    """A region that is no two-letter code phonenumbers knows is refused."""
    assert check_region("DE") == "DE"
    for bad in ("de", "XX", "DEU"):
        with pytest.raises(ValueError, match="region: a two-letter country code"):
            check_region(bad)


def test_a_bad_number_names_its_place() -> None:
    """The second of two numbers being invalid names `numbers[1]`."""
    with pytest.raises(InvalidCustomer) as err:
        make_customer("Ada", ["030 1234567", "12"], region="DE")
    assert err.value.field == "numbers[1]"
    assert "not a valid phone number: '12'" in str(err.value)


def test_the_same_number_twice_is_refused() -> None:
    """Two spellings of one number in one customer are refused."""
    with pytest.raises(InvalidCustomer, match=r"numbers\[1\]: \+49301234567 is listed twice"):
        make_customer("Ada", ["030 1234567", "+49 30 1234567"], region="DE")


@pytest.mark.parametrize(("values", "field"), [
    ({"name": " "}, "name"),
    ({"account": " K1"}, "account"),
    ({"segment": "very important"}, "segment"),
    ({"language": "deutsch!"}, "language"),
    ({"priority": 5000}, "priority"),
    ({"fields": {"a b": "x"}}, "fields.a b"),
])
def test_invalid_values_name_the_field(values: dict[str, object], field: str) -> None:
    """Each invalid value is refused with an error naming its field."""
    base: dict[str, object] = {"name": "Ada"}
    with pytest.raises(InvalidCustomer) as err:
        Customer(**{**base, **values})  # type: ignore[arg-type]
    assert err.value.field == field


def test_lookup_fields_flatten_the_custom_fields() -> None:
    """A found customer gives its id, values and `custom.<key>` fields as texts."""
    c = Customer("Ada", ("+49301234567",), account="K-1", segment="vip", language="de",
                 priority=5, fields={"tier": "gold"})
    assert dict(lookup_fields(7, c)) == {
        "customer_id": "7", "name": "Ada", "account": "K-1", "segment": "vip",
        "language": "de", "priority": "5", "custom.tier": "gold"}
