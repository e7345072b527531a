"""From a database catalog back to a `.schema` model (`schemac inspect`).

`reverse(catalog)` turns the `Catalog` read from a live database (schemac.catalog) into a
declared `Schema` that compiles back to the same catalog: one entity per table, with

* each column's portable type where the physical type has one (`character varying(320)` ->
  `varchar(320)`), else the closest portable type with the physical one kept for that
  dialect (`@type(postgresql: "citext")`); PostgreSQL enum types become enums, and so do
  MySQL's inline `ENUM(...)` columns (named `<table>_<column>`);
* identity columns (PostgreSQL identity, MySQL AUTO_INCREMENT, SQLite AUTOINCREMENT) as
  `@identity`; defaults, checks and index predicates as the engine reports them;
* a single-column foreign key to a primary key, on a column named `<field>_<key>`, as a
  `ref` field (`customer: ref customer`), every other one as `foreign key (...) references`;
* a join table exactly as a `many` link generates it (the table name or `@table`, both keys,
  the index, the comment) as that link on its owning entity (`tags: many tag`);
* constraint and index names written out (`@name(...)`) only where they differ from the
  name schemac would give, so an imported spec reads like a hand-written one and a migration
  generated from it finds every constraint under its real name;
* table and column comments as documentation.

What is reported instead of guessed: the returned `notes` list what the catalog holds that a
spec does not say (for example a MySQL column's display width).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from schemac import catalog as cat
from schemac.ddl_text import quote_ident, terminated
from schemac.ir import (
    BUILTIN_TYPES,
    Action,
    Check,
    Entity,
    Enum,
    EnumValue,
    Field,
    ForeignKey,
    Identity,
    Index,
    IndexColumn,
    Link,
    PrimaryKey,
    RawSql,
    Reference,
    Schema,
    Type,
    TypeOverride,
    Unique,
)

ACTIONS = {"NO ACTION": Action.NO_ACTION, "RESTRICT": Action.RESTRICT, "CASCADE": Action.CASCADE,
           "SET NULL": Action.SET_NULL, "SET DEFAULT": Action.SET_DEFAULT}
FALLBACK = Type(name="text")  # the portable type of a column whose physical type has none


@dataclass
class Reversed:
    schema: Schema
    notes: list[str] = field(default_factory=list)
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, sql block) kept as raw SQL


# -- physical types -> portable types --------------------------------------------------------------

PG_TYPES = {
    "boolean": "bool", "smallint": "smallint", "integer": "int", "bigint": "bigint", "real": "float",
    "double precision": "double", "text": "text", "uuid": "uuid", "date": "date",
    "time without time zone": "time", "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz", "interval": "interval", "jsonb": "json", "bytea": "bytes",
}
PG_SIZED = [(re.compile(r"numeric\((\d+),(\d+)\)"), "decimal"), (re.compile(r"character varying\((\d+)\)"), "varchar"),
            (re.compile(r"character\((\d+)\)"), "char")]
MYSQL_TYPES = {
    "tinyint(1)": "bool", "smallint": "smallint", "int": "int", "bigint": "bigint", "float": "float",
    "double": "double", "longtext": "text", "date": "date", "time(6)": "time", "datetime(6)": "timestamp",
    "json": "json", "longblob": "bytes",
}
MYSQL_SIZED = [(re.compile(r"decimal\((\d+),(\d+)\)"), "decimal"), (re.compile(r"varchar\((\d+)\)"), "varchar"),
               (re.compile(r"char\((\d+)\)"), "char")]
SQLITE_TYPES = {
    "BOOLEAN": "bool", "SMALLINT": "smallint", "INTEGER": "int", "BIGINT": "bigint", "REAL": "float",
    "DOUBLE PRECISION": "double", "TEXT": "text", "UUID": "uuid", "DATE": "date", "TIME": "time",
    "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz", "BLOB": "bytes",
}
SQLITE_SIZED = [(re.compile(r"NUMERIC\((\d+)(?:,\s*(\d+))?\)"), "decimal"),
                (re.compile(r"VARCHAR\((\d+)\)"), "varchar"), (re.compile(r"CHAR\((\d+)\)"), "char")]


def _portable(physical: str, exact: dict[str, str], sized: list[tuple[re.Pattern[str], str]],
              key: Callable[[str], str]) -> Type | None:
    text = key(physical.strip())
    if text in exact:
        return Type(name=exact[text])
    for pattern, name in sized:
        m = pattern.fullmatch(text)
        if m:
            return Type(name=name, params=tuple(int(g) for g in m.groups() if g is not None))
    return None


def _sqlite_affinity(physical: str) -> Type | None:
    """The portable type closest to a SQLite declared type, by SQLite's own affinity rules
    (section 3.1 of its datatype documentation), with common spellings refined."""
    text = physical.upper()
    m = re.search(r"\((\d+)(?:\s*,\s*(\d+))?\)", text)
    size = tuple(int(g) for g in m.groups() if g is not None) if m else ()
    if "INT" in text:
        return Type(name="bigint" if "BIG" in text else "smallint" if "SMALL" in text or "TINY" in text else "int")
    if "CHAR" in text or "CLOB" in text or "TEXT" in text:
        return Type(name="varchar", params=size[:1]) if "VARCHAR" in text and size else Type(name="text")
    if "BLOB" in text or not text:
        return Type(name="bytes") if text else None
    if "REAL" in text or "FLOA" in text or "DOUB" in text:
        return Type(name="double")
    if "BOOL" in text:
        return Type(name="bool")
    if "DATETIME" in text or "TIMESTAMP" in text:
        return Type(name="timestamp")
    if "DATE" in text:
        return Type(name="date")
    if "DEC" in text or "NUMERIC" in text or "MONEY" in text:
        return Type(name="decimal", params=size[:2] or (18, 4))
    return None


def _closest_type(physical: str) -> Type | None:
    """The portable type nearest a physical type schemac has no name for, so that defaults
    and keys keep their kind (the physical type itself is kept as an override): MySQL's
    `datetime` is a timestamp, `mediumint unsigned` an integer wide enough, `bit(1)` a bool."""
    text = physical.lower().strip()
    if re.match(r"(bit|boolean|bool)\b", text):
        return Type(name="bool")
    if "unsigned" in text and "int" in text:
        return Type(name="bigint")
    if re.match(r"(tiny|small)int", text):
        return Type(name="smallint")
    if re.match(r"(medium)?int(eger)?\b", text) or text.startswith("serial"):
        return Type(name="int")
    if re.match(r"bigint|int8", text):
        return Type(name="bigint")
    if re.match(r"(datetime|timestamp)", text):
        return Type(name="timestamptz" if "time zone" in text and "without" not in text else "timestamp")
    if re.match(r"(float|double|real)", text):
        return Type(name="double")
    if re.match(r"(decimal|numeric)", text):
        m = re.search(r"\((\d+)(?:,\s*(\d+))?\)", text)
        return Type(name="decimal", params=tuple(int(g) for g in m.groups() if g) if m else (10, 0))
    if re.search(r"blob|binary|bytea", text):
        return Type(name="bytes")
    if text.startswith("date"):
        return Type(name="date")
    return None


MYSQL_WIDTHS = {"smallint": 6, "mediumint": 9, "int": 11, "bigint": 20}  # a signed type's default display width


def _mysql_key(physical: str) -> str:
    """MariaDB writes integer display widths (`int(11)`); MySQL 8 does not: drop them where
    they are the type's default (another width, `int(10)`, is kept as the physical type)."""
    text = physical.lower()
    m = re.match(r"(smallint|int|bigint|mediumint)\((\d+)\)$", text)
    return m.group(1) if m and MYSQL_WIDTHS[m.group(1)] == int(m.group(2)) else text


