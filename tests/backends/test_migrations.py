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
