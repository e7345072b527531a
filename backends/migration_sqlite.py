"""SQLite migrations: plain ALTER TABLE where SQLite has one, the documented table rebuild
everywhere else (https://www.sqlite.org/lang_altertable.html#otheralter).

SQLite's ALTER TABLE renames tables and columns and adds a column at the end of a table;
every other change to a table -- a type, a constraint, a key, a dropped column, a comment,
an enum's values (checked by a CHECK) -- rebuilds it: create the new table under another
name, copy the rows, drop the old table, rename the new one, create its indexes.

Foreign keys are switched off around the whole migration, outside its transaction: inside
one, `PRAGMA foreign_keys` does nothing, and dropping the old table of a parent would then
delete (ON DELETE CASCADE) or orphan its children's rows -- the trap other migration tools
fall into. Before the end of the transaction, `pragma_foreign_key_check` must find no row
that breaks a foreign key, and each rebuilt table must have kept its number of rows.
"""

from __future__ import annotations

from typing import Any

from schemac import expressions
from schemac.backends.migration import MigrationRenderer
from schemac.differ import Change
from schemac.ir import Entity, Field

# Operations that SQLite's ALTER TABLE cannot do: the table is rebuilt.
REBUILD = frozenset({
    "drop foreign key", "drop check", "drop unique", "drop primary key", "drop column",
    "alter column type", "alter column overrides", "alter column nullable", "alter column default",
    "alter column identity", "alter column doc", "add primary key", "add unique", "add check",
    "add foreign key", "alter table comment",
})


