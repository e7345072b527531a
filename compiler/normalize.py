"""A resolved spec in the form a database of one dialect holds it (`database_form`).

Two specs that describe the same database differ in what no database keeps: sensitivity
tags, access patterns, policies, modules, functional dependencies; in how a type is spelled
(`bigint` or `int @type(sqlite: "BIGINT")`, an `enum` or the `ENUM(...)` MySQL keeps in the
column); and in how an expression is written (`qty > 0`, which PostgreSQL stores as
`(qty > 0)`). `database_form(schema, dialect, catalog)` removes the first, writes each type
as the backend's physical type, and replaces each expression by the text the engine stored
for it in `catalog` (found by the constraint, column or index it belongs to), so that

    database_form(spec, d, catalog(load(compile(spec)))) ==
        database_form(inspected, d, catalog(load(compile(inspected))))

says that `inspected` is `spec` up to what the database cannot tell apart, member by
member: entities, columns in order, keys, foreign keys, checks, indexes and their names,
nullability, identity, comments where the dialect keeps them (SQLite has no table or enum
comments; no dialect keeps an enum value's), constraint names where the engine keeps them
(MySQL calls every primary key PRIMARY; SQLite keeps no constraint's name where a statement
could refer to it). `sql` blocks are left out: what they create is the engine's own
object (a view, a function), which `schemac.compare` compares in the catalogs.
"""

from __future__ import annotations

from typing import Any

from schemac import catalog as cat
from schemac.ir import Check, Entity, Enum, Field, Index, IndexColumn, Schema, Unique


def database_form(schema: Schema, dialect: str, catalog: cat.Catalog | None = None, *,
                  names: bool = False) -> Schema:
    """`schema` (resolved) as a database of `dialect` holds it; expressions as the engine
    stored them in `catalog`, when given. Entities and enums are sorted by name: creation
    order is not something a catalog records. `names=True` keeps SQLite's constraint names
    (and member order), for matching members by name (schemac.drift)."""
    from schemac.backends.base import renderer_class

    renderer = renderer_class(dialect)(schema)
    tables = {e.name: e.table_name for e in schema.entities}
    entities = [_entity(e, dialect, renderer, catalog, tables, names) for e in schema.entities]
    enums = [_enum(e, dialect) for e in schema.enums] if dialect == "postgresql" else []
    return Schema(enums=tuple(sorted(enums, key=lambda e: e.name)),
                  entities=tuple(sorted(entities, key=lambda e: e.name)))


def _enum(enum: Enum, dialect: str) -> Enum:
    return Enum(name=enum.name, values=tuple(v.model_copy(update={"doc": None}) for v in enum.values), doc=enum.doc)


def _entity(entity: Entity, dialect: str, renderer: Any, catalog: cat.Catalog | None,
            tables: dict[str, str], names: bool = False) -> Entity:
    """The entity named by its table, as its foreign keys name their targets; every name as
    the engine holds it (shortened past its limit)."""
    name = renderer.physical
    table = catalog.tables.get(name(entity.table_name)) if catalog is not None else None
    fields = tuple(_field(entity, f, renderer, table).model_copy(update={"doc": _doc(f.doc, dialect)})
                   for f in entity.fields)
    checks = [*entity.checks, *renderer.extra_checks(entity)]  # SQLite's for enum and json columns
    pk = entity.primary_key
    indexes = [i for i in entity.indexes if dialect != "mysql" or renderer.index_sql(entity, i) is not None]
    uniques = list(entity.uniques)
    if dialect != "mysql":  # CREATE TABLE makes no unique key the primary key or an earlier key repeats
        seen = {pk.columns} if pk else set()
        kept = []
        for u in uniques:
            if u.columns not in seen:
                seen.add(u.columns)
                kept.append(u)
        uniques = kept
    if dialect == "mysql":  # a unique index of plain columns is a unique key: MySQL does not tell them apart
        uniques += [Unique(columns=tuple(c.column or "" for c in i.columns), name=i.name) for i in indexes
                    if i.unique and i.where is None and not any(c.expression or c.descending for c in i.columns)]
        indexes = [i for i in indexes if not any(i.name == u.name for u in uniques)]
    out = Entity(
        name=name(entity.table_name), keyless=entity.keyless, fields=fields,
        doc=_doc(entity.doc, dialect, table=True),
        primary_key=pk.model_copy(update={"name": name(pk.name or "") if dialect == "postgresql" else None,
                                          "columns": _names(pk.columns, name)})
        if pk else None,
        uniques=_sorted(u.model_copy(update={"name": name(u.name or ""), "columns": _names(u.columns, name)})
                        for u in uniques),
        foreign_keys=_sorted(k.model_copy(update={
            "name": name(k.name or ""), "columns": _names(k.columns, name),
            "target": name(tables.get(k.target, k.target)), "target_columns": _names(k.target_columns, name)})
            for k in entity.foreign_keys),
        checks=_sorted(c for c in (_check(c, name(c.name or ""), table) for c in checks)
                       if not (dialect == "mysql" and _mariadb_json(c, entity))),
        indexes=_sorted(_index(i, name(i.name or ""), dialect, table) for i in indexes),
        links=entity.links)
    return _unnamed(out, names) if dialect == "sqlite" else out


