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
