"""Compiling on two processes gives exactly what compiling on one gives."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings

from schemac import api, parallel
from schemac.dsl.format import format_schema
from schemac.ir import DIALECTS

from conftest import ROOT
from strategies import schemas

sys.path.insert(0, str(ROOT / "bench"))
from compile_bench import generate  # noqa: E402


def both_ways(spec: str | list, dialect: str) -> tuple[tuple[str | None, list], tuple[str | None, list] | None]:
    """The SQL and diagnostics compiled sequentially, and on two processes (None if declined).
    `spec` is a text or a list of paths."""
    loader = api._Loader()
    if isinstance(spec, str):
        sequential = api.compile_loaded(api.load_text(spec, "spec.schema"), dialect)
        loader.add(api.parse_text(spec, "spec.schema"), ROOT)
    else:
        sequential = api.compile_files(spec, dialect)
        for path in spec:
            loader.load(path, None)
    loaded = loader.finish(resolved=False)
    if not loaded.ok:
        return (sequential.sql, []), None
    out = parallel.compile_on_two_cores(loaded.declared, loaded.source_map, dialect)
    located = None
    if out is not None:
        located = (out[0], [(d.code, d.message) for d in api.locate(out[1], loaded.source_map)])
    return (sequential.sql, [(d.code, d.message) for d in sequential.diagnostics]), located


def assert_same(spec: str | list, dialect: str) -> None:
    sequential, on_two = both_ways(spec, dialect)
    if on_two is None:  # it declined: fine, the caller compiles sequentially
        return
    assert on_two[0] == sequential[0]
    assert sorted(on_two[1]) == sorted(sequential[1])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_large_generated_spec(dialect):
    text = generate(600)
    sequential, on_two = both_ways(text, dialect)
    assert on_two is not None, "two processes declined a plain large spec"
    assert on_two[0] == sequential[0]
    assert sorted(on_two[1]) == sorted(sequential[1])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_examples_together(dialect):
    sequential, on_two = both_ways(sorted((ROOT / "examples").glob("*.schema")), dialect)
    assert on_two is not None
    assert on_two[0] == sequential[0]
    assert sorted(on_two[1]) == sorted(sequential[1])


@settings(max_examples=25)
@given(schemas(max_entities=6))
def test_generated_specs(schema):
    text = format_schema(schema)
    for dialect in DIALECTS:
        assert_same(text, dialect)


def test_a_spec_with_errors_is_left_to_the_sequential_path():
    _, on_two = both_ways("entity a { id: int @pk\n b: ref nowhere }\nentity c { id: int @pk }\n", "sqlite")
    assert on_two is None


def test_names_generated_twice_across_the_halves_make_it_decline():
    # `a_b` + column `c` and `a` + column `b_c` both want the index name a_b_c_idx.
    text = "entity a_b { id: int @pk\n c: int @index }\nentity a { id: int @pk\n b_c: int @index }\n"
    assert both_ways(text, "postgresql")[1] is None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_fresh_process_compiles_a_large_spec_on_two_cores(tmp_path, dialect):
    """As the CLI does it: nothing imported or registered beforehand."""
    import subprocess

    spec = tmp_path / "big.schema"
    spec.write_text(generate(parallel.THRESHOLD + 10))
    out = subprocess.run([sys.executable, "-m", "schemac", "compile", str(spec), "--dialect", dialect],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == api.compile_files([spec], dialect).sql


def test_the_cli_uses_two_processes_for_large_specs(tmp_path):
    spec = tmp_path / "big.schema"
    spec.write_text(generate(parallel.THRESHOLD + 10))
    result = api.compile_files([spec], "postgresql", jobs=2)
    assert result.ok and result.load.schema is None  # the parallel path leaves no resolved model
    assert result.sql == api.compile_files([spec], "postgresql").sql


# -- schemac diff: OLD loaded in a child process ----------------------------------------------------

from diff_bench import second_version  # noqa: E402


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object]:
    folder = tmp_path_factory.mktemp("versions")
    old, new = folder / "old.schema", folder / "new.schema"
    old.write_text(generate(400))
    new.write_text(second_version(400))
    assert old.stat().st_size >= parallel.LOAD_THRESHOLD
    return old, new


def same_diff(old, new, dialect: str) -> api.DiffResult:
    """The diff on two processes, checked against the sequential one; returns the former."""
    sequential = api.diff_files([old], [new], dialect)
    on_two = api.diff_files([old], [new], dialect, jobs=2)
    assert [(d.code, d.message, str(d.span)) for d in on_two.diagnostics] == \
        [(d.code, d.message, str(d.span)) for d in sequential.diagnostics]
    assert (on_two.pair is None) == (sequential.pair is None)
    if sequential.pair is not None:
        assert on_two.pair.up.sql == sequential.pair.up.sql
        assert on_two.pair.down.sql == sequential.pair.down.sql
    return on_two


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_diff_loads_old_in_a_child_and_gives_the_same_migrations(versions, dialect):
    old, new = versions
    result = same_diff(old, new, dialect)
    assert result.old.declared is None  # the child's: the resolved schema only
    assert same_diff(new, old, dialect).old.declared is None


def test_old_with_diagnostics_is_loaded_sequentially(versions, tmp_path):
    old, new = versions
    broken = tmp_path / "broken.schema"
    broken.write_text(old.read_text().replace("ref e5 ", "ref e5x ", 2))
    result = same_diff(broken, new, "postgresql")
    assert result.pair is None and result.old.declared is not None
    assert same_diff(new, broken, "postgresql").pair is None  # NEW with errors: reported as ever


def test_a_failing_child_falls_back_to_loading_old_here(versions, monkeypatch):
    old, new = versions

    def fail(self, obj):
        raise RuntimeError("the child fails")

    monkeypatch.setattr(parallel._SharingPickler, "dump", fail)
    assert same_diff(old, new, "sqlite").old.declared is not None


def test_small_specs_are_diffed_in_one_process(tmp_path):
    old, new = tmp_path / "old.schema", tmp_path / "new.schema"
    old.write_text(generate(20))
    new.write_text(second_version(20))
    assert same_diff(old, new, "mysql").old.declared is not None


def test_shared_nodes_come_back_equal(versions):
    import io
    import pickle

    schema = api.load_files([versions[0]]).schema
    buffer = io.BytesIO()
    parallel._SharingPickler(buffer).dump(schema)
    back = pickle.loads(buffer.getvalue())
    assert back == schema
    fields = [f for e in back.entities for f in e.fields]
    assert len({id(f) for f in fields}) == len(set(fields)) < len(fields)  # equal fields are one object
