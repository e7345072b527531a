"""Migrations run on the real engines: UP turns a database built from OLD into one built
from NEW, DOWN brings it back, rows survive, and data checks stop a migration before it
changes anything."""

from __future__ import annotations

import os

import pytest
from migrations import ddl, loaded, migrate, rows, same_as_built

from schemac.backends.migration import render_migration

from engines import ENGINE_PARAMS, ScratchDatabase, scratch_database

SHOP_V1 = """
enum status { active, closed }
entity customer {
  id: int @pk
  name: varchar(20)
  fax: text?
}
entity orders {
  id: int @pk
  customer: ref customer
  status: status @default(active)
}
"""

SHOP_V2 = """
enum status { active, pending, closed }
entity customer {
  id: bigint @pk
  name: varchar(40) @unique
  email: text?
}
entity orders {
  id: int @pk
  customer: ref customer
  status: status @default(pending)
  note: text?
}
entity tag {
  id: int @pk
  label: text
}
"""


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_up_and_down_reach_each_spec_and_keep_rows(dialect: str) -> None:
    old, new = loaded(SHOP_V1), loaded(SHOP_V2)
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("customer", {"id": 1, "name": "Ada", "fax": "555"})
        db.insert("customer", {"id": 2, "name": "Bob", "fax": None})
        db.insert("orders", {"id": 10, "customer_id": 1, "status": "closed"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        assert rows(db, "customer", ["id", "name"]) == [(1, "Ada"), (2, "Bob")]
        assert rows(db, "orders", ["id", "customer_id", "status"]) == [(10, 1, "closed")]
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []
        assert rows(db, "orders", ["id", "customer_id", "status"]) == [(10, 1, "closed")]
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []


PARENT_V1 = """
entity parent {
  id: int @pk
  name: text
}
entity child {
  id: int @pk
  parent: ref parent @on_delete(cascade)
}
"""

PARENT_V2 = """
entity parent {
  id: int @pk
  name: varchar(100) \"\"\"renamed things\"\"\"
}
entity child {
  id: int @pk
  parent: ref parent @on_delete(cascade)
}
"""


def test_sqlite_rebuild_of_a_parent_keeps_cascading_children() -> None:
    """The trap: PRAGMA foreign_keys = OFF does nothing inside a transaction, so a rebuild
    whose DROP TABLE runs with foreign keys on deletes every child row (ON DELETE CASCADE)."""
    old, new = loaded(PARENT_V1), loaded(PARENT_V2)
    pair = migrate(old, new, "sqlite")
    assert "Rebuild parent" in pair.up.sql
    with scratch_database("sqlite") as db:
        db.run_script(ddl(old, "sqlite"))
        db.insert("parent", {"id": 1, "name": "p"})
        db.insert("child", {"id": 1, "parent_id": 1})
        db.insert("child", {"id": 2, "parent_id": 1})
        db.run_script(pair.up.sql)
        assert rows(db, "child", ["id", "parent_id"]) == [(1, 1), (2, 1)]
        assert db.query("PRAGMA foreign_keys") == [(1,)]
        assert same_as_built(db, new) == []
        with db.rejects():  # foreign keys hold again after the migration
            db.insert("child", {"id": 3, "parent_id": 99})


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_a_changed_primary_key_is_changed_around_the_foreign_keys_to_it(dialect: str) -> None:
    old = loaded("entity a { id: int @pk\n code: varchar(10) }\nentity b { id: int @pk\n a: ref a }")
    new = loaded("entity a { id: bigint @pk\n code: varchar(10) }\nentity b { id: int @pk\n a: ref a }")
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("a", {"id": 1, "code": "x"})
        db.insert("b", {"id": 1, "a_id": 1})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        assert rows(db, "b", ["id", "a_id"]) == [(1, 1)]
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []


def test_a_new_enum_value_used_as_a_default_is_added_outside_the_transaction() -> None:
    """PostgreSQL refuses a value added in the transaction that uses it (unsafe use of new
    value); an enum value the migration uses is added before BEGIN."""
    old = loaded("enum s { a, b }\nentity t { id: int @pk\n s: s @default(a) }")
    new = loaded("enum s { a, b, c }\nentity t { id: int @pk\n s: s @default(c) }")
    pair = migrate(old, new, "postgresql")
    assert pair.up.sql.index("ADD VALUE 'c'") < pair.up.sql.index("BEGIN;")
    with scratch_database("postgresql") as db:
        db.run_script(ddl(old, "postgresql"))
        db.insert("t", {"id": 1, "s": "b"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        db.execute('INSERT INTO "t" ("id") VALUES (2)')
        assert rows(db, "t", ["id", "s"]) == [(1, "b"), (2, "c")]


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_removing_an_enum_value_in_use_stops_before_any_change(dialect: str) -> None:
    old = loaded("enum s { a, b, c }\nentity t { id: int @pk\n s: s\n note: text? }")
    new = loaded("enum s { a, c }\nentity t { id: int @pk\n s: s }")
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("t", {"id": 1, "s": "b", "note": "kept"})
        with pytest.raises(Exception, match="holds 'b'"):
            db.run_script(pair.up.sql)
        if dialect != "mysql":  # the client stopped inside the transaction
            db.execute("ROLLBACK")
        assert same_as_built(db, old) == []
        assert rows(db, "t", ["id", "s", "note"]) == [(1, "b", "kept")]
        db.execute(f"UPDATE {db.quote('t')} SET {db.quote('s')} = 'a'")
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_set_not_null_checks_the_rows_first(dialect: str) -> None:
    old = loaded("entity t { id: int @pk\n n: int?\n u: int? }")
    new = loaded("entity t { id: int @pk\n n: int\n u: int? @unique }")
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("t", {"id": 1, "n": None, "u": 5})
        db.insert("t", {"id": 2, "n": 1, "u": 5})
        with pytest.raises(Exception, match="holds NULL"):
            db.run_script(pair.up.sql)
        if dialect != "mysql":
            db.execute("ROLLBACK")
        db.execute(f"UPDATE {db.quote('t')} SET {db.quote('n')} = 0 WHERE {db.quote('n')} IS NULL")
        with pytest.raises(Exception, match="duplicate"):
            db.run_script(pair.up.sql)
        if dialect != "mysql":
            db.execute("ROLLBACK")
        assert same_as_built(db, old) == []
        db.execute(f"UPDATE {db.quote('t')} SET {db.quote('u')} = 6 WHERE {db.quote('id')} = 2")
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []


def test_a_failure_in_the_middle_of_a_postgresql_migration_leaves_old() -> None:
    """An injected failure halfway through UP: PostgreSQL rolls the whole migration back."""
    from engines import split_statements

    old, new = loaded(SHOP_V1), loaded(SHOP_V2)
    pair = migrate(old, new, "postgresql")
    statements = ["\n".join(line for line in s.splitlines() if not line.startswith("--"))
                  for s in split_statements(pair.up.sql, "postgresql")]
    body = [i for i, s in enumerate(statements) if s.startswith(("ALTER TABLE", "CREATE TABLE"))]
    middle = body[len(body) // 2]
    broken = statements[:middle] + ["SELECT 1 / 0"] + statements[middle:]
    with scratch_database("postgresql") as db:
        db.run_script(ddl(old, "postgresql"))
        db.insert("customer", {"id": 1, "name": "Ada", "fax": "555"})
        outside = statements[:statements.index("BEGIN")]
        with pytest.raises(Exception, match="division by zero"):
            db.run_script(";\n".join(broken) + ";")
        db.execute("ROLLBACK")
        # Only what the file runs before its transaction (an enum value it uses) is left.
        assert outside == ["ALTER TYPE \"status\" ADD VALUE 'pending' AFTER 'active'"]
        differences = same_as_built(db, old)
        assert differences == ["enum.status.values: ('active', 'closed') != ('active', 'pending', 'closed')"] \
            or len(differences) == 1 and "pending" in differences[0]
        assert rows(db, "customer", ["id", "name", "fax"]) == [(1, "Ada", "555")]


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_generated_migrations_reach_new_and_come_back(dialect: str) -> None:
    """For (OLD, NEW) pairs drawn by random edits: build OLD with rows, UP reaches NEW (its
    catalog is that of a database built from NEW) and keeps the rows of unchanged columns,
    DOWN reaches OLD, UP again reaches NEW. A data check that stops UP leaves OLD as it was."""
    from hypothesis import assume, given, settings
    from migrations import fill, kept_rows

    from schemac import api
    from schemac.backends.base import render_schema
    from schemac.dsl.format import format_schema

    from strategies import schema_pairs

    with scratch_database(dialect) as db:

        examples = os.environ.get("SCHEMAC_HYPOTHESIS_EXAMPLES")
        @settings(max_examples=int(examples) if examples else {"sqlite": 60, "postgresql": 25, "mysql": 15}[dialect])
        @given(schema_pairs())
        def check(pair: tuple) -> None:
            texts = [format_schema(s) for s in pair]
            results = [api.load_text(t, "spec.schema") for t in texts]
            assume(all(r.ok for r in results))
            old, new = (r.schema for r in results)
            for schema in (old, new):
                assume(not any(d.is_error for d in render_schema(schema, dialect)[1]))
            migration = render_migration(old, new, dialect)
            assume(not any(d.is_error for d in migration.up.diagnostics + migration.down.diagnostics))
            db.empty()
            db.run_script(ddl(old, dialect))
            fill(db, old)
            before = kept_rows(db, old, new)
            if not applied(db, migration.up.sql):
                assert same_as_built(db, old) == []  # stopped by a data check before any change
                return
            assert same_as_built(db, new) == [], migration.up.sql
            assert kept_rows(db, old, new) == before
            if not applied(db, migration.down.sql):
                # DOWN cannot add back a NOT NULL column without a default to a table with rows
                assert same_as_built(db, new) == []
                return
            assert same_as_built(db, old) == [], migration.down.sql
            assert applied(db, migration.up.sql)
            assert same_as_built(db, new) == []

        check()



@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_enum_values_added_and_removed(dialect: str) -> None:
    """SQLite checks an enum with a CHECK in each table that uses it: the tables are rebuilt."""
    old = loaded('enum e { a }\nentity t { id: int @pk\n `dash-ed`: e }')
    new = loaded('enum e { b, a, c }\nentity t { id: int @pk\n `dash-ed`: e }')
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("t", {"id": 1, "dash-ed": "a"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        db.insert("t", {"id": 2, "dash-ed": "c"})
        db.delete("t", {"id": 2})
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []
        assert rows(db, "t", ["id", "dash-ed"]) == [(1, "a")]


def applied(db: ScratchDatabase, sql: str) -> bool:
    """Run a migration: True when it ran, False when one of its data checks stopped it (the
    client then ends the transaction, as psql and sqlite3 do when they stop)."""
    try:
        db.run_script(sql)
    except Exception as exc:
        if "schemac:" not in str(exc):
            raise
        if db.dialect != "mysql":
            db.execute("ROLLBACK")
        return False
    return True


# -- renames stated with @was: the rows stay ------------------------------------------------------

RENAME_V1 = """
entity customer {
  id: int @pk
  email: varchar(100) @index
  score: int @check(score >= 0)
  code: char(4)

  unique (code) @name(customer_code_uq)
}
entity orders {
  id: int @pk
  customer: ref customer
  note: text?
}
"""

RENAME_V2 = """
entity client @was(customer) {
  id: int @pk
  mail: varchar(100) @index @was(email)
  points: bigint @was(score) @check(points >= 0)
  tag: char(4) @was(code)

  unique (tag) @name(customer_code_uq)
}
entity orders {
  id: int @pk
  buyer: ref client @was(customer)
  remark: text? @was(note)
}
"""


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_renames_keep_rows_up_and_down(dialect: str) -> None:
    old, new = loaded(RENAME_V1), loaded(RENAME_V2)
    pair = migrate(old, new, dialect)
    assert not pair.up.destructive, pair.up.sql
    assert [h.code for h in pair.down.destructive] == ["M503"]  # bigint back to int, checked first
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("customer", {"id": 1, "email": "ada@example.com", "score": 7, "code": "A001"})
        db.insert("customer", {"id": 2, "email": "bob@example.com", "score": 3, "code": "B002"})
        db.insert("orders", {"id": 10, "customer_id": 1, "note": "fragile"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        assert rows(db, "client", ["id", "mail", "points"]) == [(1, "ada@example.com", 7), (2, "bob@example.com", 3)]
        assert rows(db, "orders", ["id", "buyer_id", "remark"]) == [(10, 1, "fragile")]
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []
        assert rows(db, "customer", ["id", "email", "score"]) == [(1, "ada@example.com", 7), (2, "bob@example.com", 3)]
        assert rows(db, "orders", ["id", "customer_id", "note"]) == [(10, 1, "fragile")]
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        assert rows(db, "orders", ["id", "buyer_id", "remark"]) == [(10, 1, "fragile")]


RENAMED_PARENT_V1 = """
entity customer {
  id: int @pk
  name: text
}
entity orders {
  id: int @pk
  customer: ref customer @columns(customer_id)
}
"""

RENAMED_PARENT_V2 = """
entity client @was(customer) {
  ident: int @pk @was(id)
  name: text
}
entity orders {
  id: int @pk
  customer: ref client @columns(customer_id)
}
"""


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_a_renamed_parent_keeps_the_foreign_keys_that_point_to_it(dialect: str) -> None:
    old, new = loaded(RENAMED_PARENT_V1), loaded(RENAMED_PARENT_V2)
    pair = migrate(old, new, dialect)
    assert not any(c.kind in ("drop foreign key", "add foreign key") and c.table == "orders"
                   for c in pair.up.changes if dialect != "postgresql"), pair.up.sql
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("customer", {"id": 1, "name": "Ada"})
        db.insert("orders", {"id": 10, "customer_id": 1})
        for migration, spec, parent, key in ((pair.up, new, "client", "ident"), (pair.down, old, "customer", "id"),
                                             (pair.up, new, "client", "ident")):
            db.run_script(migration.sql)
            assert same_as_built(db, spec) == []
            assert rows(db, parent, [key, "name"]) == [(1, "Ada")]
            assert rows(db, "orders", ["id", "customer_id"]) == [(10, 1)]
        with db.rejects() as errors:  # the foreign key still holds, on the renamed table
            db.insert("orders", {"id": 11, "customer_id": 2})
        assert errors


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_a_renamed_identity_column_keeps_counting(dialect: str) -> None:
    # PostgreSQL renames the sequence as a fresh database names it; MySQL keeps the
    # AUTO_INCREMENT key, which it could not drop
    old = loaded("entity customer {\n  id: int @pk @identity\n  name: text\n}\n")
    new = loaded("entity client @was(customer) {\n  ident: int @pk @identity @was(id)\n  name: text\n}\n")
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.insert("customer", {"name": "Ada"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        db.insert("client", {"name": "Bob"})
        assert rows(db, "client", ["ident", "name"]) == [(1, "Ada"), (2, "Bob")]
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []
        assert rows(db, "customer", ["id", "name"]) == [(1, "Ada"), (2, "Bob")]



def test_sqlite_rebuilds_a_table_whose_only_change_is_its_enum() -> None:
    """Regression: a value added to (or removed from) an enum changes the CHECK of every table
    with a column of it; SQLite rebuilt only the tables that another change touched."""
    old = loaded("enum role { lead, member }\nentity crew { id: int @pk\n role: role }")
    new = loaded("enum role { lead, member, guest }\nentity crew { id: int @pk\n role: role }")
    pair = migrate(old, new, "sqlite")
    with scratch_database("sqlite") as db:
        db.run_script(ddl(old, "sqlite"))
        db.insert("crew", {"id": 1, "role": "lead"})
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == []
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == []
        assert rows(db, "crew", ["id", "role"]) == [(1, "lead")]


def test_diff_order_does_not_depend_on_hash_seed() -> None:
    """Regression: the differ walked the tables both specs have as a set, so a migration's
    order (and the golden files) changed with PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    code = ("from schemac.backends.migration import render_migration; from schemac.api import load_text; "
            "a = load_text(" + repr(SHOP_V1) + ").schema; b = load_text(" + repr(SHOP_V2) + ").schema; "
            "print(render_migration(a, b, 'postgresql').up.sql)")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(outputs) == 1