# Kinds of object kept as raw SQL that tables may use, so they are created before them.
# Functions come before them only when a table calls them (a default, a check, an index):
# otherwise after, since a function may return a table's row type.
EARLY = frozenset({"sequence", "type", "domain", "extension", "schema", "collation", "operator"})


# -- the reverser ---------------------------------------------------------------------------------


class Reverser:
    def __init__(self, catalog: cat.Catalog) -> None:
        self.catalog = catalog
        self.dialect = catalog.dialect
        self.notes: list[str] = []
        self.kept: list[tuple[str, str, str]] = []
        self.serial_sequences: set[str] = set()  # the sequences of serial columns, which the spec implies
        self.table_sql: list[cat.SchemaObject] = []  # what the spec keeps of a table only as raw SQL
        self.enums: dict[str, Enum] = {}
        for e in catalog.enums.values():
            self.enums[e.name] = Enum(name=e.name, values=tuple(EnumValue(name=v) for v in e.values), doc=e.comment)

    def run(self) -> Schema:
        raw = raw_tables(self.catalog)
        entities = [self.entity(t) for t in self.catalog.tables.values() if t.name not in raw]
        entities = _align_foreign_key_types(entities, self.catalog)
        entities = _refs(entities, self.catalog)
        return Schema(enums=tuple(self.enums.values()), entities=tuple(entities), raw_sql=self.raw_sql(raw))

    def raw_sql(self, tables: dict[str, str]) -> tuple[RawSql, ...]:
        """What the language cannot express, as `sql` blocks for this dialect in creation
        order: sequences, the tables it cannot express (each with its indexes), indexes,
        then views, functions, triggers and virtual tables; a name two objects share gets
        its kind appended. Sequences, types and the functions tables call come before the
        tables."""
        sequences, owners = self.kept_sequences()
        kept = [(o, "") for o in sequences]
        for name, why in tables.items():
            sql = _table_sql(self.catalog.tables[name], self.dialect)
            kept.append((cat.SchemaObject("table", name, sql, sql), f": {why}"))
        kept += [(o, "") for o in (*self.kept_indexes(tables), *self.table_sql, *owners, *self.catalog.objects)]
        called = self.functions_tables_call()
        counts: dict[str, int] = {}
        for o, _ in kept:
            counts[o.name] = counts.get(o.name, 0) + 1
        out: list[RawSql] = []
        taken: set[str] = set()
        for o, why in kept:
            name = o.name if counts[o.name] == 1 else f"{o.name}_{o.kind.replace(' ', '_')}"
            base, n = name, 1
            while name.lower() in taken:  # e.g. triggers of one name on several tables
                n += 1
                name = f"{base}_{n}"
            taken.add(name.lower())
            out.append(RawSql(name=name, dialects=(self.dialect,), sql=o.sql.strip(),
                              before_tables=o.before_tables or o.kind in EARLY or o.name.lower() in called))
            self.notes.append(f"{o.kind} '{o.name}' is kept as raw SQL for {self.dialect} (sql {name}){why}")
            self.kept.append((o.kind, o.name, name))
        return tuple(out)

    def functions_tables_call(self) -> set[str]:
        """The functions the tables' defaults, generated columns, checks and indexes call,
        and those the objects created before the tables call (a domain's check), lower-cased."""
        functions = {o.name.lower() for o in self.catalog.objects if o.kind == "function"}
        if not functions:
            return set()
        texts = [text for t in self.catalog.tables.values()
                 for text in [*(c.default for c in t.columns), *(c.generated for c in t.columns),
                              *(c.definition for c in t.checks),
                              *(i.definition or "" for i in t.indexes), *(i.predicate for i in t.indexes),
                              *(p.expression for i in t.indexes for p in i.parts)] if text]
        texts += [o.sql for o in self.catalog.objects if o.kind in EARLY]
        called = {m.group(1).lower() for text in texts for m in re.finditer(r'"?([\w$]+)"?\s*\(', text)}
        return functions & called

    def kept_indexes(self, raw: dict[str, str]) -> list[cat.SchemaObject]:
        """Indexes with what the language cannot say (an operator class...), as the engine
        writes them, without the schema it qualifies the table with; those of the `raw`
        tables are kept with them."""
        out = []
        for table in self.catalog.tables.values():
            for index in table.indexes if table.name not in raw else ():
                if index.beyond and index.definition and index.origin == "index":
                    sql = re.sub(r'( ON (?:ONLY )?)(?:"(?:[^"]|"")*"|\w+)\.', r"\1", index.definition, count=1)
                    out.append(cat.SchemaObject("index", index.name, sql, sql))
                    self.notes.append(f"index '{index.name}' on '{table.name}' has an {index.beyond}, which the "
                                      "language cannot express yet")
        return out

    # -- tables --

    def entity(self, table: cat.Table) -> Entity:
        skip_checks: set[str] = set()
        fields = []
        key = set(table.primary_key.columns) if table.primary_key else set()
        for column in table.columns:
            if column.on_update is not None:
                self.on_update_sql(table, column)
            f, skipped = self.field(table, column)
            if f.name in key and f.nullable:  # SQLite's INTEGER PRIMARY KEY: the rowid, never NULL
                f = f.model_copy(update={"nullable": False})
            fields.append(f)
            skip_checks |= skipped
        pk = table.primary_key
        return Entity(
            name=table.name,
            doc=table.comment,
            keyless=pk is None,
            fields=tuple(fields),
            primary_key=PrimaryKey(columns=pk.columns, name=self.own_name(pk.name)) if pk else None,
            uniques=tuple(Unique(columns=u.columns, name=u.name) for u in self.uniques(table)
                          if not self.raw_index(table, table.index(u.name or "") or _NO_INDEX, fields)),
            foreign_keys=tuple(ForeignKey(columns=fk.columns, target=target, target_columns=target_columns,
                                          on_delete=ACTIONS[fk.on_delete], on_update=ACTIONS[fk.on_update],
                                          name=fk.name)
                               for fk in table.foreign_keys for target, target_columns in [self.target(fk)]),
            checks=tuple(Check(expression=self.sql(c.definition), name=c.name) for c in table.checks
                         if c.name not in skip_checks),
            indexes=tuple(self.index(i) for i in table.indexes
                          if (i.origin == "index" or _made_by_hand(table, i)) and not i.beyond
                          and not self.raw_index(table, i, fields)),
        )

    def target(self, fk: cat.ForeignKey) -> tuple[str, tuple[str, ...]]:
        """The table and columns a foreign key refers to, as the catalog names them: SQLite
        keeps `REFERENCES Users (ID)` as written, and its names are case-insensitive."""
        table = self.catalog.tables.get(fk.referenced_table)
        if self.dialect != "sqlite" or table is not None:
            return fk.referenced_table, fk.referenced_columns
        found = {t.lower(): t for t in self.catalog.tables}.get(fk.referenced_table.lower())
        if found is None:
            return fk.referenced_table, fk.referenced_columns
        columns = {c.name.lower(): c.name for c in self.catalog.tables[found].columns}
        return found, tuple(columns.get(c.lower(), c) for c in fk.referenced_columns)

    def raw_index(self, table: cat.Table, index: cat.Index, fields: list[Field]) -> bool:
        """Whether a MySQL index is one the spec keeps as raw SQL (recorded in `table_sql`):
        FULLTEXT and SPATIAL, and key prefixes other than those the backend writes itself."""
        special = index.method in ("fulltext", "spatial")
        if self.dialect != "mysql" or not special and not any(p.prefix for p in index.parts):
            return False
        if not special and _backend_prefixes(table.name, fields, index, self.enums) == {
                p.column: p.prefix for p in index.parts if p.prefix}:
            return False
        kind = f"{index.method.upper()} " if special and index.method else "UNIQUE " if index.unique else ""
        parts = ", ".join(_quote(p.column or "") + (f"({p.prefix})" if p.prefix else "")
                          + (" DESC" if p.descending else "") for p in index.parts)
        sql = f"CREATE {kind}INDEX {_quote(index.name)} ON {_quote(table.name)} ({parts})"
        self.table_sql.append(cat.SchemaObject("index", f"{table.name}_{index.name}", sql, sql))
        return True

    def on_update_sql(self, table: cat.Table, column: cat.Column) -> None:
        """MySQL's ON UPDATE of a column, which the language cannot express: the column
        declared again with it, as raw SQL."""
        sql = f"ALTER TABLE {_quote(table.name)} MODIFY {_quote(column.name)} {column.type}"
        sql += " NULL" if column.nullable else " NOT NULL"
        sql += f" DEFAULT {column.default}" if column.default is not None else ""
        sql += f" ON UPDATE {column.on_update}"
        sql += f" COMMENT '{_escape(column.comment)}'" if column.comment else ""
        self.table_sql.append(cat.SchemaObject("on update", f"{table.name}_{column.name}_on_update", sql, sql))

    def uniques(self, table: cat.Table) -> list[cat.UniqueConstraint]:
        """SQLite numbers the indexes behind UNIQUE constraints in the order the CREATE TABLE
        lists them (`sqlite_autoindex_<table>_<n>`): keep that order."""
        if self.dialect != "sqlite":
            return list(table.uniques)
        number = {i.columns: int(i.name.rsplit("_", 1)[1]) for i in table.indexes
                  if i.origin == "unique" and i.name.rsplit("_", 1)[-1].isdigit()}
        return sorted(table.uniques, key=lambda u: number.get(u.columns, 0))

    def sql(self, text: str) -> str:
        """An expression the engine reported, in the spec's syntax and meaning (PostgreSQL's):
        MySQL's backslash escapes in string literals become standard SQL, SQLite's LIKE,
        which ignores case, becomes ILIKE, and PostgreSQL's coercions of an `ARRAY[...]` under
        ANY or ALL are left for it to add again (schemac.pg_text) -- unless the text is a
        file's (an import), which PostgreSQL reads as it read the file."""
        from schemac.ddl_text import tokenize, unquote_string
        from schemac.pg_text import array_coercions_dropped

        if self.dialect == "postgresql":
            return text if self.catalog.written else array_coercions_dropped(text)
        if self.dialect == "sqlite" and re.search(r"like", text, re.I):
            out, last = [], 0
            for t in tokenize(text):
                if t.kind == "word" and t.text.upper() == "LIKE":
                    out.append(text[last:t.start] + ("ILIKE" if t.text.isupper() else "ilike"))
                    last = t.end
            return "".join(out) + text[last:]
        if self.dialect != "mysql" or "\\" not in text:
            return text
        out, last = [], 0
        for t in tokenize(text, backslash_escapes=True):
            if t.kind == "string":
                value = unquote_string(t.text, backslash_escapes=True)
                out.append(text[last:t.start] + "'" + value.replace("'", "''") + "'")
                last = t.end
        return "".join(out) + text[last:]

    def own_name(self, name: str | None) -> str | None:
        """MySQL calls every primary key PRIMARY: that is no name of the spec's."""
        return None if name == "PRIMARY" and self.dialect == "mysql" else name

    def field(self, table: cat.Table, column: cat.Column) -> tuple[Field, set[str]]:
        ty, overrides, skipped = self.column_type(table, column)
        identity: Identity | None = None
        default = column.default
        if self.dialect == "postgresql" and default is not None and self.serial(table, column):
            identity, default = "serial", None
        elif column.identity in ("by default", "auto_increment", "autoincrement"):
            identity = "by_default"
        elif column.identity == "always":
            identity = "always"
        if default is not None and ty.name == "bool" and default.strip("()' ") in ("0", "1"):
            default = "true" if default.strip("()' ") == "1" else "false"  # MySQL's and SQLite's booleans
        portable = _portable_default(default, self.dialect) if default is not None else None
        if portable is not None:
            default, utc = portable
            if utc and ty.name == "timestamp":
                ty = Type(name="timestamptz")  # MySQL: DATETIME(6) holding UTC, as schemac writes timestamptz
        elif default is not None and self.dialect == "postgresql" and _default_key(default) == "now()":
            default = "pg_catalog.now()"  # the spec's now() is CURRENT_TIMESTAMP, which PostgreSQL keeps apart
        if default is not None:
            default = _engine_literal(self.sql(default), ty)
        return Field(name=column.name, type=ty, nullable=column.nullable, identity=identity, default=default,
                     doc=column.comment, overrides=overrides), skipped

    def serial(self, table: cat.Table, column: cat.Column) -> bool:
        """Whether the column is a `serial` one: its default draws from the sequence serial
        makes for it, with that sequence's name and options."""
        m = re.fullmatch(r"nextval\('((?:[^']|'')+)'::regclass\)", column.default or "")
        if m is None:
            return False
        name = _unquote_pg(m.group(1).replace("''", "'").rsplit(".", 1)[-1])
        sequence = self.catalog.sequences.get(name)
        if sequence is None or not sequence.is_serial_of(table.name, column.name, column.type):
            return False
        self.serial_sequences.add(name)
        return True

    def kept_sequences(self) -> tuple[list[cat.SchemaObject], list[cat.SchemaObject]]:
        """The sequences no serial column implies: created before the tables, and owned by
        their column (`OWNED BY`) after them. An identity column's sequence is its own."""
        before, after = [], []
        for sequence in self.catalog.sequences.values():
            if sequence.identity or sequence.name in self.serial_sequences:
                continue
            sql = sequence.create_sql(quote_ident)
            before.append(cat.SchemaObject("sequence", sequence.name, sql, sql))
            if sequence.owner is not None:
                sql = (f"ALTER SEQUENCE {quote_ident(sequence.name)} OWNED BY {quote_ident(sequence.owner[0])}."
                       f"{quote_ident(sequence.owner[1])};")
                after.append(cat.SchemaObject("sequence owner", sequence.name, sql, sql))
        return before, after

    def column_type(self, table: cat.Table, column: cat.Column) -> tuple[Type, tuple[TypeOverride, ...], set[str]]:
        physical = column.type
        if self.dialect == "postgresql":
            name = _unquote_pg(physical)
            if name in self.enums:
                return Type(name=name), (), set()
            ty = _portable(physical, PG_TYPES, PG_SIZED, str.lower)
        elif self.dialect == "mysql":
            if physical.lower().startswith("enum("):
                return self.mysql_enum(table, column), (), set()
            ty = _portable(physical, MYSQL_TYPES, MYSQL_SIZED, _mysql_key)
            if ty is not None and ty.name == "text" and _json_check(table, column) is not None:
                return Type(name="json"), (), {column.name}  # MariaDB's JSON: LONGTEXT + CHECK (json_valid(...))
        else:
            ty = _portable(physical, SQLITE_TYPES, SQLITE_SIZED, str.upper) or _sqlite_affinity(physical)
        if ty is None:
            closest = _closest_type(physical) or FALLBACK
            return closest, (TypeOverride(dialect=self.dialect, sql=physical),), set()
        if self.dialect == "sqlite" and _physical_type_of(ty, "sqlite") != physical:
            return ty, (TypeOverride(dialect=self.dialect, sql=physical),), set()  # keep SQLite's spelling
        return ty, (), set()

    def mysql_enum(self, table: cat.Table, column: cat.Column) -> Type:
        values = tuple(m.group(1).replace("''", "'") for m in re.finditer(r"'((?:[^']|'')*)'", column.type))
        name = f"{table.name}_{column.name}"
        existing = self.enums.get(name)
        if existing is None or existing.value_names != values:
            self.enums[name] = Enum(name=name, values=tuple(EnumValue(name=v) for v in values))
        return Type(name=name)

    def index(self, index: cat.Index) -> Index:
        parts = tuple(IndexColumn(column=p.column if p.expression is None else None,
                                  expression=self.sql(p.expression) if p.expression else None,
                                  descending=p.descending) for p in index.parts)
        method = index.method if index.method not in (None, "btree") else None
        where = self.sql(index.predicate) if index.predicate else None
        return Index(columns=parts, name=index.name, unique=index.unique, where=where, method=method)


