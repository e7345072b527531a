"""Resolve a declared schema into its core form, checking it on the way.

Resolution turns every `ref` into foreign-key columns with the target key's types and a
foreign key; every `many` link into a join entity; every field-level `@pk`, `@unique`,
`@index` and `@check` into entity-level constraints; and gives every constraint and index a
deterministic name (`naming.py`). Unknown names, type mismatches, bad defaults and the like
become R1xx diagnostics; resolution goes on after an error so that all of them are reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemac import expressions
from schemac.defaults import function_problem, literal_problem
from schemac.diagnostics import Diagnostic, Severity, error, suggest, warning
from schemac.ir import (
    BUILTIN_TYPES,
    INTEGER_TYPES,
    Action,
    Check,
    Entity,
    Enum,
    Field,
    ForeignKey,
    Index,
    IndexColumn,
    Link,
    PrimaryKey,
    Reference,
    Schema,
    Sensitivity,
    Type,
    Unique,
)
from schemac.members import MemberResolver
from schemac.naming import NameRegistry

Path = tuple[Any, ...]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class _Columns:
    """The concrete columns of one entity and which columns each `ref` field stands for."""

    fields: list[Field] = field(default_factory=list)
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # of `fields`


# On one table, keys and indexes share a namespace in every engine, and so do foreign keys
# and checks. Where an engine joins the two (PostgreSQL) or names some kinds per schema, its
# backend checks that (B608): MySQL lets a unique key and a foreign key share a name.
_TABLE_NAMESPACES = {"primary key": "index", "unique": "index", "index": "index",
                     "foreign key": "constraint", "check": "constraint"}

class Resolver(MemberResolver):
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.diagnostics: list[Diagnostic] = []
        self.enums: dict[str, Enum] = {e.name: e for e in schema.enums}
        self.origin: dict[str, Path] = {}  # join entity -> path of its link
        self.aliases: dict[Path, Path] = {}  # resolved path -> declared path
        self.entities: dict[str, Entity] = {}
        self.order: list[str] = []
        for entity in schema.entities:
            self._add_entity(entity)
            for link in entity.links:
                self._add_link(entity, link)
        self._columns: dict[str, _Columns] = {}
        self._refs: dict[tuple[str, str], list[tuple[str, Field]]] = {}
        self._pks: dict[str, tuple[str, ...]] = {}
        self._explicit: set[str] = set()  # constraint names given in the spec, lower-cased
        self._key_stack: list[str] = []
        self.names = NameRegistry()
        # Columns by what they are made of: fields repeat across entities (the parser shares
        # equal ones), and their columns are immutable, so equal columns are one object.
        self._plain: dict[int, tuple[Field, Field]] = {}
        self._ref_cols: dict[tuple[Any, ...], Field] = {}
        self._fine: set[int] = set()  # fields (of the declared entities) checked without a problem

    # -- diagnostics -----------------------------------------------------------------------

    def path(self, entity: str, *rest: Any) -> Path:
        base = self.origin.get(entity)
        if base is not None:
            return (*base, *rest[:2]) if rest[:1] == ("field",) else base
        return ("entity", entity, *rest)

    def error(self, code: str, message: str, path: Path, **kw: Any) -> None:
        self.diagnostics.append(error(code, message, path, **kw))

    def warn(self, code: str, message: str, path: Path, **kw: Any) -> None:
        self.diagnostics.append(warning(code, message, path, **kw))

    # -- entities and links ----------------------------------------------------------------

    def _add_entity(self, entity: Entity) -> None:
        if entity.name in self.entities:
            self.error("R104", f"entity '{entity.name}' is declared twice", self.path(entity.name, "name"))
            return
        self.entities[entity.name] = entity
        self.order.append(entity.name)

    def _add_link(self, source: Entity, link: Link) -> None:
        """A many-to-many link becomes a join entity with a ref to each side."""
        name = link.table or f"{source.name}_{link.name}"
        if name in self.entities:
            self.error("R104", f"the join entity '{name}' of '{source.name}.{link.name}' clashes with "
                       "an entity of the same name", ("entity", source.name, "link", link.name),
                       help=f"name the join table with @table, for example @table({name}_link)")
            return
        target = self.entities.get(link.target) or next(
            (e for e in self.schema.entities if e.name == link.target), None)
        if target is None:
            self.error("R101", f"unknown entity '{link.target}'", ("entity", source.name, "link", link.name, "type"),
                       help=suggest(link.target, [e.name for e in self.schema.entities]))
            return
        near = source.name
        far = link.target if link.target != source.name else link.name
        sides = []
        for side, entity in ((near, source), (far, target)):
            pk = self._declared_pk_names(entity)
            sides.append(Field(name=side, ref=Reference(target=entity.name, on_delete=Action.CASCADE,
                                                        columns=tuple(f"{side}_{c}" for c in pk))))
        join = Entity(
            name=name, module=source.module,
            doc=link.doc or f"Links '{source.name}' to '{link.target}' ({source.name}.{link.name}).",
            fields=(*sides, *link.fields),
            primary_key=PrimaryKey(columns=(near, far)),
            indexes=(Index(columns=(IndexColumn(column=far),)),),
        )
        self.origin[name] = ("entity", source.name, "link", link.name)
        self.aliases[("entity", name)] = self.origin[name]
        self._add_entity(join)

    def _declared_pk_names(self, entity: Entity) -> list[str]:
        """The target-side column names a ref to `entity` would use, before resolution."""
        names = list(entity.primary_key.columns) if entity.primary_key else [
            f.name for f in entity.fields if f.primary_key]
        out: list[str] = []
        for n in names:
            f = entity.field(n)
            if f is not None and f.ref is not None:
                target = self.entities.get(f.ref.target)
                inner = self._declared_pk_names(target) if target and target is not entity else ["id"]
                out.extend(f.ref.columns or [f"{n}_{c}" for c in inner])
            else:
                out.append(n)
        return out

    # -- columns -------------------------------------------------------------------------------

    def columns(self, name: str) -> _Columns:
        """The concrete columns of an entity, computing (and memoising) them on first use."""
        cols = self._columns.get(name)
        if cols is not None:
            return cols
        entity = self.entities[name]
        cols = _Columns()
        self._columns[name] = cols
        declared = {f.name for f in entity.fields if f.ref is None}
        produced: dict[str, Field] = {}
        for f in entity.fields:
            if f.ref is None:
                col = self._plain_column(entity, f)
                produced[f.name] = col
                cols.fields.append(col)
                continue
            names: list[str] = []
            for colname, target_col in self._ref_columns(entity, f):
                names.append(colname)
                # a renamed ref's columns were named after its old name, unless @columns names them
                was = f"{f.was}_{target_col.name}" if f.was and not f.ref.columns else None
                key = (colname, id(target_col), f.nullable, f.doc, f.tags, f.tenant, f.denormalized, was)
                shared = self._ref_cols.get(key)
                if shared is None or shared.type is not target_col.type or shared.overrides is not target_col.overrides:
                    shared = self._ref_cols[key] = Field(
                        name=colname, type=target_col.type, nullable=f.nullable, doc=f.doc, tags=f.tags,
                        tenant=f.tenant, denormalized=f.denormalized, overrides=target_col.overrides, was=was)
                col = shared
                existing = produced.get(colname)
                if existing is None and colname in declared:
                    existing = self._plain_column(entity, entity.field(colname))  # type: ignore[arg-type]
                if existing is not None:
                    if existing.type != col.type:
                        self.error("R108", f"column '{colname}' is {existing.type} but '{f.name}' needs it "
                                   f"to be {col.type}, the type of '{f.ref.target}.{target_col.name}'",
                                   self.path(name, "field", f.name, "attr", "columns"))
                    continue
                produced[colname] = col
                cols.fields.append(col)
            cols.refs[f.name] = tuple(names)
        cols.names = {c.name for c in cols.fields}
        return cols

    def _plain_column(self, entity: Entity, f: Field) -> Field:
        """The column of a plain field: the field without its key, index and check flags."""
        if f.primary_key or f.unique or f.indexed or f.checks:
            shared = self._plain.get(id(f))
            if shared is None or shared[0] is not f:
                shared = self._plain[id(f)] = (f, Field(
                    name=f.name, type=f.type, nullable=f.nullable, identity=f.identity, default=f.default, doc=f.doc,
                    tags=f.tags, tenant=f.tenant, denormalized=f.denormalized, overrides=f.overrides, was=f.was))
            return shared[1]
        return f

    def _ref_columns(self, entity: Entity, f: Field) -> list[tuple[str, Field]]:
        """(column name, target column) pairs for a ref field; [] after an error."""
        key = (entity.name, f.name)
        cached = self._refs.get(key)
        if cached is None:
            cached = self._refs[key] = self._compute_ref_columns(entity, f)
        return cached

    def _compute_ref_columns(self, entity: Entity, f: Field) -> list[tuple[str, Field]]:
        ref = f.ref
        assert ref is not None
        at = self.path(entity.name, "field", f.name, "type")
        target = self.entities.get(ref.target)
        if target is None:
            hint = suggest(ref.target, self.entities, "entities")
            if ref.target in self.enums:
                hint = f"'{ref.target}' is an enum: write '{f.name}: {ref.target}' without 'ref'"
            self.error("R101", f"unknown entity '{ref.target}'", at, help=hint)
            return []
        if ref.target_columns:
            keys = self.key_columns(target, ref.target_columns, at)
            if keys and not self._is_key(target, [k.name for k in keys]):
                self.error("R113", f"({', '.join(ref.target_columns)}) is not a key of '{target.name}'",
                           at, help="a reference must point at the primary key or a unique key")
        else:
            pk = self._pk_names(target)
            if not pk:
                self.error("R113", f"'{target.name}' has no primary key to refer to", at)
                return []
            keys = self.key_columns(target, pk, at)
        if not keys:
            return []
        if ref.columns:
            if len(ref.columns) != len(keys):
                self.error("R126", f"@columns names {len(ref.columns)} column(s) but the key of "
                           f"'{target.name}' has {len(keys)}",
                           self.path(entity.name, "field", f.name, "attr", "columns"))
                return []
            names = list(ref.columns)
        else:
            names = [f"{f.name}_{k.name}" for k in keys]
        return list(zip(names, keys, strict=True))

    def _pk_names(self, entity: Entity) -> tuple[str, ...]:
        names = self._pks.get(entity.name)
        if names is None:
            if entity.primary_key is not None:
                names = entity.primary_key.columns
            else:
                names = tuple(f.name for f in entity.fields if f.primary_key)
            self._pks[entity.name] = names
        return names

    def key_columns(self, entity: Entity, names: Iterable[str], at: Path) -> list[Field]:
        """The concrete columns that `names` (fields, refs or columns of `entity`) stand for."""
        if entity.name in self._key_stack:
            cycle = " -> ".join([*self._key_stack, entity.name])
            self.error("R113", f"primary keys refer to each other in a cycle: {cycle}", at)
            return []
        self._key_stack.append(entity.name)
        try:
            out: list[Field] = []
            for n in names:
                f = entity.field(n)
                if f is not None and f.ref is None:
                    out.append(self._plain_column(entity, f))
                elif f is not None:
                    pairs = self._ref_columns(entity, f)
                    out.extend(Field(name=c, type=t.type, overrides=t.overrides) for c, t in pairs)
                else:
                    col = next((c for c in self.columns(entity.name).fields if c.name == n), None)
                    if col is None:
                        self.error("R103", f"'{entity.name}' has no field '{n}'", at,
                                   help=suggest(n, [x.name for x in entity.fields]))
                        return []
                    out.append(col)
            return out
        finally:
            self._key_stack.pop()

    def _is_key(self, entity: Entity, cols: list[str]) -> bool:
        names = set(cols)
        keys = [self._expand(entity, self._pk_names(entity))]
        keys += [self._expand(entity, u.columns) for u in entity.uniques]
        keys += [self._expand(entity, [f.name]) for f in entity.fields if f.unique]
        keys += [self._expand(entity, [c.column for c in i.columns if c.column])
                 for i in entity.indexes if i.unique and i.where is None and all(c.column for c in i.columns)]
        return any(set(k) == names for k in keys)

    def _expand(self, entity: Entity, names: Iterable[str]) -> list[str]:
        refs = self.columns(entity.name).refs
        out: list[str] = []
        for n in names:
            out.extend(refs.get(n, (n,)))
        return out

    # -- names in constraints ----------------------------------------------------------------

    def resolve_names(self, entity: Entity, names: Iterable[str], path: Path) -> tuple[str, ...] | None:
        """Map field and ref names to column names; None (after an error) if one is unknown."""
        cols = self.columns(entity.name)
        known = cols.names
        out: list[str] = []
        ok = True
        for n in names:
            if n in cols.refs:
                out.extend(cols.refs[n])
            elif n in known:
                out.append(n)
            else:
                link = next((lk for lk in entity.links if lk.name == n), None)
                hint = suggest(n, [*known, *cols.refs], "fields")
                if link is not None:
                    hint = f"'{n}' is a many-to-many link; it has no column here"
                self.error("R103", f"'{entity.name}' has no field '{n}'", (*path, "column", n), help=hint)
                ok = False
        if ok and len(set(out)) != len(out):
            dup = next(c for c in out if out.count(c) > 1)
            self.error("R137", f"column '{dup}' appears twice", path)
            return None
        return tuple(out) if ok else None

    def check_expression(self, entity: Entity, text: str, path: Path, what: str,
                         extra_names: Iterable[str] = ()) -> Any:
        """Parse an expression and check that the columns it names exist."""
        tree = expressions.parse(text)
        if isinstance(tree, expressions.ExprError):
            self.diagnostics.append(Diagnostic("S006", f"{what} does not parse: {tree.message}",
                                               path=path, offset=(tree.offset, tree.length)))
            return None
        cols = self.columns(entity.name)
        known = cols.names | set(extra_names) if extra_names else cols.names
        refs = cols.refs
        for name, qualified in expressions.column_names(text):
            if qualified:
                self.error("R103", f"'{name}': qualified names are not allowed in {what}", path)
            elif name not in known:
                hint = suggest(name, known, "columns")
                if name in refs:
                    hint = f"'{name}' is a relationship; name its column: {', '.join(refs[name])}"
                self.error("R103", f"{what} refers to unknown column '{name}'", path, help=hint,
                           offset=expressions.find_name(text, name))
        return tree

    # -- the whole schema ------------------------------------------------------------------------

    def run(self) -> Schema:
        self.prepare()
        resolved = [self.resolve_entity(n) for n in self.order]
        return Schema(modules=self.schema.modules, enums=self.schema.enums, entities=tuple(resolved),
                      raw_sql=self.schema.raw_sql)

    def prepare(self) -> None:
        """The checks over the whole schema, done before any entity is resolved: names and
        the constraint names given explicitly, which generated names must avoid. An explicit
        name is unique on its table; where a dialect names some kinds of constraint per schema
        (PostgreSQL indexes, MySQL foreign keys), its backend checks that (B608). After this,
        entities can be resolved in any order, or in parallel."""
        self._check_names()
        for name in self.order:
            own: set[tuple[str, str]] = set()
            for explicit, kind, at in self._explicit_names(self.entities[name]):
                key = explicit.lower()
                space = (_TABLE_NAMESPACES[kind], key)
                if space in own:
                    self.error("R118", f"the name '{explicit}' is used twice on '{name}'", at)
                own.add(space)
                self.names.claim(explicit)  # generated names avoid it
                self._explicit.add(key)

    def resolve_entity(self, name: str) -> Entity:
        return self._resolve_entity(self.entities[name])

    def edges(self) -> list[tuple[str, str]]:
        """(entity, entity it refers to) for every foreign key the schema will have, known
        before resolution: the same edges the resolved foreign keys give."""
        return [(e.name, target) for e in (self.entities[n] for n in self.order)
                for target in [f.ref.target for f in e.fields if f.ref] + [fk.target for fk in e.foreign_keys]]

    def _check_backend_names(self, entity: Entity, columns: list[Field]) -> None:
        """SQLite checks enum and json columns with constraints named `<table>_<column>_enum`
        and `_json`; no name given explicitly may be one of those. (Generated names end in
        `_pkey`, `_key`, `_fkey`, `_check` or `_idx`, so they cannot clash.)"""
        for col in columns:
            if col.type is None or (col.type.name not in self.enums and col.type.name != "json"):
                continue
            reserved = f"{entity.table_name}_{col.name}_{'json' if col.type.name == 'json' else 'enum'}"
            if reserved.lower() in self._explicit:
                self.error("R118", f"the name '{reserved}' is used twice", self.path(entity.name, "field", col.name),
                           help=f"SQLite's check of '{col.name}' has this name; choose another")

    def _explicit_names(self, entity: Entity) -> list[tuple[str, str, Path]]:
        """(name, kind, where) of every name the entity's constraints and indexes are given."""
        out: list[tuple[str, str, Path]] = []
        p = self.path
        if entity.primary_key and entity.primary_key.name:
            out.append((entity.primary_key.name, "primary key", p(entity.name, "primary key")))
        groups: list[tuple[Sequence[Unique | Index | Check | ForeignKey], str]] = [
            (entity.uniques, "unique"), (entity.indexes, "index"), (entity.checks, "check"),
            (entity.foreign_keys, "foreign key")]
        for group, kind in groups:
            for i, item in enumerate(group):
                if item.name:
                    out.append((item.name, kind, p(entity.name, kind, i, "attr", "name")))
        for f in entity.fields:
            if f.ref and f.ref.constraint:
                out.append((f.ref.constraint, "foreign key", p(entity.name, "field", f.name, "attr", "name")))
        return out

    def _check_names(self) -> None:
        tables: dict[str, str] = {}
        for name in self.order:
            entity = self.entities[name]
            self._valid_name(entity.name, self.path(name, "name"), "entity")
            table = entity.table_name.lower()
            if table in tables and tables[table] != name:
                self.error("R104", f"entities '{tables[table]}' and '{name}' both use the table name "
                           f"'{entity.table_name}'", self.path(name, "name"),
                           help="table names are compared without case; rename one with @table")
            tables[table] = name
            for f in entity.fields:
                if not f.name.isidentifier():
                    self._valid_name(f.name, self.path(name, "field", f.name, "name"), "field")
            if entity.tags:
                self._check_tags(entity.tags, self.path(name, "name"))
        for enum in self.schema.enums:
            self._valid_name(enum.name, ("enum", enum.name, "name"), "enum")
            if enum.name in self.entities:
                self.error("R122", f"'{enum.name}' is both an enum and an entity", ("enum", enum.name, "name"))
            elif enum.name.lower() in tables:
                self.error("R122", f"enum '{enum.name}' has the name of a table", ("enum", enum.name, "name"),
                           help="PostgreSQL creates a type for every table, so the names clash; rename the enum")
            if enum.name in BUILTIN_TYPES:
                self.error("R122", f"enum '{enum.name}' has the name of a built-in type", ("enum", enum.name, "name"))
            for v in enum.values:
                self._valid_name(v.name, ("enum", enum.name, "value", v.name), "enum value", allow_edges=True)

    def _valid_name(self, name: str, path: Path, kind: str, allow_edges: bool = False) -> None:
        if name.isidentifier():
            return  # the common case: nothing to check
        if not name.strip():
            self.error("R124", f"{kind} name is blank", path)
        elif _CONTROL.search(name):
            self.error("R124", f"{kind} name {name!r} contains a control character", path)
        elif not allow_edges and name != name.strip():
            self.error("R124", f"{kind} name '{name}' starts or ends with a space", path,
                       help="MySQL does not allow names that end with a space")

    def _check_tags(self, tags: Iterable[Any], path: Path) -> None:
        kinds = {t.kind for t in tags}
        if Sensitivity.PUBLIC in kinds and len(kinds) > 1:
            others = ", ".join(sorted(k.value for k in kinds if k is not Sensitivity.PUBLIC))
            self.error("R123", f"'@public' contradicts {others}", path,
                       help="a column is either public or sensitive; drop one of the tags")

    # -- one entity --------------------------------------------------------------------------------

    def _resolve_entity(self, entity: Entity) -> Entity:
        name = entity.name
        table = entity.table_name
        cols = self.columns(name)
        for f in entity.fields:
            self._check_field(entity, f)
        self._check_was(entity, cols)
        fields = [self._lower_default(entity, c) for c in cols.fields]
        self._check_backend_names(entity, fields)
        pk = self._primary_key(entity, table)
        uniques = self._uniques(entity, table)
        fks = self._foreign_keys(entity, table)
        checks = self._checks(entity, table)
        indexes = self._indexes(entity, table)
        access = [a for a in (self._access(entity, a) for a in entity.access_patterns) if a]
        policies = [self._policy(entity, p) for p in entity.policies]
        deps = [d for d in (self._dependency(entity, i, d) for i, d in enumerate(entity.dependencies)) if d]
        identities = [c.name for c in fields if c.identity]
        if len(identities) > 1 and any(c.identity != "serial" for c in fields if c.identity):
            # PostgreSQL allows several serial columns; MySQL and SQLite refuse them (B602)
            self.error("R115", f"'{name}' has more than one identity column: {', '.join(identities)}",
                       self.path(name, "field", identities[1], "attr", "identity"))
        return Entity(
            name=name, module=entity.module, table=entity.table, doc=entity.doc, tags=entity.tags, was=entity.was,
            denormalized=entity.denormalized, fields=tuple(fields), primary_key=pk,
            uniques=tuple(uniques), indexes=tuple(indexes), checks=tuple(checks),
            foreign_keys=tuple(fks), access_patterns=tuple(access), policies=tuple(policies),
            dependencies=tuple(deps),
        )

    def _check_was(self, entity: Entity, cols: _Columns) -> None:
        """A `@was(old)` names a name the table or field no longer has: one still in use in the
        same scope would make the migration rename the wrong thing."""
        if entity.was is None and all(f.was is None for f in entity.fields):
            return  # (the common case)
        if entity.was is not None:
            taken = {e.name.lower() for e in self.entities.values()} | {
                e.table_name.lower() for e in self.entities.values()}
            if entity.was.lower() in taken:
                self.error("R139", f"'@was({entity.was})' names a current entity or table",
                           self.path(entity.name, "attr", "was"),
                           help="@was gives the table's old name, one no entity has now")
        current = {f.name.lower() for f in entity.fields} | {c.name.lower() for c in cols.fields}
        for f in entity.fields:
            if f.was is not None and f.was.lower() in current:
                self.error("R139", f"'@was({f.was})' on '{entity.name}.{f.name}' names a current field",
                           self.path(entity.name, "field", f.name, "attr", "was"),
                           help="@was gives the field's old name, one no field of the entity has now")

    def _check_field(self, entity: Entity, f: Field) -> None:
        """Check a field; one that the parser shares between entities (equal fields are one
        object) and that had nothing wrong is checked once, as its checks read only the field."""
        if id(f) in self._fine:
            return
        problems = len(self.diagnostics)
        self._check_one_field(entity, f)
        if len(self.diagnostics) == problems:
            self._fine.add(id(f))

    def _check_one_field(self, entity: Entity, f: Field) -> None:
        at = self.path(entity.name, "field", f.name)
        if f.tags:
            self._check_tags(f.tags, (*at, "name"))
        if f.ref is not None:
            if f.ref.on_delete is Action.SET_NULL and not f.nullable:
                self.error("R117", f"'{f.name}' cannot be set to null: the reference is not nullable",
                           (*at, "attr", "on_delete"), help=f"make it nullable: '{f.name}: ref {f.ref.target}?'")
            if f.ref.on_update is Action.SET_NULL and not f.nullable:
                self.error("R117", f"'{f.name}' cannot be set to null: the reference is not nullable",
                           (*at, "attr", "on_update"), help=f"make it nullable: '{f.name}: ref {f.ref.target}?'")
            if f.primary_key and f.nullable:
                self.error("R132", f"primary key '{f.name}' cannot be nullable", (*at, "type"))
            return
        ty = f.type
        assert ty is not None
        if ty.name in BUILTIN_TYPES:
            lo, hi = BUILTIN_TYPES[ty.name]
            if not lo <= len(ty.params) <= hi:
                self.error("R119", _param_message(ty), (*at, "type"), help=_param_help(ty.name))
            elif ty.name == "decimal" and (ty.params[0] < 1 or (len(ty.params) > 1 and ty.params[1] > ty.params[0])):
                self.error("R119", f"{ty}: the scale must not exceed the precision, which must be at least 1",
                           (*at, "type"), help="decimal(precision, scale), for example decimal(12, 2)")
            elif ty.name in ("varchar", "char") and ty.params[0] < 1:
                self.error("R119", f"{ty}: the length must be at least 1", (*at, "type"))
        elif ty.name in self.enums:
            if ty.params:
                self.error("R119", f"enum '{ty.name}' takes no parameters", (*at, "type"))
        else:
            hint = suggest(ty.name, [*BUILTIN_TYPES, *self.enums], "types")
            if ty.name in self.entities:
                hint = f"'{ty.name}' is an entity: write '{f.name}: ref {ty.name}'"
            self.error("R102", f"unknown type '{ty.name}'", (*at, "type"), help=hint)
        if f.identity:
            if ty.name not in INTEGER_TYPES:
                self.error("R114", f"identity column '{f.name}' must be smallint, int or bigint, not {ty}",
                           (*at, "attr", "identity"))
            if f.default is not None:
                self.error("R133", f"identity column '{f.name}' cannot also have a default",
                           (*at, "attr", "default"), help="the identity generates its values; drop @default")
            if f.nullable:
                self.error("R133", f"identity column '{f.name}' cannot be nullable", (*at, "type"))
        if f.primary_key and f.nullable:
            self.error("R132", f"primary key '{f.name}' cannot be nullable", (*at, "type"),
                       help=f"drop the '?' after the type of '{f.name}'")

    def _lower_default(self, entity: Entity, col: Field) -> Field:
        """Check a column's default; an enum value written as a name becomes a string."""
        if col.default is None or col.type is None:
            return col
        at = self.path(entity.name, "field", col.name, "attr", "default")
        tree = expressions.parse(col.default)
        if isinstance(tree, expressions.ExprError):
            self.diagnostics.append(Diagnostic("S006", f"the default does not parse: {tree.message}", path=at,
                                               offset=(tree.offset, tree.length)))
            return col
        from sqlglot import exp

        enum = self.enums.get(col.type.name)
        if enum is not None:
            value = None
            if isinstance(tree, exp.Column) and not tree.table:
                value = tree.name
            elif isinstance(tree, exp.Literal) and tree.is_string:
                value = tree.this
            if value is not None:
                if value not in enum.value_names:
                    self.error("R109", f"'{value}' is not a value of enum '{enum.name}'", at,
                               help=suggest(value, enum.value_names, "values"))
                    return col
                return col.model_copy(update={"default": _quote(value)})
        for node in tree.walk():
            if isinstance(node, exp.Column):
                self.error("R131", f"the default refers to '{node.sql()}'; a default cannot use columns", at,
                           help="quote it if it is text: '" + node.name + "'")
                return col
        if col.type.name in BUILTIN_TYPES:
            problem = literal_problem(tree, col.type) or function_problem(tree, col.type)
            if problem:
                self.error("R110", f"the default does not fit {col.type}: {problem}", at)
        return col

