"""Migrations run on the real engines: UP turns a database built from OLD into one built
from NEW, DOWN brings it back, rows survive, and data checks stop a migration before it
changes anything."""

from __future__ import annotations

import pytest
from migrations import ddl, loaded, migrate, rows, same_as_built

from engines import ENGINE_PARAMS, scratch_database

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


PARENT_V1 = """
entity customer {
  id: int @pk
  name: text
}
entity orders {
  id: int @pk
  customer: ref customer @columns(customer_id)
}
"""

PARENT_V2 = """
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
    old, new = loaded(PARENT_V1), loaded(PARENT_V2)
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