def raw_tables(catalog: cat.Catalog) -> dict[str, str]:
    """The tables a spec cannot express, kept whole (with their indexes) as raw SQL, and why,
    in an order they can be created in (each after the kept tables it refers to or is a
    partition of): on PostgreSQL, a partitioned table, a partition, a table with generated
    columns, and one with options (UNLOGGED, storage parameters); on MySQL, a table with
    generated columns; on SQLite, a table with
    generated columns, one whose primary key may hold NULL (SQLite's legacy rule for a key
    that is not the rowid), and one with a unique key declared before its primary key (the
    backend writes the key first, which numbers the automatic indexes otherwise); and on
    each, one with a foreign key to such a table (an entity cannot refer to raw SQL).

    Example:
        >>> raw_tables(read_catalog(sqlite3.connect(":memory:"), "sqlite"))  # doctest: +SKIP
        {}
    """
    reason = {"postgresql": _pg_raw_reason, "mysql": _generated_reason}.get(catalog.dialect, _sqlite_raw_reason)
    out: dict[str, str] = {}
    for t in catalog.tables.values():
        why = reason(t) if t.definition is not None else None
        if why:
            out[t.name] = why
    while True:
        more = {t.name: f"it refers to '{fk.referenced_table}', which is kept as raw SQL"
                for t in catalog.tables.values() if t.name not in out and t.definition is not None
                for fk in t.foreign_keys if fk.referenced_table in out}
        if not more:
            return {name: out[name] for name in _creation_order(catalog, [n for n in catalog.tables if n in out])}
        out.update(more)


