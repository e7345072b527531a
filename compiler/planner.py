"""Order a diff's operations for an engine, add the ones they imply, and name their hazards.

`plan(old, new, changes)` returns the operations in an order every engine can run them in:

1. drop the foreign keys that go away or change -- and those that must make way: a key
   whose columns, or whose target's columns, change type, or whose target key is dropped
   or rebuilt (a primary key that foreign keys point to is changed around them);
2. drop tables (a table before the tables it refers to), whose foreign keys may depend on
   the keys dropped next;
3. drop checks, indexes and unique keys, then primary keys; drop columns (those of a table
   that loses them all after the new ones are added, in step 5); then rename tables and
   columns (`@was`): what runs before names them as OLD does, what runs after as NEW does;
4. create enums and add their values; rebuild the enums that lose or reorder values;
5. create tables (a table after the tables it refers to), add and alter columns;
6. add primary keys, unique keys, checks and indexes, then foreign keys;
7. drop enums; change comments.

`sql` blocks (views, triggers, functions...) are undone before step 1 and run again after step
7; those that come before the tables (domains, sequences...) are run between steps 4 and 5
and undone before the enums are dropped (see `_raw_phase`).

Each step leaves a schema the engine accepts, so on an engine without transactional DDL
(MySQL) a failure stops at a consistent state. Inside a phase, tables follow their foreign
keys (schemac.graph, which uses networkx to break cycles) and otherwise keep the diff's order.

`hazards(changes)` says what an operation can cost: data lost (a dropped table or column, a
narrowing type change, a dropped enum value: destructive, refused unless allowed), a step
that can fail on existing data (checked before anything changes), a table rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schemac.differ import Change
from schemac.graph import dependency_order
from schemac.ir import INTEGER_TYPES, Entity, Schema, Type

PHASES: dict[str, int] = {
    "drop sql": 5,  # a view or trigger that the changes below could break; see `_raw_phase`
    "drop foreign key": 10,
    "drop table": 15,
    "drop check": 20, "drop index": 20, "drop unique": 20,
    "drop primary key": 25,
    "drop column": 31,
    # expand/contract (schemac.backends.expand_contract): a column replaced by another, kept
    # in sync by triggers; the new one added after the columns, the old one dropped with them
    "unexpand column": 32, "contract column": 33, "uncontract column": 34,
    "rename table": 35, "rename column": 36,
    "add enum": 40, "add enum value": 41,
    "drop enum value": 42, "reorder enum values": 42,
    "add table": 50, "add column": 51,
    "alter column type": 52, "alter column overrides": 52, "alter column nullable": 52,
    "alter column default": 52, "alter column identity": 52, "alter column doc": 52,
    "expand column": 55,
    "add primary key": 60,
    "add unique": 61, "add check": 61, "add index": 61,
    "add foreign key": 70,
    "drop enum": 80,
    "alter enum comment": 90, "alter table comment": 90,
    "add sql": 95,
}


def plan(old: Schema, new: Schema, changes: Iterable[Change]) -> list[Change]:
    """The operations in running order, with the foreign keys that must be dropped and added
    again around the changes they depend on."""
    out = list(changes)
    out += _foreign_keys_in_the_way(old, new, out)
    rank = {id(c): i for i, c in enumerate(out)}
    creation = _creation_rank(new)
    removal = _creation_rank(old)

    emptied = _emptied_tables(old, out)
    readded = {c.name for c in out if c.kind == "add sql"}
    old_blocks = {r.name: i for i, r in enumerate(old.raw_sql)}
    new_blocks = {r.name: i for i, r in enumerate(new.raw_sql)}

    def key(c: Change) -> tuple[int, int, int]:
        phase = PHASES[c.kind]
        if c.kind == "drop sql":  # the last block first
            return _raw_phase(c, c.name in readded), -old_blocks.get(c.name or "", 0), rank[id(c)]
        if c.kind == "add sql":
            return _raw_phase(c, True), new_blocks.get(c.name or "", 0), rank[id(c)]
        if c.kind == "drop column" and c.table in emptied:
            phase = PHASES["alter column type"] + 1  # after the new columns: MySQL keeps one at least
        if c.kind == "drop table":
            return phase, -removal.get(c.table or "", 0), rank[id(c)]
        if c.kind == "add table":
            return phase, creation.get(c.table or "", 0), rank[id(c)]
        return phase, 0, rank[id(c)]

    return sorted(out, key=key)


def _raw_phase(change: Change, readded: bool) -> int:
    """Where an `sql` block goes. A block after the tables (a view, a trigger) is undone
    first and run last. One before them (a domain, a sequence, a function a default calls) is
    run after the enums are created and before the tables; undone after the tables and columns
    that use it are dropped and before the enums are, when it goes away, or just before it is
    run again when it changes."""
    if not (change.old or change.new).before_tables:
        return PHASES[change.kind]
    if change.kind == "add sql":  # after the enums (a domain over one), before the tables
        return PHASES["drop enum value"] + 2
    return PHASES["drop enum value"] + 1 if readded else PHASES["drop enum"] - 5


def _emptied_tables(old: Schema, changes: list[Change]) -> set[str]:
    """The kept tables whose columns are all dropped (and others added)."""
    dropped: dict[str, int] = {}
    for c in changes:
        if c.kind == "drop column" and c.table is not None:
            dropped[c.table] = dropped.get(c.table, 0) + 1
    if not dropped:
        return set()
    renamed = {c.table: c.old.table_name for c in changes if c.kind == "rename table"}
    width = {e.table_name: len(e.fields) for e in old.entities}
    return {t for t, n in dropped.items() if width.get(renamed.get(t, t)) == n}


def _creation_rank(schema: Schema) -> dict[str, int]:
    """Each table's place in the order that creates a table after the tables it refers to."""
    by_name = {e.name: e.table_name for e in schema.entities}
    order, _ = dependency_order([e.table_name for e in schema.entities],
                                [(e.table_name, by_name[fk.target]) for e in schema.entities
                                 for fk in e.foreign_keys if fk.target in by_name])
    return {name: i for i, name in enumerate(order)}


