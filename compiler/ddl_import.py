"""From SQL DDL text to a catalog (`schemac import`), parsed with sqlglot.

`import_ddl(text, dialect)` reads a schema dump -- `pg_dump --schema-only`, `mysqldump
--no-data`, SQLite's `.schema` -- statement by statement and builds the `Catalog` the
engine would report after running it, which `schemac.reverse` then turns into a spec:

* CREATE TABLE with its columns, defaults, identity / AUTO_INCREMENT / AUTOINCREMENT, and
  inline or table constraints; ALTER TABLE ... ADD CONSTRAINT; CREATE [UNIQUE] INDEX and
  MySQL's inline KEYs; PostgreSQL's CREATE TYPE ... AS ENUM; COMMENT ON and MySQL COMMENTs;
* an unnamed constraint gets the name the engine gives it (PostgreSQL `<table>_pkey`,
  `<table>_<columns>_key`, `<table>_<columns>_fkey`, `<table>_<column>_check`; MySQL
  `PRIMARY`, `<table>_ibfk_<n>`, a unique key named after its first column), so migrations
  written against the imported spec find them;
* PostgreSQL sequences (CREATE SEQUENCE, `ALTER SEQUENCE ... OWNED BY`), `serial` types and
  `ALTER TABLE ... ALTER COLUMN ... SET DEFAULT nextval(...)` as the catalog has them, so a
  serial column becomes `@identity(serial)` and any other sequence a `sql` block before the
  tables; `setval` calls set the sequences' current values, which are data, and are reported;
* session settings (`SET`, `set_config`), `DROP ... IF EXISTS`, ownership and privileges
  (`OWNER TO`, `GRANT`, `REVOKE`) describe the dump, not the schema, and are skipped, as is
  MySQL's `ALTER TABLE t ENGINE = InnoDB` (schemac's tables are InnoDB);
* every other statement (views, functions, triggers, extensions, partitions...) is kept
  verbatim as a `sql` block, and reported with its line.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, replace
from typing import Any

from schemac import catalog as cat
from schemac import mysql_text
from schemac.ddl_text import quote_ident, split_statements_with_lines, terminated
from schemac.naming import pg_object_name

SQLGLOT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
SKIPPED = re.compile(r"^\s*(SET\s|SELECT\s+pg_catalog\.set_config|DROP\s|GRANT\s|REVOKE\s"
                     r"|ALTER\s+\w+(\s+\w+)?\s+[^;]*\bOWNER\s+TO\s+\S+\s*;?\s*$|USE\s|LOCK\s|UNLOCK\s|BEGIN|COMMIT"
                     r"|PRAGMA\s|\\\\connect)", re.I)
_SEQUENCE_OPTION = re.compile(
    r"\bAS\s+(?P<type>\w+)|\bINCREMENT\s+(?:BY\s+)?(?P<increment>-?\d+)|\bMINVALUE\s+(?P<minimum>-?\d+)"
    r"|\bMAXVALUE\s+(?P<maximum>-?\d+)|\bSTART\s+(?:WITH\s+)?(?P<start>-?\d+)|\bCACHE\s+(?P<cache>\d+)"
    r"|\bNO\s+(?:CYCLE|MINVALUE|MAXVALUE)\b|\bCYCLE\b|\bOWNED\s+BY\s+(?P<owner>\S+)", re.I)
_LEADING_COMMENTS = re.compile(r"(\s*(--[^\n]*\n|/\*.*?\*/))*", re.S)
_PG_NAME = r'((?:\w+\.)?(?:"(?:[^"]|"")+"|\w+))'  # a PostgreSQL name, maybe schema-qualified
_ON_AN_OBJECT = re.compile(r"\s*(COMMENT\s+ON|GRANT|REVOKE|SECURITY\s+LABEL)\b", re.I)  # statements about an object
_ALTER_TABLE = re.compile(r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?((?:\"[^\"]+\"|`[^`]+`|[\w$]+)"
                          r"(?:\.(?:\"[^\"]+\"|`[^`]+`|[\w$]+))?)", re.I)
_MULTI_VALUED = re.compile(r"AS ARRAY<(.+?)>\)")  # how sqlglot writes MySQL's `CAST(... AS t ARRAY)`
_INNODB = re.compile(r"\s*ALTER\s+TABLE\s+`?(\w+)`?\s+ENGINE\s*=\s*InnoDB\s*$", re.I)
_CREATE = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:SQL\s+SECURITY\s+\w+\s+)?(?:TEMP(?:ORARY)?\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?"
    r"(INDEX|MATERIALIZED\s+VIEW|VIEW|FUNCTION|PROCEDURE|TRIGGER|TYPE|EXTENSION|SEQUENCE|SCHEMA|AGGREGATE|DOMAIN"
    r"|RULE|EVENT|VIRTUAL\s+TABLE)(?:\s+CONCURRENTLY)?\s+(?!ON\b)(?:IF\s+NOT\s+EXISTS\s+)?((?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+)"
    r"(?:\.(?:\"[^\"]+\"|`[^`]+`|[\w$]+))?)", re.I)
KINDS = {"VIEW": "view", "FUNCTION": "function", "PROCEDURE": "procedure", "TRIGGER": "trigger",
         "SEQUENCE": "sequence", "EXTENSION": "extension", "SCHEMA": "schema", "MATERIALIZED VIEW": "materialized view"}



def _unqualified(name: str) -> str:
    """`public."Some_seq"` -> `Some_seq`."""
    last = re.split(r'\.(?=(?:[^"]|"[^"]*")*$)', name)[-1]
    return last[1:-1].replace('""', '"') if last.startswith('"') else last.lower()


def _owner(text: str) -> tuple[str, str] | None:
    parts = re.findall(r'"(?:[^"]|"")+"|[^."]+', text.rstrip(";"))
    if len(parts) < 2:
        return None
    return _unqualified(parts[-2]), _unqualified(parts[-1])


def _nextval(default: str) -> str:
    """A `nextval` default as PostgreSQL reports it: `nextval('name'::regclass)`, the sequence
    unqualified (the dump's schema is the one the spec is compiled into)."""
    m = re.fullmatch(r"nextval\s*\(\s*(?:CAST\s*\(\s*)?'((?:[^']|'')+)'\s*(?:::\s*regclass|AS\s+REGCLASS\s*\))\s*\)",
                     default.strip(), re.I)
    if m is None:
        return default
    name = _unqualified(m.group(1).replace("''", "'"))
    quoted = name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else quote_ident(name)
    return f"nextval('{quoted}'::regclass)"


def _set(args: dict[str, Any]) -> list[str]:
    return [k for k, v in args.items() if v not in (None, False, [])]

@dataclass
class _Table:
    name: str
    line: int = 0  # where its CREATE TABLE is
    columns: list[cat.Column] = field(default_factory=list)
    primary_key: cat.PrimaryKey | None = None
    uniques: list[cat.UniqueConstraint] = field(default_factory=list)
    foreign_keys: list[cat.ForeignKey] = field(default_factory=list)
    checks: list[cat.CheckConstraint] = field(default_factory=list)
    indexes: list[cat.Index] = field(default_factory=list)
    comment: str | None = None
    statements: list[str] = field(default_factory=list)  # those about it, verbatim, for a raw table
    attach: str | None = None  # a partition's ATTACH PARTITION: last, once its keys and indexes are made
    partition_by: str | None = None
    partition_of: str | None = None
    partition_bound: str | None = None
    beyond: list[str] = field(default_factory=list)  # PostgreSQL: what the language cannot say (UNLOGGED...)
    serials: list[str] = field(default_factory=list)  # the sequences its serial columns make


@dataclass
class Imported:
    catalog: cat.Catalog
    notes: list[str]
    lines: dict[str, int]  # where each PostgreSQL sequence is created


class Importer:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.read = SQLGLOT[dialect]
        self.tables: dict[str, _Table] = {}
        self.enums: dict[str, cat.EnumType] = {}
        self.objects: list[cat.SchemaObject] = []
        self.sequences: dict[str, cat.SequenceInfo] = {}
        self.lines: dict[str, int] = {}
        self.object_lines: list[int] = []  # the line of each of `objects`
        self.about: dict[int, str] = {}  # a statement among `objects` -> its table, whose block has it if raw
        self.late: set[int] = set()  # statements among `objects` that need the tables, wherever they are
        self.notes: list[str] = []
        self.check_texts: list[str] = []  # PostgreSQL: the statement's CHECK conditions as written, in order
        self.grouped: dict[str, list[int]] = {}  # a note given for many lines -> those lines
        self.database: str | None = None  # MySQL: the database the statements at hand are in

    def run(self, text: str, database: str | None = None) -> Imported:
        import logging

        statements = split_statements_with_lines(text, self.dialect)
        placed: list[tuple[str, int, str | None]] = (
            mysql_text.databases(statements) if self.dialect == "mysql" else [(s, n, None) for s, n in statements])
        self.database = _chosen_database(placed, database)
        quiet = logging.getLogger("sqlglot")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # its "falling back to a Command" notices: we report those ourselves
        last_table = seen = 0  # the line of the last CREATE TABLE; the tables seen so far
        try:
            others: dict[str, list[int]] = {}
            for sql, line, where in placed:
                if where is not None and where != self.database:
                    others.setdefault(where, []).append(line)
                    continue
                kept = len(self.objects)
                self.statement(sql, line)
                if len(self.tables) > seen:
                    last_table = line
                seen = len(self.tables)
                self.object_lines.extend([line] * (len(self.objects) - kept))
        finally:
            quiet.setLevel(level)
        # A statement of no known kind (a DO block creating an extension...) that comes before
        # some table is created before the tables, as in the file -- but not one that comments
        # on or grants an object, which may be a table's index or column: it is after them.
        self.objects = [dataclasses.replace(o, before_tables=True)
                        if o.kind == "statement" and at < last_table and i not in self.late
                        and not _ON_AN_OBJECT.match(o.sql) else o
                        for i, (o, at) in enumerate(zip(self.objects, self.object_lines, strict=True))]
        for name, lines in others.items():
            count = f"{len(lines)} statement{'s' * (len(lines) > 1)}"
            self.notes.append(f"line {lines[0]}: database '{name}' ({count}) is not imported: a spec describes one "
                              f"database; import it with --database {name}")
        self.notes.extend(f"line {lines[0]}: {message}{_also(lines[1:])}" for message, lines in self.grouped.items())
        if self.dialect == "postgresql":
            self.pg_taken = _PgNames(self.tables, self.sequences)
        tables = {t.name: self.finish(t) for t in self.tables.values()}
        catalog = cat.Catalog(self.dialect, tables, self.enums, tuple(self.objects), self.sequences, written=True)
        from schemac.reverse import raw_tables

        raw = raw_tables(catalog)
        self.notes += raw_table_notes(catalog, raw, {t.name: t.line for t in self.tables.values()})
        made = {name for t in self.tables.values() if t.name in raw for name in t.serials}  # by the kept SQL
        catalog = dataclasses.replace(
            catalog, sequences={n: s for n, s in self.sequences.items() if n not in made},
            objects=tuple(o for i, o in enumerate(self.objects) if self.about.get(i) not in raw))
        return Imported(catalog, self.notes, self.lines)

    def report(self, line: int, message: str) -> None:
        """A note on something not kept; one note per message, naming every line it is about."""
        self.grouped.setdefault(message, []).append(line)

    # -- statements --

    def statement(self, sql: str, line: int) -> None:
        comments = mysql_text.LEADING_COMMENTS if self.dialect == "mysql" else _LEADING_COMMENTS
        start = comments.match(sql).end()  # type: ignore[union-attr]
        body = sql[start:].strip()
        line += sql.count("\n", 0, start + len(sql[start:]) - len(sql[start:].lstrip()))  # where the code starts
        if self.dialect == "mysql" and self.session_or_database(body, line):
            return None
        if SKIPPED.match(body) or re.match(r"^/\*!\d+\s+SET\b", body, re.I) or re.match(r"^/\*!.*\*/$", body, re.S):
            return
        if self.dialect == "mysql" and _INNODB.match(body) and _INNODB.match(body).group(1) in self.tables:  # type: ignore[union-attr]
            return  # the storage engine schemac's tables use anyway
        if self.dialect == "postgresql" and (self.sequence(body, line) or self.attach_partition(body)
                                             or self.partitioned_index(body, line)):
            return None
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import ParseError, TokenError

        try:
            tree = sqlglot.parse_one(mysql_text.synonyms(body) if self.dialect == "mysql" else body, read=self.read)
            self.check_texts = _check_texts(body, tree) if self.dialect == "postgresql" else []
            if self.dialect == "postgresql":  # unquoted names are folded to lower case, as PostgreSQL does
                from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

                tree = normalize_identifiers(tree, dialect=self.read)
        except (ParseError, TokenError, ValueError):
            return self.keep(body, line, None)
        if isinstance(tree, exp.Create) and tree.kind == "TABLE" and not tree.args.get("expression") and (
                isinstance(tree.this, exp.Schema) or tree.find(exp.PartitionedOfProperty)):
            return self.create_table(tree, body, line)
        if isinstance(tree, exp.Create) and tree.kind == "INDEX":
            return self.create_index(tree, body, line)
        if isinstance(tree, exp.Create) and tree.kind == "TYPE" and isinstance(tree.expression, exp.DataType) \
                and tree.expression.this == exp.DataType.Type.ENUM:
            name = tree.this.name
            self.enums[name] = cat.EnumType(name, tuple(v.name for v in tree.expression.expressions))
            return None
        if isinstance(tree, exp.Alter) and tree.kind == "TABLE" and self.alter_table(tree, body, line):
            return None
        if isinstance(tree, exp.Comment) and self.comment(tree, body):
            return None
        return self.keep(body, line, tree)

    def keep(self, sql: str, line: int, tree: Any, why: str = "the language cannot express it yet") -> None:
        """A statement the language cannot express: a `sql` block, reported with its line."""
        from sqlglot import exp

        kind, name = "statement", f"statement_{line}"
        m = _CREATE.match(sql)
        if m:
            kind = m.group(1).lower().replace("  ", " ")
            name = m.group(2).split(".")[-1].strip('"`[]')
        elif isinstance(tree, exp.Create):
            kind = KINDS.get(str(tree.kind or "").upper(), str(tree.kind or "statement").lower())
            target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            name = getattr(target, "name", "") or name
        elif isinstance(tree, exp.Alter):
            kind, name = "alter table", f"alter_{tree.this.name}_{line}"
            if tree.this.name in self.tables:
                self.tables[tree.this.name].statements.append(sql)
                self.about[len(self.objects)] = tree.this.name
        elif m := _ALTER_TABLE.match(sql):  # one sqlglot reads as a bare command: after the tables all the same
            kind, name = "alter table", f"alter_{m.group(1).split('.')[-1].strip(chr(34) + '`')}_{line}"
        unqualified = mysql_text.unqualified(sql, self.database) if self.dialect == "mysql" and self.database else sql
        self.objects.append(cat.SchemaObject(kind, name, unqualified, unqualified))
        dropped = f", without its '{self.database}.' qualifiers" if unqualified != sql else ""
        self.notes.append(f"line {line}: {kind} '{name}' is kept verbatim as raw SQL for {self.dialect}{dropped} "
                          f"({why})")

    def sequence(self, sql: str, line: int) -> bool:
        """CREATE SEQUENCE, ALTER SEQUENCE ... OWNED BY, and `setval` (a value, which is data)."""
        name = _PG_NAME
        m = re.fullmatch(rf"CREATE\s+SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?{name}(.*?);?", sql, re.I | re.S)
        if m:
            options = m.group(2)
            seq_name = _unqualified(m.group(1))
            values: dict[str, Any] = {}
            for option in _SEQUENCE_OPTION.finditer(options):
                values.update({k: v for k, v in option.groupdict().items() if v is not None})
                if re.fullmatch(r"CYCLE", option.group(0), re.I):
                    values["cycle"] = True
            kind = {"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint"}.get(
                str(values.get("type", "bigint")).lower(), str(values.get("type", "bigint")).lower())
            increment = int(values.get("increment", 1))
            minimum = int(values.get("minimum", 1 if increment > 0 else -cat.SEQUENCE_MAXIMUM.get(kind, 2**63 - 1) - 1))
            maximum = int(values.get("maximum", cat.SEQUENCE_MAXIMUM.get(kind, 2**63 - 1) if increment > 0 else -1))
            owner = values.get("owner")
            self.lines[seq_name] = line
            self.sequences[seq_name] = cat.SequenceInfo(
                seq_name, kind, int(values.get("start", minimum if increment > 0 else maximum)), increment, minimum,
                maximum, int(values.get("cache", 1)), bool(values.get("cycle")),
                _owner(owner) if owner and owner.upper() != "NONE" else None)
            return True
        m = re.fullmatch(rf"ALTER\s+SEQUENCE\s+(?:IF\s+EXISTS\s+)?{name}\s+OWNED\s+BY\s+(\S+?)\s*;?", sql, re.I | re.S)
        if m and _unqualified(m.group(1)) in self.sequences:
            seq = self.sequences[_unqualified(m.group(1))]
            owner = None if m.group(2).upper() == "NONE" else _owner(m.group(2))
            self.sequences[seq.name] = dataclasses.replace(seq, owner=owner)
            return True
        if re.match(r"SELECT\s+(pg_catalog\.)?setval\s*\(", sql, re.I):
            self.notes.append(f"line {line}: the current value of a sequence (setval) is data; it is not imported")
            return True
        return False

    def attach_partition(self, sql: str) -> bool:
        """PostgreSQL's ALTER TABLE ... ATTACH PARTITION, which sqlglot does not parse: the
        partition's, kept with it."""
        name = _PG_NAME
        m = re.fullmatch(rf"ALTER\s+TABLE\s+(?:ONLY\s+)?{name}\s+ATTACH\s+PARTITION\s+{name}\s+(.*?);?", sql,
                         re.I | re.S)
        partition = self.tables.get(_unqualified(m.group(2))) if m else None
        if m is None or partition is None:
            return False
        partition.partition_of, partition.partition_bound = _unqualified(m.group(1)), m.group(3).strip()
        partition.attach = sql
        return True

    def partitioned_index(self, sql: str, line: int) -> bool:
        """pg_dump's index on a partitioned table, CREATE INDEX ... ON ONLY (in its table's
        block when the table is kept whole), and ALTER INDEX ... ATTACH PARTITION, which
        sqlglot does not parse: kept as raw SQL, after the tables."""
        m = re.match(rf"CREATE\s+(?:UNIQUE\s+)?INDEX\s+.*?\s+ON\s+ONLY\s+{_PG_NAME}", sql, re.I | re.S)
        table = self.tables.get(_unqualified(m.group(1))) if m else None
        if table is None and not re.match(r"ALTER\s+INDEX\s+.+\s+ATTACH\s+PARTITION\s", sql, re.I | re.S):
            return False
        self.late.add(len(self.objects))
        if table is not None:
            self.about[len(self.objects)] = table.name
            table.statements.append(sql)
        self.keep(sql, line, None)
        return True

    def session_or_database(self, body: str, line: int) -> bool:
        """MySQL's session settings and database-level statements (CREATE / DROP DATABASE,
        USE): reported, not kept, since a spec describes the tables of one database, whatever
        the database it is compiled into. Returns whether `body` was one."""
        plain = re.sub(r"/\*!\d*\s*(.*?)\*/", r"\1", body, flags=re.S).strip()
        if re.match(r"SET\s", plain, re.I):
            self.report(line, f"session setting `{' '.join(plain.split())}` is not kept: it applies to the "
                              "session that runs the file")
            return True
        m = mysql_text.DATABASE.match(plain)
        if m is None:
            return False
        self.report(line, f"`{' '.join(plain.split())}` is not kept: a spec describes the tables of one database, "
                          "whatever the database it is compiled into")
        return True

    # -- tables --

    def create_table(self, tree: Any, sql: str, line: int) -> None:
        from sqlglot import exp

        schema = tree.this if isinstance(tree.this, exp.Schema) else None
        table = _Table((schema.this if schema else tree.this).name, line, statements=[sql])
        self.tables[table.name] = table
        for prop in (tree.args.get("properties") or exp.Properties()).expressions:
            if isinstance(prop, exp.SchemaCommentProperty):
                table.comment = prop.this.name
            elif self.dialect == "postgresql":
                self.pg_table_property(table, prop)
            elif self.dialect == "mysql" and prop.sql(self.read).upper() not in mysql_text.OWN_OPTIONS:
                self.report(line, f"table option `{prop.sql(self.read)}` is not kept: schemac's MySQL tables are "
                                  "InnoDB, utf8mb4 with the binary collation")
        for item in schema.expressions if schema else ():
            if isinstance(item, exp.ColumnDef):
                self.column(table, item, line)
            else:
                self.table_constraint(table, item, line)
        if "WITHOUT ROWID" in sql.upper():
            self.notes.append(f"line {line}: table '{table.name}' is WITHOUT ROWID; the spec creates a rowid table")

    def pg_table_property(self, table: _Table, prop: Any) -> None:
        """PARTITION BY, PARTITION OF (the partition has its parent's columns) and what else
        a PostgreSQL table says that the language cannot (UNLOGGED, WITH (...), INHERITS...):
        all make the table one kept as raw SQL."""
        from sqlglot import exp

        if isinstance(prop, exp.PartitionedByProperty):
            table.partition_by = prop.this.sql(self.read)
        elif isinstance(prop, exp.PartitionedOfProperty):
            parent = prop.this.this if isinstance(prop.this, exp.Schema) else prop.this
            bound = prop.expression.sql(self.read)
            table.partition_of = parent.name
            table.partition_bound = bound if bound.upper() == "DEFAULT" else f"FOR VALUES {bound}"
            table.columns = list(self.tables[parent.name].columns) if parent.name in self.tables else []
        else:
            table.beyond.append(prop.sql(self.read))

    def column(self, table: _Table, col: Any, line: int) -> None:
        from sqlglot import exp

        name = col.this.name
        nullable, default, identity, comment, on_update, generated = True, None, None, None, None, None
        stored = False
        for c in col.args.get("constraints") or []:
            kind = c.args.get("kind")
            cname = c.this.name if c.this else None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = self.default(kind.this)
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                table.primary_key = cat.PrimaryKey(cname, (name,))
                nullable = False
            elif isinstance(kind, exp.UniqueColumnConstraint):
                table.uniques.append(cat.UniqueConstraint(cname, (name,)))
            elif isinstance(kind, exp.Reference):
                self.reference(table, cname, (name,), kind)
            elif isinstance(kind, exp.CheckColumnConstraint):
                table.checks.append(cat.CheckConstraint(cname, self.check_text(kind)))
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = "auto_increment" if self.dialect == "mysql" else "autoincrement"
            elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.args.get("expression") is None:
                identity = "always" if kind.this else "by default"
                nullable = False
            elif isinstance(kind, exp.ComputedColumnConstraint | exp.GeneratedAsIdentityColumnConstraint):
                # [GENERATED ALWAYS] AS (...) [VIRTUAL | STORED]; PostgreSQL's are all stored. The table is kept
                computed = isinstance(kind, exp.ComputedColumnConstraint)
                generated = (kind.this if computed else kind.args["expression"]).sql(self.read)
                stored = self.dialect == "postgresql" or computed and bool(kind.args.get("persisted"))
            elif isinstance(kind, exp.CommentColumnConstraint):
                comment = kind.this.name
            elif isinstance(kind, exp.OnUpdateColumnConstraint) and self.dialect == "mysql":
                on_update = kind.this.sql(self.read)
                self.report(line, f"`ON UPDATE {on_update}` of column '{table.name}.{name}' is kept as raw SQL for "
                                  f"mysql, in sql {table.name}_{name}_on_update (the language cannot express it yet)")
            elif self.dialect == "mysql" and c.sql(self.read).upper() not in mysql_text.OWN_OPTIONS:
                self.report(line, f"`{c.sql(self.read)}` on column '{table.name}.{name}' is not kept: the language "
                                  "cannot express it yet (text columns are utf8mb4 with the binary collation; the "
                                  "spec's column is a plain one)")
        physical = self.physical_type(col.args.get("kind"))
        if default is not None and default.upper() == "NULL" and self.dialect != "postgresql":
            default = None  # PostgreSQL keeps an explicit DEFAULT NULL in its catalog; the others do not say
        if default is not None:
            default = _nextval(default)
        serial = physical.lower().split()[0] if physical else ""
        if serial in ("serial", "bigserial", "smallserial") and self.dialect == "postgresql":
            physical, nullable = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}[serial], False
            sequence = f"{table.name}_{name}_seq"
            default = f"nextval('{sequence}'::regclass)"
            self.sequences[sequence] = cat.SequenceInfo(sequence, physical, maximum=cat.SEQUENCE_MAXIMUM[physical],
                                                        owner=(table.name, name))
            table.serials.append(sequence)
        if default is not None and self.dialect == "mysql" and re.fullmatch(r"'-?\d+(\.\d+)?'", default) \
                and re.match(r"(tiny|small|medium|big)?int|integer|decimal|numeric|float|double", physical):
            default = default[1:-1]  # DEFAULT '0' on a number: MySQL stores the number
        if identity is not None and self.dialect == "postgresql":
            nullable = False
        table.columns.append(cat.Column(name, physical, nullable, default, identity, comment, generated, stored,
                                        on_update))

    def default(self, node: Any) -> str:
        """A default's text. sqlglot reads PostgreSQL's now() as CURRENT_TIMESTAMP, which
        PostgreSQL keeps apart: a CURRENT_TIMESTAMP read from a call (the parser gives a
        call a position) is now()."""
        from sqlglot import exp

        def is_now(n: Any) -> bool:
            return isinstance(n, exp.CurrentTimestamp) and not n.this and "start" in n.meta

        if self.dialect == "postgresql" and is_now(node):
            return "now()"
        if self.dialect == "postgresql" and any(is_now(n) for n in node.find_all(exp.CurrentTimestamp)):
            node = node.transform(lambda n: exp.Anonymous(this="now") if is_now(n) else n)
        return str(node.sql(self.read))

    def physical_type(self, dt: Any) -> str:
        if dt is None:
            return ""
        text = dt.sql(self.read)
        if self.dialect == "postgresql":
            return _pg_type(text)
        if self.dialect == "mysql":
            return mysql_text.column_type(text)
        return text

    def table_constraint(self, table: _Table, item: Any, line: int) -> None:
        from sqlglot import exp

        name = None
        if isinstance(item, exp.Constraint):
            name = item.this.name
            for inner in item.expressions:
                self.one_constraint(table, name, inner, line)
            return
        self.one_constraint(table, None, item, line)

    def one_constraint(self, table: _Table, name: str | None, item: Any, line: int) -> None:
        from sqlglot import exp

        if isinstance(item, exp.PrimaryKey | exp.PrimaryKeyColumnConstraint):
            cols = _names(item.expressions)
            table.primary_key = cat.PrimaryKey(name, cols)
            table.columns = [c if c.name not in cols else replace(c, nullable=False) for c in table.columns]
        elif isinstance(item, exp.UniqueColumnConstraint):
            target = item.this
            cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
            key_name = name or (target.this.name if isinstance(target, exp.Schema) and target.this else None)
            if key_name is None and self.dialect == "mysql" and cols:
                key_name = _free_key_name(table, cols[0])
            parts = tuple(_index_part(c) for c in target.expressions) if isinstance(target, exp.Schema) else ()
            if any(p.expression for p in parts):  # MySQL's functional key parts: a unique index, not a constraint
                table.indexes.append(cat.Index(key_name or "", parts, unique=True))
                return
            table.uniques.append(cat.UniqueConstraint(key_name, cols))
            if any(p.prefix for p in parts):  # the key behind it, named as finish() names the constraint
                table.indexes.append(cat.Index(key_name or cols[0], parts, unique=True, origin="unique"))
        elif isinstance(item, exp.ForeignKey):
            self.reference(table, name, _names(item.expressions), item.args["reference"])
        elif isinstance(item, exp.CheckColumnConstraint):
            table.checks.append(cat.CheckConstraint(name, self.check_text(item)))
        elif isinstance(item, exp.ExcludeColumnConstraint):  # PostgreSQL: the table is kept as raw SQL
            table.beyond.append(f"EXCLUDE constraint{' ' + name if name else ''}")
        elif isinstance(item, exp.IndexColumnConstraint):
            parts = tuple(_index_part(c) for c in item.expressions)
            kind = str(item.args.get("kind") or "").upper()
            index_name = item.this.name if item.this else _free_key_name(table, parts[0].column or "idx")
            if any(p.expression and _MULTI_VALUED.search(p.expression) for p in parts):
                listed = ", ".join("(" + _MULTI_VALUED.sub(r"AS \1 ARRAY)", p.expression) + ")" if p.expression
                                   else f"`{p.column}`" for p in parts)
                self.about[len(self.objects)] = table.name  # in the table's own text, if it is kept whole
                return self.keep(f"CREATE {kind + ' ' if kind else ''}INDEX `{index_name}` ON `{table.name}` "
                                 f"({listed})", line, None, "a multi-valued index: the language cannot express it")
            if kind in ("FULLTEXT", "SPATIAL"):
                self.report(line, f"{kind} index '{index_name}' of table '{table.name}' is kept as raw SQL for "
                                  f"{self.dialect} (the language cannot express it yet)")
            table.indexes.append(cat.Index(index_name, parts, unique=kind == "UNIQUE",
                                           method=kind.lower() if kind in ("FULLTEXT", "SPATIAL") else None))

    def reference(self, table: _Table, name: str | None, cols: tuple[str, ...], ref: Any) -> None:
        from sqlglot import exp

        target = ref.this
        target_table = target.this.name if isinstance(target, exp.Schema) else target.name
        target_cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
        actions = {"on_delete": "NO ACTION", "on_update": "NO ACTION"}
        for option in ref.args.get("options") or []:
            text = str(option).upper()
            m = re.match(r"ON (DELETE|UPDATE) (.+)", text)
            if m:
                actions["on_delete" if m.group(1) == "DELETE" else "on_update"] = m.group(2).strip()
        table.foreign_keys.append(cat.ForeignKey(name, cols, target_table, target_cols, actions["on_delete"],
                                                 actions["on_update"]))

    def create_index(self, tree: Any, sql: str, line: int) -> None:
        from sqlglot import exp

        index = tree.this
        table = self.tables.get(index.args["table"].name)
        if table is None:
            return self.keep(sql, line, tree)
        params = index.args.get("params")
        beyond = self.index_beyond_the_language(params)
        if beyond:
            return self.keep(sql, line, tree, f"the language has no {beyond} yet")
        parts = []
        for c in params.args.get("columns") or []:
            inner = c.this if isinstance(c, exp.Ordered) else c
            desc = bool(c.args.get("desc")) if isinstance(c, exp.Ordered) else False
            if isinstance(inner, exp.Column):
                parts.append(cat.IndexPart(column=inner.name, descending=desc))
            elif self.dialect == "mysql" and _is_prefix(inner, table):  # `name(64)`: a key prefix
                parts.append(cat.IndexPart(column=inner.name, descending=desc, prefix=int(inner.expressions[0].name)))
            else:
                parts.append(cat.IndexPart(expression=inner.sql(self.read), descending=desc))
        where = params.args.get("where")
        using = params.args.get("using")
        table.indexes.append(cat.Index(index.name, tuple(parts), unique=bool(tree.args.get("unique")),
                                       predicate=self.predicate_text(sql, where.this) if where else None,
                                       method=str(using.name).lower() if using else None))
        table.statements.append(sql)
        return None

    def index_beyond_the_language(self, params: Any) -> str | None:
        """What an index says that the language cannot: an operator class, a collation, an
        order of NULLs other than the engine's default, INCLUDE columns, storage parameters
        or a tablespace."""
        from sqlglot import exp

        for c in params.args.get("columns") or []:
            inner = c.this if isinstance(c, exp.Ordered) else c
            if isinstance(inner, exp.Opclass):
                return "operator class"
            if isinstance(inner, exp.Collate):
                return "index collation"
            if isinstance(c, exp.Ordered) and self.dialect != "mysql":
                desc, nulls_first = bool(c.args.get("desc")), bool(c.args.get("nulls_first"))
                if (nulls_first != desc) if self.dialect == "postgresql" else (nulls_first == desc):
                    return "NULLS FIRST/LAST"
        for arg, what in (("include", "INCLUDE columns"), ("with_storage", "index storage parameters"),
                          ("tablespace", "tablespace")):
            if params.args.get(arg):
                return what
        return None

    def alter_table(self, tree: Any, sql: str, line: int) -> bool:
        from sqlglot import exp

        table = self.tables.get(tree.this.name)
        actions = tree.args.get("actions") or []
        set_default = ["this", "default"]
        if table is None or not actions or not all(
                isinstance(a, exp.AddConstraint) or (isinstance(a, exp.AlterColumn) and _set(a.args) == set_default)
                for a in actions):
            return False
        for action in actions:
            if isinstance(action, exp.AlterColumn):  # pg_dump's SET DEFAULT nextval(...)
                name, default = action.this.name, _nextval(action.args["default"].sql(self.read))
                table.columns = [dataclasses.replace(c, default=default) if c.name == name else c
                                 for c in table.columns]
                continue
            for item in action.expressions:
                self.table_constraint(table, item, line)
        table.statements.append(sql)
        return True

    def comment(self, tree: Any, sql: str) -> bool:
        kind = str(tree.args.get("kind") or "").upper()
        text = tree.expression.name
        table = self.tables.get(tree.this.name if kind == "TABLE" else tree.this.table if kind == "COLUMN" else "")
        if table is None:
            return False
        if kind == "TABLE":
            table.comment = text
        else:
            table.columns = [c if c.name != tree.this.name else replace(c, comment=text) for c in table.columns]
        table.statements.append(sql)
        return True

    # -- the engine's names for unnamed constraints --

    def finish(self, t: _Table) -> cat.Table:
        pk = t.primary_key
        fks = []
        for fk in t.foreign_keys:
            target_cols = fk.referenced_columns
            if not target_cols and fk.referenced_table in self.tables:
                target_pk = self.tables[fk.referenced_table].primary_key
                target_cols = target_pk.columns if target_pk else ()
            fks.append(cat.ForeignKey(fk.name, fk.columns, fk.referenced_table, target_cols, fk.on_delete,
                                      fk.on_update))
        if self.dialect == "postgresql":
            names = self.pg_taken
            checks = [cat.CheckConstraint(c.name or names.constraint(t.name, self.check_column(c), "check"),
                                          c.definition) for c in t.checks]
            pk = cat.PrimaryKey(pk.name or names.relation(t.name, None, "pkey"), pk.columns) if pk else None
            uniques = [cat.UniqueConstraint(u.name or names.relation(t.name, "_".join(u.columns), "key"), u.columns)
                       for u in t.uniques]
            fks = [cat.ForeignKey(f.name or names.constraint(t.name, "_".join(f.columns), "fkey"), *_fk_rest(f))
                   for f in fks]
            t.indexes = [i if i.name else replace(i, name=names.relation(  # CREATE INDEX ON t (...)
                t.name, "_".join(p.column or _pg_column_label(p.expression or "") for p in i.parts), "idx"))
                for i in t.indexes]
        elif self.dialect == "mysql":
            pk = cat.PrimaryKey("PRIMARY", pk.columns) if pk else None
            uniques = [cat.UniqueConstraint(u.name or u.columns[0], u.columns) for u in t.uniques]
            fks = [cat.ForeignKey(f.name or f"{t.name}_ibfk_{i}", *_fk_rest(f)) for i, f in enumerate(fks, 1)]
            checks = list(t.checks)
        else:
            uniques, checks = list(t.uniques), list(t.checks)
        statements = [*t.statements, *([t.attach] if t.attach else [])]
        definition = "\n\n".join(terminated(s) for s in statements)
        return cat.Table(t.name, tuple(t.columns), pk, tuple(uniques), tuple(fks), tuple(checks), tuple(t.indexes),
                         t.comment, definition, t.partition_by, t.partition_of, t.partition_bound,
                         " and ".join(f"`{b}`" for b in t.beyond) or None)


    def predicate_text(self, sql: str, node: Any) -> str:
        """A partial index's predicate: as the statement writes it where the engine stores
        what it is given (SQLite) or reads `x NOT IN (...)` otherwise than sqlglot's `NOT x IN
        (...)` (PostgreSQL), when the language reads it; else as sqlglot writes it."""
        from schemac import expressions

        written = _where_text(sql) if self.dialect in ("postgresql", "sqlite") else None
        if written is not None and not isinstance(expressions.parse(written), expressions.ExprError):
            return written
        return str(node.sql(self.read))

    def check_text(self, check: Any) -> str:
        """A CHECK's condition: on PostgreSQL as the file writes it, which PostgreSQL stores as
        it stored the original (sqlglot writes `x NOT IN (...)` as `NOT x IN (...)`, which it
        stores otherwise); else as sqlglot writes it."""
        return self.check_texts.pop(0) if self.check_texts else check.this.sql(self.read)

    def check_column(self, check: cat.CheckConstraint) -> str | None:
        """The one column a check refers to, which PostgreSQL puts in its name; None when it
        refers to several or none."""
        import sqlglot
        from sqlglot import exp

        try:
            tree = sqlglot.parse_one(check.definition, read=self.read)
        except Exception:  # noqa: BLE001 - an expression sqlglot cannot read: the table's name alone
            return None
        columns = {c.name for c in tree.find_all(exp.Column)}
        return columns.pop() if len(columns) == 1 else None


