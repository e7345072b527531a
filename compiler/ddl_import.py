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
from dataclasses import dataclass, field
from typing import Any

from schemac import catalog as cat
from schemac.ddl_text import split_statements_with_lines

SQLGLOT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
SKIPPED = re.compile(r"^\s*(SET\s|SELECT\s+pg_catalog\.set_config|DROP\s|GRANT\s|REVOKE\s"
                     r"|ALTER\s+\w+(\s+\w+)?\s+[^;]*\bOWNER\s+TO\s+\S+\s*;?\s*$|USE\s|LOCK\s|UNLOCK\s|BEGIN|COMMIT"
                     r"|PRAGMA\s|\\\\connect)", re.I)
_SEQUENCE_OPTION = re.compile(
    r"\bAS\s+(?P<type>\w+)|\bINCREMENT\s+(?:BY\s+)?(?P<increment>-?\d+)|\bMINVALUE\s+(?P<minimum>-?\d+)"
    r"|\bMAXVALUE\s+(?P<maximum>-?\d+)|\bSTART\s+(?:WITH\s+)?(?P<start>-?\d+)|\bCACHE\s+(?P<cache>\d+)"
    r"|\bNO\s+(?:CYCLE|MINVALUE|MAXVALUE)\b|\bCYCLE\b|\bOWNED\s+BY\s+(?P<owner>\S+)", re.I)
_INNODB = re.compile(r"\s*ALTER\s+TABLE\s+`?(\w+)`?\s+ENGINE\s*=\s*InnoDB\s*$", re.I)
_CREATE = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:TEMP(?:ORARY)?\s+)?"
    r"(MATERIALIZED\s+VIEW|VIEW|FUNCTION|PROCEDURE|TRIGGER|TYPE|EXTENSION|SEQUENCE|SCHEMA|AGGREGATE|DOMAIN|RULE"
    r"|EVENT|VIRTUAL\s+TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[\w$]+)"
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
    quoted = name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'
    return f"nextval('{quoted}'::regclass)"


def _set(args: dict[str, Any]) -> list[str]:
    return [k for k, v in args.items() if v not in (None, False, [])]

