"""Hypothesis strategies that generate random *valid* declared schemas.

`schemas()` draws a `Schema` that resolves without errors and whose DDL loads on PostgreSQL,
MariaDB and SQLite: awkward names (reserved words, mixed case, Unicode, quotes, names past
the dialects' length limits), every portable type, enums, composite keys, identity columns,
defaults that fit their column, checks, uniques, partial and descending indexes, refs to
earlier entities and self-references, many-to-many links with extra columns, documentation,
sensitivity tags, access patterns, policies and functional dependencies.

Later issues reuse these (diff pairs, import round trips); keep them valid rather than
clever: a schema that does not resolve is a bug in the strategy.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from schemac.ir import (
    AccessPattern,
    Action,
    Check,
    Dependency,
    Entity,
    Enum,
    EnumValue,
    Field,
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
    Sensitivity,
    Tag,
    Type,
    Unique,
)

RESERVED = ["order", "user", "group", "select", "table", "from", "where", "key", "index", "check",
            "primary", "references", "default", "desc", "limit", "between", "null", "all", "column"]
ODD = ["Mixed Case", "naïve", "名前", "Ñandú", 'quo"te', "it's", "back`tick", "semi;colon", "CamelCase",
       "with space", "dash-ed", "1st"]
PLAIN = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
LONG = st.from_regex(r"[a-z][a-z_]{64,80}", fullmatch=True)
NAMES = st.one_of(PLAIN, PLAIN, PLAIN, st.sampled_from(RESERVED), st.sampled_from(ODD), LONG)
BUILTIN = {"bool", "smallint", "int", "bigint", "decimal", "float", "double", "text", "varchar", "char",
           "uuid", "date", "time", "timestamp", "timestamptz", "interval", "json", "bytes"}
DOCS = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip),
    st.sampled_from(['Line one\nline two', 'Has "quotes" and \\ backslash', "It's", "Tab\there", "naïve ☃"]),
)
# Types a key (primary, unique, index) may use on every dialect.
KEY_TYPES = [Type(name="int"), Type(name="bigint"), Type(name="uuid"), Type(name="varchar", params=(40,)),
             Type(name="char", params=(8,)), Type(name="date"), Type(name="smallint")]


class Names:
    """Hands out names that are unique without case within a scope."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = {t.lower() for t in taken or set()}

    def fresh(self, draw: Any, strategy: Any = NAMES) -> str:
        name = draw(strategy.filter(lambda n: n.lower() not in self.taken and n not in BUILTIN))
        self.taken.add(name.lower())
        return name


@st.composite
def field_types(draw: Any, enums: list[Enum]) -> Type:
    choices = [
        st.just(Type(name=n)) for n in ("bool", "smallint", "int", "bigint", "float", "double", "text", "uuid",
                                        "date", "time", "timestamp", "timestamptz", "json", "bytes", "interval")
    ]
    choices.append(st.integers(1, 200).map(lambda n: Type(name="varchar", params=(n,))))
    choices.append(st.integers(1, 50).map(lambda n: Type(name="char", params=(n,))))
    choices.append(st.integers(1, 38).flatmap(
        lambda p: st.integers(0, min(p, 10)).map(lambda s: Type(name="decimal", params=(p, s)))))
    if enums:
        choices.append(st.sampled_from(enums).map(lambda e: Type(name=e.name)))
    return draw(st.one_of(*choices))


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@st.composite
def defaults(draw: Any, ty: Type, enums: dict[str, Enum], nullable: bool) -> str | None:
    """A default that fits `ty`, or None."""
    if not draw(st.booleans()):
        return None
    name = ty.name
    options: list[str]
    if name in enums:
        options = [v.name for v in enums[name].values if _bare(v.name)] + [_quote(enums[name].values[0].name)]
    elif name == "bool":
        options = ["true", "false"]
    elif name in ("smallint", "int", "bigint"):
        options = [str(draw(st.integers(-1000, 1000)))]
    elif name == "decimal":
        p, s = ty.params
        whole = 10 ** min(p - s, 6) - 1
        options = [str(draw(st.integers(0, whole))) + ("." + "5" * s if s else "")]
    elif name in ("float", "double"):
        options = ["1.5", "0", "-2.25"]
    elif name in ("text", "varchar", "char"):
        limit = ty.params[0] if ty.params else 30
        text = draw(st.sampled_from(["", "x", "it's", "back\\slash", "naïve", "a;b", "100%"]))
        options = [_quote(text[:limit])]
    elif name == "uuid":
        options = ["uuid()", _quote("0b1f6b8d-3f1c-4c1e-9a0e-1d2c3b4a5f60")]
    elif name == "date":
        options = ["current_date", "'2024-02-29'"]
    elif name == "time":
        options = ["'10:11:12'"]
    elif name in ("timestamp", "timestamptz"):
        options = ["now()", "current_timestamp", "'2024-01-02 03:04:05'"]
    elif name == "json":
        options = ["'{}'", "'[1, 2]'", """'{"a": "b"}'"""]
    elif name == "interval":
        options = ["'P1D'"]
    else:
        return None
    if nullable:
        options.append("null")
    return draw(st.sampled_from(options))


