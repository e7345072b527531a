"""What the generated DDL does on real engines: each test runs tests/fixtures/ddl_features.schema
on a fresh database of each dialect, then inserts, updates and deletes rows to see the
constraints, defaults and names at work.

Covered: identifier quoting (keywords, spaces, mixed case, Unicode, quotes and backquotes in
names, names past the engines' limits), enums, checks, defaults, identities, ON DELETE
CASCADE / SET NULL, a composite foreign key, a foreign-key cycle, a many-to-many join table,
comments, string literals with quotes and backslashes, and byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from schemac.api import CompileResult, compile_loaded, load_files, load_text
from schemac.backends.base import render_schema
from schemac.ddl_text import tokenize, unquote_string
from schemac.diagnostics import render

from engines import DIALECTS, ScratchDatabase, documented_short_name, scratch_database, split_statements

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "fixtures" / "ddl_features.schema"

LONG_TABLE = "this_entity_name_is_much_longer_than_what_postgresql_and_mysql_allow_here"
LONG_COLUMN = "this_column_name_is_much_longer_than_any_engine_allows_for_an_identifier"
WIDE_COLUMN = "ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé_ünïcödé"  # 56 characters, 70 bytes
NOTE_DEFAULT = 'it\'s a \\ path; "quoted"'
CODE_FORBIDDEN = "x\\y'z"
USER_DOC = 'People who "order" things; it\'s a back\\slash test'
NOTE_DOC = 'Quotes \' " and a back\\slash'
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@cache
def compiled(dialect: str) -> CompileResult:
    loaded = load_files([SPEC])
    assert loaded.ok, render([d for d in loaded.diagnostics if d.is_error])
    result = compile_loaded(loaded, dialect)
    errors = [d for d in result.diagnostics if d.is_error]
    assert result.ok and result.sql is not None and not errors, render(errors)
    return result


@pytest.fixture
def db(scratch_db: ScratchDatabase) -> ScratchDatabase:
    """A scratch database with ddl_features.schema loaded."""
    sql = compiled(scratch_db.dialect).sql
    assert sql is not None
    scratch_db.run_script(sql)
    return scratch_db


def name(db: ScratchDatabase, spec_name: str) -> str:
    return documented_short_name(spec_name, db.dialect)


def add_user(db: ScratchDatabase, select: str = "someone") -> int:
    db.insert("user", {"select": select})
    return int(db.query(f"SELECT MAX({db.quote('id')}) FROM {db.quote('user')}")[0][0])


def add_order(db: ScratchDatabase, **values: Any) -> int:
    db.insert("order", values)
    return int(db.query(f"SELECT MAX({db.quote('id')}) FROM {db.quote('order')}")[0][0])


# -- names -----------------------------------------------------------------------------------------


def test_awkward_names_round_trip(db: ScratchDatabase) -> None:
    row = {
        "select": "keyword",
        "Mixed Case": 7,
        "naïve": True,
        "名前": "なまえ",
        'say "hi"': "double quote",
        "it's": "single quote",
        "back`tick": "backquote",
        "semi;colon": "semicolon",
        name(db, LONG_COLUMN): 64,
        name(db, WIDE_COLUMN): 70,
    }
    db.insert("user", row)
    got = db.select("user", list(row))
    assert len(got) == 1
    assert [bool(v) if k == "naïve" else v for k, v in zip(row, got[0], strict=True)] == list(row.values())

    db.insert("group", {"id": 1, "name": "admins"})
    user_id = db.select("user", ["id"])[0][0]
    db.insert("order", {"user_id": user_id, "group_id": 1})
    assert db.select("order", ["user_id", "group_id"]) == [(user_id, 1)]


def test_long_names_are_shortened_as_documented(db: ScratchDatabase) -> None:
    table = name(db, LONG_TABLE)
    catalog = db.catalog()
    assert table in catalog.tables, sorted(catalog.tables)
    columns = catalog.table("user").column_names
    assert name(db, LONG_COLUMN) in columns
    assert name(db, WIDE_COLUMN) in columns
    if db.dialect == "postgresql":  # 63 bytes: the 70-byte name is shortened, at a character boundary
        assert name(db, WIDE_COLUMN) != WIDE_COLUMN and len(name(db, WIDE_COLUMN).encode()) <= 63
    else:  # MySQL counts characters, SQLite has no limit
        assert name(db, WIDE_COLUMN) == WIDE_COLUMN
    # Every identifier the engine shows fits its limit, and each shortened name was announced.
    warnings = "\n".join(d.message for d in compiled(db.dialect).diagnostics if d.code == "B601")
    for spec_name in (LONG_TABLE, LONG_COLUMN, WIDE_COLUMN):
        if name(db, spec_name) != spec_name:
            assert name(db, spec_name) in warnings, f"no B601 warning names {name(db, spec_name)}"
    fk = catalog.table(table).foreign_keys
    assert [(f.columns, f.referenced_table) for f in fk] == [(("owner_id",), "user")]

    user_id = add_user(db)
    db.insert(table, {"id": 1, "owner_id": user_id})
    assert db.select(table, ["id", "owner_id"]) == [(1, user_id)]
    with db.rejects():
        db.insert(table, {"id": 2, "owner_id": user_id + 100})


# -- values ------------------------------------------------------------------------------------------


def test_enum_rejects_a_value_not_in_the_enum(db: ScratchDatabase) -> None:
    user_id = add_user(db)
    add_order(db, user_id=user_id, status="paid")
    with db.rejects():
        db.insert("order", {"user_id": user_id, "status": "refunded"})
    with db.rejects():
        db.insert("order", {"user_id": user_id, "status": "Paid"})  # enum values are case-sensitive
    assert db.select("order", ["status"]) == [("paid",)]


def test_check_rejects_a_bad_row(db: ScratchDatabase) -> None:
    user_id = add_user(db)
    with db.rejects():
        db.insert("order", {"user_id": user_id, "quantity": 0})
    add_order(db, user_id=user_id, quantity=3)
    assert db.select("order", ["quantity"]) == [(3,)]


def test_unique_rejects_a_duplicate(db: ScratchDatabase) -> None:
    db.insert("group", {"id": 1, "name": "admins"})
    with db.rejects():
        db.insert("group", {"id": 2, "name": "admins"})


def test_defaults_fill_in(db: ScratchDatabase) -> None:
    user_id = add_user(db)
    order_id = add_order(db, user_id=user_id)
    status, quantity, placed_at, token, note, group_id = db.select(
        "order", ["status", "quantity", "placed_at", "token", "note", "group_id"], {"id": order_id})[0]
    assert status == "pending"  # an enum value
    assert quantity == 1  # a literal
    assert note == NOTE_DEFAULT
    assert group_id is None
    assert UUID_TEXT.match(str(token)), token  # uuid()
    if db.dialect != "mysql":  # gen_random_uuid() and the SQLite expression give version 4
        assert uuid.UUID(str(token)).version == 4
    assert add_order(db, user_id=user_id) and len({r[0] for r in db.select("order", ["token"])}) == 2
    assert abs(as_datetime(placed_at) - datetime.now(UTC)) < timedelta(days=1)  # now()
    assert db.select("user", ["naïve"])[0][0] in (False, 0)


def as_datetime(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's CURRENT_TIMESTAMP: UTC text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_json_columns_take_json_and_null(db: ScratchDatabase) -> None:
    db.insert("document", {"id": 1})  # the default, and NULL in the nullable column
    db.insert("document", {"id": 2, "body": '{"a": [1, 2.50, "x"]}', "extra": "[]"})
    rows = db.select("document", ["id", "body", "extra"], order_by=["id"])
    decoded = [(i, b if isinstance(b, dict | list) else json.loads(b),
                e if e is None or isinstance(e, dict | list) else json.loads(e)) for i, b, e in rows]
    assert decoded == [(1, {"tags": []}, None), (2, {"a": [1, 2.5, "x"]}, [])]
    for bad in ({"id": 3, "body": "{not json"}, {"id": 4, "extra": "[1,"}):
        with db.rejects():
            db.insert("document", bad)


def test_identity_generates_ascending_ids(db: ScratchDatabase) -> None:
    ids = [add_user(db, f"user {i}") for i in range(4)]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert [r[0] for r in db.select("user", ["id"], order_by=["id"])] == ids


def test_string_literals_round_trip(db: ScratchDatabase) -> None:
    user_id = add_user(db)
    # The default keeps its quotes, backslash and semicolon exactly.
    order_id = add_order(db, user_id=user_id)
    assert db.select("order", ["note"], {"id": order_id}) == [(NOTE_DEFAULT,)]
    column = db.catalog().table("order").column("note")
    assert column.default is not None and literal_value(column.default, db.dialect) == NOTE_DEFAULT
    # The check compares with exactly x\y'z: that value is refused, its neighbours are not.
    with db.rejects():
        db.insert("order", {"user_id": user_id, "code": CODE_FORBIDDEN})
    for allowed in ("x\\\\y'z", "xy'z", "x\\y''z", "x/y'z"):
        db.insert("order", {"user_id": user_id, "code": allowed})
    codes = {r[0] for r in db.select("order", ["code"])}
    assert codes == {None, "x\\\\y'z", "xy'z", "x\\y''z", "x/y'z"}


def literal_value(default: str, dialect: str) -> str:
    """The value of a string literal as the catalog shows it (casts and parentheses around it ignored)."""
    strings = [t for t in tokenize(default, backslash_escapes=dialect == "mysql") if t.kind == "string"]
    assert len(strings) == 1, default
    return unquote_string(strings[0].text, backslash_escapes=dialect == "mysql")


REGEX_SPEC = r"""
entity pattern {
  id:    int @pk
  upper: varchar(20) @check(upper ~ '^[A-Z]+$')
}
"""
LIKE_SPEC = r"""
entity pattern {
  id:     int @pk
  plain:  varchar(20)? @check(plain not like '%\_%')
  prefix: varchar(20)? @check(prefix like 'a%')
}
"""


def load_spec(db: ScratchDatabase, text: str) -> None:
    loaded = load_text(text)
    assert loaded.ok, render([d for d in loaded.diagnostics if d.is_error])
    result = compile_loaded(loaded, db.dialect)
    assert result.ok and result.sql is not None, render([d for d in result.diagnostics if d.is_error])
    db.run_script(result.sql)


def test_regular_expression_check(scratch_db: ScratchDatabase) -> None:
    """`~` is documented for regular expressions: the check loads and works, or is refused.

    SQLite has no regexp() of its own (docs/dialects.md): schemac may refuse the check there
    with an error; if it compiles, the application registers the function, as SQLite requires.
    """
    db = scratch_db
    result = compile_loaded(load_text(REGEX_SPEC), db.dialect)
    if db.dialect == "sqlite":
        if not result.ok:
            assert any("regular expression" in d.message for d in result.diagnostics if d.is_error)
            return
        db.connection.create_function(
            "regexp", 2, lambda pattern, value: value is not None and re.search(pattern, value) is not None,
            deterministic=True)
    assert result.ok and result.sql is not None, render([d for d in result.diagnostics if d.is_error])
    db.run_script(result.sql)
    db.insert("pattern", {"id": 1, "upper": "ABC"})
    with db.rejects():
        db.insert("pattern", {"id": 2, "upper": "abc"})


def test_like_check_escapes_as_in_postgresql(scratch_db: ScratchDatabase) -> None:
    """Expressions are PostgreSQL's syntax, where `\\_` in a LIKE pattern is a literal underscore."""
    db = scratch_db
    load_spec(db, LIKE_SPEC)
    db.insert("pattern", {"id": 1, "plain": "a\\b"})  # no underscore: allowed
    with db.rejects():
        db.insert("pattern", {"id": 2, "plain": "a_b"})


