"""Print a declared schema as canonical `.schema` text (`schemac fmt`).

The layout: two-space indentation, field types aligned within a run of fields, attributes in
one order, documentation strings after the name (declarations) or at the end (members), and
single blank lines kept where the source had them. When the source map and comments of a
parsed file are given, declarations and members keep their source order and every comment
is kept, attached to the item it precedes or trails; without them (a generated schema) items
come in a fixed order. `parse_text(format_schema(s)).schema == s` for any schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemac.dsl.source import Path, SourceFile, SourceMap
from schemac.ir import (
    AccessPattern,
    Action,
    Check,
    Dependency,
    Entity,
    Enum,
    Field,
    ForeignKey,
    Index,
    Link,
    Policy,
    PrimaryKey,
    Schema,
    Unique,
)

INDENT = "  "
WIDTH = 100
_BARE = re.compile(r"[^\W\d]\w*")


def name(text: str) -> str:
    """A name as written in a spec: bare when it lexes as one, else in backquotes."""
    if _BARE.fullmatch(text):
        return text
    return "`" + text.replace("`", "``") + "`"


def string(text: str) -> str:
    """A documentation string literal that parses back to `text`."""
    if "\n" in text and _long_ok(text):
        return '"""\n' + "\n".join(INDENT + line if line else "" for line in text.split("\n")) + '\n"""'
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\u{{{ord(c):x}}}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def sql_body(text: str) -> str:
    """The body of a `sql` block: a triple-quoted string holding the SQL as it reads, when it
    survives the trip (backslashes escaped); a one-line string otherwise."""
    import inspect

    from schemac.dsl.attributes import unescape

    if "\t" in text or "\r" in text or any(ord(c) < 32 and c != "\n" for c in text):
        return string(text)
    body = text.replace("\\", "\\\\")
    if '"""' in body:
        body = body.replace('"', '\\"')
    inner = "\n" + "\n".join(INDENT + line if line else "" for line in body.split("\n")) + "\n"
    if inspect.cleandoc(unescape(inner)) != text:
        return string(text)
    return '"""' + inner + '"""'


def _long_ok(text: str) -> bool:
    """Whether a multi-line string survives the trip through a triple-quoted literal,
    whose content is cleaned like a docstring (indentation and blank edges removed)."""
    import inspect

    if any(c in text for c in '\\"\t\r') or any(ord(c) < 32 and c != "\n" for c in text):
        return False
    wrapped = "\n" + "\n".join(INDENT + line if line else "" for line in text.split("\n")) + "\n"
    return inspect.cleandoc(wrapped) == text


def names(items: Sequence[str]) -> str:
    return ", ".join(name(i) for i in items)


# -- attributes -------------------------------------------------------------------------------


def _attr(n: str, arg: str | None = None) -> str:
    return f"@{n}" if arg is None else f"@{n}({arg})"


def _tags(tags: Sequence[Any]) -> list[str]:
    return [_attr(t.kind.value, name(t.category) if t.category else None) for t in tags]


def _action(attr: str, action: Action) -> list[str]:
    return [] if action is Action.NO_ACTION else [_attr(attr, action.value)]


def _opt(attr: str, value: str | None) -> list[str]:
    return [] if value is None else [_attr(attr, name(value))]


def field_attrs(f: Field) -> list[str]:
    out: list[str] = []
    if f.primary_key:
        out.append("@pk")
    if f.identity:
        out.append("@identity" if f.identity == "by_default" else f"@identity({f.identity})")
    if f.unique:
        out.append("@unique")
    if f.indexed:
        out.append("@index")
    if f.default is not None:
        out.append(_attr("default", f.default))
    out.extend(_attr("check", c) for c in f.checks)
    if f.ref is not None:
        out += _action("on_delete", f.ref.on_delete) + _action("on_update", f.ref.on_update)
        if f.ref.columns:
            out.append(_attr("columns", names(f.ref.columns)))
        out += _opt("name", f.ref.constraint)
    if f.overrides:
        out.append(_attr("type", ", ".join(f"{o.dialect}: {_sql_type(o.sql)}" for o in f.overrides)))
    if f.tenant:
        out.append("@tenant")
    out += _tags(f.tags)
    if f.denormalized is not None:
        out.append(_attr("denormalized", string(f.denormalized)))
    out += _opt("was", f.was)
    return out


