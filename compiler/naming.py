"""Deterministic names for constraints and indexes, and identifier shortening.

The convention is PostgreSQL's own, so a name schemac generates is the name PostgreSQL
would have chosen for the same unnamed constraint:

| object            | name                              | example                      |
|-------------------|-----------------------------------|------------------------------|
| primary key       | `<table>_pkey`                    | `order_pkey`                 |
| unique            | `<table>_<columns>_key`           | `customer_email_key`         |
| foreign key       | `<table>_<columns>_fkey`          | `order_customer_id_fkey`     |
| check (1 column)  | `<table>_<column>_check`          | `order_total_check`          |
| check (otherwise) | `<table>_check`                   | `order_check`                |
| index             | `<table>_<columns>_idx`           | `order_placed_at_idx`        |

`<columns>` joins the column names with `_`; an index expression contributes the name of its
function, or `expr`. When a name is taken, a number is appended (`order_check1`). Generated
names are unique across the whole schema and avoid every name given explicitly, which
satisfies every dialect (PostgreSQL indexes and MySQL foreign keys are named per schema).
Explicit names need only be unique on their table; the backends check the namespaces their
engine keeps per schema (B608).

Dialects shorten names longer than their limit (`shorten`): the name keeps as much of its
start as fits and ends with `_` and 8 hex digits of its SHA-256, so the result is stable and
two long names that share a prefix stay distinct.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


class NameRegistry:
    """Hands out names unique across a schema, in the order they are asked for."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {t.lower() for t in taken}
        self.chosen: list[str] = []  # the names `choose` gave, in order

    def claim(self, name: str) -> bool:
        """Reserve an explicit name; False when it is already in use."""
        key = name.lower()
        if key in self._taken:
            return False
        self._taken.add(key)
        return True

    def choose(self, table: str, parts: Iterable[str], suffix: str) -> str:
        """The conventional name `<table>_<parts>_<suffix>`, numbered when taken."""
        base = "_".join([table, *parts, suffix])
        name = base
        n = 0
        while name.lower() in self._taken:
            n += 1
            name = f"{base}{n}"
        self._taken.add(name.lower())
        self.chosen.append(name)
        return name


def shorten(name: str, limit: int, *, in_bytes: bool = False) -> str:
    """Shorten `name` to at most `limit` characters (or UTF-8 bytes), deterministically.

    Example:
        >>> shorten("a" * 70, 63)
        'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_6bd5e503'
    """
    size = len(name.encode()) if in_bytes else len(name)
    if size <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    keep = limit - 9
    head = name[:keep]
    if in_bytes:
        while len(head.encode()) > keep:
            head = head[:-1]
    return f"{head}_{digest}"


def pg_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's `makeObjectName`: `name1_name2_label` in at most 63 bytes, taking
    characters off the longer of the two names first (src/backend/commands/indexcmds.c), as
    for an unnamed index or a serial column's sequence.

    Example:
        >>> pg_object_name("customer", "id", "seq")
        'customer_id_seq'
        >>> len(pg_object_name("t" * 70, "id", "seq"))
        63
    """
    first, second = name1.encode(), (name2 or "").encode()
    room = 63 - len(label) - 1 - (1 if name2 else 0)
    a, b = len(first), len(second)
    while a + b > room:
        if a > b:
            a -= 1
        else:
            b -= 1
    parts = [first[:a].decode(errors="ignore"), *([second[:b].decode(errors="ignore")] if name2 else []), label]
    return "_".join(parts)