def test_like_check_is_case_sensitive(scratch_db: ScratchDatabase) -> None:
    """PostgreSQL's LIKE is case-sensitive (MySQL's too, with the binary collation schemac sets)."""
    db = scratch_db
    load_spec(db, LIKE_SPEC)
    db.insert("pattern", {"id": 1, "prefix": "abc"})
    with db.rejects():
        db.insert("pattern", {"id": 2, "prefix": "Abc"})


WIDE_ROW_SPEC = """
entity post {
  id:      int @pk
  title:   varchar(4000)
  summary: varchar(4000)
  body:    varchar(10000)
}
"""


def test_a_spec_that_compiles_loads(scratch_db: ScratchDatabase) -> None:
    """Wide varchar rows: either schemac reports the problem, or the table loads."""
    db = scratch_db
    result = compile_loaded(load_text(WIDE_ROW_SPEC), db.dialect)
    if not result.ok:
        return  # refused with a diagnostic: fine too
    assert result.sql is not None
    db.run_script(result.sql)
    db.insert("post", {"id": 1, "title": "t" * 4000, "summary": "s", "body": "b" * 10000})
    assert db.select("post", ["id"]) == [(1,)]


# -- relationships -----------------------------------------------------------------------------------


def test_on_delete_cascade_and_set_null(db: ScratchDatabase) -> None:
    keep, gone = add_user(db, "keep"), add_user(db, "gone")
    db.insert("group", {"id": 1, "name": "admins"})
    add_order(db, user_id=keep, group_id=1)
    add_order(db, user_id=gone, group_id=1)
    add_order(db, user_id=gone)

    db.delete("group", {"id": 1})  # order.group: set_null
    assert sorted(db.select("order", ["user_id", "group_id"]), key=str) == sorted(
        [(keep, None), (gone, None), (gone, None)], key=str)

    db.delete("user", {"id": gone})  # order.user: cascade
    assert db.select("order", ["user_id"]) == [(keep,)]
    with db.rejects():  # and the foreign key is enforced
        db.insert("order", {"user_id": gone})


