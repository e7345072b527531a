"""MySQL script text the importer reads before sqlglot: which database each statement of a
dump runs in (`USE`), database names in qualified names, type synonyms sqlglot misreads, and
the spelling of column types MySQL reports (`COLUMN_TYPE`).

Example:
    >>> synonyms("CREATE TABLE t (id int8, ok bool)")
    'CREATE TABLE t (id bigint, ok tinyint(1))'
    >>> unqualified("SELECT f.id FROM shop.film f", "shop")
    'SELECT f.id FROM film f'
"""

from __future__ import annotations

import re

from schemac.ddl_text import tokenize

# Table and column options that say what schemac's MySQL tables are anyway.
OWN_OPTIONS = frozenset({"ENGINE=INNODB", "DEFAULT CHARACTER SET=UTF8MB4", "CHARACTER SET=UTF8MB4",
                         "COLLATE=UTF8MB4_BIN", "CHARACTER SET UTF8MB4", "COLLATE UTF8MB4_BIN"})
LEADING_COMMENTS = re.compile(r"(\s*(--[^\n]*\n|#[^\n]*\n|/\*(?!!).*?\*/))*", re.S)  # /*!...*/ is code
DATABASE = re.compile(r"((CREATE|DROP)\s+(DATABASE|SCHEMA)|USE)\s+(IF\s+(NOT\s+)?EXISTS\s+)?(`(?:[^`]|``)+`|\w+)",
                      re.I)


def databases(statements: list[tuple[str, int]]) -> list[tuple[str, int, str | None]]:
    """Each statement of a MySQL script with the database it runs in (the last `USE`; None
    before the first), or None for a statement about databases or the session."""
    out: list[tuple[str, int, str | None]] = []
    current = None
    for sql, line in statements:
        code = sql[LEADING_COMMENTS.match(sql).end():]  # type: ignore[union-attr]
        body = re.sub(r"/\*!\d*\s*(.*?)\*/", r"\1", code, flags=re.S).strip()
        m = DATABASE.match(body)
        if m and m.group(1).upper() == "USE":
            current = _unquote(m.group(6))
        out.append((sql, line, None if m or re.match(r"SET\s", body, re.I) else current))
    return out


def _unquote(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def unqualified(sql: str, database: str) -> str:
    """MySQL `sql` without `database.` before the names of objects: the spec is compiled into
    a database of the user's choice, and `database.film` is `film` inside `database`."""
    tokens = tokenize(sql, backslash_escapes=True)
    cut = [(t.start, nxt.end) for t, nxt in zip(tokens, tokens[1:], strict=False)
           if t.kind in ("word", "ident") and t.value == database and nxt.text == "." and nxt.start == t.end]
    for start, end in reversed(cut):
        sql = sql[:start] + sql[end:]
    return sql


# MySQL's names for other vendors' types, as the engine stores them (MySQL manual, "Using
# Data Types from Other Database Engines"), where sqlglot reads them otherwise (INT8 as a
# one-byte integer, REAL as FLOAT) or not at all.
MYSQL_SYNONYMS = {"bool": "tinyint(1)", "boolean": "tinyint(1)", "int3": "mediumint", "int8": "bigint",
                  "middleint": "mediumint", "real": "double", "long": "mediumtext",
                  "long varchar": "mediumtext", "long varbinary": "mediumblob"}


def synonyms(sql: str) -> str:
    """`sql` with the type synonyms of MYSQL_SYNONYMS written as MySQL stores them, where a
    type follows a column's name (after `(`, `,` or ADD / COLUMN / MODIFY)."""
    if not re.search(r"\b(bool|boolean|int3|int8|middleint|real|long)\b", sql, re.I):
        return sql
    tokens = [t for t in tokenize(sql, backslash_escapes=True) if t.kind != "comment"]
    out, last = [], 0
    for i in range(2, len(tokens)):
        t, name, before = tokens[i], tokens[i - 1], tokens[i - 2]
        if t.kind != "word" or name.kind not in ("word", "ident") or not (
                before.text in ("(", ",") or before.is_word("ADD", "COLUMN", "MODIFY")):
            continue
        word = t.text.lower()
        if word == "long" and i + 1 < len(tokens) and tokens[i + 1].is_word("VARCHAR", "VARBINARY"):
            word, end = f"long {tokens[i + 1].text.lower()}", tokens[i + 1].end
        else:
            end = t.end
        if word in MYSQL_SYNONYMS:
            out.append(sql[last:t.start] + MYSQL_SYNONYMS[word])
            last = end
    return "".join(out) + sql[last:]


def column_type(text: str) -> str:
    """A MySQL type as COLUMN_TYPE writes it: lower case without spaces after commas, except
    in the quoted values of an ENUM or SET, which keep their case (`ENUM('G', 'PG')`)."""
    parts = re.split(r"('(?:[^'\\]|''|\\.)*')", text)
    return "".join(p if i % 2 else re.sub(r",\s+", ",", p.lower()) for i, p in enumerate(parts))
