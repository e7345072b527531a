"""Read a database's catalog back into one normalised structure, whatever the engine.

`read_catalog(connection, dialect)` returns a `Catalog`: the tables of the current schema
(PostgreSQL), database (MySQL/MariaDB) or file (SQLite), each with its columns, keys,
foreign keys, checks, indexes and comments, plus PostgreSQL's enum types.

What is normalised, and what is left as the engine reports it:

* names are the engine's, unquoted;
* column types, default expressions, check definitions and index predicates are the engine's
  own text (`numeric(12,2)` / `decimal(12,2)` / `NUMERIC(12, 2)`), so a test can see what the
  engine made of the DDL; a NULL default is reported as no default (`None`), as PostgreSQL
  stores it, and MySQL 8's unquoted literal defaults are quoted the way MariaDB reports them;
* referential actions are upper-case SQL (`NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL`,
  `SET DEFAULT`);
* `Table.indexes` lists every index, including the ones behind a primary key, a unique
  constraint or (MySQL) a foreign key; `Index.origin` says which.

Sources: PostgreSQL's pg_catalog (format_type, pg_get_expr, pg_get_constraintdef,
pg_get_indexdef, obj_description, col_description); MySQL's and MariaDB's
information_schema; SQLite's sqlite_master and table-valued pragmas, with check constraints,
constraint names and comments read from the CREATE TABLE text, which is all SQLite keeps
(ddl_text.py reads it).

Example:
    >>> import sqlite3
    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute('CREATE TABLE t (id INTEGER NOT NULL CONSTRAINT t_pkey PRIMARY KEY)')
    >>> read_catalog(conn, "sqlite").tables["t"].primary_key
    PrimaryKey(name='t_pkey', columns=('id',))
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from schemac.ddl_text import ColumnText, parse_create_index, parse_create_table, quote_ident

IndexOrigin = Literal["index", "primary_key", "unique", "foreign_key"]


# -- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # PostgreSQL format_type(), MySQL COLUMN_TYPE, SQLite's declared type
    nullable: bool
    default: str | None = None  # the engine's text of the default expression
    identity: str | None = None  # 'always' / 'by default' (PostgreSQL), 'auto_increment', 'autoincrement'
    comment: str | None = None
    generated: str | None = None  # a generated column's expression (SQLite, PostgreSQL)
    stored: bool = False  # a generated column is STORED, not VIRTUAL
    on_update: str | None = None  # MySQL: the ON UPDATE of a timestamp column, as the engine writes it


@dataclass(frozen=True)
class PrimaryKey:
    name: str | None  # MySQL always says PRIMARY; SQLite has a name only when the DDL gave one
    columns: tuple[str, ...]


@dataclass(frozen=True)
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    referenced_table: str
    referenced_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"


@dataclass(frozen=True)
class CheckConstraint:
    name: str | None
    definition: str  # the condition, without the CHECK keyword


@dataclass(frozen=True)
class IndexPart:
    column: str | None = None  # None for an expression
    expression: str | None = None
    descending: bool = False
    prefix: int | None = None  # MySQL prefix length


@dataclass(frozen=True)
class Index:
    name: str
    parts: tuple[IndexPart, ...]
    unique: bool = False
    predicate: str | None = None  # the WHERE of a partial index
    method: str | None = None  # btree, hash, gin, ...
    origin: IndexOrigin = "index"
    definition: str | None = None  # the engine's CREATE INDEX text, where it keeps one
    beyond: str | None = None  # what the parts above do not say (an operator class...), if anything

    @property
    def columns(self) -> tuple[str | None, ...]:
        return tuple(p.column for p in self.parts)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    # The statements that create the table as it is: SQLite's own CREATE TABLE text;
    # PostgreSQL's written from the catalog (inspect) or as the dump has them (import).
    definition: str | None = None
    partition_by: str | None = None  # PostgreSQL: a partitioned table's key, `RANGE (payment_date)`
    partition_of: str | None = None  # PostgreSQL: the table a partition belongs to
    partition_bound: str | None = None  # and its bound, `FOR VALUES FROM (...) TO (...)`
    beyond: str | None = None  # what the fields above do not say (UNLOGGED, storage parameters...), if anything

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}; it has {[c.name for c in self.columns]}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)

    def check(self, name: str) -> CheckConstraint | None:
        return next((c for c in self.checks if c.name == name), None)

    def foreign_key(self, name: str) -> ForeignKey | None:
        return next((f for f in self.foreign_keys if f.name == name), None)


@dataclass(frozen=True)
class EnumType:
    name: str
    values: tuple[str, ...]
    comment: str | None = None


@dataclass(frozen=True)
class SchemaObject:
    """An object outside tables that a spec keeps as raw SQL: a view, function, trigger..."""

    kind: str  # view, materialized view, function, trigger, sequence, virtual table
    name: str
    definition: str  # the engine's own text of it, for comparison
    sql: str  # a statement that creates it
    before_tables: bool = False  # created before the tables (an import's statement that precedes them)


@dataclass(frozen=True)
class SequenceInfo:
    """A PostgreSQL sequence: its options, and the column that owns it, if any (a serial
    column's, `OWNED BY`, or an identity column's own)."""

    name: str
    type: str = "bigint"
    start: int = 1
    increment: int = 1
    minimum: int = 1
    maximum: int = 2**63 - 1
    cache: int = 1
    cycle: bool = False
    owner: tuple[str, str] | None = None  # (table, column)
    identity: bool = False  # the sequence of an identity column

    def is_serial_of(self, table: str, column: str, column_type: str) -> bool:
        """Whether this is the sequence `serial` makes for the column, options untouched."""
        return (not self.identity and self.owner == (table, column) and self.name == f"{table}_{column}_seq"
                and self.type == column_type and (self.start, self.increment, self.minimum, self.cache) == (1, 1, 1, 1)
                and self.maximum == SEQUENCE_MAXIMUM.get(column_type) and not self.cycle)

    def create_sql(self, quote: Callable[[str], str]) -> str:
        return f"CREATE SEQUENCE {quote(self.name)} AS {self.type} {self.options()};"

    def options(self) -> str:
        return (f"START WITH {self.start} INCREMENT BY {self.increment} MINVALUE {self.minimum} "
                f"MAXVALUE {self.maximum} CACHE {self.cache}{' CYCLE' if self.cycle else ''}")


SEQUENCE_MAXIMUM = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


@dataclass(frozen=True)
class Catalog:
    dialect: str
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, EnumType] = field(default_factory=dict)  # PostgreSQL only
    objects: tuple[SchemaObject, ...] = ()  # in an order they can be created in
    sequences: dict[str, SequenceInfo] = field(default_factory=dict)  # PostgreSQL only
    # Expressions as a DDL file writes them (schemac.ddl_import), not as the engine reports them
    written: bool = False

    def table(self, name: str) -> Table:
        if name not in self.tables:
            raise KeyError(f"no table {name!r} in the {self.dialect} catalog; it has {sorted(self.tables)}")
        return self.tables[name]


ACTIONS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")


def read_catalog(connection: Any, dialect: str) -> Catalog:
    """Read the catalog of the database `connection` is connected to.

    Args:
        connection: a DB-API connection: psycopg 3 (postgresql), PyMySQL (mysql) or sqlite3.
        dialect: `postgresql`, `mysql` or `sqlite`.

    Returns:
        The `Catalog` of the current schema or database.
    """
    readers = {"postgresql": _read_postgresql, "mysql": _read_mysql, "sqlite": _read_sqlite}
    return readers[dialect](connection)


def _rows(connection: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows as dicts keyed by upper-case column name."""
    cur = connection.cursor()
    try:
        cur.execute(sql, tuple(params)) if params else cur.execute(sql)
        names = [d[0].upper() for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        cur.close()


def _group(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def _text(value: Any) -> str | None:
    """Decode what a driver may hand back as bytes; empty text is None."""
    if isinstance(value, bytes | bytearray):
        value = value.decode()
    return None if value is None or value == "" else str(value)


# -- PostgreSQL ----------------------------------------------------------------------------------

PG_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
PG_IDENTITY = {"a": "always", "d": "by default"}
PG_ORIGIN: dict[str | None, IndexOrigin] = {"p": "primary_key", "u": "unique", "x": "index", None: "index"}

PG_TABLES = """
SELECT c.oid AS oid, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment,
       pg_get_partkeydef(c.oid) AS partition_by, p.relname AS partition_of,
       pg_get_expr(c.relpartbound, c.oid) AS partition_bound, c.relpersistence = 'u' AS unlogged,
       array_to_string(c.reloptions, ', ') AS options
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class p ON p.oid = i.inhparent
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
PG_COLUMNS = """
SELECT a.attrelid AS oid, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default_sql,
       a.attidentity AS identity, a.attgenerated AS generated, col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""
PG_CONSTRAINTS = """
SELECT con.conrelid AS oid, con.conname AS name, con.contype AS kind,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
       f.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord) AS ref_columns,
       con.confdeltype AS on_delete, con.confupdtype AS on_update, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = con.confrelid
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c')
  AND NOT EXISTS (SELECT FROM pg_constraint up WHERE up.oid = con.conparentid AND up.conrelid = con.conrelid)
ORDER BY con.conrelid, con.conname
"""
PG_INDEXES = """
SELECT i.indrelid AS oid, ic.relname AS name, i.indisunique AS is_unique, i.indnkeyatts AS nkeys,
       i.indkey::text AS keys, i.indoption::text AS options, pg_get_expr(i.indpred, i.indrelid) AS predicate,
       am.amname AS method, pg_get_indexdef(i.indexrelid) AS definition, con.contype AS origin,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k
             ORDER BY k) AS part_sql,
       EXISTS (SELECT FROM unnest(i.indclass) cls JOIN pg_opclass o ON o.oid = cls WHERE NOT o.opcdefault)
         AS custom_opclass,
       i.indnatts > i.indnkeyatts AS has_include, ic.reloptions IS NOT NULL AS has_options,
       ic.reltablespace <> 0 AS has_tablespace
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                            AND con.contype IN ('p', 'u', 'x')
WHERE n.nspname = current_schema()
ORDER BY i.indrelid, ic.relname
"""
PG_ENUMS = """
SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = current_schema()
GROUP BY t.oid, t.typname
ORDER BY t.typname
"""


def _read_postgresql(conn: Any) -> Catalog:
    columns = _group(_rows(conn, PG_COLUMNS), "OID")
    constraints = _group(_rows(conn, PG_CONSTRAINTS), "OID")
    indexes = _group(_rows(conn, PG_INDEXES), "OID")
    sequences = {r["NAME"]: SequenceInfo(r["NAME"], r["TYPE"], r["START"], r["INCREMENT"], r["MINIMUM"], r["MAXIMUM"],
                                         r["CACHE"], r["CYCLE"],
                                         (r["OWNER_TABLE"], r["OWNER_COLUMN"]) if r["OWNER_TABLE"] else None,
                                         r["DEPTYPE"] == "i")
                 for r in _rows(conn, PG_SEQUENCES)}
    tables: dict[str, Table] = {}
    for t in _rows(conn, PG_TABLES):
        cols = columns.get(t["OID"], [])
        by_num = {c["NUM"]: c["NAME"] for c in cols}
        cons = constraints.get(t["OID"], [])
        pk = next((PrimaryKey(c["NAME"], tuple(c["COLUMNS"])) for c in cons if c["KIND"] == "p"), None)
        table = Table(
            name=t["NAME"],
            columns=tuple(_pg_column(c) for c in cols),
            primary_key=pk,
            uniques=tuple(UniqueConstraint(c["NAME"], tuple(c["COLUMNS"])) for c in cons if c["KIND"] == "u"),
            foreign_keys=tuple(
                ForeignKey(c["NAME"], tuple(c["COLUMNS"]), c["REF_TABLE"], tuple(c["REF_COLUMNS"]),
                           PG_ACTIONS[c["ON_DELETE"]], PG_ACTIONS[c["ON_UPDATE"]])
                for c in cons if c["KIND"] == "f"),
            checks=tuple(CheckConstraint(c["NAME"], _pg_check(c["DEFINITION"]))
                         for c in cons if c["KIND"] == "c"),
            indexes=tuple(_pg_index(i, by_num) for i in indexes.get(t["OID"], [])),
            comment=t["COMMENT"],
            partition_by=t["PARTITION_BY"],
            partition_of=t["PARTITION_OF"],
            partition_bound=t["PARTITION_BOUND"],
            beyond=_pg_table_beyond(t),
        )
        tables[t["NAME"]] = replace(table, definition=_pg_definition(table, cons, t, sequences))
    enums = {e["NAME"]: EnumType(e["NAME"], tuple(e["LABELS"]), e["COMMENT"]) for e in _rows(conn, PG_ENUMS)}
    return Catalog("postgresql", tables, enums, _pg_objects(conn), sequences)


PG_SEQUENCES = """
SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart AS start, s.seqincrement AS increment,
       s.seqmin AS minimum, s.seqmax AS maximum, s.seqcache AS cache, s.seqcycle AS cycle, d.deptype AS deptype,
       t.relname AS owner_table, a.attname AS owner_column
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname = current_schema()
ORDER BY c.relname
"""


def _pg_check(definition: str) -> str:
    """`CHECK ((a > 0)) NOT VALID` -> `(a > 0)`."""
    text = re.sub(r"\s+NOT VALID$", "", definition.strip())
    if text.upper().startswith("CHECK (") and text.endswith(")"):
        text = text[len("CHECK ("):-1]
    return text


def _pg_column(row: dict[str, Any]) -> Column:
    """A column; a generated column's expression is in pg_attrdef, as a default's is."""
    generated = row["DEFAULT_SQL"] if row["GENERATED"] else None
    return Column(row["NAME"], row["TYPE"], row["NULLABLE"], None if generated else row["DEFAULT_SQL"],
                  PG_IDENTITY.get(row["IDENTITY"] or ""), row["COMMENT"], generated, row["GENERATED"] == "s")


def _pg_table_beyond(row: dict[str, Any]) -> str | None:
    said = ["UNLOGGED"] if row["UNLOGGED"] else []
    said += [f"storage parameters ({row['OPTIONS']})"] if row["OPTIONS"] else []
    return " and ".join(said) or None


def _pg_definition(table: Table, constraints: list[dict[str, Any]], row: dict[str, Any],
                   sequences: dict[str, SequenceInfo]) -> str:
    """The statements that create `table` as the catalog has it, in pg_dump's spirit: CREATE
    TABLE with its columns, keys and checks, then its foreign keys, indexes and comments, and
    a partition's ATTACH PARTITION last, so that the keys and indexes made before it are the
    ones PostgreSQL attaches to the partitioned table's (none is made again, under another
    name). The indexes of a partitioned table are made on it before any partition exists:
    not ON ONLY, which would leave them invalid."""
    q = quote_ident
    items = [f"{q(c.name)} {_pg_column_sql(table.name, c, sequences)}" for c in table.columns]
    items += [f"CONSTRAINT {q(c['NAME'])} {c['DEFINITION']}" for c in constraints if c["KIND"] in ("p", "u", "c")]
    body = ",\n".join(f"    {item}" for item in items)
    sql = f"CREATE {'UNLOGGED ' if row['UNLOGGED'] else ''}TABLE {q(table.name)} (\n{body}\n)"
    sql += f" PARTITION BY {table.partition_by}" if table.partition_by else ""
    sql += f" WITH ({row['OPTIONS']})" if row["OPTIONS"] else ""
    statements = [sql]
    statements += [f"ALTER TABLE {q(table.name)} ADD CONSTRAINT {q(c['NAME'])} {c['DEFINITION']}"
                   for c in constraints if c["KIND"] == "f"]
    statements += [re.sub(r' ON (?:ONLY )?(?:"(?:[^"]|"")*"|\w+)\.', " ON ", i.definition, count=1)
                   for i in table.indexes if i.origin == "index" and i.definition]
    statements += [f"COMMENT ON TABLE {q(table.name)} IS {_pg_literal(table.comment)}"] if table.comment else []
    statements += [f"COMMENT ON COLUMN {q(table.name)}.{q(c.name)} IS {_pg_literal(c.comment)}"
                   for c in table.columns if c.comment]
    if table.partition_of:
        statements.append(f"ALTER TABLE {q(table.partition_of)} ATTACH PARTITION {q(table.name)} "
                          f"{table.partition_bound}")
    return "\n\n".join(f"{s};" for s in statements)


def _pg_column_sql(table: str, column: Column, sequences: dict[str, SequenceInfo]) -> str:
    """A column's type and options in CREATE TABLE; an identity column's sequence with its
    name and options."""
    sql = column.type
    if column.generated is not None:
        sql += f" GENERATED ALWAYS AS ({column.generated}) STORED"
    elif column.identity:
        sequence = next((s for s in sequences.values() if s.identity and s.owner == (table, column.name)), None)
        options = f" (SEQUENCE NAME {quote_ident(sequence.name)} {sequence.options()})" if sequence else ""
        sql += f" GENERATED {column.identity.upper()} AS IDENTITY{options}"
    elif column.default is not None:
        sql += f" DEFAULT {column.default}"
    return sql + ("" if column.nullable else " NOT NULL")


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pg_index(row: dict[str, Any], columns: dict[int, str]) -> Index:
    keys = [int(k) for k in row["KEYS"].split()][: row["NKEYS"]]
    options = [int(o) for o in row["OPTIONS"].split()]
    parts = []
    for k, (num, sql) in enumerate(zip(keys, row["PART_SQL"], strict=True)):
        descending = bool(options[k] & 1) if k < len(options) else False
        if num:
            parts.append(IndexPart(column=columns.get(num, sql), descending=descending))
        else:
            parts.append(IndexPart(expression=sql, descending=descending))
    return Index(row["NAME"], tuple(parts), row["IS_UNIQUE"], row["PREDICATE"], row["METHOD"],
                 PG_ORIGIN[row["ORIGIN"]], row["DEFINITION"], _pg_index_beyond(row))


_LITERALS_AND_NAMES = re.compile(r"'(?:[^']|'')*'" + r'|"(?:[^"]|"")*"')


def _pg_index_beyond(row: dict[str, Any]) -> str | None:
    """What a PostgreSQL index has that `Index.parts` cannot say. `pg_get_indexdef` writes
    COLLATE and NULLS FIRST/LAST only where they differ from the default."""
    using = _LITERALS_AND_NAMES.sub("''", row["DEFINITION"])
    for flag, what in (("CUSTOM_OPCLASS", "operator class"), ("HAS_INCLUDE", "INCLUDE columns"),
                       ("HAS_OPTIONS", "index storage parameters"), ("HAS_TABLESPACE", "tablespace")):
        if row[flag]:
            return what
    if re.search(r"\bCOLLATE\b", using):
        return "index collation"
    if re.search(r"\bNULLS (FIRST|LAST)\b", using):
        return "NULLS FIRST/LAST"
    return None


PG_DOMAIN = """'CREATE DOMAIN ' || quote_ident(t.typname) || ' AS ' || format_type(t.typbasetype, t.typtypmod)
  || coalesce(' DEFAULT ' || t.typdefault, '') || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
  || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), ''
                                 ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid), '')"""
PG_AGGREGATE = """'CREATE AGGREGATE ' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid)
  || ') (SFUNC = ' || a.aggtransfn::regproc || ', STYPE = ' || format_type(a.aggtranstype, NULL)
  || coalesce(', FINALFUNC = ' || nullif(a.aggfinalfn, 0)::regproc, '')
  || coalesce(', COMBINEFUNC = ' || nullif(a.aggcombinefn, 0)::regproc, '')
  || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '') || ')'"""
# Extensions first, then domains and functions in creation order (a domain's check may call
# a function, a function may take a domain), aggregates (made of functions), views and
# triggers; an extension's own objects are its.
PG_OBJECTS = f"""
SELECT kind, name, definition, sql FROM (
  SELECT 0 AS rank, e.oid::int8 AS ord, 'extension' AS kind, e.extname::text AS name,
         'CREATE EXTENSION IF NOT EXISTS ' || quote_ident(e.extname) AS definition,
         'CREATE EXTENSION IF NOT EXISTS ' || quote_ident(e.extname) AS sql
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  WHERE n.nspname = current_schema()
  UNION ALL
  SELECT 1, t.oid::int8, 'domain', t.typname::text, {PG_DOMAIN}, {PG_DOMAIN}
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = current_schema() AND t.typtype = 'd'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 1 AS rank, p.oid::int8 AS ord, 'function' AS kind, p.proname::text AS name,
         pg_get_functiondef(p.oid) AS definition, pg_get_functiondef(p.oid) AS sql
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 2, p.oid::int8, 'aggregate', p.proname::text, {PG_AGGREGATE}, {PG_AGGREGATE}
  FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = current_schema() AND a.aggkind = 'n'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 3, c.oid::int8, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, c.relname::text,
         pg_get_viewdef(c.oid, true),
         'CREATE ' || CASE c.relkind WHEN 'v' THEN 'VIEW ' ELSE 'MATERIALIZED VIEW ' END
           || quote_ident(c.relname) || ' AS' || chr(10) || pg_get_viewdef(c.oid, true)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm')
  UNION ALL
  SELECT 4, t.oid::int8, 'trigger', t.tgname::text, pg_get_triggerdef(t.oid, true), pg_get_triggerdef(t.oid, true)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND NOT t.tgisinternal
) o ORDER BY rank, ord
"""


def _pg_objects(conn: Any) -> tuple[SchemaObject, ...]:
    return tuple(SchemaObject(r["KIND"], r["NAME"], r["DEFINITION"], r["SQL"]) for r in _rows(conn, PG_OBJECTS))


def _mysql_objects(conn: Any) -> tuple[SchemaObject, ...]:
    """Views, with the database's own name taken out of their definitions (MySQL qualifies
    every table with it), so that they can be created in another database."""
    database = _rows(conn, "SELECT DATABASE() AS d")[0]["D"]
    qualifier = "`" + database.replace("`", "``") + "`."
    out = []
    for v in _rows(conn, "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
                         "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"):
        definition = (_text(v["VIEW_DEFINITION"]) or "").replace(qualifier, "")
        name = v["TABLE_NAME"]
        out.append(SchemaObject("view", name, definition, f"CREATE VIEW `{name.replace('`', '``')}` AS {definition}"))
    return tuple(out)


# -- MySQL and MariaDB --------------------------------------------------------------------------

MYSQL_NUMERIC = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal",
                           "numeric", "float", "double", "real", "bit", "year"})