def test_composite_foreign_key(db: ScratchDatabase) -> None:
    db.insert("warehouse", {"region": "EU", "code": 1, "name": "Lyon"})
    db.insert("warehouse", {"region": "US", "code": 2, "name": "Reno"})
    db.insert("bin", {"id": 1, "region": "EU", "warehouse_code": 1})
    for region, code in (("EU", 2), ("US", 1)):  # each half exists, the pair does not
        with db.rejects():
            db.insert("bin", {"id": 9, "region": region, "warehouse_code": code})
    fk = db.catalog().table("bin").foreign_keys
    assert [(f.columns, f.referenced_table, f.referenced_columns, f.on_delete) for f in fk] == [
        (("region", "warehouse_code"), "warehouse", ("region", "code"), "CASCADE")]
    db.delete("warehouse", {"region": "EU", "code": 1})
    assert db.select("bin", ["id"]) == []


def test_foreign_key_cycle_loads_and_both_rows_insert(db: ScratchDatabase) -> None:
    sql = compiled(db.dialect).sql or ""
    later = re.findall(r"ALTER TABLE [`\"](\w+)[`\"] ADD CONSTRAINT [`\"](\w+)[`\"] FOREIGN KEY", sql)
    if db.dialect == "sqlite":  # SQLite does not check the target exists at CREATE TABLE
        assert later == []
    else:  # one foreign key of the cycle is added once both tables exist
        assert len(later) == 1 and later[0][0] in ("department", "employee"), later

    db.insert("department", {"id": 1})
    db.insert("employee", {"id": 10, "department_id": 1})
    db.execute(f"UPDATE {db.quote('department')} SET {db.quote('head_id')} = 10 WHERE {db.quote('id')} = 1")
    assert db.select("department", ["id", "head_id"]) == [(1, 10)]
    assert db.select("employee", ["id", "department_id"]) == [(10, 1)]
    with db.rejects():
        db.execute(f"UPDATE {db.quote('department')} SET {db.quote('head_id')} = 99")
    catalog = db.catalog()
    assert [(f.columns, f.referenced_table) for f in catalog.table("department").foreign_keys] == [
        (("head_id",), "employee")]
    assert [(f.columns, f.referenced_table) for f in catalog.table("employee").foreign_keys] == [
        (("department_id",), "department")]


