"""Every generated valid spec compiles and loads cleanly on all three engines.

One scratch database per engine serves all the examples: it is emptied between them.
After loading, the catalog must hold exactly the tables and columns the resolved model says,
named as the dialect stores them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from schemac.api import compile_loaded, load_text
from schemac.diagnostics import render
from schemac.dsl.format import format_schema

from engines import ENGINE_PARAMS, ScratchDatabase, documented_short_name, scratch_database
from strategies import schemas


def physical(name: str, dialect: str) -> str:
    return documented_short_name(name, dialect)


def catalog_tables(db: ScratchDatabase) -> dict[str, list[str]]:
    catalog: Any = db.catalog()
    return {name: list(t.column_names) for name, t in catalog.tables.items()}


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_generated_specs_compile_and_load(dialect: str) -> None:
    with scratch_database(dialect) as db:

        @given(schemas())
        def check(schema: Any) -> None:
            loaded = load_text(format_schema(schema), "generated.schema")
            assert loaded.ok, render(loaded.diagnostics)
            result = compile_loaded(loaded, dialect)
            assert result.ok and result.sql is not None, render(result.diagnostics)
            db.empty()
            db.run_script(result.sql)
            assert loaded.schema is not None
            expected = {physical(e.table_name, dialect): [physical(f.name, dialect) for f in e.fields]
                        for e in loaded.schema.entities}
            assert catalog_tables(db) == expected

        check()
