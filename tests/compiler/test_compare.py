"""What `schemac.compare` counts as the same, beyond equality of the catalogs' fields."""

from __future__ import annotations

import pytest

from schemac.catalog import Catalog, Column, ForeignKey, Table
from schemac.compare import compare


def one_key(dialect: str, action: str) -> Catalog:
    key = ForeignKey("t_fk", ("p",), "t", ("id",), action, action)
    return Catalog(dialect, {"t": Table("t", (Column("id", "int", False), Column("p", "int", True)),
                                        foreign_keys=(key,))}, {}, ())


@pytest.mark.parametrize("dialect, same", [("mysql", True), ("postgresql", False), ("sqlite", False)])
def test_restrict_is_no_action_on_innodb_only(dialect: str, same: bool) -> None:
    """MariaDB reports an action left out as RESTRICT, MySQL 8 as NO ACTION; InnoDB runs both alike."""
    assert (compare(one_key(dialect, "RESTRICT"), one_key(dialect, "NO ACTION")) == []) is same
    assert compare(one_key(dialect, "CASCADE"), one_key(dialect, "NO ACTION")) != []