def _generated_reason(t: cat.Table) -> str | None:
    generated = [c.name for c in t.columns if c.generated is not None]
    return f"the language cannot express its generated columns ({_listed(generated)}) yet" if generated else None


def _pg_raw_reason(t: cat.Table) -> str | None:
    if t.partition_by:
        return f"it is partitioned (PARTITION BY {t.partition_by}), which the language cannot express yet"
    if t.partition_of:
        return f"it is a partition of '{t.partition_of}', which the language cannot express yet"
    if generated := _generated_reason(t):
        return generated
    return f"the language cannot express its {t.beyond} yet" if t.beyond else None


def _sqlite_raw_reason(t: cat.Table) -> str | None:
    key = t.primary_key.columns if t.primary_key else ()
    nullable = [c.name for c in t.columns if c.name in key and c.nullable
                and not (len(key) == 1 and c.type.upper() == "INTEGER")]
    numbers: dict[str, int] = {}  # the first automatic index of the primary key / of a unique key
    for i in t.indexes:
        if i.origin in ("primary_key", "unique") and i.name.rsplit("_", 1)[-1].isdigit():
            n = int(i.name.rsplit("_", 1)[1])
            numbers[i.origin] = min(n, numbers.get(i.origin, n))
    if generated := _generated_reason(t):
        return generated
    if numbers.get("unique", 0) and numbers["unique"] < numbers.get("primary_key", 0):
        return ("it declares a unique key before its primary key, and SQLite names their automatic "
                "indexes (sqlite_autoindex_<table>_<n>, which INDEXED BY can name) in that order, "
                "which a spec cannot say")
    if nullable:
        columns = "column" if len(nullable) == 1 else "columns"
        return (f"its primary-key {columns} {_listed(nullable)} may hold NULL (SQLite's legacy rule for "
                "a key column not declared NOT NULL), which a spec cannot say")
    return None


