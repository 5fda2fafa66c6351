"""CSV lead import: E.164 numbers, a zone per lead, every row imported or rejected by line."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.campaigns.importer import (
    ColumnMapping,
    ImportFileError,
    ImportResult,
    Progress,
    import_leads,
)
from callcenter.campaigns.zones import zone_of_address
from callcenter.core.dialer.campaign import Campaign
from tests.dialer.leadkit import campaign

DE = campaign(default_region="DE", timezone="Europe/Berlin")
US = campaign(default_region="US", timezone="America/Chicago")
MAP = ColumnMapping(number="phone", id="customer", priority="prio",
                    country="country", postcode="zip")


def read(
    text: str, c: Campaign = DE, mapping: ColumnMapping = MAP,
    progress: Progress | None = None, every: int = 1000,
) -> ImportResult:
    """Import `text` as a CSV file."""
    return import_leads(io.StringIO(text, newline=""), c, mapping, progress=progress, every=every)


EXAMPLE = """customer,phone,prio,name,country,zip
c1,030 1234567,5,Anna,DE,10115
c2,+1 212 555 0101,,Bob,US,10001
c3,not a number,,Cleo,,
c4,0151 12345678,x,Dora,DE,
c5,030/123-4567,9,,DE,10115
"""


def test_numbers_are_normalized_to_e164_with_the_default_region() -> None:
    """A national number gets the campaign's country code; international ones keep theirs."""
    got = read(EXAMPLE)
    assert [lead.number for lead in got.leads] == ["+49301234567", "+12125550101"]
    assert [(lead.id, lead.country) for lead in got.leads] == [("c1", "DE"), ("c2", "US")]


def test_rejected_rows_name_their_line_and_reason() -> None:
    """The bad number and the bad priority are rejected with their line numbers."""
    got = read(EXAMPLE)
    assert [(r.line, r.reason.split(":")[0]) for r in got.rejected] == [
        (4, "not a phone number"), (5, "priority")]


def test_duplicate_numbers_merge_into_the_first_lead() -> None:
    """Line 6 has line 2's number: one lead, the higher priority, empty fields filled."""
    got = read(EXAMPLE)
    anna = got.leads[0]
    assert (anna.priority, anna.fields["name"]) == (9, "Anna")
    assert got.sources["c1"] == [2, 6]
    assert got.merged == 1 and got.rows == 5


def test_custom_fields_are_the_unmapped_columns_or_the_mapped_ones() -> None:
    """Without a field mapping every other column is a custom field; with one, only those."""
    assert read(EXAMPLE).leads[1].fields == {"name": "Bob"}
    mapped = ColumnMapping(number="phone", fields={"name": "first_name"})
    assert read("phone,name,extra\n+12125550101,Bob,x\n", mapping=mapped).leads[0].fields == {
        "first_name": "Bob"}


def test_zone_from_the_number() -> None:
    """A Berlin fixed line is in Europe/Berlin; a New York one in America/New_York."""
    zones = [lead.zone for lead in read(EXAMPLE).leads]
    assert zones == ["Europe/Berlin", "America/New_York"]


def test_zone_from_the_address_when_the_number_does_not_say() -> None:
    """A US toll-free number spans zones: the ZIP code decides, else the campaign's zone."""
    text = "phone,country,zip\n+1 800 275 2273,US,94043\n+1 888 275 2273,,\n"
    got = read(text, US, ColumnMapping(number="phone", country="country", postcode="zip"))
    assert [lead.zone for lead in got.leads] == ["America/Los_Angeles", "America/Chicago"]


def test_explicit_timezone_column_wins_and_is_checked() -> None:
    """A mapped timezone column overrides the number's zone; an unknown zone rejects the row."""
    text = "phone,tz\n+12125550101,America/Denver\n+12125550102,Mars/Base\n"
    got = read(text, US, ColumnMapping(number="phone", timezone="tz"))
    assert [lead.zone for lead in got.leads] == ["America/Denver"]
    assert [(r.line, r.reason) for r in got.rejected] == [
        (3, "timezone: unknown time zone 'Mars/Base'")]


def test_address_zones() -> None:
    """One-zone countries map directly; US ZIPs by their first three digits; unknown: None."""
    assert zone_of_address("de") == "Europe/Berlin"
    assert zone_of_address("US", "10001") == "America/New_York"
    assert zone_of_address("US", "60601") == "America/Chicago"
    assert zone_of_address("US", "85001") == "America/Phoenix"
    assert zone_of_address("US", "99501") == "America/Anchorage"
    assert zone_of_address("US") is None
    assert zone_of_address("ZZ") is None


def test_invalid_number_for_the_region_is_rejected() -> None:
    """A number with the right shape but no such range is rejected as not valid."""
    got = read("phone\n+1 555 555 0100\n", US, ColumnMapping(number="phone"))
    assert got.leads == [] and "not a valid phone number" in got.rejected[0].reason


