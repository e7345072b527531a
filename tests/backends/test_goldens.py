"""Golden files: the DDL of every example for every dialect, and its diagrams, reviewed in
diffs like code.

`tests/golden/compile/<example>/<dialect>.sql` holds what `schemac compile` prints, and
`erd.mmd` and `erd.dot` what `schemac erd --format mermaid|dot` prints. A change to the
output fails here until the golden files are rewritten with
`pytest tests/backends/test_goldens.py --update-goldens` and the diff is reviewed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemac.api import compile_files, diagram_files
from schemac.diagnostics import render
from schemac.ir import DIALECTS

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "compile"
EXAMPLES = sorted((ROOT / "examples").glob("*.schema"))


def check_golden(golden: Path, text: str, what: str, update: bool) -> None:
    """Compare `text` with a golden file, or rewrite the file with `--update-goldens`."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        return
    assert golden.exists(), f"{golden} is missing: run pytest --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{what} changed; review the difference and run pytest tests/backends/test_goldens.py --update-goldens")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_ddl_matches_its_golden_file(example: Path, dialect: str, update_goldens: bool) -> None:
    result = compile_files([example], dialect)
    assert result.ok and result.sql is not None, render(result.diagnostics)
    check_golden(GOLDEN / example.stem / f"{dialect}.sql", result.sql, f"the DDL of {example.name} for {dialect}",
                 update_goldens)


@pytest.mark.parametrize("fmt, suffix", [("mermaid", "mmd"), ("dot", "dot")])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_diagram_matches_its_golden_file(example: Path, fmt: str, suffix: str, update_goldens: bool) -> None:
    result = diagram_files([example], fmt)
    assert result.text is not None, render(result.diagnostics)
    check_golden(GOLDEN / example.stem / f"erd.{suffix}", result.text, f"the {fmt} diagram of {example.name}",
                 update_goldens)


def test_every_golden_file_belongs_to_an_example() -> None:
    expected = {(e.stem, f"{d}.sql") for e in EXAMPLES for d in DIALECTS}
    expected |= {(e.stem, f"erd.{s}") for e in EXAMPLES for s in ("mmd", "dot")}
    found = {(p.parent.name, p.name) for p in GOLDEN.glob("*/*") if p.is_file()}
    assert found <= expected, f"stale golden files: {sorted(found - expected)}"