def _where_text(sql: str) -> str | None:
    """What follows a statement's WHERE outside parentheses, as written; None without one."""
    from schemac.ddl_text import tokenize

    tokens = [t for t in tokenize(sql) if t.kind != "comment"]
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "()":
            depth += 1 if t.text == "(" else -1
        elif depth == 0 and t.is_word("WHERE") and i + 1 < len(tokens):
            return sql[tokens[i + 1].start:].strip().rstrip(";").strip() or None
    return None


def _check_texts(sql: str, tree: Any) -> list[str]:
    """The conditions of the CHECKs in `sql`, as written and in order; none unless there is
    one for each CHECK sqlglot found (a `CHECK` inside a string or a name is no constraint)."""
    from sqlglot import exp

    from schemac.ddl_text import tokenize

    tokens = [t for t in tokenize(sql) if t.kind != "comment"]
    out = []
    for i, t in enumerate(tokens[:-1]):
        if t.is_word("CHECK") and tokens[i + 1].text == "(":
            depth = 0
            for close in tokens[i + 1:]:
                depth += {"(": 1, ")": -1}.get(close.text, 0) if close.kind == "punct" else 0
                if depth == 0:
                    out.append(sql[tokens[i + 1].end:close.start].strip())
                    break
    return out if len(out) == len(list(tree.find_all(exp.CheckColumnConstraint))) else []


