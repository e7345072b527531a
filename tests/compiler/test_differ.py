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


# -- renames: stated with @was, never guessed ------------------------------------------------------

RENAME_OLD = """entity customer {
  id:    int @pk
  email: text
  note:  text?

  unique (email) @name(customer_email_unique)
}

entity invoice {
  id:       int @pk
  customer: ref customer
}
"""

RENAME_NEW = """entity client @was(customer) {
  id:   int @pk
  mail: text @was(email)
  note: text?

  unique (mail) @name(customer_email_unique)
}

entity invoice {
  id:    int @pk
  buyer: ref client @was(customer)
}
"""


def test_renames_have_their_shapes() -> None:
    old, new = resolved(RENAME_OLD), resolved(RENAME_NEW)
    changes = diff(old, new)
    (table,) = [c for c in changes if c.kind == "rename table"]
    assert (table.table, table.name, table.old, table.new) == ("client", None, old.entities[0], new.entities[0])
    columns = {(c.table, c.name, c.old.name, c.new.name) for c in changes if c.kind == "rename column"}
    assert columns == {("client", "mail", "email", "mail"), ("invoice", "buyer_id", "customer_id", "buyer_id")}


def test_a_rename_keeps_what_the_engine_carries_through_it() -> None:
    changes = {str(c) for c in diff(resolved(RENAME_OLD), resolved(RENAME_NEW))}
    assert changes == {
        "rename table client", "rename column client.mail", "rename column invoice.buyer_id",
        # names derived from the table's or the column's name change: dropped and added again
        "drop primary key client.customer_pkey", "add primary key client.client_pkey",
        "drop foreign key invoice.invoice_customer_id_fkey", "add foreign key invoice.invoice_buyer_id_fkey",
        # the explicitly named unique key over the renamed column is the same key
    }


def test_down_reads_the_marker_on_the_other_side() -> None:
    old, new = resolved(RENAME_OLD), resolved(RENAME_NEW)
    changes = diff(new, old)
    (table,) = [c for c in changes if c.kind == "rename table"]
    assert (table.table, table.old.table_name, table.new.table_name) == ("customer", "client", "customer")
    columns = {(c.table, c.name, c.old.name) for c in changes if c.kind == "rename column"}
    assert columns == {("customer", "email", "mail"), ("invoice", "customer_id", "buyer_id")}
    assert not [c for c in changes if c.kind in ("drop table", "add table", "drop column", "add column")]


def test_a_renamed_column_can_change_type_too() -> None:
    old = resolved("entity t {\n  id: int @pk\n  n: int\n}\n")
    new = resolved("entity t {\n  id: int @pk\n  m: bigint @was(n)\n}\n")
    assert [(c.kind, c.name) for c in diff(old, new)] == [("rename column", "m"), ("alter column type", "m")]
    assert [(c.kind, c.name) for c in diff(new, old)] == [("rename column", "n"), ("alter column type", "n")]


def test_a_marker_whose_old_name_is_gone_is_ignored() -> None:
    before = resolved("entity t {\n  id: int @pk\n}\n")
    after = resolved("entity u @was(x) {\n  id: int @pk\n  m: int? @was(n)\n}\n")
    assert {str(c) for c in diff(before, after)} == {"drop table t", "add table u"}
    kept = resolved("entity t @was(x) {\n  id: int @pk\n  m: int? @was(n)\n}\n")
    assert diff(kept, kept) == []
    assert {str(c) for c in diff(before, kept)} == {"add column t.m"}


def test_a_renamed_parent_keeps_the_foreign_keys_that_point_to_it() -> None:
    old = resolved("entity a {\n  id: int @pk\n}\n\nentity b {\n  id: int @pk\n  a: ref a\n}\n")
    new = resolved("entity z @was(a) {\n  id: int @pk\n}\n\nentity b {\n  id: int @pk\n  a: ref z\n}\n")
    assert {str(c) for c in diff(old, new)} == {"rename table z", "drop primary key z.a_pkey",
                                                "add primary key z.z_pkey"}


def test_drop_and_add_that_look_like_renames_get_a_hint() -> None:
    from schemac.differ import rename_hints

    old = resolved("entity a {\n  id: int @pk\n  x: int\n}\n\nentity t {\n  id: int @pk\n  email: text\n  n: int\n}\n")
    new = resolved("entity b {\n  id: int @pk\n  x: int\n}\n\nentity t {\n  id: int @pk\n  mail: text\n  m: text\n}\n")
    hints = rename_hints(new, diff(old, new))
    assert {d.code for d in hints} == {"M506"}
    assert [d.help for d in hints] == ["if it is, add @was(a) to entity 'b'",
                                       "if it is, add @was(email) to field 't.mail'"]
    stated = resolved("entity a {\n  id: int @pk\n  x: int\n}\n\nentity t {\n  id: int @pk\n  mail: text @was(email)\n"
                      "  n: int\n}\n")
    assert rename_hints(stated, diff(old, stated)) == []