def _creation_order(catalog: cat.Catalog, names: list[str]) -> list[str]:
    """`names` in an order PostgreSQL can create them in: each after the tables among them it
    refers to or is a partition of, else in catalog order (a cycle keeps that order)."""
    done: list[str] = []

    def visit(name: str, path: frozenset[str]) -> None:
        table = catalog.tables[name]
        for needed in (table.partition_of, *(fk.referenced_table for fk in table.foreign_keys)):
            if needed in names and needed not in done and needed not in path and needed != name:
                visit(needed, path | {name})
        if name not in done:
            done.append(name)

    for name in names:
        visit(name, frozenset())
    return done


def _listed(names: list[str], most: int = 3) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _table_sql(table: cat.Table, dialect: str) -> str:
    """A table's CREATE TABLE and CREATE INDEX statements, as the engine keeps them (SQLite);
    PostgreSQL's `definition` has them all already, MySQL's (SHOW CREATE TABLE) its keys."""
    if dialect == "postgresql":
        return table.definition or ""
    if dialect == "mysql":
        return terminated((table.definition or "").strip())
    statements = [table.definition or ""] + [i.definition for i in table.indexes
                                             if i.origin == "index" and i.definition]
    return "\n\n".join(terminated(s.strip()) for s in statements)


# The spec's spelling of each portable function a backend writes a default for.
_SPEC_FUNCTIONS = {"CurrentTimestamp": "now()", "CurrentDate": "current_date", "CurrentTime": "current_time",
                   "Uuid": "uuid()"}