def _sql_type(sql: str) -> str:
    return sql if _BARE.fullmatch(sql) else string(sql)


def field_type(f: Field) -> str:
    if f.ref is not None:
        target = name(f.ref.target)
        if f.ref.target_columns:
            target += f"({names(f.ref.target_columns)})"
        return f"ref {target}" + ("?" if f.nullable else "")
    assert f.type is not None
    params = f"({', '.join(map(str, f.type.params))})" if f.type.params else ""
    return f"{name(f.type.name)}{params}" + ("?" if f.nullable else "")


def _join(*parts: Any) -> str:
    return " ".join(p for p in parts if p)


def member_text(m: Any) -> str:
    """One entity-level member (not a field) on one line."""
    if isinstance(m, PrimaryKey):
        return _join(f"primary key ({names(m.columns)})", *_opt("name", m.name))
    if isinstance(m, Unique):
        return _join(f"unique ({names(m.columns)})", *_opt("name", m.name))
    if isinstance(m, Index):
        cols = ", ".join((name(c.column) if c.column else f"({c.expression})") + (" desc" if c.descending else "")
                         for c in m.columns)
        attrs = (["@unique"] if m.unique else []) + ([_attr("where", m.where)] if m.where else [])
        attrs += _opt("using", m.method) + _opt("name", m.name)
        return _join(f"index ({cols})", *attrs)
    if isinstance(m, Check):
        return _join(f"check ({m.expression})", *_opt("name", m.name))
    if isinstance(m, ForeignKey):
        return _join(f"foreign key ({names(m.columns)}) references {name(m.target)} ({names(m.target_columns)})",
                     *_action("on_delete", m.on_delete), *_action("on_update", m.on_update), *_opt("name", m.name))
    if isinstance(m, AccessPattern):
        return _access(m)
    if isinstance(m, Policy):
        attrs = []
        if m.command != "all":
            attrs.append(_attr("for", m.command))
        if m.roles:
            attrs.append(_attr("to", names(m.roles)))
        if m.check is not None:
            attrs.append(_attr("check", m.check))
        if m.restrictive:
            attrs.append("@restrictive")
        using = f" using ({m.using})" if m.using is not None else ""
        return _join(f"policy {name(m.name)}{using}", *attrs, string(m.doc) if m.doc else "")
    if isinstance(m, Dependency):
        attrs = [_attr("denormalized", string(m.denormalized))] if m.denormalized is not None else []
        return _join(f"fd ({names(m.determinant)}) -> ({names(m.dependent)})", *attrs,
                     string(m.doc) if m.doc else "")
    raise TypeError(m)


def _value(v: str) -> str:
    if v == "?" or v.startswith("'") or re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", v):
        return v
    return name(v)


def _access(a: AccessPattern) -> str:
    preds = []
    for p in a.predicates:
        col = name(p.column)
        if p.op == "between":
            preds.append(f"{col} between {_value(p.values[0])} and {_value(p.values[1])}")
        elif p.op in ("is null", "is not null"):
            preds.append(f"{col} {p.op}")
        else:
            preds.append(f"{col} {p.op} {_value(p.values[0])}")
    parts = [f"access {name(a.name)}:", " and ".join(preds)]
    if a.order_by:
        parts.append("order by " + ", ".join(name(o.column) + (" desc" if o.descending else "") for o in a.order_by))
    if a.limit is not None:
        parts.append(f"limit {a.limit}")
    if a.doc:
        parts.append(string(a.doc))
    return _join(*parts)


# -- layout -----------------------------------------------------------------------------------


