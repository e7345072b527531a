"""What an entity-relationship diagram shows, whatever draws it.

The Mermaid and Graphviz renderers and the data dictionary all read a resolved schema
through this module: the relationships with their crow's-foot cardinalities, the key markers
of each column, which columns are sensitive, and the part of a schema to draw.

A foreign key from a child entity to a parent says, at each end of the line:

* at the parent: how many parents a child row has -- exactly one when every foreign-key
  column is NOT NULL, zero or one when any of them is nullable;
* at the child: how many child rows a parent has -- zero or one when the foreign-key
  columns are unique in the child (its primary key, a unique constraint or a unique
  index), zero or more otherwise.

The line is *identifying* (solid) when the foreign-key columns are part of the child's
primary key, so a child row cannot exist without its parent; otherwise it is dashed. A
many-to-many link is drawn as its join entity, which has two identifying relationships.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from schemac.ir import Entity, Field, Schema, Sensitivity

# Tags that mark a column as holding data to protect; `public` and `internal` classify
# without asking for protection.
SENSITIVE = frozenset({Sensitivity.CONFIDENTIAL, Sensitivity.PII, Sensitivity.PHI, Sensitivity.PCI,
                       Sensitivity.SECRET})


class End(StrEnum):
    """The cardinality at one end of a relationship line."""

    ONE = "exactly one"
    ZERO_OR_ONE = "zero or one"
    ZERO_OR_MORE = "zero or more"


@dataclass(frozen=True)
class Relationship:
    """One foreign key, seen as a relationship between two entities."""

    child: str  # the entity holding the foreign key
    parent: str
    columns: tuple[str, ...]
    target_columns: tuple[str, ...]
    name: str | None
    parent_end: End  # how many parents one child row has
    child_end: End  # how many child rows one parent has
    identifying: bool

    @property
    def label(self) -> str:
        return ", ".join(self.columns)


def relationships(entity: Entity) -> list[Relationship]:
    """The relationships of `entity`'s foreign keys, in declaration order.

    Example:
        >>> from schemac import load_text  # doctest: +SKIP
        >>> [r.child_end for r in relationships(order_entity)]  # doctest: +SKIP
        [<End.ZERO_OR_MORE: 'zero or more'>]
    """
    pk = set(entity.primary_key.columns) if entity.primary_key else set()
    unique_sets = unique_column_sets(entity)
    nullable = {f.name for f in entity.fields if f.nullable}
    out = []
    for fk in entity.foreign_keys:
        cols = set(fk.columns)
        out.append(Relationship(
            child=entity.name, parent=fk.target, columns=fk.columns, target_columns=fk.target_columns,
            name=fk.name,
            parent_end=End.ZERO_OR_ONE if cols & nullable else End.ONE,
            child_end=End.ZERO_OR_ONE if frozenset(cols) in unique_sets else End.ZERO_OR_MORE,
            identifying=bool(pk) and cols <= pk,
        ))
    return out


def unique_column_sets(entity: Entity) -> set[frozenset[str]]:
    """The sets of columns that are unique in `entity`: its primary key, unique constraints
    and unique indexes on plain columns without a WHERE clause."""
    sets = {frozenset(u.columns) for u in entity.uniques}
    if entity.primary_key:
        sets.add(frozenset(entity.primary_key.columns))
    for index in entity.indexes:
        if index.unique and index.where is None and all(c.column for c in index.columns):
            sets.add(frozenset(c.column for c in index.columns if c.column))
    return sets


def join_sides(entity: Entity) -> tuple[str, str] | None:
    """The two entities a pure join entity links, or None.

    A join entity has exactly two foreign keys whose columns together are its primary key,
    like the entity a `many` link becomes.
    """
    fks = entity.foreign_keys
    if len(fks) != 2 or entity.primary_key is None:
        return None
    if set(fks[0].columns) & set(fks[1].columns):
        return None
    if set(fks[0].columns) | set(fks[1].columns) != set(entity.primary_key.columns):
        return None
    return fks[0].target, fks[1].target


def key_markers(entity: Entity) -> dict[str, list[str]]:
    """Column name -> its markers among PK, FK and UK (a single-column unique key)."""
    marks: dict[str, list[str]] = {f.name: [] for f in entity.fields}
    for c in entity.primary_key.columns if entity.primary_key else ():
        marks[c].append("PK")
    for c in dict.fromkeys(c for fk in entity.foreign_keys for c in fk.columns):
        marks[c].append("FK")
    for cols in unique_column_sets(entity):
        if len(cols) == 1:
            (c,) = cols
            if "PK" not in marks[c] and "UK" not in marks[c]:
                marks[c].append("UK")
    return marks


def tag_text(f: Field | Entity) -> list[str]:
    """The sensitivity tags of a field or entity as written in a spec, without the `@`."""
    return [f"{t.kind.value}({t.category})" if t.category else t.kind.value for t in f.tags]


def is_sensitive(f: Field | Entity) -> bool:
    return any(t.kind in SENSITIVE for t in f.tags)


class SelectionError(ValueError):
    """An `--only` entity or `--module` that the schema does not have."""


@dataclass(frozen=True)
class Selection:
    """The part of a schema to draw: `focus` entities, their direct neighbours, and the
    relationships that touch a focus entity."""

    entities: tuple[Entity, ...]
    focus: frozenset[str]
    names: frozenset[str]  # of `entities`

    @property
    def whole(self) -> bool:
        return len(self.focus) == len(self.names)

    def draws(self, r: Relationship) -> bool:
        return r.child in self.names and r.parent in self.names and (r.child in self.focus or r.parent in self.focus)

    def is_neighbour(self, name: str) -> bool:
        return name not in self.focus


def select(schema: Schema, only: Sequence[str] = (), modules: Sequence[str] = ()) -> Selection:
    """The entities named in `only` and those of `modules`, with their direct neighbours;
    the whole schema when both are empty.

    Raises:
        SelectionError: a name is not an entity or module of the schema.
    """
    every = [e.name for e in schema.entities]
    if not only and not modules:
        return Selection(schema.entities, frozenset(every), frozenset(every))
    focus: set[str] = set()
    for name in only:
        if schema.entity(name) is None:
            raise SelectionError(f"no entity named '{name}'{_suggestion(name, every)}")
        focus.add(name)
    module_names = sorted({e.module for e in schema.entities if e.module} | {m.name for m in schema.modules})
    for name in modules:
        if name not in module_names:
            raise SelectionError(f"no module named '{name}'{_suggestion(name, module_names)}")
        focus.update(e.name for e in schema.entities if e.module == name)
    near = set(focus)
    for e in schema.entities:
        for fk in e.foreign_keys:
            if e.name in focus:
                near.add(fk.target)
            if fk.target in focus:
                near.add(e.name)
    return Selection(tuple(e for e in schema.entities if e.name in near), frozenset(focus), frozenset(near))


def _suggestion(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