# Defaults an engine reports otherwise than the backend wrote them: MariaDB's, by the backend's.
_REPORTED_AS = {"mysql": {"curdate()": "current_date", "curtime(6)": "current_time(6)"}}


@cache
def _engine_literal(default: str, ty: Type) -> str:
    """A literal default the engine takes but the language refuses for the type (`42.195` for
    `decimal(5, 0)`, which the engine rounds; a number quoted as a string) is kept as an
    expression, which the engine evaluates as it did."""
    from schemac import expressions
    from schemac.defaults import literal_problem

    if ty.name not in BUILTIN_TYPES:
        return default
    tree = expressions.parse(default)
    if isinstance(tree, expressions.ExprError) or literal_problem(tree, ty) is None:
        return default
    return f"({default})"


def _portable_defaults(dialect: str) -> dict[str, tuple[str, bool]]:
    """Normalised default text -> (the spec's function, whether it means a UTC timestamp),
    from the defaults the dialect's backend writes for the portable functions."""
    from schemac.backends.base import renderer_class

    cls = renderer_class(dialect)
    out = {_default_key(sql): (_SPEC_FUNCTIONS[kind], False) for kind, sql in cls.DEFAULTS.items()}
    utc = getattr(cls, "UTC_NOW", None)
    if utc:
        out[_default_key(utc)] = ("now()", True)
    for reported, written in _REPORTED_AS.get(dialect, {}).items():
        out[reported] = out[written]
    return out


def _portable_default(text: str, dialect: str) -> tuple[str, bool] | None:
    """The spec's spelling of a default the backend writes for a portable function
    (`now()`, `uuid()`...), or None for any other default."""
    return _portable_defaults(dialect).get(_default_key(text))


def _default_key(text: str) -> str:
    """A default's text without spaces, in lower case, without parentheses around it all."""
    key = re.sub(r"\s+", "", text).lower()
    while key.startswith("(") and _closing(key, 0) == len(key) - 1:
        key = key[1:-1]
    return key


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _json_check(table: cat.Table, column: cat.Column) -> cat.CheckConstraint | None:
    check = table.check(column.name)
    if check is not None and re.fullmatch(rf"json_valid\(`{re.escape(column.name)}`\)", check.definition.strip()):
        return check
    return None


_NO_INDEX = cat.Index("", ())


def _made_by_hand(table: cat.Table, index: cat.Index) -> bool:
    """Whether an index MySQL reports under a foreign key's name was created by a statement
    of its own: InnoDB creates one for a foreign key only when no other index starts with
    the key's columns."""
    if index.origin != "foreign_key":
        return False
    columns = tuple(p.column for p in index.parts)
    return any(other.name != index.name and tuple(p.column for p in other.parts[:len(columns)]) == columns
               and not any(p.prefix for p in other.parts[:len(columns)]) for other in table.indexes)


def _quote(name: str) -> str:
    return quote_ident(name, "`")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "''")


def _backend_prefixes(table: str, fields: list[Field], index: cat.Index,
                      enums: dict[str, Enum]) -> dict[str, int] | None:
    """The key prefixes the MySQL backend writes for `index` on a table of `fields`."""
    from schemac.backends.mysql import MysqlRenderer

    entity = Entity(name=table, fields=tuple(fields), keyless=True)
    spec_index = Index(columns=tuple(IndexColumn(column=p.column) for p in index.parts), name=index.name,
                       unique=index.unique)
    renderer = MysqlRenderer(Schema(enums=tuple(enums.values()), entities=(entity,)))
    return renderer.key_prefixes(entity, spec_index)


def _unquote_pg(text: str) -> str:
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return text


def _align_foreign_key_types(entities: list[Entity], catalog: cat.Catalog) -> list[Entity]:
    """A foreign-key column has its target's portable type in a spec. Where the engine has
    them differ (SQLite's declared `INTEGER` against `BIGINT`), the column takes the
    target's portable type and keeps its own physical type for this dialect. Repeated until
    nothing changes, since a target may itself be a foreign key."""
    while True:
        aligned = _align_once(entities, catalog)
        if aligned == entities:
            return aligned
        entities = aligned


def _align_once(entities: list[Entity], catalog: cat.Catalog) -> list[Entity]:
    by_name = {e.name: e for e in entities}
    out = []
    for e in entities:
        changed: dict[str, Field] = {}
        for fk in e.foreign_keys:
            target = by_name.get(fk.target)
            if target is None:
                continue
            for col, ref_col in zip(fk.columns, fk.target_columns, strict=True):
                mine, theirs = e.field(col), target.field(ref_col)
                if mine is None or theirs is None or mine.type == theirs.type or col in changed:
                    continue
                physical = catalog.tables[e.name].column(col).type
                overrides = () if _physical_type_of(theirs.type, catalog.dialect) == physical else (
                    TypeOverride(dialect=catalog.dialect, sql=physical),)
                changed[col] = mine.model_copy(update={"type": theirs.type, "overrides": overrides})
        out.append(e.model_copy(update={"fields": tuple(changed.get(f.name, f) for f in e.fields)})
                   if changed else e)
    return out


def _physical_type_of(ty: Type | None, dialect: str) -> str | None:
    """The physical type the backend gives a builtin portable type (None for enums)."""
    from schemac.backends.base import renderer_class

    if ty is None or not ty.builtin:
        return None
    return renderer_class(dialect).TYPES[ty.name].format(params=", ".join(map(str, ty.params)))


