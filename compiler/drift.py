"""A live database against a spec (`schemac diff --from-db URL NEW`): drift detection.

A spec inspected from a database (schemac.reverse) describes the same tables as the spec
they were built from, but not in the same words: `price >= 0` comes back as PostgreSQL
stored it, `((price >= 0))`; an `int @type(sqlite: "BIGINT")` as a `bigint`; an enum column
of MySQL as an inline enum named after its table and column; SQLite's enum check as a check
of its own. Diffing the two specs directly would list all of that as changes.

`align(found, spec, dialect, found_catalog, spec_catalog)` compares both in their database
form (schemac.normalize: physical types, expressions as the engine stored them, what no
database keeps left out) member by member -- each column, key, foreign key, check, index,
comment and enum -- and returns `found` with every member that the database holds exactly
as `spec` would replaced by the spec's own. `diff(align(...), spec)` then lists only what
really differs, and a migration rendered from it speaks the spec's names.

`spec_catalog` is the catalog of a database built from `spec` on the same engine (see
`schemac.inspect.built_catalog`): only the engine knows how it rewrites an expression. When
it is None, the spec's expressions are compared as written, which PostgreSQL and MySQL
rarely keep.
"""

from __future__ import annotations

from typing import Any

from schemac.catalog import Catalog
from schemac.ir import Entity, Enum, Schema
from schemac.normalize import database_form

# Table members matched by name, in their database form: a MySQL unique index is a unique
# key there, SQLite's enum checks are members of the table.
MEMBERS = ("uniques", "indexes", "checks", "foreign_keys")
# Dialects whose enums are part of their columns (MySQL's ENUM, SQLite's CHECK): no type.
INLINE_ENUMS = ("mysql", "sqlite")


def align(found: Schema, spec: Schema, dialect: str, found_catalog: Catalog | None = None,
          spec_catalog: Catalog | None = None) -> Schema:
    """`found` with each member the database holds as `spec` would hold it replaced by the
    spec's member; members that differ, and tables or enums only in `found`, are kept.

    Example:
        >>> from schemac.api import load_text
        >>> a = load_text('entity t { id: int @pk\\n n: int @default(0) }').schema
        >>> b = load_text('entity t { id: int @pk\\n n: int @default((0)) }').schema
        >>> from schemac.differ import diff
        >>> diff(align(a, b, "sqlite"), b)
        []
    """
    from schemac.backends.base import renderer_class

    physical = renderer_class(dialect)(spec).physical
    found_forms = {e.name: e for e in database_form(found, dialect, found_catalog, names=True).entities}
    spec_forms = {e.name: e for e in database_form(spec, dialect, spec_catalog, names=True).entities}
    by_table = {physical(e.table_name): e for e in spec.entities}
    renamed = {e.name: by_table[physical(e.table_name)].name for e in found.entities
               if physical(e.table_name) in by_table}
    entities = []
    for entity in found.entities:
        table = physical(entity.table_name)
        twin = by_table.get(table)
        if twin is None or table not in found_forms or table not in spec_forms:
            entities.append(_retarget(entity, renamed))
            continue
        entities.append(_entity(entity, twin, found_forms[table], spec_forms[table], physical, renamed,
                                dialect == "sqlite"))
    return found.model_copy(update={"entities": tuple(entities), "modules": spec.modules,
                                    "enums": _enums(found, spec, dialect, entities), "raw_sql": spec.raw_sql})


def _enums(found: Schema, spec: Schema, dialect: str, entities: list[Entity]) -> tuple[Enum, ...]:
    """PostgreSQL's enum types compared as it holds them; elsewhere an enum is part of its
    columns' types, so the spec's enums are taken, with those of the database's that its
    columns still use."""
    if dialect in INLINE_ENUMS:
        names = {e.name for e in spec.enums}
        used = {f.type.name for e in entities for f in e.fields if f.type is not None}
        return spec.enums + tuple(e for e in found.enums if e.name not in names and e.name in used)
    forms = {e.name: e for e in database_form(Schema(enums=spec.enums), dialect).enums}
    theirs = {e.name: e for e in database_form(Schema(enums=found.enums), dialect).enums}
    mine = {e.name: e for e in spec.enums}
    return tuple(mine[e.name] if forms.get(e.name) == theirs[e.name] else e for e in found.enums)


