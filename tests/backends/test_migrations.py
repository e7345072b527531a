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
