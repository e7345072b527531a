"""PostgreSQL migrations: one transaction, with the few statements that cannot run in one
split out before or after it and labelled.

* An enum value that the migration also uses (as a default, in a check or an index) is
  added before the transaction: PostgreSQL refuses a value added in the same transaction
  (`unsafe use of new value`). Other added values stay inside it.
* An enum that loses or reorders values is rebuilt: the old type is renamed, the new one
  created, each column converted through text (`USING c::text::e`, its default dropped and
  set again, the checks and expression indexes that read it recreated), the old type dropped.
* Type changes convert with `USING c::T` (through text to or from an enum).
* Under `--online`, indexes on existing tables are built with CREATE INDEX CONCURRENTLY (a
  new unique key is then attached with ADD CONSTRAINT ... USING INDEX) and foreign keys and
  checks are added NOT VALID and validated after the transaction: none of these holds a lock
  that blocks writes for the length of a table scan.
"""

from __future__ import annotations

import re
from typing import Any

from schemac.backends.expand_contract import Sync, sync_of
from schemac.backends.migration import MigrationRenderer
from schemac.differ import Change
from schemac.ir import Entity, Field
from schemac.naming import pg_object_name
from schemac.planner import plan
from schemac.raw_objects import statements

LOCK_TIMEOUT = "5s"  # under --online (squawk's require-lock-timeout)