class _PgNames:
    """The names PostgreSQL chooses for unnamed constraints (`ChooseConstraintName`): the
    table, the columns and a label, each part shortened to fit 63 bytes (`makeObjectName`),
    then numbered (`_check1`) while the name is taken: among the schema's constraints for a
    check or foreign key, among its relations (tables, indexes, sequences) for a key."""

    def __init__(self, tables: dict[str, _Table], sequences: dict[str, cat.SequenceInfo]) -> None:
        self.constraints = {n for t in tables.values() for n in (
            *(u.name for u in t.uniques), *(f.name for f in t.foreign_keys), *(c.name for c in t.checks),
            t.primary_key.name if t.primary_key else None) if n}
        self.relations = {*tables, *sequences, *(i.name for t in tables.values() for i in t.indexes),
                          *(u.name for t in tables.values() for u in t.uniques if u.name),
                          *(t.primary_key.name for t in tables.values() if t.primary_key and t.primary_key.name)}

    def constraint(self, table: str, columns: str | None, label: str) -> str:
        return self._choose(table, columns, label, self.constraints)

    def relation(self, table: str, columns: str | None, label: str) -> str:
        name = self._choose(table, columns, label, self.relations | self.constraints)
        self.relations.add(name)
        return name

    def _choose(self, table: str, columns: str | None, label: str, taken: set[str]) -> str:
        modified, n = label, 0
        while (name := pg_object_name(table, columns, modified)) in taken:
            n += 1
            modified = f"{label}{n}"
        self.constraints.add(name)
        return name


