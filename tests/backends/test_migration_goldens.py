"""Golden migrations: each example (v1, in examples/) against its second version
(specs/migrations/<example>/v2/), for every dialect, reviewed in diffs like code.

`tests/golden/migrations/<example>/<dialect>.up.sql` and `.down.sql` hold what
`schemac diff examples/<example>.schema specs/migrations/<example>/v2/<example>.schema
--dialect <dialect> --allow-destructive [--down]` prints. A change to the output fails here
until the files are rewritten with `pytest tests/backends/test_migration_goldens.py
--update-goldens` and the diff is reviewed. The golden files also run on the engines: UP,
DOWN and UP again on a database built from v1 with rows, each step compared with a database
built from the spec it should reach. Under `--online`, the PostgreSQL UP migrations pass
squawk (docs/migrations.md, "Linting with squawk").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from migrations import ddl as build_ddl
from migrations import rows, same_as_built
from test_goldens import check_golden

from schemac import api
from schemac.diagnostics import render
from schemac.ir import DIALECTS

from conftest import ROOT
from engines import ENGINE_PARAMS, scratch_database

GOLDEN = ROOT / "tests" / "golden" / "migrations"
V2 = ROOT / "specs" / "migrations"
EXAMPLES = ("shop", "agent_tracker", "agent_memory", "university")

TENANT = "6f1c2a4e-8b7d-4c3a-9e5f-0a1b2c3d4e5f"
AGENT = "7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d"
# A few rows in v1 for each example: (table, values, the columns read back at the end).
ROWS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "shop": [
        ("tenant", {"id": TENANT, "slug": "acme", "name": "Acme"}),
        ("warehouse", {"tenant_id": TENANT, "code": "W1", "name": "Main", "country": "US"}),
        ("product", {"tenant_id": TENANT, "sku": "SKU-1", "title": "Mug", "price": 12}),
    ],
    "agent_tracker": [
        ("workspace", {"id": TENANT, "slug": "eng", "name": "Engineering"}),
        ("team", {"workspace_id": TENANT, "name": "Core"}),
    ],
    "agent_memory": [
        ("account", {"id": TENANT, "name": "Acme"}),
        ("agent", {"id": AGENT, "account_id": TENANT, "name": "helper", "model": "m1", "embedding_model": "e1",
                   "embedding_dim": 768}),
    ],
    "university": [
        ("building", {"code": "SCI", "name": "Science"}),
        ("room", {"building_code": "SCI", "number": "101", "capacity": 40}),
        ("department", {"code": "CS", "name": "Computer Science", "building_code": "SCI"}),
    ],
}


def spec_paths(example: str) -> tuple[Path, Path]:
    return ROOT / "examples" / f"{example}.schema", V2 / example / "v2" / f"{example}.schema"


def migration_sql(example: str, dialect: str, *, online: bool = False) -> tuple[str, str]:
    old, new = spec_paths(example)
    result = api.diff_files([old], [new], dialect, online=online)
    assert result.ok, render(result.diagnostics)
    return result.pair.up.sql, result.pair.down.sql


def golden(example: str, dialect: str, direction: str) -> Path:
    return GOLDEN / example / f"{dialect}.{direction}.sql"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_migration_matches_its_golden_files(example: str, dialect: str, update_goldens: bool) -> None:
    up, down = migration_sql(example, dialect)
    for direction, sql in (("up", up), ("down", down)):
        check_golden(golden(example, dialect, direction), sql, f"the {direction.upper()} migration of {example} "
                     f"for {dialect}", update_goldens)


def test_every_golden_migration_belongs_to_an_example() -> None:
    expected = {(e, f"{d}.{w}.sql") for e in EXAMPLES for d in DIALECTS for w in ("up", "down")}
    found = {(p.parent.name, p.name) for p in GOLDEN.glob("*/*") if p.is_file()}
    assert found <= expected, f"stale golden files: {sorted(found - expected)}"


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden_migrations_run_up_down_up(example: str, dialect: str) -> None:
    old_path, new_path = spec_paths(example)
    old, new = api.load(old_path), api.load(new_path)
    up, down = (golden(example, dialect, w).read_text(encoding="utf-8") for w in ("up", "down"))
    with scratch_database(dialect) as db:
        db.run_script(build_ddl(old, dialect))
        for table, values in ROWS[example]:
            db.insert(table, values)
        before = {t: rows(db, t, list(v)) for t, v in ROWS[example]}
        db.run_script(up)
        assert same_as_built(db, new) == []
        db.run_script(down)
        assert same_as_built(db, old) == []
        db.run_script(up)
        assert same_as_built(db, new) == []
        assert {t: rows(db, t, list(v)) for t, v in ROWS[example]} == before


SQUAWK = shutil.which("squawk") or next((str(p) for p in [Path(sys.executable).parent / "squawk"] if p.exists()), None)
# Findings that stay, each explained in docs/migrations.md ("Linting with squawk").
SQUAWK_EXPLAINED: dict[str, str] = {}


@pytest.mark.skipif(SQUAWK is None, reason="the squawk binary is not installed (pip install squawk-cli)")
@pytest.mark.parametrize("example", EXAMPLES)
def test_online_postgresql_migrations_pass_squawk(example: str, tmp_path: Path) -> None:
    up, _ = migration_sql(example, "postgresql", online=True)
    path = tmp_path / f"{example}.up.sql"
    path.write_text(up, encoding="utf-8")
    proc = subprocess.run([str(SQUAWK), "--reporter", "json", str(path)], capture_output=True, text=True)
    findings = json.loads(proc.stdout or "[]")
    errors = [f for f in findings
              if f.get("level", "").lower() == "error" and f.get("rule_name") not in SQUAWK_EXPLAINED]
    assert errors == [], json.dumps(errors, indent=1)



@pytest.mark.parametrize("example", EXAMPLES)
def test_online_postgresql_migrations_run(example: str) -> None:
    """The --online variant (lock_timeout, CONCURRENTLY, NOT VALID then VALIDATE) reaches v2 too."""
    old_path, new_path = spec_paths(example)
    old, new = api.load(old_path), api.load(new_path)
    up, down = migration_sql(example, "postgresql", online=True)
    with scratch_database("postgresql") as db:
        db.run_script(build_ddl(old, "postgresql"))
        for table, values in ROWS[example]:
            db.insert(table, values)
        db.run_script(up)
        assert same_as_built(db, new) == []
        db.run_script(down)
        assert same_as_built(db, old) == []
