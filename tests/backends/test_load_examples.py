"""Every example spec loads on every real engine, and the catalog shows what the spec says.

For each `examples/*.schema` (whatever exists when the tests run) and this suite's own specs
under tests/fixtures/, and for each dialect: compile without errors, run the DDL on a fresh
scratch database, read the catalog back (catalog.py) and compare it with the resolved model:
tables, column types, nullability, defaults, identities, primary keys, unique constraints,
foreign keys with their actions, checks, indexes, comments and (PostgreSQL) enum types.

The physical types expected come from `PHYSICAL_TYPES` below, written from the documented
intent and from what each engine's catalog reports, not from the backends' own tables: a test
that asked the backend what it meant to emit would prove nothing.

Engine quirks the comparison knows about:

* MySQL names every primary key PRIMARY, and gives a foreign key without a usable index an
  index named after the foreign key; a unique index is also a UNIQUE constraint there.
* MariaDB reports a json column as longtext with a `json_valid` CHECK named after the column,
  reports an unspecified referential action as RESTRICT, and before 10.8 ignores DESC in keys.
* MySQL cannot index expressions (MariaDB) or json columns, and has no partial indexes:
  schemac leaves such an index out, or creates it without its condition, with a warning.
* Defaults come back rewritten (`'pending'::order_status`, `current_timestamp(6)`, `curdate()`,
  `'-5'::integer`, `'0.00'`): literals must have the same value once casts and quotes are
  gone; functions must be the engine's spelling of the portable function; other expressions
  must keep every literal they had.
* Checks and index predicates come back rewritten too, so they must name the same columns
  and keep the same literals.
* SQLite keeps only the CREATE TABLE text, so a table's documentation (a comment before the
  statement) is lost: see test_ddl_behaviour.py::test_table_comment_is_stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from schemac import ir
from schemac.api import compile_loaded, load_files
from schemac.catalog import Catalog, Index, Table
from schemac.ddl_text import tokenize, unquote_string
from schemac.diagnostics import render

from engines import ScratchDatabase, documented_short_name

ROOT = Path(__file__).resolve().parents[2]
OWN_SPECS = ("catalog_coverage.schema", "ddl_features.schema")
SPECS = sorted((ROOT / "examples").glob("*.schema")) + [ROOT / "tests" / "fixtures" / n for n in OWN_SPECS]

# Portable type -> what each engine's catalog reports: PostgreSQL format_type(), MySQL
# COLUMN_TYPE (lower case, integer display widths dropped), SQLite the declared type.
# {n}: the length; {p}, {s}: precision and scale (scale 0 when left out); {args}: the
# parameters as written.
PHYSICAL_TYPES: dict[str, tuple[str, str, str]] = {
    #               postgresql                     mysql               sqlite
    "bool":        ("boolean",                     "tinyint(1)",       "BOOLEAN"),
    "smallint":    ("smallint",                    "smallint",         "SMALLINT"),
    "int":         ("integer",                     "int",              "INTEGER"),
    "bigint":      ("bigint",                      "bigint",           "BIGINT"),
    "decimal":     ("numeric({p},{s})",            "decimal({p},{s})", "NUMERIC({args})"),
    "float":       ("real",                        "float",            "REAL"),
    "double":      ("double precision",            "double",           "DOUBLE PRECISION"),
    "text":        ("text",                        "longtext",         "TEXT"),
    "varchar":     ("character varying({n})",      "varchar({n})",     "VARCHAR({n})"),
    "char":        ("character({n})",              "char({n})",        "CHAR({n})"),
    "uuid":        ("uuid",                        "char(36)",         "UUID"),
    "date":        ("date",                        "date",             "DATE"),
    "time":        ("time without time zone",      "time(6)",          "TIME"),
    "timestamp":   ("timestamp without time zone", "datetime(6)",      "TIMESTAMP"),
    "timestamptz": ("timestamp with time zone",    "datetime(6)",      "TIMESTAMPTZ"),
    "interval":    ("interval",                    "varchar(64)",      "TEXT"),
    "json":        ("jsonb",                       "json",             "TEXT"),  # MariaDB: longtext
    "bytes":       ("bytea",                       "longblob",         "BLOB"),
}
DIALECT_COLUMN = {"postgresql": 0, "mysql": 1, "sqlite": 2}

# Portable default functions -> how each engine reports them (lower case, outer parentheses off).
FUNCTION_DEFAULTS: dict[str, dict[str, set[str]]] = {
    "now": {"postgresql": {"current_timestamp", "now()"}, "mysql": {"current_timestamp(6)"},
            "sqlite": {"current_timestamp"}},
    "current_date": {"postgresql": {"current_date"}, "mysql": {"curdate()", "current_date()"},
                     "sqlite": {"current_date"}},
    "current_time": {"postgresql": {"current_time", "localtime"}, "mysql": {"curtime(6)", "current_time(6)"},
                     "sqlite": {"current_time"}},
    "uuid": {"postgresql": {"gen_random_uuid()"}, "mysql": {"uuid()"}, "sqlite": set()},  # SQLite: see below
    # timestamptz is stored in UTC on MySQL, where CURRENT_TIMESTAMP is the session's local time
    "now_utc": {"postgresql": {"current_timestamp", "now()"}, "mysql": {"utc_timestamp(6)"},
                "sqlite": {"current_timestamp"}},
}
SPEC_FUNCTIONS = {"now()": "now", "current_timestamp": "now", "current_timestamp()": "now",
                  "current_date": "current_date", "current_time": "current_time", "uuid()": "uuid"}

# Referential actions -> what the catalog may say. InnoDB treats NO ACTION as RESTRICT, and
# MariaDB reports it so.
ACTIONS: dict[ir.Action, dict[str, set[str]]] = {
    ir.Action.NO_ACTION: {"postgresql": {"NO ACTION"}, "mysql": {"NO ACTION", "RESTRICT"},
                          "sqlite": {"NO ACTION"}},
    ir.Action.RESTRICT: {d: {"RESTRICT"} for d in DIALECT_COLUMN},
    ir.Action.CASCADE: {d: {"CASCADE"} for d in DIALECT_COLUMN},
    ir.Action.SET_NULL: {d: {"SET NULL"} for d in DIALECT_COLUMN},
    ir.Action.SET_DEFAULT: {d: {"SET DEFAULT"} for d in DIALECT_COLUMN},
}
MYSQL_COMMENT_LIMITS = (2048, 1024)  # table, column


@pytest.mark.parametrize("spec", SPECS, ids=[p.name for p in SPECS])
def test_spec_loads_as_specified(spec: Path, scratch_db: ScratchDatabase) -> None:
    dialect = scratch_db.dialect
    loaded = load_files([spec])
    assert loaded.ok and loaded.schema is not None, render([d for d in loaded.diagnostics if d.is_error])
    compiled = compile_loaded(loaded, dialect)
    errors = [d for d in compiled.diagnostics if d.is_error]
    assert compiled.ok and compiled.sql is not None and not errors, render(errors)

    scratch_db.run_script(compiled.sql)
    catalog = scratch_db.catalog()

    expected = Expectation(loaded.schema, scratch_db, [d.message for d in compiled.diagnostics])
    problems = expected.compare(catalog)
    listing = "\n  ".join(problems)
    assert not problems, f"{spec.name} on {dialect}: the catalog differs from the spec:\n  {listing}"


# -- what the catalog should show ------------------------------------------------------------------


@dataclass
class Expectation:
    schema: ir.Schema
    db: ScratchDatabase
    warnings: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def name(self, name: str) -> str:
        return documented_short_name(name, self.dialect)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def compare(self, catalog: Catalog) -> list[str]:
        tables = {self.name(e.table_name): e for e in self.schema.entities}
        if set(catalog.tables) != set(tables):
            self.fail("tables", f"expected {sorted(tables)}, found {sorted(catalog.tables)}")
        for physical, entity in tables.items():
            if physical in catalog.tables:
                TableExpectation(self, entity, catalog.tables[physical]).compare()
        if self.dialect == "postgresql":
            self.compare_enums(catalog)
        return self.problems

    def compare_enums(self, catalog: Catalog) -> None:
        expected = {self.name(e.name): e for e in self.schema.enums}
        if set(catalog.enums) != set(expected):
            self.fail("enum types", f"expected {sorted(expected)}, found {sorted(catalog.enums)}")
        for physical, enum in expected.items():
            found = catalog.enums.get(physical)
            if found is None:
                continue
            if found.values != enum.value_names:
                self.fail(f"enum {physical}", f"values {found.values}, expected {enum.value_names}")
            if found.comment != enum.doc:
                self.fail(f"enum {physical}", f"comment {found.comment!r}, expected {enum.doc!r}")


@dataclass
class TableExpectation:
    outer: Expectation
    entity: ir.Entity
    table: Table

    @property
    def dialect(self) -> str:
        return self.outer.dialect

    def col(self, name: str) -> str:
        return self.outer.name(name)

    def cols(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.col(n) for n in names)

    def fail(self, what: str, message: str) -> None:
        self.outer.fail(f"{self.table.name}{'.' + what if what else ''}", message)

    def compare(self) -> None:
        self.compare_columns()
        self.compare_primary_key()
        self.compare_uniques()
        self.compare_foreign_keys()
        self.compare_checks()
        self.compare_indexes()
        self.compare_table_comment()

    # columns

    def compare_columns(self) -> None:
        expected = [self.col(f.name) for f in self.entity.fields]
        if list(self.table.column_names) != expected:
            self.fail("", f"columns {list(self.table.column_names)}, expected {expected}")
        found = {c.name: c for c in self.table.columns}
        pk = set(self.entity.primary_key.columns) if self.entity.primary_key else set()
        for f in self.entity.fields:
            c = found.get(self.col(f.name))
            if c is None:
                continue
            want = expected_type(self.outer.schema, f, self.dialect, self.outer.db.is_mariadb)
            got = reported_type(c.type, self.dialect)
            if got != want:
                self.fail(c.name, f"type {c.type!r}, expected {want!r} for {f.type}")
            nullable = f.nullable and f.name not in pk
            if c.nullable != nullable:
                self.fail(c.name, f"nullable is {c.nullable}, expected {nullable}")
            problem = default_problem(f, c.default, self.dialect)
            if problem:
                self.fail(c.name, problem)
            identity = expected_identity(f, self.dialect)
            if c.identity != identity:
                self.fail(c.name, f"identity {c.identity!r}, expected {identity!r}")
            comment = self.expected_comment(f.doc, column=True)
            if comment is not None and c.comment != comment:
                self.fail(c.name, f"comment {c.comment!r}, expected {comment!r}")
            if comment is None and f.doc is None and c.comment is not None:
                self.fail(c.name, f"unexpected comment {c.comment!r}")

    def expected_comment(self, doc: str | None, *, column: bool) -> str | None:
        if doc is None:
            return None
        if self.dialect == "mysql":
            return doc[: MYSQL_COMMENT_LIMITS[column]]
        if self.dialect == "sqlite":
            return "\n".join(line.strip() for line in doc.splitlines())
        return doc

    def compare_table_comment(self) -> None:
        if self.dialect == "sqlite":
            return  # lost by SQLite; test_ddl_behaviour.py covers it
        want = self.expected_comment(self.entity.doc, column=False)
        if self.table.comment != want:
            self.fail("", f"comment {self.table.comment!r}, expected {want!r}")

    # keys

    def compare_primary_key(self) -> None:
        pk = self.entity.primary_key
        got = self.table.primary_key
        if pk is None:
            if got is not None:
                self.fail("primary key", f"unexpected {got}")
            return
        if got is None:
            self.fail("primary key", "missing")
            return
        if got.columns != self.cols(pk.columns):
            self.fail("primary key", f"columns {got.columns}, expected {self.cols(pk.columns)}")
        name = "PRIMARY" if self.dialect == "mysql" else self.col(pk.name or "")
        if got.name != name:
            self.fail("primary key", f"named {got.name!r}, expected {name!r}")

    def compare_uniques(self) -> None:
        want = {(self.col(u.name or ""), self.cols(u.columns)) for u in self.entity.uniques}
        got = {(u.name, u.columns) for u in self.table.uniques}
        if self.dialect == "mysql":  # a unique index is a unique constraint there
            got -= {(self.col(i.name or ""), self.index_columns(i)) for i in self.entity.indexes if i.unique}
        if got != want:
            self.fail("unique", f"found {sorted(got, key=str)}, expected {sorted(want, key=str)}")

    def index_columns(self, index: ir.Index) -> tuple[str, ...]:
        return tuple(self.col(c.column or "") for c in index.columns)

    def compare_foreign_keys(self) -> None:
        got = {fk.name: fk for fk in self.table.foreign_keys}
        want = {self.col(fk.name or ""): fk for fk in self.entity.foreign_keys}
        if set(got) != set(want):
            self.fail("foreign keys", f"found {sorted(map(str, got))}, expected {sorted(want)}")
        for name, fk in want.items():
            found = got.get(name)
            if found is None:
                continue
            target = self.outer.schema.entity(fk.target)
            assert target is not None
            expected = (self.cols(fk.columns), self.col(target.table_name), self.cols(fk.target_columns))
            actual = (found.columns, found.referenced_table, found.referenced_columns)
            if actual != expected:
                self.fail(f"foreign key {name}", f"is {actual}, expected {expected}")
            for what, action, reported in (("ON DELETE", fk.on_delete, found.on_delete),
                                           ("ON UPDATE", fk.on_update, found.on_update)):
                if reported not in ACTIONS[action][self.dialect]:
                    self.fail(f"foreign key {name}", f"{what} {reported}, expected {action.value}")

    # checks

    def compare_checks(self) -> None:
        want: dict[str, str | None] = {self.col(c.name or ""): c.expression for c in self.entity.checks}
        for f in self.entity.fields:  # the checks the dialect adds for enum and json columns
            if f.type is None or f.override(self.dialect) is not None:
                continue
            if self.dialect == "sqlite" and self.outer.schema.enum(f.type.name):
                want[f"{self.entity.table_name}_{f.name}_enum"] = None
            elif self.dialect == "sqlite" and f.type.name == "json":
                want[f"{self.entity.table_name}_{f.name}_json"] = None
            elif self.dialect == "mysql" and self.outer.db.is_mariadb and f.type.name == "json":
                want[self.col(f.name)] = None
        got = {c.name: c.definition for c in self.table.checks}
        if set(got) != set(want):
            self.fail("checks", f"found {sorted(map(str, got))}, expected {sorted(want)}")
        for name, expression in want.items():
            definition = got.get(name)
            if definition is None or expression is None:
                continue
            problem = same_meaning_problem(expression, definition, self.dialect, self.entity)
            if problem:
                self.fail(f"check {name}", f"{definition!r} does not match {expression!r}: {problem}")

    # indexes

    def compare_indexes(self) -> None:
        expected: dict[str, ir.Index] = {}
        for index in self.entity.indexes:
            name = self.col(index.name or "")
            dropped = self.mysql_drops(index)
            if dropped:
                if self.table.index(name) is not None:
                    self.fail(f"index {name}", f"exists, but MySQL should have left it out ({dropped})")
                if not any(name in w for w in self.outer.warnings):
                    self.fail(f"index {name}", f"left out ({dropped}) without a warning")
                continue
            expected[name] = index
            found = self.table.index(name)
            if found is None:
                self.fail(f"index {name}", "missing")
                continue
            self.compare_index(index, found)
        plain = {i.name for i in self.table.indexes if i.origin == "index"}
        if self.dialect == "mysql":
            plain |= {i.name for i in self.table.indexes if i.origin == "unique"}
            plain -= {self.col(u.name or "") for u in self.entity.uniques}
            self.compare_foreign_key_indexes()
        if plain != set(expected):
            self.fail("indexes", f"found {sorted(plain)}, expected {sorted(expected)}")

    def mysql_drops(self, index: ir.Index) -> str | None:
        """Why MySQL leaves this index out, or None."""
        if self.dialect != "mysql":
            return None
        if any(c.expression for c in index.columns):
            return "an expression"
        for c in index.columns:
            f = self.entity.field(c.column or "")
            if f and f.type and f.type.name == "json" and f.override("mysql") is None:
                return "a json column"
        return None

    def compare_index(self, index: ir.Index, found: Index) -> None:
        where = f"index {found.name}"
        if found.unique != index.unique:
            self.fail(where, f"unique is {found.unique}, expected {index.unique}")
        if len(found.parts) != len(index.columns):
            self.fail(where, f"has {len(found.parts)} parts, expected {len(index.columns)}")
            return
        for part, col in zip(found.parts, index.columns, strict=True):
            if col.column is not None and part.column != self.col(col.column):
                self.fail(where, f"part {part}, expected column {self.col(col.column)!r}")
            if col.expression is not None:
                problem = same_meaning_problem(col.expression, part.expression or "", self.dialect,
                                               self.entity)
                if part.column is not None or problem:
                    self.fail(where, f"part {part} does not match ({col.expression}): {problem}")
            if part.descending != col.descending and self.keeps_descending():
                self.fail(where, f"part {part.column or part.expression} descending is {part.descending}")
        if self.dialect == "mysql":
            warned = any(found.name in w and "partial" in w for w in self.outer.warnings)
            if index.where is not None and not warned:
                self.fail(where, "created without its condition, without a warning")
            if found.method != "btree":
                self.fail(where, f"method {found.method}, expected btree")
            return
        if (index.where is None) != (found.predicate is None):
            self.fail(where, f"predicate {found.predicate!r}, expected {index.where!r}")
        elif index.where is not None:
            problem = same_meaning_problem(index.where, found.predicate or "", self.dialect, self.entity)
            if problem:
                self.fail(where, f"predicate {found.predicate!r} does not match {index.where!r}: {problem}")
        if self.dialect == "postgresql" and found.method != (index.method or "btree"):
            self.fail(where, f"method {found.method}, expected {index.method or 'btree'}")

    def keeps_descending(self) -> bool:
        """MariaDB honours DESC in keys from 10.8; the others always do."""
        if not self.outer.db.is_mariadb:
            return True
        m = re.match(r"(\d+)\.(\d+)", self.outer.db.server_version)
        return m is not None and (int(m[1]), int(m[2])) >= (10, 8)

    def compare_foreign_key_indexes(self) -> None:
        """MySQL indexes every foreign key: by an index it already has, or one named after the key."""
        fks = {self.col(fk.name or ""): self.cols(fk.columns) for fk in self.entity.foreign_keys}
        for index in self.table.indexes:
            if index.origin == "foreign_key" and fks.get(index.name) != index.columns:
                self.fail(f"index {index.name}", f"on {index.columns} is named after no foreign key on them")
        for name, columns in fks.items():
            if not any(i.columns[: len(columns)] == columns for i in self.table.indexes):
                self.fail(f"foreign key {name}", "has no index")


# -- types -----------------------------------------------------------------------------------------


def expected_type(schema: ir.Schema, f: ir.Field, dialect: str, mariadb: bool) -> str:
    """What the engine's catalog should report for a column, normalised by `reported_type`."""
    override = f.override(dialect)
    if override is not None:
        return normalise_override(override, dialect)
    assert f.type is not None
    enum = schema.enum(f.type.name)
    if enum is not None:
        if dialect == "postgresql":
            return documented_short_name(enum.name, dialect)
        if dialect == "mysql":
            return "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in enum.value_names) + ")"
        return "TEXT"
    if f.identity and dialect == "sqlite":
        return "INTEGER"  # INTEGER PRIMARY KEY AUTOINCREMENT needs exactly this name
    if f.type.name == "json" and dialect == "mysql" and mariadb:
        return "longtext"
    params = f.type.params
    template = PHYSICAL_TYPES[f.type.name][DIALECT_COLUMN[dialect]]
    return template.format(n=params[0] if params else "", p=params[0] if params else "",
                           s=params[1] if len(params) > 1 else 0, args=", ".join(map(str, params)))