def _pg_column_label(expression: str) -> str:
    """The name PostgreSQL gives an index expression when it names the index (FigureColname):
    a function call's name, else `expr`."""
    m = re.match(r'\s*(?:"((?:[^"]|"")+)"|([^\W\d]\w*))\s*\(', expression)
    if m is None:
        return "expr"
    return m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).lower()


def _chosen_database(placed: list[tuple[str, int, str | None]], database: str | None) -> str | None:
    """The database to import: `database`, or the only one the script puts tables in."""
    found = list(dict.fromkeys(where for _, _, where in placed if where is not None))
    if database is not None:
        if database not in found:
            listed = ", ".join(found) or "none: the file has no USE statement"
            raise DdlError(f"the file puts nothing in database '{database}' (its databases: {listed})")
        return database
    if len(found) > 1:
        raise DdlError(f"the file creates objects in {len(found)} databases ({', '.join(found[:5])}"
                       f"{', ...' if len(found) > 5 else ''}); a spec describes one: choose it with --database NAME")
    return found[0] if found else None


def _also(lines: list[int]) -> str:
    if not lines:
        return ""
    shown = ", ".join(map(str, lines[:5]))
    more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    return f" (also line{'s' if len(lines) > 1 else ''} {shown}{more})"


def _free_key_name(table: _Table, column: str) -> str:
    """The name MySQL gives a key written without one: its first column, then `_2`, `_3`..."""
    taken = {i.name for i in table.indexes} | {u.name for u in table.uniques}
    name, n = column, 1
    while name in taken:
        n += 1
        name = f"{column}_{n}"
    return name


