"""Migrations of `sql` blocks (views, triggers, functions, domains... kept as raw SQL): a
changed block is undone and run again, and what depends on it or on a changed table is
recreated around the change; each proved on the engine, UP then DOWN, against databases built
from the two specs (catalog comparison includes views, triggers, functions and domains where
the engine lists them)."""

from __future__ import annotations

import pytest
from migrations import ddl, loaded, migrate, same_as_built

from schemac.backends.migration import render_migration
from schemac.raw_objects import statements

from engines import scratch_database

CUSTOMER = "entity customer {\n  id: int @pk\n  name: varchar(40)\n  status: varchar(10)?\n}\n"


def up_and_down(old_text: str, new_text: str, dialect: str, rows: str = "") -> str:
    """UP and DOWN on the engine, each compared with a database built from its spec; the UP."""
    old, new = loaded(old_text), loaded(new_text)
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        if rows:
            db.run_script(rows)
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == [], pair.up.sql
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == [], pair.down.sql
    return pair.up.sql


def view(name: str, query: str, dialects: str = "postgresql, mysql, sqlite") -> str:
    return f'sql {name} for {dialects} """\n  CREATE VIEW {name} AS {query};\n"""\n'


def test_a_changed_view_is_dropped_and_created_again(engine: str) -> None:
    old = CUSTOMER + view("named", "SELECT id FROM customer")
    new = CUSTOMER + view("named", "SELECT id, name FROM customer")
    up = up_and_down(old, new, engine)
    assert "drop sql named" in up and "add sql named" in up


def test_a_view_on_a_changed_view_is_recreated_with_it(engine: str) -> None:
    """PostgreSQL refuses to drop a view another view reads: the reader is dropped first and
    created again after (sqldef: ViewDependsOnView_UpdateBaseViewAffectingDependentViews)."""
    reader = view("named_count", "SELECT count(*) AS n FROM named")
    old = CUSTOMER + view("named", "SELECT id, name FROM customer") + reader
    new = CUSTOMER + view("named", "SELECT id, name FROM customer WHERE status IS NOT NULL") + reader
    up = up_and_down(old, new, engine)
    assert up.index("DROP VIEW named_count;") < up.index("DROP VIEW named;")
    assert up.index("CREATE VIEW named AS") < up.index("CREATE VIEW named_count")


def test_a_view_on_a_column_that_changes_type_is_recreated_around_it(engine: str) -> None:
    """PostgreSQL will not retype (or drop) a column a view reads."""
    reads = view("names", "SELECT id, name FROM customer")
    up = up_and_down(CUSTOMER + reads, CUSTOMER.replace("varchar(40)", "varchar(80)") + reads, engine,
                     "INSERT INTO customer (id, name) VALUES (1, 'Ada');")
    assert up.index("DROP VIEW names") < up.index("ALTER TABLE")


def test_an_unchanged_view_on_an_untouched_table_is_left_alone(engine: str) -> None:
    reads = view("names", "SELECT id, name FROM customer")
    old = CUSTOMER + "entity note { id: int @pk }\n" + reads
    new = CUSTOMER + "entity note { id: int @pk\n  body: text? }\n" + reads
    assert "names" not in up_and_down(old, new, engine)


@pytest.mark.postgresql
@pytest.mark.parametrize("result", ["trigger", "pg_catalog.trigger"])
def test_postgresql_a_trigger_is_recreated_with_the_function_it_calls(result: str) -> None:
    """The function keeps its arguments and result: it is replaced in place. With another
    result as written (here the same type, qualified: schemac compares the text), it is
    dropped after the trigger that calls it."""
    function = ('sql touch for postgresql """\n  CREATE FUNCTION touch() RETURNS {} LANGUAGE plpgsql AS '
                "$$ BEGIN NEW.status := {}; RETURN NEW; END $$;\n\"\"\"\n")
    trigger = ('sql customer_touch for postgresql """\n  CREATE TRIGGER customer_touch BEFORE INSERT ON customer '
               'FOR EACH ROW EXECUTE FUNCTION touch();\n"""\n')
    old = CUSTOMER + function.format("trigger", "'new'") + trigger
    new = CUSTOMER + function.format(result, "'fresh'") + trigger
    up = up_and_down(old, new, "postgresql")
    if result == "trigger":
        assert "DROP FUNCTION" not in up and "CREATE OR REPLACE FUNCTION touch()" in up
    else:
        assert up.index("DROP TRIGGER customer_touch ON customer") < up.index("DROP FUNCTION touch()")
    with scratch_database("postgresql") as db:
        db.run_script(ddl(loaded(old), "postgresql"))
        db.run_script(migrate(loaded(old), loaded(new), "postgresql").up.sql)
        db.execute("INSERT INTO customer (id, name) VALUES (1, 'Ada')")
        assert db.query("SELECT status FROM customer") == [("fresh",)]


@pytest.mark.postgresql
def test_postgresql_a_function_a_default_calls_is_replaced_in_place() -> None:
    """PostgreSQL will not drop a function a column's default calls."""
    function = ('sql next_code for postgresql @before_tables """\n  CREATE FUNCTION next_code() RETURNS text '
                "LANGUAGE sql AS $$ SELECT {} $$;\n\"\"\"\n")
    entity = "entity voucher {\n  id: int @pk\n  code: text @default(next_code())\n}\n"
    up = up_and_down(entity + function.format("'A'"), entity + function.format("'B'"), "postgresql",
                     "INSERT INTO voucher (id) VALUES (1);")
    assert "DROP FUNCTION" not in up


