"""Whether two catalogs of the same engine describe the same schema, and where they differ.

`compare(a, b)` walks two `Catalog`s (schemac.catalog) table by table and returns one
`Difference` per thing that is not the same: a table, column, key, foreign key, check,
index, comment, enum type or sequence missing on one side or different on both, or a
table's partitioning (PostgreSQL's key, parent and bound) or options (UNLOGGED...). An empty list means
the two databases are identical as far as a schema goes. The import and inspect round trips
are judged by it, and the migration differ starts from the same walk.

What counts as the same:

* names are compared exactly, as the engine reports them;
* constraints and indexes are matched by name (unnamed ones, which SQLite reports for
  constraints written without `CONSTRAINT name`, by their columns), so their order in the
  catalog does not matter; columns are compared in order, since their order is part of the
  table;
* SQL texts the engine keeps as written (SQLite's defaults, checks and index predicates) are
  compared token by token, ignoring whitespace, identifier quotes, the ASCII case of words
  and identifiers (SQLite's names are case-insensitive) and the outermost parentheses, with
  SQLite's synonyms `!=`/`<>`, `==`/`=`, `true`/`1` and `false`/`0` taken as one; texts
  the engine rewrites itself (PostgreSQL, MySQL) are compared as the engine wrote them;
* the CREATE INDEX text PostgreSQL writes (`Index.definition`) is compared too, so an
  operator class, a collation or INCLUDE columns count; SQLite's, kept as written, is not;
* on MySQL, a foreign key's RESTRICT and NO ACTION are the same action (InnoDB checks both
  at once);
* on SQLite, an INTEGER PRIMARY KEY column counts as NOT NULL (it is the rowid), and the
  names of primary keys, unique, foreign-key and check constraints are not compared: SQLite
  keeps them only as text inside CREATE TABLE and no statement refers to them (a migration
  rebuilds the table), so a constraint written without a name and one written with
  schemac's name are the same constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from schemac.catalog import Catalog, Column, ForeignKey, Index, Table
from schemac.ddl_text import tokenize


@dataclass(frozen=True)
class Difference:
    """One thing that differs: `path` locates it (`("table", "t", "column", "c", "type")`);
    `before` is the value in the first catalog and `after` in the second (None: absent)."""

    path: tuple[str, ...]
    before: Any
    after: Any

    def __str__(self) -> str:
        where = ".".join(self.path)
        if self.before is None:
            return f"{where}: only in the second ({_short(self.after)})"
        if self.after is None:
            return f"{where}: only in the first ({_short(self.before)})"
        return f"{where}: {_short(self.before)} != {_short(self.after)}"


def compare(a: Catalog, b: Catalog) -> list[Difference]:
    """The differences between two catalogs of one dialect; [] when they are identical.

    Example:
        >>> compare(read_catalog(conn_a, "sqlite"), read_catalog(conn_b, "sqlite"))  # doctest: +SKIP
        [Difference(path=('table', 'order', 'column', 'total', 'type'), before='numeric(12,2)', after='numeric(10,2)')]
    """
    if a.dialect != b.dialect:
        raise ValueError(f"cannot compare a {a.dialect} catalog with a {b.dialect} one")
    loose = a.dialect == "sqlite"
    if loose:
        a, b = _unnamed(a), _unnamed(b)
    out: list[Difference] = []
    for name in _names(a.tables, b.tables):
        ta, tb = a.tables.get(name), b.tables.get(name)
        if ta is None or tb is None:
            out.append(Difference(("table", name), _summary(ta), _summary(tb)))
            continue
        out.extend(_table(ta, tb, loose, a.dialect == "mysql"))
    for name in _names(a.enums, b.enums):
        ea, eb = a.enums.get(name), b.enums.get(name)
        if ea != eb:
            out.append(Difference(("enum", name), ea, eb))
    for name in _names(a.sequences, b.sequences):
        sa, sb = a.sequences.get(name), b.sequences.get(name)
        if sa != sb:
            out.append(Difference(("sequence", name), sa, sb))
    objects_a = {(o.kind, o.name): comparable_sql(o.definition, loose) for o in a.objects}
    objects_b = {(o.kind, o.name): comparable_sql(o.definition, loose) for o in b.objects}
    for key in sorted(set(objects_a) | set(objects_b)):
        if objects_a.get(key) != objects_b.get(key):
            out.append(Difference(key, objects_a.get(key), objects_b.get(key)))
    return out


def _unnamed(catalog: Catalog) -> Catalog:
    """A SQLite catalog without constraint names (indexes keep theirs), and with an INTEGER
    PRIMARY KEY column NOT NULL whether declared so or not: it is the rowid, never NULL."""
    from dataclasses import replace

    tables = {}
    for name, t in catalog.tables.items():
        pk = t.primary_key.columns if t.primary_key else ()
        columns = tuple(replace(c, nullable=False) if pk == (c.name,) and c.type.upper() == "INTEGER" else c
                        for c in t.columns)
        tables[name] = replace(
            t, columns=columns, primary_key=replace(t.primary_key, name=None) if t.primary_key else None,
            uniques=tuple(replace(u, name=None) for u in t.uniques),
            foreign_keys=tuple(replace(f, name=None) for f in t.foreign_keys),
            checks=tuple(replace(c, name=None) for c in t.checks))
    return replace(catalog, tables=tables)


def _table(a: Table, b: Table, loose: bool, mysql: bool = False) -> list[Difference]:
    base = ("table", a.name)
    out: list[Difference] = []
    if a.column_names != b.column_names:
        out.append(Difference((*base, "columns"), a.column_names, b.column_names))
    for ca in a.columns:
        cb = next((c for c in b.columns if c.name == ca.name), None)
        if cb is not None:
            out.extend(_column(base, ca, cb, loose))
    for what in ("comment", "partition_by", "partition_of", "partition_bound", "beyond"):
        if getattr(a, what) != getattr(b, what):
            out.append(Difference((*base, what.replace("_", " ")), getattr(a, what), getattr(b, what)))
    if a.primary_key != b.primary_key:
        out.append(Difference((*base, "primary key"), a.primary_key, b.primary_key))
    out.extend(_members((*base, "unique"), a.uniques, b.uniques))
    keys_a, keys_b = (_folded(_innodb(k, mysql), loose) for k in (a.foreign_keys, b.foreign_keys))
    out.extend(_members((*base, "foreign key"), keys_a, keys_b))
    checks_a = [(c.name, comparable_sql(c.definition, loose)) for c in a.checks]
    checks_b = [(c.name, comparable_sql(c.definition, loose)) for c in b.checks]
    out.extend(_members((*base, "check"), checks_a, checks_b, key=lambda c: c[0] or c[1]))
    out.extend(_members((*base, "index"), [_index(i, loose) for i in a.indexes],
                        [_index(i, loose) for i in b.indexes], key=lambda i: i.name))
    return out


def _innodb(keys: Sequence[ForeignKey], mysql: bool) -> Sequence[ForeignKey]:
    """Foreign keys as compared. InnoDB treats NO ACTION as RESTRICT (both check at once; the
    MySQL manual, "FOREIGN KEY Constraints", and MariaDB's, "Foreign Keys"), and MariaDB
    reports an action a statement leaves out as RESTRICT where MySQL 8 says NO ACTION: the
    two are one action, so MySQL's are compared as NO ACTION."""
    if not mysql:
        return keys
    def same(action: str) -> str:
        return "NO ACTION" if action == "RESTRICT" else action

    return [replace(k, on_delete=same(k.on_delete), on_update=same(k.on_update)) for k in keys]


def _folded(keys: Sequence[ForeignKey], loose: bool) -> Sequence[ForeignKey]:
    """On SQLite, whose names are case-insensitive, a foreign key's target as written
    (`REFERENCES Users (ID)` for table `users`) in lower case."""
    if not loose:
        return keys
    return [replace(k, referenced_table=k.referenced_table.lower(),
                    referenced_columns=tuple(c.lower() for c in k.referenced_columns)) for k in keys]


def _column(base: tuple[str, ...], a: Column, b: Column, loose: bool) -> list[Difference]:
    out = []
    for f in fields(Column):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if f.name in ("default", "generated") and loose:
            va, vb = comparable_sql(va, True), comparable_sql(vb, True)
        if va != vb:
            out.append(Difference((*base, "column", a.name, f.name), va, vb))
    return out


def _index(index: Index, loose: bool) -> Index:
    """The index as compared: SQL texts normalised; the CREATE INDEX text only where the
    engine writes it itself (PostgreSQL), not as written (SQLite)."""
    parts = tuple(p if p.expression is None else replace(p, expression=comparable_sql(p.expression, loose))
                  for p in index.parts)
    return replace(index, parts=parts, predicate=comparable_sql(index.predicate, loose),
                   definition=None if loose else index.definition)


def _members(path: tuple[str, ...], a: Sequence[Any], b: Sequence[Any], key: Any = None) -> list[Difference]:
    """Named members (constraints, indexes) matched by name, or by columns when unnamed."""
    key = key or (lambda m: m.name or ",".join(m.columns))
    by_a = {key(m): m for m in a}
    by_b = {key(m): m for m in b}
    return [Difference((*path, str(k)), by_a.get(k), by_b.get(k))
            for k in _names(by_a, by_b) if by_a.get(k) != by_b.get(k)]


def comparable_sql(text: str | None, loose: bool) -> str | None:
    """An SQL text for comparison; with `loose` (SQLite, which keeps texts as written), its
    tokens with quotes, case of words and outer parentheses dropped."""
    if text is None or not loose:
        return text
    tokens = [t for t in tokenize(text) if t.kind != "comment"]
    while len(tokens) >= 2 and tokens[0].text == "(" and _closes_at_end(tokens):
        tokens = tokens[1:-1]
    return " ".join(_sqlite_token(t) for t in tokens)


# Spellings SQLite gives one meaning (https://sqlite.org/lang_expr.html): `!=` is `<>`, `==` is
# `=`, and TRUE and FALSE are other names of the integers 1 and 0 (since 3.23). sqlglot writes
# `<>`, and a backend `false` where a dump says `0`, so only the spelling differs.
_SQLITE_SAME = {"!=": "<>", "==": "=", "true": "1", "false": "0"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _sqlite_token(t: Any) -> str:
    """A token as SQLite reads it. Identifiers quoted or not name the same column in any
    ASCII case (`Lock`, `"Lock"` and `lock`): SQLite folds only ASCII letters."""
    if t.kind == "ident":
        return str(t.value).translate(_ASCII_LOWER)
    text = t.text.translate(_ASCII_LOWER) if t.kind == "word" else t.text
    return _SQLITE_SAME.get(text, text)


def _closes_at_end(tokens: list[Any]) -> bool:
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth == 0:
                return i == len(tokens) - 1
    return False


def _names(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return sorted(set(a) | set(b))


def _summary(table: Table | None) -> str | None:
    return None if table is None else f"{len(table.columns)} columns"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