def _is_prefix(node: Any, table: _Table) -> bool:
    """Whether an index part sqlglot read as a function call is a column's key prefix."""
    from sqlglot import exp

    return (isinstance(node, exp.Anonymous) and len(node.expressions) == 1
            and isinstance(node.expressions[0], exp.Literal) and not node.expressions[0].is_string
            and any(c.name == node.name for c in table.columns))


def _index_part(c: Any) -> cat.IndexPart:
    """A key part of MySQL's inline KEY: a column, maybe descending, maybe a prefix (`name(64)`),
    or an expression (`((lower(name)))`)."""
    from sqlglot import exp

    desc = isinstance(c, exp.Ordered) and bool(c.args.get("desc"))
    inner = c.this if isinstance(c, exp.Ordered) else c
    if isinstance(inner, exp.ColumnPrefix):
        return cat.IndexPart(column=inner.this.name, descending=desc, prefix=int(inner.expression.name))
    if isinstance(inner, (exp.Column, exp.Identifier)):
        return cat.IndexPart(column=inner.name, descending=desc)
    while isinstance(inner, exp.Paren):  # a functional key part: `((expr))`
        inner = inner.this
    return cat.IndexPart(expression=inner.sql("mysql"), descending=desc)


def _fk_rest(f: cat.ForeignKey) -> tuple[Any, ...]:
    return (f.columns, f.referenced_table, f.referenced_columns, f.on_delete, f.on_update)


