"""The knowledge base's pure rules: search-box text as an FTS5 query, tags, snippets."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.knowledge import (
    HIT_END,
    HIT_START,
    clean_text,
    fts5_query,
    snippet_parts,
    tags_of,
)


def test_words_are_quoted_and_all_required() -> None:
    """Two words become two quoted terms joined by AND."""
    assert fts5_query("reset password") == '("reset" AND "password")'


def test_stop_words_outside_quotes_are_dropped() -> None:
    """`how to reset the password` searches reset and password; a quoted phrase keeps
    its stop words."""
    assert fts5_query("how to reset the password") == '("reset" AND "password")'
    assert fts5_query('"the bill"') == '("the bill")'


def test_or_and_exclusion() -> None:
    """`or` separates alternatives; `-word` excludes from its alternative."""
    assert fts5_query("refund -card or address") == '("refund") NOT "card" OR ("address")'


def test_nothing_to_search_is_none() -> None:
    """Only stop words, punctuation or exclusions leave nothing to search."""
    assert fts5_query("the of") is None
    assert fts5_query('-- "" ...') is None
    assert fts5_query("-refund") is None


def test_quotes_in_a_word_cannot_break_out() -> None:
    """A double quote inside a word is dropped, inside a phrase doubled."""
    assert fts5_query('ab"cd') == '("abcd")'
    assert fts5_query('"a b') == '("a b")'


@given(st.text(max_size=60))
def test_any_text_is_a_valid_fts5_query(text: str) -> None:
    """Whatever an agent types, SQLite accepts the query (no FTS5 syntax error)."""
    query = fts5_query(text.replace("\x00", ""))
    if query is None:
        return
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
        db.execute("INSERT INTO t VALUES ('reset the password')")
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()
    finally:
        db.close()


def test_tags_are_lower_case_and_unique() -> None:
    """Commas and spaces separate tags; case and repeats are dropped."""
    assert tags_of("Billing, refund  BILLING,card") == "billing refund card"


def test_snippet_parts_mark_the_hits() -> None:
    """Text between the markers is a hit; a page draws the parts as text."""
    marked = f"open a {HIT_START}<b>case</b>{HIT_END} now"
    assert snippet_parts(marked) == [("open a ", False), ("<b>case</b>", True), (" now", False)]
    assert clean_text(marked) == "open a <b>case</b> now"