def _foreign_keys_in_the_way(old: Schema, new: Schema, changes: list[Change]) -> list[Change]:
    """Drop-and-add pairs for the kept foreign keys that a change needs out of the way.
    Changes name tables and columns as NEW does (a dropped key's columns as OLD does)."""
    renamed = {c.old.table_name: c.table or "" for c in changes if c.kind == "rename table"}
    moved = {(c.table, c.old.name): c.name for c in changes if c.kind == "rename column"}
    retyped = {(c.table, c.name) for c in changes if c.kind in ("alter column type", "alter column overrides")}
    dropped_keys: set[tuple[str | None, tuple[str, ...]]] = set()
    for c in changes:
        if c.kind in ("drop primary key", "drop unique") and c.old is not None:
            dropped_keys.add((c.table, tuple(c.old.columns)))
        elif c.kind == "drop index" and c.old is not None and c.old.unique:
            dropped_keys.add((c.table, tuple(col.column for col in c.old.columns)))
    touched = {(c.table, c.name) for c in changes if c.kind in ("drop foreign key", "add foreign key")}
    old_tables = {e.name: e.table_name for e in old.entities}
    new_entities = {e.table_name: e for e in new.entities}
    out: list[Change] = []
    for entity in old.entities:
        table = renamed.get(entity.table_name, entity.table_name)
        if table not in new_entities:
            continue
        for fk in entity.foreign_keys:
            if (table, fk.name) in touched:
                continue
            target = old_tables.get(fk.target, "")
            target = renamed.get(target, target)
            if (any((table, moved.get((table, col), col)) in retyped for col in fk.columns)
                    or any((target, moved.get((target, col), col)) in retyped for col in fk.target_columns)
                    or (target, tuple(fk.target_columns)) in dropped_keys):
                added = next(k for k in new_entities[table].foreign_keys if k.name == fk.name)
                out.append(Change("drop foreign key", table, fk.name, fk, None))
                out.append(Change("add foreign key", table, fk.name, None, added))
    return out


# Each schema's entities by table name, for the schemas in use (a migration renders with two):
# looked up once per change, so a scan of the entities would make a large diff quadratic.
_TABLES: dict[int, tuple[Schema, dict[str, Entity]]] = {}


def tables_of(schema: Schema) -> dict[str, Entity]:
    """The schema's entities by table name (do not change the dict)."""
    hit = _TABLES.get(id(schema))
    if hit is None or hit[0] is not schema:
        if len(_TABLES) >= 8:
            _TABLES.clear()
        hit = _TABLES[id(schema)] = (schema, {e.table_name: e for e in schema.entities})
    return hit[1]