def _refs(entities: list[Entity], catalog: cat.Catalog) -> list[Entity]:
    """Single-column foreign keys to a primary key, on a column named `<field>_<key>`, as `ref`
    fields in place of their column."""
    pks = {e.name: e.primary_key.columns for e in entities if e.primary_key}
    out = []
    for e in entities:
        names = {f.name for f in e.fields}
        replaced: dict[str, Field] = {}
        kept: list[ForeignKey] = []
        used = [c for fk in e.foreign_keys for c in fk.columns]
        for fk in e.foreign_keys:
            target_pk = pks.get(fk.target)
            column = fk.columns[0]
            suffix = f"_{fk.target_columns[0]}"
            base = column[: -len(suffix)] if column.endswith(suffix) else ""
            explicit: tuple[str, ...] = ()
            if not base and column == fk.target_columns[0]:  # `artist_id` -> artist(artist_id)
                m = re.fullmatch(r"(.+?)(_id|Id|_ID)", column)
                base, explicit = (m.group(1), (column,)) if m else ("", ())
            if (len(fk.columns) != 1 or target_pk != fk.target_columns or not base or base in names
                    or used.count(column) != 1 or column in replaced or base in {r.name for r in replaced.values()}):
                kept.append(fk)
                continue
            f = next(f for f in e.fields if f.name == column)
            if f.identity or f.default is not None or f.overrides or f.primary_key:
                kept.append(fk)
                continue
            replaced[column] = Field(
                name=base, ref=Reference(target=fk.target, columns=explicit, on_delete=fk.on_delete,
                                         on_update=fk.on_update, constraint=fk.name),
                nullable=f.nullable, doc=f.doc)
        if not replaced:
            out.append(e)
            continue
        fields = tuple(replaced.get(f.name, f) for f in e.fields)
        out.append(e.model_copy(update={"fields": fields, "foreign_keys": tuple(kept)}))
    return out


def reverse(catalog: cat.Catalog) -> Reversed:
    """A declared schema that compiles back to `catalog`, and notes on what it leaves out.

    Example:
        >>> spec = reverse(read_catalog(sqlite3.connect("shop.db"), "sqlite"))  # doctest: +SKIP
        >>> [e.name for e in spec.schema.entities][:2]                          # doctest: +SKIP
        ['address', 'cart']
    """
    r = Reverser(catalog)
    schema = r.run()
    return Reversed(_links(_field_level(_default_names(schema, catalog.dialect)), catalog), r.notes, r.kept)


def _field_level(schema: Schema) -> Schema:
    """A primary key or unique constraint of one plain column, without a name of its own,
    written on the field (`id: int @pk`), as a person would."""
    entities = []
    for e in schema.entities:
        plain = {f.name for f in e.fields if f.ref is None}
        update: dict[str, object] = {}
        pk_col = None
        if e.primary_key and len(e.primary_key.columns) == 1 and e.primary_key.name is None \
                and e.primary_key.columns[0] in plain:
            pk_col = e.primary_key.columns[0]
            update["primary_key"] = None
        singles = {u.columns[0] for u in e.uniques if len(u.columns) == 1 and u.name is None
                   and u.columns[0] in plain and u.columns[0] != pk_col}
        if singles:
            update["uniques"] = tuple(u for u in e.uniques if not (len(u.columns) == 1 and u.columns[0] in singles
                                                                   and u.name is None))
        if pk_col or singles:
            update["fields"] = tuple(
                f.model_copy(update={"primary_key": f.name == pk_col, "unique": f.name in singles})
                if f.name == pk_col or f.name in singles else f for f in e.fields)
        entities.append(e.model_copy(update=update) if update else e)
    return schema.model_copy(update={"entities": tuple(entities)})


def _default_names(schema: Schema, dialect: str) -> Schema:
    """Drop the names that equal those schemac would give on `dialect`, so that they are not
    written out."""
    from schemac.backends.base import renderer_class
    from schemac.naming import shorten
    from schemac.resolve import resolve

    resolved, _ = resolve(_renamed(schema, lambda entity, kind, key, name: None))
    cls = renderer_class(dialect)
    defaults: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}

    def record(entity: Entity, kind: str, key: tuple[str, ...], name: str | None) -> str | None:
        if name is not None:  # as resolved, and as the dialect shortens it
            short = shorten(name, cls.IDENT_LIMIT, in_bytes=cls.IDENT_BYTES) if cls.IDENT_LIMIT else name
            defaults.setdefault((entity.name, kind, key), set()).update((name, short))
        return name

    _renamed(resolved, record)
    return _renamed(schema, lambda entity, kind, key, name: None if name in defaults.get(
        (entity.name, kind, key), set()) else name)


Rename = Callable[[Entity, str, tuple[str, ...], "str | None"], "str | None"]


def _renamed(schema: Schema, rename: Rename) -> Schema:
    """`schema` with the name of every constraint and index replaced by `rename(entity,
    kind, key, name)`; the key is the columns (a check's: its expression)."""
    entities = []
    for e in schema.entities:
        def new(kind: str, key: tuple[str, ...], name: str | None, entity: Entity = e) -> str | None:
            return rename(entity, kind, key, name)

        fields = tuple(f.model_copy(update={"ref": f.ref.model_copy(update={"constraint": new(
            "fk", f.ref.columns or (f"{f.name}_{_target_pk(schema, f)}",), f.ref.constraint)})}) if f.ref else f
            for f in e.fields)
        pk = e.primary_key
        entities.append(e.model_copy(update={
            "fields": fields,
            "primary_key": pk.model_copy(update={"name": new("pk", pk.columns, pk.name)}) if pk else None,
            "uniques": tuple(u.model_copy(update={"name": new("unique", u.columns, u.name)}) for u in e.uniques),
            "foreign_keys": tuple(fk.model_copy(update={"name": new("fk", fk.columns, fk.name)})
                                  for fk in e.foreign_keys),
            "checks": tuple(c.model_copy(update={"name": new("check", (c.expression,), c.name)}) for c in e.checks),
            "indexes": tuple(i.model_copy(update={"name": new(
                "index", tuple(p.column or p.expression or "" for p in i.columns), i.name)}) for i in e.indexes),
        }))
    return schema.model_copy(update={"entities": tuple(entities)})


