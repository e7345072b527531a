"""sqldef's migration cases, run through `schemac diff` on real engines (issue 5).

    python bench/sqldef_migrations.py [-v] [--dialect D ...] [--jobs N] [--only SUBSTRING]

For each case of tests/conformance/sqldef/<dialect>.jsonl (from the sqldef project, MIT; see
the LICENSE-NOTICE.md there), `current` and `desired` are imported into specs
(`schemac import`), and `render_migration` diffs the two specs (destructive changes allowed).
Then, on the engine:

1. a database is loaded with `current`'s DDL as the case writes it, and UP is applied;
2. its catalog is compared with a database loaded with `desired`'s DDL as written;
3. DOWN is applied, and the catalog compared with a database loaded with `current`.

The databases are loaded with the case's own DDL, not with the DDL compiled from the
imported specs: that is what the issue asks ("apply UP to a database loaded with current"),
and it judges the importer too -- a spec that loses something the DDL says fails the case.
Judged by catalog comparison (schemac.compare), never by the text sqldef prints. PostgreSQL
cannot place an added column, so there columns are compared in name order.

A case is

* passed: both comparisons found no difference;
* failed: an import, diff, statement or comparison went wrong; the first error or
  difference is the reason;
* out of scope, with the reason: sqldef expects an error; the case needs another flavor of
  the engine (MySQL, not MariaDB; pgvector); its DDL does not load on the engine here; a
  table that the import keeps as raw SQL (partitioned, with an EXCLUDE constraint...)
  differs between `current` and `desired`, which schemac would migrate by dropping the table
  and creating it again (other raw SQL -- views, triggers, functions... -- is in scope:
  schemac undoes a changed block and runs it again); a table without a primary key, which
  the language requires.

The table is kept in docs/migrations.md ("Conformance with sqldef's cases");
tests/backends/test_sqldef_conformance.py runs the same cases and holds the known failures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "conformance" / "sqldef"
sys.path.insert(0, str(ROOT / "tests"))

DIALECTS = ("postgresql", "mysql", "sqlite")
KNOWN_FAILURES = CASES / "known-failures.json"  # what tests/backends/test_sqldef_conformance.py expects
STATUSES = ("passed", "failed", "out of scope")


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # one of STATUSES
    cause: str  # a short reason that groups cases ("" when passed)
    detail: str = ""  # the first difference or error


class OutOfScope(Exception):
    """The case tests something schemac does not claim to do; the message says what."""


class Failed(Exception):
    """schemac went wrong on the case: `cause` groups, the message details."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(detail)
        self.cause = cause