def _names(items: Any) -> tuple[str, ...]:
    from sqlglot import exp

    out = []
    for i in items:
        inner = i.this if isinstance(i, exp.Ordered) else i
        out.append(inner.name)
    return tuple(out)


_PG_TYPES = {
    "int": "integer", "integer": "integer", "int4": "integer", "smallint": "smallint", "int2": "smallint",
    "bigint": "bigint", "int8": "bigint", "boolean": "boolean", "bool": "boolean", "text": "text",
    "real": "real", "float4": "real", "double precision": "double precision", "float8": "double precision",
    "date": "date", "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "time": "time without time zone", "timetz": "time with time zone", "bytea": "bytea", "uuid": "uuid",
    "jsonb": "jsonb", "json": "json", "interval": "interval", "varchar": "character varying",
    "char": "character(1)", "numeric": "numeric", "decimal": "numeric",
}


def _pg_type(text: str) -> str:
    """A PostgreSQL type as `format_type` writes it: `VARCHAR(40)` -> `character varying(40)`;
    a quoted name keeps its case."""
    parts = re.split(r'("(?:[^"]|"")*")', text.strip())  # odd places: quoted names
    low = "".join(part if i % 2 else re.sub(r"\s+", " ", part).lower() for i, part in enumerate(parts))
    m = re.fullmatch(r"(varchar|character varying|char|character|numeric|decimal)\s*\((\d+)(?:\s*,\s*(\d+))?\)", low)
    if m:
        base = {"varchar": "character varying", "character varying": "character varying", "char": "character",
                "character": "character", "numeric": "numeric", "decimal": "numeric"}[m.group(1)]
        if base == "numeric":
            return f"numeric({m.group(2)},{m.group(3) or 0})"
        return f"{base}({m.group(2)})"
    low = low.replace("timestamp with time zone", "timestamptz").replace("timestamp without time zone", "timestamp")
    return _PG_TYPES.get(low, low)


