"""The changes between two resolved specs, as typed operations (issue 5, first step).

`diff(old, new)` compares two resolved schemas member by member and returns the operations
that turn OLD into NEW: tables, columns and each column attribute, keys, foreign keys,
checks, indexes, enums and their values, comments, and `sql` blocks. Members are matched by
name (a table by its physical name, a constraint or an index by its resolved name, a block by
the name the spec gives it). A block that changes in any way (its SQL, its dialects, whether
it comes before the tables) is dropped and added again: which dialects that concerns, and
what else must be recreated with it, is the migration renderer's to say.

A rename is never guessed: it is stated in the spec with `@was(old_name)` on an entity or a
field. A table of NEW whose `was` is a table of OLD that NEW no longer has is that table,
renamed (`rename table`), and its members are compared as usual; a column likewise
(`rename column`). The marker is read on either side, because DOWN is `diff(new, old)`: a
table of OLD whose `was` names a table of NEW that OLD does not have is renamed back. A
marker whose old name is not there is ignored (specs keep them after the migration ran).
Keys, indexes and foreign keys are compared with the renamed columns and tables translated,
so one the engine carries through the rename is not dropped; a constraint or an index whose
name derives from a renamed name is dropped and added under its new name. Without a marker,
a rename is a drop and an add; `rename_hints` points out those that look like one.

The operations are not ordered for an engine and not rendered: the planner and the
backends' migration renderers come next. `diff(a, a)` is empty for every spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from schemac.diagnostics import Diagnostic, Severity
from schemac.ir import Entity, Enum, Field, ForeignKey, Index, RawSql, Schema, Unique


@dataclass(frozen=True)
class Change:
    """One operation: `kind` (`add table`, `drop column`, `alter column type`...), the table
    it is on (None for an enum), the member's name, and its OLD and NEW forms."""

    kind: str
    table: str | None
    name: str | None
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        where = ".".join(p for p in (self.table, self.name) if p)
        if self.kind.endswith("enum value"):
            where += f" '{self.new if self.old is None else self.old}'"
        return f"{self.kind} {where}"


# Column attributes compared one by one, each an `alter column <attribute>` operation.
_COLUMN_ATTRIBUTES = ("type", "overrides", "nullable", "default", "identity", "doc")
# Table members matched by name.
_MEMBERS = (("unique", "uniques"), ("foreign key", "foreign_keys"), ("check", "checks"), ("index", "indexes"))


@dataclass(frozen=True)
class _Renames:
    """How names of OLD map to names of NEW: entity names, and each OLD entity's columns;
    `touched`, the OLD entities whose name or columns a rename changes."""

    entities: dict[str, str]
    columns: dict[str, dict[str, str]]
    touched: frozenset[str] = frozenset()

    def keep(self, entity: str, member: Any = None) -> bool:
        """Whether no rename changes how NEW names `entity` (and `member`'s target)."""
        return entity not in self.touched and not (isinstance(member, ForeignKey) and member.target in self.touched)

    def column(self, entity: str, name: str) -> str:
        return self.columns.get(entity, {}).get(name, name)

    def columns_of(self, entity: str, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.column(entity, n) for n in names)


def diff(old: Schema, new: Schema) -> list[Change]:
    """The operations that turn `old` into `new` (both resolved).

    Example:
        >>> from schemac.api import load_text
        >>> a = load_text("entity t { id: int @pk }").schema
        >>> b = load_text("entity u @was(t) { id: int @pk }").schema
        >>> [str(c) for c in diff(a, b)]
        ['rename table u', 'drop primary key u.t_pkey', 'add primary key u.u_pkey']
    """
    out = _enums(old.enums, new.enums)
    before = {e.table_name: e for e in old.entities}
    after = {e.table_name: e for e in new.entities}
    moved = _renamed(before, after, {e.name: e.table_name for e in old.entities},
                     {e.name: e.table_name for e in new.entities})
    out += [Change("drop table", name, None, before[name], None) for name in before
            if name not in after and name not in moved]
    out += [Change("add table", name, None, None, after[name]) for name in after
            if name not in before and name not in moved.values()]
    out += [Change("rename table", to, None, before[name], after[to]) for name, to in moved.items()]
    pairs = [(before[name], after[name]) for name in before if name in after]
    pairs += [(before[name], after[to]) for name, to in moved.items()]
    entities = {a.name: b.name for a, b in pairs}
    columns = {a.name: _renamed({f.name: f for f in a.fields}, {f.name: f for f in b.fields}) for a, b in pairs}
    touched = {a for a, b in entities.items() if a != b} | {a for a, moved in columns.items() if moved}
    renames = _Renames(entities, columns, frozenset(touched))
    for a, b in pairs:
        out += _table(a, b, renames)
    return out + _raw_sql(old.raw_sql, new.raw_sql)