def load_cases(dialect: str) -> list[dict[str, Any]]:
    lines = (CASES / f"{dialect}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# -- one case ------------------------------------------------------------------------------------


def _flavor_problem(case: dict[str, Any], version: str) -> str | None:
    """Why the case's flavor is not this server's (sqldef's `flavor`: `mysql`, `mariadb`,
    `pgvector`, `!x`)."""
    flavor = case["flags"].get("flavor")
    if not flavor or case["dialect"] == "sqlite":
        return None
    mariadb = "mariadb" in version.lower()
    here = {"mariadb"} if mariadb else {"mysql"} if case["dialect"] == "mysql" else {"postgresql"}
    wanted = str(flavor)
    if wanted.startswith("!"):
        return f"not for {wanted[1:]}" if wanted[1:] in here else None
    return None if wanted in here else f"needs {wanted}"


def _spec(text: str, dialect: str) -> tuple[Any, list[str]]:
    """The resolved schema `schemac import` makes of `text`, and the import's notes."""
    from schemac import api
    from schemac.ddl_import import import_ddl
    from schemac.dsl.format import format_schema
    from schemac.reverse import reverse

    try:
        imported = import_ddl(text, dialect)
        found = reverse(imported.catalog)
        spec = format_schema(found.schema)
    except Exception as exc:  # noqa: BLE001 - reported as the case's failure
        raise Failed("import error", f"{type(exc).__name__}: {_line(str(exc))}") from exc
    loaded = api.load_text(spec, "case.schema")
    errors = [d for d in loaded.diagnostics if d.is_error]
    if errors:
        if all("primary key" in d.message for d in errors):
            raise OutOfScope("a table without a primary key (the language requires one)")
        if all(d.code in ("R104", "R105") for d in errors):
            raise OutOfScope("names that differ only in case (the language forbids them: MySQL and SQLite "
                             "would not tell them apart)")
        raise Failed("imported spec has errors", f"{errors[0].code} {errors[0].message}")
    return loaded.schema, imported.notes + found.notes


def _raw(schema: Any) -> dict[str, str]:
    return {r.name: r.sql for r in schema.raw_sql}


_KINDS = ("MATERIALIZED VIEW", "VIEW", "TRIGGER", "FUNCTION", "PROCEDURE", "EVENT", "POLICY", "DOMAIN", "TYPE",
          "SEQUENCE", "EXTENSION", "SCHEMA", "TABLE", "INDEX", "RULE", "COMMENT", "GRANT", "REVOKE")


def _raw_kind(name: str, sql: str, notes: list[str]) -> str:
    """What a raw SQL block holds, with the import's reason for tables and indexes."""
    words = re.sub(r"--[^\n]*", " ", sql).upper().split()[:6]
    kind = next((k.lower() for k in _KINDS if re.search(rf"(?<!\w){k}(?!\w)", " ".join(words))), "other statement")
    note = next((n for n in notes if f"'{name}'" in n and "raw SQL" in n), "")
    why = re.search(r"raw SQL for \w+(?: with its \d+ index(?:es)?)?(?::\s*|\s*\()(.*?)\)?$", note)
    if kind in ("table", "index") and why and not why.group(1).startswith("sql "):
        return f"{kind}: " + re.sub(r"'[^']*'", "...", why.group(1))
    return kind


def run_case(case: dict[str, Any], work: Any, reference: Any) -> Outcome:
    """Run one case on the engine of the two scratch databases; never raises."""
    try:
        _run(case, work, reference)
    except OutOfScope as exc:
        cause = exc.__cause__
        return Outcome(case["id"], "out of scope", str(exc), _line(str(cause)) if cause else "")
    except Failed as exc:
        return Outcome(case["id"], "failed", exc.cause, str(exc))
    except Exception as exc:  # noqa: BLE001 - a crash is a failure of the case
        return Outcome(case["id"], "failed", f"crash: {type(exc).__name__}", _line(str(exc)))
    return Outcome(case["id"], "passed", "")


def _run(case: dict[str, Any], work: Any, reference: Any) -> None:
    from migrations import ordered

    from schemac.backends.migration import render_migration

    dialect = case["dialect"]
    if case["kind"] == "error":
        raise OutOfScope("sqldef expects an error")
    problem = _flavor_problem(case, work.server_version)
    if problem:
        raise OutOfScope(f"the case {problem}")
    current, desired = case["current"] or "", case["desired"] or ""
    reset(work)
    reset(reference)
    problems = [_load(work, current, "current"), _load(reference, desired, "desired")]
    (old, old_notes), (new, new_notes) = _spec(current, dialect), _spec(desired, dialect)
    raw_old, raw_new = _raw(old), _raw(new)
    changed = sorted({n for n in raw_old.keys() | raw_new.keys() if raw_old.get(n) != raw_new.get(n)})
    kinds = sorted({_raw_kind(n, raw_old.get(n) or raw_new.get(n) or "", old_notes + new_notes) for n in changed})
    if any(k.startswith("table") for k in kinds):  # schemac would drop it and create it again: its rows lost
        raise OutOfScope(f"kept as raw SQL by the import, and changed: {'; '.join(kinds)}")
    for problem in problems:
        if problem:
            raise OutOfScope(problem[0]) from problem[1]
    for db in (work, reference):
        if db.dialect == "postgresql" and _other_schemas(db):
            raise OutOfScope("objects in a schema other than public (a spec describes one schema)")
    pair = render_migration(old, new, dialect)
    for direction, migration in (("UP", pair.up), ("DOWN", pair.down)):
        errors = [d for d in migration.diagnostics if d.is_error]
        if errors:
            raise Failed(f"{direction} not rendered: {errors[0].code}", errors[0].message)
    _apply(work, pair.up.sql, "UP")
    _same(work, reference, "UP", ordered)
    reset(reference)
    _load(reference, current, "current")
    _apply(work, pair.down.sql, "DOWN")
    _same(work, reference, "DOWN", ordered)


def _load(db: Any, ddl: str, which: str) -> tuple[str, Exception] | None:
    """Load a case's DDL as written. sqldef reads a file as a set of declarations, not a
    script, so a statement that fails (a foreign key to a table created later) is tried again
    after the others, until a round makes no progress. Returns why it does not load."""
    from engines import split_statements

    pending = split_statements(ddl, db.dialect)
    while pending:
        failed: list[tuple[str, Exception]] = []
        for statement in pending:
            try:
                db.execute(statement)
            except Exception as exc:  # noqa: BLE001 - the case's own DDL
                if db.dialect == "postgresql":
                    db.execute("ROLLBACK")
                failed.append((statement, exc))
        if len(failed) == len(pending):
            statement, exc = failed[0]
            return f"`{which}` does not load here: {_load_reason(str(exc))}", exc
        pending = [statement for statement, _ in failed]
    return None


# Why a case's DDL does not load, from the engine's message.
_LOAD_REASONS = [
    (r"role .* does not exist", "grants to roles sqldef's harness creates (privileges are not modelled)"),
    (r"schema .* does not exist|Table '\w+\.\w+' doesn't exist", "a schema or database sqldef's harness creates"),
    (r"collation .* does not exist", "a collation this server does not have"),
    (r"syntax|Unknown data type|Unknown option", "syntax this engine version does not accept"),
]


def _load_reason(message: str) -> str:
    return next((why for pattern, why in _LOAD_REASONS if re.search(pattern, message)), _line(message)[:80])


def _other_schemas(db: Any) -> bool:
    return bool(db.query("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public') "
                         "UNION ALL SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                         "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public') "
                         "AND t.typtype IN ('e', 'd')"))


def _apply(db: Any, sql: str, direction: str) -> None:
    try:
        db.run_script(sql)
    except Exception as exc:  # noqa: BLE001 - reported as the case's failure
        message = str(exc).split("\n")
        raise Failed(f"{direction} fails", message[0] + ("\n" + "\n".join(message[1:4]) if len(message) > 1 else ""))\
            from exc


def _same(db: Any, reference: Any, direction: str, ordered: Any) -> None:
    from schemac.compare import compare

    found = compare(ordered(db.catalog(), db.dialect), ordered(reference.catalog(), db.dialect))
    if found:
        what = ".".join(p for i, p in enumerate(found[0].path) if i % 2 == 0)  # "table.column.type"
        raise Failed(f"after {direction}: {what} differs", "; ".join(str(d) for d in found[:3]))


def _line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# -- databases -----------------------------------------------------------------------------------


def reset(db: Any) -> None:
    """Empty a scratch database completely: `empty()`, and what it leaves (PostgreSQL's other
    schemas; MySQL's events and routines), after rolling back what a failed script left open."""
    if db.dialect == "sqlite":
        if db.connection.in_transaction:
            db.execute("ROLLBACK")
    else:
        db.execute("ROLLBACK")
    if db.dialect == "postgresql":
        for (name,) in db.query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                                "AND nspname NOT IN ('information_schema', 'public')"):
            db.execute(f"DROP SCHEMA {db.quote(name)} CASCADE")
        for (name,) in db.query("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"):
            db.execute(f"DROP EXTENSION IF EXISTS {db.quote(name)} CASCADE")
    elif db.dialect == "mysql":
        for (name,) in db.query("SELECT event_name FROM information_schema.events WHERE event_schema = %s",
                                [db.name]):
            db.execute(f"DROP EVENT {db.quote(name)}")
        for name, kind in db.query("SELECT routine_name, routine_type FROM information_schema.routines "
                                   "WHERE routine_schema = %s", [db.name]):
            db.execute(f"DROP {kind} {db.quote(name)}")
    db.empty()


