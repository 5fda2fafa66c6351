"""Pure rules of the knowledge base and the switchboard directory.

- `fts5_query(text)`: a search box's text as an SQLite FTS5 query that means what
  PostgreSQL's `websearch_to_tsquery` makes of it: words are all required, `"a phrase"`
  is a phrase, `or` between words gives alternatives, `-word` excludes; English stop
  words outside quotes are dropped (as the `english` configuration drops them); every
  term is quoted, so no input is an FTS5 syntax error. None when nothing is left to
  search for.
- `tags_of(text)`: tags as stored (lower case, single spaces, each once, in order).
- `snippet_parts(text)`: a highlighted snippet (hits between `HIT_START` and `HIT_END`)
  as (text, hit) parts, which a page draws as text nodes: no markup ever comes from
  an article.
"""

from __future__ import annotations

import re

HIT_START = "\ue000"
HIT_END = "\ue001"
"""Private-use characters around a hit in a snippet (an article's own copies of them
are dropped when it is written: `clean_text`)."""

_STOP_WORDS_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what
which who whom this that these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for
with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
"""The Snowball English stop words, which PostgreSQL's `english` configuration drops."""

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def _quoted(term: str) -> str | None:
    if not any(c.isalnum() for c in term):
        return None
    return '"' + term.replace('"', '""') + '"'


def _group(positives: list[str], negatives: list[str]) -> str:
    query = "(" + " AND ".join(positives) + ")"
    return query + "".join(f" NOT {n}" for n in negatives)


def fts5_query(text: str) -> str | None:
    """The FTS5 query of a search box's `text` (see the module), or None."""
    groups: list[str] = []
    positives: list[str] = []
    negatives: list[str] = []
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            term = _quoted(phrase)
            if term is not None:
                positives.append(term)
            continue
        if word.casefold() == "or":
            if positives:
                groups.append(_group(positives, negatives))
            positives, negatives = [], []
            continue
        negative = word.startswith("-")
        word = word.lstrip("-").replace('"', "")
        if word.casefold() in STOP_WORDS:
            continue
        term = _quoted(word)
        if term is None:
            continue
        (negatives if negative else positives).append(term)
    if positives:
        groups.append(_group(positives, negatives))
    return " OR ".join(groups) if groups else None


def tags_of(text: str) -> str:
    """Tags as stored: split on commas and white space, lower case, each once."""
    seen: dict[str, None] = {}
    for tag in re.split(r"[\s,]+", text.casefold()):
        if tag:
            seen.setdefault(tag, None)
    return " ".join(seen)


def clean_text(text: str) -> str:
    """`text` without the snippet's hit markers."""
    return text.replace(HIT_START, "").replace(HIT_END, "")


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A marked snippet as (text, is a hit) parts, empty parts left out."""
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet)):
        if piece:
            parts.append((piece, i % 2 == 1))
    return parts