class DdlError(Exception):
    """The DDL does not run (SQLite) -- the message says where."""


def import_ddl(text: str, dialect: str, database: str | None = None) -> Imported:
    """The catalog a DDL script builds on `dialect`, and notes on what it keeps as raw SQL.

    A MySQL script may create tables in several databases (`USE`); a spec describes one, so
    `database` chooses it (needed only when there are several).

    SQLite's DDL is not parsed but run, in an in-memory database of the SQLite schemac runs
    on, and its catalog read: SQLite keeps declared types as written and accepts spellings no
    parser knows (`UNSIGNED BIG INT`), so the engine is the exact reader.

    Example:
        >>> import_ddl("CREATE TABLE t (id int PRIMARY KEY);", "postgresql").catalog.tables["t"].primary_key
        PrimaryKey(name='t_pkey', columns=('id',))
    """
    if dialect == "sqlite":
        return _import_sqlite(text)
    return Importer(dialect).run(text, database)


def _code_start(sql: str) -> int:
    """Where a statement's code starts, after the comments before it."""
    from schemac.ddl_text import tokenize

    return next((t.start for t in tokenize(sql) if t.kind != "comment"), 0)


def raw_table_notes(catalog: cat.Catalog, raw: dict[str, str], lines: dict[str, int | str]) -> list[str]:
    """A note on each table kept as raw SQL (`raw`: why), with the line it is created on."""
    notes = []
    for name, why in raw.items():
        indexes = sum(i.origin == "index" for i in catalog.tables[name].indexes)
        with_indexes = f" with its {indexes} index{'es' if indexes != 1 else ''}" if indexes else ""
        notes.append(f"line {lines[name]}: table '{name}' is kept verbatim as raw SQL for {catalog.dialect}"
                     f"{with_indexes}: {why}")
    return notes