# -- hazards ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hazard:
    """What a change can cost: `code` is an M5xx diagnostic code; a `destructive` hazard loses
    data and is refused unless allowed."""

    code: str
    change: Change
    message: str
    destructive: bool = False

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def hazards(old: Schema, new: Schema, changes: Iterable[Change]) -> list[Hazard]:
    """The hazards of the planned `changes`, in their order."""
    old_entities = dict(tables_of(old))
    changes = list(changes)
    old_entities.update({c.table: c.old for c in changes if c.kind == "rename table" and c.table is not None})
    out: list[Hazard] = []
    for c in changes:
        if recreated(old, c):
            continue
        where = f"{c.table}.{c.name}" if c.table and c.name else c.table or c.name
        if c.kind == "drop table":
            out.append(Hazard("M501", c, f"data loss: table {where} is dropped with its rows", True))
        elif c.kind == "drop column":
            out.append(Hazard("M502", c, f"data loss: column {where} is dropped with its values", True))
        elif c.kind == "alter column type" and not widens(c.old, c.new):
            out.append(Hazard("M503", c, f"data loss: column {where} changes type from {c.old} to {c.new}, "
                                         "which can reject or change existing values", True))
        elif c.kind == "alter column overrides":
            out.append(Hazard("M503", c, f"data loss: column {where} changes its physical type, which can "
                                         "reject or change existing values", True))
        elif c.kind in ("expand column", "uncontract column") and not widens(c.old.type, c.new.type):
            # the column that replaces another is filled from it, converted (the DOWN of a
            # contract fills the old column back from the new one)
            out.append(Hazard("M503", c, f"data loss: column {where} is copied from type {c.old.type} to "
                                         f"{c.new.type}, which can reject or change existing values", True))
        elif c.kind == "drop enum value":
            out.append(Hazard("M504", c, f"data loss: value '{c.old}' is removed from enum {c.name}; "
                                         "rows that hold it stop the migration", True))
        elif c.kind == "alter column nullable" and not c.new:
            out.append(Hazard("M505", c, f"data check: column {where} becomes NOT NULL; rows with NULL "
                                         "stop the migration"))
        elif c.kind == "add column" and not c.new.nullable and c.new.default is None and not c.new.identity \
                and c.table in old_entities:
            out.append(Hazard("M505", c, f"backfill needed: column {where} is NOT NULL without a default; "
                                         "the migration stops if the table has rows"))
        elif c.kind in ("add unique", "add primary key") and c.table in old_entities:
            out.append(Hazard("M505", c, f"data check: {c.kind.removeprefix('add ')} {where} is new; "
                                         "duplicate rows stop the migration"))
        elif c.kind == "add index" and c.new.unique and c.table in old_entities:
            out.append(Hazard("M505", c, f"data check: unique index {where} is new; duplicate rows stop "
                                         "the migration"))
        elif c.kind in ("add foreign key", "add check") and c.table in old_entities:
            out.append(Hazard("M505", c, f"data check: {c.kind.removeprefix('add ')} {where} is new; "
                                         "rows that break it stop the migration"))
    return out


def recreated(old: Schema, change: Change) -> bool:
    """Whether an added key, foreign key, check or index is one OLD has already, dropped to
    make way for another change (its rows were valid before)."""
    if not change.kind.startswith("add ") or change.table is None:
        return False
    attribute = {"add foreign key": "foreign_keys", "add check": "checks", "add index": "indexes",
                 "add unique": "uniques"}.get(change.kind)
    entity = tables_of(old).get(change.table)
    if entity is None:
        return False
    if change.kind == "add primary key":
        return entity.primary_key == change.new
    return attribute is not None and change.new in getattr(entity, attribute)


# Integer types from narrow to wide.
_INTEGER_WIDTH = {"smallint": 0, "int": 1, "bigint": 2}


def widens(old: Type | None, new: Type | None) -> bool:
    """Whether every value of type `old` is a value of type `new`, unchanged.

    Example:
        >>> widens(Type(name="varchar", params=(20,)), Type(name="text"))
        True
        >>> widens(Type(name="bigint"), Type(name="int"))
        False
    """
    if old is None or new is None:
        return False
    if old == new:
        return True
    if old.name in INTEGER_TYPES and new.name in INTEGER_TYPES:
        return _INTEGER_WIDTH[old.name] <= _INTEGER_WIDTH[new.name]
    if old.name == "varchar" and new.name == "varchar":
        return new.params[0] >= old.params[0]
    if old.name == "varchar" and new.name == "text":
        return True
    if old.name == "float" and new.name == "double":
        return True
    if old.name == "decimal" and new.name == "decimal":
        scale, new_scale = (old.params + (0,))[1], (new.params + (0,))[1]
        return new_scale >= scale and new.params[0] - new_scale >= old.params[0] - scale
    return False