def reported_type(text: str, dialect: str) -> str:
    if dialect == "postgresql":
        return text[1:-1].replace('""', '"') if text.startswith('"') else text
    if dialect == "mysql":
        text = text if text.lower().startswith("enum(") else text.lower()
        return re.sub(r"^(smallint|mediumint|int|bigint)\(\d+\)", r"\1", text)
    return text


def normalise_override(text: str, dialect: str) -> str:
    """The catalog's spelling of an `@type(...)` override, for the common type names."""
    if dialect == "sqlite":
        return text
    t = re.sub(r"\s+", " ", text.strip().lower()).replace(", ", ",")
    if dialect == "postgresql":
        t = re.sub(r"^varchar\b", "character varying", t)
        t = re.sub(r"^char\b", "character", t)
        t = {"int": "integer", "int4": "integer", "int8": "bigint", "bool": "boolean",
             "timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone"}.get(t, t)
    return reported_type(t, dialect)


def expected_identity(f: ir.Field, dialect: str) -> str | None:
    if not f.identity:
        return None
    return {"postgresql": "always" if f.identity == "always" else "by default",
            "mysql": "auto_increment", "sqlite": "autoincrement"}[dialect]


# -- defaults --------------------------------------------------------------------------------------

STRING = re.compile(r"'(?:[^']|'')*'")
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
CAST = re.compile(r"::\s*(\"[^\"]+\"|[\w .]+?)(\(\d+(,\s*\d+)?\))?(\[\])?$")


