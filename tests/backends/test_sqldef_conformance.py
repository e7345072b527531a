"""sqldef's migration cases on the three engines (issue 5): every case in scope passes,
except the known failures in tests/conformance/sqldef/known-failures.json.

Each case is imported, diffed, and its UP and DOWN applied and judged by catalog comparison
(bench/sqldef_migrations.py, which prints the table kept in docs/migrations.md). A case that
fails and is not listed, or is listed and no longer fails, fails the test: a regression and a
fix both show. Refresh the list with

    python bench/sqldef_migrations.py --update-known-failures

The cases run in chunks, so `pytest -n auto` spreads them over the workers.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from engines import require_engine

ROOT = Path(__file__).resolve().parents[2]
CHUNKS = {"postgresql": 8, "mysql": 3, "sqlite": 1}


def _bench() -> ModuleType:
    name = "sqldef_migrations"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


PARAMS = [pytest.param(dialect, k, marks=getattr(pytest.mark, dialect), id=f"{dialect}-{k + 1}of{n}")
          for dialect, n in CHUNKS.items() for k in range(n)]


@pytest.mark.parametrize(("dialect", "chunk"), PARAMS)
def test_sqldef_cases(dialect: str, chunk: int) -> None:
    require_engine(dialect)
    bench = _bench()
    cases = bench.load_cases(dialect)[chunk::CHUNKS[dialect]]
    ids = {c["id"] for c in cases}
    known = json.loads(bench.KNOWN_FAILURES.read_text(encoding="utf-8"))[dialect]["failures"]
    outcomes = bench.run_cases(cases)
    failed = {o.id: f"{o.cause}: {o.detail}" for o in outcomes if o.status == "failed"}
    new = {i: why for i, why in failed.items() if i not in known}
    fixed = sorted(i for i in known if i in ids and i not in failed)
    assert not new, "cases that fail and are not known failures:\n" + "\n".join(f"{i}: {w}" for i, w in new.items())
    assert not fixed, ("known failures that no longer fail (refresh known-failures.json with "
                       "`python bench/sqldef_migrations.py --update-known-failures`):\n" + "\n".join(fixed))
