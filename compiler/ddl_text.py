"""Reading SQL text: a tokenizer, string literals, and the parts of CREATE TABLE and CREATE
INDEX statements that only their text holds.

SQLite keeps no catalog of constraint names, checks or comments: only the CREATE statements in
sqlite_master. catalog.py reads those with this module; tests use `tokenize` and
`unquote_string` to compare expressions an engine has rewritten.

Example:
    >>> [t.value for t in tokenize("a <> 'it''s' -- note")]
    ['a', '<>', "'it''s'", 'note']
    >>> unquote_string("'it''s'")
    "it's"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Token:
    kind: str  # word, ident (quoted), string, number, punct, comment
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        """An identifier's name without quotes; a comment's text; otherwise the text."""
        if self.kind == "ident":
            q = self.text[0]
            return self.text[1:-1].replace(q + q, q)
        if self.kind == "comment":
            if self.text.startswith("--"):
                return self.text[2:].strip()
            return self.text[2:-2].strip()
        return self.text

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


_TOKEN = re.compile(r"""
    (?P<comment>--[^\n]*|/\*.*?(?:\*/|$))
  | (?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<punct>\|\||<=|>=|<>|!=|==|<<|>>|\S)
""", re.VERBOSE | re.DOTALL)


_TOKEN_BACKSLASH = re.compile(_TOKEN.pattern.replace("""'(?:[^']|'')*'""", """'(?:[^'\\\\]|''|\\\\.)*'"""),
                              re.VERBOSE | re.DOTALL)
MYSQL_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def tokenize(sql: str, *, backslash_escapes: bool = False) -> list[Token]:
    """SQL tokens with their offsets; whitespace is dropped, comments are kept.

    `backslash_escapes` reads string literals the MySQL way (`'a\\'b'`).
    """
    pattern = _TOKEN_BACKSLASH if backslash_escapes else _TOKEN
    return [Token(m.lastgroup or "punct", m.group(), m.start(), m.end()) for m in pattern.finditer(sql)]


def unquote_string(literal: str, *, backslash_escapes: bool = False) -> str:
    """The value of an SQL string literal: `'it''s'` -> `it's` (and `'a\\\\b'` -> `a\\b` for MySQL)."""
    body = literal[1:-1]
    if not backslash_escapes:
        return body.replace("''", "'")
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append("\\" + nxt if nxt in "%_" else MYSQL_ESCAPES.get(nxt, nxt))  # MySQL keeps \% and \_
            i += 2
        elif c == "'" and body.startswith("''", i):
            out.append("'")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _split_items(tokens: list[Token], start: int) -> tuple[list[list[Token]], int]:
    """Split the parenthesised list opening at tokens[start] at its top-level commas.

    Returns the items and the index of the closing parenthesis.
    """
    items: list[list[Token]] = [[]]
    depth = 0
    i = start
    while i < len(tokens):
        t = tokens[i]
        if t.text == "(" and t.kind == "punct":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif t.text == ")" and t.kind == "punct":
            depth -= 1
            if depth == 0:
                return items, i
        elif t.text == "," and t.kind == "punct" and depth == 1:
            items.append([])
            i += 1
            continue
        items[-1].append(t)
        i += 1
    return items, i


def _matching(tokens: list[Token], i: int) -> int:
    """The index of the parenthesis closing the one at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "punct" and tokens[j].text == "(":
            depth += 1
        elif tokens[j].kind == "punct" and tokens[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _names(tokens: list[Token]) -> tuple[str, ...]:
    """Column names in a `(a, "b" DESC, c COLLATE x)` list (the list's own tokens, no parentheses)."""
    out: list[str] = []
    expect = True
    for t in tokens:
        if t.kind == "punct" and t.text == ",":
            expect = True
        elif expect and t.kind in ("word", "ident", "string"):
            out.append(t.value.strip("'") if t.kind == "string" else t.value)
            expect = False
    return tuple(out)


@dataclass
class ColumnText:
    """What a column definition's text says beyond PRAGMA table_info."""

    comment: str | None = None
    autoincrement: bool = False


@dataclass
class ParsedTable:
    """What only the CREATE TABLE text tells: constraint names, checks and comments."""

    columns: dict[str, ColumnText] = field(default_factory=dict)
    primary_key_name: str | None = None
    unique_names: dict[tuple[str, ...], str] = field(default_factory=dict)
    foreign_key_names: dict[tuple[str, ...], str] = field(default_factory=dict)
    checks: list[tuple[str | None, str]] = field(default_factory=list)


CONSTRAINT_WORDS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")


def parse_create_table(sql: str) -> ParsedTable:
    """Read constraint names, CHECK conditions and `--` comments from a CREATE TABLE statement.

    A comment written on the lines just before a column definition documents that column.
    """
    tokens = tokenize(sql)
    out = ParsedTable()
    opening = next((i for i, t in enumerate(tokens) if t.kind == "punct" and t.text == "("), None)
    if opening is None:
        return out
    items, _ = _split_items(tokens, opening)
    for item in items:
        code = [t for t in item if t.kind != "comment"]
        if not code:
            continue
        if code[0].is_word(*CONSTRAINT_WORDS):
            _table_constraint(sql, code, out)
        else:
            leading = []
            for t in item:
                if t.kind != "comment":
                    break
                leading.append(t.value)
            column = code[0].value
            out.columns[column] = ColumnText(comment="\n".join(leading) if leading else None,
                                             autoincrement=any(t.is_word("AUTOINCREMENT") for t in code))
            _column_constraints(sql, column, code[1:], out)
    return out


def _constraint_name(code: list[Token], i: int) -> tuple[str | None, int]:
    if code[i].is_word("CONSTRAINT") and i + 1 < len(code):
        return code[i + 1].value, i + 2
    return None, i


def _table_constraint(sql: str, code: list[Token], out: ParsedTable) -> None:
    name, i = _constraint_name(code, 0)
    if i >= len(code):
        return
    word = code[i].text.upper()
    paren = next((j for j in range(i, len(code)) if code[j].kind == "punct" and code[j].text == "("), None)
    if paren is None:
        return
    close = _matching(code, paren)
    if word == "CHECK":
        out.checks.append((name, sql[code[paren].end:code[close].start].strip()))
    elif word == "PRIMARY":
        out.primary_key_name = name
    elif word == "UNIQUE" and name:
        out.unique_names[_names(code[paren + 1:close])] = name
    elif word == "FOREIGN" and name:
        out.foreign_key_names[_names(code[paren + 1:close])] = name


COLUMN_CONSTRAINT_WORDS = ("PRIMARY", "UNIQUE", "REFERENCES", "NOT", "NULL", "DEFAULT", "COLLATE",
                           "GENERATED")


def _column_constraints(sql: str, column: str, code: list[Token], out: ParsedTable) -> None:
    """Named constraints and checks written in a column definition."""
    name: str | None = None  # the name a `CONSTRAINT x` gives to the constraint after it
    i = 0
    while i < len(code):
        t = code[i]
        if t.is_word("CONSTRAINT") and i + 1 < len(code):
            name, i = code[i + 1].value, i + 2
            continue
        if t.is_word("CHECK") and i + 1 < len(code) and code[i + 1].text == "(":
            close = _matching(code, i + 1)
            out.checks.append((name, sql[code[i + 1].end:code[close].start].strip()))
            name, i = None, close + 1
            continue
        if t.is_word("PRIMARY"):
            out.primary_key_name = name
        elif t.is_word("UNIQUE") and name:
            out.unique_names[(column,)] = name
        elif t.is_word("REFERENCES") and name:
            out.foreign_key_names[(column,)] = name
        if t.is_word(*COLUMN_CONSTRAINT_WORDS):
            name = None
        i += 1


@dataclass
class ParsedIndex:
    parts: list[str]  # the text of each key part
    where: str | None


def parse_create_index(sql: str) -> ParsedIndex:
    """The key parts and the WHERE condition of a CREATE INDEX statement."""
    tokens = tokenize(sql)
    on = next((i for i, t in enumerate(tokens) if t.is_word("ON")), None)
    opening = next((i for i in range(on or 0, len(tokens)) if tokens[i].text == "("), None)
    if opening is None:
        return ParsedIndex([], None)
    items, close = _split_items(tokens, opening)
    parts = [sql[item[0].start:item[-1].end] for item in items if item]
    where = next((i for i in range(close, len(tokens)) if tokens[i].is_word("WHERE")), None)
    predicate = sql[tokens[where].end:].strip() if where is not None else None
    return ParsedIndex(parts, predicate)