def _bare(name: str) -> bool:
    import re

    return re.fullmatch(r"[^\W\d]\w*", name) is not None and name.lower() not in {"null", "true", "false"}


@st.composite
def checks(draw: Any, f: Field) -> tuple[str, ...]:
    ty = f.type
    assert ty is not None
    col = _sql_name(f.name)
    if ty.name in ("smallint", "int", "bigint", "decimal", "float", "double") and draw(st.booleans()):
        return (f"{col} >= -1000000",)
    if ty.name in ("text", "varchar") and draw(st.booleans()):
        return (f"length({col}) <= 1000",)
    return ()


def _sql_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@st.composite
def enums(draw: Any, names: Names) -> Enum:
    values = Names()
    count = draw(st.integers(1, 5))
    value_names = st.one_of(PLAIN, st.sampled_from(["in-progress", "Done", "naïve", "it's", "a b", "NULL"]))
    return Enum(
        name=names.fresh(draw, st.one_of(PLAIN, st.sampled_from(ODD))),
        values=tuple(EnumValue(name=values.fresh(draw, value_names), doc=draw(DOCS)) for _ in range(count)),
        doc=draw(DOCS),
    )


@st.composite
def tags(draw: Any) -> tuple[Tag, ...]:
    kinds = draw(st.lists(st.sampled_from([s for s in Sensitivity if s is not Sensitivity.PUBLIC]),
                          max_size=2, unique=True))
    if not kinds and draw(st.integers(0, 5)) == 0:
        kinds = [Sensitivity.PUBLIC]
    return tuple(Tag(kind=k, category=draw(st.one_of(st.none(), PLAIN))) for k in kinds)