@dataclass
class _Item:
    """Something printed on its own line(s), with the path that locates it in the source."""

    path: Path
    kind: str  # "field", "member", "decl"
    value: Any
    order: int  # canonical position, used when the source position is unknown


@dataclass
class _Comments:
    source: SourceFile | None
    source_map: SourceMap | None
    pending: list[tuple[int, int, str]] = field(default_factory=list)

    def start(self, path: Path) -> int | None:
        if self.source_map is None:
            return None
        span = self.source_map.spans.get(path)
        return span.start if span else None

    def end(self, path: Path) -> int | None:
        if self.source_map is None:
            return None
        span = self.source_map.spans.get(path)
        return span.end if span else None

    def leading(self, before: int | None) -> list[tuple[int, int, str]]:
        """Comments that start before `before` and have not been printed."""
        if before is None:
            return []
        out = [c for c in self.pending if c[0] < before]
        self.pending = [c for c in self.pending if c[0] >= before]
        return out

    def first_between(self, after: int, before: int) -> int:
        """Where the first comment on a line of its own between two offsets starts, else
        `before` (a comment at the end of the line `after` is on trails the item before)."""
        assert self.source is not None
        text = self.source.text
        return next((c[0] for c in self.pending if after <= c[0] < before and "\n" in text[after:c[0]]), before)

    def trailing(self, end: int | None, opening: bool = False) -> str | None:
        """A `//` comment later on the line that ends at `end`, with only punctuation between:
        a ',' after an enum value, or (`opening`) the rest of a header up to its '{'."""
        if end is None or self.source is None or not self.pending:
            return None
        c = self.pending[0]
        if c[0] < end or not c[2].startswith("//"):
            return None
        between = self.source.text[end:c[0]]
        if "\n" in between:
            return None
        rest = between.strip()
        if rest.endswith("{") if opening else rest in ("", ","):
            self.pending.pop(0)
            return c[2]
        return None

    def blank_between(self, previous_end: int | None, start: int | None) -> bool:
        if start is None or previous_end is None or self.source is None:
            return False
        gap = self.source.text[previous_end:start]
        gap = re.sub(r"//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/", "#", gap)
        return any(not line.strip() for line in gap.split("\n")[1:-1])


