"""Migration files in a folder, and the integrity file that guards them (`schemac diff -o DIR`,
`schemac migrations check DIR`).

Pure functions: the names and texts of the files to write for a migration in one of the
layouts migration runners expect, and the text of `schemac.sum`, which works like Atlas's
`atlas.sum`: its first line is a hash of every migration file's name and contents in order,
then one line per file, `<file> h1:<base64 of its SHA-256>`. A file edited by hand, added
or deleted without `schemac diff -o`, or files put in another order, no longer match.

| format | files |
| --- | --- |
| `schemac` | `<YYYYMMDD_HHMMSS>_<slug>.up.sql`, `.down.sql` |
| `golang-migrate` | `<YYYYMMDDHHMMSS>_<slug>.up.sql`, `.down.sql` |
| `dbmate` | `<YYYYMMDDHHMMSS>_<slug>.sql` with `-- migrate:up` and `-- migrate:down` sections |
| `flyway` | `V<YYYYMMDDHHMMSS>__<slug>.sql`, undo `U<YYYYMMDDHHMMSS>__<slug>.sql` |
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

FORMATS = ("schemac", "golang-migrate", "dbmate", "flyway")
SUM_FILE = "schemac.sum"
SLUG_LIMIT = 60
# A file that runs its own transaction (PostgreSQL's BEGIN ... COMMIT) or statements that
# must run outside one (SQLite's PRAGMA foreign_keys): dbmate must not wrap it in another.
_OWN_TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|START TRANSACTION|PRAGMA)\b", re.I | re.M)


def slug(changes: Sequence[Any], name: str | None = None) -> str:
    """A file-name part for a migration: `name` made safe, else a summary of its first change
    (`add_column_orders_note`, `add_table_tag_and_2_more`); lowercase letters, digits and
    underscores, at most SLUG_LIMIT characters.

    Example:
        >>> slug([], "Add a note to orders!")
        'add_a_note_to_orders'
    """
    if name is None or not _safe(name):
        if not changes:
            return "no_changes"
        first = _safe(str(changes[0]))
        more = f"_and_{len(changes) - 1}_more" if len(changes) > 1 else ""
        return first[:SLUG_LIMIT - len(more)].rstrip("_") + more
    return _safe(name)[:SLUG_LIMIT].rstrip("_")


def _safe(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def migration_files(fmt: str, stamp: datetime, name: str, up: str, down: str) -> dict[str, str]:
    """The files of one migration in layout `fmt`, by name; `stamp` is its UTC time.

    Example:
        >>> sorted(migration_files("flyway", datetime(2024, 5, 1, 12, 0, 0), "x", "A;\\n", "B;\\n"))
        ['U20240501120000__x.sql', 'V20240501120000__x.sql']
    """
    digits = stamp.strftime("%Y%m%d%H%M%S")
    if fmt == "schemac":
        base = f"{stamp.strftime('%Y%m%d_%H%M%S')}_{name}"
        return {f"{base}.up.sql": up, f"{base}.down.sql": down}
    if fmt == "golang-migrate":
        return {f"{digits}_{name}.up.sql": up, f"{digits}_{name}.down.sql": down}
    if fmt == "dbmate":
        return {f"{digits}_{name}.sql": _dbmate_section("up", up) + "\n" + _dbmate_section("down", down)}
    if fmt == "flyway":
        return {f"V{digits}__{name}.sql": up, f"U{digits}__{name}.sql": down}
    raise ValueError(f"unknown migration format '{fmt}': one of {', '.join(FORMATS)}")


def _dbmate_section(direction: str, sql: str) -> str:
    option = " transaction:false" if _OWN_TRANSACTION.search(sql) else ""
    return f"-- migrate:{direction}{option}\n{sql}"


def _file_hash(content: bytes) -> str:
    return "h1:" + base64.b64encode(hashlib.sha256(content).digest()).decode()


def _total_hash(files: Sequence[tuple[str, bytes]]) -> str:
    total = hashlib.sha256()
    for name, content in files:
        total.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return "h1:" + base64.b64encode(total.digest()).decode()


def sum_text(files: Sequence[tuple[str, bytes]]) -> str:
    """The text of `schemac.sum` for migration files in order (name, contents).

    Example:
        >>> sum_text([("1_a.sql", b"")]).splitlines()[1]
        '1_a.sql h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return "\n".join([_total_hash(files), *(f"{name} {_file_hash(content)}" for name, content in files)]) + "\n"


def check_sum(text: str | None, files: Sequence[tuple[str, bytes]]) -> list[str]:
    """What does not match `schemac.sum`'s `text` in the migration files (in order): each file
    edited, added or removed, and a change of order; empty when all match.

    Example:
        >>> files = [("1_a.sql", b"A;"), ("2_b.sql", b"B;")]
        >>> check_sum(sum_text(files), [("1_a.sql", b"A;"), ("2_b.sql", b"C;")])
        ['2_b.sql was edited after schemac wrote it']
    """
    if text is None:
        return [f"{SUM_FILE} is missing: it is written with the migrations by `schemac diff -o`"]
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("h1:"):
        return [f"{SUM_FILE} is not a schemac sum file (its first line should be h1:<hash>)"]
    recorded: dict[str, str] = {}
    for line in lines[1:]:
        name, _, digest = line.rpartition(" ")
        recorded[name] = digest
    present = dict(files)
    problems = [f"{name} was edited after schemac wrote it" for name, content in files
                if name in recorded and recorded[name] != _file_hash(content)]
    known = [name for name in recorded if name in present]
    last = known[-1] if known else None
    for name, _ in files:
        if name not in recorded:
            after = last is not None and name < last
            problems.append(f"{name} was added by hand" + (f", before {last}, which the sum already lists"
                                                            if after else ""))
    problems += [f"{name} was removed" for name in recorded if name not in present]
    if known != [name for name, _ in files if name in recorded]:
        problems.append("the migration files are in another order than the sum lists them: "
                        + ", ".join(name for name, _ in files if name in recorded))
    if not problems and lines[0] != _total_hash(files):
        problems.append(f"{SUM_FILE}'s total hash does not match the files (the sum file was edited)")
    return problems
