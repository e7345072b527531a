"""The changes between two resolved specs, as typed operations (issue 5, first step).

`diff(old, new)` compares two resolved schemas member by member and returns the operations
that turn OLD into NEW: tables, columns and each column attribute, keys, foreign keys,
checks, indexes, enums and their values, comments. Members are matched by name (a table by
its physical name, a constraint or an index by its resolved name), so a renamed member
shows as a drop and an add: the language has no "was named" marker yet, and a rename is
never guessed.

The operations are not ordered for an engine and not rendered: the planner and the
backends' migration renderers come next. `diff(a, a)` is empty for every spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemac.ir import Entity, Enum, Field, Schema


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


def diff(old: Schema, new: Schema) -> list[Change]:
    """The operations that turn `old` into `new` (both resolved)."""
    out = _enums(old.enums, new.enums)
    before = {e.table_name: e for e in old.entities}
    after = {e.table_name: e for e in new.entities}
    out += [Change("drop table", name, None, before[name], None) for name in before if name not in after]
    out += [Change("add table", name, None, None, after[name]) for name in after if name not in before]
    for name in [n for n in after if n in before]:  # in NEW's order, not a set's (which varies by run)
        out += _table(before[name], after[name])
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


def _table(old: Entity, new: Entity) -> list[Change]:
    table = new.table_name
    out: list[Change] = []
    before = {f.name: f for f in old.fields}
    after = {f.name: f for f in new.fields}
    out += [Change("drop column", table, name, before[name], None) for name in before if name not in after]
    out += [Change("add column", table, name, None, after[name]) for name in after if name not in before]
    for name in [n for n in after if n in before]:
        out += _column(table, before[name], after[name])
    if old.primary_key != new.primary_key:
        if old.primary_key is not None:
            out.append(Change("drop primary key", table, old.primary_key.name, old.primary_key, None))
        if new.primary_key is not None:
            out.append(Change("add primary key", table, new.primary_key.name, None, new.primary_key))
    for label, attribute in _MEMBERS:
        out += _members(table, label, getattr(old, attribute), getattr(new, attribute))
    if old.doc != new.doc:
        out.append(Change("alter table comment", table, None, old.doc, new.doc))
    return out


def _column(table: str, old: Field, new: Field) -> list[Change]:
    return [Change(f"alter column {attribute}", table, new.name, getattr(old, attribute), getattr(new, attribute))
            for attribute in _COLUMN_ATTRIBUTES if getattr(old, attribute) != getattr(new, attribute)]


def _members(table: str, label: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> list[Change]:
    """Constraints and indexes by name: one whose definition changed is dropped and added
    again, which is what every engine needs to change it."""
    before = {m.name: m for m in old}
    after = {m.name: m for m in new}
    out = [Change(f"drop {label}", table, name, before[name], None)
           for name in before if name not in after or before[name] != after[name]]
    out += [Change(f"add {label}", table, name, None, after[name])
            for name in after if name not in before or before[name] != after[name]]
    return out
