"""The `@attribute` vocabulary: which attributes exist, where they may appear, and how
their arguments are read.

Attributes are lexed as `@name` plus the raw text of an optional parenthesised argument
list; this module turns that text into values. Keeping the vocabulary in tables means an
unknown attribute gets a "did you mean" hint and a misplaced one gets the list of those
allowed in that place. `AttributeReader` is the part of the builder (`transform.py`) that
reads the attributes and documentation strings of one item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

from schemac.diagnostics import suggest
from schemac.dsl.source import Path
from schemac.ir import Action, Sensitivity, Tag


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
    "keyless": Arg.NONE,
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
    "before_tables": Arg.NONE,
    "was": Arg.NAME,
    **{s.value: Arg.OPT_NAME for s in Sensitivity},
}

# Attributes that may be given more than once on the same item.
REPEATABLE = frozenset({"check"})

_TAGS = frozenset(s.value for s in Sensitivity)
_COLUMN = frozenset({"pk", "unique", "index", "tenant", "denormalized", "was"}) | _TAGS

# Where each attribute is allowed.
ALLOWED: dict[str, frozenset[str]] = {
    "field": _COLUMN | {"identity", "default", "check", "type"},
    "ref": _COLUMN | {"on_delete", "on_update", "columns", "name"},
    "many": frozenset({"table"}),
    "entity": _TAGS | {"table", "denormalized", "keyless", "was"},
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
    "sql": frozenset({"before_tables"}),
}

ACTIONS = {a.value: a for a in Action}
IDENTITY = ("always", "by_default", "serial")
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

RelSpans = list[tuple[Any, Any, Any]]  # see SpanGroup in source.py


@dataclass(slots=True)
class Attr:
    name: str
    args: str | None  # the text between the parentheses
    start: int
    end: int
    args_start: int  # offset of the text between the parentheses


@dataclass(slots=True)
class Doc:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class ParsedAttrs:
    """Attributes of one item, read and checked against the place they appear in."""

    values: dict[str, list[Any]]
    doc: str | None
    spans: RelSpans

    def first(self, name: str, default: Any = None) -> Any:
        got = self.values.get(name)
        return got[0] if got else default

    def __contains__(self, name: str) -> bool:
        return name in self.values


_TAG_NAMES = frozenset(s.value for s in Sensitivity)
# Argument values by (attribute, argument text): specs repeat `@on_delete(cascade)` and the
# like thousands of times, and the values are immutable.
_ARG_CACHE: dict[tuple[str, str | None], Any] = {}
_MISSING = object()


class AttributeReader:
    """Reads the attributes and documentation of an item; mixed into `Builder`."""

    if TYPE_CHECKING:  # provided by Builder
        def _error(self, code: str, message: str, start: int, end: int, **kw: Any) -> None: ...

    def _attrs(self, context: str, items: list[Any]) -> ParsedAttrs:
        """Check each attribute against `context` and read its arguments."""
        allowed = ALLOWED[context]
        values: dict[str, list[Any]] = {}
        spans: RelSpans = []
        doc: str | None = None
        for item in items:
            if isinstance(item, Doc):
                if doc is not None:
                    self._error("R127", f"the {context} already has a documentation string",
                                item.start, item.end, help="join the two strings into one")
                    continue
                doc = item.text
                spans.append((("doc",), item.start, item.end))
                continue
            attr: Attr = item
            kind = ATTRIBUTES.get(attr.name)
            at = attr.start, attr.start + 1 + len(attr.name)
            if kind is None:
                hint = suggest(attr.name, allowed) or suggest(attr.name, ATTRIBUTES)
                self._error("R111", f"unknown attribute '@{attr.name}'", *at,
                            help=_at_hint(hint, allowed))
                continue
            if attr.name not in allowed:
                where = f"a {context}" if context[0] not in "aeiou" else f"an {context}"
                self._error("R112", f"'@{attr.name}' is not allowed on {where}", *at,
                            help=_allowed_help(allowed))
                continue
            if attr.name in values and attr.name not in REPEATABLE:
                self._error("R127", f"'@{attr.name}' is given twice", *at)
                continue
            try:
                key_args = (attr.name, attr.args)
                value = _ARG_CACHE.get(key_args, _MISSING)
                if value is _MISSING:
                    value = _ARG_CACHE[key_args] = self._attr_value(attr, kind)
            except ArgError as exc:
                base = attr.args_start if attr.args is not None else at[1]
                self._error("S007", f"malformed arguments of '@{attr.name}': {exc}",
                            base + exc.offset, base + exc.offset + exc.length,
                            help=_arg_help(attr.name, kind))
                continue
            spans.append(_attr_span(attr, kind, len(values.get(attr.name, ()))))
            values.setdefault(attr.name, []).append(value)
        return ParsedAttrs(values, doc, spans)

    def _header_spans(self, items: list[Any]) -> RelSpans:
        """The spans `_attrs` records for items it found nothing wrong with."""
        spans: RelSpans = []
        seen: dict[str, int] = {}
        for item in items:
            if isinstance(item, Doc):
                spans.append((("doc",), item.start, item.end))
            else:
                spans.append(_attr_span(item, ATTRIBUTES[item.name], seen.get(item.name, 0)))
                seen[item.name] = seen.get(item.name, 0) + 1
        return spans

    def _attr_value(self, attr: Attr, kind: Arg) -> Any:
        text = attr.args
        if kind is Arg.NONE:
            if text is not None and text.strip():
                raise ArgError(f"'@{attr.name}' takes no arguments", 0, len(text))
            return True
        if kind is Arg.EXPR:
            if text is None or not text.strip():
                raise ArgError("an expression is required", 0, 1)
            return text.strip()
        if kind is Arg.PAIRS:
            return split_pairs(text or "")
        items = split_items(text or "")
        if any(i.key is not None for i in items):
            bad = next(i for i in items if i.key is not None)
            raise ArgError("unexpected 'name:' here", bad.start, bad.end - bad.start)
        if kind is Arg.OPT_NAME:
            if len(items) > 1:
                raise ArgError("expected at most one name", items[1].start)
            return items[0].value if items else None
        if not items:
            raise ArgError("an argument is required", 0, 1)
        if kind is Arg.NAMES:
            return tuple(i.value for i in items)
        if len(items) > 1:
            raise ArgError("expected one argument", items[1].start, items[1].end - items[1].start)
        return items[0].value

    def _choice(self, attr: str, value: str | None, options: Any, attrs: ParsedAttrs) -> bool:
        if value is None or value in options:
            return True
        span = next((s for s in attrs.spans if s[0][:2] == ("attr", attr)), None)
        start, end = (span[1], span[2]) if span else (0, 0)
        self._error("R138", f"'{value}' is not a valid value for '@{attr}'", start, end,
                    help=suggest(value, options) or "expected one of: " + ", ".join(options))
        return False

    def _tags(self, attrs: ParsedAttrs) -> tuple[Tag, ...]:
        if not attrs.values:
            return ()
        return tuple(Tag(kind=Sensitivity(k), category=attrs.first(k))
                     for k in attrs.values if k in _TAG_NAMES)

    def _action(self, attrs: ParsedAttrs, name: str) -> Action:
        value = attrs.first(name)
        if value is None or not self._choice(name, value, ACTIONS, attrs):
            return Action.NO_ACTION
        return ACTIONS[value]

    def _item_error(self, attrs: ParsedAttrs, attr: str, item: Item, code: str, msg: str,
                    hint: str | None) -> None:
        span = next((s for s in attrs.spans if s[0][:2] == ("attr", attr)), None)
        base = span[1] if span else 0
        self._error(code, msg, base, span[2] if span else 0, help=hint)


def _attr_span(attr: Attr, kind: Arg, index: int) -> tuple[Path, int, int]:
    """Where an attribute is: its expression for one that takes an expression, else all of it.
    A repeatable attribute is numbered."""
    key: Path = ("attr", attr.name, index) if attr.name in REPEATABLE else ("attr", attr.name)
    if kind is Arg.EXPR and attr.args is not None:
        lead = len(attr.args) - len(attr.args.lstrip())
        return key, attr.args_start + lead, attr.args_start + len(attr.args.rstrip())
    return key, attr.start, attr.end


def _at_hint(hint: str | None, allowed: frozenset[str]) -> str:
    if hint and hint.startswith("did you mean '"):
        return hint.replace("did you mean '", "did you mean '@")
    return _allowed_help(allowed)


def _allowed_help(allowed: frozenset[str]) -> str:
    if not allowed:
        return "no attributes are allowed here"
    return "allowed here: " + ", ".join(f"@{a}" for a in sorted(allowed))


def _arg_help(name: str, kind: Arg) -> str:
    return {
        Arg.NONE: f"write '@{name}' without parentheses",
        Arg.EXPR: f"for example @{name}(price >= 0)",
        Arg.NAME: f"for example @{name}(some_name)",
        Arg.OPT_NAME: f"for example @{name} or @{name}(category)",
        Arg.NAMES: f"for example @{name}(a, b)",
        Arg.STRING: f'for example @{name}("the reason")',
        Arg.PAIRS: f'for example @{name}(postgresql: citext, mysql: "varchar(320)")',
    }[kind]
