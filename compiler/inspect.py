"""Connect to a live database by URL and read its catalog (`schemac inspect`).

| URL | engine | driver |
| --- | --- | --- |
| `postgresql://user:password@host:port/database` (or `postgres://`) | PostgreSQL | psycopg 3 |
| `mysql://user:password@host:port/database` (also `mariadb://`) | MySQL, MariaDB | PyMySQL |
| `sqlite:///relative/path.db`, `sqlite:////absolute/path.db` | SQLite | built in |

PostgreSQL reads the schema on the search path (`public` by default); `?schema=name` picks
another. The drivers are optional dependencies: `pip install 'schemac[postgresql]'` or
`'schemac[mysql]'`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from schemac.catalog import Catalog, read_catalog

SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql",
           "sqlite": "sqlite"}


class InspectError(Exception):
    """The URL is not understood, the driver is missing or the database cannot be reached."""


@dataclass(frozen=True)
class Target:
    dialect: str
    host: str | None
    port: int | None
    user: str | None
    password: str | None
    database: str
    schema: str | None = None


def parse_url(url: str) -> Target:
    """The parts of a database URL.

    Example:
        >>> parse_url("mysql://root@127.0.0.1:3306/shop").database
        'shop'
    """
    parts = urlsplit(url)
    dialect = SCHEMES.get(parts.scheme.split("+", 1)[0].lower())
    if dialect is None:
        raise InspectError(f"unknown database URL scheme '{parts.scheme}': use postgresql://, mysql:// or sqlite:///")
    if dialect == "sqlite":
        path = unquote(url.split("://", 1)[1])
        path = path[1:] if path.startswith("/") else path  # sqlite:///a.db -> a.db, sqlite:////a.db -> /a.db
        if not path:
            raise InspectError("a SQLite URL names a file: sqlite:///path/to/file.db")
        return Target("sqlite", None, None, None, None, path)
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise InspectError(f"the URL names no database: {dialect}://user@host/database")
    schema = parse_qs(parts.query).get("schema", [None])[0]
    return Target(dialect, parts.hostname or "127.0.0.1", parts.port, unquote(parts.username or "") or None,
                  unquote(parts.password or "") or None, database, schema)


def connect(target: Target) -> Any:
    """A DB-API connection to the target."""
    if target.dialect == "sqlite":
        import os

        if not os.path.exists(target.database):
            raise InspectError(f"no SQLite database at '{target.database}'")
        return sqlite3.connect(f"file:{target.database}?mode=ro", uri=True)
    if target.dialect == "postgresql":
        try:
            import psycopg
        except ImportError as exc:
            raise InspectError("inspecting PostgreSQL needs psycopg: pip install 'schemac[postgresql]'") from exc
        try:
            conn = psycopg.connect(host=target.host, port=target.port or 5432, user=target.user or "postgres",
                                   password=target.password, dbname=target.database, autocommit=True,
                                   connect_timeout=10)
        except psycopg.Error as exc:
            raise InspectError(f"cannot connect to PostgreSQL: {exc}".strip()) from exc
        if target.schema:
            conn.execute("SELECT set_config('search_path', %s, false)", (target.schema,))
        return conn
    try:
        import pymysql  # type: ignore[import-untyped]  # (no stubs)
    except ImportError as exc:
        raise InspectError("inspecting MySQL/MariaDB needs PyMySQL: pip install 'schemac[mysql]'") from exc
    try:
        return pymysql.connect(host=target.host, port=target.port or 3306, user=target.user or "root",
                               password=target.password or "", database=target.database, autocommit=True,
                               connect_timeout=10)
    except pymysql.Error as exc:
        raise InspectError(f"cannot connect to MySQL/MariaDB: {exc}") from exc


# The objects a spec cannot hold yet, per engine: (kind, query for their names).
# The objects a spec cannot hold yet, even as raw SQL, per engine: (kind, query for their
# names). Views, functions and triggers are kept as `sql` blocks instead (schemac.catalog).
OTHER_OBJECTS = {
    "postgresql": [
        ("aggregate", "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                      "LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e' "
                      "WHERE n.nspname = current_schema() AND p.prokind = 'a' AND d.objid IS NULL ORDER BY 1"),
        ("sequence", "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "LEFT JOIN pg_depend d ON d.objid = c.oid AND d.deptype IN ('a', 'i') "
                     "WHERE n.nspname = current_schema() AND c.relkind = 'S' AND d.objid IS NULL ORDER BY 1"),
        ("partition", "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = current_schema() AND c.relispartition ORDER BY 1"),
    ],
    "mysql": [
        ("routine", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
                    "ORDER BY 1"),
        ("trigger", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
                    "ORDER BY 1"),
    ],
    "sqlite": [],
}


def inspect_url(url: str) -> tuple[Catalog, list[str]]:
    """The catalog of the database at `url`, and the objects it holds that a spec cannot keep
    yet: free sequences, partitions, aggregates, MySQL routines and triggers.

    Raises:
        InspectError: with a message for the user.
    """
    target = parse_url(url)
    conn = connect(target)
    try:
        catalog = read_catalog(conn, target.dialect)
        others: list[str] = []
        for kind, query in OTHER_OBJECTS[target.dialect]:
            cur = conn.cursor()
            try:
                cur.execute(query)
                others.extend(f"{kind} '{row[0]}' is not in the spec: schemac cannot keep it yet"
                              for row in cur.fetchall())
            finally:
                cur.close()
        return catalog, others
    finally:
        conn.close()


# -- drift: the spec built on the same engine, and how many rows a change touches ------------------


def built_catalog(url: str, ddl: str) -> Catalog | None:
    """The catalog of a database built from `ddl` on the engine at `url`, without changing the
    database there: SQLite builds it in memory; PostgreSQL in a schema of its own inside a
    transaction that is rolled back; MySQL/MariaDB in a scratch database created and dropped
    next to it (this needs CREATE and DROP privileges). Only the engine knows how it stores an
    expression, so `schemac diff --from-db` compares the spec with this (schemac.drift).

    Returns None when the scratch build is not possible (privileges, a statement the engine
    refuses); the caller then compares the spec's expressions as written.
    """
    import secrets

    from schemac.ddl_text import split_statements

    target = parse_url(url)
    statements = split_statements(ddl, target.dialect)
    scratch = f"schemac_dev_{secrets.token_hex(6)}"
    try:
        if target.dialect == "sqlite":
            conn = sqlite3.connect(":memory:")
            try:
                for statement in statements:
                    conn.execute(statement)
                return read_catalog(conn, "sqlite")
            finally:
                conn.close()
        if target.dialect == "postgresql":
            return _built_in_rolled_back_schema(connect(target), scratch, statements)
        return _built_in_scratch_database(target, scratch, statements)
    except InspectError:
        raise
    except Exception:  # the engine refused the scratch build: compare without it
        return None


def _built_in_rolled_back_schema(conn: Any, scratch: str, statements: list[str]) -> Catalog:
    try:
        cur = conn.cursor()
        cur.execute("BEGIN")
        try:
            cur.execute(f'CREATE SCHEMA "{scratch}"')
            cur.execute(f"SET LOCAL search_path TO \"{scratch}\", pg_catalog")
            for statement in statements:
                cur.execute(statement)
            return read_catalog(conn, "postgresql")
        finally:
            cur.execute("ROLLBACK")
            cur.close()
    finally:
        conn.close()


def _built_in_scratch_database(target: Target, scratch: str, statements: list[str]) -> Catalog:
    from dataclasses import replace

    admin = connect(target)
    try:
        cur = admin.cursor()
        cur.execute(f"CREATE DATABASE `{scratch}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        try:
            conn = connect(replace(target, database=scratch))
            try:
                for statement in statements:
                    conn.cursor().execute(statement)
                return read_catalog(conn, "mysql")
            finally:
                conn.close()
        finally:
            cur.execute(f"DROP DATABASE IF EXISTS `{scratch}`")
            cur.close()
    finally:
        admin.close()


# The estimated rows of each table: cheap statistics where the engine keeps them.
ROW_ESTIMATES = {
    "postgresql": "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
    "mysql": "SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE() "
             "AND table_type = 'BASE TABLE'",
}


def row_estimates(url: str, tables: list[str]) -> dict[str, int]:
    """About how many rows each of `tables` holds at `url`: PostgreSQL's `pg_class.reltuples`
    (-1 or 0 before the first ANALYZE: left out when negative), MySQL's
    `information_schema.tables.table_rows` (InnoDB's estimate), SQLite's `count(*)` (exact;
    SQLite keeps no estimate). Tables the database does not have are left out."""
    target = parse_url(url)
    conn = connect(target)
    try:
        cur = conn.cursor()
        try:
            if target.dialect == "sqlite":
                present = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                return {t: int(cur.execute(f'SELECT count(*) FROM "{t.replace(chr(34), chr(34) * 2)}"').fetchone()[0])
                        for t in tables if t in present}
            cur.execute(ROW_ESTIMATES[target.dialect])
            found = {str(name.decode() if isinstance(name, bytes) else name): rows for name, rows in cur.fetchall()}
            return {t: int(found[t]) for t in tables if t in found and found[t] is not None and int(found[t]) >= 0}
        finally:
            cur.close()
    finally:
        conn.close()
