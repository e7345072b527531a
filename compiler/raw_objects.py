"""What the statements of an `sql` block create, and the SQL that undoes each (issue 5).

A migration changes a raw SQL block by undoing what OLD's block created and running NEW's:
`statements(block, dialect)` reads each statement's head -- `CREATE [OR REPLACE] VIEW v`,
`CREATE FUNCTION f(a int DEFAULT 1)`, `CREATE TRIGGER t ... ON tbl`, `COMMENT ON ... IS`,
`GRANT ... TO` -- and gives the statement that undoes it (`DROP VIEW v`, `DROP FUNCTION
f(a int)`, `DROP TRIGGER t ON tbl`, `COMMENT ON ... IS NULL`, `REVOKE ... FROM`), or none when
the statement is not one of those (an INSERT, an ALTER): the migration then says that it
leaves what that statement did in place.

Names are kept as the block writes them (quoted or not, qualified or not), so the undoing
statement names the same object the engine created.

Example:
    >>> [s.undo for s in statements("CREATE OR REPLACE VIEW active AS SELECT 1; "
    ...                             "COMMENT ON VIEW active IS 'x'", "postgresql")]
    ['DROP VIEW active', 'COMMENT ON VIEW active IS NULL']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from schemac.ddl_text import Token, split_statements, tokenize

# Object kinds a CREATE statement can make, longest first, as `DROP <kind>` names them.
_KINDS = ("MATERIALIZED VIEW", "VIRTUAL TABLE", "FOREIGN TABLE", "VIEW", "FUNCTION", "PROCEDURE", "TRIGGER",
          "DOMAIN", "TYPE", "EXTENSION", "SCHEMA", "SEQUENCE", "INDEX", "TABLE", "POLICY", "RULE", "EVENT",
          "AGGREGATE", "COLLATION")
# Words that may come between CREATE and the kind.
_MODIFIERS = frozenset({"OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE", "RECURSIVE", "CONSTRAINT", "TRUSTED",
                        "PROCEDURAL", "GLOBAL", "LOCAL", "UNLOGGED", "DEFINER", "ALGORITHM", "SQL", "SECURITY",
                        "INVOKER", "UNDEFINED", "MERGE", "TEMPTABLE", "FULLTEXT", "SPATIAL", "DEFAULT"})
# Kinds whose DROP names the table they are on: PostgreSQL's triggers, policies and rules,
# MySQL's indexes.
_ON_TABLE = {"postgresql": ("TRIGGER", "POLICY", "RULE"), "mysql": ("INDEX",), "sqlite": ()}


@dataclass(frozen=True)
class RawStatement:
    """One statement of an `sql` block: what it creates (`kind` and `name` as written, ""
    when it creates nothing schemac knows) and the statement that undoes it (None: unknown)."""

    sql: str
    kind: str
    name: str
    undo: str | None

    @property
    def bare_name(self) -> str:
        """The object's own name, unquoted and lower-cased (`public."Active"` -> `active`)."""
        last = tokenize(self.name)[-1:] if self.name else []
        return last[0].value.lower() if last else ""


def statements(block: str, dialect: str) -> list[RawStatement]:
    """The statements of an `sql` block, in order, each with its undoing statement."""
    if dialect == "mysql" and re.search(r"\bBEGIN\b", block, re.I) and re.search(r"\bEND\b", block, re.I):
        pieces = [block.strip().rstrip(";").strip()]  # a compound body: one statement, as the DDL writes it
    else:
        pieces = split_statements(block, dialect)
    return [_statement(piece, dialect) for piece in pieces]


def references(block: str) -> set[str]:
    """Every name the block mentions, unquoted and lower-cased (a superset of the objects it
    depends on: keywords and column names are in it too)."""
    return {t.value.lower() for t in tokenize(block) if t.kind in ("word", "ident")}


def _statement(sql: str, dialect: str) -> RawStatement:
    tokens = [t for t in tokenize(sql, backslash_escapes=dialect == "mysql") if t.kind != "comment"]
    words = [t.text.upper() if t.kind == "word" else "" for t in tokens]
    if words[:1] == ["CREATE"]:
        return _create(sql, tokens, words, dialect)
    if words[:2] == ["COMMENT", "ON"]:
        at = _top_level(tokens, "IS")
        if at is not None:
            return RawStatement(sql, "comment", "", sql[:tokens[at].start].rstrip() + " IS NULL")
    if words[:1] == ["GRANT"]:
        at = _top_level(tokens, "TO")
        if at is not None:
            end = _top_level(tokens, "WITH", at)
            roles = sql[tokens[at + 1].start:tokens[end].start if end is not None else len(sql)].strip()
            return RawStatement(sql, "grant", "", f"REVOKE {sql[tokens[1].start:tokens[at].start].rstrip()} "
                                                  f"FROM {roles}")
    if words[:2] == ["ALTER", "TABLE"] and " ".join(words[-3:]) == "ROW LEVEL SECURITY" and \
            words[-4] in ("ENABLE", "FORCE"):
        undo = "DISABLE" if words[-4] == "ENABLE" else "NO FORCE"
        return RawStatement(sql, "row level security", "", sql[:tokens[-4].start] + undo + " ROW LEVEL SECURITY")
    return RawStatement(sql, "", "", None)