def test_many_to_many_join_table(db: ScratchDatabase) -> None:
    table = db.catalog().table("article_tags")
    assert table.column_names == ("article_id", "tag_id")
    assert table.primary_key is not None and table.primary_key.columns == ("article_id", "tag_id")
    assert sorted((f.columns, f.referenced_table, f.on_delete) for f in table.foreign_keys) == [
        (("article_id",), "article", "CASCADE"), (("tag_id",), "tag", "CASCADE")]
    assert any(i.columns == ("tag_id",) for i in table.indexes), "no index for reverse lookups"

    db.insert("article", {"id": 1})
    db.insert("article", {"id": 2})
    db.insert("tag", {"id": 5, "label": "sql"})
    db.insert("article_tags", {"article_id": 1, "tag_id": 5})
    db.insert("article_tags", {"article_id": 2, "tag_id": 5})
    with db.rejects():  # the composite key
        db.insert("article_tags", {"article_id": 1, "tag_id": 5})
    with db.rejects():
        db.insert("article_tags", {"article_id": 3, "tag_id": 5})
    db.delete("article", {"id": 1})
    assert db.select("article_tags", ["article_id", "tag_id"]) == [(2, 5)]


# -- comments ------------------------------------------------------------------------------------------


def test_column_comments_are_stored(db: ScratchDatabase) -> None:
    catalog = db.catalog()
    user, order = catalog.table("user"), catalog.table("order")
    assert user.column("id").comment == "Generated, ascending"
    assert user.column("select").comment == "A keyword as a name"
    assert user.column(name(db, WIDE_COLUMN)).comment == "Over 63 bytes, under 64 characters"
    assert user.column("naïve").comment is None
    assert order.column("note").comment == NOTE_DOC
    if db.dialect == "postgresql":
        assert catalog.enums["order_status"].comment == "Where an order is in its life"


