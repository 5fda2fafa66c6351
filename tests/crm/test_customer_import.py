"""The CSV customer import: mapping, numbers, every rejected row with its line."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.crm.customer_import import (
    CustomerColumns,
    CustomerImport,
    ImportFileError,
    import_customers,
)

GOOD = """name,number,account,segment,language,priority,tier
Ada Lovelace,030 1234567;0170 1234567,K-1,vip,de,5,gold
Grace Hopper,+1 202 555 0143,K-2,,en,,silver
"""


def read(text: str, columns: CustomerColumns | None = None,
         region: str = "DE") -> CustomerImport:
    """Import `text` with `columns` (default: the columns named like the values)."""
    return import_customers(io.StringIO(text, newline=""), columns or CustomerColumns(), region)


def test_columns_named_like_the_values_need_no_mapping() -> None:
    """Name, numbers (several per cell), account, segment, language, priority are read from
    their own columns; the rest become custom fields."""
    result = read(GOOD)
    assert result.rejected == [] and result.rows == 2
    (line1, ada), (line2, grace) = result.customers
    assert (line1, line2) == (2, 3)
    assert ada.numbers == ("+49301234567", "+491701234567")
    assert (ada.account, ada.segment, ada.language, ada.priority) == ("K-1", "vip", "de", 5)
    assert dict(ada.fields) == {"tier": "gold"}
    assert grace.numbers == ("+12025550143",) and grace.priority == 0


def test_a_mapping_names_other_columns() -> None:
    """Mapped columns replace the defaults; `fields` picks and renames custom fields."""
    text = "Kunde,Tel,Mobil,Konto,Stufe\nAda,030 1234567,0170 1234567,K-1,gold\n"
    result = read(text, CustomerColumns(name="Kunde", numbers=("Tel", "Mobil"), account="Konto",
                                        fields={"Stufe": "tier"}))
    [(_, ada)] = result.customers
    assert ada.numbers == ("+49301234567", "+491701234567")
    assert ada.account == "K-1" and dict(ada.fields) == {"tier": "gold"}


def test_every_bad_row_is_reported_with_its_line_and_reason() -> None:
    """Each rejected row names its line and what is wrong; good rows are still read."""
    text = ("name,number,account,priority\n"
            "Ada,030 1234567,K-1,1\n"
            ",030 7654321,,\n"
            "Bob,12,,\n"
            "Carol,+49 30 1234567,,\n"
            "Dave,,K-1,\n"
            "Eve,,,high\n"
            "Frank,,\n"
            "Gina,040 555666,K-7,3\n")
    result = read(text)
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, "name: empty"),
        (4, "number: not a valid phone number: '12' (default region DE)"),
        (5, "number: +49301234567 is already on line 2"),
        (6, "account: 'K-1' is already on line 2"),
        (7, "priority: not a whole number: 'high'"),
        (8, "has 3 fields, the header has 4"),
    ]
    assert [line for line, _ in result.customers] == [2, 9]


def test_a_value_the_customer_refuses_is_a_rejected_row() -> None:
    """A segment with spaces is refused by `Customer`, naming the field."""
    result = read("name,segment\nAda,very important\n")
    assert result.rejected[0].line == 2
    assert result.rejected[0].reason.startswith("segment: ")


@pytest.mark.parametrize(("text", "columns", "message"), [
    ("", CustomerColumns(), "no header row"),
    ("name,name\nA,B\n", CustomerColumns(), "column 'name' appears twice"),
    ("Kunde\nAda\n", CustomerColumns(), "no name column"),
    ("name\nAda\n", CustomerColumns(numbers=("phone",)), "mapped column 'phone' is not in"),
])
def test_a_file_that_cannot_be_read_names_why(text: str, columns: CustomerColumns,
                                              message: str) -> None:
    """A missing header, a repeated column, no name column, or a mapped column that is
    not there refuse the whole file."""
    with pytest.raises(ImportFileError, match=message):
        read(text, columns)


cell = st.one_of(st.sampled_from(["030 1234567", "+49 170 1234567", "040 555666", "12", "",
                                  "+1 202 555 0143", "x"]),
                 st.text(alphabet="0123456789 +;", max_size=14))
row = st.tuples(st.sampled_from(["Ada", "", "Bob"]), cell,
                st.sampled_from(["", "K-1", "K-2", " "]), st.sampled_from(["", "3", "x"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=12))
def test_every_row_is_imported_or_rejected_exactly_once(rows: list[tuple[str, ...]]) -> None:
    """Whatever the rows: each data line ends up once, as a customer or a rejection, and
    the customers kept share no number and no account."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "number", "account", "priority"])
    writer.writerows(rows)
    result = read(out.getvalue())
    lines = sorted([line for line, _ in result.customers] + [r.line for r in result.rejected])
    assert lines == list(range(2, 2 + len(rows)))
    numbers = [n for _, c in result.customers for n in c.numbers]
    accounts = [c.account for _, c in result.customers if c.account]
    assert len(numbers) == len(set(numbers)) and len(accounts) == len(set(accounts))
