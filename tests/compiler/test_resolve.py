"""What resolution makes of a declared spec: columns, keys, names and join entities."""

from __future__ import annotations

import pytest

import schemac
from schemac.api import SchemaError, load_text
from schemac.diagnostics import render
from schemac.ir import Action, Entity, Schema

from conftest import ROOT


def resolve(text: str) -> Schema:
    result = load_text(text)
    assert result.ok and result.schema is not None, render(result.diagnostics)
    return result.schema


def entity(schema: Schema, name: str) -> Entity:
    found = schema.entity(name)
    assert found is not None
    return found


def columns(e: Entity) -> list[tuple[str, str, bool]]:
    return [(f.name, str(f.type), f.nullable) for f in e.fields]


def test_a_ref_creates_columns_with_the_target_key_types() -> None:
    s = resolve("entity customer { id: uuid @pk\n email: varchar(320) @unique }\n"
                "entity order { id: bigint @pk\n buyer: ref customer @on_delete(cascade)\n"
                " referrer: ref customer(email)? }")
    order = entity(s, "order")
    assert columns(order) == [("id", "bigint", False), ("buyer_id", "uuid", False),
                              ("referrer_email", "varchar(320)", True)]
    fks = {fk.name: (fk.columns, fk.target, fk.target_columns, fk.on_delete) for fk in order.foreign_keys}
    assert fks == {"order_buyer_id_fkey": (("buyer_id",), "customer", ("id",), Action.CASCADE),
                   "order_referrer_email_fkey": (("referrer_email",), "customer", ("email",), Action.NO_ACTION)}


def test_composite_keys_and_shared_columns() -> None:
    s = resolve("entity tenant { id: uuid @pk }\n"
                "entity project { tenant: ref tenant @columns(tenant_id) @pk\n id: int @pk }\n"
                "entity task { tenant_id: uuid @pk\n id: int @pk\n"
                " project: ref project @columns(tenant_id, project_id)\n"
                " parent: ref task? @columns(tenant_id, parent_id) }")
    task = entity(s, "task")
    assert columns(task) == [("tenant_id", "uuid", False), ("id", "int", False), ("project_id", "int", False),
                             ("parent_id", "int", True)]
    assert task.primary_key is not None and task.primary_key.columns == ("tenant_id", "id")
    assert [(fk.columns, fk.target_columns) for fk in task.foreign_keys] == [
        (("tenant_id", "project_id"), ("tenant_id", "id")), (("tenant_id", "parent_id"), ("tenant_id", "id"))]


def test_a_many_link_becomes_a_join_entity() -> None:
    s = resolve("entity post { id: int @pk\n tags: many tag { added_at: timestamptz @default(now()) } }\n"
                "entity tag { id: bigint @pk }\n"
                "entity user { id: int @pk\n follows: many user }")
    join = entity(s, "post_tags")
    assert columns(join) == [("post_id", "int", False), ("tag_id", "bigint", False), ("added_at", "timestamptz", False)]
    assert join.primary_key is not None and join.primary_key.columns == ("post_id", "tag_id")
    assert {fk.on_delete for fk in join.foreign_keys} == {Action.CASCADE}
    assert [i.name for i in join.indexes] == ["post_tags_tag_id_idx"]
    assert [f.name for f in entity(s, "user_follows").fields] == ["user_id", "follows_id"]
    assert [e.name for e in s.entities] == ["post", "post_tags", "tag", "user", "user_follows"]


def test_field_constraints_move_to_the_entity_with_conventional_names() -> None:
    s = resolve("entity order { id: int @pk\n code: varchar(8) @unique @index\n total: int @check(total >= 0)\n"
                " a: int\n b: int\n check (a < b)\n check (a > 0)\n index ((lower(code)), a desc) @where(a > 0) }")
    order = entity(s, "order")
    assert order.primary_key is not None and order.primary_key.name == "order_pkey"
    assert [u.name for u in order.uniques] == ["order_code_key"]
    assert [c.name for c in order.checks] == ["order_total_check", "order_check", "order_a_check"]
    assert [i.name for i in order.indexes] == ["order_code_idx", "order_lower_a_idx"]
    assert all(not (f.primary_key or f.unique or f.indexed or f.checks) for f in order.fields)


def test_taken_names_are_numbered() -> None:
    s = resolve("entity t { id: int @pk\n a: int @check(a > 0) @check(a < 9)\n check (a <> 5) }")
    assert [c.name for c in entity(s, "t").checks] == ["t_a_check", "t_a_check1", "t_a_check2"]


def test_an_enum_default_written_as_a_name_becomes_a_string() -> None:
    s = resolve("enum status { open, closed }\nentity t { id: int @pk\n s: status @default(open) }")
    assert entity(s, "t").fields[1].default == "'open'"


def test_access_patterns_name_columns() -> None:
    s = resolve("entity c { id: int @pk }\nentity o { id: int @pk\n c: ref c\n at: date\n"
                " access recent: c = ? and at >= ? order by at desc limit 5 }")
    (pattern,) = entity(s, "o").access_patterns
    assert [(p.column, p.op) for p in pattern.predicates] == [("c_id", "="), ("at", ">=")]
    assert pattern.limit == 5 and pattern.order_by[0].descending


def test_the_resolved_form_is_itself_a_valid_spec() -> None:
    from schemac.dsl.format import format_schema

    original = schemac.load(ROOT / "examples" / "university.schema")
    again = resolve(format_schema(original))
    assert again == original


def test_load_raises_with_the_diagnostics(tmp_path) -> None:
    spec = tmp_path / "bad.schema"
    spec.write_text("entity a { id: int @pk\n b: strng }\n")
    with pytest.raises(SchemaError) as caught:
        schemac.load(spec)
    assert [d.code for d in caught.value.diagnostics] == ["R102"]
    assert "unknown type 'strng'" in str(caught.value)