def default_problem(f: ir.Field, reported: str | None, dialect: str) -> str | None:
    """Why the default the engine reports is not the spec's, or None when it is."""
    spec = (f.default or "").strip()
    if not spec or spec.lower() == "null":
        return None if reported is None else f"default {reported!r}, expected none"
    if reported is None:
        return f"no default, expected {spec!r}"
    function = SPEC_FUNCTIONS.get(spec.lower().replace(" ", ""))
    if function == "now" and f.type is not None and f.type.name == "timestamptz":
        function = "now_utc"
    if function is not None:
        text = strip_parentheses(reported).lower()
        if dialect == "sqlite" and function == "uuid":
            ok = "randomblob" in text
        else:
            ok = text in FUNCTION_DEFAULTS[function][dialect]
        return None if ok else f"default {reported!r} is not {spec}"
    value = engine_literal(reported, dialect)
    assert f.type is not None
    if STRING.fullmatch(spec):
        want = unquote_string(spec)
        if value is None or not same_value(want, value, f.type.name):
            return f"default {reported!r} (value {value!r}), expected the string {want!r}"
        return None
    if NUMBER.fullmatch(spec):
        if value is None or not same_number(spec, value):
            return f"default {reported!r}, expected the number {spec}"
        return None
    if spec.lower() in ("true", "false"):
        truth = {"true": {"true", "1", "t"}, "false": {"false", "0", "f"}}[spec.lower()]
        if value is None or value.lower() not in truth:
            return f"default {reported!r}, expected {spec}"
        return None
    return same_meaning_problem(spec, reported, dialect, None)


