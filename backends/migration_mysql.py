"""MySQL and MariaDB migrations.

DDL is not transactional on these engines: each statement commits on its own. So the data
checks run first, before any change, and the planner's order makes each statement leave a
schema the engine accepts; a failure stops at a consistent state, said in the file's header.

Data checks raise no error by themselves in plain SQL, so they go through a temporary table
whose CHECK constraints are named after the problem: inserting the checks' results fails
with that name (`CONSTRAINT \\`t.c holds NULL\\` failed`) when one finds a row.

A column's type, nullability, default, identity or comment is changed by one MODIFY COLUMN
with its whole new definition; an enum is part of its columns' types, so a changed enum
modifies each column of it. Under `--online`, indexes are added and dropped with
ALGORITHM=INPLACE, LOCK=NONE and columns added with ALGORITHM=INSTANT.
"""

from __future__ import annotations

from typing import Any

from schemac.backends.migration import MigrationRenderer
from schemac.differ import Change
from schemac.ir import Entity, ForeignKey


class MysqlMigration(MigrationRenderer):
    dialect = "mysql"
    TRANSACTIONAL = False
    TEMPORARY = ("CREATE TEMPORARY TABLE", "DROP TEMPORARY TABLE")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modified: set[tuple[str, str]] = set()
        self.merged: set[int] = set()  # ids of changes rendered as part of another one
        self._items: dict[str, list[str]] = {}

    def how_it_runs(self) -> str:
        return ("MySQL and MariaDB commit each DDL statement on its own: this file cannot be rolled back as\n"
                "a whole. The data checks run first, before any change, and each statement leaves a\n"
                "consistent schema, so a failure stops between two steps: fix its cause and run the rest.")

    def assemble(self) -> str:
        parts: list[str] = []
        if self.out.checks:
            parts.append(self.check_table(self.out.checks, "Data checks: stop before changing anything."))
        parts.append("\n".join(self.out.body))
        return "\n\n".join(parts) + "\n"

    def length_function(self) -> str:
        return "CHAR_LENGTH"

    # -- operations -----------------------------------------------------------------------------------

    def alter(self, table: str | None, action: str, old: bool = False) -> str:
        renderer = self.old if old else self.new
        return f"ALTER TABLE {renderer.ident(table or '')} {action};"

    def drop_foreign_key(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"DROP FOREIGN KEY {self.old.ident(change.name or '')}", True))
        if change.table in self.new_tables and self.has_implicit_index(self.old_entity(change.table), change.old):
            # InnoDB made an index named after the key for it, and keeps it when the key goes.
            self.out.body.append(self.alter(change.table, f"DROP INDEX {self.old.ident(change.name or '')}", True))

    @staticmethod
    def has_implicit_index(entity: Entity, fk: ForeignKey) -> bool:
        """Whether InnoDB created an index for `fk`: none of the table's keys and indexes
        starts with its columns (InnoDB needs one, and makes it when there is none)."""
        n = len(fk.columns)
        keys = [k.columns for k in (entity.primary_key, *entity.uniques) if k is not None]
        keys += [tuple(c.column or "" for c in i.columns) for i in entity.indexes if i.where is None]
        return not any(tuple(k[:n]) == fk.columns for k in keys) and \
            not any(i.name == fk.name for i in entity.indexes)

    def drop_check(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"DROP CONSTRAINT {self.old.ident(change.name or '')}", True))

    def drop_unique(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"DROP INDEX {self.old.ident(change.name or '')}", True))

    def drop_primary_key(self, change: Change) -> None:
        # An AUTO_INCREMENT column must stay a key: one that goes with the key goes in the same ALTER.
        gone = [c for c in self.changes if c.kind == "drop column" and c.table == change.table
                and c.old.identity and c.name in change.old.columns]
        also = "".join(f", DROP COLUMN {self.old.ident(c.name or '')}" for c in gone)
        self.merged.update(id(c) for c in gone)
        self.out.body.append(self.alter(change.table, "DROP PRIMARY KEY" + also, True))

    def drop_index(self, change: Change) -> None:
        if self.old.index_sql(self.old_entity(change.table), change.old) is None:
            return  # never created on MySQL
        self.out.body.append(f"DROP INDEX {self.old.ident(change.name or '')} ON {self.old.ident(change.table or '')}"
                             f"{self.online_index()};")

    def online_index(self) -> str:
        return " ALGORITHM=INPLACE LOCK=NONE" if self.online else ""

    def drop_table(self, change: Change) -> None:
        self.out.body.append(f"DROP TABLE {self.old.ident(change.table or '')};")

    def drop_column(self, change: Change) -> None:
        if id(change) in self.merged:
            return
        self.out.body.append(self.alter(change.table, f"DROP COLUMN {self.old.ident(change.name or '')}", True))

    def rename_table(self, change: Change) -> None:
        self.out.body.append(self.alter(change.old.table_name, f"RENAME TO {self.q(change.table or '')}", True))

    def rename_column(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"RENAME COLUMN {self.q(change.old.name)} TO "
                                                      f"{self.q(change.name or '')}"))

    def add_enum(self, change: Change) -> None:
        """An enum is part of its columns' types."""

    drop_enum = alter_enum_comment = add_enum

    def add_enum_value(self, change: Change) -> None:
        for entity in self.new_schema.entities:
            if not self.existed(entity.table_name):
                continue
            for f in entity.fields:
                old = self.old_column(entity.table_name, f.name)
                if f.type is not None and f.type.name == change.name and old is not None and old.type == f.type:
                    self.modify(entity, f.name)

    drop_enum_value = reorder_enum_values = add_enum_value

    def add_table(self, change: Change) -> None:
        entity: Entity = change.new
        self.out.body.append(self.new.entity_sql(entity, {fk.name for fk in entity.foreign_keys}))

    def add_column(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        names = [f.name for f in entity.fields]
        i = names.index(change.name or "")
        where = f" AFTER {self.q(names[i - 1])}" if i else " FIRST"
        online = ", ALGORITHM=INSTANT" if self.online and change.new.nullable else ""
        # An AUTO_INCREMENT column must be a key from the start: its new primary key comes along.
        key = next((c for c in self.changes if c.kind == "add primary key" and c.table == change.table
                    and change.new.identity and change.name in c.new.columns), None)
        if key is not None:
            self.merged.add(id(key))
            online = f", ADD PRIMARY KEY ({self.column_list(key.new.columns)})"
        self.out.body.append(self.alter(change.table,
                                        f"ADD COLUMN {self.new.column_sql(entity, change.new)}{where}{online}"))
        self.modified.add((change.table or "", change.name or ""))

    def alter_column(self, change: Change) -> None:
        self.modify(self.new_entity(change.table), change.name or "")

    alter_column_type = alter_column_overrides = alter_column_nullable = alter_column
    alter_column_default = alter_column_identity = alter_column_doc = alter_column

    def modify(self, entity: Entity, name: str) -> None:
        if (entity.table_name, name) in self.modified:
            return
        self.modified.add((entity.table_name, name))
        f = entity.field(name)
        assert f is not None
        self.out.body.append(self.alter(entity.table_name, f"MODIFY COLUMN {self.new.column_sql(entity, f)}"))

    def alter_table_comment(self, change: Change) -> None:
        comment = self.new.table_options(self.new_entity(change.table)).partition(" COMMENT=")[2] or "''"
        self.out.body.append(self.alter(change.table, f"COMMENT = {comment}"))

    def item(self, entity: Entity, name: str | None) -> str:
        """The CREATE TABLE item (key, check) of that name, as the DDL backend writes it."""
        items = self._items.get(entity.name)
        if items is None:
            skip = {fk.name for fk in entity.foreign_keys}
            items = self._items[entity.name] = self.new.constraint_items(entity, skip)
        prefix = f"CONSTRAINT {self.q(name or '')} "
        return next(i for i in items if i.startswith(prefix))

    def add_primary_key(self, change: Change) -> None:
        if id(change) in self.merged:
            return
        self.out.body.append(self.alter(change.table, f"ADD PRIMARY KEY ({self.column_list(change.new.columns)})"))

    def add_unique(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"ADD {self.item(self.new_entity(change.table), change.name)}"))

    add_check = add_unique

    def add_foreign_key(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        self.out.body.append(self.alter(change.table, f"ADD {self.new.foreign_key_sql(entity, change.new)}"))

    def add_index(self, change: Change) -> None:
        sql = self.new.index_sql(self.new_entity(change.table), change.new)
        if sql is not None:
            self.out.body.append(sql[:-1] + self.online_index() + ";")
