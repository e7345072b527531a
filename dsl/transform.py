"""Turn parse-tree nodes into the declared model, recording a span for every node.

`Builder` has one method per grammar rule (or alias), taking `(span, children)` where `span`
is the node's `(start, end)` offsets and a token is a `(terminal, text, start, end)` tuple.
The recursive-descent parser in `fastparse.py` calls these methods as it recognizes each
rule, without building a tree; on the error path, `parser.py` runs them over lark's tree
through a lark `Transformer`. Either way the model and source map are the same.

Inner rules return small records that carry spans relative to their owner; `entity_decl`,
`enum_decl` and `start` turn them into absolute source-map paths. Problems that can be seen
here (unknown or misplaced attributes, malformed arguments, duplicates) become diagnostics;
the builder never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemac.diagnostics import Diagnostic, error, suggest
from schemac.dsl.attributes import (
    IDENTITY,
    INDEX_METHODS,
    POLICY_COMMANDS,
    Attr,
    AttributeReader,
    Doc,
    ParsedAttrs,
    unescape,
    unquote_name,
)
from schemac.dsl.source import Path, SourceFile, SourceMap, Span
from schemac.ir import (
    DIALECTS,
    AccessPattern,
    Check,
    Dependency,
    Entity,
    Enum,
    EnumValue,
    Field,
    ForeignKey,
    Index,
    IndexColumn,
    Link,
    Module,
    OrderItem,
    Policy,
    Predicate,
    PrimaryKey,
    RawSql,
    Reference,
    Schema,
    Type,
    TypeOverride,
    Unique,
)

Name = tuple[str, int, int]  # text, start, end
RelSpans = list[tuple[Path, Any, Any]]  # see SpanGroup in source.py


@dataclass(slots=True)
class TypeSpec:
    kind: str  # "type", "ref" or "many"
    name: Name
    start: int
    end: int
    params: tuple[int, ...] = ()
    nullable: bool = False
    target_columns: tuple[Name, ...] = ()


@dataclass(slots=True)
class Member:
    kind: str
    key: str | None  # the member's name, when it has one
    value: Any
    start: int
    end: int
    spans: RelSpans = field(default_factory=list)


@dataclass(slots=True)
class Decl:
    kind: str  # "entity", "enum", "module" or "import"
    name: str
    value: Any
    start: int
    end: int
    spans: RelSpans
    members: list[Decl] = field(default_factory=list)


Token = tuple[str, str, int, int]  # (type, text, start, end)
Span2 = tuple[int, int]  # a node's (start, end) offsets


class Builder(AttributeReader):
    """Builds a declared `Schema` and its `SourceMap` from one file."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.source_map = SourceMap()
        self.diagnostics: list[Diagnostic] = []

    # -- helpers -----------------------------------------------------------------------

    def _span(self, start: int, end: int) -> Span:
        return Span(self.source, start, end)

    def _error(self, code: str, message: str, start: int, end: int, **kw: Any) -> None:
        self.diagnostics.append(error(code, message, span=self._span(start, end), **kw))

    # -- terminals and small rules -----------------------------------------------------

    def name(self, span: Span2, children: list[Token]) -> Name:
        tok = children[0]
        text = tok[1]
        if tok[0] == "QUOTED_NAME":
            text = unquote_name(text)
        return (text, tok[2], tok[3])  # type: ignore[return-value]

    def name_list(self, span: Span2, children: list[Name]) -> list[Name]:
        return children

    def doc(self, span: Span2, children: list[Token]) -> Doc:
        tok = children[0]
        raw = tok[1]
        if tok[0] == "LONG_STRING":
            text = _clean_long(unescape(raw[3:-3]))
        else:
            text = unescape(raw[1:-1])
        return Doc(text, tok[2], tok[3])  # type: ignore[arg-type]

    def attr(self, span: Span2, children: list[Token]) -> Attr:
        head = children[0]
        start, end = head[2], head[3]
        args = None
        args_start = end
        if len(children) > 1:
            raw = children[1]
            args = raw[1][1:-1]
            args_start = raw[2] + 1  # type: ignore[operator]
            end = raw[3]
        return Attr(head[1][1:], args, start, end, args_start)  # type: ignore[arg-type]

    def type_args(self, span: Span2, children: list[Token]) -> tuple[int, ...]:
        return tuple(int(c[1]) for c in children)

    def type_ref(self, span: Span2, children: list[Any]) -> TypeSpec:
        start, end = span
        params = children[1] if len(children) > 1 else ()
        return TypeSpec("type", children[0], start, end, params)

    def nullable(self, span: Span2, children: list[TypeSpec]) -> TypeSpec:
        spec = children[0]
        spec.nullable = True
        spec.end = span[1]
        return spec

    def ref(self, span: Span2, children: list[Any]) -> TypeSpec:
        start, end = span
        target = tuple(children[1]) if len(children) > 1 else ()
        return TypeSpec("ref", children[0], start, end, target_columns=target)

    def nullable_ref(self, span: Span2, children: list[Any]) -> TypeSpec:
        spec = self.ref(span, children)
        spec.nullable = True
        return spec

    def many(self, span: Span2, children: list[Name]) -> TypeSpec:
        start, end = span
        return TypeSpec("many", children[0], start, end)

    def ref_target(self, span: Span2, children: list[list[Name]]) -> list[Name]:
        return children[0]

    def link_fields(self, span: Span2, children: list[Member]) -> list[Member]:
        return children

    def sort(self, span: Span2, children: list[Token]) -> bool:
        return children[0][0] == "DESC"

    # -- fields --------------------------------------------------------------------------

    def field(self, span: Span2, children: list[Any]) -> Member:
        name: Name = children[0]
        spec: TypeSpec = children[1]
        if len(children) == 2 and spec.kind == "type":  # the common case: no attributes
            start, end = span
            plain = (name[0], spec.name[0], spec.params, spec.nullable)
            value = _PLAIN_FIELDS.get(plain)
            if value is None:
                value = _PLAIN_FIELDS[plain] = Field(name=name[0], type=_type(spec.name[0], spec.params),
                                                     nullable=spec.nullable)
            return Member("field", name[0], value, start, end, [((), start, end), (("name",), name[1], name[2]),
                                                               (("type",), spec.start, spec.end)])
        rest = children[2:]
        extra: list[Member] = []
        if rest and isinstance(rest[-1], list):
            extra = rest.pop()
        start, end = span
        key = None
        if not extra:  # specs repeat fields (`id: uuid @pk @default(uuid())`): reuse the model
            key = (name[0], spec.kind, spec.name[0], spec.params, spec.nullable,
                   tuple(n[0] for n in spec.target_columns),
                   tuple((a.name, a.args) if isinstance(a, Attr) else (None, a.text) for a in rest))
            cached = _FIELDS.get(key)
            if cached is not None:
                return Member("field", name[0], cached, start, end,
                              [((), start, end), (("name",), name[1], name[2]), (("type",), spec.start, spec.end),
                               *self._header_spans(rest)])
        problems = len(self.diagnostics)
        member = self._field(name, spec, rest, extra, span)
        if key is not None and member.kind == "field" and len(self.diagnostics) == problems:
            _FIELDS[key] = member.value
        return member

    def _field(self, name: Name, spec: TypeSpec, rest: list[Any], extra: list[Member], span: Span2) -> Member:
        start, end = span
        attrs = self._attrs("field" if spec.kind == "type" else spec.kind, rest)
        spans: RelSpans = [((), start, end), (("name",), name[1], name[2]),
                           (("type",), spec.start, spec.end), *attrs.spans]
        if spec.kind == "many":
            if spec.nullable:
                self._error("S001", "a 'many' relationship cannot be nullable", spec.start, spec.end)
            link = Link(name=name[0], target=spec.name[0], table=attrs.first("table"),
                        fields=tuple(m.value for m in extra), doc=attrs.doc)
            for m in extra:
                spans.append((("field", m.key or ""), None, m.spans))
            return Member("link", name[0], link, start, end, spans)
        if extra:
            self._error("S001", "only a 'many' relationship takes a block of fields",
                        extra[0].start, extra[-1].end)
        identity = None
        if "identity" in attrs:
            identity = attrs.first("identity") or "by_default"
            if not self._choice("identity", identity, IDENTITY, attrs):
                identity = None
        ref = None
        if spec.kind == "ref":
            ref = Reference(target=spec.name[0],
                            target_columns=tuple(n[0] for n in spec.target_columns),
                            columns=attrs.first("columns", ()),
                            on_delete=self._action(attrs, "on_delete"),
                            on_update=self._action(attrs, "on_update"),
                            constraint=attrs.first("name"))
        overrides = []
        for item in attrs.first("type", ()):
            if item.key not in DIALECTS:
                self._item_error(attrs, "type", item, "R125", f"unknown dialect '{item.key}'",
                                 suggest(item.key, DIALECTS, "dialects"))
                continue
            overrides.append(TypeOverride(dialect=item.key, sql=item.value))
        values = attrs.values
        given: dict[str, Any] = {"name": name[0], "nullable": spec.nullable}
        if spec.kind == "type":
            given["type"] = _type(spec.name[0], spec.params)
        if ref is not None:
            given["ref"] = ref
        for flag, key in (("pk", "primary_key"), ("unique", "unique"), ("index", "indexed"), ("tenant", "tenant")):
            if flag in values:
                given[key] = True
        if identity is not None:
            given["identity"] = identity
        for key in ("default", "denormalized", "was"):
            if key in values:
                given[key] = values[key][0]
        if "check" in values:
            given["checks"] = tuple(values["check"])
        if attrs.doc is not None:
            given["doc"] = attrs.doc
        tags = self._tags(attrs)
        if tags:
            given["tags"] = tags
        if overrides:
            given["overrides"] = tuple(overrides)
        value = Field(**given)
        return Member("field", name[0], value, start, end, spans)

    # -- entity-level members -------------------------------------------------------------

    def primary_key(self, span: Span2, children: list[Any]) -> Member:
        cols, attrs = children[0], self._attrs("primary key", children[1:])
        value = PrimaryKey(columns=_names(cols), name=attrs.first("name"))
        return self._member("primary key", None, value, span, attrs, cols)

    def unique(self, span: Span2, children: list[Any]) -> Member:
        cols, attrs = children[0], self._attrs("unique", children[1:])
        value = Unique(columns=_names(cols), name=attrs.first("name"))
        return self._member("unique", None, value, span, attrs, cols)

    def index_item(self, span: Span2, children: list[Any]) -> tuple[IndexColumn, Name]:
        name = children[0]
        desc = bool(children[1]) if len(children) > 1 else False
        return _shared(IndexColumn, column=name[0], descending=desc), name

    def expr_item(self, span: Span2, children: list[Any]) -> tuple[IndexColumn, Name]:
        tok = children[0]
        text = tok[1][1:-1].strip()
        desc = bool(children[1]) if len(children) > 1 else False
        lead = len(tok[1][1:]) - len(tok[1][1:].lstrip())
        start = tok[2] + 1 + lead
        return IndexColumn(expression=text, descending=desc), (text, start, start + len(text))

    def index(self, span: Span2, children: list[Any]) -> Member:
        items = [c for c in children if isinstance(c, tuple)]
        attrs = self._attrs("index", [c for c in children if not isinstance(c, tuple)])
        method = attrs.first("using")
        if method is not None and not self._choice("using", method, INDEX_METHODS, attrs):
            method = None
        value = Index(columns=tuple(i[0] for i in items), name=attrs.first("name"),
                      unique="unique" in attrs, where=attrs.first("where"), method=method)
        return self._member("index", None, value, span, attrs, [i[1] for i in items])

    def check(self, span: Span2, children: list[Any]) -> Member:
        tok = children[0]
        attrs = self._attrs("check", children[1:])
        raw = tok[1][1:-1]
        text = raw.strip()
        if not text:
            self._error("S006", "a check needs an expression", tok[2], tok[3])
        value = Check(expression=text or "true", name=attrs.first("name"))
        member = self._member("check", None, value, span, attrs, [])
        lead = len(raw) - len(raw.lstrip())
        member.spans.append((("expr",), tok[2] + 1 + lead, tok[2] + 1 + lead + len(text)))
        return member

    def foreign_key(self, span: Span2, children: list[Any]) -> Member:
        cols, target, target_cols = children[0], children[1], children[2]
        attrs = self._attrs("foreign key", children[3:])
        value = ForeignKey(columns=_names(cols), target=target[0], target_columns=_names(target_cols),
                           on_delete=self._action(attrs, "on_delete"),
                           on_update=self._action(attrs, "on_update"), name=attrs.first("name"))
        member = self._member("foreign key", None, value, span, attrs, cols)
        member.spans.append((("target",), target[1], target[2]))
        member.spans.extend((("target", "column", n[0]), n[1], n[2]) for n in target_cols)
        return member

    def access(self, span: Span2, children: list[Any]) -> Member:
        name, preds, order, limit = children[:4]
        attrs = self._attrs("access", children[4:])
        preds = preds or []
        value = AccessPattern(name=name[0], predicates=tuple(p[0] for p in preds),
                              order_by=tuple(o[0] for o in order or ()),
                              limit=limit, doc=attrs.doc)
        cols = [p[1] for p in preds] + [o[1] for o in order or ()]
        member = self._member("access", name[0], value, span, attrs, cols)
        member.spans.append((("name",), name[1], name[2]))
        return member

    def policy(self, span: Span2, children: list[Any]) -> Member:
        name, tok = children[0], children[1]
        attrs = self._attrs("policy", children[2:])
        command = attrs.first("for", "all")
        if not self._choice("for", command, POLICY_COMMANDS, attrs):
            command = "all"
        raw = tok[1][1:-1] if tok is not None else None
        value = Policy(name=name[0], command=command, using=raw.strip() if raw is not None else None,
                       check=(attrs.values.get("check") or [None])[0],
                       roles=attrs.first("to", ()), restrictive="restrictive" in attrs, doc=attrs.doc)
        member = self._member("policy", name[0], value, span, attrs, [])
        member.spans.append((("name",), name[1], name[2]))
        if raw is not None:
            lead = len(raw) - len(raw.lstrip())
            start = tok[2] + 1 + lead
            member.spans.append((("expr",), start, start + len(raw.strip())))
        return member

    def fd(self, span: Span2, children: list[Any]) -> Member:
        lhs, rhs = children[0], children[1]
        attrs = self._attrs("fd", children[2:])
        value = Dependency(determinant=_names(lhs), dependent=_names(rhs), doc=attrs.doc,
                           denormalized=attrs.first("denormalized"))
        return self._member("fd", None, value, span, attrs, lhs + rhs)

    def _member(self, kind: str, key: str | None, value: Any, span: Span2, attrs: ParsedAttrs,
                cols: list[Name]) -> Member:
        start, end = span
        spans: RelSpans = [((), start, end), *attrs.spans]
        spans.extend((("column", n[0]), n[1], n[2]) for n in cols)
        if attrs.doc is not None and "doc" not in type(value).model_fields:
            doc_span = next(s for s in attrs.spans if s[0] == ("doc",))
            self._error("R112", f"a {kind} cannot have a documentation string", doc_span[1], doc_span[2])
        return Member(kind, key, value, start, end, spans)

    # -- access patterns ------------------------------------------------------------------

    def predicates(self, span: Span2, children: list[Any]) -> list[Any]:
        return children

    def eq(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        return _shared(Predicate, column=children[0][0], op="=", values=(children[1],)), children[0]

    def range(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        op = children[1][1]
        return Predicate(column=children[0][0], op=op, values=(children[2],)), children[0]  # type: ignore[arg-type]

    def between(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        return Predicate(column=children[0][0], op="between", values=(children[1], children[2])), children[0]

    def in_(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        return Predicate(column=children[0][0], op="in", values=(children[1],)), children[0]

    def is_null(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        return Predicate(column=children[0][0], op="is null"), children[0]

    def is_not_null(self, span: Span2, children: list[Any]) -> tuple[Predicate, Name]:
        return Predicate(column=children[0][0], op="is not null"), children[0]

    def param(self, span: Span2, children: list[Any]) -> str:
        return "?"

    def string(self, span: Span2, children: list[Token]) -> str:
        return children[0][1]

    def number(self, span: Span2, children: list[Token]) -> str:
        return children[0][1]

    def symbol(self, span: Span2, children: list[Name]) -> str:
        return children[0][0]

    def order_by(self, span: Span2, children: list[Any]) -> list[Any]:
        return children

    def order_item(self, span: Span2, children: list[Any]) -> tuple[OrderItem, Name]:
        desc = bool(children[1]) if len(children) > 1 else False
        return _shared(OrderItem, column=children[0][0], descending=desc), children[0]

    def limit(self, span: Span2, children: list[Token]) -> int:
        return int(children[0][1])

    # -- declarations ---------------------------------------------------------------------

    def import_decl(self, span: Span2, children: list[Token]) -> Decl:
        tok = children[0]
        start, end = span
        return Decl("import", unescape(tok[1][1:-1]), None, start, end, [((), tok[2], tok[3])])  # type: ignore[list-item]

    def sql_decl(self, span: Span2, children: list[Any]) -> Decl:
        name, dialects, *attr_items, body = children
        attrs = self._attrs("sql", attr_items)
        text = self.doc(span, [body]).text
        start, end = span
        spans: RelSpans = [((), start, end), (("name",), name[1], name[2]), (("body",), body[2], body[3])]
        spans += [(("dialect", i), d[1], d[2]) for i, d in enumerate(dialects)]
        known = []
        for d in dialects:
            if d[0] in DIALECTS:
                known.append(d[0])
            else:
                self._error("R125", f"unknown dialect '{d[0]}'", d[1], d[2], help=suggest(d[0], DIALECTS, "dialects"))
        if not text.strip():
            self._error("S001", f"the sql block '{name[0]}' is empty", body[2], body[3],
                        help="write the statements between the quotes, or remove the block")
        spans += attrs.spans
        value = RawSql(name=name[0], dialects=tuple(dict.fromkeys(known)), sql=text,
                       before_tables="before_tables" in attrs.values)
        return Decl("sql", name[0], value, start, end, spans)

    def enum_value(self, span: Span2, children: list[Any]) -> Member:
        name = children[0]
        attrs = self._attrs("enum value", children[1:])
        start, end = span
        return Member("value", name[0], EnumValue(name=name[0], doc=attrs.doc), start, end,
                      [((), name[1], name[2]), *attrs.spans])

    def enum_decl(self, span: Span2, children: list[Any]) -> Decl:
        name = children[0]
        header = [c for c in children[1:] if isinstance(c, (Doc, Attr))]
        values = [c for c in children[1:] if isinstance(c, Member)]
        attrs = self._attrs("enum", header)
        start, end = span
        spans: RelSpans = [((), start, end), (("name",), name[1], name[2]), *attrs.spans]
        seen: dict[str, Member] = {}
        unique_values = []
        for v in values:
            prior = seen.get(v.key.lower())  # type: ignore[union-attr]
            if prior is not None:
                self._error("R106", f"enum '{name[0]}' lists '{v.key}' twice", v.spans[0][1], v.spans[0][2],
                            help=f"first listed at {self._span(prior.start, prior.end)}")
                continue
            seen[v.key.lower()] = v  # type: ignore[union-attr]
            unique_values.append(v.value)
            spans.append((("value", v.key), None, v.spans))  # type: ignore[arg-type]
        if not values:
            self._error("R134", f"enum '{name[0]}' has no values", name[1], name[2],
                        help="list its values between the braces: { a, b }")
        value = Enum(name=name[0], values=tuple(unique_values), doc=attrs.doc)
        return Decl("enum", name[0], value, start, end, spans)

    def entity_decl(self, span: Span2, children: list[Any]) -> Decl:
        name = children[0]
        header = [c for c in children[1:] if isinstance(c, (Doc, Attr))]
        members = [c for c in children[1:] if isinstance(c, Member)]
        attrs = self._attrs("entity", header)
        start, end = span
        spans: RelSpans = [((), start, end), (("name",), name[1], name[2]), *attrs.spans]
        fields: list[Field] = []
        links: list[Link] = []
        groups: dict[str, list[Any]] = {}
        named: dict[tuple[str, str], Member] = {}
        columns: dict[str, Member] = {}
        counters: dict[str, int] = {}
        primary_key = None
        for m in members:
            if m.kind in ("field", "link"):
                prior = columns.get(m.key.lower())  # type: ignore[union-attr]
                if prior is not None:
                    self._duplicate_field(name[0], m, prior)
                    continue
                columns[m.key.lower()] = m  # type: ignore[union-attr]
                (fields if m.kind == "field" else links).append(m.value)
                path: Path = ("field", m.key) if m.kind == "field" else ("link", m.key)  # type: ignore[assignment]
            elif m.kind in ("access", "policy"):
                prior = named.get((m.kind, m.key))  # type: ignore[arg-type]
                if prior is not None:
                    at = next(s for s in m.spans if s[0] == ("name",))
                    self._error("R127", f"{m.kind} '{m.key}' is declared twice in '{name[0]}'", at[1], at[2],
                                help=f"first declared at {self._span(prior.start, prior.end)}")
                    continue
                named[(m.kind, m.key)] = m  # type: ignore[index]
                groups.setdefault(m.kind, []).append(m.value)
                path = (m.kind, m.key)  # type: ignore[assignment]
            elif m.kind == "primary key":
                if primary_key is not None:
                    self._error("R116", f"entity '{name[0]}' declares its primary key twice", m.start, m.end)
                    continue
                primary_key = m.value
                path = ("primary key",)
            else:
                n = counters.get(m.kind, 0)
                counters[m.kind] = n + 1
                groups.setdefault(m.kind, []).append(m.value)
                path = (m.kind, n)
            spans.append((path, None, m.spans))
        value = Entity(
            name=name[0], table=attrs.first("table"), doc=attrs.doc, tags=self._tags(attrs),
            keyless="keyless" in attrs, was=attrs.first("was"),
            denormalized=attrs.first("denormalized"), fields=tuple(fields), links=tuple(links),
            primary_key=primary_key, uniques=tuple(groups.get("unique", ())),
            indexes=tuple(groups.get("index", ())), checks=tuple(groups.get("check", ())),
            foreign_keys=tuple(groups.get("foreign key", ())),
            access_patterns=tuple(groups.get("access", ())),
            policies=tuple(groups.get("policy", ())), dependencies=tuple(groups.get("fd", ())),
        )
        return Decl("entity", name[0], value, start, end, spans)

    def _duplicate_field(self, entity: str, m: Member, prior: Member) -> None:
        name_span = next(s for s in m.spans if s[0] == ("name",))
        if prior.key == m.key:
            msg = f"field '{m.key}' is declared twice in '{entity}'"
        else:
            msg = (f"fields '{prior.key}' and '{m.key}' of '{entity}' differ only in case; "
                   "MySQL and SQLite compare column names without case")
        self._error("R105", msg, name_span[1], name_span[2],
                    help=f"first declared at {self._span(prior.start, prior.end)}")

    def module_decl(self, span: Span2, children: list[Any]) -> Decl:
        name = children[0]
        header = [c for c in children[1:] if isinstance(c, (Doc, Attr))]
        decls = [c for c in children[1:] if isinstance(c, Decl)]
        attrs = self._attrs("module", header)
        start, end = span
        spans: RelSpans = [((), start, end), (("name",), name[1], name[2]), *attrs.spans]
        return Decl("module", name[0], Module(name=name[0], doc=attrs.doc), start, end, spans, decls)

    def start(self, span: Span2, children: list[Decl]) -> Schema:
        imports: list[str] = []
        modules: dict[str, Module] = {}
        enums: list[Enum] = []
        entities: list[Entity] = []
        raw: list[RawSql] = []
        seen: dict[tuple[str, str], Decl] = {}
        sm = self.source_map

        def record(path: Path, spans: RelSpans) -> None:
            sm.add_group(path, self.source, spans)

        def add(decl: Decl, module: str | None) -> None:
            key = (decl.kind, decl.name.lower())
            prior = seen.get(key)
            if prior is not None:
                name_span = next(s for s in decl.spans if s[0] == ("name",))
                self._error("R104", f"{decl.kind} '{decl.name}' is declared twice", name_span[1],
                            name_span[2], help=f"first declared at {self._span(prior.start, prior.end)}")
                return
            seen[key] = decl
            value = decl.value if module is None else decl.value.model_copy(update={"module": module})
            target: list[Any] = {"enum": enums, "entity": entities, "sql": raw}[decl.kind]  # type: ignore[assignment]
            target.append(value)
            record((decl.kind, decl.name), decl.spans)

        for decl in children:
            if decl.kind == "import":
                record(("import", len(imports)), decl.spans)
                imports.append(decl.name)
            elif decl.kind == "module":
                prior_module = modules.get(decl.name)
                if prior_module is None or (prior_module.doc is None and decl.value.doc):
                    modules[decl.name] = decl.value
                elif decl.value.doc and prior_module.doc != decl.value.doc:
                    self._error("R127", f"module '{decl.name}' is documented twice",
                                decl.start, decl.end, help="keep the documentation on one block")
                record(("module", decl.name), decl.spans)
                for inner in decl.members:
                    add(inner, decl.name)
            else:
                add(decl, None)
        return Schema(imports=tuple(imports), modules=tuple(modules.values()),
                      enums=tuple(enums), entities=tuple(entities), raw_sql=tuple(raw))


_TYPES: dict[tuple[str, tuple[int, ...]], Type] = {}
# Fields by everything they were written with (name, type, attribute texts, documentation),
# for the fields that had nothing wrong with them; the models are immutable, so they are shared.
_FIELDS: dict[tuple[Any, ...], Field] = {}
_PLAIN_FIELDS: dict[tuple[str, str, tuple[int, ...], bool], Field] = {}  # and those without attributes


def _type(name: str, params: tuple[int, ...]) -> Type:
    """Types are immutable and few: share one instance per spelling."""
    key = (name, params)
    ty = _TYPES.get(key)
    if ty is None:
        ty = _TYPES[key] = Type(name=name, params=params)
    return ty


_SHARED: dict[tuple[Any, ...], Any] = {}  # small nodes by class and field values (strings, flags)


def _shared(cls: type[Any], **values: Any) -> Any:
    """One instance of `cls` per set of field values, like `_type`: for the small nodes that
    specs repeat (an index column, an access pattern's `code = ?`)."""
    key = (cls, *values.items())
    node = _SHARED.get(key)
    if node is None:
        node = _SHARED[key] = cls(**values)
    return node


def _names(names: list[Name]) -> tuple[str, ...]:
    return tuple(n[0] for n in names)


def _clean_long(text: str) -> str:
    """Docstring-style cleanup of a triple-quoted string: drop the indentation and the
    blank first and last lines."""
    import inspect

    return inspect.cleandoc(text)

