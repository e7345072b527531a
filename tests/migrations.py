"""Helpers for migration tests: build a database from a spec, apply a migration, and compare
what the engine holds with a database built from the target spec."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from schemac import api
from schemac.backends.migration import MigrationPair, render_migration
from schemac.catalog import Catalog
from schemac.compare import compare
from schemac.ir import Schema

from engines import ScratchDatabase, scratch_database


def loaded(text: str) -> Schema:
    result = api.load_text(text, "spec.schema")
    assert result.ok and result.schema is not None, [str(d) for d in result.diagnostics if d.is_error]
    return result.schema


def ddl(schema: Schema, dialect: str) -> str:
    from schemac.backends.base import render_schema

    sql, diagnostics = render_schema(schema, dialect)
    assert not [d for d in diagnostics if d.is_error], [str(d) for d in diagnostics]
    return sql


def migrate(old: Schema, new: Schema, dialect: str, **options: Any) -> MigrationPair:
    pair = render_migration(old, new, dialect, **options)
    errors = [str(d) for d in pair.up.diagnostics + pair.down.diagnostics if d.is_error]
    assert not errors, errors
    return pair


def ordered(catalog: Catalog, dialect: str) -> Catalog:
    """The catalog with each table's columns in name order where the engine cannot place a
    column (PostgreSQL adds a column at the end of its table)."""
    if dialect != "postgresql":
        return catalog
    tables = {name: replace(t, columns=tuple(sorted(t.columns, key=lambda c: c.name)))
              for name, t in catalog.tables.items()}
    return replace(catalog, tables=tables)


def same_as_built(db: ScratchDatabase, schema: Schema) -> list[str]:
    """How `db` differs from a fresh database built from `schema` (empty: not at all)."""
    with scratch_database(db.dialect) as fresh:
        fresh.run_script(ddl(schema, db.dialect))
        expected = fresh.catalog()
    return [str(d) for d in compare(ordered(db.catalog(), db.dialect), ordered(expected, db.dialect))]


def rows(db: ScratchDatabase, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    return sorted(db.select(table, columns), key=repr)


# -- rows for generated schemas ---------------------------------------------------------------------

def _value(f: Any, i: int, dialect: str, enums: dict[str, Any]) -> str:
    """A SQL literal of row `i` for a column (NULL for the second row of a nullable one)."""
    ty = f.type
    if f.nullable and i == 2:
        return "NULL"
    name = ty.name
    if name in enums:
        return "'" + enums[name].values[0].name.replace("'", "''") + "'"
    if name in ("smallint", "int", "bigint", "decimal"):
        return str(i)
    if name in ("float", "double"):
        return f"{i}.5"
    if name == "bool":
        return "1" if dialect == "mysql" else "true" if dialect == "postgresql" else "1"
    if name in ("text", "varchar", "char"):
        return f"'{i}'"
    if name == "uuid":
        return f"'00000000-0000-4000-8000-00000000000{i}'"
    if name == "date":
        return f"'2024-01-0{i}'"
    if name == "time":
        return f"'10:00:0{i}'"
    if name in ("timestamp", "timestamptz"):
        return f"'2024-01-0{i} 10:00:00'"
    if name == "interval":
        return "'1 day'" if dialect == "postgresql" else "'P1D'"
    if name == "json":
        return "'{\"a\": 1}'"
    if name == "bytes":
        return "'\\x6869'" if dialect == "postgresql" else "X'6869'"
    return "NULL"


def fill(db: ScratchDatabase, schema: Schema) -> None:
    """Insert up to two rows into each table, parents first, referring to the parents' rows;
    a row the engine refuses (a check it breaks) is left out."""
    from schemac.backends.base import renderer_class

    renderer = renderer_class(db.dialect)(schema)
    order, _ = renderer.table_order()
    enums = {e.name: e for e in schema.enums}
    for entity in order:
        fks = {c: (fk, k) for fk in entity.foreign_keys for k, c in enumerate(fk.columns)}
        for i in (1, 2):
            values = {}
            for f in entity.fields:
                if f.name in fks:
                    fk, k = fks[f.name]
                    values[f.name] = "NULL" if f.nullable and i == 2 else "1" if fk.target_columns else "NULL"
                    target = schema.entity(fk.target)
                    tf = target.field(fk.target_columns[k]) if target is not None else None
                    if tf is not None and tf.type is not None and values[f.name] != "NULL":
                        values[f.name] = _value(tf.model_copy(update={"nullable": False}), 1, db.dialect, enums)
                elif f.type is not None:
                    values[f.name] = _value(f, i, db.dialect, enums)
            cols = ", ".join(db.quote(renderer.physical(c)) for c in values)
            try:
                db.execute(f"INSERT INTO {db.quote(renderer.physical(entity.table_name))} ({cols}) "
                           f"VALUES ({', '.join(values.values())})")
            except Exception:  # noqa: BLE001  (a row a check or key refuses: the table keeps fewer)
                if db.dialect == "postgresql" and not db.connection.autocommit:
                    db.connection.rollback()


def kept_rows(db: ScratchDatabase, old: Schema, new: Schema) -> dict[str, list[str]]:
    """Per table in both specs, its rows over the columns that neither spec changes, as text."""
    from schemac.backends.base import renderer_class

    renderer = renderer_class(db.dialect)(new)
    out = {}
    after = {e.table_name: e for e in new.entities}
    for entity in old.entities:
        other = after.get(entity.table_name)
        if other is None:
            continue
        columns = [f.name for f in entity.fields if other.field(f.name) == f]
        if not columns:
            continue
        names = ", ".join(db.quote(renderer.physical(c)) for c in columns)
        out[entity.table_name] = sorted(repr(r) for r in db.query(
            f"SELECT {names} FROM {db.quote(renderer.physical(entity.table_name))}"))
    return out
