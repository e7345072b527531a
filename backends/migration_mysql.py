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

from schemac.backends.expand_contract import Sync, sync_of
from schemac.backends.migration import MigrationRenderer
from schemac.differ import Change
from schemac.ir import Entity, Field, ForeignKey


class MysqlMigration(MigrationRenderer):
    dialect = "mysql"
    PRIMARY_KEY_NAMES = False
    TEMPORARY = ("CREATE TEMPORARY TABLE", "DROP TEMPORARY TABLE")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modified: set[tuple[str, str]] = set()
        self.merged: set[int] = set()  # ids of changes rendered as part of another one
        self._items: dict[str, list[str]] = {}
        self._enum_columns: dict[str, list[tuple[Entity, str]]] | None = None

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
        """ALTER TABLE on a table of NEW; with `old`, before the renames, under its OLD name."""
        if old:
            return f"ALTER TABLE {self.old.ident(self.old_table(table))} {action};"
        return f"ALTER TABLE {self.new.ident(table or '')} {action};"

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
        # One that stays is in the new key at once: the key is replaced in the same ALTER.
        old = self.old_entity(change.table)
        kept = [f for f in old.fields if f.identity and f.name in change.old.columns
                and all(c.old.name != f.name for c in gone)]
        added = next((c for c in self.changes if c.kind == "add primary key" and c.table == change.table), None)
        if kept and added is not None:
            columns = [self.old_name(change.table, c) for c in added.new.columns]
            if all(old.field(c) is not None for c in columns):
                also += f", ADD PRIMARY KEY ({self.column_list(columns)})"
                self.merged.add(id(added))
        self.out.body.append(self.alter(change.table, "DROP PRIMARY KEY" + also, True))

    def drop_index(self, change: Change) -> None:
        if self.old.index_sql(self.old_entity(change.table), change.old) is None:
            return  # never created on MySQL
        table = self.old.ident(self.old_table(change.table))  # dropped before the renames
        self.out.body.append(f"DROP INDEX {self.old.ident(change.name or '')} ON {table}{self.online_index()};")

    def online_index(self) -> str:
        return " ALGORITHM=INPLACE LOCK=NONE" if self.online else ""

    def drop_table(self, change: Change) -> None:
        self.out.body.append(f"DROP TABLE {self.old.ident(change.table or '')};")

    def drop_column(self, change: Change) -> None:
        if id(change) in self.merged:
            return
        self.out.body.append(self.alter(change.table, f"DROP COLUMN {self.old.ident(change.name or '')}", True))

    def rename_table(self, change: Change) -> None:
        self.out.body.append(f"ALTER TABLE {self.old.ident(change.old.table_name)} RENAME TO "
                             f"{self.q(change.table or '')};")

    def rename_column(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"RENAME COLUMN {self.q(change.old.name)} TO "
                                                      f"{self.q(change.name or '')}"))

    def add_enum(self, change: Change) -> None:
        """An enum is part of its columns' types."""

    drop_enum = alter_enum_comment = add_enum

    def add_enum_value(self, change: Change) -> None:
        for entity, name in self.enum_columns().get(change.name or "", []):
            self.modify(entity, name)

    def enum_columns(self) -> dict[str, list[tuple[Entity, str]]]:
        """The columns of each enum that OLD has with the same type (found once, not once per
        changed value)."""
        if self._enum_columns is None:
            self._enum_columns = {}
            for entity in self.new_schema.entities:
                for f in entity.fields:
                    old = self.old_column(entity.table_name, f.name)
                    if f.type is not None and old is not None and old.type == f.type:
                        self._enum_columns.setdefault(f.type.name, []).append((entity, f.name))
        return self._enum_columns

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
                    and change.name in c.new.columns), None) if change.new.identity else None
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

    # -- expand and contract (schemac.backends.expand_contract) ----------------------------------------

    def expand_column(self, change: Change) -> None:
        s = sync_of(change)
        _, _, renderer, entity = self.sides(change)
        added = s.target.model_copy(update={"nullable": True})
        self.out.body.append(self.alter(s.table, f"ADD COLUMN {renderer.column_sql(entity, added)} "
                                                 f"AFTER {self.q(s.source.name)}"))
        self.out.body.append(self.routines(s, s.target, s.source))
        self.set_not_null(s, s.target, s.source, renderer, entity)

    def unexpand_column(self, change: Change) -> None:
        s = sync_of(change)
        self.out.body += self.unsync_sql(s)
        self.out.body.append(self.alter(s.table, f"DROP COLUMN {self.q(s.target.name)}"))

    def contract_column(self, change: Change) -> None:
        s = sync_of(change)
        _, _, renderer, entity = self.sides(change)
        self.out.body += self.unsync_sql(s)
        self.out.body.append(self.alter(s.table, f"DROP COLUMN {self.q(s.source.name)}"))
        if s.renamed:
            self.out.body.append(self.alter(s.table, f"CHANGE COLUMN {self.q(s.target.name)} "
                                                     f"{renderer.column_sql(entity, s.final)}"))
        elif s.final.default is not None or s.final.doc:
            self.out.body.append(self.alter(s.table, f"MODIFY COLUMN {renderer.column_sql(entity, s.final)}"))

    def uncontract_column(self, change: Change) -> None:
        s = sync_of(change)
        renderer, entity, new_renderer, new_entity = self.sides(change)
        if s.renamed:
            self.out.body.append(self.alter(s.table, f"CHANGE COLUMN {self.q(s.final.name)} "
                                                     f"{new_renderer.column_sql(new_entity, s.target)}"))
        elif s.final.default is not None or s.final.doc:
            self.out.body.append(self.alter(s.table, f"MODIFY COLUMN {new_renderer.column_sql(new_entity, s.target)}"))
        plain = s.source.model_copy(update={"nullable": True, "default": None, "doc": None})
        self.out.body.append(self.alter(s.table, f"ADD COLUMN {renderer.column_sql(entity, plain)}"
                                                 f"{self.place_of(change)}"))
        self.out.body.append(self.routines(s, s.source, s.target))
        self.set_not_null(s, s.source, s.target, renderer, entity)

    def place_of(self, change: Change) -> str:
        """Where the restored column goes: after the column before it in OLD, or after that
        column's replacement (the operations run in OLD's column order)."""
        s = sync_of(change)
        _, entity, _, new_entity = self.sides(change)
        targets = {sync_of(c).source.name: sync_of(c).target.name for c in self.changes
                   if c.kind == change.kind and c.table == change.table}
        present = {f.name for f in new_entity.fields}
        names = [f.name for f in entity.fields]
        for before in reversed(names[:names.index(s.source.name)]):
            if before in targets:
                return f" AFTER {self.q(targets[before])}"
            if before in present:
                return f" AFTER {self.q(before)}"
        return " FIRST"

    def sync_names(self, s: Sync) -> tuple[str, str]:
        return self.q(f"{s.table}__sync_{s.source.name}_insert"), self.q(f"{s.table}__sync_{s.source.name}_update")

    def routines(self, s: Sync, into: Field, source: Field) -> str:
        """Triggers that keep the two columns equal, whichever of them a statement writes (on
        INSERT the target is filled from the source unless given, then the source from it; on
        UPDATE the column that changed, unless it already matches the other, is copied to the
        other), and the backfill: a procedure, called and dropped, whose UPDATEs each fill one
        batch of rows and commit. Written for the mysql client, between DELIMITER lines."""
        table, a, b = self.q(s.table), self.q(s.source.name), self.q(s.target.name)
        on_insert, on_update = self.sync_names(s)
        fill = self.q(f"{s.table}__fill_{into.name}")
        return "\n".join([
            f"-- keep {s.table}.{s.source.name} and {s.table}.{s.target.name} equal while both are written, "
            f"and backfill {into.name} from {source.name}",
            "DELIMITER $$",
            f"CREATE TRIGGER {on_insert} BEFORE INSERT ON {table} FOR EACH ROW",
            f"BEGIN\n  IF NEW.{b} IS NULL THEN SET NEW.{b} = NEW.{a}; ELSE SET NEW.{a} = NEW.{b}; END IF;\nEND$$",
            f"CREATE TRIGGER {on_update} BEFORE UPDATE ON {table} FOR EACH ROW",
            f"BEGIN\n  IF NOT (NEW.{a} <=> OLD.{a}) AND NOT (NEW.{a} <=> NEW.{b}) THEN SET NEW.{b} = NEW.{a};",
            f"  ELSEIF NOT (NEW.{b} <=> OLD.{b}) AND NOT (NEW.{b} <=> NEW.{a}) THEN SET NEW.{a} = NEW.{b};",
            "  END IF;\nEND$$",
            f"CREATE PROCEDURE {fill}()",
            "BEGIN", *self.fill_sql(s, into, source), "END$$",
            "DELIMITER ;",
            f"CALL {fill}();",
            f"DROP PROCEDURE {fill};"])

    def fill_sql(self, s: Sync, into: Field, source: Field) -> list[str]:
        table, col, src = self.q(s.table), self.q(into.name), self.q(source.name)
        update = f"UPDATE {table} SET {col} = {src} WHERE {col} IS NULL AND {src} IS NOT NULL"
        key = self.batch_key(s.table)
        n = self.batch_size
        if key is None:
            return ["  REPEAT", f"    {update} LIMIT {n};", "  UNTIL ROW_COUNT() = 0 END REPEAT;"]
        k, ty = self.q(key.name), self.new.type_sql(self.new_entity(s.table), key)
        return [f"  DECLARE schemac_lo {ty};", f"  DECLARE schemac_hi {ty};",
                f"  SELECT MIN({k}) INTO schemac_lo FROM {table};",
                "  WHILE schemac_lo IS NOT NULL DO",
                f"    SELECT MAX({k}) INTO schemac_hi FROM (SELECT {k} FROM {table} WHERE {k} >= schemac_lo "
                f"ORDER BY {k} LIMIT {n}) AS batch;",
                f"    {update}\n      AND {k} BETWEEN schemac_lo AND schemac_hi;",
                f"    SELECT MIN({k}) INTO schemac_lo FROM {table} WHERE {k} > schemac_hi;",
                "  END WHILE;"]

    def unsync_sql(self, s: Sync) -> list[str]:
        return [f"DROP TRIGGER {name};" for name in self.sync_names(s)]

    def set_not_null(self, s: Sync, column: Field, source: Field, renderer: Any, entity: Entity) -> None:
        """The column's definition once filled (NOT NULL, default, comment), after a data check."""
        if column.nullable and column.default is None and not column.doc:
            return
        if not column.nullable:
            message = f"{s.table}.{column.name} holds NULL where {source.name} is NULL; fill it, then run the rest"
            query = f"SELECT 1 FROM {self.q(s.table)} WHERE {self.q(column.name)} IS NULL"
            self.out.body.append(self.check_table([(message, query)], "Data check: the backfill filled every row."))
        self.out.body.append(self.alter(s.table, f"MODIFY COLUMN {renderer.column_sql(entity, column)}"))
