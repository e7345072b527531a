"""Expand and contract on the real engines: while the expand migration is in place, the old
application (writing the old column) and the new one (writing the new column) see the same
data; the backfill reaches every row in batches; the contract leaves the database as NEW
builds it; each DOWN returns to the state before its UP."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from migrations import ddl, loaded, rows, same_as_built

from schemac.backends.expand_contract import ExpandContract, render_expand_contract, split
from schemac.cli import cli
from schemac.differ import Change, diff
from schemac.ir import Schema

from engines import ENGINE_PARAMS, ScratchDatabase, scratch_database

SERVER_ENGINES = [p for p in ENGINE_PARAMS if p.values[0] != "sqlite"]

V1 = """
entity account {
  id:     int @pk
  code:   int @check(code > 0)
  handle: varchar(20) @unique
  note:   text?
  legacy: text?
}
"""

# code: int -> bigint (a type change); handle -> login (a rename, given as the differ's
# `rename column`); note gets a default and a comment; legacy is dropped; email is added.
V2 = """
entity account {
  id:     int @pk
  code:   bigint @check(code > 0)
  login:  varchar(20) @unique
  note:   text? @default('none') "what support wrote"
  email:  text?
}
"""

ROWS = 5  # more than two batches of BATCH
BATCH = 2


def with_rename(old: Schema, new: Schema, table: str, before: str, after: str) -> list[Change]:
    """The differ's changes with a column's drop and add replaced by `rename column`, as the
    differ gives it once a spec marks the rename (`@was`)."""
    changes = [c for c in diff(old, new) if not (c.table == table and c.name in (before, after)
                                                 and c.kind in ("drop column", "add column"))]
    was = next(e for e in old.entities if e.table_name == table).field(before)
    now = next(e for e in new.entities if e.table_name == table).field(after)
    return [*changes, Change("rename column", table, after, was, now)]


def steps(dialect: str, batch_size: int = BATCH) -> tuple[Schema, Schema, ExpandContract]:
    old, new = loaded(V1), loaded(V2)
    ec = render_expand_contract(old, new, dialect, with_rename(old, new, "account", "handle", "login"),
                                batch_size=batch_size)
    assert not [d for d in ec.all_diagnostics if d.is_error], [str(d) for d in ec.all_diagnostics]
    return old, new, ec


def seeded(db: ScratchDatabase, old: Schema) -> None:
    db.run_script(ddl(old, db.dialect))
    for i in range(1, ROWS + 1):
        db.insert("account", {"id": i, "code": i * 10, "handle": f"user{i}", "legacy": "x"})


def in_sync(db: ScratchDatabase) -> list[tuple[object, ...]]:
    """Rows where the old and the new columns disagree."""
    return [r for r in rows(db, "account", ["id", "code", "code__new", "handle", "login"])
            if r[1] != r[2] or r[3] != r[4]]


def triggers(db: ScratchDatabase) -> list[tuple[object, ...]]:
    if db.dialect == "postgresql":
        return db.query("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return db.query("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s", [db.name])


@pytest.mark.parametrize("dialect", SERVER_ENGINES)
def test_expand_keeps_both_columns_in_sync_and_contract_reaches_new(dialect: str) -> None:
    old, new, ec = steps(dialect)
    with scratch_database(dialect) as db:
        seeded(db, old)
        db.run_script(ec.expand.up.sql)
        assert in_sync(db) == []  # the backfill reached every row, batch after batch
        assert len(rows(db, "account", ["id"])) == ROWS
        # the old application writes the old columns ...
        db.insert("account", {"id": 6, "code": 60, "handle": "old6"})
        db.execute(f"UPDATE {db.quote('account')} SET {db.quote('code')} = 11, {db.quote('handle')} = 'old1' "
                   f"WHERE {db.quote('id')} = 1")
        # ... and the new one the new columns
        db.insert("account", {"id": 7, "code__new": 70, "login": "new7", "email": "a@b"})
        db.execute(f"UPDATE {db.quote('account')} SET {db.quote('code__new')} = 22, {db.quote('login')} = 'new2' "
                   f"WHERE {db.quote('id')} = 2")
        assert in_sync(db) == []
        assert rows(db, "account", ["id", "code", "login"])[:3] == [(1, 11, "old1"), (2, 22, "new2"), (3, 30, "user3")]

        db.run_script(ec.contract.up.sql)
        assert same_as_built(db, new) == []
        assert triggers(db) == []
        assert rows(db, "account", ["id", "code", "login"]) == [
            (1, 11, "old1"), (2, 22, "new2"), (3, 30, "user3"), (4, 40, "user4"), (5, 50, "user5"),
            (6, 60, "old6"), (7, 70, "new7")]


@pytest.mark.parametrize("dialect", SERVER_ENGINES)
def test_each_down_returns_to_the_state_before_its_up(dialect: str) -> None:
    old, new, ec = steps(dialect)
    with scratch_database(dialect) as db:
        seeded(db, old)
        db.run_script(ec.expand.up.sql)
        db.run_script(ec.expand.down.sql)
        assert same_as_built(db, old) == []
        assert triggers(db) == []
        assert rows(db, "account", ["id", "code", "handle"])[0] == (1, 10, "user1")

        db.run_script(ec.expand.up.sql)
        db.run_script(ec.contract.up.sql)
        db.execute(f"UPDATE {db.quote('account')} SET {db.quote('code')} = 99 WHERE {db.quote('id')} = 3")
        db.run_script(ec.contract.down.sql)
        assert in_sync(db) == []  # the old columns are filled back from the new ones
        assert rows(db, "account", ["id", "code", "handle"])[2] == (3, 99, "user3")
        # the expanded state again: both applications can write
        db.insert("account", {"id": 8, "code": 80, "handle": "old8"})
        db.insert("account", {"id": 9, "code__new": 90, "login": "new9"})
        assert in_sync(db) == []

        db.run_script(ec.expand.down.sql)
        assert same_as_built(db, old) == []
        assert triggers(db) == []
        assert rows(db, "account", ["id", "code", "handle"])[-2:] == [(8, 80, "old8"), (9, 90, "new9")]


@pytest.mark.parametrize("dialect", SERVER_ENGINES)
def test_a_table_without_a_one_column_key_is_filled_by_batches_too(dialect: str) -> None:
    old = loaded("entity pair {\n a: int\n b: int\n v: int\n primary key (a, b)\n}")
    new = loaded("entity pair {\n a: int\n b: int\n v: bigint\n primary key (a, b)\n}")
    ec = render_expand_contract(old, new, dialect, batch_size=2)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        for i in range(5):
            db.insert("pair", {"a": i, "b": i, "v": i + 100})
        db.run_script(ec.expand.up.sql)
        assert [r for r in rows(db, "pair", ["v", "v__new"]) if r[0] != r[1]] == []
        db.run_script(ec.contract.up.sql)
        assert same_as_built(db, new) == []
        assert rows(db, "pair", ["a", "v"]) == [(i, i + 100) for i in range(5)]


def test_changes_are_split_between_expand_and_contract() -> None:
    old, new = loaded(V1), loaded(V2)
    expand, contract, problems = split(old, new, with_rename(old, new, "account", "handle", "login"))
    assert problems == []
    assert sorted(str(c) for c in expand) == [
        "add column account.email", "add unique account.account_login_key", "alter column doc account.note",
        "expand column account.code", "expand column account.login"]
    assert sorted(str(c) for c in contract) == [
        "add check account.account_code_check", "alter column default account.note",
        "contract column account.code", "contract column account.login", "drop check account.account_code_check",
        "drop column account.legacy", "drop unique account.account_handle_key"]


def test_key_and_identity_columns_are_refused() -> None:
    old = loaded("entity t {\n id: int @pk\n n: int @identity\n}")
    new = loaded("entity t {\n id: bigint @pk\n n: bigint @identity\n}")
    _, _, problems = split(old, new, diff(old, new))
    assert sorted(p.message.split(": ")[1].split(";")[0] for p in problems) == [
        "it is an identity column", "it is part of the primary key"]


def test_the_scripts_split_into_statements_the_mysql_client_would_send() -> None:
    from schemac.ddl_text import split_statements

    _, _, ec = steps("mysql")
    statements = split_statements(ec.expand.up.sql, "mysql")
    assert not any(s.startswith("DELIMITER") for s in statements)
    trigger = next(s for s in statements if s.startswith("CREATE TRIGGER"))
    assert trigger.endswith("END") and "END IF;" in trigger


def test_cli_writes_four_files_and_refuses_sqlite(tmp_path) -> None:
    (tmp_path / "v1.schema").write_text(V1)
    (tmp_path / "v2.schema").write_text(V1.replace("code:   int", "code:   bigint"))
    runner = CliRunner()
    base = ["diff", str(tmp_path / "v1.schema"), str(tmp_path / "v2.schema"), "--strategy", "expand-contract"]
    printed = runner.invoke(cli, [*base, "--dialect", "postgresql"])
    assert printed.exit_code == 0, printed.output
    assert [line for line in printed.output.splitlines() if line.startswith("-- =====")] == [
        "-- ===== expand (UP) =====", "-- ===== expand (DOWN) =====",
        "-- ===== contract (UP) =====", "-- ===== contract (DOWN) ====="]
    written = runner.invoke(cli, [*base, "--dialect", "mysql", "-o", str(tmp_path / "out"), "--batch-size", "50"])
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "v2.contract.down.sql", "v2.contract.up.sql", "v2.expand.down.sql", "v2.expand.up.sql"]
    assert "LIMIT 50" in (tmp_path / "out" / "v2.expand.up.sql").read_text()
    refused = runner.invoke(cli, [*base, "--dialect", "sqlite"])
    assert refused.exit_code == 2
    assert "PostgreSQL and MySQL" in refused.output