@st.composite
def entities(draw: Any, table_names: Names, earlier: list[Entity], enum_list: list[Enum],
             modules: list[str]) -> Entity:
    name = table_names.fresh(draw)
    fields = Names()
    enum_map = {e.name: e for e in enum_list}
    out: list[Field] = []
    # The primary key: one column (maybe an identity) or two.
    composite = draw(st.integers(0, 3)) == 0
    pk_types = draw(st.lists(st.sampled_from(KEY_TYPES), min_size=2 if composite else 1,
                             max_size=2 if composite else 1))
    identity = not composite and pk_types[0].name in ("int", "bigint") and draw(st.booleans())
    pk_fields = []
    for ty in pk_types:
        default = "uuid()" if ty.name == "uuid" and draw(st.booleans()) else None
        pk_fields.append(Field(name=fields.fresh(draw), type=ty, identity="by_default" if identity else None,
                               default=default, doc=draw(DOCS)))
    out.extend(f.model_copy(update={"primary_key": not composite}) for f in pk_fields)
    # Plain columns.
    for _ in range(draw(st.integers(0, 6))):
        nullable = draw(st.booleans())
        ty = draw(field_types(enum_list))
        f = Field(name=fields.fresh(draw), type=ty, nullable=nullable, doc=draw(DOCS), tags=draw(tags()),
                  default=draw(defaults(ty, enum_map, nullable)))
        f = f.model_copy(update={"checks": draw(checks(f))})
        if ty in KEY_TYPES and draw(st.integers(0, 4)) == 0:
            f = f.model_copy(update={"unique": True})
        if draw(st.integers(0, 4)) == 0:
            f = f.model_copy(update={"was": fields.fresh(draw, PLAIN)})
        out.append(f)
    # References to earlier entities, and maybe to itself.
    targets = list(earlier)
    refs: list[Field] = []
    for target in draw(st.lists(st.sampled_from(targets), max_size=2, unique_by=lambda e: e.name)) if targets else []:
        nullable = draw(st.booleans())
        actions = [Action.NO_ACTION, Action.CASCADE, Action.RESTRICT] + ([Action.SET_NULL] if nullable else [])
        ref_name = fields.fresh(draw, PLAIN)
        pk_cols = _pk_columns(target)
        refs.append(Field(name=ref_name, nullable=nullable, doc=draw(DOCS),
                          ref=Reference(target=target.name, on_delete=draw(st.sampled_from(actions)),
                                        on_update=draw(st.sampled_from([Action.NO_ACTION, Action.CASCADE])),
                                        columns=tuple(fields.fresh(draw, PLAIN) for _ in pk_cols)),
                          unique=draw(st.integers(0, 5)) == 0, indexed=draw(st.integers(0, 2)) == 0,
                          was=fields.fresh(draw, PLAIN) if draw(st.integers(0, 4)) == 0 else None))
    if draw(st.integers(0, 4)) == 0:
        refs.append(Field(name=fields.fresh(draw, PLAIN), nullable=True,
                          ref=Reference(target=name, on_delete=Action.SET_NULL,
                                        columns=tuple(fields.fresh(draw, PLAIN) for _ in pk_types))))
    out.extend(refs)
    primary_key = PrimaryKey(columns=tuple(f.name for f in pk_fields)) if composite else None
    # Indexes and uniques over key-friendly columns.
    keyable = [f for f in out if f.type in KEY_TYPES]
    uniques: list[Unique] = []
    indexes: list[Index] = []
    if len(keyable) >= 2 and draw(st.booleans()):
        cols = draw(st.lists(st.sampled_from(keyable), min_size=2, max_size=2, unique_by=lambda f: f.name))
        uniques.append(Unique(columns=tuple(f.name for f in cols)))
    if keyable and draw(st.booleans()):
        cols = draw(st.lists(st.sampled_from(keyable), min_size=1, max_size=3, unique_by=lambda f: f.name))
        nullable_col = next((f for f in out if f.nullable and f.type is not None), None)
        where = f"{_sql_name(nullable_col.name)} is not null" if nullable_col and draw(st.booleans()) else None
        indexes.append(Index(columns=tuple(IndexColumn(column=f.name, descending=draw(st.booleans())) for f in cols),
                             where=where))
    # Links to earlier entities, with extra columns sometimes.
    links: list[Link] = []
    if targets and draw(st.integers(0, 3)) == 0:
        target = draw(st.sampled_from(targets))
        link_name = draw(PLAIN.filter(lambda n: n.lower() not in fields.taken))
        fields.taken.add(link_name.lower())
        join = f"{name}_{link_name}"
        if join.lower() not in table_names.taken and target.name != name:
            table_names.taken.add(join.lower())
            extra = Names({name, target.name, *(f"{name}_{c}" for c in _pk_columns_of(pk_fields, composite)),
                           *(f"{target.name}_{c}" for c in _pk_columns(target))})
            extra_fields = tuple(Field(name=extra.fresh(draw, PLAIN), type=Type(name="int"), nullable=True)
                                 for _ in range(draw(st.integers(0, 2))))
            links.append(Link(name=link_name, target=target.name, fields=extra_fields, doc=draw(DOCS)))
    columns = [f for f in out if f.type is not None]
    access = []
    if columns and draw(st.booleans()):
        col = draw(st.sampled_from(columns))
        access.append(AccessPattern(name=draw(PLAIN), predicates=(Predicate(column=col.name, op="=", values=("?",)),),
                                    order_by=(OrderItem(column=pk_fields[0].name, descending=True),),
                                    limit=draw(st.one_of(st.none(), st.integers(1, 100))), doc=draw(DOCS)))
    policies = []
    if draw(st.integers(0, 4)) == 0:
        policies.append(Policy(name=draw(PLAIN), using=f"{_sql_name(pk_fields[0].name)} is not null",
                               command=draw(st.sampled_from(["all", "select", "update"])), roles=("app",)))
    deps = []
    if len(columns) >= 2 and draw(st.integers(0, 3)) == 0:
        a, b = draw(st.lists(st.sampled_from(columns), min_size=2, max_size=2, unique_by=lambda f: f.name))
        deps.append(Dependency(determinant=(a.name,), dependent=(b.name,),
                               denormalized=draw(st.one_of(st.none(), st.just("kept for reports")))))
    table_checks = ()
    numeric = [f for f in columns if f.type.name in ("int", "bigint", "smallint") and not f.identity]
    if len(numeric) >= 2 and draw(st.booleans()):
        table_checks = (Check(expression=f"{_sql_name(numeric[0].name)} <> {_sql_name(numeric[1].name)} "
                                         f"or {_sql_name(numeric[0].name)} is null"),)
    return Entity(
        name=name, module=draw(st.sampled_from([None, *modules])) if modules else None,
        doc=draw(DOCS), tags=draw(tags()), fields=tuple(out), links=tuple(links), primary_key=primary_key,
        uniques=tuple(uniques), indexes=tuple(indexes), checks=table_checks, access_patterns=tuple(access),
        policies=tuple(policies), dependencies=tuple(deps),
        denormalized=draw(st.one_of(st.none(), st.just("mirrors the billing system"))) if draw(st.booleans()) else None,
        was=table_names.fresh(draw) if draw(st.integers(0, 4)) == 0 else None,
    )