def _raw_sql(old: tuple[RawSql, ...], new: tuple[RawSql, ...]) -> list[Change]:
    """`sql` blocks by name: one that changes is dropped and added again."""
    before = {r.name: r for r in old}
    after = {r.name: r for r in new}
    out = [Change("drop sql", None, name, r, None) for name, r in before.items() if after.get(name) != r]
    out += [Change("add sql", None, name, None, r) for name, r in after.items() if before.get(name) != r]
    return out


def _renamed(before: dict[str, Any], after: dict[str, Any], old_aliases: dict[str, str] | None = None,
             new_aliases: dict[str, str] | None = None) -> dict[str, str]:
    """OLD name -> NEW name of the tables (or columns) a `was` marker renames, read on either
    side. An alias map takes an entity's name to its table's, so an entity's marker may
    name the old entity as well as its table."""

    def name_in(names: dict[str, Any], aliases: dict[str, str] | None, name: str) -> str:
        return name if name in names or aliases is None else aliases.get(name, name)

    out: dict[str, str] = {}
    for name, item in after.items():  # NEW says what it was called
        if item.was is None or name in before:
            continue
        was = name_in(before, old_aliases, item.was)
        if was in before and was not in after and was not in out:
            out[was] = name
    for name, item in before.items():  # OLD says what it was called: renamed back (DOWN)
        if item.was is None or name in after or name in out:
            continue
        to = name_in(after, new_aliases, item.was)
        if to in after and to not in before and to not in out.values():
            out[name] = to
    return out


def _enums(old: tuple[Enum, ...], new: tuple[Enum, ...]) -> list[Change]:
    before = {e.name: e for e in old}
    after = {e.name: e for e in new}
    out = [Change("drop enum", None, name, before[name], None) for name in before if name not in after]
    out += [Change("add enum", None, name, None, after[name]) for name in after if name not in before]
    for name in [n for n in after if n in before]:
        old_values = [v.name for v in before[name].values]
        new_values = [v.name for v in after[name].values]
        out += [Change("drop enum value", None, name, v, None) for v in old_values if v not in new_values]
        out += [Change("add enum value", None, name, None, v) for v in new_values if v not in old_values]
        kept = [v for v in new_values if v in old_values]
        if kept != [v for v in old_values if v in new_values]:
            out.append(Change("reorder enum values", None, name, old_values, new_values))
        if before[name].doc != after[name].doc:
            out.append(Change("alter enum comment", None, name, before[name].doc, after[name].doc))
    return out


def _table(old: Entity, new: Entity, renames: _Renames) -> list[Change]:
    if old == new and renames.keep(old.name) and all(renames.keep(old.name, fk) for fk in old.foreign_keys):
        return []  # the common case, and the cheapest to see
    table = new.table_name
    out: list[Change] = []
    before = {f.name: f for f in old.fields}
    after = {f.name: f for f in new.fields}
    moved = renames.columns[old.name]
    out += [Change("drop column", table, name, before[name], None) for name in before
            if name not in after and name not in moved]
    out += [Change("add column", table, name, None, after[name]) for name in after
            if name not in before and name not in moved.values()]
    out += [Change("rename column", table, to, before[name], after[to]) for name, to in moved.items()]
    for name in before:
        to = moved.get(name, name)
        if to in after:
            out += _column(table, before[name], after[to])
    old_pk = old.primary_key
    if old_pk is not None and not renames.keep(old.name):
        old_pk = old_pk.model_copy(update={"columns": renames.columns_of(old.name, old_pk.columns)})
    if old_pk != new.primary_key:
        if old.primary_key is not None:
            out.append(Change("drop primary key", table, old.primary_key.name, old.primary_key, None))
        if new.primary_key is not None:
            out.append(Change("add primary key", table, new.primary_key.name, None, new.primary_key))
    for label, attribute in _MEMBERS:
        out += _members(table, label, getattr(old, attribute), getattr(new, attribute),
                        lambda m: _translated(m, old.name, renames))
    if old.doc != new.doc:
        out.append(Change("alter table comment", table, None, old.doc, new.doc))
    return out