@dataclass
class _Table:
    name: str
    columns: list[cat.Column] = field(default_factory=list)
    primary_key: cat.PrimaryKey | None = None
    uniques: list[cat.UniqueConstraint] = field(default_factory=list)
    foreign_keys: list[cat.ForeignKey] = field(default_factory=list)
    checks: list[cat.CheckConstraint] = field(default_factory=list)
    indexes: list[cat.Index] = field(default_factory=list)
    comment: str | None = None


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
        self.notes: list[str] = []

    def run(self, text: str) -> Imported:
        import logging

        quiet = logging.getLogger("sqlglot")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # its "falling back to a Command" notices: we report those ourselves
        last_table = tables = 0
        try:
            for sql, line in split_statements_with_lines(text, self.dialect):
                kept = len(self.objects)
                self.statement(sql, line)
                if len(self.tables) > tables:
                    last_table = line
                tables = len(self.tables)
                self.object_lines.extend([line] * (len(self.objects) - kept))
        finally:
            quiet.setLevel(level)
        # A statement of no known kind (a DO block creating an extension...) that comes before
        # some table is created before the tables, as in the file.
        self.objects = [dataclasses.replace(o, before_tables=True) if o.kind == "statement" and at < last_table else o
                        for o, at in zip(self.objects, self.object_lines, strict=True)]
        tables = {t.name: self.finish(t) for t in self.tables.values()}
        return Imported(cat.Catalog(self.dialect, tables, self.enums, tuple(self.objects), self.sequences),
                        self.notes, self.lines)

    # -- statements --

    def statement(self, sql: str, line: int) -> None:
        body = re.sub(r"^(\s*(--[^\n]*\n|/\*.*?\*/))*", "", sql, flags=re.S).strip()
        if SKIPPED.match(body) or re.match(r"^/\*!\d+\s+SET\b", body, re.I) or re.match(r"^/\*!.*\*/$", body, re.S):
            return
        if self.dialect == "mysql" and _INNODB.match(body) and _INNODB.match(body).group(1) in self.tables:  # type: ignore[union-attr]
            return  # the storage engine schemac's tables use anyway
        if self.dialect == "postgresql" and self.sequence(body, line):
            return None
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import ParseError, TokenError

        try:
            tree = sqlglot.parse_one(body, read=self.read)
            if self.dialect == "postgresql":  # unquoted names are folded to lower case, as PostgreSQL does
                from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

                tree = normalize_identifiers(tree, dialect=self.read)
        except (ParseError, TokenError, ValueError):
            return self.keep(body, line, None)
        if isinstance(tree, exp.Create) and tree.kind == "TABLE" and isinstance(tree.this, exp.Schema) \
                and not tree.args.get("expression"):
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
        if isinstance(tree, exp.Comment) and self.comment(tree):
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
        self.objects.append(cat.SchemaObject(kind, name, sql, sql))
        self.notes.append(f"line {line}: {kind} '{name}' is kept verbatim as raw SQL for {self.dialect} ({why})")

    def sequence(self, sql: str, line: int) -> bool:
        """CREATE SEQUENCE, ALTER SEQUENCE ... OWNED BY, and `setval` (a value, which is data)."""
        name = r'((?:\w+\.)?(?:"(?:[^"]|"")+"|\w+))'
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

    # -- tables --

    def create_table(self, tree: Any, sql: str, line: int) -> None:
        from sqlglot import exp

        table = _Table(tree.this.this.name)
        self.tables[table.name] = table
        for item in tree.this.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column(table, item)
            else:
                self.table_constraint(table, item)
        for prop in (tree.args.get("properties") or exp.Properties()).expressions:
            if isinstance(prop, exp.SchemaCommentProperty):
                table.comment = prop.this.name
        if "WITHOUT ROWID" in sql.upper():
            self.notes.append(f"line {line}: table '{table.name}' is WITHOUT ROWID; the spec creates a rowid table")

    def column(self, table: _Table, col: Any) -> None:
        from sqlglot import exp

        name = col.this.name
        nullable, default, identity, comment = True, None, None, None
        for c in col.args.get("constraints") or []:
            kind = c.args.get("kind")
            cname = c.this.name if c.this else None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = kind.this.sql(self.read)
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                table.primary_key = cat.PrimaryKey(cname, (name,))
                nullable = False
            elif isinstance(kind, exp.UniqueColumnConstraint):
                table.uniques.append(cat.UniqueConstraint(cname, (name,)))
            elif isinstance(kind, exp.Reference):
                self.reference(table, cname, (name,), kind)
            elif isinstance(kind, exp.CheckColumnConstraint):
                table.checks.append(cat.CheckConstraint(cname, kind.this.sql(self.read)))
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = "auto_increment" if self.dialect == "mysql" else "autoincrement"
            elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                identity = "always" if kind.this else "by default"
                nullable = False
            elif isinstance(kind, exp.CommentColumnConstraint):
                comment = kind.this.name
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
        if identity is not None and self.dialect == "postgresql":
            nullable = False
        table.columns.append(cat.Column(name, physical, nullable, default, identity, comment))

    def physical_type(self, dt: Any) -> str:
        if dt is None:
            return ""
        text = dt.sql(self.read)
        if self.dialect == "postgresql":
            return _pg_type(text)
        if self.dialect == "mysql":
            return re.sub(r",\s+", ",", text.lower())
        return text

    def table_constraint(self, table: _Table, item: Any) -> None:
        from sqlglot import exp

        name = None
        if isinstance(item, exp.Constraint):
            name = item.this.name
            for inner in item.expressions:
                self.one_constraint(table, name, inner)
            return
        self.one_constraint(table, None, item)

    def one_constraint(self, table: _Table, name: str | None, item: Any) -> None:
        from sqlglot import exp

        if isinstance(item, exp.PrimaryKey | exp.PrimaryKeyColumnConstraint):
            cols = _names(item.expressions)
            table.primary_key = cat.PrimaryKey(name, cols)
            table.columns = [c if c.name not in cols else cat.Column(c.name, c.type, False, c.default, c.identity,
                                                                        c.comment) for c in table.columns]
        elif isinstance(item, exp.UniqueColumnConstraint):
            target = item.this
            cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
            key_name = name or (target.this.name if isinstance(target, exp.Schema) and target.this else None)
            table.uniques.append(cat.UniqueConstraint(key_name, cols))
        elif isinstance(item, exp.ForeignKey):
            self.reference(table, name, _names(item.expressions), item.args["reference"])
        elif isinstance(item, exp.CheckColumnConstraint):
            table.checks.append(cat.CheckConstraint(name, item.this.sql(self.read)))
        elif isinstance(item, exp.IndexColumnConstraint):
            parts = tuple(cat.IndexPart(column=c.this.name if isinstance(c, exp.Ordered) else c.name,
                                        descending=bool(c.args.get("desc")) if isinstance(c, exp.Ordered) else False)
                          for c in item.expressions)
            kind = str(item.args.get("kind") or "").upper()
            table.indexes.append(cat.Index(item.this.name if item.this else parts[0].column or "idx", parts,
                                           unique=kind == "UNIQUE", method=None))

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
            else:
                parts.append(cat.IndexPart(expression=inner.sql(self.read), descending=desc))
        where = params.args.get("where")
        using = params.args.get("using")
        table.indexes.append(cat.Index(index.name, tuple(parts), unique=bool(tree.args.get("unique")),
                                       predicate=where.this.sql(self.read) if where else None,
                                       method=str(using.name).lower() if using else None))
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
                self.table_constraint(table, item)
        return True

    def comment(self, tree: Any) -> bool:
        kind = str(tree.args.get("kind") or "").upper()
        text = tree.expression.name
        if kind == "TABLE" and tree.this.name in self.tables:
            self.tables[tree.this.name].comment = text
            return True
        if kind == "COLUMN":
            table = self.tables.get(tree.this.table)
            if table is not None:
                table.columns = [c if c.name != tree.this.name else cat.Column(c.name, c.type, c.nullable, c.default,
                                                                               c.identity, text) for c in table.columns]
                return True
        return False

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
            pk = cat.PrimaryKey(pk.name or f"{t.name}_pkey", pk.columns) if pk else None
            uniques = [cat.UniqueConstraint(u.name or f"{t.name}_{'_'.join(u.columns)}_key", u.columns)
                       for u in t.uniques]
            fks = [cat.ForeignKey(f.name or f"{t.name}_{'_'.join(f.columns)}_fkey", *_fk_rest(f)) for f in fks]
            checks = [cat.CheckConstraint(c.name or f"{t.name}_check", c.definition) for c in t.checks]
        elif self.dialect == "mysql":
            pk = cat.PrimaryKey("PRIMARY", pk.columns) if pk else None
            uniques = [cat.UniqueConstraint(u.name or u.columns[0], u.columns) for u in t.uniques]
            fks = [cat.ForeignKey(f.name or f"{t.name}_ibfk_{i}", *_fk_rest(f)) for i, f in enumerate(fks, 1)]
            checks = list(t.checks)
        else:
            uniques, checks = list(t.uniques), list(t.checks)
        return cat.Table(t.name, tuple(t.columns), pk, tuple(uniques), tuple(fks), tuple(checks), tuple(t.indexes),
                         t.comment)


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
    """A PostgreSQL type as `format_type` writes it: `VARCHAR(40)` -> `character varying(40)`."""
    low = re.sub(r"\s+", " ", text.strip().lower())
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