def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _param_message(ty: Type) -> str:
    lo, hi = BUILTIN_TYPES[ty.name]
    if hi == 0:
        return f"{ty.name} takes no parameters"
    if lo == hi:
        return f"{ty.name} takes {lo} parameter{'s' if lo > 1 else ''}"
    return f"{ty.name} takes {lo} to {hi} parameters"


def _param_help(name: str) -> str | None:
    return {
        "varchar": "for example varchar(100); use text for unbounded strings",
        "char": "for example char(2)",
        "decimal": "decimal(precision, scale), for example decimal(12, 2)",
    }.get(name)


def resolve(schema: Schema, source_map: Any = None) -> tuple[Schema, list[Diagnostic]]:
    """Resolve a declared schema into its core form.

    Args:
        schema: the declared schema, as parsed (all files merged).
        source_map: if given, it learns where the constraints that resolution creates were
            declared (`("entity", E, "constraint", NAME)`), for diagnostics about them.

    Returns:
        The resolved schema and the diagnostics found. The schema is meaningful for the
        backends only when no diagnostic is an error.

    Example:
        >>> from schemac.dsl.parser import parse_text
        >>> s = parse_text("entity a { id: int @pk }\\nentity b { id: int @pk\\n a: ref a }").schema
        >>> resolve(s)[0].entities[1].foreign_keys[0].name
        'b_a_id_fkey'
    """
    resolver = Resolver(schema)
    out = resolver.run()
    if source_map is not None:
        for path, target in resolver.aliases.items():
            source_map.alias(path, target)
    return out, resolver.diagnostics


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
