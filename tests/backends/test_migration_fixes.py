"""Migration bugs that sqldef's cases found (bench/sqldef_migrations.py), each pinned by a
small spec pair on the engine: build OLD, migrate UP, compare with a database built from NEW,
and DOWN back to OLD."""

from __future__ import annotations

import pytest
from migrations import ddl, loaded, migrate, same_as_built

from engines import scratch_database


def up_and_down(old_text: str, new_text: str, dialect: str) -> None:
    old, new = loaded(old_text), loaded(new_text)
    pair = migrate(old, new, dialect)
    with scratch_database(dialect) as db:
        db.run_script(ddl(old, dialect))
        db.run_script(pair.up.sql)
        assert same_as_built(db, new) == [], pair.up.sql
        db.run_script(pair.down.sql)
        assert same_as_built(db, old) == [], pair.down.sql


@pytest.mark.mysql
def test_mysql_dropping_a_foreign_key_drops_the_index_innodb_made_for_it() -> None:
    """InnoDB creates an index named after a foreign key that no index serves, and keeps it
    when the key is dropped (sqldef: DropForeignKey, CreateTableForeignKey)."""
    up_and_down("entity users { id: bigint @pk }\nentity posts { id: int @pk\n author: ref users? }",
                "entity users { id: bigint @pk }\nentity posts { id: int @pk\n author_id: bigint? }", "mysql")


@pytest.mark.mysql
def test_mysql_an_auto_increment_column_is_added_and_dropped_with_its_primary_key() -> None:
    """MySQL refuses an AUTO_INCREMENT column that is not a key, even for one statement
    (sqldef: CreateTableAddAutoIncrementPrimaryKey*, CreateTableRemoveAutoIncrementPrimaryKey*)."""
    up_and_down("entity users @keyless { name: varchar(20)? }",
                "entity users { id: bigint @pk @identity\n name: varchar(20)? }", "mysql")


@pytest.mark.postgresql
@pytest.mark.parametrize(("old", "new"), [
    ("bigint @identity(serial)", "int @identity(serial)"),  # sqldef: BigserialToSerial
    ("smallint @identity(serial)", "int @identity(serial)"),  # SmallserialToSerial
    ("bigint", "bigint @identity(serial)"),
    ("int @identity(serial)", "int @identity"),
    ("int @identity(always)", "bigint @identity(serial)"),
])
def test_postgresql_serial_columns_change_type_and_kind(old: str, new: str) -> None:
    """SERIAL is not a type PostgreSQL can ALTER a column to: the column takes the integer
    type and its sequence follows (AS), or the sequence is created or dropped with the
    default that reads it."""
    rows = "\n  name: text?"
    up_and_down(f"entity users {{ id: {old} @pk{rows} }}", f"entity users {{ id: {new} @pk{rows} }}", "postgresql")


def test_a_table_dropped_with_its_foreign_key_before_the_key_it_uses_changes(engine: str) -> None:
    """The dropped table's foreign key depends on the primary key that changes; and the
    table that loses every column gets its new ones first, which MySQL requires (sqldef:
    ForeignKeyWithPrimaryKeyChangeAndDrop)."""
    up_and_down("entity users { id: int @pk }\nentity taggings @keyless { user: ref users\n tag: text }",
                "entity users { user_id: int @pk\n name: text? }", engine)


@pytest.mark.mysql
def test_mysql_a_primary_key_with_an_auto_increment_column_is_replaced_in_one_statement() -> None:
    """The AUTO_INCREMENT column must stay a key: DROP PRIMARY KEY and ADD PRIMARY KEY go in
    one ALTER (sqldef: CreateTableWithAutoIncrementPrimaryKeyAndAddMorePrimaryKey57)."""
    up_and_down("entity friends { id: bigint @pk @identity\n other_id: bigint\n created_at: timestamp }",
                "entity friends { id: bigint @identity\n other_id: bigint\n created_at: timestamp\n"
                "  primary key (id, other_id) }", "mysql")


@pytest.mark.mysql
def test_mysql_typed_date_literals_stay_typed_literals() -> None:
    """`DATE '2020-01-01'` is written as such, not as a CAST, which MariaDB and MySQL store
    otherwise than a typed literal (sqldef: TypedLiteralsInCheck)."""
    old = "entity events { id: int @pk }"
    new = ("entity events { id: int @pk\n event_date: date?\n"
           "  check (event_date >= DATE '2020-01-01' AND event_date <= '2030-12-31'::date) @name(chk_range) }")
    assert "`event_date` >= DATE '2020-01-01' AND `event_date` <= DATE '2030-12-31'" in \
        migrate(loaded(old), loaded(new), "mysql").up.sql
    up_and_down(old, new, "mysql")