def import_ddl(text: str, dialect: str) -> Imported:
    """The catalog a DDL script builds on `dialect`, and notes on what it keeps as raw SQL.

    SQLite's DDL is not parsed but run, in an in-memory database of the SQLite schemac runs
    on, and its catalog read: SQLite keeps declared types as written and accepts spellings no
    parser knows (`UNSIGNED BIG INT`), so the engine is the exact reader.

    Example:
        >>> import_ddl("CREATE TABLE t (id int PRIMARY KEY);", "postgresql").catalog.tables["t"].primary_key
        PrimaryKey(name='t_pkey', columns=('id',))
    """
    if dialect == "sqlite":
        return _import_sqlite(text)
    return Importer(dialect).run(text)


def _code_start(sql: str) -> int:
    """Where a statement's code starts, after the comments before it."""
    from schemac.ddl_text import tokenize

    return next((t.start for t in tokenize(sql) if t.kind != "comment"), 0)


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
    notes = []
    for name, why in raw_tables(catalog).items():
        indexes = sum(i.origin == "index" for i in catalog.tables[name].indexes)
        with_indexes = f" with its {indexes} index{'es' if indexes != 1 else ''}" if indexes else ""
        notes.append(f"line {lines.get(('table', name.lower()), '?')}: table '{name}' is kept verbatim as raw SQL "
                     f"for sqlite{with_indexes}: {why}")
    notes += [f"line {lines.get((o.kind, o.name.lower()), '?')}: {o.kind} '{o.name}' is kept verbatim as raw SQL "
              "for sqlite (the language cannot express it yet)" for o in catalog.objects]
    return Imported(catalog, notes, {})