def test_table_comment_is_stored(db: ScratchDatabase) -> None:
    table = db.catalog().table("user")
    if db.dialect == "sqlite":
        sql = db.query("SELECT sql FROM sqlite_master WHERE name = 'user'")[0][0]
        assert USER_DOC in sql
    else:
        assert table.comment == USER_DOC


# -- running scripts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect, script, expected", [
    ("sqlite", "CREATE TABLE t (x TEXT DEFAULT ';');\n-- a comment; with a semicolon\n",
     ["CREATE TABLE t (x TEXT DEFAULT ';')"]),
    ("postgresql", 'COMMENT ON TABLE "a;b" IS \'it\'\';s\';\nSELECT E\'\\\';\' /* ; */;',
     ['COMMENT ON TABLE "a;b" IS \'it\'\';s\'', "SELECT E'\\';' /* ; */"]),
    ("mysql", "CREATE TABLE `a;``b` (x TEXT COMMENT 'back\\\\'';slash');\n# done;\nSELECT 5--3;",
     ["CREATE TABLE `a;``b` (x TEXT COMMENT 'back\\\\'';slash')", "# done;\nSELECT 5--3"]),
])
def test_script_splitting(dialect: str, script: str, expected: list[str]) -> None:
    assert split_statements(script, dialect) == expected


# -- determinism -------------------------------------------------------------------------------------

DIGEST_SCRIPT = """
import hashlib, json, sys
from schemac.api import compile_files
print(json.dumps({f"{spec} {d}": hashlib.sha256(compile_files([spec], d).sql.encode()).hexdigest()
                  for spec in sys.argv[1:] for d in ("postgresql", "mysql", "sqlite")}))
"""