def strip_parentheses(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for t in tokenize(text):
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def engine_literal(reported: str, dialect: str) -> str | None:
    """The value of a default that is one literal, without its casts, quotes and parentheses."""
    text = strip_parentheses(reported)
    while True:
        stripped = strip_parentheses(CAST.sub("", text))
        stripped = re.sub(r"^_\w+(?=')", "", stripped)  # MySQL charset introducer: _utf8mb4'x'
        if stripped == text:
            break
        text = stripped
    tokens = tokenize(text, backslash_escapes=dialect == "mysql")
    if len(tokens) == 1 and tokens[0].kind == "string":
        return unquote_string(tokens[0].text, backslash_escapes=dialect == "mysql")
    if NUMBER.fullmatch(text) or text.lower() in ("true", "false"):
        return text
    return None


def same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def same_value(want: str, got: str, type_name: str) -> bool:
    """Equal as values of the column's type: dates and times parsed, json decoded."""
    if want == got:
        return True
    parsers = {"date": date.fromisoformat, "time": time.fromisoformat, "timestamp": datetime.fromisoformat,
               "timestamptz": datetime.fromisoformat, "json": json.loads, "uuid": str.lower}
    parse = parsers.get(type_name)
    if parse is None:
        return False
    try:
        return bool(parse(want) == parse(got))
    except ValueError:
        return False


# -- expressions -----------------------------------------------------------------------------------


COMPARISONS = {"<", "<=", ">", ">=", "=", "<>", "!=", "~"}


@dataclass
class Atoms:
    """What an expression is made of, as far as an engine's rewrite keeps it."""

    names: set[str] = field(default_factory=set)  # case-folded
    strings: set[str] = field(default_factory=set)
    numbers: set[Decimal] = field(default_factory=set)  # absolute values
    operators: set[str] = field(default_factory=set)  # comparisons, != spelled <>
    negations: int = 0  # how many NOTs


def atoms(text: str, *, backslash_escapes: bool) -> Atoms:
    out = Atoms()
    tokens = tokenize(text, backslash_escapes=backslash_escapes)
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.lower() == "not":
            out.negations += 1
        elif t.text == "<>" and i + 1 < len(tokens) and tokens[i + 1].is_word("ALL"):
            out.negations += 1  # PostgreSQL's `x NOT IN (...)`
            out.operators.add("<>")
        elif t.kind in ("word", "ident"):
            out.names.add(t.value.casefold())
        elif t.kind == "string":
            value = unquote_string(t.text, backslash_escapes=backslash_escapes)
            out.strings.add(value)
            if NUMBER.fullmatch(value.strip()):
                out.numbers.add(abs(Decimal(value.strip())))
        elif t.kind == "number":
            out.numbers.add(abs(Decimal(t.text)))
        elif t.kind == "punct" and t.text in COMPARISONS:
            out.operators.add("<>" if t.text == "!=" else t.text)
        elif t.kind == "punct" and t.text == "!":
            out.negations += 1
    return out


def same_meaning_problem(spec: str, reported: str, dialect: str, entity: ir.Entity | None) -> str | None:
    """Whether the engine's rewrite of an expression could mean the spec's.

    Engines rewrite expressions (casts, parentheses, `IN` as `= ANY (ARRAY[...])`, `NOT IN`
    as `<> ALL (ARRAY[...])`, function names), so the test is on parts they keep: the columns
    named, every string and number, the comparison operators and the number of negations.
    """
    want = atoms(spec, backslash_escapes=False)
    got = atoms(reported, backslash_escapes=dialect == "mysql")
    columns = {f.name for f in entity.fields} if entity else set()
    problems = []
    missing = {c for c in columns if c.casefold() in want.names
               and documented_short_name(c, dialect).casefold() not in got.names}
    if missing:
        problems.append(f"columns {sorted(missing)} are missing")
    if want.strings - got.strings:
        problems.append(f"strings {sorted(want.strings - got.strings)} are missing")
    if want.numbers - got.numbers:
        problems.append(f"numbers {sorted(map(str, want.numbers - got.numbers))} are missing")
    if want.operators - got.operators:
        problems.append(f"operators {sorted(want.operators - got.operators)} are missing")
    if want.negations != got.negations:
        problems.append(f"{got.negations} negations instead of {want.negations}")
    return "; ".join(problems) or None
