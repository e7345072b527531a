"""The typed model of a schema: what every stage after the parser consumes.

A `Schema` comes in two forms built from the same classes:

* *declared*, as the parser produces it from a `.schema` file: fields may be `ref`
  relationships, many-to-many `links` sit on their entity, and keys, checks and indexes
  may be written on a field (`@pk`, `@unique`, `@check(...)`, `@index`);
* *resolved* (`schemac.resolve.resolve`), the core form the backends render: every field has
  a concrete type, relationships became foreign-key columns and constraints, links became
  join entities, and every key, check, index and foreign key sits on its entity with a
  deterministic name.

A resolved schema is still a valid declared schema: formatting it gives a `.schema` text
that resolves to the same thing.

Models are frozen and use tuples; positions live in a separate source map, so two schemas
compare equal whatever their layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemac.dialects import DIALECTS  # noqa: E402,F401  (re-exported)


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __eq__(self, other: object) -> bool:
        """pydantic's equality (same class, same field values) without its bookkeeping for
        private attributes, extras and generics, which no node has: the differ compares
        every member of two large schemas."""
        if type(other) is type(self):
            return self.__dict__ == other.__dict__  # type: ignore[no-any-return]
        return False if isinstance(other, BaseModel) else NotImplemented


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    PII = "pii"
    PHI = "phi"
    PCI = "pci"
    SECRET = "secret"


class Action(StrEnum):
    """A referential action for ON DELETE / ON UPDATE."""

    NO_ACTION = "no_action"
    RESTRICT = "restrict"
    CASCADE = "cascade"
    SET_NULL = "set_null"
    SET_DEFAULT = "set_default"


# Portable types: name -> (minimum, maximum) number of parameters.
BUILTIN_TYPES: dict[str, tuple[int, int]] = {
    "bool": (0, 0),
    "smallint": (0, 0),
    "int": (0, 0),
    "bigint": (0, 0),
    "decimal": (1, 2),
    "float": (0, 0),
    "double": (0, 0),
    "text": (0, 0),
    "varchar": (1, 1),
    "char": (1, 1),
    "uuid": (0, 0),
    "date": (0, 0),
    "time": (0, 0),
    "timestamp": (0, 0),
    "timestamptz": (0, 0),
    "interval": (0, 0),
    "json": (0, 0),
    "bytes": (0, 0),
}
INTEGER_TYPES = frozenset({"smallint", "int", "bigint"})


class Tag(Node):
    """A sensitivity tag such as `@pii` or `@pci(pan)`."""

    kind: Sensitivity
    category: str | None = None


class Type(Node):
    """A portable type (`varchar(320)`) or the name of an enum."""

    name: str
    params: tuple[int, ...] = ()

    @property
    def builtin(self) -> bool:
        return self.name in BUILTIN_TYPES

    def __str__(self) -> str:
        return f"{self.name}({', '.join(map(str, self.params))})" if self.params else self.name


class TypeOverride(Node):
    """A physical type for one dialect, from `@type(postgresql: "citext")`."""

    dialect: str
    sql: str


class Reference(Node):
    """The target of a `ref` field: a to-one relationship."""

    target: str
    target_columns: tuple[str, ...] = ()  # empty: the target's primary key
    columns: tuple[str, ...] = ()  # empty: derived from the field name
    on_delete: Action = Action.NO_ACTION
    on_update: Action = Action.NO_ACTION
    constraint: str | None = None


Identity = Literal["by_default", "always", "serial"]


class Field(Node):
    name: str
    type: Type | None = None  # None exactly when `ref` is set
    ref: Reference | None = None
    nullable: bool = False
    primary_key: bool = False
    identity: Identity | None = None
    default: str | None = None  # an SQL expression, as written
    unique: bool = False
    indexed: bool = False
    checks: tuple[str, ...] = ()
    doc: str | None = None
    tags: tuple[Tag, ...] = ()
    tenant: bool = False
    denormalized: str | None = None
    overrides: tuple[TypeOverride, ...] = ()
    was: str | None = None  # `@was(old)`: the field's (resolved: the column's) name before a rename

    def override(self, dialect: str) -> str | None:
        if not self.overrides:
            return None
        return next((o.sql for o in self.overrides if o.dialect == dialect), None)


class Link(Node):
    """A many-to-many relationship; it resolves to a join entity."""

    name: str
    target: str
    table: str | None = None
    fields: tuple[Field, ...] = ()
    doc: str | None = None


class PrimaryKey(Node):
    columns: tuple[str, ...]
    name: str | None = None


class Unique(Node):
    columns: tuple[str, ...]
    name: str | None = None


class IndexColumn(Node):
    """A column or a parenthesised expression of an index, with its sort order."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False