def _target_pk(schema: Schema, f: Field) -> str:
    assert f.ref is not None
    target = schema.entity(f.ref.target)
    assert target is not None and target.primary_key is not None
    return target.primary_key.columns[0]


# -- join tables -> many links ----------------------------------------------------------------------

# The one-line comment the SQLite backend writes after a table's name, which no catalog reads.
_SQLITE_TABLE_DOC = re.compile(r'\s*CREATE\s+TABLE\s+(?:"(?:[^"]|"")*"|\S+) /\* ([^\n]*?) \*/ \(', re.I)


def _links(schema: Schema, catalog: cat.Catalog) -> Schema:
    """Join tables as `many` links on the entity that owns them. A table becomes a link only
    when the schema with the link resolves to the same tables as the schema with the
    entity (the same columns, keys, names, index and comment), so that it compiles to the
    same catalog; any other table stays an entity."""
    from schemac.resolve import resolve

    candidates: dict[str, tuple[str, Link]] = {}
    for e in schema.entities:
        found = _link_candidate(schema, e, catalog)
        if found is None:
            continue
        table, (owner, link) = found  # the first of two tables whose comments name one link
        if not any(o == owner and lk.name.lower() == link.name.lower() for o, lk in candidates.values()):
            candidates[table] = (owner, link)
    if not candidates:
        return schema
    resolved, problems = resolve(schema)
    if any(d.is_error for d in problems):
        return schema
    want = _tables(resolved, catalog.dialect)
    while candidates:
        linked = _linked(schema, candidates)
        resolved, problems = resolve(linked)
        got = _tables(resolved, catalog.dialect)
        if got == want and not any(d.is_error for d in problems):
            return linked
        wrong = {name for name in candidates if got.get(name) != want.get(name)}
        if not wrong or any(d.is_error for d in problems):
            return schema
        candidates = {name: c for name, c in candidates.items() if name not in wrong}
    return schema


def _link_candidate(schema: Schema, entity: Entity, catalog: cat.Catalog) -> tuple[str, tuple[str, Link]] | None:
    """(join table, (owning entity, link)) for a table shaped like the join table of a link:
    two cascading foreign keys whose columns, in order, are its primary key and all its
    columns. The link is named by the table's comment where it is the one schemac writes,
    else by the table name (`@table` where that is not `<owner>_<link>`)."""
    table = catalog.tables.get(entity.name)
    if table is None or table.primary_key is None or len(table.foreign_keys) != 2:
        return None
    key = table.primary_key.columns
    near, far = sorted(table.foreign_keys, key=lambda fk: fk.columns[0] != key[0])
    if (near.columns + far.columns != key or any(fk.on_delete != "CASCADE" for fk in (near, far))
            or tuple(c.name for c in table.columns) != key):
        return None
    source, target = schema.entity(near.referenced_table), schema.entity(far.referenced_table)
    if source is None or target is None or entity.name in (source.name, target.name):
        return None
    doc = table.comment
    if doc is None and table.definition and (m := _SQLITE_TABLE_DOC.match(table.definition)):
        doc = m.group(1)
    name = _link_name(table.name, doc, source.name, target.name, far)
    taken = {f.name.lower() for f in source.fields} | {lk.name.lower() for lk in source.links}
    if name is None or name.lower() in taken:
        return None
    default_doc = f"Links '{source.name}' to '{target.name}' ({source.name}.{name})."
    return table.name, (source.name, Link(name=name, target=target.name,
                                          table=None if table.name == f"{source.name}_{name}" else table.name,
                                          doc=None if doc in (default_doc, None) else doc))


def _link_name(table: str, doc: str | None, source: str, target: str, far: cat.ForeignKey) -> str | None:
    """The name of the link a join table stands for: a link to its own entity names the far
    side's columns (`follows_id`); any other is named by the comment schemac writes
    (`Links 'a' to 'b' (a.name).`), else by the table (`<owner>_<name>`, else the table name)."""
    if source == target:
        suffix = f"_{far.referenced_columns[0]}"
        return far.columns[0].removesuffix(suffix) if far.columns[0].endswith(suffix) else None
    prefix = f"Links '{source}' to '{target}' ({source}."
    if doc and doc.startswith(prefix) and doc.endswith(").") and ")." not in doc[len(prefix):-2]:
        return doc[len(prefix):-2]
    return table.removeprefix(f"{source}_") or None


def _linked(schema: Schema, candidates: dict[str, tuple[str, Link]]) -> Schema:
    """`schema` with each candidate join entity replaced by its link on the owning entity."""
    links: dict[str, list[Link]] = {}
    for source, link in candidates.values():
        links.setdefault(source, []).append(link)
    entities = tuple(e.model_copy(update={"links": (*e.links, *links[e.name])}) if e.name in links else e
                     for e in schema.entities if e.name not in candidates)
    return schema.model_copy(update={"entities": entities})


def _tables(resolved: Schema, dialect: str) -> dict[str, Entity]:
    """The resolved entities by name, as the dialect's catalog sees them: foreign keys in no
    order (they are matched by name), and on SQLite without a table comment (the backend
    writes it inside CREATE TABLE, where no catalog reads it)."""
    return {e.name: e.model_copy(update={"foreign_keys": tuple(sorted(e.foreign_keys, key=lambda fk: fk.columns)),
                                         "doc": None if dialect == "sqlite" else e.doc})
            for e in resolved.entities}