class SqliteMigration(MigrationRenderer):
    dialect = "sqlite"
    INLINE_FOREIGN_KEYS = True
    PRIMARY_KEY_NAMES = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rebuilds: set[str] = set()
        self.done: set[str] = set()
        self.renamed: set[str] = set()  # tables of NEW already renamed from their OLD name

    def plan(self, changes: list[Change]) -> list[Change]:
        changes = super().plan(changes)
        self.rebuilds = self.tables_to_rebuild(changes)
        return changes

    def tables_to_rebuild(self, changes: list[Change]) -> set[str]:
        out = {c.table or "" for c in changes if c.kind in REBUILD}
        out |= {c.table or "" for c in changes if c.kind == "add column" and not self.simple_column(c)}
        enums = {c.name for c in changes if c.kind.endswith("enum value") or c.kind == "reorder enum values"}
        for entity in self.new_schema.entities:
            if self.existed(entity.table_name) and any(f.type is not None and f.type.name in enums
                                                       for f in entity.fields):
                out.add(entity.table_name)
        return {t for t in out if self.existed(t) and t in self.new_tables}

    def tables_touched(self, changes: list[Change]) -> set[str]:
        """The tables rebuilt as well: a rebuild drops the table's triggers."""
        return super().tables_touched(changes) | {self.old_table(t) for t in self.tables_to_rebuild(changes)} \
            | self.tables_to_rebuild(changes)

    def simple_column(self, change: Change) -> bool:
        """Whether ALTER TABLE ADD COLUMN gives the table a fresh CREATE TABLE would: the
        column goes last, has no constraint, comment or implied check, and a constant default
        (or none, and may be NULL)."""
        entity = self.new_entity(change.table)
        f: Field = change.new
        if entity.fields[-1].name != f.name or f.doc or f.identity or self.new.extra_checks(
                entity.model_copy(update={"fields": (f,)})):
            return False
        keys = [u.columns for u in entity.uniques] + [fk.columns for fk in entity.foreign_keys]
        if entity.primary_key is not None:
            keys.append(entity.primary_key.columns)
        if any(f.name in columns for columns in keys):
            return False
        if f.default is None:
            return f.nullable
        tree = expressions.parse(f.default)
        return type(tree).__name__ in ("Literal", "Boolean", "Null", "Neg")

    def how_it_runs(self) -> str:
        return ("Runs in one transaction, with foreign keys switched off around it (PRAGMA foreign_keys does\n"
                "nothing inside a transaction) and checked before it commits. Run it with\n"
                "sqlite3 -bail DB < FILE, or any client that stops at an error.")

    def assemble(self) -> str:
        parts = ["-- Outside the transaction: foreign keys off, so that rebuilding a parent table\n"
                 "-- neither deletes nor orphans its children's rows.\nPRAGMA foreign_keys = OFF;", "BEGIN;"]
        if self.out.checks:
            parts.append(self.check_table(self.out.checks, "Data checks: stop before changing anything."))
        parts.append("\n".join(self.out.body))
        parts.append(self.check_table(
            [("a row breaks a foreign key", "SELECT 1 FROM pragma_foreign_key_check")],
            "Post-check: every foreign key holds."))
        parts += ["COMMIT;", "PRAGMA foreign_keys = ON;"]
        return "\n\n".join(p for p in parts if p) + "\n"

    def length_function(self) -> str:
        return "length"

    def check_narrowing(self, change: Change) -> None:
        """SQLite enforces no length or range on a declared type: nothing can fail."""

    # -- operations -----------------------------------------------------------------------------------

    def rebuild(self, change: Change) -> None:
        table = change.table or ""
        if table in self.done:
            return
        self.done.add(table)
        self.rename_first(table)  # the rebuild reads the table under its NEW name
        entity = self.new_tables[table]
        old = self.old_entity(table)
        temporary = self.new.physical(f"schemac_new_{table}")
        create = self.new.create_table_sql(entity, set())
        head = f"CREATE TABLE {self.q(table)}"
        assert create.startswith(head)
        create = f"CREATE TABLE {self.q(temporary)}" + create[len(head):]
        copied = [f.name for f in entity.fields if old.field(self.source_of(table, f.name)) is not None]
        sources = [self.source_of(table, name) for name in copied]
        body = self.out.body
        body.append(f"-- Rebuild {table}: SQLite's ALTER TABLE cannot make this change.")
        body.append(create)
        if copied:
            body.append(f"INSERT INTO {self.q(temporary)} ({self.column_list(copied)})\n"
                        f"  SELECT {self.old_columns(sources)} FROM {self.q(table)};")
        else:  # no column is kept: as many rows, with the new columns' defaults
            first = entity.fields[0]
            body.append(f"INSERT INTO {self.q(temporary)} ({self.q(first.name)})\n"
                        f"  SELECT {self.new.default_sql(entity, first) or 'NULL'} FROM {self.q(table)};")
        body.append(self.check_table(
            [(f"rebuilt {table} lost rows", f"SELECT 1 WHERE (SELECT count(*) FROM {self.q(temporary)}) <> "
                                           f"(SELECT count(*) FROM {self.q(table)})")],
            "Post-check: the new table has every row."))
        body.append(f"DROP TABLE {self.q(table)};")
        body.append("-- Legacy mode: the rename leaves the references to the table in other tables, views and\n"
                    "-- triggers as they are (they already name it).\n"
                    "PRAGMA legacy_alter_table = ON;")
        body.append(f"ALTER TABLE {self.q(temporary)} RENAME TO {self.q(table)};")
        body.append("PRAGMA legacy_alter_table = OFF;")
        body.extend(sql for sql in (self.new.index_sql(entity, i) for i in entity.indexes) if sql)

    def source_of(self, table: str, column: str) -> str:
        """The OLD name of a column of NEW (they differ for a renamed column): a rebuilt
        table's columns are renamed by copying them."""
        return self.old_name(table, column)

    def rename_first(self, table: str) -> None:
        """Rename a renamed table before anything else reads it under its NEW name. Not in
        legacy mode: SQLite then updates the foreign keys of other tables that point to it."""
        if table in self.was_table and table not in self.renamed:
            self.renamed.add(table)
            self.out.body.append(f"ALTER TABLE {self.old.ident(self.old_table(table))} RENAME TO {self.q(table)};")

    def old_columns(self, names: list[str]) -> str:
        return ", ".join(self.old.ident(n) for n in names)

    def render_change(self, change: Change) -> None:
        if change.table in self.rebuilds and change.kind not in ("drop table", "add table"):
            self.data_checks_for(change)
            if change.kind in REBUILD or change.kind in ("add column", "rename column", "rename table"):
                self.rebuild(change)
            return
        super().render_change(change)

    def drop_index(self, change: Change) -> None:
        self.out.body.append(f"DROP INDEX {self.old.ident(change.name or '')};")

    def drop_table(self, change: Change) -> None:
        self.out.body.append(f"DROP TABLE {self.old.ident(change.table or '')};")

    def rename_table(self, change: Change) -> None:
        self.rename_first(change.table or "")

    def rename_column(self, change: Change) -> None:
        self.out.body.append(f"ALTER TABLE {self.q(change.table or '')} RENAME COLUMN {self.q(change.old.name)} "
                             f"TO {self.q(change.name or '')};")

    def nothing(self, change: Change) -> None:
        """An enum is no object of its own in SQLite."""

    add_enum = drop_enum = alter_enum_comment = nothing

    def add_enum_value(self, change: Change) -> None:
        """An enum's values are a CHECK in each table with a column of it: those tables are
        rebuilt."""
        for entity in self.new_schema.entities:
            if entity.table_name in self.rebuilds and any(
                    f.type is not None and f.type.name == change.name for f in entity.fields):
                self.rebuild(Change(change.kind, entity.table_name, None))

    drop_enum_value = reorder_enum_values = add_enum_value

    def add_table(self, change: Change) -> None:
        entity: Entity = change.new
        self.out.body.append(self.new.entity_sql(entity, set()))

    def add_column(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        self.out.body.append(f"ALTER TABLE {self.q(change.table or '')} ADD COLUMN "
                             f"{self.new.column_sql(entity, change.new)};")

    def add_index(self, change: Change) -> None:
        sql = self.new.index_sql(self.new_entity(change.table), change.new)
        if sql is not None:
            self.out.body.append(sql)
