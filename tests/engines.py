"""Scratch databases on real engines, for tests that run DDL and read the result back.

Each test gets a database of its own, uniquely named (`schemac_t_<hex>`), created on the
server and dropped afterwards, even when the test fails:

    def test_something(scratch_db):              # parametrised over the three dialects
        scratch_db.run_script(compile_result.sql)
        scratch_db.insert("order", {"id": 1})
        assert scratch_db.select("order", ["id"]) == [(1,)]

Servers are found through environment variables, `SCHEMAC_PG_<X>` for PostgreSQL and
`SCHEMAC_MYSQL_<X>` for MySQL/MariaDB (SQLite is embedded: a file in a temporary folder):

| X        | PostgreSQL | MySQL / MariaDB |
|----------|------------|-----------------|
| HOST     | 127.0.0.1  | 127.0.0.1       |
| PORT     | 5432       | 3306            |
| USER     | postgres   | root            |
| PASSWORD | (empty)    | (empty)         |
| DATABASE | test       | test            |

DATABASE is the one connected to for CREATE DATABASE and DROP DATABASE.

Each server is tried once per session with a short timeout. When it cannot be reached, the
tests that need it are skipped with the reason, or fail when `CI` is set (non-empty): in CI
every engine must be there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from schemac.ddl_text import split_statements  # noqa: F401  (re-exported for the tests)

DIALECTS = ("postgresql", "mysql", "sqlite")
SCRATCH_PREFIX = "schemac_t_"
CONNECT_TIMEOUT = 3  # seconds

START_HINTS = {
    "postgresql": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "mysql": "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
}
TITLES = {"postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "sqlite": "SQLite"}

# MySQL error numbers that mean "the engine refused the data", as opposed to a broken statement.
MYSQL_VIOLATIONS = frozenset({
    1048,  # column cannot be null
    1062,  # duplicate entry
    1216, 1217, 1451, 1452,  # foreign key
    1264,  # out of range
    1265,  # data truncated (a value not in an ENUM, strict mode)
    1366,  # incorrect value
    3819,  # check constraint violated (MySQL)
    4025,  # CONSTRAINT ... failed (MariaDB)
})


# -- servers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """Where a database server listens, and how to log in."""

    dialect: str
    host: str
    port: int
    user: str
    password: str
    database: str  # the database to connect to for CREATE / DROP DATABASE

    @classmethod
    def from_env(cls, dialect: str) -> Server:
        prefix = {"postgresql": "SCHEMAC_PG_", "mysql": "SCHEMAC_MYSQL_"}[dialect]
        defaults = {"postgresql": ("5432", "postgres"), "mysql": ("3306", "root")}[dialect]

        def env(name: str, default: str) -> str:
            return os.environ.get(prefix + name, default)

        return cls(dialect, env("HOST", "127.0.0.1"), int(env("PORT", defaults[0])), env("USER", defaults[1]),
                   env("PASSWORD", ""), env("DATABASE", "test"))

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self, database: str | None = None) -> Any:
        """An autocommit DB-API connection to `database` (default: the maintenance one)."""
        database = database or self.database
        if self.dialect == "postgresql":
            import psycopg

            return psycopg.connect(host=self.host, port=self.port, user=self.user,
                                   password=self.password or None, dbname=database, autocommit=True,
                                   connect_timeout=CONNECT_TIMEOUT,
                                   prepare_threshold=None)  # a plan kept across ALTER TABLE fails
        import pymysql

        conn = pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               database=database, autocommit=True, charset="utf8mb4",
                               connect_timeout=CONNECT_TIMEOUT, read_timeout=60, write_timeout=60)
        with conn.cursor() as cur:
            # The server's own modes, as users get them, made strict if they are not (both
            # engines are by default), so that a bad value is an error rather than a warning.
            cur.execute("SELECT @@SESSION.sql_mode")
            modes = [m for m in str(cur.fetchone()[0]).split(",") if m]
            if "STRICT_TRANS_TABLES" not in modes and "STRICT_ALL_TABLES" not in modes:
                cur.execute("SET SESSION sql_mode = %s", (",".join([*modes, "STRICT_TRANS_TABLES"]),))
        return conn


@dataclass
class Availability:
    """The outcome of the one connection attempt a session makes to a server."""

    server: Server
    version: str | None = None
    error: str | None = None

    @property
    def problem(self) -> str:
        title = TITLES[self.server.dialect]
        return (f"{title} is not reachable at {self.server.address} as user '{self.server.user}', "
                f"database '{self.server.database}' ({self.error}); start it with "
                f"`{START_HINTS[self.server.dialect]}`")

    def require(self) -> None:
        """Skip the test (or fail it in CI) when the server is not there."""
        if self.version is not None:
            return
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so engine tests must run, but {self.problem}", pytrace=False)
        pytest.skip(f"{self.problem}; set CI=1 to make this a failure")


_availability: dict[str, Availability] = {}


def availability(dialect: str) -> Availability:
    """Try the server once per session and remember the answer."""
    if dialect not in _availability:
        server = Server.from_env(dialect)
        found = Availability(server)
        try:
            conn = server.connect()
        except Exception as exc:  # any failure to connect means "not reachable"
            lines = str(exc).strip().splitlines() or [repr(exc)]
            found.error = f"{type(exc).__name__}: {lines[0]}"
        else:
            try:
                found.version = _server_version(conn, dialect)
            finally:
                conn.close()
        _availability[dialect] = found
    return _availability[dialect]


def _server_version(conn: Any, dialect: str) -> str:
    query = "SELECT version()" if dialect == "postgresql" else "SELECT VERSION()"
    cur = conn.cursor()
    try:
        cur.execute(query)
        return str(cur.fetchone()[0])
    finally:
        cur.close()


# -- identifiers ---------------------------------------------------------------------------------

# The longest identifier each engine keeps: PostgreSQL 63 bytes (NAMEDATALEN - 1), MySQL 64
# characters; SQLite has no limit.
IDENTIFIER_LIMITS: dict[str, tuple[int, bool] | None] = {
    "postgresql": (63, True),
    "mysql": (64, False),
    "sqlite": None,
}


def documented_short_name(name: str, dialect: str) -> str:
    """The name a too-long identifier gets, written from the rule docs/language.md states.

    Deliberately not schemac.naming.shorten: the name keeps as much of its start as fits,
    then `_` and the first 8 hex digits of the SHA-256 of the whole UTF-8 name.

    Example:
        >>> documented_short_name("a" * 70, "postgresql")[-9:]
        '_6bd5e503'
    """
    limit = IDENTIFIER_LIMITS[dialect]
    if limit is None:
        return name
    size, in_bytes = limit

    def measure(text: str) -> int:
        return len(text.encode("utf-8")) if in_bytes else len(text)

    if measure(name) <= size:
        return name
    tail = "_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    head = name
    while measure(head + tail) > size:
        head = head[:-1]
    return head + tail


# -- statements ----------------------------------------------------------------------------------


class ScriptError(AssertionError):
    """A statement of a DDL script failed; the message shows which one."""


# -- scratch databases -----------------------------------------------------------------------------


@dataclass
class ScratchDatabase:
    """A fresh database on one engine, with an autocommit connection to it.

    Queries passed to `execute` / `query` use the driver's own placeholders (`%s` for
    PostgreSQL and MySQL, `?` for SQLite); `insert`, `select` and `delete` build their SQL,
    quoting names, so tests can stay dialect-neutral.
    """

    dialect: str
    name: str
    connection: Any = field(repr=False)
    server_version: str = ""
    executed: list[str] = field(default_factory=list, repr=False)  # every statement, for debugging

    # identifiers and placeholders

    @property
    def placeholder(self) -> str:
        return "?" if self.dialect == "sqlite" else "%s"

    @property
    def is_mariadb(self) -> bool:
        return self.dialect == "mysql" and "mariadb" in self.server_version.lower()

    def quote(self, name: str) -> str:
        q = "`" if self.dialect == "mysql" else '"'
        return q + name.replace(q, q + q) + q

    # running SQL

    def empty(self) -> None:
        """Drop every table (and PostgreSQL type) the database holds, to reuse it."""
        if self.dialect == "postgresql":
            self.execute("DROP SCHEMA public CASCADE")
            self.execute("CREATE SCHEMA public")
        elif self.dialect == "mysql":
            tables = self.query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
                                [self.name])
            self.execute("SET FOREIGN_KEY_CHECKS = 0")
            for t, kind in tables:
                self.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {self.quote(t)}")
            self.execute("SET FOREIGN_KEY_CHECKS = 1")
        else:
            self.execute("PRAGMA foreign_keys = OFF")
            for kind, name in self.query("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                                         "AND name NOT LIKE 'sqlite_%'"):
                self.execute(f"DROP {kind.upper()} {self.quote(name)}")
            self.execute("PRAGMA foreign_keys = ON")

    def run_script(self, script: str) -> None:
        """Run a whole DDL script, statement by statement; a failure names the statement."""
        statements = split_statements(script, self.dialect)
        for number, statement in enumerate(statements, 1):
            try:
                self.execute(statement)
            except Exception as exc:
                raise ScriptError(f"statement {number} of {len(statements)} failed on {self.dialect} "
                                  f"({self.server_version}): {type(exc).__name__}: {exc}\n{statement}"
                                  ) from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.executed.append(sql)
        cur = self.connection.cursor()
        try:
            if params:
                cur.execute(sql, tuple(params))
            else:
                cur.execute(sql)  # without parameters, no driver treats % or ? specially
        finally:
            cur.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.connection.cursor()
        try:
            if params:
                cur.execute(sql, tuple(params))
            else:
                cur.execute(sql)
            return [tuple(row) for row in cur.fetchall()]
        finally:
            cur.close()

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        """INSERT one row; an empty mapping inserts a row of defaults."""
        if not values:
            sql = (f"INSERT INTO {self.quote(table)} () VALUES ()" if self.dialect == "mysql"
                   else f"INSERT INTO {self.quote(table)} DEFAULT VALUES")
            self.execute(sql)
            return
        cols = ", ".join(self.quote(c) for c in values)
        marks = ", ".join([self.placeholder] * len(values))
        self.execute(f"INSERT INTO {self.quote(table)} ({cols}) VALUES ({marks})", list(values.values()))

    def select(self, table: str, columns: Sequence[str], where: Mapping[str, Any] | None = None,
               order_by: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        sql = f"SELECT {', '.join(self.quote(c) for c in columns)} FROM {self.quote(table)}"
        sql += self._where(where)
        if order_by:
            sql += " ORDER BY " + ", ".join(self.quote(c) for c in order_by)
        return self.query(sql, list((where or {}).values()))

    def delete(self, table: str, where: Mapping[str, Any]) -> None:
        self.execute(f"DELETE FROM {self.quote(table)}{self._where(where)}", list(where.values()))

    def _where(self, where: Mapping[str, Any] | None) -> str:
        if not where:
            return ""
        return " WHERE " + " AND ".join(f"{self.quote(c)} = {self.placeholder}" for c in where)

    # constraint violations

    def is_violation(self, exc: BaseException) -> bool:
        """Whether `exc` is the engine refusing data (constraint, type, enum), not a broken statement."""
        if self.dialect == "postgresql":
            import psycopg

            return isinstance(exc, (psycopg.errors.IntegrityError, psycopg.errors.DataError))
        if self.dialect == "mysql":
            import pymysql

            return isinstance(exc, pymysql.MySQLError) and bool(exc.args) and exc.args[0] in MYSQL_VIOLATIONS
        return isinstance(exc, sqlite3.IntegrityError)

    @contextlib.contextmanager
    def rejects(self) -> Iterator[list[BaseException]]:
        """Assert that the block is refused by the engine as a constraint or data violation.

        Yields a list that holds the exception afterwards, for further checks.
        """
        caught: list[BaseException] = []
        try:
            yield caught
        except Exception as exc:
            if not self.is_violation(exc):
                message = f"expected a constraint violation, got {type(exc).__name__}: {exc}"
                raise AssertionError(message) from exc
            caught.append(exc)
        else:
            raise AssertionError(f"{self.dialect} accepted what it should have rejected")

    def catalog(self) -> Any:
        """The catalog of this database (see catalog.py)."""
        from schemac.catalog import read_catalog

        return read_catalog(self.connection, self.dialect)


# How to create and drop a scratch database on each server. PostgreSQL's WITH (FORCE) ends
# stray sessions; MySQL/MariaDB databases get utf8mb4 with the binary collation schemac uses.
_SERVER_DATABASES = {
    "postgresql": ('CREATE DATABASE "{name}"', 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
    "mysql": ("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
              "DROP DATABASE IF EXISTS `{name}`"),
}


@contextlib.contextmanager
def _server_database(dialect: str) -> Iterator[ScratchDatabase]:
    """A scratch database on a server, dropped on exit."""
    found = availability(dialect)
    found.require()
    name = _scratch_name()
    create, drop = _SERVER_DATABASES[dialect]
    _admin(dialect, create.format(name=name))
    try:
        conn = found.server.connect(name)
        try:
            yield ScratchDatabase(dialect, name, conn, found.version or "")
        finally:
            conn.close()
    finally:
        _admin(dialect, drop.format(name=name))


def pg_database() -> contextlib.AbstractContextManager[ScratchDatabase]:
    """A scratch PostgreSQL database, dropped on exit."""
    return _server_database("postgresql")


def mysql_database() -> contextlib.AbstractContextManager[ScratchDatabase]:
    """A scratch MySQL/MariaDB database, dropped on exit."""
    return _server_database("mysql")


def _admin(dialect: str, statement: str) -> None:
    """Run one statement on the maintenance database, on a connection of its own."""
    conn = availability(dialect).server.connect()
    try:
        cur = conn.cursor()
        cur.execute(statement)
        cur.close()
    finally:
        conn.close()


@contextlib.contextmanager
def sqlite_database() -> Iterator[ScratchDatabase]:
    """A scratch SQLite database file with foreign keys enforced, deleted on exit."""
    name = _scratch_name()
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    conn = sqlite3.connect(folder / f"{name}.sqlite3", isolation_level=None)  # autocommit
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        yield ScratchDatabase("sqlite", name, conn, sqlite3.sqlite_version)
    finally:
        conn.close()
        shutil.rmtree(folder, ignore_errors=True)


SCRATCH: dict[str, Callable[[], contextlib.AbstractContextManager[ScratchDatabase]]] = {
    "postgresql": pg_database,
    "mysql": mysql_database,
    "sqlite": sqlite_database,
}


def scratch_database(dialect: str) -> contextlib.AbstractContextManager[ScratchDatabase]:
    """A scratch database for `dialect` (skips or fails per the rule in the module docstring)."""
    return SCRATCH[dialect]()


def require_engine(dialect: str) -> None:
    """Skip (or, under CI, fail) unless the engine for `dialect` is reachable."""
    if dialect != "sqlite":
        availability(dialect).require()


def _scratch_name() -> str:
    return SCRATCH_PREFIX + secrets.token_hex(6)


# -- fixtures ------------------------------------------------------------------------------------

ENGINE_PARAMS = [pytest.param(d, marks=getattr(pytest.mark, d), id=d) for d in DIALECTS]


@pytest.fixture(params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> str:
    """The dialect under test, one of DIALECTS; skips (or fails in CI) if its server is down."""
    dialect: str = request.param
    require_engine(dialect)
    return dialect


@pytest.fixture
def scratch_db(engine: str) -> Iterator[ScratchDatabase]:
    """A fresh database on the engine of `engine`."""
    with scratch_database(engine) as db:
        yield db


@pytest.fixture
def pg_db() -> Iterator[ScratchDatabase]:
    with pg_database() as db:
        yield db


@pytest.fixture
def mysql_db() -> Iterator[ScratchDatabase]:
    with mysql_database() as db:
        yield db


@pytest.fixture
def sqlite_db() -> Iterator[ScratchDatabase]:
    with sqlite_database() as db:
        yield db


__all__ = [
    "DIALECTS", "IDENTIFIER_LIMITS", "ScratchDatabase", "ScriptError", "Server", "availability",
    "documented_short_name", "engine", "mysql_database", "mysql_db", "pg_database", "pg_db", "require_engine",
    "scratch_database", "scratch_db", "split_statements", "sqlite_database", "sqlite_db",
]