def _pk_columns(entity: Entity) -> list[str]:
    if entity.primary_key is not None:
        return list(entity.primary_key.columns)
    return [f.name for f in entity.fields if f.primary_key]


def _pk_columns_of(pk_fields: list[Field], composite: bool) -> list[str]:
    return [f.name for f in pk_fields]


@st.composite
def schemas(draw: Any, max_entities: int = 5) -> Schema:
    """A random valid declared schema (one file's worth)."""
    table_names = Names()
    enum_list = [draw(enums(table_names)) for _ in range(draw(st.integers(0, 2)))]
    module_names = draw(st.lists(PLAIN, max_size=2, unique=True))
    out: list[Entity] = []
    for _ in range(draw(st.integers(1, max_entities))):
        out.append(draw(entities(table_names, out, enum_list, module_names)))
    used = list(dict.fromkeys(e.module for e in out if e.module))  # in order of first use, as parsed
    modules = tuple(Module(name=m, doc=draw(DOCS)) for m in used)
    return Schema(modules=modules, enums=tuple(enum_list), entities=tuple(out), raw_sql=draw(raw_sql_blocks()))


# Comments that put awkward text into a block's SQL: quotes, backslashes, triple quotes.
SQL_COMMENTS = ["", " -- say \"hi\"", " -- back\\slash", ' -- """triple"""', " -- it's", " -- naïve ☃"]


@st.composite
def raw_sql_blocks(draw: Any) -> tuple[RawSql, ...]:
    """`sql` blocks: a view valid on every engine, for some of the dialects; the second
    one before the tables (a fixed choice, which keeps the examples drawn unchanged)."""
    out = []
    for i in range(draw(st.integers(0, 2))):
        dialects = tuple(draw(st.lists(st.sampled_from(["postgresql", "mysql", "sqlite"]), min_size=1, max_size=3,
                                       unique=True)))
        comment = draw(st.sampled_from(SQL_COMMENTS))
        name = draw(st.sampled_from(["v", "recent", "sql", "for", "Mixed Case"])) + str(i)
        sql = f"CREATE VIEW schemac_v{i} AS\n  SELECT 1 AS one{comment}"
        out.append(RawSql(name=name, dialects=dialects, sql=sql, before_tables=i == 1))
    return tuple(out)