def _translated(member: Any, entity: str, renames: _Renames) -> Any:
    """An OLD key, foreign key or index as NEW names it after the renames (which the engine
    carries through them); a check's expression is compared as written."""
    if renames.keep(entity, member):
        return member
    if isinstance(member, Unique):
        return member.model_copy(update={"columns": renames.columns_of(entity, member.columns)})
    if isinstance(member, Index):
        return member.model_copy(update={"columns": tuple(
            c.model_copy(update={"column": renames.column(entity, c.column)}) if c.column else c
            for c in member.columns)})
    if isinstance(member, ForeignKey):
        return member.model_copy(update={
            "columns": renames.columns_of(entity, member.columns),
            "target": renames.entities.get(member.target, member.target),
            "target_columns": renames.columns_of(member.target, member.target_columns)})
    return member


def _column(table: str, old: Field, new: Field) -> list[Change]:
    if old == new:
        return []
    return [Change(f"alter column {attribute}", table, new.name, getattr(old, attribute), getattr(new, attribute))
            for attribute in _COLUMN_ATTRIBUTES if getattr(old, attribute) != getattr(new, attribute)]


def _members(table: str, label: str, old: tuple[Any, ...], new: tuple[Any, ...],
             translate: Callable[[Any], Any]) -> list[Change]:
    """Constraints and indexes by name: one whose definition changed is dropped and added
    again, which is what every engine needs to change it. `translate` gives an OLD member
    NEW's names for the comparison; a drop carries the member as OLD has it."""
    before = {m.name: m for m in old}
    after = {m.name: m for m in new}
    changed = {name for name in before.keys() & after.keys() if translate(before[name]) != after[name]}
    out = [Change(f"drop {label}", table, name, before[name], None)
           for name in before if name not in after or name in changed]
    out += [Change(f"add {label}", table, name, None, after[name])
            for name in after if name not in before or name in changed]
    return out


# -- hints ----------------------------------------------------------------------------------------


def rename_hints(new: Schema, changes: Iterable[Change]) -> list[Diagnostic]:
    """M506 (info) for each drop and add that look like a rename without a `@was` marker: a
    table that drops a column and adds one of the same type, a dropped table and an added
    one with the same columns. Each dropped member is paired at most once, in order.

    Example:
        >>> from schemac.api import load_text
        >>> a = load_text("entity t { id: int @pk\\n email: text }").schema
        >>> b = load_text("entity t { id: int @pk\\n mail: text }").schema
        >>> [d.help for d in rename_hints(b, diff(a, b))]
        ["if it is, add @was(email) to field 't.mail'"]
    """
    changes = list(changes)
    entities = {e.table_name: e.name for e in new.entities}
    out: list[Diagnostic] = []
    dropped_tables = [c.old for c in changes if c.kind == "drop table"]
    for c in changes:
        if c.kind != "add table":
            continue
        shape = [(f.name, f.type) for f in c.new.fields]
        twin = next((t for t in dropped_tables if [(f.name, f.type) for f in t.fields] == shape), None)
        if twin is not None:
            dropped_tables.remove(twin)
            out.append(Diagnostic(
                "M506", f"table '{c.table}' is added and '{twin.table_name}' dropped, with the same columns: "
                        "this looks like a rename", Severity.INFO, ("entity", c.new.name, "name"),
                help=f"if it is, add @was({twin.table_name}) to entity '{c.new.name}'"))
    dropped_columns: dict[str | None, list[Field]] = {}
    for c in changes:
        if c.kind == "drop column":
            dropped_columns.setdefault(c.table, []).append(c.old)
    for c in changes:
        if c.kind != "add column":
            continue
        candidates = dropped_columns.get(c.table, [])
        twin = next((f for f in candidates if (f.type, f.overrides) == (c.new.type, c.new.overrides)), None)
        if twin is not None:
            candidates.remove(twin)
            entity = entities.get(c.table or "", c.table or "")
            out.append(Diagnostic(
                "M506", f"column '{c.table}.{c.name}' is added and '{c.table}.{twin.name}' dropped, with the same "
                        f"type: this looks like a rename", Severity.INFO, ("entity", entity, "field", c.name or ""),
                help=f"if it is, add @was({twin.name}) to field '{entity}.{c.name}'"))
    return out
