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
import sqlite3
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
    generated: str | None = None  # the expression of `[GENERATED ALWAYS] AS (...)`


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
                if t.value:  # an empty `--` documents nothing
                    leading.append(t.value)
            column = code[0].value
            out.columns[column] = ColumnText(comment="\n".join(leading) if leading else None,
                                             autoincrement=any(t.is_word("AUTOINCREMENT") for t in code),
                                             generated=_generated(sql, code))
            _column_constraints(sql, column, code[1:], out)
    return out


def _generated(sql: str, code: list[Token]) -> str | None:
    """The expression of a generated column's `AS (...)`, or None."""
    for i in range(1, len(code) - 1):
        if code[i].is_word("AS") and code[i + 1].kind == "punct" and code[i + 1].text == "(":
            return sql[code[i + 1].end:code[_matching(code, i + 1)].start].strip()
    return None


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


# -- scripts -------------------------------------------------------------------------------------

_DOLLAR = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")


def quote_ident(name: str, quote: str = '"') -> str:
    """An identifier quoted with `quote` (`"` standard, `` ` `` MySQL), the quote doubled inside."""
    return quote + name.replace(quote, quote * 2) + quote


def terminated(sql: str) -> str:
    """A statement with its semicolon, on a line of its own after a `--` comment."""
    return sql + ("\n;" if "--" in sql.rsplit("\n", 1)[-1] else ";")


def split_statements(script: str, dialect: str) -> list[str]:
    """Split a DDL script at the semicolons that end statements.

    Semicolons inside string literals, quoted identifiers, comments and PostgreSQL
    dollar-quoted bodies do not count, nor do those inside a SQLite trigger's body; MySQL
    scripts may change the delimiter with the mysql client's `DELIMITER`. MySQL strings take
    backslash escapes (`'a\\'b'`), as do PostgreSQL `E'...'` strings; `--` comments run to
    the end of the line (MySQL also knows `#`). Statements come back without their
    semicolon; comment-only pieces are dropped.

    Example:
        >>> split_statements("CREATE TABLE t (x text DEFAULT ';');\\n-- done\\n", "sqlite")
        ["CREATE TABLE t (x text DEFAULT ';')"]
    """
    return [s for s, _ in split_statements_with_lines(script, dialect)]


def split_statements_with_lines(script: str, dialect: str) -> list[tuple[str, int]]:
    """`split_statements`, each statement with the line (from 1) it starts on."""
    statements: list[tuple[int, int]] = []  # (start, end) offsets
    start = i = 0
    n = len(script)
    delimiter = ";"
    while i < n:
        c = script[i]
        if dialect == "mysql" and script.startswith("DELIMITER ", i) and (i == 0 or script[i - 1] == "\n"):
            end = script.find("\n", i)
            end = n if end < 0 else end
            statements.append((start, i))
            delimiter = script[i + 10:end].strip() or ";"  # the mysql client's command
            i = start = end + 1
            continue
        if dialect == "mysql" and delimiter != ";" and script.startswith(delimiter, i):
            statements.append((start, i))
            i = start = i + len(delimiter)
            continue
        if c in "'\"`":
            backslash = dialect == "mysql" and c != "`" or (
                dialect == "postgresql" and c == "'" and i > 0 and script[i - 1] in "eE"
                and (i < 2 or not (script[i - 2].isalnum() or script[i - 2] == "_")))
            i = _skip_quoted(script, i, backslash)
            continue
        if _comment_starts(script, i, dialect):
            end = script.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == "$" and dialect == "postgresql":
            m = _DOLLAR.match(script, i)
            if m:  # a dollar-quoted string: a function body
                end = script.find(m.group(), m.end())
                i = n if end < 0 else end + len(m.group())
                continue
        if c == ";" and delimiter == ";" and (dialect != "sqlite" or sqlite3.complete_statement(script[start:i + 1])):
            # (a trigger's body has semicolons of its own; SQLite says when the statement ends)
            statements.append((start, i))
            start = i + 1
        i += 1
    statements.append((start, n))
    out = []
    for a, b in statements:
        piece = script[a:b]
        if _has_code(piece, dialect):
            first = a + len(piece) - len(piece.lstrip())
            out.append((piece.strip(), script.count("\n", 0, first) + 1))
    return out


def _comment_starts(text: str, i: int, dialect: str) -> bool:
    """A `--` comment (in MySQL only when whitespace follows: `5--3` is arithmetic) or a MySQL `#`."""
    if text.startswith("--", i):
        return dialect != "mysql" or i + 2 >= len(text) or text[i + 2].isspace()
    return dialect == "mysql" and text[i] == "#"


def _skip_quoted(text: str, i: int, backslash: bool) -> int:
    """The index just past the quoted token starting at `i` (a doubled quote continues it)."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        if backslash and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return j


def _has_code(piece: str, dialect: str) -> bool:
    """Whether a piece holds more than comments (MySQL's `/*!...*/` are code)."""
    piece = re.sub(r"/\*(?!!).*?\*/", "", piece, flags=re.S)
    for line in piece.splitlines():
        stripped = line.strip()
        comment = stripped.startswith("--") or (dialect == "mysql" and stripped.startswith("#"))
        if stripped and not comment:
            return True
    return False