@contextmanager
def databases(dialect: str) -> Iterator[tuple[Any, Any]]:
    from engines import scratch_database

    with ExitStack() as stack:
        yield stack.enter_context(scratch_database(dialect)), stack.enter_context(scratch_database(dialect))


def run_cases(cases: list[dict[str, Any]]) -> list[Outcome]:
    """Run cases of one dialect in order, on two scratch databases reused for all of them."""
    if not cases:
        return []
    with databases(cases[0]["dialect"]) as (work, reference):
        return [run_case(c, work, reference) for c in cases]


def reachable(dialect: str) -> str | None:
    """The server's version, or None when it is not reachable."""
    if dialect == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    from engines import availability

    return availability(dialect).version


def run_dialect(dialect: str, jobs: int, only: str = "") -> list[Outcome]:
    cases = [c for c in load_cases(dialect) if only in c["id"]]
    chunks = [cases[i::jobs] for i in range(jobs)]
    if jobs == 1:
        return run_cases(cases)
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        results = pool.map(run_cases, chunks)
    by_id = {o.id: o for chunk in results for o in chunk}
    return [by_id[c["id"]] for c in cases]


# -- report --------------------------------------------------------------------------------------


def table(results: dict[str, list[Outcome]], versions: dict[str, str]) -> str:
    lines = ["| dialect (engine) | cases | passed | failed | out of scope |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for dialect, outcomes in results.items():
        counts = Counter(o.status for o in outcomes)
        total = len(outcomes)
        cells = [f"{counts[s]} ({100 * counts[s] / total:.0f}%)" if total else "0" for s in STATUSES]
        lines.append(f"| {dialect} ({versions[dialect]}) | {total} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results: dict[str, list[Outcome]]) -> str:
    out = []
    for dialect, outcomes in results.items():
        for status in ("failed", "out of scope"):
            groups: dict[str, list[Outcome]] = defaultdict(list)
            for o in outcomes:
                if o.status == status:
                    groups[o.cause].append(o)
            if not groups:
                continue
            out.append(f"\n## {dialect}: {status}")
            for cause, members in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
                out.append(f"\n{len(members)} x {cause}")
                out += [f"  {o.id}" + (f": {o.detail}" if o.detail else "") for o in members]
    return "\n".join(out)


def write_known_failures(results: dict[str, list[Outcome]], versions: dict[str, str]) -> None:
    known = json.loads(KNOWN_FAILURES.read_text(encoding="utf-8")) if KNOWN_FAILURES.exists() else {}
    for dialect, outcomes in results.items():
        known[dialect] = {"engine": versions[dialect],
                          "failures": {o.id: o.cause for o in outcomes if o.status == "failed"}}
    KNOWN_FAILURES.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def short_version(version: str) -> str:
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)(-MariaDB)?", version)
    if not m:
        return version
    name = "MariaDB" if m.group(2) or "mariadb" in version.lower() else ""
    return f"{name} {m.group(1)}".strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list each failure and its reason")
    parser.add_argument("--dialect", action="append", choices=DIALECTS, help="only this dialect (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="processes per dialect (default 2)")
    parser.add_argument("--only", default="", help="only cases whose id contains this")
    parser.add_argument("--update-known-failures", action="store_true",
                        help=f"write the failures of the dialects run to {KNOWN_FAILURES.relative_to(ROOT)}")
    args = parser.parse_args()
    results: dict[str, list[Outcome]] = {}
    versions: dict[str, str] = {}
    for dialect in args.dialect or DIALECTS:
        version = reachable(dialect)
        if version is None:
            print(f"{dialect}: server not reachable, skipped", file=sys.stderr)
            continue
        versions[dialect] = short_version(version) if dialect != "sqlite" else f"SQLite {version}"
        if dialect == "postgresql":
            versions[dialect] = "PostgreSQL " + versions[dialect]
        results[dialect] = run_dialect(dialect, max(1, args.jobs), args.only)
    print(table(results, versions))
    if args.update_known_failures and not args.only:
        write_known_failures(results, versions)
    if args.verbose:
        print(details(results))


if __name__ == "__main__":
    main()