class Index(Node):
    columns: tuple[IndexColumn, ...]
    name: str | None = None
    unique: bool = False
    where: str | None = None
    method: str | None = None  # btree, hash, gin, gist, brin, spgist


class Check(Node):
    expression: str
    name: str | None = None


class ForeignKey(Node):
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    on_delete: Action = Action.NO_ACTION
    on_update: Action = Action.NO_ACTION
    name: str | None = None


PredicateOp = Literal["=", "<", "<=", ">", ">=", "<>", "!=", "between", "in", "is null", "is not null"]


class Predicate(Node):
    """One condition of an access pattern; each value is `?`, a literal or an enum value."""

    column: str
    op: PredicateOp
    values: tuple[str, ...] = ()


class OrderItem(Node):
    column: str
    descending: bool = False


class AccessPattern(Node):
    """A named query shape the application runs: `access recent: customer = ? order by ...`."""

    name: str
    predicates: tuple[Predicate, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    doc: str | None = None


PolicyCommand = Literal["all", "select", "insert", "update", "delete"]


class Policy(Node):
    """A row-level security policy for one command (or all): existing rows are visible when
    `using` holds, and new or changed rows must satisfy `check`."""

    name: str
    command: PolicyCommand = "all"
    using: str | None = None
    check: str | None = None
    roles: tuple[str, ...] = ()
    restrictive: bool = False
    doc: str | None = None


class Dependency(Node):
    """A declared functional dependency: `determinant` determines `dependent`."""

    determinant: tuple[str, ...]
    dependent: tuple[str, ...]
    doc: str | None = None
    denormalized: str | None = None


class Entity(Node):
    name: str
    module: str | None = None
    table: str | None = None  # physical table name when it differs from `name`
    doc: str | None = None
    tags: tuple[Tag, ...] = ()
    denormalized: str | None = None
    keyless: bool = False  # `@keyless`: a table without a primary key, said on purpose
    was: str | None = None  # `@was(old)`: the entity's table name before a rename
    fields: tuple[Field, ...] = ()
    links: tuple[Link, ...] = ()
    primary_key: PrimaryKey | None = None
    uniques: tuple[Unique, ...] = ()
    indexes: tuple[Index, ...] = ()
    checks: tuple[Check, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    access_patterns: tuple[AccessPattern, ...] = ()
    policies: tuple[Policy, ...] = ()
    dependencies: tuple[Dependency, ...] = ()

    @property
    def table_name(self) -> str:
        return self.table or self.name

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class EnumValue(Node):
    name: str
    doc: str | None = None


class Enum(Node):
    name: str
    values: tuple[EnumValue, ...]
    module: str | None = None
    doc: str | None = None

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values)


class Module(Node):
    name: str
    doc: str | None = None


class RawSql(Node):
    """SQL the language cannot express yet (a view, a trigger, a function...), kept verbatim
    for the dialects it is written for (`sql active_customers for postgresql "..."`).
    The DDL of those dialects ends with it, in declaration order; with `@before_tables`
    (a sequence, a domain, an extension the tables use) it comes before the tables."""

    name: str
    dialects: tuple[str, ...]
    sql: str
    before_tables: bool = False


class Schema(Node):
    imports: tuple[str, ...] = ()
    modules: tuple[Module, ...] = ()
    enums: tuple[Enum, ...] = ()
    entities: tuple[Entity, ...] = ()
    raw_sql: tuple[RawSql, ...] = ()

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)

    def enum(self, name: str) -> Enum | None:
        return next((e for e in self.enums if e.name == name), None)

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name == name), None)

    def walk_fields(self) -> Iterator[tuple[tuple[str, ...], Entity, Field]]:
        for e in self.entities:
            for f in e.fields:
                yield ("entity", e.name, "field", f.name), e, f
