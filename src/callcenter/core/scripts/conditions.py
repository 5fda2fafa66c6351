"""The condition language of scripts: a small, safe expression over earlier answers and
merge fields, parsed into a tree and evaluated without `eval`.

    age >= 18 and region in ['north', 'east']
    not (interested == 'no') or 'tv' in media
    consent == true and income != null

Grammar (lowest precedence first)::

    expr    := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := value (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in') value)?
    value   := NUMBER | 'text' | "text" | true | false | null | NAME | '[' value, ... ']'
             | '(' expr ')'

A NAME is a question's id (its answer, null while unanswered) or a merge field (its
value, text). A comparison whose sides cannot be ordered (a number against text, or
null) is false rather than an error; `x in list` asks whether x is an item of the
list, `x in answer` whether a multiple-choice answer holds x. A bare value is true
when it is neither null, false, 0, '' nor an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Compare", "Condition", "ConditionError", "Literal", "Logic", "Name", "Not",
           "evaluate", "names", "parse_condition"]

MAX_LENGTH = 2000
"""Longest condition text accepted (a guard against pathological input)."""
MAX_DEPTH = 50
"""Deepest nesting of parentheses, lists and `not`s accepted."""


class ConditionError(ValueError):
    """A condition is not valid; `column` is the 1-based position of the mistake."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.reason = message


Value = None | bool | int | float | str | tuple["Value", ...]


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: a number, text, true/false, null, or a list of constants."""

    value: Value


@dataclass(frozen=True, slots=True)
class Name:
    """An answer (by question id) or a merge field (by name)."""

    name: str


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list written in the condition, of any values."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """`left op right` with op one of ==, !=, <, <=, >, >=, in, not in."""

    op: str
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    """The negation of a condition."""

    operand: Condition


@dataclass(frozen=True, slots=True)
class Logic:
    """`and` / `or` of two or more conditions (evaluated left to right, short-circuit)."""

    op: str
    operands: tuple[Condition, ...]


Condition = Literal | Name | ListOf | Compare | Not | Logic

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, op, word, name, end
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionError(f"unexpected {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind != "space":
            word = m.group()
            if kind == "word" and word not in _KEYWORDS:
                kind = "name"
            out.append(_Token(kind, word, pos + 1))
        pos = m.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        if token.kind != "end":
            self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind == "string":
            raise ConditionError(f"expected {text!r}, got {_shown(token)}", token.column)

    def nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"nested deeper than {MAX_DEPTH}", token.column)

    def expression(self) -> Condition:
        parts = [self.conjunction()]
        while self.peek().text == "or" and self.peek().kind == "word":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Logic("or", tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.negation()]
        while self.peek().text == "and" and self.peek().kind == "word":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))

    def negation(self) -> Condition:
        token = self.peek()
        if token.kind == "word" and token.text == "not":
            self.take()
            self.nest(token)
            operand = self.negation()
            self.depth -= 1
            return Not(operand)
        return self.comparison()

    def comparison(self) -> Condition:
        left = self.value()
        token = self.peek()
        op = token.text if token.kind in ("op", "word") else ""
        if op == "not" and self.tokens[self.at + 1].text == "in":
            self.take()
            op = "not in"
        if op not in _COMPARE:
            return left
        self.take()
        return Compare(op, left, self.value())

    def value(self) -> Condition:
        token = self.take()
        if token.kind == "number":
            number = float(token.text)
            return Literal(int(number) if number.is_integer() and "." not in token.text
                           else number)
        if token.kind == "string":
            return Literal(_unquote(token.text))
        if token.kind == "name":
            return Name(token.text)
        if token.kind == "word" and token.text in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[token.text])
        if token.kind == "op" and token.text == "(":
            self.nest(token)
            inner = self.expression()
            self.expect(")")
            self.depth -= 1
            return inner
        if token.kind == "op" and token.text == "[":
            self.nest(token)
            items: list[Condition] = []
            if self.peek().text != "]" or self.peek().kind == "string":
                items.append(self.value())
                while self.peek().text == "," and self.peek().kind == "op":
                    self.take()
                    items.append(self.value())
            self.expect("]")
            self.depth -= 1
            return ListOf(tuple(items))
        raise ConditionError(f"expected a value, got {_shown(token)}", token.column)


def _shown(token: _Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse_condition(text: str) -> Condition:
    """The condition written in `text`; `ConditionError` names the column of a mistake."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"longer than {MAX_LENGTH} characters", 1)
    if not text.strip():
        raise ConditionError("empty condition", 1)
    parser = _Parser(text)
    tree = parser.expression()
    end = parser.peek()
    if end.kind != "end":
        raise ConditionError(f"unexpected {_shown(end)}", end.column)
    return tree


def names(condition: Condition) -> frozenset[str]:
    """Every name the condition reads."""
    if isinstance(condition, Name):
        return frozenset({condition.name})
    if isinstance(condition, Literal):
        return frozenset()
    if isinstance(condition, ListOf):
        return frozenset().union(*(names(i) for i in condition.items))
    if isinstance(condition, Compare):
        return names(condition.left) | names(condition.right)
    if isinstance(condition, Not):
        return names(condition.operand)
    return frozenset().union(*(names(i) for i in condition.operands))


def evaluate(condition: Condition, values: Mapping[str, object]) -> bool:
    """Whether the condition holds for `values` (answers and merge fields by name; a
    name missing from `values` is null)."""
    return _truthy(_value(condition, values))


def _value(condition: Condition, values: Mapping[str, object]) -> object:
    if isinstance(condition, Literal):
        return condition.value
    if isinstance(condition, Name):
        value = values.get(condition.name)
        return tuple(value) if isinstance(value, list) else value
    if isinstance(condition, ListOf):
        return tuple(_value(i, values) for i in condition.items)
    if isinstance(condition, Not):
        return not _truthy(_value(condition.operand, values))
    if isinstance(condition, Logic):
        if condition.op == "and":
            return all(_truthy(_value(i, values)) for i in condition.operands)
        return any(_truthy(_value(i, values)) for i in condition.operands)
    return _compare(condition.op, _value(condition.left, values),
                    _value(condition.right, values))


def _truthy(value: object) -> bool:
    return value not in (None, False, 0, "", ())


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _compare(op: str, left: object, right: object) -> bool:
    if op == "==":
        return _same(left, right)
    if op == "!=":
        return not _same(left, right)
    if op in ("in", "not in"):
        if isinstance(right, tuple):
            found = any(_same(left, item) for item in right)
        elif isinstance(right, str) and isinstance(left, str):
            found = left in right
        else:
            found = False
        return found if op == "in" else not found
    if isinstance(left, str) and isinstance(right, str):
        return _order(op, left < right, left == right)
    numbers = (isinstance(left, int | float) and isinstance(right, int | float)
               and not isinstance(left, bool) and not isinstance(right, bool))
    if not numbers:
        return False
    a, b = float(left), float(right)  # type: ignore[arg-type]
    return _order(op, a < b, a == b)


def _order(op: str, less: bool, equal: bool) -> bool:
    if op == "<":
        return less
    if op == "<=":
        return less or equal
    if op == ">":
        return not less and not equal
    return not less