def _create(sql: str, tokens: list[Token], words: list[str], dialect: str) -> RawStatement:
    i = 1
    kind = ""
    while i < len(tokens):
        ahead = " ".join(words[i:i + 2])
        kind = next((k for k in _KINDS if ahead == k or words[i] == k), "")
        if kind:
            i += len(kind.split())
            break
        if words[i] in _MODIFIERS or (words[i] == "AGGREGATE" and words[i + 1:i + 2] == ["FUNCTION"]):
            i += 1
        elif tokens[i].text == "=":  # DEFINER = user@host, ALGORITHM = MERGE
            i += 2
            while i < len(tokens) and tokens[i].text == "@":
                i += 2
        else:
            return RawStatement(sql, "", "", None)
    if kind == "AGGREGATE" and words[i:i + 1] == ["FUNCTION"]:  # MariaDB's CREATE AGGREGATE FUNCTION
        kind, i = "FUNCTION", i + 1
    while words[i:i + 1] in (["CONCURRENTLY"], ["IF"], ["NOT"], ["EXISTS"]):
        i += 1
    start = i
    while i < len(tokens) and tokens[i].kind in ("word", "ident") and \
            (i == start or tokens[i - 1].text == "."):
        i += 1
        if i < len(tokens) and tokens[i].text == "." and i + 1 < len(tokens):
            i += 1
    if i == start or words[start] == "ON":  # an unnamed index: PostgreSQL names it itself
        return RawStatement(sql, kind.lower(), "", None)
    name = sql[tokens[start].start:tokens[i - 1].end]
    target = name
    if kind in ("FUNCTION", "PROCEDURE", "AGGREGATE") and dialect == "postgresql" and \
            i < len(tokens) and tokens[i].text == "(":
        target += f"({_signature(sql, tokens, i)})"
    if kind in _ON_TABLE[dialect]:
        on = _top_level(tokens, "TO" if kind == "RULE" else "ON", i)
        if on is None:
            return RawStatement(sql, kind.lower(), name, None)
        j = on + 1
        while j + 2 <= len(tokens) and tokens[j + 1].text == "." and tokens[j].kind in ("word", "ident"):
            j += 2
        target += f" ON {sql[tokens[on + 1].start:tokens[j].end]}"
    if kind == "FOREIGN TABLE" or kind == "VIRTUAL TABLE":
        kind = "TABLE" if kind == "VIRTUAL TABLE" else kind
    return RawStatement(sql, kind.lower(), name, f"DROP {kind} {target}")


def _signature(sql: str, tokens: list[Token], i: int) -> str:
    """A PostgreSQL function's arguments as DROP FUNCTION takes them: each without its
    default, and without the OUT arguments (which are not part of its identity)."""
    start, parts = i + 1, []
    for j, depth in _depths(tokens, i):
        text = tokens[j].text
        if text == ")" and depth == 0:
            parts.append((start, j))
            break
        if text == "," and depth == 1:
            parts.append((start, j))
            start = j + 1
    out = []
    for a, b in parts:
        if a >= b:
            continue
        cut = next((k for k in range(a, b) if tokens[k].text.upper() == "DEFAULT" or tokens[k].text == "="), b)
        if tokens[a].text.upper() == "OUT":
            continue
        out.append(sql[tokens[a].start:tokens[cut - 1].end])
    return ", ".join(out)


def _top_level(tokens: list[Token], word: str, start: int = 0) -> int | None:
    """The index of the first `word` at parenthesis depth 0 from `start`."""
    return next((j for j, depth in _depths(tokens, start)
                 if depth == 0 and tokens[j].kind == "word" and tokens[j].text.upper() == word), None)


def _depths(tokens: list[Token], start: int) -> Iterator[tuple[int, int]]:
    """Each token's index from `start`, with the parenthesis depth it sits at (a parenthesis
    at the depth outside it)."""
    depth = 0
    for j in range(start, len(tokens)):
        if tokens[j].text == ")":
            depth -= 1
        yield j, depth
        if tokens[j].text == "(":
            depth += 1
