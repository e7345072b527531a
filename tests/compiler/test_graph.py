"""Table order: dependencies first, declaration order otherwise, cycles broken."""

from __future__ import annotations

from schemac.graph import dependency_order


def test_referenced_tables_come_first_and_ties_keep_declaration_order():
    order, deferred = dependency_order(["order", "customer", "zone", "item"],
                                       [("order", "customer"), ("item", "order")])
    assert order == ["customer", "order", "zone", "item"]
    assert deferred == set()


def test_self_references_are_not_cycles():
    assert dependency_order(["employee"], [("employee", "employee")]) == (["employee"], set())


def test_a_cycle_is_broken_by_deferring_the_keys_that_point_forward():
    order, deferred = dependency_order(["department", "employee", "project"],
                                       [("department", "employee"), ("employee", "department"),
                                        ("project", "employee")])
    assert order == ["department", "employee", "project"]
    assert deferred == {("department", "employee")}


def test_the_order_is_the_same_every_time():
    nodes = [f"t{i}" for i in range(50)]
    edges = [(f"t{i}", f"t{(i * 7) % 50}") for i in range(50)]
    assert len({str(dependency_order(nodes, edges)) for _ in range(5)}) == 1
