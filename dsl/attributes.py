"""The `@attribute` vocabulary: which attributes exist, where they may appear, and how
their arguments are read.

Attributes are lexed as `@name` plus the raw text of an optional parenthesised argument
list; this module turns that text into values. Keeping the vocabulary in tables means an
unknown attribute gets a "did you mean" hint and a misplaced one gets the list of those
allowed in that place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto

from schemac.ir import Action, Sensitivity


class Arg(Enum):
    NONE = auto()  # no arguments: @pk
    EXPR = auto()  # one SQL expression: @default(now())
    NAME = auto()  # one name: @table(orders)
    OPT_NAME = auto()  # zero or one name: @pii, @pii(contact)
    NAMES = auto()  # one or more names: @columns(a, b)
    STRING = auto()  # one string: @denormalized("copied for invoices")
    PAIRS = auto()  # dialect: sql pairs: @type(postgresql: citext)


ATTRIBUTES: dict[str, Arg] = {
    "pk": Arg.NONE,
    "identity": Arg.OPT_NAME,
    "default": Arg.EXPR,
    "check": Arg.EXPR,
    "unique": Arg.NONE,
    "index": Arg.NONE,
    "tenant": Arg.NONE,
    "denormalized": Arg.STRING,
    "type": Arg.PAIRS,
    "on_delete": Arg.NAME,
    "on_update": Arg.NAME,
    "columns": Arg.NAMES,
    "name": Arg.NAME,
    "table": Arg.NAME,
    "where": Arg.EXPR,
    "using": Arg.NAME,
    "for": Arg.NAME,
    "to": Arg.NAMES,
    "restrictive": Arg.NONE,
    **{s.value: Arg.OPT_NAME for s in Sensitivity},
}

# Attributes that may be given more than once on the same item.
REPEATABLE = frozenset({"check"})

_TAGS = frozenset(s.value for s in Sensitivity)
_COLUMN = frozenset({"pk", "unique", "index", "tenant", "denormalized"}) | _TAGS

# Where each attribute is allowed.
ALLOWED: dict[str, frozenset[str]] = {
    "field": _COLUMN | {"identity", "default", "check", "type"},
    "ref": _COLUMN | {"on_delete", "on_update", "columns", "name"},
    "many": frozenset({"table"}),
    "entity": _TAGS | {"table", "denormalized"},
    "module": frozenset(),
    "enum": frozenset(),
    "enum value": frozenset(),
    "primary key": frozenset({"name"}),
    "unique": frozenset({"name"}),
    "index": frozenset({"name", "unique", "where", "using"}),
    "check": frozenset({"name"}),
    "foreign key": frozenset({"name", "on_delete", "on_update"}),
    "access": frozenset(),
    "policy": frozenset({"for", "to", "check", "restrictive"}),
    "fd": frozenset({"denormalized"}),
}

ACTIONS = {a.value: a for a in Action}
IDENTITY = ("always", "by_default")
INDEX_METHODS = ("btree", "hash", "gin", "gist", "brin", "spgist")
POLICY_COMMANDS = ("all", "select", "insert", "update", "delete")


class ArgError(Exception):
    """Malformed arguments; `offset` is relative to the start of the argument text."""

    def __init__(self, message: str, offset: int = 0, length: int = 1) -> None:
        super().__init__(message)
        self.offset = offset
        self.length = length


@dataclass(frozen=True, slots=True)
class Item:
    """One parsed argument: its value, and where it sits in the argument text."""

    value: str
    start: int
    end: int
    key: str | None = None


_TOKEN = re.compile(
    r"""\s+|(?P<name>[^\W\d]\w*)|(?P<quoted>`(?:[^`]|``)*`)|(?P<string>"(?:[^"\\]|\\.)*")"""
    r"""|(?P<number>[-+]?\d+(?:\.\d+)?)|(?P<punct>[:,])"""
)


def unescape(body: str) -> str:
    """Decode the escapes of a double-quoted string body: \\\\ \\" \\n \\t \\r \\u{hex}."""
    if "\\" not in body:
        return body
    return re.sub(r"\\(u\{[0-9a-fA-F]{1,6}\}|.)", _unescape_one, body, flags=re.S)


def _unescape_one(m: re.Match[str]) -> str:
    c = m.group(1)
    if c.startswith("u{"):
        return chr(int(c[2:-1], 16))
    return {"n": "\n", "t": "\t", "r": "\r"}.get(c, c)


def unquote_name(text: str) -> str:
    return text[1:-1].replace("``", "`") if text.startswith("`") else text


def split_items(text: str) -> list[Item]:
    """Split `a, b: c, "d"` into items. Strings and backquoted names are decoded."""
    items: list[Item] = []
    key: str | None = None
    expect_value = True
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ArgError(f"unexpected '{text[pos]}' in arguments", pos)
        kind = m.lastgroup
        pos = m.end()
        if kind is None:
            continue
        raw = m.group()
        if kind == "punct":
            if raw == ":" and items and key is None and not expect_value and items[-1].key is None:
                key = items.pop().value
                expect_value = True
            elif raw == "," and not expect_value:
                expect_value = True
            else:
                raise ArgError(f"unexpected '{raw}' in arguments", m.start())
            continue
        if not expect_value:
            raise ArgError("expected ',' between arguments", m.start(), len(raw))
        value = raw
        if kind == "quoted":
            value = unquote_name(raw)
        elif kind == "string":
            value = unescape(raw[1:-1])
        items.append(Item(value, m.start(), m.end(), key))
        key = None
        expect_value = False
    if expect_value and (items or key is not None):
        raise ArgError("missing argument", len(text), 1)
    return items


def split_pairs(text: str) -> list[Item]:
    """Split `postgresql: citext, mysql: varchar(100)` at top-level commas."""
    items: list[Item] = []
    depth = 0
    start = 0
    for i, c in enumerate(text + ","):
        if c in "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            part = text[start:i]
            key, colon, value = part.partition(":")
            if not colon or not key.strip() or not value.strip():
                raise ArgError("expected 'dialect: type'", start, max(1, len(part)))
            lead = len(value) - len(value.lstrip())
            vstart = start + len(key) + 1 + lead
            value = value.strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = unescape(value[1:-1])
            items.append(Item(value, vstart, vstart + len(value), key.strip()))
            start = i + 1
    return items
