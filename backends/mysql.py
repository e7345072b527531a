"""MySQL DDL that MySQL 8.0 and MariaDB 10.6+ both accept.

Where the two differ, the form both accept is chosen (see docs/dialects.md): uuid is
CHAR(36), expression defaults are parenthesised, CHECK constraints avoid what MySQL forbids
(identity columns, columns under a referential action, non-deterministic functions), and
index keys fit InnoDB's 3,072-byte limit on utf8mb4 text. Features MariaDB lacks (functional
and partial indexes) are left out with a warning, or refused when leaving them out would
change what the schema accepts (a unique key).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, ClassVar

from schemac import expressions
from schemac.backends.base import Namespace, SqlRenderer
from schemac.ir import Action, Entity, Enum, Field, Index, IndexColumn, RawSql

MAX_KEY_BYTES = 3072  # InnoDB, DYNAMIC row format
MAX_ROW_BYTES = 65535  # all columns but BLOB/TEXT/JSON, which count a few bytes each
MAX_COLUMN_COMMENT = 1024
MAX_TABLE_COMMENT = 2048


def stored_comment(doc: str, limit: int) -> str:
    """The comment MySQL keeps for `doc`: at most `limit` characters, in utf8mb3 (each
    character beyond U+FFFF written as `?`, which MariaDB's strict mode would refuse)."""
    return re.sub("[\U00010000-\U0010FFFF]", "?", doc[:limit])
# Bytes a key part takes, by portable type; None for types that need a prefix length.
KEY_BYTES: dict[str, Any] = {
    "bool": 1, "smallint": 2, "int": 4, "bigint": 8, "float": 4, "double": 8,
    "decimal": lambda p: p[0] // 2 + 1, "varchar": lambda p: 4 * p[0] + 2, "char": lambda p: 4 * p[0],
    "uuid": 144, "date": 3, "time": 6, "timestamp": 8, "timestamptz": 8, "interval": 258,
    "text": None, "bytes": None, "json": None,
}
NON_DETERMINISTIC = ("CurrentTimestamp", "CurrentDate", "CurrentTime", "Uuid", "Rand", "CurrentUser")


@lru_cache(maxsize=1)
def _register_sqlglot_dialect() -> None:
    """sqlglot writes `x ~ 'p'` as REGEXP_LIKE(), which MariaDB lacks (both engines have the
    REGEXP operator), and `DATE '...'` as a CAST, which they store otherwise. Defining the
    subclass registers it with sqlglot, once."""
    from sqlglot import exp
    from sqlglot.dialects.mysql import MySQL

    literal_types = {exp.DataType.Type.DATE: "DATE", exp.DataType.Type.TIME: "TIME",
                     exp.DataType.Type.TIMESTAMP: "TIMESTAMP", exp.DataType.Type.DATETIME: "TIMESTAMP"}

    class SchemacMysql(MySQL):  # registered with sqlglot as "schemacmysql"
        class Generator(MySQL.Generator):  # type: ignore[valid-type,misc]
            TRANSFORMS = {**MySQL.Generator.TRANSFORMS,
                          exp.RegexpLike: lambda self, e: self.binary(e, "REGEXP")}

            def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
                """A string cast to a date or time is a typed literal, `DATE '2020-01-01'`,
                which both engines keep as such in a check."""
                inner, to = expression.this, expression.to
                word = literal_types.get(to.this) if not to.expressions else None
                if word is not None and isinstance(inner, exp.Literal) and inner.is_string:
                    return f"{word} {self.sql(inner)}"
                return str(super().cast_sql(expression, safe_prefix))


class MysqlRenderer(SqlRenderer):
    name = "mysql"
    NAMESPACES = {
        "foreign key": (Namespace("foreign key", True, True, "MySQL and MariaDB name foreign keys per schema"),),
        "check": (Namespace("check", True, False, "MySQL 8 names check constraints per schema (MariaDB per table)"),),
    }
    title = "MySQL 8.0+ and MariaDB 10.6+"
    SQLGLOT = "schemacmysql"  # sqlglot's MySQL, writing REGEXP as MariaDB and MySQL both accept
    QUOTE = "`"
    IDENT_LIMIT = 64
    EXPLICIT_NULL = True
    EXPLICIT_NO_ACTION = True
    TYPES: ClassVar[dict[str, str]] = {
        "bool": "BOOLEAN",
        "smallint": "SMALLINT",
        "int": "INT",
        "bigint": "BIGINT",
        "decimal": "DECIMAL({params})",
        "float": "FLOAT",
        "double": "DOUBLE",
        "text": "LONGTEXT",
        "varchar": "VARCHAR({params})",
        "char": "CHAR({params})",
        "uuid": "CHAR(36)",
        "date": "DATE",
        "time": "TIME(6)",
        "timestamp": "DATETIME(6)",
        "timestamptz": "DATETIME(6)",
        "interval": "VARCHAR(64)",
        "json": "JSON",
        "bytes": "LONGBLOB",
    }
    DEFAULTS: ClassVar[dict[str, str]] = {
        "CurrentTimestamp": "CURRENT_TIMESTAMP(6)",
        "CurrentDate": "(CURRENT_DATE)",
        "CurrentTime": "(CURRENT_TIME(6))",
        "Uuid": "(UUID())",
    }
    UTC_NOW = "(UTC_TIMESTAMP(6))"  # now() for a timestamptz column
    # Types whose literal defaults must be written as expressions, in parentheses.
    BLOB_TYPES = frozenset({"text", "bytes", "json"})

    def __init__(self, schema: Any) -> None:
        super().__init__(schema)
        _register_sqlglot_dialect()
        self._fields: dict[str, dict[str, Field]] = {}

    @classmethod
    def load_sqlglot(cls) -> None:
        _register_sqlglot_dialect()
        super().load_sqlglot()

    def _field(self, entity: Entity, name: str) -> Field | None:
        """A field by name, from a table built once per entity."""
        fields = self._fields.get(entity.name)
        if fields is None:
            fields = self._fields[entity.name] = {f.name: f for f in entity.fields}
        return fields.get(name)

    def literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def preamble(self) -> str:
        return (f"-- Dialect: {self.title}. Tables use InnoDB and utf8mb4 with binary collation,\n"
                "-- so text compares as it does in PostgreSQL and SQLite.\n")

    def type_sql(self, entity: Entity, f: Field) -> str:
        ty = f.type
        if ty is not None and f.override(self.name) is None:
            if ty.name == "interval":
                self.unsupported(f"'{entity.name}.{f.name}' is an interval; MySQL has none, so it is "
                                 "stored as text (ISO 8601 durations)", _field_path(entity, f),
                                 help='choose a type with @type(mysql: "...") to silence this')
            if ty.name == "char" and ty.params[0] > 255:
                self.unsupported(f"char({ty.params[0]}) is longer than MySQL's 255", _field_path(entity, f),
                                 error=True, help="use varchar(n)")
            if ty.name == "varchar" and ty.params[0] > 16383:
                self.unsupported(f"varchar({ty.params[0]}) exceeds MySQL's row size with utf8mb4",
                                 _field_path(entity, f), error=True, help="use text")
            if ty.name == "decimal" and (ty.params[0] > 65 or (len(ty.params) > 1 and ty.params[1] > 30)):
                self.unsupported(f"{ty} exceeds MySQL's limits (precision 65, scale 30)",
                                 _field_path(entity, f), error=True)
        return super().type_sql(entity, f)

    def enum_type_sql(self, enum: Enum) -> str:
        return "ENUM(" + ", ".join(self.literal(v.name) for v in enum.values) + ")"

    def portable_default(self, kind: str, f: Field) -> str | None:
        if kind == "CurrentTimestamp" and f.type is not None and f.type.name == "timestamptz":
            return self.UTC_NOW  # timestamptz is stored in UTC; CURRENT_TIMESTAMP is local
        return self.DEFAULTS.get(kind)

    def literal_default(self, tree: Any, f: Field) -> str:
        sql = str(tree.sql(dialect=self.SQLGLOT))
        if f.type is not None and f.type.name in self.BLOB_TYPES:
            return f"({sql})"
        return sql

    def identity_sql(self, entity: Entity, f: Field) -> str:
        if f.identity == "always":
            self.unsupported(f"'{entity.name}.{f.name}': MySQL cannot forbid explicit values in an "
                             "identity column; it is AUTO_INCREMENT", _field_path(entity, f, "attr", "identity"))
        if next(c for c in entity.fields if c.identity) is not f:
            self.unsupported(f"'{entity.name}' has more than one serial column; MySQL allows one AUTO_INCREMENT "
                             "column a table", _field_path(entity, f, "attr", "identity"), error=True)
        keys = [entity.primary_key.columns] if entity.primary_key else []
        keys += [u.columns for u in entity.uniques]
        if not any(k and k[0] == f.name for k in keys):
            self.unsupported(f"identity column '{entity.name}.{f.name}' must lead the primary key or a "
                             "unique key in MySQL", _field_path(entity, f, "attr", "identity"), error=True)
        return "AUTO_INCREMENT"

    def column_extras(self, entity: Entity, f: Field) -> list[str]:
        if not f.doc:
            return []
        return [f"COMMENT {self.literal(self._fit(f.doc, MAX_COLUMN_COMMENT, entity, f))}"]

    def _fit(self, doc: str, limit: int, entity: Entity, f: Field | None = None) -> str:
        stored = stored_comment(doc, limit)
        if stored == doc:
            return doc
        what = f"'{entity.name}.{f.name}'" if f else f"'{entity.name}'"
        why = f"is longer than MySQL's {limit} characters; it is truncated" if len(doc) > limit else \
            "has characters beyond U+FFFF, which MySQL cannot keep in a comment (utf8mb3); they are written as '?'"
        self.unsupported(f"the documentation of {what} {why}",
                         _field_path(entity, f) if f else ("entity", entity.name, "name"), code="B603")
        return stored

    def table_options(self, entity: Entity) -> str:
        options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
        if entity.doc:
            options += f" COMMENT={self.literal(self._fit(entity.doc, MAX_TABLE_COMMENT, entity))}"
        return options

    def constraint_items(self, entity: Entity, skip_fks: set[str | None]) -> list[str]:
        self._check_row_size(entity)
        self._check_keys(entity)
        self._check_checks(entity)
        for fk in entity.foreign_keys:
            if Action.SET_DEFAULT in (fk.on_delete, fk.on_update):
                self.unsupported(f"foreign key '{fk.name}': InnoDB rejects SET DEFAULT",
                                 _constraint(entity, fk.name), error=True, help="use set_null or restrict")
        return super().constraint_items(entity, skip_fks)

    def _check_row_size(self, entity: Entity) -> None:
        size = 0
        for f in entity.fields:
            if f.type is None or f.override(self.name) is not None:
                continue
            width = 2 if f.type.name in self.enums else KEY_BYTES.get(f.type.name, 8)
            size += 12 if width is None else width(f.type.params) if callable(width) else width
        if size > MAX_ROW_BYTES:
            self.unsupported(f"the columns of '{entity.name}' take up to {size} bytes a row; MySQL allows "
                             f"{MAX_ROW_BYTES} outside text and blob columns (4 bytes a character in utf8mb4)",
                             ("entity", entity.name, "name"), code="B606", error=True,
                             help="use text for the longest varchar columns")

    def _check_keys(self, entity: Entity) -> None:
        keys: list[tuple[str, tuple[str, ...], str | None]] = []
        if entity.primary_key:
            keys.append(("primary key", entity.primary_key.columns, entity.primary_key.name))
        keys += [(f"unique key '{u.name}'", u.columns, u.name) for u in entity.uniques]
        for what, cols, cname in keys:
            size, unbounded = self._key_size(entity, cols)
            if unbounded:
                self.unsupported(f"the {what} of '{entity.name}' includes '{unbounded}', which MySQL can "
                                 "only index by a prefix, so uniqueness would not hold",
                                 _constraint(entity, cname), code="B604", error=True,
                                 help='use varchar(n), or give MySQL its own type: @type(mysql: "varchar(255)")')
            elif size > MAX_KEY_BYTES:
                self.unsupported(f"the {what} of '{entity.name}' takes {size} bytes; InnoDB keys are at most "
                                 f"{MAX_KEY_BYTES} (4 bytes a character in utf8mb4)",
                                 _constraint(entity, cname), code="B604", error=True,
                                 help="shorten the varchar columns in the key")

    def _key_size(self, entity: Entity, cols: tuple[str, ...]) -> tuple[int, str | None]:
        size = 0
        for c in cols:
            f = self._field(entity, c)
            if f is None or f.type is None or f.override(self.name) is not None:
                continue
            width = 2 if f.type.name in self.enums else KEY_BYTES.get(f.type.name, 0)
            if width is None:
                return size, c
            size += width(f.type.params) if callable(width) else width
        return size, None

    def _check_checks(self, entity: Entity) -> None:
        guarded = {c for fk in entity.foreign_keys
                   if fk.on_delete not in (Action.NO_ACTION, Action.RESTRICT)
                   or fk.on_update not in (Action.NO_ACTION, Action.RESTRICT) for c in fk.columns}
        identity = {f.name for f in entity.fields if f.identity}
        for check in entity.checks:
            used = {name for name, _ in expressions.column_names(check.expression)}
            bad = sorted(used & guarded)
            at = _constraint(entity, check.name)
            if bad:
                self.unsupported(f"check '{check.name}' uses '{bad[0]}', which a foreign key's referential "
                                 "action changes; MySQL refuses such checks", at, error=True)
            if used & identity:
                self.unsupported(f"check '{check.name}' uses an AUTO_INCREMENT column; MySQL refuses it",
                                 at, error=True)
            if _non_deterministic(check.expression):
                self.unsupported(f"check '{check.name}' calls a non-deterministic function; MySQL refuses it",
                                 at, error=True)

    def index_sql(self, entity: Entity, index: Index) -> str | None:
        at = _constraint(entity, index.name)
        if any(c.expression for c in index.columns):
            if index.unique:
                self.unsupported(f"unique index '{index.name}' is on an expression, which MariaDB cannot index",
                                 at, error=True, help="index a column instead")
            else:
                self.unsupported(f"index '{index.name}' is on an expression, which MariaDB cannot index; "
                                 "it is left out", at)
            return None
        where = index.where
        if where is not None:
            if index.unique:
                self.unsupported(f"unique index '{index.name}' is partial; MySQL has no partial indexes and a "
                                 "full unique index would reject rows the spec allows", at, error=True)
                return None
            self.unsupported(f"index '{index.name}' is partial; MySQL has no partial indexes, so it covers "
                             "every row (same results, a larger index)", at, info=True)
        if index.method not in (None, "btree", "hash"):
            self.unsupported(f"index '{index.name}' uses {index.method}, which only PostgreSQL has; "
                             "a btree index is created", at)
        cols = [c.column for c in index.columns if c.column]
        if any(self._is_json(entity, c) for c in cols):
            if index.unique:
                self.unsupported(f"unique index '{index.name}' is on a json column, which MySQL cannot index",
                                 at, error=True)
            else:
                self.unsupported(f"index '{index.name}' is on a json column, which MySQL cannot index; "
                                 "it is left out", at)
            return None
        parts = self._key_parts(entity, index)
        if parts is None:
            return None
        unique = "UNIQUE " if index.unique else ""
        return f"CREATE {unique}INDEX {self.ident(index.name or '')} ON {self.table(entity)} ({', '.join(parts)});"

    def _is_json(self, entity: Entity, column: str) -> bool:
        f = self._field(entity, column)
        return f is not None and f.type is not None and f.type.name == "json" and f.override(self.name) is None

    def _key_parts(self, entity: Entity, index: Index) -> list[str] | None:
        """Key parts with prefix lengths where InnoDB's key size limit needs them."""
        prefixes = self.key_prefixes(entity, index)
        if prefixes is None:
            return None
        parts = []
        for c in index.columns:
            sql = self.column(entity, c.column or "")
            if c.column in prefixes:
                sql += f"({prefixes[c.column]})"
            parts.append(sql + (" DESC" if c.descending else ""))
        return parts

    def key_prefixes(self, entity: Entity, index: Index) -> dict[str, int] | None:
        """The prefix length of each key part that needs one to fit InnoDB's key size limit
        (None, with an error, for a unique index that does not fit)."""
        fixed = 0
        variable: list[IndexColumn] = []
        for c in index.columns:
            f = self._field(entity, c.column or "")
            if f is None or f.type is None or f.override(self.name) is not None:
                continue
            width = 2 if f.type.name in self.enums else KEY_BYTES.get(f.type.name, 0)
            if width is None or (f.type.name == "varchar" and callable(width)):
                variable.append(c)
            else:
                fixed += width(f.type.params) if callable(width) else width
        need = fixed + sum(self._width(entity, c) for c in variable)
        prefixes: dict[str, int] = {}
        unbounded = [c for c in variable if self._width(entity, c) is None or self._width(entity, c) == 0]
        if need > MAX_KEY_BYTES or unbounded:
            if index.unique:
                self.unsupported(f"unique index '{index.name}' does not fit InnoDB's {MAX_KEY_BYTES}-byte "
                                 "key limit", _constraint(entity, index.name), code="B604", error=True,
                                 help="use shorter varchar columns")
                return None
            budget = max(MAX_KEY_BYTES - fixed, 0) // max(len(variable), 1)
            for c in variable:
                prefixes[c.column or ""] = max(1, min(768, budget // 4))
        return prefixes

    def _width(self, entity: Entity, c: IndexColumn) -> int:
        f = self._field(entity, c.column or "")
        assert f is not None and f.type is not None
        width = KEY_BYTES.get(f.type.name)
        if width is None:
            return 0
        return int(width(f.type.params)) if callable(width) else int(width)


    def raw_block(self, raw: RawSql) -> str:
        """A block with a compound statement (a trigger or routine body, BEGIN ... END) is
        wrapped in DELIMITER lines, as the mysql client needs to read it whole."""
        text = super().raw_block(raw)
        if re.search(r"\bBEGIN\b", text, re.I) and re.search(r"\bEND\b", text, re.I):
            head, _, body = text.partition("\n")
            text = f"{head}\nDELIMITER $$\n{body.rstrip().rstrip(';')}$$\nDELIMITER ;"
        return text

@cache
def _non_deterministic(text: str) -> bool:
    """Whether an expression calls a function whose value changes between calls."""
    from sqlglot import exp

    tree = expressions.parse(text)
    return not isinstance(tree, expressions.ExprError) and any(
        type(n).__name__ in NON_DETERMINISTIC
        or (isinstance(n, exp.Anonymous) and n.name.lower() in ("now", "uuid", "rand")) for n in tree.walk())


def _constraint(entity: Entity, name: str | None) -> tuple[str, ...]:
    return ("entity", entity.name, "constraint", name or "")


def _field_path(entity: Entity, f: Field, *rest: str) -> tuple[str, ...]:
    return ("entity", entity.name, "field", f.name, *rest) if rest else ("entity", entity.name, "field", f.name, "type")
