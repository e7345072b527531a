"""PostgreSQL DDL (PostgreSQL 13 and later: `gen_random_uuid()` is built in from 13)."""

from __future__ import annotations

import re
from typing import ClassVar

from schemac.backends.base import Namespace, SqlRenderer, as_written
from schemac.ir import Entity, Enum, Field, Index

_SERIAL = {"smallint": "SMALLSERIAL", "int": "SERIAL", "bigint": "BIGSERIAL"}
_RELATIONS = Namespace("relation", True, True, "PostgreSQL names tables and indexes (keys are indexes) per schema")
_CONSTRAINTS = Namespace("constraint", False, True, "PostgreSQL names a table's constraints in one namespace")

class PostgresqlRenderer(SqlRenderer):
    name = "postgresql"
    NAMESPACES = {"table": (_RELATIONS,), "index": (_RELATIONS,), "primary key": (_RELATIONS, _CONSTRAINTS),
                  "unique": (_RELATIONS, _CONSTRAINTS), "foreign key": (_CONSTRAINTS,), "check": (_CONSTRAINTS,)}
    title = "PostgreSQL 13+"
    SQLGLOT = "postgres"
    QUOTE = '"'
    IDENT_LIMIT = 63  # NAMEDATALEN - 1, in bytes
    IDENT_BYTES = True
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
        "interval": "INTERVAL",
        "json": "JSONB",
        "bytes": "BYTEA",
    }
    DEFAULTS: ClassVar[dict[str, str]] = {
        "CurrentTimestamp": "CURRENT_TIMESTAMP",
        "CurrentDate": "CURRENT_DATE",
        "CurrentTime": "CURRENT_TIME",
        "Uuid": "gen_random_uuid()",
    }

    def raw_sql(self, before_tables: bool) -> list[str]:
        """Function bodies are not checked when the functions are created (as pg_dump does):
        one written before the tables (that a default or check calls) may read them, and one
        function may call another written after it."""
        out = super().raw_sql(before_tables)
        if any(re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b", b, re.I)
                                 for b in out):
            out = ["-- Function bodies are checked when called: they may read what is created below.\n"
                   "SET check_function_bodies = false;", *out, "RESET check_function_bodies;"]
        return out

    def type_sql(self, entity: Entity, f: Field) -> str:
        serial = _SERIAL.get(f.type.name) if f.identity == "serial" and f.type is not None else None
        return serial or super().type_sql(entity, f)

    def stored_type_sql(self, entity: Entity, f: Field) -> str:
        """The column's type as the catalog has it: a serial column is an integer column
        (SERIAL is only a shorthand of CREATE TABLE)."""
        return SqlRenderer.type_sql(self, entity, f)

    def identity_sql(self, entity: Entity, f: Field) -> str:
        return "" if f.identity == "serial" else super().identity_sql(entity, f)

    def portable_default(self, kind: str, f: Field) -> str | None:
        return self.DEFAULTS.get(kind)

    def expression_default(self, sql: str, f: Field) -> str:
        return sql

    def expr_sql(self, entity: Entity, text: str) -> str:
        """The spec's expressions are PostgreSQL's: they are written as they are, only their
        names quoted and shortened. sqlglot's reading and writing of them is not the identity
        on PostgreSQL (`now()` becomes CURRENT_TIMESTAMP, `x NOT IN (...)` `NOT x IN (...)`,
        `char_length(x)` `length(x)`, `x !~ 'a'` `NOT x ~ 'a'`), and PostgreSQL would store
        another expression than the one an inspected spec holds."""
        return as_written(text, self.IDENT_LIMIT, self.IDENT_BYTES) or super().expr_sql(entity, text)

    def enum_sql(self, enum: Enum) -> str:
        values = ", ".join(self.literal(v.name) for v in enum.values)
        lines = [f"CREATE TYPE {self.enum_type_sql(enum)} AS ENUM ({values});"]
        if enum.doc:
            lines.append(f"COMMENT ON TYPE {self.enum_type_sql(enum)} IS {self.literal(enum.doc)};")
        return "\n".join(lines)

    def comment_sql(self, entity: Entity) -> list[str]:
        out = []
        if entity.doc:
            out.append(f"COMMENT ON TABLE {self.table(entity)} IS {self.literal(entity.doc)};")
        for f in entity.fields:
            if f.doc:
                out.append(f"COMMENT ON COLUMN {self.table(entity)}.{self.column(entity, f.name)} "
                           f"IS {self.literal(f.doc)};")
        return out

    def index_method(self, entity: Entity, index: Index) -> str:
        return f" USING {index.method}" if index.method else ""