class Formatter:
    def __init__(self, schema: Schema, source_map: SourceMap | None = None, source: SourceFile | None = None,
                 comments: Sequence[tuple[str, int, int]] = ()) -> None:
        self.schema = schema
        self.c = _Comments(source, source_map, sorted((s, e, t) for t, s, e in comments))
        self.lines: list[str] = []

    def _sorted(self, items: list[_Item]) -> list[_Item]:
        known = [self.c.start(i.path) for i in items]
        if all(k is not None for k in known):
            return [i for _, i in sorted(zip(known, items, strict=True), key=lambda p: (p[0], p[1].order))]
        return sorted(items, key=lambda i: i.order)

    def emit(self, depth: int, text: str) -> None:
        pad = INDENT * depth
        self.lines.extend(pad + line if line else "" for line in text.split("\n"))

    def emit_comments(self, depth: int, comments: list[tuple[int, int, str]], before: int | None) -> None:
        """Print leading comments, keeping a blank line after any that had one."""
        for i, (_, end, text) in enumerate(comments):
            self.emit(depth, text)
            following = comments[i + 1][0] if i + 1 < len(comments) else before
            if self.c.blank_between(end, following):
                self.lines.append("")

    def emit_leading(self, depth: int, before: int | None) -> None:
        self.emit_comments(depth, self.c.leading(before), before)

    def format(self) -> str:
        s = self.schema
        items: list[_Item] = []
        for i, imp in enumerate(s.imports):
            items.append(_Item(("import", i), "import", imp, i))
        base = len(items)
        for i, en in enumerate(s.enums):
            items.append(_Item(("enum", en.name), "enum", en, base + i))
        base = len(items)
        for i, ent in enumerate(s.entities):
            items.append(_Item(("entity", ent.name), "entity", ent, base + i))
        base = len(items)
        for i, raw in enumerate(s.raw_sql):
            items.append(_Item(("sql", raw.name), "sql", raw, base + i))
        ordered = self._sorted(items)
        previous_kind: str | None = None
        current_module: str | None = None
        documented: set[str] = set()
        for item in ordered:
            module = getattr(item.value, "module", None)
            if module != current_module:
                if current_module is not None:
                    self.emit(0, "}")
                if module is not None:
                    if self.lines:
                        self.lines.append("")
                    self.emit_leading(0, self.c.start(item.path))
                    mod = s.module(module)
                    doc = f" {string(mod.doc)}" if mod and mod.doc and module not in documented else ""
                    documented.add(module)
                    self.emit(0, f"module {name(module)}{doc} {{")
                current_module = module
                previous_kind = None
            depth = 1 if module is not None else 0
            start = self.c.start(item.path)
            if self.lines and self.lines[-1] != "" and not self.lines[-1].endswith("{") and not (
                    item.kind == "import" and previous_kind == "import"):
                self.lines.append("")
            self.emit_leading(depth, start)
            if item.kind == "import":
                self.emit(depth, f"import {string(item.value)}")
                self._trail(self.c.end(item.path))
            elif item.kind == "enum":
                self.enum(depth, item.value)
            elif item.kind == "sql":
                raw = item.value
                early = " @before_tables" if raw.before_tables else ""
                self.emit(depth, f"sql {name(raw.name)} for {names(raw.dialects)}{early} {sql_body(raw.sql)}")
                self._trail(self.c.end(item.path))
            else:
                self.entity(depth, item.value)
            previous_kind = item.kind
        if current_module is not None:
            self.emit(0, "}")
        rest = self.c.leading(10**12)
        if rest:
            if self.lines:
                self.lines.append("")
            self.emit_comments(0, rest, None)
        return "\n".join(self.lines).rstrip("\n") + "\n" if self.lines else ""

    def _trail(self, end: int | None, opening: bool = False) -> None:
        comment = self.c.trailing(end, opening)
        if comment:
            self.lines[-1] += f" {comment}"

    def _header(self, kw: str, n: str, doc: str | None, attrs: list[str]) -> str:
        return _join(kw, name(n), string(doc) if doc else "", *attrs)

    def enum(self, depth: int, e: Enum) -> None:
        path = ("enum", e.name)
        head = self._header("enum", e.name, e.doc, [])
        inner_comments = any(self.c.start((*path, "value", v.name)) is not None and self.c.pending and
                             self.c.pending[0][0] < (self.c.end(path) or 0) for v in e.values)
        one_line = f"{head} {{ {', '.join(name(v.name) for v in e.values)} }}"
        if not any(v.doc for v in e.values) and not inner_comments and len(INDENT * depth + one_line) <= WIDTH:
            self.emit(depth, one_line)
            self._trail(self.c.end(path))
            return
        self.emit(depth, f"{head} {{")
        for v in e.values:
            vpath = (*path, "value", v.name)
            self.emit_leading(depth + 1, self.c.start(vpath))
            self.emit(depth + 1, _join(name(v.name), string(v.doc) if v.doc else "") + ",")
            self._trail(self.c.end(vpath))
        self.emit_leading(depth + 1, self.c.end(path))
        self.emit(depth, "}")

    def entity(self, depth: int, e: Entity) -> None:
        path = ("entity", e.name)
        attrs = _tags(e.tags) + _opt("table", e.table) + _opt("was", e.was) + (["@keyless"] if e.keyless else [])
        if e.denormalized is not None:
            attrs.append(_attr("denormalized", string(e.denormalized)))
        self.emit(depth, self._header("entity", e.name, e.doc, attrs) + " {")
        self._trail(self.c.end((*path, "name")), opening=True)
        self.members(depth + 1, path, self._entity_items(path, e))
        self.emit_leading(depth + 1, self.c.end(path))
        self.emit(depth, "}")

    def _entity_items(self, path: Path, e: Entity) -> list[_Item]:
        items: list[_Item] = []
        n = 0

        def add(sub: Path, kind: str, value: Any) -> None:
            nonlocal n
            items.append(_Item((*path, *sub), kind, value, n))
            n += 1

        for f in e.fields:
            add(("field", f.name), "field", f)
        for lk in e.links:
            add(("link", lk.name), "field", lk)
        if e.primary_key is not None:
            add(("primary key",), "member", e.primary_key)
        for group, kind in ((e.uniques, "unique"), (e.indexes, "index"), (e.checks, "check"),
                            (e.foreign_keys, "foreign key")):
            for i, m in enumerate(group):
                add((kind, i), "member", m)
        for a in e.access_patterns:
            add(("access", a.name), "access", a)
        for p in e.policies:
            add(("policy", p.name), "policy", p)
        for i, d in enumerate(e.dependencies):
            add(("fd", i), "fd", d)
        return items

    def members(self, depth: int, path: Path, items: list[_Item]) -> None:
        ordered = self._sorted(items)
        runs = list(self._runs(ordered))
        for r, run in enumerate(runs):
            if r and run[1]:
                self.lines.append("")
            width = max((len(name(i.value.name)) + 1 for i in run[0] if i.kind == "field"), default=0)
            for item in run[0]:
                self.emit_leading(depth, self.c.start(item.path))
                if item.kind == "field":
                    self.field(depth, item.path, item.value, width)
                else:
                    self.emit(depth, member_text(item.value))
                    self._trail(self.c.end(item.path))

    def _runs(self, items: list[_Item]) -> Iterator[tuple[list[_Item], bool]]:
        """Split members into blocks separated by blank lines (from the source, or between
        kinds of member when there is no source)."""
        run: list[_Item] = []
        blank = False
        previous: _Item | None = None
        for item in items:
            if previous is not None:
                start, end = self.c.start(item.path), self.c.end(previous.path)
                if start is not None and end is not None:
                    split = self.c.blank_between(end, self.c.first_between(end, start))
                else:
                    split = _group(item) != _group(previous)
                if split:
                    yield run, blank
                    run, blank = [], True
            run.append(item)
            previous = item
        if run:
            yield run, blank

    def field(self, depth: int, path: Path, f: Field | Link, width: int) -> None:
        head = (name(f.name) + ":").ljust(width)
        if isinstance(f, Link):
            attrs = _opt("table", f.table)
            text = _join(f"{head} many {name(f.target)}", *attrs, string(f.doc) if f.doc else "")
            if not f.fields:
                self.emit(depth, text)
                self._trail(self.c.end(path))
                return
            self.emit(depth, text + " {")
            inner = [_Item((*path, "field", x.name), "field", x, i) for i, x in enumerate(f.fields)]
            self.members(depth + 1, path, inner)
            self.emit(depth, "}")
            return
        text = _join(f"{head} {field_type(f)}", *field_attrs(f), string(f.doc) if f.doc else "")
        self.emit(depth, text)
        self._trail(self.c.end(path))


def _group(item: _Item) -> int:
    if item.kind == "field":
        return 0
    if item.kind == "member":
        return 1
    return {"access": 2, "policy": 3, "fd": 4}[item.kind]


def format_schema(schema: Schema, source_map: SourceMap | None = None, source: SourceFile | None = None,
                  comments: Sequence[tuple[str, int, int]] = ()) -> str:
    """Canonical text of a declared schema.

    Args:
        schema: a declared schema (one file's worth).
        source_map, source, comments: from the parse of that file, to keep its order,
            blank lines and comments; leave them out for a generated schema.

    Example:
        >>> from schemac.dsl.parser import parse_text
        >>> print(format_schema(parse_text("entity a{id:int @pk}").schema), end="")
        entity a {
          id: int @pk
        }
    """
    return Formatter(schema, source_map, source, comments).format()