@st.composite
def mutated_specs(draw: Any, snippets: list[str], max_edits: int = 4) -> str:
    """The text of a generated spec after a few random edits: deletions, insertions of
    `snippets` and duplicated stretches -- mostly invalid, sometimes subtly."""
    from schemac.dsl.format import format_schema

    text = format_schema(draw(schemas(max_entities=3)))
    for _ in range(draw(st.integers(1, max_edits))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(snippets)) + text[i:]
        else:
            j = draw(st.integers(i, min(len(text), i + 40)))
            text = text[:j] + text[i:j] + text[j:]
    return text


# -- pairs of specs, for migrations ---------------------------------------------------------------

EDITS = ["add column", "drop column", "nullable", "retype", "default", "index", "unique", "doc", "add entity",
         "drop entity", "add enum value", "drop enum value", "check"]
RETYPES = {"smallint": Type(name="int"), "int": Type(name="bigint"), "bigint": Type(name="int"),
           "text": Type(name="varchar", params=(40,)), "date": Type(name="timestamp"), "bool": Type(name="int")}


@st.composite
def schema_pairs(draw: Any, max_edits: int = 3) -> tuple[Schema, Schema]:
    """(OLD, NEW): a generated schema and the same after a few random edits -- columns and
    entities added and dropped, types widened or narrowed, nullability, defaults, indexes,
    unique keys, checks, comments, enum values -- and sometimes views on the tables in `sql`
    blocks. NEW may not resolve: the caller rejects it."""
    old = draw(schemas(max_entities=4)).model_copy(update={"raw_sql": ()})
    new = old
    for _ in range(draw(st.integers(1, max_edits))):
        new = _edit(draw, new, draw(st.sampled_from(EDITS)))
    return _with_views(draw, old, new)


def _with_views(draw: Any, old: Schema, new: Schema) -> tuple[Schema, Schema]:
    """Sometimes, `sql` blocks with views on the tables, kept, added, dropped or changed
    between OLD and NEW, so that a migration must undo and recreate them around the changes
    to their tables: `SELECT *` on MySQL and SQLite (MySQL expands it when the view is
    created)."""
    if not draw(st.booleans()):
        return old, new
    tables = sorted({e.table_name for e in (*old.entities, *new.entities)
                     if len(e.table_name) <= 30 and e.table_name.isascii()})
    blocks: tuple[list[RawSql], list[RawSql]] = ([], [])
    for i, table in enumerate(tables):
        queries = ["SELECT * FROM {}", "SELECT count(*) AS n FROM {}", None]
        for side, schema in enumerate((old, new)):
            query = draw(st.sampled_from(queries))
            if query is None or not any(e.table_name == table for e in schema.entities):
                continue
            # PostgreSQL's view lists the columns in the table's order, which a migration
            # cannot give it (an added column goes last): no `SELECT *` there
            postgresql = query.replace("*", "1 AS one", 1) if query.startswith("SELECT *") else query
            sides = (("postgresql", postgresql, '"'), ("sqlite", query, '"'), ("mysql", query, "`"))
            for dialect, text, quote in sides:
                blocks[side].append(RawSql(name=f"zz_view_{i}_{dialect}", dialects=(dialect,),
                                           sql=f"CREATE VIEW zz_view_{i} AS {text.format(_quoted(table, quote))};"))
    return old.model_copy(update={"raw_sql": tuple(blocks[0])}), new.model_copy(update={"raw_sql": tuple(blocks[1])})


def _quoted(name: str, quote: str) -> str:
    return quote + name.replace(quote, quote * 2) + quote