def _entity(entity: Entity, twin: Entity, form: Entity, twin_form: Entity, physical: Any,
            renamed: dict[str, str], unnamed: bool) -> Entity:
    """`entity` as the spec's `twin` writes each member the two hold alike."""
    twin_fields = {f.name: (f, twin.fields[i]) for i, f in enumerate(twin_form.fields)}
    fields = []
    for i, f in enumerate(entity.fields):
        mine = twin_fields.get(form.fields[i].name)
        fields.append(mine[1] if mine is not None and mine[0] == form.fields[i] else f)
    same_key = form.primary_key == twin_form.primary_key
    update: dict[str, Any] = {
        "fields": tuple(fields),
        "primary_key": twin.primary_key if same_key else entity.primary_key,
        "keyless": twin.keyless if same_key else entity.keyless,
        "doc": twin.doc if form.doc == twin_form.doc else entity.doc,
    }
    update.update(_members(_retarget(entity, renamed), twin, form, twin_form, physical, unnamed))
    return twin.model_copy(update=update)


def _members(entity: Entity, twin: Entity, form: Entity, twin_form: Entity, physical: Any,
             unnamed: bool) -> dict[str, Any]:
    """Keys, foreign keys, checks and indexes: a member of `entity` whose database form is the
    same as a member of `twin`'s (by name; on SQLite, which keeps no names a statement can
    use, by what it says) becomes that member -- or goes, when the spec's DDL makes it of its
    own (SQLite's enum checks, MariaDB's JSON checks)."""
    theirs = {(kind, m.name): m for kind in MEMBERS for m in getattr(form, kind)}
    mine = {(kind, m.name): m for kind in MEMBERS for m in getattr(twin_form, kind)}
    origin = {physical(m.name or ""): (kind, m) for kind in MEMBERS for m in getattr(twin, kind)}
    out: dict[str, list[Any]] = {kind: [] for kind in MEMBERS}
    used: set[tuple[str, str | None]] = set()
    for kind in MEMBERS:
        for member in getattr(entity, kind):
            key = next(((k, n) for k, n in theirs if n == physical(member.name or "")), None)
            if key is None:  # implied by a column's type, as the database form says
                continue
            match = key if mine.get(key) == theirs[key] else \
                _same_unnamed(theirs[key], key[0], mine, used) if unnamed else None
            if match is None:
                out[kind].append(member)
                continue
            used.add(match)
            if match[1] in origin:
                spec_kind, spec_member = origin[match[1] or ""]
                out[spec_kind].append(spec_member)
    held = {n for _, n in mine}
    for kind in MEMBERS:  # what the spec's DDL cannot create on this engine (a B6xx): no change
        out[kind] += [m for m in getattr(twin, kind) if physical(m.name or "") not in held]
    return {kind: tuple(members) for kind, members in out.items()}


def _same_unnamed(member: Any, kind: str, mine: dict[tuple[str, str | None], Any],
                  used: set[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """A member of the spec that says the same as `member` under another name."""
    plain = member.model_copy(update={"name": None})
    return next((key for key, m in mine.items()
                 if key[0] == kind and key not in used and m.model_copy(update={"name": None}) == plain), None)


def _retarget(entity: Entity, renamed: dict[str, str]) -> Entity:
    """Foreign keys that point to a table by the spec's entity name for it."""
    if not any(fk.target in renamed for fk in entity.foreign_keys):
        return entity
    return entity.model_copy(update={"foreign_keys": tuple(
        fk.model_copy(update={"target": renamed.get(fk.target, fk.target)}) for fk in entity.foreign_keys)})
