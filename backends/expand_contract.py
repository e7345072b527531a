"""Expand and contract: renaming a column or changing its type while two versions of an
application run, on PostgreSQL and MySQL/MariaDB.

`render_expand_contract(old, new, dialect, changes)` splits one migration into two, each
with its DOWN:

* **expand** adds the column that replaces the old one (the new name for a rename,
  `<column>__new` for a type change), nullable and without a default; a trigger keeps the
  two equal in both directions while the old application writes the old column and the new
  one the new column; a batched backfill fills the rows that were there before; then the new
  column becomes NOT NULL where it must be (after a data check). The changes that only add
  (tables, columns, enum values, keys, checks, indexes, comments) come with it.
* **contract** drops the trigger and the old column, renames `<column>__new` to its final
  name and gives it its default and comment; every other change (drops, and changes to the
  other columns) comes with it. Keys, checks and indexes on a column that changes type are
  dropped before and created again after, on the new column.

Each replaced column is one operation of the migration renderers (`expand column`,
`unexpand column`, `contract column`, `uncontract column`: the last two are the DOWNs),
whose SQL each dialect writes (schemac.backends.migration_postgresql and
migration_mysql). `changes` is the differ's list: a rename is
`Change("rename column", table=<new table>, name=<new column>, old=<old Field>, new=<new Field>)`,
a type change `Change("alter column type", table, name, old=<old Type>, new=<new Type>)`.

Refused (an error, and the column is migrated as a plain change): a column of a primary or
foreign key, an identity column, a column of a renamed table, and SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemac.backends.migration import Migration, MigrationPair, migration_class
from schemac.diagnostics import Diagnostic, Severity
from schemac.differ import Change, diff
from schemac.expressions import column_names
from schemac.ir import Entity, Field, Schema

DIALECTS = ("postgresql", "mysql")
STEPS = ("expand", "contract")
SUFFIX = "__new"  # the replacing column's name while both exist, for a type change
REPLACING = ("rename column", "alter column type", "alter column overrides")
# What the expand migration takes along: changes that only add, which the old application
# does not notice. Everything else waits for the contract migration.
EXPANDING = frozenset({
    "add table", "add column", "add enum", "add enum value", "add primary key", "add unique", "add check",
    "add index", "add foreign key", "alter column doc", "alter table comment", "alter enum comment",
})
_MEMBERS = (("unique", "uniques"), ("check", "checks"), ("index", "indexes"))
_UNDO = {"add": "drop", "drop": "add", "expand": "unexpand", "unexpand": "expand",
         "contract": "uncontract", "uncontract": "contract"}


@dataclass(frozen=True)
class Sync:
    """A column (`source`, as OLD defines it) replaced by another (`target`, as it is while
    both exist: NEW's type and nullability, a temporary name for a type change, no default
    and no comment yet); `final` is the replacing column as NEW defines it."""

    table: str
    source: Field
    target: Field
    final: Field

    @property
    def renamed(self) -> bool:
        """Whether the target gets its final name only in the contract (a type change)."""
        return self.target.name != self.final.name


def sync_of(change: Change) -> Sync:
    """The two columns of an `expand column` operation or of its reverse."""
    old, new = (change.new, change.old) if change.kind.startswith("un") else (change.old, change.new)
    temporary = new.name if new.name != old.name else new.name + SUFFIX
    target = new.model_copy(update={"name": temporary, "default": None, "doc": None})
    return Sync(change.table or "", old, target, new)


@dataclass
class ExpandContract:
    """The four files: expand UP and DOWN, contract UP and DOWN."""

    expand: MigrationPair
    contract: MigrationPair
    diagnostics: list[Diagnostic]

    def scripts(self) -> dict[str, Migration]:
        """Each file by its name's ending: `expand.up`, `expand.down`, `contract.up`, `contract.down`."""
        return {"expand.up": self.expand.up, "expand.down": self.expand.down,
                "contract.up": self.contract.up, "contract.down": self.contract.down}

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        found = self.diagnostics + [d for m in self.scripts().values() for d in m.diagnostics]
        return list(dict.fromkeys(found))


def render_expand_contract(old: Schema, new: Schema, dialect: str, changes: list[Change] | None = None, *,
                           batch_size: int = 1000, online: bool = False) -> ExpandContract:
    """The expand and contract migrations (each UP and DOWN) between two resolved specs.

    Args:
        old, new: the two versions of the spec.
        dialect: `postgresql` or `mysql` (others raise ValueError).
        changes: the differ's operations (default: `diff(old, new)`), renames included.
        batch_size: rows each backfill statement updates.

    Returns:
        The four migrations, and the errors of the columns that cannot be replaced this way.

    Example:
        >>> from schemac.api import load_text
        >>> a = load_text("entity t { id: int @pk\\n n: int }").schema
        >>> b = load_text("entity t { id: int @pk\\n n: bigint }").schema
        >>> ec = render_expand_contract(a, b, "postgresql")
        >>> 'ADD COLUMN "n__new" BIGINT;' in ec.expand.up.sql
        True
    """
    if dialect not in DIALECTS:
        raise ValueError(f"--strategy expand-contract is for PostgreSQL and MySQL, not {dialect}")
    changes = diff(old, new) if changes is None else list(changes)
    expand, contract, problems = split(old, new, changes)
    cls = migration_class(dialect)
    pairs = []
    for step, ups in (("expand", expand), ("contract", contract)):
        options: dict[str, Any] = {"online": online, "step": step, "batch_size": batch_size}
        up = cls(old, new, changes=ups, **options).render()
        downs = [undo(c) for c in ups if sync_kind(c)]  # in column order
        downs += [undo(c) for c in reversed(ups) if not sync_kind(c)]
        down = cls(new, old, changes=downs, undoing=up.changes, **options).render()
        pairs.append(MigrationPair(up, down))
    return ExpandContract(pairs[0], pairs[1], problems)


