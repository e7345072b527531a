"""Golden files: the DDL of every example, for every dialect, reviewed in diffs like code.

`tests/golden/compile/<example>/<dialect>.sql` holds what `schemac compile` prints. A change
to the output fails here until the golden files are rewritten with
`pytest tests/backends/test_goldens.py --update-goldens` and the diff is reviewed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemac.api import compile_files
from schemac.diagnostics import render
from schemac.ir import DIALECTS

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "compile"
EXAMPLES = sorted((ROOT / "examples").glob("*.schema"))


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_ddl_matches_its_golden_file(example: Path, dialect: str, update_goldens: bool) -> None:
    result = compile_files([example], dialect)
    assert result.ok and result.sql is not None, render(result.diagnostics)
    golden = GOLDEN / example.stem / f"{dialect}.sql"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.sql, encoding="utf-8")
        return
    assert golden.exists(), f"{golden} is missing: run pytest --update-goldens"
    assert result.sql == golden.read_text(encoding="utf-8"), (
        f"the DDL of {example.name} for {dialect} changed; review the difference and run "
        "pytest tests/backends/test_goldens.py --update-goldens")


def test_every_golden_file_belongs_to_an_example() -> None:
    expected = {(e.stem, d) for e in EXAMPLES for d in DIALECTS}
    found = {(p.parent.name, p.stem) for p in GOLDEN.glob("*/*.sql")}
    assert found <= expected, f"stale golden files: {sorted(found - expected)}"
