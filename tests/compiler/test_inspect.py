"""`schemac inspect` round trips on the real engines.

For a spec S: compile S and load it into database A; inspect A into a spec S'; compile S'
and load it into database B. The catalogs of A and B must be identical (schemac.compare):
what inspect wrote reproduces the database it read. This runs for every example, the test
fixtures and generated specs, on PostgreSQL, MariaDB and SQLite.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from schemac import api
from schemac.catalog import read_catalog
from schemac.cli import cli
from schemac.compare import compare
from schemac.diagnostics import render
from schemac.dsl.format import format_schema
from schemac.inspect import InspectError, parse_url
from schemac.normalize import database_form
from schemac.reverse import reverse

from conftest import ROOT
from engines import ENGINE_PARAMS, ScratchDatabase, scratch_database
from strategies import schemas

SPECS = sorted((ROOT / "examples").glob("*.schema")) + sorted((ROOT / "tests" / "fixtures").glob("*.schema"))


def round_trip(spec: str | Path, dialect: str, a: ScratchDatabase, b: ScratchDatabase) -> str:
    """Load `spec` (a text or a file) into A, inspect A, load that into B; the inspected
    spec. Fails on any difference between the two catalogs."""
    loaded_spec = api.load_files([spec]) if isinstance(spec, Path) else api.load_text(spec, "original.schema")
    original = api.compile_loaded(loaded_spec, dialect)
    assert original.sql is not None, render(original.diagnostics)
    a.run_script(original.sql)
    catalog_a = a.catalog()
    inspected = format_schema(reverse(catalog_a).schema)
    loaded = api.load_text(inspected, "inspected.schema")
    assert loaded.ok, render(loaded.diagnostics) + "\n" + inspected
    again = api.compile_loaded(loaded, dialect)
    assert again.sql is not None, render(again.diagnostics) + "\n" + inspected
    b.run_script(again.sql)
    catalog_b = b.catalog()
    differences = compare(catalog_a, catalog_b)
    assert not differences, "\n".join(map(str, differences)) + "\n\n" + inspected
    assert loaded_spec.schema is not None and loaded.schema is not None
    expected = database_form(loaded_spec.schema, dialect, catalog_a)
    found = database_form(loaded.schema, dialect, catalog_b)
    assert found == expected, "\n".join(model_differences(expected, found)) + "\n\n" + inspected
    return inspected


def model_differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two models differ, as paths: members of a tuple matched by name where they have one."""
    if type(a) is not type(b) or not hasattr(a, "model_fields") and not isinstance(a, tuple):
        return [] if a == b else [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, tuple):
        named = all(getattr(x, "name", None) is not None for x in (*a, *b))
        keys_a = {(x.name if named else i): x for i, x in enumerate(a)}
        keys_b = {(x.name if named else i): x for i, x in enumerate(b)}
        out = [f"{path}[{k}]: only in the {'spec' if k in keys_a else 'inspected spec'}"
               for k in keys_a.keys() ^ keys_b.keys()]
        return out + [d for k in keys_a.keys() & keys_b.keys() for d in model_differences(keys_a[k], keys_b[k],
                                                                                           f"{path}[{k}]")]
    return [d for name in type(a).model_fields for d in model_differences(getattr(a, name), getattr(b, name),
                                                                          f"{path}.{name}")]


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_inspect_reproduces_each_example(dialect: str) -> None:
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        for spec in SPECS:
            a.empty()
            b.empty()
            round_trip(spec, dialect, a, b)


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_inspect_reproduces_generated_specs(dialect: str) -> None:
    with scratch_database(dialect) as a, scratch_database(dialect) as b:

        @settings(max_examples=40)
        @given(schemas())
        def check(schema: Any) -> None:
            a.empty()
            b.empty()
            round_trip(format_schema(schema), dialect, a, b)

        check()


def test_inspected_spec_reads_like_a_hand_written_one() -> None:
    spec = ROOT / "examples" / "shop.schema"
    with scratch_database("sqlite") as a, scratch_database("sqlite") as b:
        text = round_trip(spec, "sqlite", a, b)
    order = text.split("entity order {", 1)[1].split("\n}\n", 1)[0]
    assert "  id:" in order and "@pk @identity" in order.replace("@identity @pk", "@pk @identity")
    assert "tenant:" in order and "ref tenant @on_delete(cascade)" in order  # a foreign key as a relationship
    assert "@name(" not in order.split("order_totals_add_up", 1)[0].split("check", 1)[0]  # default names left out
    assert "@name(order_totals_add_up)" in order  # a name the spec chose is kept
    assert '"A placed order' not in order  # SQLite keeps no table comments ...
    assert "Per-tenant order number" in order  # ... but column comments, written as SQL comments


LINKS = """
entity article {
  id:      bigint @pk
  tags:    many tag
  authors: many person @table(authorship)
  cites:   many article
  notes:   many person { note: text? }
}

entity tag    { id: int @pk }
entity person { id: int @pk }
"""