def sync_kind(change: Change) -> bool:
    """Whether an operation replaces a column (expand, contract, and their DOWNs)."""
    return change.kind.partition(" ")[0] in _UNDO and change.kind.endswith(" column") and \
        not change.kind.startswith(("add ", "drop "))


def undo(change: Change) -> Change:
    """The operation that reverses `change` (for the DOWN files)."""
    verb, _, rest = change.kind.partition(" ")
    return Change(f"{_UNDO.get(verb, verb)} {rest}", change.table, change.name, change.new, change.old)


def split(old: Schema, new: Schema, changes: list[Change]) -> tuple[list[Change], list[Change], list[Diagnostic]]:
    """The operations of the expand and of the contract migration, and the refusals."""
    before = {e.table_name: e for e in old.entities}
    after = {e.table_name: e for e in new.entities}
    renamed_tables = {c.table for c in changes if c.kind == "rename table"}
    replaced: dict[tuple[str, str], tuple[Field, Field]] = {}
    problems: list[Diagnostic] = []
    for c in sorted(changes, key=lambda c: c.kind != "rename column"):  # renames first
        key = (c.table or "", c.name or "")
        if c.kind not in REPLACING or key in replaced:
            continue
        was: Field | None = c.old if c.kind == "rename column" else before[key[0]].field(key[1])
        now: Field | None = c.new if c.kind == "rename column" else after[key[0]].field(key[1])
        if was is None or now is None:
            continue
        why = refusal(old, new, key[0], was, now, renamed_tables)
        if why:
            problems.append(Diagnostic("B602", f"cannot expand and contract column {key[0]}.{key[1]}: {why}; "
                                               "it is migrated as a plain change in the contract migration",
                                       Severity.ERROR))
        else:
            replaced[key] = (was, now)
    replaced = dict(sorted(replaced.items(), key=lambda item: _position(before, item[0][0], item[1][0].name)))
    retyped = {(t, name) for (t, name), (a, _) in replaced.items() if a.name == name}
    expand = [Change("expand column", t, name, a, b) for (t, name), (a, b) in replaced.items()]
    contract = [Change("contract column", t, name, a, b) for (t, name), (a, b) in replaced.items()]
    for c in changes:
        absorbed = c.kind == "rename column" or c.kind.startswith("alter column")
        if absorbed and (c.table or "", c.name or "") in replaced:
            continue  # the replacing column has its whole new definition
        if c.kind in EXPANDING and not _on(c, retyped):
            expand.append(c)
        else:
            contract.append(c)
    contract += _around(before, after, retyped, changes)
    return expand, contract, problems


def _position(tables: dict[str, Entity], table: str, column: str) -> tuple[str, int]:
    """A replaced column's place in OLD: the operations run in column order, so MySQL can put a
    column restored by a DOWN after the one before it."""
    return table, [f.name for f in tables[table].fields].index(column)


def refusal(old: Schema, new: Schema, table: str, a: Field, b: Field, renamed_tables: set[str | None]) -> str:
    """Why a column cannot be replaced by expand and contract ('' when it can)."""
    entities = [e for s in (old, new) for e in s.entities]
    if table in renamed_tables:
        return "its table is renamed too"
    if a.identity or b.identity:
        return "it is an identity column"
    mine = [e for e in entities if e.table_name == table]
    if any(e.primary_key is not None and {a.name, b.name} & set(e.primary_key.columns) for e in mine):
        return "it is part of the primary key"
    names = {e.name for e in mine}
    if any({a.name, b.name} & set(fk.columns) for e in mine for fk in e.foreign_keys) or \
            any(fk.target in names and {a.name, b.name} & set(fk.target_columns) for e in entities
                for fk in e.foreign_keys):
        return "a foreign key uses it"
    return ""


def touches(member: Any, column: str) -> bool:
    """Whether a unique key, check or index reads `column`."""
    names: set[str | None] = set()
    texts = [getattr(member, "expression", None), getattr(member, "where", None)]
    for col in getattr(member, "columns", ()):
        if isinstance(col, str):
            names.add(col)
        else:
            names.add(col.column)
            texts.append(col.expression)
    names |= {n for text in texts if text for n, _ in column_names(text)}
    return column in names


def _on(change: Change, retyped: set[tuple[str, str]]) -> bool:
    """Whether an added key, check or index reads a column that changes type (it is created in
    the contract, once the column has its final name)."""
    return change.kind in ("add unique", "add check", "add index") and \
        any(t == change.table and touches(change.new, name) for t, name in retyped)


def _around(before: dict[str, Entity], after: dict[str, Entity], retyped: set[tuple[str, str]],
            changes: list[Change]) -> list[Change]:
    """Drop-and-add pairs for the kept keys, checks and indexes on a column that changes type:
    dropping the old column would take them along."""
    touched = {(c.table, c.kind.partition(" ")[2], c.name) for c in changes
               if c.kind.partition(" ")[0] in ("add", "drop")}
    out: list[Change] = []
    for label, attribute in _MEMBERS:
        for table in sorted({t for t, _ in retyped}):
            kept = {m.name: m for m in getattr(after[table], attribute)}
            for member in getattr(before[table], attribute):
                if (table, label, member.name) in touched or member.name not in kept:
                    continue
                if any(touches(member, name) for t, name in retyped if t == table):
                    out += [Change(f"drop {label}", table, member.name, member, None),
                            Change(f"add {label}", table, member.name, None, kept[member.name])]
    return out
