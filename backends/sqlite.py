"""SQLite DDL (SQLite 3.35 and later).

SQLite keeps the declared type name of a column, so schemac writes names that keep the
portable type readable (`UUID`, `TIMESTAMPTZ`) while giving the affinity that stores the
values unchanged; enums and json become CHECK constraints. Foreign keys are declared inline,
since SQLite does not check that the referenced table exists when a table is created, and
documentation becomes SQL comments, which SQLite keeps in `sqlite_master`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from schemac.backends.base import Namespace, SqlRenderer
from schemac.ir import Check, Entity, Field, Index, Schema

# A version 4 UUID from randomblob(), as text.
UUID_V4 = (
    "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))"
)


def like_to_glob(pattern: str, escape: str | None = "\\") -> str:
    """A GLOB pattern that matches what a LIKE pattern matches in PostgreSQL (case-sensitive).

    Example:
        >>> like_to_glob("a_b%[x]*")
        'a?b*[[]x][*]'
    """
    out = []
    chars = iter(pattern)
    for c in chars:
        if escape and c == escape:
            c = next(chars, "")
            out.append(f"[{c}]" if c in "*?[" else c)
        elif c == "%":
            out.append("*")
        elif c == "_":
            out.append("?")
        elif c in "*?[":
            out.append(f"[{c}]")
        else:
            out.append(c)
    return "".join(out)


def rewrite_for_sqlite(tree: Any) -> Any:
    """SQLite's LIKE ignores ASCII case and has no escape character by default; PostgreSQL's
    is case-sensitive and escapes with a backslash. A LIKE with a literal pattern becomes the
    GLOB that means the same; another LIKE gets ESCAPE '\\'. An ILIKE is SQLite's own LIKE
    (both fold ASCII case only), with ESCAPE '\\' when its pattern holds a backslash -- so an
    imported SQLite check keeps its text."""
    from sqlglot import exp

    def glob(like: Any, escape: str | None) -> Any:
        pattern = like.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            return exp.Escape(this=like, expression=exp.Literal.string(escape or "\\"))
        node = exp.Glob(this=like.this, expression=exp.Literal.string(like_to_glob(pattern.this, escape)))
        return exp.Not(this=node) if like.args.get("negate") else node

    def visit(node: Any) -> Any:
        if isinstance(node, exp.ILike):
            like = exp.Like(this=node.this, expression=node.expression)
            if node.args.get("negate"):
                like.set("negate", True)
            like.set("ilike_done", True)
            pattern = node.expression
            if isinstance(node.parent, exp.Escape) or (
                    isinstance(pattern, exp.Literal) and pattern.is_string and "\\" not in pattern.this):
                return like
            return exp.Escape(this=like, expression=exp.Literal.string("\\"))
        if isinstance(node, exp.Like) and node.args.get("ilike_done"):
            return node
        if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
            char = node.expression.this if isinstance(node.expression, exp.Literal) else None
            return glob(node.this, char)
        if isinstance(node, exp.Like) and not isinstance(node.parent, exp.Escape):
            return glob(node, "\\")
        return node

    return tree.transform(visit)



@lru_cache(maxsize=1)
def _register_sqlglot_dialect() -> None:
    """sqlglot writes `x NOT IN (...)` as `NOT x IN (...)` (and so `x IS NOT NULL`, `x NOT
    LIKE`, `x NOT BETWEEN`, `x NOT GLOB`). SQLite keeps a check's and a partial index's text
    as it is given, so schemac writes them the way people (and inspected specs) do. Defining
    the subclass registers it with sqlglot, once."""
    from sqlglot import exp
    from sqlglot.dialects.sqlite import SQLite

    negatable = (exp.In, exp.Like, exp.Glob, exp.Between, exp.Is)

    class SchemacSqlite(SQLite):  # registered with sqlglot as "schemacsqlite"
        class Generator(SQLite.Generator):  # type: ignore[valid-type,misc]
            def not_sql(self, expression: exp.Not) -> str:
                inner = expression.this
                if isinstance(inner, negatable):  # `x IN (...)`: `x NOT IN (...)`
                    left, whole = self.sql(inner, "this"), self.sql(inner)
                    rest = whole[len(left) + 1:] if whole.startswith(left + " ") else ""
                    word = rest.split(" ", 1)[0].upper()
                    if word == "IS":
                        return f"{left} IS NOT {rest[3:]}"
                    if word == type(inner).__name__.upper():
                        return f"{left} NOT {rest}"
                return str(super().not_sql(expression))


class SqliteRenderer(SqlRenderer):
    name = "sqlite"
    NAMESPACES = {kind: (Namespace("schema", True, True, "SQLite names tables and indexes per schema"),)
                  for kind in ("table", "index")}
    title = "SQLite 3.35+"
    SQLGLOT = "schemacsqlite"  # sqlglot's SQLite, writing `x NOT IN (...)` as it is written
    QUOTE = '"'
    INLINE_CYCLIC_FOREIGN_KEYS = True
    REWRITE = staticmethod(rewrite_for_sqlite)  # called as a plain function, see base.py
    TYPES: ClassVar[dict[str, str]] = {
        "bool": "BOOLEAN",
        "smallint": "SMALLINT",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "decimal": "NUMERIC({params})",
        "float": "REAL",
        "double": "DOUBLE PRECISION",
        "text": "TEXT",
        "varchar": "VARCHAR({params})",
        "char": "CHAR({params})",
        "uuid": "UUID",
        "date": "DATE",
        "time": "TIME",
        "timestamp": "TIMESTAMP",
        "timestamptz": "TIMESTAMPTZ",
        "interval": "TEXT",
        "json": "TEXT",
        "bytes": "BLOB",
    }
    DEFAULTS: ClassVar[dict[str, str]] = {
        "CurrentTimestamp": "CURRENT_TIMESTAMP",
        "CurrentDate": "CURRENT_DATE",
        "CurrentTime": "CURRENT_TIME",
        "Uuid": UUID_V4,
    }

    def __init__(self, schema: Schema) -> None:
        super().__init__(schema)
        _register_sqlglot_dialect()
        self._regexp_reported: set[str] = set()

    @classmethod
    def load_sqlglot(cls) -> None:
        _register_sqlglot_dialect()
        super().load_sqlglot()

    def _autoincrement(self, entity: Entity) -> Field | None:
        """The identity column, when it can be SQLite's INTEGER PRIMARY KEY AUTOINCREMENT."""
        pk = entity.primary_key.columns if entity.primary_key else ()
        return next((f for f in entity.fields if f.identity and pk == (f.name,)), None)

    def type_sql(self, entity: Entity, f: Field) -> str:
        if f.type is not None and f.override(self.name) is None:
            if f.identity:
                return "INTEGER"
            if f.type.name in self.enums:
                return "TEXT"
            if f.type.name == "interval":
                self.unsupported(f"'{entity.name}.{f.name}' is an interval; SQLite has none, so it is "
                                 "stored as text (ISO 8601 durations)",
                                 ("entity", entity.name, "field", f.name, "type"),
                                 help='choose a type with @type(sqlite: "...") to silence this')
        return super().type_sql(entity, f)

    def portable_default(self, kind: str, f: Field) -> str | None:
        return self.DEFAULTS.get(kind)

    def identity_sql(self, entity: Entity, f: Field) -> str:
        if self._autoincrement(entity) is not f or entity.primary_key is None:
            self.unsupported(f"identity column '{entity.name}.{f.name}' must be the whole primary key in "
                             "SQLite", ("entity", entity.name, "field", f.name, "attr", "identity"), error=True)
            return ""
        return f"CONSTRAINT {self.ident(entity.primary_key.name or '')} PRIMARY KEY AUTOINCREMENT"

    def primary_key_sql(self, entity: Entity) -> str | None:
        if any(f.identity for f in entity.fields) and self._autoincrement(entity) is not None:
            return None  # declared on the column, with AUTOINCREMENT
        return super().primary_key_sql(entity)

    def extra_checks(self, entity: Entity) -> list[Check]:
        """Enum and json columns are checked by CHECK constraints."""
        out = []
        for f in entity.fields:
            if f.type is None or (f.type.name not in self.enums and f.type.name != "json"):
                continue
            if f.override(self.name) is not None:
                continue
            col = self.column(entity, f.name)
            enum = self.enums.get(f.type.name)
            if enum is not None:
                values = ", ".join(self.literal(v) for v in enum.value_names)
                out.append(Check(name=f"{entity.table_name}_{f.name}_enum", expression=f"{col} IN ({values})"))
            elif f.type.name == "json":
                valid = f"json_valid({col})"  # json_valid(NULL) is 0, not NULL
                out.append(Check(name=f"{entity.table_name}_{f.name}_json",
                                 expression=f"{col} IS NULL OR {valid}" if f.nullable else valid))
        return out

    def create_table_sql(self, entity: Entity, skip_fks: set[str | None]) -> str:
        """The table's documentation goes in a block comment after its name, inside the
        statement, because SQLite keeps only the statement's text in sqlite_master."""
        items = [(_comment(f.doc, "  "), self.column_sql(entity, f)) for f in entity.fields]
        items += [("", c) for c in self.constraint_items(entity, skip_fks)]
        body = ",\n".join(f"{doc}  {sql}" for doc, sql in items)
        return f"CREATE TABLE {self.table(entity)}{_block_comment(entity.doc)} (\n{body}\n);"

    def expr_sql(self, entity: Entity, text: str) -> str:
        sql = super().expr_sql(entity, text)
        if " REGEXP " in sql and text not in self._regexp_reported:
            self._regexp_reported.add(text)
            self.unsupported(f"'{text}' uses a regular expression; SQLite has no REGEXP function unless the "
                             "application registers one, so the table could not be created",
                             ("entity", entity.name, "name"), error=True,
                             help="use like or glob, or keep the check to the other dialects")
        return sql

    def index_method(self, entity: Entity, index: Index) -> str:
        if index.method not in (None, "btree"):
            self.unsupported(f"index '{index.name}' uses {index.method}, which only PostgreSQL has; "
                             "a b-tree index is created", ("entity", entity.name, "constraint", index.name or ""))
        return ""


def _block_comment(doc: str | None) -> str:
    if not doc:
        return ""
    doc = doc.replace("*/", "* /")
    if "\n" not in doc:
        return f" /* {doc} */"
    return " /*\n" + "".join(f"  {line}".rstrip() + "\n" for line in doc.split("\n")) + "*/"


def _comment(doc: str | None, indent: str) -> str:
    if not doc:
        return ""
    return "".join(f"{indent}-- {line}".rstrip() + "\n" for line in doc.splitlines())
