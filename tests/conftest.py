"""Shared test configuration.

- `--update-goldens` rewrites the golden files under tests/golden/ instead of comparing.
- Hypothesis runs with a fixed seed and a modest number of examples by default
  (profile `ci`); set SCHEMAC_HYPOTHESIS_EXAMPLES to run more, for example 2000.
- Scratch databases on real engines (tests/engines.py): the fixtures `engine` (parametrised
  over postgresql, mysql and sqlite), `scratch_db`, `pg_db`, `mysql_db` and `sqlite_db`. Tests
  that need a server it cannot reach are skipped, or fail when `CI` is set. Select engines
  with the markers: `pytest -m "not mysql"`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ helpers: strategies, engines

from engines import engine, mysql_db, pg_db, scratch_db, sqlite_db  # noqa: E402,F401  (fixtures)

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("SCHEMAC_HYPOTHESIS_EXAMPLES", "60")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    for dialect, what in (("postgresql", "PostgreSQL"), ("mysql", "MySQL/MariaDB"), ("sqlite", "SQLite")):
        config.addinivalue_line("markers", f"{dialect}: runs DDL on a real {what} database")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite the golden files under tests/golden/")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