@pytest.mark.postgresql
def test_postgresql_a_domain_over_an_enum_comes_after_the_enum() -> None:
    """sqldef: TypeBeforeDomain_DomainType; the DDL too writes the enums first."""
    domain = 'sql primary_color for postgresql @before_tables """\n  CREATE DOMAIN primary_color AS color;\n"""\n'
    new = CUSTOMER + "enum color { red, green }\n" + domain
    up_and_down(CUSTOMER, new, "postgresql")
    assert ddl(loaded(new), "postgresql").index("CREATE TYPE") < ddl(loaded(new), "postgresql").index("DOMAIN")


def test_sqlite_a_rebuilt_table_gets_its_trigger_back() -> None:
    """SQLite's rebuild drops the table, and its triggers with it."""
    trigger = ('sql customer_named for sqlite """\n  CREATE TRIGGER customer_named AFTER INSERT ON customer '
               "BEGIN UPDATE customer SET status = 'named' WHERE id = NEW.id; END;\n\"\"\"\n")
    old = CUSTOMER + trigger
    new = CUSTOMER.replace("status: varchar(10)?", "status: varchar(10)?\n  note: text @default('x') @unique") \
        + trigger
    up = up_and_down(old, new, "sqlite", "INSERT INTO customer (id, name) VALUES (1, 'Ada');")
    assert "Rebuild customer" in up and up.index("DROP TRIGGER customer_named") < up.index("Rebuild customer")


@pytest.mark.mysql
def test_mysql_a_changed_trigger_with_a_compound_body() -> None:
    trigger = ('sql customer_named for mysql """\n  CREATE TRIGGER customer_named BEFORE INSERT ON customer '
               "FOR EACH ROW BEGIN SET NEW.status = {}; END;\n\"\"\"\n")
    old, new = loaded(CUSTOMER + trigger.format("'a'")), loaded(CUSTOMER + trigger.format("'b'"))
    pair = migrate(old, new, "mysql")
    with scratch_database("mysql") as db:
        db.run_script(ddl(old, "mysql"))
        db.run_script(pair.up.sql)
        db.execute("INSERT INTO customer (id, name) VALUES (1, 'Ada')")
        db.run_script(pair.down.sql)
        db.execute("INSERT INTO customer (id, name) VALUES (2, 'Bob')")
        assert db.query("SELECT id, status FROM customer ORDER BY id") == [(1, "b"), (2, "a")]


def test_a_block_changed_for_another_dialect_only_is_no_change() -> None:
    old = loaded(CUSTOMER + view("named", "SELECT id FROM customer", "postgresql"))
    new = loaded(CUSTOMER + view("named", "SELECT id FROM customer", "postgresql, sqlite"))
    assert render_migration(old, new, "postgresql").up.empty
    assert "add sql named" in render_migration(old, new, "sqlite").up.sql


def test_a_block_that_only_changes_its_name_is_no_change() -> None:
    """`schemac import` numbers the statements it keeps (`statement_3`): one statement more
    above renumbers the others."""
    old = loaded(CUSTOMER + view("statement_3", "SELECT id FROM customer").replace("VIEW statement_3", "VIEW v"))
    new = loaded(CUSTOMER + view("statement_4", "SELECT id FROM customer").replace("VIEW statement_4", "VIEW v"))
    assert render_migration(old, new, "postgresql").up.empty


def test_a_dropped_raw_table_is_destructive_and_an_unknown_statement_is_named() -> None:
    old = loaded(CUSTOMER + 'sql audit for postgresql """\n  CREATE TABLE audit (id int);\n'
                            '  INSERT INTO audit VALUES (1);\n"""\n')
    up = render_migration(old, loaded(CUSTOMER), "postgresql").up
    assert [(h.code, h.destructive) for h in up.hazards] == [("M501", True), ("M507", False)]
    assert "M507 sql audit: schemac cannot undo `INSERT INTO audit VALUES (1)`" in up.sql
    assert "DROP TABLE audit;" in up.sql


@pytest.mark.parametrize(("dialect", "sql", "undo"), [
    ("postgresql", "CREATE OR REPLACE FUNCTION public.f(a int DEFAULT 1, OUT b text) RETURNS text "
                   "AS $$ SELECT 'x; y' $$ LANGUAGE sql", ["DROP FUNCTION public.f(a int)"]),
    ("postgresql", 'CREATE TRIGGER "T" BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION f()',
     ['DROP TRIGGER "T" ON s.t']),
    ("postgresql", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a)", ["DROP INDEX ix"]),
    ("postgresql", "CREATE INDEX ON t (a)", [None]),
    ("postgresql", "GRANT SELECT, INSERT ON t TO alice, bob WITH GRANT OPTION",
     ["REVOKE SELECT, INSERT ON t FROM alice, bob"]),
    ("postgresql", "ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING (true)",
     ["ALTER TABLE t DISABLE ROW LEVEL SECURITY", "DROP POLICY p ON t"]),
    ("postgresql", "COMMENT ON COLUMN t.a IS 'it''s'", ["COMMENT ON COLUMN t.a IS NULL"]),
    ("postgresql", "CREATE RULE r AS ON INSERT TO t DO NOTHING", ["DROP RULE r ON t"]),
    ("mysql", "CREATE DEFINER=`root`@`localhost` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN "
              "SET NEW.a = 1; SET NEW.b = 2; END", ["DROP TRIGGER tr"]),
    ("mysql", "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW v AS SELECT 1", ["DROP VIEW v"]),
    ("mysql", "CREATE INDEX ix ON t (a)", ["DROP INDEX ix ON t"]),
    ("sqlite", "CREATE VIRTUAL TABLE ft USING fts5(a)", ["DROP TABLE ft"]),
    ("sqlite", "CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END",
     ["DROP TRIGGER tr"]),
])
def test_what_undoes_a_statement(dialect: str, sql: str, undo: list[str | None]) -> None:
    assert [s.undo for s in statements(sql, dialect)] == undo
