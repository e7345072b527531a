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