# Tables shaped like a link's join table that differ from it in one thing each.
NEAR_MISSES = """
entity article_readers "Links 'article' to 'person' (article.readers)." {
  article: ref article @on_delete(cascade)
  person:  ref person @on_delete(restrict)
  primary key (article, person)
  index (person)
}

entity article_editors "Links 'article' to 'person' (article.editors)." {
  article: ref article @on_delete(cascade)
  person:  ref person @on_delete(cascade)
  primary key (article, person)
  index (person) @name(editors_by_person)
}

entity article_owners "Links 'article' to 'person' (article.owners)." {
  article: ref article @on_delete(cascade)
  person:  ref person @on_delete(cascade)
  primary key (article, person)
}
"""


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_join_tables_of_links_become_links(dialect: str) -> None:
    """A table exactly as a `many` link generates it is that link again: named by the table,
    by `@table`, or for a link to its own entity by its far side's columns."""
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        text = round_trip(LINKS, dialect, a, b)
    article = text.split("entity article {", 1)[1].split("\n}\n", 1)[0].splitlines()
    assert "  tags:    many tag" in article and "  cites:   many article" in article
    assert "  authors: many person @table(authorship)" in article
    assert "entity article_tags" not in text and "entity authorship" not in text
    assert "entity article_notes" in text  # a join table with a column of its own stays an entity


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_near_miss_join_tables_stay_entities(dialect: str) -> None:
    """Another foreign-key action, an index of another name or no index: an entity, as read."""
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        text = round_trip(LINKS + NEAR_MISSES, dialect, a, b)
    for table in ("article_readers", "article_editors", "article_owners"):
        assert f"entity {table} " in text
    assert "  tags:    many tag" in text.splitlines()


def test_cli_inspect_writes_a_spec(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    conn = sqlite3.connect(db)
    conn.executescript(api.compile_files([ROOT / "examples" / "shop.schema"], "sqlite").sql or "")
    conn.close()
    out = tmp_path / "shop.schema"
    result = CliRunner().invoke(cli, ["inspect", f"sqlite:///{db}", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert api.load_files([out]).ok
    again = sqlite3.connect(":memory:")
    again.executescript(api.compile_files([out], "sqlite").sql or "")
    assert compare(read_catalog(sqlite3.connect(db), "sqlite"), read_catalog(again, "sqlite")) == []


def test_what_a_spec_cannot_hold_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);"
                       "CREATE VIEW big AS SELECT * FROM t WHERE n > 10;"
                       "CREATE TRIGGER touch AFTER INSERT ON t BEGIN UPDATE t SET n = 0 WHERE n IS NULL; END;")
    conn.close()
    result = CliRunner().invoke(cli, ["inspect", f"sqlite:///{db}"])
    assert result.exit_code == 0
    assert "warning: view 'big' is kept as raw SQL for sqlite (sql big)" in result.output
    assert "warning: trigger 'touch' is kept as raw SQL for sqlite (sql touch)" in result.output
    assert "entity t {" in result.output and 'sql big for sqlite """' in result.output


OBJECTS = {
    "postgresql": [
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n := coalesce(NEW.n, 0); "
        "RETURN NEW; END $$",
        "CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10",
        "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS c FROM t",
        "CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch()",
    ],
    "mysql": ["CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10"],
    "sqlite": ["CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10",
               "CREATE TRIGGER t_touch AFTER INSERT ON t BEGIN UPDATE t SET n = 0 WHERE n IS NULL; END"],
}


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_views_functions_and_triggers_are_kept_as_raw_sql(dialect: str) -> None:
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        a.run_script("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, n INT);\n"
                     + ";\n".join(OBJECTS[dialect]) + ";")
        catalog_a = a.catalog()
        assert len(catalog_a.objects) == len(OBJECTS[dialect])
        text = format_schema(reverse(catalog_a).schema)
        assert text.count("\nsql ") == len(OBJECTS[dialect])
        again = api.compile_loaded(api.load_text(text, "inspected.schema"), dialect)
        assert again.sql is not None, render(again.diagnostics)
        b.run_script(again.sql)
        differences = compare(catalog_a, b.catalog())
        assert not differences, "\n".join(map(str, differences)) + "\n\n" + text


@pytest.mark.parametrize("url, message", [
    ("oracle://x/y", "unknown database URL scheme 'oracle'"),
    ("postgresql://127.0.0.1", "the URL names no database"),
    ("sqlite:///does/not/exist.db", "no SQLite database at 'does/not/exist.db'"),
])
def test_bad_urls_are_usage_errors(url: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["inspect", url])
    assert result.exit_code == 2 and message in result.output


def test_url_forms() -> None:
    t = parse_url("postgres://me:p%40ss@db.example:6543/shop?schema=sales")
    assert (t.dialect, t.user, t.password, t.host, t.port, t.database, t.schema) == (
        "postgresql", "me", "p@ss", "db.example", 6543, "shop", "sales")
    assert parse_url("sqlite:////var/data/a.db").database == "/var/data/a.db"
    assert parse_url("mariadb://root@localhost/app").dialect == "mysql"
    with pytest.raises(InspectError):
        parse_url("sqlite://")


def test_sqlite_spellings_of_one_meaning_compare_equal() -> None:
    """SQLite's names are case-insensitive whether quoted or not, `!=` is `<>` and FALSE is 0:
    texts that differ only so are the same schema; any other difference is still one."""
    def catalog(ddl: str) -> Any:
        conn = sqlite3.connect(":memory:")
        conn.executescript(ddl)
        return read_catalog(conn, "sqlite")

    one = catalog("CREATE TABLE t (Lock CHAR(1), on_ BOOLEAN DEFAULT 0, CHECK (Lock='X'));"
                  "CREATE INDEX t_i ON t (Lock) WHERE Lock != 'Y';")
    same = catalog("CREATE TABLE t (Lock CHAR(1), on_ BOOLEAN DEFAULT false, CHECK (\"lock\" = 'X'));"
                   "CREATE INDEX t_i ON t (Lock) WHERE \"LOCK\" <> 'Y';")
    other = catalog("CREATE TABLE t (Lock CHAR(1), on_ BOOLEAN DEFAULT 1, CHECK (Lock='x'));"
                    "CREATE INDEX t_i ON t (Lock) WHERE Lock = 'Y';")
    assert compare(one, same) == []
    assert [d.path[-1] for d in compare(one, other)] == ["default", "lock = 'X'", "lock = 'x'", "t_i"]