class PostgresqlMigration(MigrationRenderer):
    dialect = "postgresql"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rebuilt: set[str] = set()
        self.retyped: set[tuple[str | None, str | None]] = set()
        self.after_title = "Outside the transaction (--online): each statement locks no writes for long."
        self._writers: list[Change] | None = None
        self.function_bodies_unchecked = False

    def plan(self, changes: list[Change]) -> list[Change]:
        changes = super().plan(changes)
        rebuilt = {c.name for c in changes if c.kind in ("drop enum value", "reorder enum values")}
        if not rebuilt:
            return changes
        return plan(self.old_schema, self.new_schema, changes + self.around_enum_rebuilds(changes, rebuilt))

    def around_enum_rebuilds(self, changes: list[Change], rebuilt: set[str | None]) -> list[Change]:
        """Checks and expression or partial indexes of tables whose columns change enum type:
        PostgreSQL would re-parse them against the new type and fail, so they are dropped
        and added again around the rebuild."""
        touched = {(c.table, c.name) for c in changes if c.kind.split()[-1] in ("check", "index")}
        out: list[Change] = []
        for entity in self.old_schema.entities:
            after = self.new_tables.get(self.new_table(entity.table_name))
            if after is None or not any(f.type is not None and f.type.name in rebuilt for f in entity.fields):
                continue
            table = after.table_name
            for check in entity.checks:
                kept = next((c for c in after.checks if c.name == check.name), None)
                if kept is not None and (table, check.name) not in touched:
                    out += [Change("drop check", table, check.name, check, None),
                            Change("add check", table, check.name, None, kept)]
            for index in entity.indexes:
                if index.where is None and all(c.column for c in index.columns):
                    continue
                kept_index = next((i for i in after.indexes if i.name == index.name), None)
                if kept_index is not None and (table, index.name) not in touched:
                    out += [Change("drop index", table, index.name, index, None),
                            Change("add index", table, index.name, None, kept_index)]
        return out

    def how_it_runs(self) -> str:
        text = "Runs in one transaction"
        if self.out.before or self.out.after:
            text += "; the statements marked as outside it run on their own, in the order written"
        return text + ". Run it with psql -v ON_ERROR_STOP=1 -f FILE (or any client that stops at an error)."

    # -- assembling ---------------------------------------------------------------------------------

    def assemble(self) -> str:
        parts: list[str] = []
        if self.online:
            parts.append("-- --online: a statement that waits this long for a lock fails instead of queueing every\n"
                         "-- query behind it; rerun the migration when the table is less busy.\n"
                         f"SET lock_timeout = {self.new.literal(LOCK_TIMEOUT)};")
        if self.out.before:
            parts.append("-- Outside the transaction: enum values used below (PostgreSQL refuses a value\n"
                         "-- added in the transaction that uses it).\n" + "\n".join(self.out.before))
        parts.append("BEGIN;")
        if self.out.checks:
            parts.append("-- Data checks: stop before changing anything.\n" + self.raise_if(self.out.checks))
        parts.append("\n".join(self.out.body))
        if self.out.post and not self.out.after:
            parts.append("-- Post-checks.\n" + self.raise_if(self.out.post))
        parts.append("COMMIT;")
        if self.out.after:
            parts.append(f"-- {self.after_title}\n" + "\n".join(self.out.after))
            if self.out.post:
                parts.append("-- Post-checks.\n" + self.raise_if(self.out.post))
        return "\n\n".join(parts) + "\n"

    def raise_if(self, checks: list[tuple[str, str]]) -> str:
        lines = ["DO $schemac$", "BEGIN"]
        for message, query in checks:
            lines += [f"  IF EXISTS ({query}) THEN",
                      f"    RAISE EXCEPTION USING MESSAGE = {self.new.literal('schemac: ' + message)};",
                      "  END IF;"]
        lines += ["END", "$schemac$;"]
        return "\n".join(lines)

    def post_check_constraint(self, table: str, name: str) -> None:
        self.out.post.append((f"constraint {name} on {table} is missing or not validated",
                              f"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = "
                              f"{self.new.literal(self.q(table))}::regclass AND conname = "
                              f"{self.new.literal(self.new.physical(name))} AND convalidated)"))

    def enum_text(self, column: str) -> str:
        return f"{self.q(column)}::text"

    # -- operations -----------------------------------------------------------------------------------

    def alter(self, table: str | None, action: str, old: bool = False) -> str:
        """ALTER TABLE on a table of NEW; with `old`, before the renames, under its OLD name."""
        if old:
            return f"ALTER TABLE {self.old.ident(self.old_table(table))} {action};"
        return f"ALTER TABLE {self.new.ident(table or '')} {action};"

    def drop_constraint(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"DROP CONSTRAINT {self.old.ident(change.name or '')}", True))

    drop_foreign_key = drop_check = drop_unique = drop_primary_key = drop_constraint

    def drop_index(self, change: Change) -> None:
        self.out.body.append(f"DROP INDEX {self.old.ident(change.name or '')};")

    def drop_table(self, change: Change) -> None:
        self.out.body.append(f"DROP TABLE {self.old.ident(change.table or '')};")

    def drop_column(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"DROP COLUMN {self.old.ident(change.name or '')}", True))

    def rename_table(self, change: Change) -> None:
        self.out.body.append(f"ALTER TABLE {self.old.ident(change.old.table_name)} RENAME TO "
                             f"{self.q(change.table or '')};")

    def rename_column(self, change: Change) -> None:
        self.out.body.append(self.alter(change.table, f"RENAME COLUMN {self.q(change.old.name)} TO "
                                                      f"{self.q(change.name or '')}"))

    def finish(self, changes: list[Change]) -> None:
        """An identity or serial column's sequence is named after its table and column when
        it is created, and keeps that name through their renames: it gets the name a fresh
        database would give it."""
        for entity in self.new_schema.entities:
            table = entity.table_name
            if not self.existed(table):
                continue
            for f in entity.fields:
                if not f.identity:
                    continue
                before = self.old_column(table, f.name)
                if before is None or not before.identity or (before.name == f.name and self.old_table(table) == table):
                    continue  # (the same names: the same sequence)
                if (before.identity == "serial") != (f.identity == "serial"):
                    continue  # the sequence was dropped, and the new one has its name
                old_seq = sequence_name(self.old.physical(self.old_table(table)), self.old.physical(before.name))
                new_seq = sequence_name(self.new.physical(table), self.new.physical(f.name))
                if old_seq != new_seq:
                    self.out.body.append(f"ALTER SEQUENCE {self.q(old_seq)} RENAME TO {self.q(new_seq)};")

    def add_sql(self, change: Change) -> None:
        """As the DDL does, function bodies are checked when called, not when created: a
        function may read what a later block creates. A function that OLD's block created
        with the same arguments and result is replaced in place, `CREATE OR REPLACE`, rather
        than dropped first: a default, a check or a trigger may call it."""
        created = statements(change.new.sql, self.dialect)
        if not self.function_bodies_unchecked and any(s.kind in ("function", "procedure") for s in created):
            self.function_bodies_unchecked = True
            self.out.body.append("-- Function bodies are checked when called, until the transaction ends.\n"
                                 "SET LOCAL check_function_bodies = false;")
        kept = self.replaced_in_place(change.name)
        block = change.new
        for s in created:
            if s.undo in kept:
                block = block.model_copy(update={"sql": block.sql.replace(s.sql, _or_replace(s.sql), 1)})
        self.out.body.append(self.new.raw_block(block))

    def replaced_in_place(self, block: str | None) -> set[str]:
        """Functions and procedures of the block in OLD and NEW with the same arguments and
        result: PostgreSQL replaces those in place."""
        before = next((r for r in self.old_schema.raw_sql if r.name == block and self.dialect in r.dialects), None)
        after = next((r for r in self.new_schema.raw_sql if r.name == block and self.dialect in r.dialects), None)
        if before is None or after is None:
            return set()
        results = {s.undo: _result(s.sql) for s in statements(after.sql, self.dialect)
                   if s.kind in ("function", "procedure") and s.undo is not None}
        return {s.undo for s in statements(before.sql, self.dialect)
                if s.undo is not None and s.undo in results and results[s.undo] == _result(s.sql)}

    def add_enum(self, change: Change) -> None:
        self.out.body.append(self.new.enum_sql(change.new))

    def add_enum_value(self, change: Change) -> None:
        if change.name in self.rebuilding():
            return
        enum = self.new.enums[change.name or ""]
        values = list(enum.value_names)
        i = values.index(change.new)
        where = f" AFTER {self.new.literal(values[i - 1])}" if i else \
            f" BEFORE {self.new.literal(values[1])}" if len(values) > 1 else ""
        sql = f"ALTER TYPE {self.new.enum_type_sql(enum)} ADD VALUE {self.new.literal(change.new)}{where};"
        (self.out.before if self.value_used(change.new) else self.out.body).append(sql)

    def rebuilding(self) -> set[str]:
        return {c.name or "" for c in self.changes if c.kind in ("drop enum value", "reorder enum values")}

    def value_used(self, value: str) -> bool:
        """Whether a table, column, default, check or index this migration writes names the value."""
        if self._writers is None:  # once, not once per added value
            kinds = ("add table", "add column", "alter column default", "add check", "add index", "alter column type")
            self._writers = [c for c in self.changes if c.kind in kinds]
        return any(_mentions(c.new, value) for c in self._writers)

    def drop_enum_value(self, change: Change) -> None:
        self.rebuild_enum(change.name or "")

    reorder_enum_values = drop_enum_value

    def rebuild_enum(self, name: str) -> None:
        if name in self.rebuilt:
            return
        self.rebuilt.add(name)
        enum = self.new.enums[name]
        kept = self.new.physical(name + "__schemac_old")
        self.out.body.append(f"ALTER TYPE {self.new.enum_type_sql(enum)} RENAME TO {self.q(kept)};")
        self.out.body.append(self.new.enum_sql(enum))
        for entity in self.old_schema.entities:  # after the renames: NEW's names
            after = self.new_tables.get(self.new_table(entity.table_name))
            if after is None:
                continue
            for f in entity.fields:
                new_field = after.field(self.new_name(entity.table_name, f.name))
                if f.type is None or f.type.name != name or new_field is None:
                    continue
                col = self.q(new_field.name)
                if f.default is not None:
                    self.out.body.append(self.alter(after.table_name, f"ALTER COLUMN {col} DROP DEFAULT"))
                self.out.body.append(self.alter(
                    after.table_name, f"ALTER COLUMN {col} TYPE {self.new.enum_type_sql(enum)} "
                                      f"USING {col}::text::{self.new.enum_type_sql(enum)}"))
                if new_field.type == f.type and new_field.default is not None:
                    default = self.new.default_sql(after, new_field)
                    self.out.body.append(self.alter(after.table_name, f"ALTER COLUMN {col} SET DEFAULT {default}"))
        self.out.body.append(f"DROP TYPE {self.q(kept)};")

    def alter_enum_comment(self, change: Change) -> None:
        enum = self.new.enums[change.name or ""]
        self.out.body.append(f"COMMENT ON TYPE {self.new.enum_type_sql(enum)} IS {self.comment(change.new)};")

    def drop_enum(self, change: Change) -> None:
        self.out.body.append(f"DROP TYPE {self.old.ident(change.name or '')};")

    def add_table(self, change: Change) -> None:
        entity: Entity = change.new
        self.out.body.append(self.new.entity_sql(entity, {fk.name for fk in entity.foreign_keys}))

    def add_column(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        self.out.body.append(self.alter(change.table, f"ADD COLUMN {self.new.column_sql(entity, change.new)}"))
        if change.new.doc:
            self.out.body.append(f"COMMENT ON COLUMN {self.q(change.table or '')}.{self.q(change.name or '')} "
                                 f"IS {self.comment(change.new.doc)};")

    def alter_column_type(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        f: Field = entity.field(change.name or "")  # type: ignore[assignment]
        old_field = self.old_column(change.table, change.name)
        assert old_field is not None
        before = self.old.stored_type_sql(self.old_entity(change.table), old_field)
        after = self.new.stored_type_sql(entity, f)
        if (change.table, change.name) in self.retyped or before == after:
            return
        self.retyped.add((change.table, change.name))
        col = self.q(f.name)
        if old_field.default is not None and old_field.identity != "serial":
            self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} DROP DEFAULT"))
        enums = self.new.enums.keys() | self.old.enums.keys()
        through_text = any(t is not None and t.name in enums for t in (old_field.type, f.type))
        using = f"{col}::text::{after}" if through_text else f"{col}::{after}"
        self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} TYPE {after} USING {using}"))
        if old_field.identity == "serial" and f.identity == "serial":  # its sequence keeps its type
            self.out.body.append(f"ALTER SEQUENCE {self.q(self.old_sequence(change.table, change.name))} AS {after};")
        if f.default is not None and f.identity != "serial":
            self.out.body.append(self.alter(change.table,
                                            f"ALTER COLUMN {col} SET DEFAULT {self.new.default_sql(entity, f)}"))

    alter_column_overrides = alter_column_type

    def alter_column_nullable(self, change: Change) -> None:
        action = "DROP NOT NULL" if change.new else "SET NOT NULL"
        self.out.body.append(self.alter(change.table, f"ALTER COLUMN {self.q(change.name or '')} {action}"))

    def alter_column_default(self, change: Change) -> None:
        if (change.table, change.name) in self.retyped:
            return  # set with the new type
        entity = self.new_entity(change.table)
        f = entity.field(change.name or "")
        assert f is not None
        default = self.new.default_sql(entity, f)
        action = f"SET DEFAULT {default}" if default is not None else "DROP DEFAULT"
        self.out.body.append(self.alter(change.table, f"ALTER COLUMN {self.q(f.name)} {action}"))

    def alter_column_identity(self, change: Change) -> None:
        col = self.q(change.name or "")
        if change.old == "serial":  # a default reading a sequence the column owns
            self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} DROP DEFAULT"))
            self.out.body.append(f"DROP SEQUENCE {self.q(self.old_sequence(change.table, change.name))};")
        elif change.old is not None and change.new in (None, "serial"):
            self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} DROP IDENTITY"))
        table = self.q(change.table or "")
        restart = (f"SELECT setval(pg_get_serial_sequence({self.new.literal(table)}, "
                   f"{self.new.literal(self.new.physical(change.name or ''))}), "
                   f"coalesce(max({col}), 0) + 1, false) FROM {table};")
        if change.new == "serial":
            entity = self.new_entity(change.table)
            f = entity.field(change.name or "")
            assert f is not None
            sequence = self.q(sequence_name(self.new.physical(change.table or ""), self.new.physical(f.name)))
            self.out.body.append(f"CREATE SEQUENCE {sequence} AS {self.new.stored_type_sql(entity, f)} "
                                 f"OWNED BY {table}.{col};")
            self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} SET DEFAULT "
                                                          f"nextval({self.new.literal(sequence)}::regclass)"))
            self.out.body.append(restart)
        elif change.new is not None:
            kind = "ALWAYS" if change.new == "always" else "BY DEFAULT"
            if change.old in (None, "serial"):
                self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} ADD GENERATED {kind} AS IDENTITY"))
                self.out.body.append(restart)
            else:
                self.out.body.append(self.alter(change.table, f"ALTER COLUMN {col} SET GENERATED {kind}"))

    def old_sequence(self, table: str | None, column: str | None) -> str:
        """The name of the sequence of a column of NEW, as OLD has it (`finish` renames it last)."""
        return sequence_name(self.old.physical(self.old_table(table)),
                             self.old.physical(self.old_name(table, column or "")))

    def alter_column_doc(self, change: Change) -> None:
        self.out.body.append(f"COMMENT ON COLUMN {self.q(change.table or '')}.{self.q(change.name or '')} "
                             f"IS {self.comment(change.new)};")

    def alter_table_comment(self, change: Change) -> None:
        self.out.body.append(f"COMMENT ON TABLE {self.q(change.table or '')} IS {self.comment(change.new)};")

    def comment(self, doc: str | None) -> str:
        return self.new.literal(doc) if doc else "NULL"

    def add_primary_key(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        self.out.body.append(self.alter(change.table, f"ADD {self.new.primary_key_sql(entity)}"))

    def add_unique(self, change: Change) -> None:
        name, cols = self.q(change.name or ""), self.column_list(change.new.columns)
        if self.online and self.existed(change.table):
            self.out.after.append(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {self.q(change.table or '')} ({cols});")
            self.out.after.append(self.alter(change.table, f"ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"))
        else:
            self.out.body.append(self.alter(change.table, f"ADD CONSTRAINT {name} UNIQUE ({cols})"))

    def add_check(self, change: Change) -> None:
        entity = self.new_entity(change.table)
        sql = f"ADD CONSTRAINT {self.q(change.name or '')} CHECK ({self.new.expr_sql(entity, change.new.expression)})"
        self.add_validated(change, sql)

    def add_foreign_key(self, change: Change) -> None:
        self.add_validated(change, f"ADD {self.new.foreign_key_sql(self.new_entity(change.table), change.new)}")

    def add_validated(self, change: Change, sql: str) -> None:
        if self.online and self.existed(change.table):
            self.out.body.append(self.alter(change.table, sql + " NOT VALID"))
            self.out.after.append(self.alter(change.table, f"VALIDATE CONSTRAINT {self.q(change.name or '')}"))
        else:
            self.out.body.append(self.alter(change.table, sql))
        self.post_check_constraint(change.table or "", change.name or "")

    def add_index(self, change: Change) -> None:
        sql = self.new.index_sql(self.new_entity(change.table), change.new)
        if sql is None:
            return
        if self.online and self.existed(change.table):
            self.out.after.append(sql.replace("INDEX", "INDEX CONCURRENTLY", 1))
        else:
            self.out.body.append(sql)

    # -- expand and contract (schemac.backends.expand_contract) ----------------------------------------

    def expand_column(self, change: Change) -> None:
        s = sync_of(change)
        _, _, renderer, entity = self.sides(change)
        added = s.target.model_copy(update={"nullable": True})
        self.out.body.append(self.alter(s.table, f"ADD COLUMN {renderer.column_sql(entity, added)}"))
        self.out.body += self.sync_sql(change)
        self.fill(change, s.target, s.source)
        if not s.target.nullable:
            self.set_not_null(s.table, s.target.name, s.source.name)

    def unexpand_column(self, change: Change) -> None:
        s = sync_of(change)
        self.out.body += self.unsync_sql(s)
        self.out.body.append(self.alter(s.table, f"DROP COLUMN {self.q(s.target.name)}"))

    def contract_column(self, change: Change) -> None:
        s = sync_of(change)
        _, _, renderer, entity = self.sides(change)
        self.out.body += self.unsync_sql(s)
        self.out.body.append(self.alter(s.table, f"DROP COLUMN {self.q(s.source.name)}"))
        col = self.q(s.final.name)
        if s.renamed:
            self.out.body.append(self.alter(s.table, f"RENAME COLUMN {self.q(s.target.name)} TO {col}"))
        if s.final.default is not None:
            default = renderer.default_sql(entity, s.final)
            self.out.body.append(self.alter(s.table, f"ALTER COLUMN {col} SET DEFAULT {default}"))
        if s.final.doc:
            self.out.body.append(f"COMMENT ON COLUMN {self.q(s.table)}.{col} IS {self.comment(s.final.doc)};")

    def uncontract_column(self, change: Change) -> None:
        s = sync_of(change)
        renderer, entity, _, _ = self.sides(change)
        target = self.q(s.target.name)
        if s.renamed:
            self.out.body.append(self.alter(s.table, f"RENAME COLUMN {self.q(s.final.name)} TO {target}"))
        if s.final.default is not None:
            self.out.body.append(self.alter(s.table, f"ALTER COLUMN {target} DROP DEFAULT"))
        if s.final.doc:
            self.out.body.append(f"COMMENT ON COLUMN {self.q(s.table)}.{target} IS NULL;")
        plain = s.source.model_copy(update={"nullable": True, "default": None, "doc": None})
        self.out.body.append(self.alter(s.table, f"ADD COLUMN {renderer.column_sql(entity, plain)}"))
        if s.source.default is not None:
            self.out.body.append(self.alter(s.table, f"ALTER COLUMN {self.q(s.source.name)} SET DEFAULT "
                                                     f"{renderer.default_sql(entity, s.source)}"))
        if s.source.doc:
            self.out.body.append(f"COMMENT ON COLUMN {self.q(s.table)}.{self.q(s.source.name)} "
                                 f"IS {self.comment(s.source.doc)};")
        self.out.body += self.sync_sql(change)
        self.fill(change, s.source, s.target)
        if not s.source.nullable:
            self.set_not_null(s.table, s.source.name, s.target.name)

    def converted(self, change: Change, value: str, to_target: bool) -> str:
        """`value` (of the source column's type, or of the target's) cast to the other's type."""
        s = sync_of(change)
        old_renderer, old_entity, new_renderer, new_entity = self.sides(change)
        types = old_renderer.type_sql(old_entity, s.source), new_renderer.type_sql(new_entity, s.target)
        before, after = types if to_target else types[::-1]
        if before == after:
            return value
        enums = self.new.enums.keys() | self.old.enums.keys()
        through_text = any(t is not None and t.name in enums for t in (s.source.type, s.target.type))
        return f"{value}::text::{after}" if through_text else f"{value}::{after}"

    def sync_name(self, s: Sync) -> str:
        return self.q(f"{s.table}__sync_{s.source.name}")

    def sync_sql(self, change: Change) -> list[str]:
        """A trigger that keeps the two columns equal, whichever of them a statement writes: on
        INSERT the target is filled from the source unless given (then the source is filled
        from it); on UPDATE the column that changed, unless it already matches the other, is
        copied to the other."""
        s = sync_of(change)
        a, b = f"NEW.{self.q(s.source.name)}", f"NEW.{self.q(s.target.name)}"
        to_a, to_b = self.converted(change, b, False), self.converted(change, a, True)
        name, old_a, old_b = self.sync_name(s), "OLD." + a[4:], "OLD." + b[4:]
        return [f"-- keep {s.table}.{s.source.name} and {s.table}.{s.target.name} equal while both are written",
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $schemac$\nBEGIN\n"
                f"  IF TG_OP = 'INSERT' THEN\n"
                f"    IF {b} IS NULL THEN {b} := {to_b}; ELSE {a} := {to_a}; END IF;\n"
                f"  ELSIF {a} IS DISTINCT FROM {old_a} AND {a} IS DISTINCT FROM {to_a} THEN\n"
                f"    {b} := {to_b};\n"
                f"  ELSIF {b} IS DISTINCT FROM {old_b} AND {b} IS DISTINCT FROM {to_b} THEN\n"
                f"    {a} := {to_a};\n"
                f"  END IF;\n  RETURN NEW;\nEND\n$schemac$;",
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {self.q(s.table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}();"]

    def unsync_sql(self, s: Sync) -> list[str]:
        name = self.sync_name(s)
        return [f"DROP TRIGGER {name} ON {self.q(s.table)};", f"DROP FUNCTION {name}();"]

    def fill(self, change: Change, into: Field, source: Field) -> None:
        """The backfill, after the transaction: a DO block that commits after each batch of
        rows (walking the primary key when it is one column), so no lock is held for long."""
        s = sync_of(change)
        table, col, src = self.q(s.table), self.q(into.name), self.q(source.name)
        value = self.converted(change, src, into.name == s.target.name)
        update = f"UPDATE {table} SET {col} = {value} WHERE {col} IS NULL AND {src} IS NOT NULL"
        key = self.batch_key(s.table)
        n = self.batch_size
        if key is None:
            loop = [f"  LOOP\n    {update}\n      AND ctid IN (SELECT ctid FROM {table} WHERE {col} IS NULL "
                    f"AND {src} IS NOT NULL LIMIT {n});", "    EXIT WHEN NOT FOUND;", "    COMMIT;", "  END LOOP;"]
            declare = []
        else:
            k = self.q(key.name)
            declare = ["DECLARE", f"  schemac_lo {table}.{k}%TYPE;", f"  schemac_hi {table}.{k}%TYPE;"]
            loop = [f"  SELECT min({k}) INTO schemac_lo FROM {table};",
                    "  WHILE schemac_lo IS NOT NULL LOOP",
                    f"    SELECT max({k}) INTO schemac_hi FROM (SELECT {k} FROM {table} WHERE {k} >= schemac_lo "
                    f"ORDER BY {k} LIMIT {n}) AS batch;",
                    f"    {update}\n      AND {k} BETWEEN schemac_lo AND schemac_hi;",
                    "    COMMIT;",
                    f"    SELECT min({k}) INTO schemac_lo FROM {table} WHERE {k} > schemac_hi;",
                    "  END LOOP;"]
        self.out.after.append("\n".join([f"-- backfill {s.table}.{into.name} from {source.name}, "
                                         f"{n} rows a transaction", "DO $schemac$", *declare, "BEGIN", *loop,
                                         "END", "$schemac$;"]))
        self.after_title = ("Outside the transaction: the backfill commits after each batch (run this file "
                            "in autocommit mode,\n-- not in one transaction).")

    def set_not_null(self, table: str, column: str, source: str) -> None:
        message = f"{table}.{column} holds NULL where {source} is NULL; fill it, then run the rest of this file"
        query = f"SELECT 1 FROM {self.q(table)} WHERE {self.q(column)} IS NULL"
        self.out.after.append(self.raise_if([(message, query)]))
        self.out.after.append(self.alter(table, f"ALTER COLUMN {self.q(column)} SET NOT NULL"))


def sequence_name(table: str, column: str) -> str:
    """The name PostgreSQL gives the sequence of `table.column`: `<table>_<column>_seq`,
    clipped to 63 bytes as PostgreSQL does."""
    return pg_object_name(table, column, "seq")


def _mentions(node: object, value: str) -> bool:
    """Whether a model (or a piece of one) holds the enum value as a default or a literal."""
    from pydantic import BaseModel

    if isinstance(node, str):
        return node.strip("'\"") == value or f"'{value}'" in node
    if isinstance(node, BaseModel):
        return any(_mentions(getattr(node, k), value) for k in type(node).model_fields
                   if k in ("default", "fields", "checks", "expression", "where", "columns", "indexes"))
    if isinstance(node, (tuple, list)):
        return any(_mentions(n, value) for n in node)
    return False


_RESULT = re.compile(r"\)\s*RETURNS\s+(.*?)\s+(?:AS|LANGUAGE|BEGIN|RETURN|IMMUTABLE|STABLE|VOLATILE|STRICT|"
                     r"CALLED|SECURITY|PARALLEL|COST|ROWS|SET|WINDOW|LEAKPROOF|NOT|EXTERNAL|SUPPORT|TRANSFORM)\b",
                     re.I | re.S)


def _result(sql: str) -> str:
    """A function's result type as written, in one form (a procedure has none)."""
    m = _RESULT.search(sql)
    return " ".join(m.group(1).lower().split()) if m else ""


def _or_replace(sql: str) -> str:
    """`CREATE FUNCTION` as `CREATE OR REPLACE FUNCTION` (one that says so already is left)."""
    return re.sub(r"^(\s*CREATE)\s+(?!OR\s)", r"\1 OR REPLACE ", sql, count=1, flags=re.I)
