"""Resolving what an entity declares besides its columns: primary key, uniques, foreign
keys, checks, indexes, access patterns, policies and functional dependencies.

`MemberResolver` is a part of `schemac.resolve.Resolver`, kept in its own module for size: each
method turns one kind of declaration into its core form, with columns for field and
relationship names and a deterministic name (`naming.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from schemac import expressions
from schemac.diagnostics import suggest
from schemac.ir import (
    AccessPattern,
    Action,
    Check,
    Dependency,
    Entity,
    Enum,
    Field,
    ForeignKey,
    Index,
    IndexColumn,
    OrderItem,
    Policy,
    Predicate,
    PrimaryKey,
    Unique,
)
from schemac.naming import NameRegistry

Path = tuple[Any, ...]


class MemberResolver:
    names: NameRegistry
    entities: dict[str, Entity]
    enums: dict[str, Enum]
    aliases: dict[Path, Path]

    if TYPE_CHECKING:  # provided by Resolver
        def path(self, entity: str, *rest: Any) -> Path: ...
        def error(self, code: str, message: str, path: Path, **kw: Any) -> None: ...
        def columns(self, name: str) -> Any: ...
        def resolve_names(self, entity: Entity, names: Iterable[str], path: Path) -> tuple[str, ...] | None: ...
        def check_expression(self, entity: Entity, text: str, path: Path, what: str,
                             extra_names: Iterable[str] = ()) -> Any: ...
        def key_columns(self, entity: Entity, names: Iterable[str], at: Path) -> list[Field]: ...
        def _is_key(self, entity: Entity, cols: list[str]) -> bool: ...
        def _ref_columns(self, entity: Entity, f: Field) -> list[tuple[str, Field]]: ...
        def _pk_names(self, entity: Entity) -> tuple[str, ...]: ...

    def _primary_key(self, entity: Entity, table: str) -> PrimaryKey | None:
        at = self.path(entity.name, "primary key")
        names = self._pk_names(entity)
        marked = [f.name for f in entity.fields if f.primary_key]
        if entity.primary_key is not None and marked:
            self.error("R116", f"'{entity.name}' has both '@pk' on '{marked[0]}' and a 'primary key' declaration",
                       at, help="keep one of the two")
        if entity.keyless:
            if names:
                self.error("R116", f"'{entity.name}' is @keyless but declares a primary key",
                           self.path(entity.name, "name"), help="drop @keyless, or the primary key")
            return None
        if not names:
            self.error("R107", f"entity '{entity.name}' has no primary key", self.path(entity.name, "name"),
                       help="mark a field with @pk, or declare 'primary key (a, b)' in the entity; "
                            "a table without one on purpose is marked @keyless")
            return None
        cols = self.resolve_names(entity, names, at)
        if cols is None:
            return None
        by_name = {c.name: c for c in self.columns(entity.name).fields}
        for c in cols:
            if by_name[c].nullable and c not in marked:
                self.error("R132", f"primary key column '{c}' cannot be nullable", at)
        name = entity.primary_key.name if entity.primary_key and entity.primary_key.name else None
        pk = PrimaryKey(columns=cols, name=name or self.names.choose(table, [], "pkey"))
        declared_at = at if entity.primary_key else self.path(entity.name, "field", marked[0], "attr", "pk")
        self._origin(entity, pk.name, declared_at)
        return pk

    def _origin(self, entity: Entity, name: str | None, declared: Path) -> None:
        if name is not None:
            self.aliases[("entity", entity.name, "constraint", name)] = declared

    def _uniques(self, entity: Entity, table: str) -> list[Unique]:
        out: list[Unique] = []
        items: list[tuple[tuple[str, ...], str | None, Path]] = [
            ((f.name,), None, self.path(entity.name, "field", f.name, "attr", "unique"))
            for f in entity.fields if f.unique]
        items += [(u.columns, u.name, self.path(entity.name, "unique", i)) for i, u in enumerate(entity.uniques)]
        for names, given, at in items:
            cols = self.resolve_names(entity, names, at)
            if cols is None:
                continue
            out.append(Unique(columns=cols, name=given or self.names.choose(table, cols, "key")))
            self._origin(entity, out[-1].name, at)
        return out

    def _foreign_keys(self, entity: Entity, table: str) -> list[ForeignKey]:
        out: list[ForeignKey] = []
        for f in entity.fields:
            if f.ref is None:
                continue
            pairs = self._ref_columns(entity, f)
            if not pairs:
                continue
            cols = tuple(p[0] for p in pairs)
            name = f.ref.constraint or self.names.choose(table, cols, "fkey")
            self._origin(entity, name, self.path(entity.name, "field", f.name))
            out.append(ForeignKey(columns=cols, target=f.ref.target, target_columns=tuple(p[1].name for p in pairs),
                                  on_delete=f.ref.on_delete, on_update=f.ref.on_update, name=name))
        for i, fk in enumerate(entity.foreign_keys):
            at = self.path(entity.name, "foreign key", i)
            resolved = self._explicit_fk(entity, fk, at)
            if resolved is not None:
                name = fk.name or self.names.choose(table, resolved.columns, "fkey")
                out.append(resolved.model_copy(update={"name": name}))
                self._origin(entity, out[-1].name, at)
        return out

    def _explicit_fk(self, entity: Entity, fk: ForeignKey, at: Path) -> ForeignKey | None:
        cols = self.resolve_names(entity, fk.columns, at)
        target = self.entities.get(fk.target)
        if target is None:
            self.error("R101", f"unknown entity '{fk.target}'", (*at, "target"),
                       help=suggest(fk.target, self.entities, "entities"))
            return None
        keys = self.key_columns(target, fk.target_columns, (*at, "target"))
        if cols is None or not keys:
            return None
        if len(cols) != len(keys):
            self.error("R126", f"the foreign key has {len(cols)} column(s) but refers to {len(keys)}", at)
            return None
        if not self._is_key(target, [k.name for k in keys]):
            self.error("R113", f"({', '.join(k.name for k in keys)}) is not a key of '{target.name}'", (*at, "target"),
                       help="a foreign key must point at the primary key or a unique key")
        by_name = {c.name: c for c in self.columns(entity.name).fields}
        for c, k in zip(cols, keys, strict=True):
            if by_name[c].type != k.type:
                self.error("R108", f"'{c}' is {by_name[c].type} but '{target.name}.{k.name}' is {k.type}",
                           (*at, "column", c), help=f"declare '{c}' as {k.type}")
            if fk.on_delete is Action.SET_NULL and not by_name[c].nullable:
                self.error("R117", f"on_delete set_null needs '{c}' to be nullable", (*at, "attr", "on_delete"))
        return fk.model_copy(update={"columns": cols, "target_columns": tuple(k.name for k in keys)})

    def _checks(self, entity: Entity, table: str) -> list[Check]:
        out: list[Check] = []
        for f in entity.fields:
            for i, text in enumerate(f.checks):
                at = self.path(entity.name, "field", f.name, "attr", "check", i)
                if self.check_expression(entity, text, at, "the check") is None:
                    continue
                out.append(Check(expression=text, name=self.names.choose(table, [f.name], "check")))
                self._origin(entity, out[-1].name, at)
        for i, check in enumerate(entity.checks):
            at = self.path(entity.name, "check", i, "expr")
            tree = self.check_expression(entity, check.expression, at, "the check")
            if tree is None:
                continue
            used = list(dict.fromkeys(c.name for c in expressions.columns(tree)))
            name = check.name or self.names.choose(table, used if len(used) == 1 else [], "check")
            out.append(Check(expression=check.expression, name=name))
            self._origin(entity, name, self.path(entity.name, "check", i))
        return out

    def _indexes(self, entity: Entity, table: str) -> list[Index]:
        out: list[Index] = []
        items = [(Index(columns=(IndexColumn(column=f.name),)),
                  self.path(entity.name, "field", f.name, "attr", "index")) for f in entity.fields if f.indexed]
        items += [(ix, self.path(entity.name, "index", i)) for i, ix in enumerate(entity.indexes)]
        for ix, at in items:
            columns: list[IndexColumn] = []
            parts: list[str] = []
            ok = True
            for c in ix.columns:
                if c.column is not None:
                    cols = self.resolve_names(entity, [c.column], at)
                    if cols is None:
                        ok = False
                        continue
                    columns.extend(c if x == c.column and c.expression is None else
                                   IndexColumn(column=x, descending=c.descending) for x in cols)
                    parts.extend(cols)
                else:
                    tree = self.check_expression(entity, c.expression or "", (*at, "column", c.expression),
                                                 "the index expression")
                    if tree is None:
                        ok = False
                        continue
                    columns.append(c)
                    parts.append(_expression_label(tree))
            if ix.where is not None and self.check_expression(entity, ix.where, (*at, "attr", "where"),
                                                              "the index condition") is None:
                ok = False
            if not ok:
                continue
            if len({c.column for c in columns if c.column}) != len([c for c in columns if c.column]):
                self.error("R137", "a column appears twice in the index", at)
                continue
            out.append(Index(columns=tuple(columns), name=ix.name or self.names.choose(table, parts, "idx"),
                             unique=ix.unique, where=ix.where, method=ix.method))
            self._origin(entity, out[-1].name, at)
        return out

    def _access(self, entity: Entity, pattern: AccessPattern) -> AccessPattern | None:
        at = self.path(entity.name, "access", pattern.name)
        by_name = {c.name: c for c in self.columns(entity.name).fields}
        preds: list[Predicate] = []
        ok = True
        for p in pattern.predicates:
            cols = self.resolve_names(entity, [p.column], at)
            if cols is None:
                ok = False
                continue
            if len(cols) > 1 and p.op not in ("=", "is null", "is not null"):
                self.error("R136", f"'{p.column}' spans {len(cols)} columns; only '=' and 'is null' apply to it",
                           (*at, "column", p.column))
                ok = False
                continue
            for c in cols:
                self._check_values(entity, by_name[c], p, (*at, "column", p.column))
                preds.append(p if c == p.column else Predicate(column=c, op=p.op, values=p.values))
        order: list[OrderItem] = []
        for o in pattern.order_by:
            cols = self.resolve_names(entity, [o.column], at)
            if cols is None:
                ok = False
                continue
            order.extend(o if c == o.column else OrderItem(column=c, descending=o.descending) for c in cols)
        if pattern.limit is not None and pattern.limit < 1:
            self.error("R136", "the limit must be at least 1", at)
        if not ok:
            return None
        if _same_items(preds, pattern.predicates) and _same_items(order, pattern.order_by):
            return pattern  # (its columns were columns already)
        return AccessPattern(name=pattern.name, predicates=tuple(preds), order_by=tuple(order),
                             limit=pattern.limit, doc=pattern.doc)

    def _check_values(self, entity: Entity, col: Field, p: Predicate, at: Path) -> None:
        enum = self.enums.get(col.type.name) if col.type else None
        for v in p.values:
            if v == "?" or v.startswith("'") or enum is None:
                continue
            if v not in enum.value_names and not v.lstrip("-").replace(".", "").isdigit():
                self.error("R128", f"'{v}' is not a value of enum '{enum.name}'", at,
                           help=suggest(v, enum.value_names, "values"))

    def _policy(self, entity: Entity, policy: Policy) -> Policy:
        """Check a policy's expressions, and that they suit its command as PostgreSQL
        requires: SELECT and DELETE policies filter with `using` only, INSERT policies check
        new rows with `@check` only."""
        at = self.path(entity.name, "policy", policy.name)
        if policy.using is not None:
            self.check_expression(entity, policy.using, (*at, "expr"), "the policy")
        if policy.check is not None:
            self.check_expression(entity, policy.check, (*at, "attr", "check", 0), "the policy check")
        if policy.using is None and policy.check is None:
            self.error("R130", f"policy '{policy.name}' has no condition", (*at, "name"),
                       help="add 'using (condition)', or @check(condition) for inserts")
        elif policy.command == "insert" and policy.using is not None:
            self.error("R130", f"policy '{policy.name}' is for insert, which has no existing rows to filter",
                       (*at, "expr"), help="write the condition as @check(...)")
        elif policy.command in ("select", "delete") and policy.check is not None:
            self.error("R130", f"policy '{policy.name}' is for {policy.command}, which writes no rows to check",
                       (*at, "attr", "check"), help="drop @check(...)")
        return policy

    def _dependency(self, entity: Entity, i: int, dep: Dependency) -> Dependency | None:
        at = self.path(entity.name, "fd", i)
        lhs = self.resolve_names(entity, dep.determinant, at)
        rhs = self.resolve_names(entity, dep.dependent, at)
        if lhs is None or rhs is None:
            return None
        return dep.model_copy(update={"determinant": lhs, "dependent": rhs})


def _same_items(items: list[Any], given: tuple[Any, ...]) -> bool:
    return len(items) == len(given) and all(a is b for a, b in zip(items, given, strict=True))


def _expression_label(tree: Any) -> str:
    """The name PostgreSQL gives an index column for an expression: its function, or `expr`."""
    from sqlglot import exp

    if isinstance(tree, exp.Func):
        name = tree.sql_name() if not isinstance(tree, exp.Anonymous) else tree.name
        return name.lower()
    return "expr"