MYSQL_CHECKS = (  # check names are per table in MariaDB, so its view has TABLE_NAME
    "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME")
MYSQL8_CHECKS = (  # MySQL 8's view lacks TABLE_NAME; check names are per schema there
    "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE "
    "FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc "
    "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
    "WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK' "
    "ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME")


def _read_mysql(conn: Any) -> Catalog:
    version = _rows(conn, "SELECT VERSION() AS v")[0]["V"]
    mariadb = "mariadb" in str(version).lower()
    schema = "TABLE_SCHEMA = DATABASE()"
    tables = _rows(conn, f"SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
                         f"WHERE {schema} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
    columns = _group(_rows(conn, f"SELECT * FROM information_schema.COLUMNS WHERE {schema} "
                                 "ORDER BY TABLE_NAME, ORDINAL_POSITION"), "TABLE_NAME")
    constraints = _rows(conn, f"SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE "
                              f"FROM information_schema.TABLE_CONSTRAINTS WHERE {schema}")
    usage = _group(_rows(conn, f"SELECT * FROM information_schema.KEY_COLUMN_USAGE WHERE {schema} "
                               "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"), "TABLE_NAME")
    rules = {(r["TABLE_NAME"], r["CONSTRAINT_NAME"]): r for r in _rows(
        conn, "SELECT * FROM information_schema.REFERENTIAL_CONSTRAINTS "
              "WHERE CONSTRAINT_SCHEMA = DATABASE()")}
    check_rows = _group(_rows(conn, MYSQL_CHECKS if mariadb else MYSQL8_CHECKS), "TABLE_NAME")
    stats = _group(_rows(conn, f"SELECT * FROM information_schema.STATISTICS WHERE {schema} "
                               "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"), "TABLE_NAME")
    kinds = {(c["TABLE_NAME"], c["CONSTRAINT_NAME"], c["CONSTRAINT_TYPE"]) for c in constraints}
    out: dict[str, Table] = {}
    for t in tables:
        name = t["TABLE_NAME"]
        # A unique key and a foreign key of one table may share a name: only foreign-key rows
        # name a referenced table.
        rows_of = usage.get(name, [])
        keys = _group([r for r in rows_of if r["REFERENCED_TABLE_NAME"] is None], "CONSTRAINT_NAME")
        references = _group([r for r in rows_of if r["REFERENCED_TABLE_NAME"] is not None], "CONSTRAINT_NAME")
        pk = next((PrimaryKey(k, tuple(r["COLUMN_NAME"] for r in rows)) for k, rows in keys.items()
                   if (name, k, "PRIMARY KEY") in kinds), None)
        uniques = tuple(UniqueConstraint(k, tuple(r["COLUMN_NAME"] for r in rows)) for k, rows in keys.items()
                        if (name, k, "UNIQUE") in kinds)
        fks = tuple(_mysql_foreign_key(k, rows, rules.get((name, k), {})) for k, rows in references.items())
        origins: dict[str, IndexOrigin] = {"PRIMARY": "primary_key"}
        origins.update({u.name: "unique" for u in uniques if u.name})
        origins.update({f.name: "foreign_key" for f in fks if f.name and f.name not in origins})
        out[name] = Table(
            name=name,
            columns=tuple(_mysql_column(c, mariadb) for c in columns.get(name, [])),
            primary_key=pk,
            uniques=uniques,
            foreign_keys=fks,
            checks=tuple(CheckConstraint(c["CONSTRAINT_NAME"], c["CHECK_CLAUSE"])
                         for c in check_rows.get(name, [])),
            indexes=tuple(_mysql_index(i, rows, origins)
                          for i, rows in _group(stats.get(name, []), "INDEX_NAME").items()),
            comment=_text(t["TABLE_COMMENT"]),
        )
    # A spec keeps a table with generated columns whole, as the engine writes it, and so each
    # table that refers to one: those get their CREATE TABLE text.
    whole = {n for n, t in out.items() if any(c.generated is not None for c in t.columns)}
    while more := {n for n, t in out.items() if n not in whole
                   and any(fk.referenced_table in whole for fk in t.foreign_keys)}:
        whole |= more
    for name in whole:
        out[name] = replace(out[name], definition=_mysql_create_table(conn, name))
    return Catalog("mysql", out, {}, _mysql_objects(conn))


def _mysql_create_table(conn: Any, table: str) -> str:
    """SHOW CREATE TABLE, without the table's next AUTO_INCREMENT value (data, not schema)."""
    row = _rows(conn, f"SHOW CREATE TABLE `{table.replace('`', '``')}`")[0]
    text = str(row["CREATE TABLE"])
    return re.sub(r" AUTO_INCREMENT=\d+", "", text)


def _mysql_column(c: dict[str, Any], mariadb: bool) -> Column:
    default = _text(c["COLUMN_DEFAULT"])
    extra = (_text(c["EXTRA"]) or "").lower()
    if mariadb:
        if default is not None and default.upper() == "NULL":
            default = None  # MariaDB reports NULL for nullable columns without a default
    elif (default is not None and "default_generated" not in extra
          and c["DATA_TYPE"].lower() not in MYSQL_NUMERIC):
        # MySQL 8 reports literal defaults bare: quote them as MariaDB does
        default = "'" + default.replace("\\", "\\\\").replace("'", "''") + "'"
    identity = "auto_increment" if "auto_increment" in extra else None
    on_update = re.search(r"on update (\S+)", _text(c["EXTRA"]) or "", re.I)
    generated = _text(c.get("GENERATION_EXPRESSION")) if "generated" in extra else None
    if generated is not None:
        default = None  # MariaDB reports a generated column's default as NULL
    return Column(c["COLUMN_NAME"], _text(c["COLUMN_TYPE"]) or "", c["IS_NULLABLE"] == "YES", default,
                  identity, _text(c["COLUMN_COMMENT"]), generated=generated, stored="stored" in extra,
                  on_update=on_update.group(1) if on_update else None)


def _mysql_foreign_key(name: str, rows: list[dict[str, Any]], rule: dict[str, Any]) -> ForeignKey:
    return ForeignKey(name, tuple(r["COLUMN_NAME"] for r in rows), rows[0]["REFERENCED_TABLE_NAME"],
                      tuple(r["REFERENCED_COLUMN_NAME"] for r in rows),
                      rule.get("DELETE_RULE", "NO ACTION"), rule.get("UPDATE_RULE", "NO ACTION"))


def _mysql_index(name: str, rows: list[dict[str, Any]], origins: dict[str, IndexOrigin]) -> Index:
    parts = tuple(IndexPart(column=r["COLUMN_NAME"], expression=_text(r.get("EXPRESSION")),
                            descending=r["COLLATION"] == "D", prefix=r["SUB_PART"]) for r in rows)
    method = (_text(rows[0]["INDEX_TYPE"]) or "").lower() or None
    return Index(name, parts, not int(rows[0]["NON_UNIQUE"]), None, method, origins.get(name, "index"))


# -- SQLite --------------------------------------------------------------------------------------


def _read_sqlite(conn: Any) -> Catalog:
    """Tables, and as objects the views, triggers and virtual tables (FTS, R*Tree...). The
    shadow tables a virtual table keeps its data in are part of it, not tables of their own:
    its CREATE VIRTUAL TABLE creates them."""
    masters = _rows(conn, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    index_sql = {m["NAME"]: m["SQL"] for m in masters if m["TYPE"] == "index" and m["SQL"]}
    virtual = {m["NAME"] for m in masters if m["TYPE"] == "table" and _is_virtual(m["SQL"])}
    shadows = _sqlite_shadow_tables(conn, virtual)
    tables: dict[str, Table] = {}
    for m in masters:
        if m["TYPE"] != "table" or m["NAME"].startswith("sqlite_") or m["NAME"] in virtual | shadows:
            continue
        tables[m["NAME"]] = _sqlite_table(conn, m["NAME"], m["SQL"] or "", index_sql)
    objects = tuple(SchemaObject("virtual table" if m["TYPE"] == "table" else m["TYPE"], m["NAME"], m["SQL"], m["SQL"])
                    for m in _rows(conn, "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
                                         "OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY rowid"))
    return Catalog("sqlite", tables, {}, objects)


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE\b", sql or "", re.I) is not None


def _sqlite_shadow_tables(conn: Any, virtual: set[str]) -> set[str]:
    """The shadow tables of the virtual tables: PRAGMA table_list says so (SQLite 3.37+);
    before, the tables named `<virtual table>_<suffix>` with the suffixes of FTS3/4/5 and
    R*Tree."""
    import sqlite3

    if not virtual:
        return set()
    try:
        return {r["NAME"] for r in _rows(conn, "PRAGMA table_list") if r["TYPE"] == "shadow"}
    except sqlite3.Error:  # an older SQLite, without the pragma
        suffixes = ("content", "segments", "segdir", "docsize", "stat", "data", "idx", "config", "node",
                    "parent", "rowid")
        return {f"{v}_{s}" for v in virtual for s in suffixes}


def _sqlite_table(conn: Any, name: str, sql: str, index_sql: dict[str, str]) -> Table:
    parsed = parse_create_table(sql)
    info = _rows(conn, "SELECT * FROM pragma_table_xinfo(?)", (name,))
    columns = tuple(
        Column(c["NAME"], c["TYPE"], not c["NOTNULL"], _sqlite_default(c["DFLT_VALUE"]),
               "autoincrement" if parsed.columns.get(c["NAME"], ColumnText()).autoincrement else None,
               parsed.columns.get(c["NAME"], ColumnText()).comment,
               parsed.columns.get(c["NAME"], ColumnText()).generated if c["HIDDEN"] in (2, 3) else None,
               c["HIDDEN"] == 3)
        for c in info if c["HIDDEN"] in (0, 2, 3))  # 1: a virtual table's hidden column; 2, 3: generated
    pk_columns = tuple(c["NAME"] for c in sorted((c for c in info if c["PK"]), key=lambda c: c["PK"]))
    primary_key = PrimaryKey(parsed.primary_key_name, pk_columns) if pk_columns else None

    indexes: list[Index] = []
    uniques: list[UniqueConstraint] = []
    for il in _rows(conn, "SELECT * FROM pragma_index_list(?)", (name,)):
        index = _sqlite_index(conn, il, index_sql.get(il["NAME"]))
        indexes.append(index)
        if il["ORIGIN"] == "u":
            cols = tuple(c or "" for c in index.columns)
            uniques.append(UniqueConstraint(parsed.unique_names.get(cols), cols))

    fks = []
    references = _group(_rows(conn, "SELECT * FROM pragma_foreign_key_list(?)", (name,)), "ID")
    for _, rows in sorted(references.items()):
        rows.sort(key=lambda r: r["SEQ"])
        cols = tuple(r["FROM"] for r in rows)
        target = rows[0]["TABLE"]
        ref_cols = tuple(r["TO"] for r in rows)
        if any(c is None for c in ref_cols):  # REFERENCES t without columns: t's primary key
            ref_cols = tuple(r["NAME"] for r in sorted(
                (r for r in _rows(conn, "SELECT * FROM pragma_table_info(?)", (target,)) if r["PK"]),
                key=lambda r: r["PK"]))
        fks.append(ForeignKey(parsed.foreign_key_names.get(cols), cols, target, ref_cols,
                              rows[0]["ON_DELETE"].upper(), rows[0]["ON_UPDATE"].upper()))
    return Table(name, columns, primary_key, tuple(uniques), tuple(fks),
                 tuple(CheckConstraint(n, d) for n, d in parsed.checks), tuple(indexes), None, sql)


def _sqlite_default(value: str | None) -> str | None:
    return None if value is None or value.upper() == "NULL" else value


def _sqlite_index(conn: Any, row: dict[str, Any], sql: str | None) -> Index:
    info = [r for r in _rows(conn, "SELECT * FROM pragma_index_xinfo(?)", (row["NAME"],)) if r["KEY"]]
    parsed = parse_create_index(sql) if sql else None
    parts = []
    for k, r in enumerate(info):
        if r["CID"] == -2:  # an expression: only the CREATE INDEX text has it
            expr = parsed.parts[k] if parsed and k < len(parsed.parts) else None
            text = _strip_order(expr) if expr else None
            parts.append(IndexPart(expression=text, descending=bool(r["DESC"])))
        else:
            parts.append(IndexPart(column=r["NAME"], descending=bool(r["DESC"])))
    origin = SQLITE_ORIGIN.get(row["ORIGIN"], "index")
    return Index(row["NAME"], tuple(parts), bool(row["UNIQUE"]), parsed.where if parsed else None,
                 None, origin, sql)


SQLITE_ORIGIN: dict[str, IndexOrigin] = {"pk": "primary_key", "u": "unique", "c": "index"}


def _strip_order(text: str) -> str:
    return re.sub(r"\s+(ASC|DESC)\s*$", "", text.strip(), flags=re.IGNORECASE)