def test_rows_with_the_wrong_number_of_fields_are_rejected() -> None:
    """A row with more or fewer fields than the header is rejected, not guessed."""
    got = read("phone,name\n+12125550101\n+12125550102,a,b\n", US, ColumnMapping(number="phone"))
    assert [r.line for r in got.rejected] == [2, 3]
    assert "has 1 fields" in got.rejected[0].reason


def test_duplicate_id_for_another_number_is_rejected() -> None:
    """Two numbers cannot share a lead id: the later row is rejected naming the first line."""
    text = "id,phone\na,+12125550101\na,+12125550102\n"
    got = read(text, US, ColumnMapping(number="phone", id="id"))
    assert [(r.line, r.reason) for r in got.rejected] == [
        (3, "id 'a' is already used on line 2 by +12125550101")]


def test_line_numbers_count_quoted_newlines_and_skip_blank_lines() -> None:
    """A quoted field spanning two lines and a blank line shift later line numbers."""
    text = 'phone,note\n+12125550101,"two\nlines"\n\nnope,x\n'
    got = read(text, US, ColumnMapping(number="phone"))
    assert got.sources["+12125550101"] == [2]
    assert [r.line for r in got.rejected] == [5]
    assert got.leads[0].fields == {"note": "two\nlines"}


def test_byte_order_mark_and_missing_number_are_handled() -> None:
    """A UTF-8 byte order mark before the header is ignored; an empty number is rejected."""
    got = read("\ufeffphone,name\n,Ann\n", US, ColumnMapping(number="phone"))
    assert [(r.line, r.reason) for r in got.rejected] == [(2, "no phone number")]


@pytest.mark.parametrize(("text", "message"), [
    ("", "no header"),
    ("name\nAnn\n", "mapped column 'phone'"),
    ("phone,phone\n1,2\n", "appears twice"),
])
def test_file_level_problems_refuse_the_whole_file(text: str, message: str) -> None:
    """No header, a missing mapped column or a repeated header refuses the whole file."""
    with pytest.raises(ImportFileError, match=message):
        read(text, US, ColumnMapping(number="phone"))


def test_progress_is_reported_while_streaming() -> None:
    """The progress callback sees rows and bytes as they are read, and the totals at the end."""
    text = "phone\n" + "".join(f"+1212555{n:04d}\n" for n in range(25))
    calls: list[tuple[int, int]] = []
    read(text, US, ColumnMapping(number="phone"), progress=lambda r, b: calls.append((r, b)),
         every=10)
    assert [r for r, _ in calls] == [10, 20, 25]
    assert calls[-1][1] == len(text.encode())


# -- property: every row lands in exactly one place -------------------------------------

GOOD = ["+12125550101", "212-555-0102", "(212) 555-0103", "+4930123456", "+12125550101"]
BAD = ["", "12", "hello", "+1 555 555 0100", "++1"]
TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\n;é')), max_size=8)
ROW = st.one_of(
    st.tuples(st.sampled_from(GOOD), TEXT, st.sampled_from(["", "1", "x"])).map(list),
    st.tuples(st.sampled_from(BAD), TEXT, st.just("")).map(list),
    st.lists(TEXT, min_size=1, max_size=4),
)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(ROW, max_size=20))
def test_every_row_is_imported_or_rejected_with_its_line_never_both(rows: list[list[str]]) -> None:
    """Random rows: each data line is in exactly one lead's sources or one rejection."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["phone", "note", "prio"])
    starts, line = [], 2
    for row in rows:
        chunk = io.StringIO(newline="")
        csv.writer(chunk, lineterminator="\n").writerow(row)
        starts.append(line)
        line += chunk.getvalue().count("\n")
        out.write(chunk.getvalue())
    got = read(out.getvalue(), US, ColumnMapping(number="phone", priority="prio"))
    imported = [n for lines in got.sources.values() for n in lines]
    rejected = [r.line for r in got.rejected]
    assert sorted(imported + rejected) == starts
    assert got.rows == len(rows) == len(imported) + len(rejected)
    assert len(got.leads) == len(got.sources) == len({lead.number for lead in got.leads})


def test_a_rejected_row_names_the_column_at_fault() -> None:
    """The number, priority, id, time zone and a NUL cell name their columns; a row of
    the wrong width names none."""
    mapping = ColumnMapping(number="phone", id="customer", priority="prio", timezone="tz")
    text = ("customer,phone,prio,tz,name\n"
            "c1,xyz,,,\n"                       # line 2: number
            "c2,030 1234501,high,,\n"           # line 3: priority
            "c3,030 1234502,,Mars/Base,\n"      # line 4: timezone
            "c3,030 1234503,,,\n"               # line 5: stored (line 4 was rejected)
            "c3,030 1234504,,,\n"               # line 6: id used on line 5
            "c7,030 1234505,,,a\x00b\n"         # line 7: NUL in name
            "c8,030 1234506\n")                 # line 8: too few fields
    got = read(text, mapping=mapping)
    assert [(r.line, r.column) for r in got.rejected] == [
        (2, "phone"), (3, "prio"), (4, "tz"), (6, "customer"), (7, "name"), (8, None)]
