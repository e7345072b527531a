"""The differ's typed operations between two resolved specs (issue 5, first step)."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from schemac import api
from schemac.diagnostics import render
from schemac.differ import diff
from schemac.dsl.format import format_schema
from schemac.ir import Schema

from strategies import schemas

OLD = """enum status { open, closed }

entity customer {
  id:    int @pk
  email: varchar(200) @unique
  note:  text?
}

entity invoice {
  id:       int @pk
  customer: ref customer
  status:   status @default('open')
  total:    decimal(10, 2)

  check (total >= 0)
  index (status)
}

entity audit {
  id: int @pk
}
"""

NEW = """enum status { open, closed, void }

entity customer {
  id:    int @pk
  email: varchar(320) @unique
  name:  text?
}

entity invoice {
  id:       int @pk
  customer: ref customer @on_delete(cascade)
  status:   status @default('open')
  total:    decimal(10, 2)?

  check (total >= 0)
  index (status, total)
}

entity payment {
  id: int @pk
}
"""


def resolved(text: str) -> Schema:
    loaded = api.load_text(text, "spec.schema")
    assert loaded.ok and loaded.schema is not None, render(loaded.diagnostics)
    return loaded.schema


def test_each_kind_of_change_is_one_operation() -> None:
    changes = {str(c) for c in diff(resolved(OLD), resolved(NEW))}
    assert changes == {
        "add enum value status 'void'",
        "drop table audit", "add table payment",
        "drop column customer.note", "add column customer.name",
        "alter column type customer.email",
        "alter column nullable invoice.total",
        # a changed foreign key or index is dropped and added again, as every engine needs
        "drop foreign key invoice.invoice_customer_id_fkey", "add foreign key invoice.invoice_customer_id_fkey",
        "drop index invoice.invoice_status_idx", "add index invoice.invoice_status_total_idx",
    }


def test_the_operations_carry_both_forms() -> None:
    (change,) = [c for c in diff(resolved(OLD), resolved(NEW)) if c.kind == "alter column type"]
    assert (change.old.name, change.old.params, change.new.params) == ("varchar", (200,), (320,))


@given(schemas())
def test_a_spec_has_no_difference_with_itself(schema: Any) -> None:
    text = format_schema(schema)
    assert diff(resolved(text), resolved(text)) == []


def test_keys_enums_and_comments() -> None:
    old = resolved('enum e { a, b, c }\n\nentity t "Old" {\n  a: int @pk\n  b: int\n  v: e\n}\n')
    new = resolved('enum e { c, a }\n\nentity t "New" {\n  a: int\n  b: int\n  v: e\n\n  primary key (a, b)\n}\n')
    assert {str(c) for c in diff(old, new)} == {
        "drop enum value e 'b'", "reorder enum values e", "drop primary key t.t_pkey", "add primary key t.t_pkey",
        "alter table comment t"}
    assert [c.old for c in diff(old, new) if c.kind == "drop enum value"] == ["b"]