def test_ddl_is_byte_identical_across_compiles() -> None:
    specs = [str(SPEC), str(ROOT / "tests" / "fixtures" / "catalog_coverage.schema")]
    here = {}
    for spec in specs:
        for dialect in DIALECTS:
            first = compile_loaded(load_files([spec]), dialect).sql
            second = compile_loaded(load_files([spec]), dialect).sql
            assert first is not None and first == second, f"{spec} {dialect}: two compiles differ"
            here[f"{spec} {dialect}"] = hashlib.sha256(first.encode()).hexdigest()
    for seed in ("0", "4242"):  # set and dict order must not leak into the output
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", DIGEST_SCRIPT, *specs], capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True, timeout=120)
        assert json.loads(out.stdout) == here, f"PYTHONHASHSEED={seed} gives different DDL"


# -- names each engine keeps per schema ----------------------------------------------------------

REUSED_NAMES = """
entity author {
  id:   int @pk
  name: text
  index (name) @name(name_idx)
  check (id > 0) @name(positive_id)
}

entity book {
  id:     int @pk
  name:   text
  author: ref author @name(written_by)
  index (name) @name(name_idx)
  check (id > 0) @name(positive_id)
}

entity review {
  id:   int @pk
  book: ref book @name(written_by)
  unique (book_id) @name(one_review_a_book)
  foreign key (book_id) references book (id) @name(one_review_a_book)
}
"""
# (kind, name) each dialect refuses: the index on a second table (PostgreSQL, SQLite); the
# foreign key on a second table (MySQL); a unique key and a foreign key of one table sharing a
# name (PostgreSQL). Check names per table are accepted everywhere (MySQL 8 warns).
REFUSED = {
    "postgresql": {"name_idx", "one_review_a_book"},
    "mysql": {"written_by"},
    "sqlite": {"name_idx"},
}


def renamed(spec: str, names: set[str]) -> str:
    """`spec` with the second use of each of `names` renamed."""
    for name in names:
        head, tail = spec.rsplit(f"@name({name})", 1)
        spec = f"{head}@name({name}_2){tail}"
    return spec


def test_names_are_checked_in_the_engines_namespaces(scratch_db: ScratchDatabase) -> None:
    """Each backend refuses exactly the reuses its engine refuses (B608): the DDL written
    anyway with one of them fails on the engine, and with all of them renamed the engine
    accepts it, which shows the other reuses are fine."""
    dialect = scratch_db.dialect
    loaded = load_text(REUSED_NAMES, "names.schema")
    assert loaded.ok, render(loaded.diagnostics)
    result = compile_loaded(loaded, dialect)
    refused = {re.match(r"\w+: '(\w+)'", d.message).group(1)  # type: ignore[union-attr]
               for d in result.diagnostics if d.code == "B608" and d.is_error}
    assert refused == REFUSED[dialect], render(result.diagnostics)
    for name in refused:
        sql, _ = render_schema(load_text(renamed(REUSED_NAMES, refused - {name})).schema, dialect)
        with pytest.raises(Exception, match="already exists|[Dd]uplicate"):
            scratch_db.run_script(sql)  # what the engine would be given regardless
        scratch_db.empty()
    accepted = compile_loaded(load_text(renamed(REUSED_NAMES, refused), "names.schema"), dialect)
    assert accepted.sql is not None and not [d for d in accepted.diagnostics if d.code == "B608" and d.is_error]
    scratch_db.run_script(accepted.sql)
    assert set(scratch_db.catalog().tables) == {"author", "book", "review"}


def test_mysql_comments_keep_what_utf8mb3_can() -> None:
    """MySQL keeps comments in utf8mb3: the backend writes a character beyond U+FFFF as `?`
    itself (MariaDB's strict mode refuses it; otherwise the engine would) and says so."""
    loaded = load_text('entity t "Cake \U0001f370 shop" {\n  id: int @pk "caf\u00e9 \U0001f600"\n}\n', "t.schema")
    result = compile_loaded(loaded, "mysql")
    assert result.sql is not None and [d.code for d in result.diagnostics] == ["B603", "B603"]
    with scratch_database("mysql") as db:
        db.run_script(result.sql)
        table = db.catalog().tables["t"]
    assert (table.comment, table.columns[0].comment) == ("Cake ? shop", "caf\u00e9 ?")