def _import_sqlite(text: str) -> Imported:
    import sqlite3

    from schemac.reverse import raw_tables

    conn = sqlite3.connect(":memory:")
    try:
        try:
            conn.executescript(text)
        except sqlite3.Error as exc:
            raise DdlError(f"SQLite rejects the DDL: {exc}") from exc
        catalog = cat.read_catalog(conn, "sqlite")
    finally:
        conn.close()
    lines = {}
    for sql, line in split_statements_with_lines(text, "sqlite"):
        start = _code_start(sql)  # the statement's own line, after the comments before it
        sql, line = sql[start:], line + sql[:start].count("\n")
        m = re.match(r"\s*CREATE\s+(?:TEMP\w*\s+)?(VIEW|TRIGGER|VIRTUAL\s+TABLE|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                     r"[\"`\['\s]*([^\s\"`\]'(]+)", sql, re.I)
        if m:
            lines[(re.sub(r"\s+", " ", m.group(1).lower()), m.group(2).lower())] = line
    notes = raw_table_notes(catalog, raw_tables(catalog), {name: lines.get(("table", name.lower()), "?")
                                                          for name in catalog.tables})
    notes += [f"line {lines.get((o.kind, o.name.lower()), '?')}: {o.kind} '{o.name}' is kept verbatim as raw SQL "
              "for sqlite (the language cannot express it yet)" for o in catalog.objects]
    return Imported(catalog, notes, {})