def _edit(draw: Any, schema: Schema, kind: str) -> Schema:
    entities = list(schema.entities)
    if kind == "add entity" or not entities:
        name = Names({e.name.lower() for e in entities} | {e.name.lower() for e in schema.enums}).fresh(draw, PLAIN)
        fields = [Field(name="id", type=Type(name="int"), primary_key=True), Field(name="label", type=Type(name="text"),
                                                                                  nullable=True)]
        if entities and draw(st.booleans()):
            target = draw(st.sampled_from(entities))
            fields.append(Field(name="owner", nullable=True, ref=Reference(target=target.name)))
        return schema.model_copy(update={"entities": (*entities, Entity(name=name, fields=tuple(fields)))})
    if kind in ("add enum value", "drop enum value"):
        if not schema.enums:
            return schema
        i = draw(st.integers(0, len(schema.enums) - 1))
        enum = schema.enums[i]
        values = list(enum.values)
        if kind == "add enum value":
            taken = {v.name.lower() for v in values}
            value = EnumValue(name=draw(PLAIN.filter(lambda v: v.lower() not in taken)))
            values.insert(draw(st.integers(0, len(values))), value)
        elif len(values) > 1:
            values.pop(draw(st.integers(0, len(values) - 1)))
        enums = list(schema.enums)
        enums[i] = enum.model_copy(update={"values": tuple(values)})
        return schema.model_copy(update={"enums": tuple(enums)})
    i = draw(st.integers(0, len(entities) - 1))
    entity = entities[i]
    if kind == "drop entity":
        del entities[i]
        return schema.model_copy(update={"entities": tuple(entities)})
    fields = list(entity.fields)
    plain = [j for j, f in enumerate(fields) if f.type is not None and not f.primary_key and not f.identity]
    if kind == "add column":
        name = Names({f.name.lower() for f in fields}).fresh(draw, PLAIN)
        ty = draw(st.sampled_from([Type(name="int"), Type(name="text"), Type(name="varchar", params=(30,)),
                                   Type(name="bool"), Type(name="date")]))
        nullable = draw(st.booleans())
        literals = {"int": "7", "bool": "true", "date": "'2024-01-01'"}
        default = None if nullable and draw(st.booleans()) else literals.get(ty.name, "'x'")
        fields.insert(draw(st.integers(0, len(fields))), Field(name=name, type=ty, nullable=nullable, default=default))
    elif kind == "doc":
        if draw(st.booleans()) or not fields:
            entity = entity.model_copy(update={"doc": draw(DOCS)})
        else:
            j = draw(st.integers(0, len(fields) - 1))
            fields[j] = fields[j].model_copy(update={"doc": draw(DOCS)})
    elif not plain:
        return schema
    else:
        j = draw(st.sampled_from(plain))
        f = fields[j]
        if kind == "drop column":
            del fields[j]
        elif kind == "nullable":
            fields[j] = f.model_copy(update={"nullable": not f.nullable})
        elif kind == "retype" and f.type is not None:
            if f.type.name == "varchar":
                ty = Type(name="varchar", params=(f.type.params[0] + 20,)) if draw(st.booleans()) else Type(name="text")
            else:
                ty = RETYPES.get(f.type.name, f.type)
            fields[j] = f.model_copy(update={"type": ty, "default": None, "checks": ()})
        elif kind == "default" and f.type is not None and f.type.name in ("int", "bigint", "smallint", "text"):
            value = draw(st.sampled_from([None, "3" if f.type.name != "text" else "'d'"]))
            fields[j] = f.model_copy(update={"default": value})
        elif kind == "index":
            fields[j] = f.model_copy(update={"indexed": not f.indexed})
        elif kind == "unique" and f.type in KEY_TYPES:
            fields[j] = f.model_copy(update={"unique": not f.unique})
        elif kind == "check" and f.type is not None and f.type.name in ("int", "bigint", "smallint"):
            fields[j] = f.model_copy(update={"checks": () if f.checks else (f"{_sql_name(f.name)} >= 0",)})
    entities[i] = entity.model_copy(update={"fields": tuple(fields)})
    return schema.model_copy(update={"entities": tuple(entities)})