def _unnamed(entity: Entity, names: bool = False) -> Entity:
    """SQLite keeps the names of keys and constraints only inside its CREATE TABLE text, where
    no statement refers to them: they are left out, and the members sorted by what they say.
    It keeps expressions as written: they are compared as `compare` does, token by token."""
    from schemac.compare import comparable_sql

    def plain(members: Any) -> tuple[Any, ...]:
        return tuple(sorted((m.model_copy(update={"name": None}) for m in members), key=lambda m: m.model_dump_json()))

    pk = entity.primary_key
    checks = tuple(c.model_copy(update={"expression": comparable_sql(c.expression, True)}) for c in entity.checks)
    fields = tuple(f.model_copy(update={"default": comparable_sql(f.default, True)}) for f in entity.fields)
    indexes = tuple(i.model_copy(update={"where": comparable_sql(i.where, True), "columns": tuple(
        c.model_copy(update={"expression": comparable_sql(c.expression, True)}) for c in i.columns)})
        for i in entity.indexes)
    if names:
        return entity.model_copy(update={"checks": checks, "fields": fields, "indexes": indexes})
    return entity.model_copy(update={
        "primary_key": pk.model_copy(update={"name": None}) if pk else None, "uniques": plain(entity.uniques),
        "foreign_keys": plain(entity.foreign_keys), "checks": plain(checks), "fields": fields, "indexes": indexes})


def _mariadb_json(check: Check, entity: Entity) -> bool:
    """The check MariaDB adds to a JSON column (a LONGTEXT), named after the column; an
    inspected spec states it."""
    column = "`" + check.name.replace("`", "``") + "`" if check.name else ""
    return any(f.name == check.name for f in entity.fields) and check.expression == f"json_valid({column})"


def _doc(doc: str | None, dialect: str, table: bool = False) -> str | None:
    """A comment as the engine keeps it: SQLite keeps no table comments, and a column's as SQL
    comment lines, without blank lines or the whitespace around each; MySQL a shortened
    utf8mb3 text."""
    if doc is None or dialect == "sqlite" and table:
        return None
    if dialect == "sqlite":  # a column's doc is kept as `--` lines of the CREATE TABLE text, read back stripped
        return "\n".join(line.strip() for line in doc.splitlines() if line.strip()) or None
    if dialect == "mysql":
        from schemac.backends.mysql import MAX_COLUMN_COMMENT, MAX_TABLE_COMMENT, stored_comment

        return stored_comment(doc, MAX_TABLE_COMMENT if table else MAX_COLUMN_COMMENT)
    return doc


def _names(names: tuple[str, ...], name: Any) -> tuple[str, ...]:
    return tuple(name(n) for n in names)


def _sorted(members: Any) -> tuple[Any, ...]:
    return tuple(sorted(members, key=lambda m: m.name or ""))


def _field(entity: Entity, f: Field, renderer: Any, table: cat.Table | None) -> Field:
    name = renderer.physical(f.name)
    column = next((c for c in table.columns if c.name == name), None) if table is not None else None
    physical = " ".join((column.type if column is not None else renderer.type_sql(entity, f)).lower().split())
    default = f.default
    if column is not None:
        default = column.default if f.default is not None or column.default is not None else None
    return Field(name=name, type=f.type.model_copy(update={"name": physical, "params": ()}) if f.type else None,
                 nullable=f.nullable, identity=f.identity, default=default, doc=f.doc)


def _check(check: Check, name: str, table: cat.Table | None) -> Check:
    stored = next((c for c in table.checks if c.name == name), None) if table is not None else None
    return Check(name=name, expression=stored.definition if stored is not None else check.expression)


def _index(index: Index, name: str, dialect: str, table: cat.Table | None) -> Index:
    stored = table.index(name) if table is not None else None
    if stored is None:
        return index.model_copy(update={"name": name, "where": None if dialect == "mysql" else index.where})
    columns = tuple(IndexColumn(column=p.column, expression=p.expression, descending=p.descending)
                    for p in stored.parts)
    return Index(name=name, unique=index.unique, where=stored.predicate, method=stored.method, columns=columns)
