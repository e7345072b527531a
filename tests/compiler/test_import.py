"""`schemac import` on real-world DDL and on what the language cannot express.

The round trip: run the original DDL on a scratch database A; import it; compile the spec
into a database B; inspect A and compile that into C. The catalogs of A, B and C (tables,
columns, keys, constraints with their names, indexes, comments, enums, views, functions,
triggers) must be identical (`schemac.compare`). The corpus files are in tests/corpus/ with
their sources and licences.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemac import api
from schemac.cli import cli
from schemac.compare import compare
from schemac.ddl_import import import_ddl
from schemac.ddl_text import split_statements, tokenize
from schemac.diagnostics import render
from schemac.dsl.format import format_schema
from schemac.pg_text import array_coercions_dropped
from schemac.reverse import reverse

from conftest import ROOT
from engines import ScratchDatabase, availability, scratch_database

CORPUS = ROOT / "tests" / "corpus"
CASES = [("chinook", "postgresql"), ("chinook", "mysql"), ("chinook", "sqlite"), ("northwind", "postgresql"),
         ("sakila", "sqlite"), ("sakila", "mysql"), ("openolat", "mysql"), ("openolat", "postgresql"),
         ("synapse", "postgresql"), ("synapse", "sqlite"), ("temporal", "sqlite"), ("pagila", "postgresql"),
         ("temporal", "postgresql")]


# Session settings a corpus file needs on the engine here, for the original and for what the
# spec compiles to alike: MariaDB's strict row-size check refuses OpenOLAT's o_user as written.
SESSION = {("openolat", "mysql"): ["SET SESSION innodb_strict_mode = OFF"]}
DATABASE_STATEMENT = re.compile(r"\s*(CREATE|DROP)\s+(DATABASE|SCHEMA)\b", re.I)


def run_original(db: ScratchDatabase, text: str) -> None:
    """Run a file's DDL. A pg_dump file's session settings (Pagila's empty search_path) are
    reset afterwards: the catalog is read as a new session would see the database."""
    if db.dialect == "sqlite":
        db.connection.executescript(text)  # SQLite's own splitter, as its shell uses
    else:
        db.run_script(text)
    if db.dialect == "postgresql":
        db.execute("RESET ALL")


def load_original(stack: ExitStack, path: Path, dialect: str) -> dict[str | None, ScratchDatabase]:
    """Run the original DDL on scratch databases: the tables of each MySQL database the file
    creates and `USE`s go to a scratch database of their own, since the real names (`sakila`)
    may not be taken on a shared server. The file's `CREATE`/`DROP DATABASE` statements are
    skipped (the scratch database exists, with the utf8mb4 binary collation: sakila's tables
    name their character set, phorge's databases are created with that collation) and the
    database's name becomes the scratch database's in `USE` and in qualified names
    (`sakila.film`). Returns the scratch database of each name (None: the file's own)."""
    text = path.read_text(encoding="utf-8")
    session = SESSION.get((path.parent.name, dialect), [])
    loader = stack.enter_context(scratch_database(dialect))
    for setting in session:
        loader.execute(setting)
    used = re.finditer(r"^\s*USE\s+(`[^`]+`|\w+)", text, re.M | re.I)
    names = list(dict.fromkeys(_unquote(m.group(1)) for m in used))
    if dialect != "mysql" or not names:
        run_original(loader, text)
        return {None: loader}
    scratch = {name: stack.enter_context(scratch_database(dialect)) for name in names}
    tokens = [t for t in tokenize(text, backslash_escapes=True) if t.kind != "comment"]
    renamed, last = [], 0
    for i, t in enumerate(tokens):
        before = tokens[i - 1] if i else None
        qualifier = i + 1 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 1].start == t.end
        named = before is not None and before.is_word("USE", "DATABASE", "SCHEMA", "EXISTS")
        if t.kind in ("word", "ident") and t.value in scratch and (qualifier or named):
            renamed.append(text[last:t.start] + loader.quote(scratch[t.value].name))
            last = t.end
    for statement in split_statements("".join(renamed) + text[last:], dialect):
        if not DATABASE_STATEMENT.match(re.sub(r"^(\s*(--[^\n]*\n|#[^\n]*\n))*", "", statement)):
            loader.execute(statement)
    return dict(scratch)


def _unquote(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def compiled(spec: str, dialect: str) -> str:
    loaded = api.load_text(spec, "imported.schema")
    assert loaded.ok, render(loaded.diagnostics) + "\n" + spec
    result = api.compile_loaded(loaded, dialect)
    assert result.sql is not None, render(result.diagnostics)
    return result.sql


def round_trip(path: Path, dialect: str) -> api.InspectResult:
    """The original DDL into A; its import compiled into B; A inspected and compiled into C.
    A, B and C must have identical catalogs."""
    with ExitStack() as stack:
        loaded = load_original(stack, path, dialect)
        (name, a), = loaded.items()
        return same_catalogs(stack, path, dialect, a, name)


def same_catalogs(stack: ExitStack, path: Path, dialect: str, a: ScratchDatabase,
                  database: str | None) -> api.InspectResult:
    """Import `database` of the file at `path`, compile it into B, inspect A and compile that
    into C: A, B and C must have identical catalogs."""
    result = api.import_sql(path, dialect, database)
    b, c = stack.enter_context(scratch_database(dialect)), stack.enter_context(scratch_database(dialect))
    for db in (b, c):
        for setting in SESSION.get((path.parent.name, dialect), []):
            db.execute(setting)
    b.run_script(compiled(result.text, dialect))
    catalog_a = a.catalog()
    differences = compare(catalog_a, b.catalog())
    assert not differences, "\n".join(map(str, differences)) + "\n\n" + result.text
    inspected = format_schema(reverse(catalog_a).schema)
    c.run_script(compiled(inspected, dialect))
    differences = compare(catalog_a, c.catalog())
    assert not differences, "\n".join(map(str, differences)) + "\n\n" + inspected
    return result


@pytest.mark.parametrize("name, dialect", CASES, ids=[f"{n}-{d}" for n, d in CASES])
def test_corpus_schema_round_trips(name: str, dialect: str) -> None:
    result = round_trip(CORPUS / name / f"{dialect}.sql", dialect)
    assert "entity" in result.text


def test_each_database_of_a_multi_database_dump_round_trips() -> None:
    """Phorge's dump creates tables in 54 MySQL databases, some of the same name: each is
    imported on its own (`--database`) and must give back the catalog of its database."""
    path = CORPUS / "phorge" / "mysql.sql"
    with ExitStack() as stack:
        loaded = load_original(stack, path, "mysql")
        assert len(loaded) == 54  # (the corpus notes say 55; the file creates 54)
        for name, a in loaded.items():
            with ExitStack() as inner:
                same_catalogs(inner, path, "mysql", a, name)


@pytest.mark.parametrize("name", [n for n, d in CASES if d == "postgresql"])
def test_migra_finds_no_difference_on_postgresql(name: str) -> None:
    """An independent check: migra compares the original database with the one built from
    the imported spec, and prints nothing when they have the same schema."""
    path = CORPUS / name / "postgresql.sql"
    spec = api.import_sql(path, "postgresql").text
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        run_original(a, path.read_text(encoding="utf-8"))
        b.run_script(compiled(spec, "postgresql"))
        server = availability("postgresql").server
        login = server.user + (f":{server.password}" if server.password else "")
        urls = [f"postgresql+psycopg2://{login}@{server.host}:{server.port}/{db.name}" for db in (a, b)]
        migra = Path(sys.executable).parent / "migra"
        done = subprocess.run([str(migra), "--unsafe", *urls], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_sqlite_like_keeps_its_meaning() -> None:
    """SQLite's LIKE ignores case; the spec's LIKE (PostgreSQL's) does not: it is imported as
    ILIKE, which the SQLite backend writes back as LIKE."""
    text = api.import_sql(CORPUS / "sakila" / "sqlite.sql", "sqlite").text
    assert "special_features ilike '%Trailers%'" in text
    assert " like '" not in text.replace("ilike", "")


def test_imported_spec_reads_like_a_hand_written_one() -> None:
    text = api.import_sql(CORPUS / "chinook" / "postgresql.sql", "postgresql").text
    album = text.split("entity album {", 1)[1].split("\n}\n", 1)[0]
    assert "album_id: int @pk" in album  # a one-column key on its field, under PostgreSQL's own name
    assert "ref artist @columns(artist_id)" in album  # a foreign key as a relationship
    assert "@name(" not in album  # every name is the one PostgreSQL gives


UNSUPPORTED = {
    "postgresql": """CREATE TABLE t (id integer PRIMARY KEY, n integer);

CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10;

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.n := coalesce(NEW.n, 0);
  RETURN NEW;
END $$;

CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
""",
    "mysql": """CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int);

CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10;

DELIMITER ;;
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC
BEGIN
  RETURN x * 2;
END;;
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW
BEGIN
  SET NEW.n = coalesce(NEW.n, 0);
END;;
DELIMITER ;
""",
    "sqlite": """CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);

CREATE VIEW big AS SELECT id, n FROM t WHERE n > 10;

CREATE TRIGGER t_touch AFTER INSERT ON t
BEGIN
  UPDATE t SET n = 0 WHERE n IS NULL;
END;
""",
}
# Where each object starts, and its kind, in the files above.
EXPECTED = {
    "postgresql": [(3, "view", "big"), (5, "function", "touch"), (11, "trigger", "t_touch")],
    "mysql": [(3, "view", "big"), (6, "function", "twice"), (10, "trigger", "t_touch")],
    "sqlite": [(3, "view", "big"), (5, "trigger", "t_touch")],
}


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_views_triggers_and_functions_are_reported_and_kept(dialect: str, tmp_path: Path) -> None:
    path = tmp_path / f"{dialect}.sql"
    path.write_text(UNSUPPORTED[dialect])
    result = CliRunner().invoke(cli, ["import", str(path), "--dialect", dialect])
    assert result.exit_code == 0, result.output
    for line, kind, name in EXPECTED[dialect]:
        assert f"warning: {path}:line {line}: {kind} '{name}' is kept verbatim as raw SQL" in result.output
    imported = round_trip(path, dialect)  # the kept SQL recreates them: the catalogs match
    assert imported.text.count("\nsql ") == len(EXPECTED[dialect])


def test_import_cli_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "chinook.schema"
    result = CliRunner().invoke(cli, ["import", str(CORPUS / "chinook" / "sqlite.sql"), "-d", "sqlite",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert api.load_files([out]).ok


def test_bad_sqlite_ddl_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.sql"
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY,);\n")
    result = CliRunner().invoke(cli, ["import", str(path), "-d", "sqlite"])
    assert result.exit_code == 1 and "SQLite rejects the DDL" in result.output


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_a_table_without_a_primary_key_is_keyless(dialect: str, tmp_path: Path) -> None:
    path = tmp_path / "log.sql"
    path.write_text("CREATE TABLE log (at timestamp NULL, message varchar(200) NOT NULL);\n"
                    "CREATE INDEX log_at_idx ON log (at);\n")
    result = round_trip(path, dialect)
    assert "entity log @keyless {" in result.text


LINKED = """
entity post {
  id:      bigint @pk
  tags:    many tag
  authors: many person @table(authorship)
  replies: many post
}

entity tag    { id: int @pk }
entity person { id: int @pk }
"""


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_join_tables_of_links_import_as_links(dialect: str, tmp_path: Path) -> None:
    path = tmp_path / "links.sql"
    path.write_text(compiled(LINKED, dialect))
    result = round_trip(path, dialect)
    post = result.text.split("entity post {", 1)[1].split("\n}\n", 1)[0].splitlines()
    assert {"  tags:    many tag", "  authors: many person @table(authorship)", "  replies: many post"} <= set(post)
    assert "entity post_tags" not in result.text


def test_a_hand_written_sqlite_join_table_is_a_link(tmp_path: Path) -> None:
    """SQLite keeps no table comment, and its constraint names are not compared: a join table
    written by hand as a link generates it, without names, is that link."""
    path = tmp_path / "tags.sql"
    path.write_text("CREATE TABLE post (id INTEGER NOT NULL PRIMARY KEY);\n"
                    "CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY);\n"
                    "CREATE TABLE post_tags (\n"
                    "  post_id INTEGER NOT NULL REFERENCES post (id) ON DELETE CASCADE,\n"
                    "  tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,\n"
                    "  PRIMARY KEY (post_id, tag_id)\n"
                    ");\n"
                    "CREATE INDEX post_tags_tag_id_idx ON post_tags (tag_id);\n")
    result = round_trip(path, "sqlite")
    assert "  tags: many tag\n" in result.text and "entity post_tags" not in result.text


def test_a_column_named_like_a_statement_starts_an_expression(tmp_path: Path) -> None:
    """`lock`, `update` and `set` are unreserved words in PostgreSQL, whose expression syntax
    the spec uses: a check may start with such a column (Synapse's `CHECK (Lock='X')`)."""
    path = tmp_path / "singleton.sql"
    path.write_text("CREATE TABLE position (Lock CHAR(1) NOT NULL DEFAULT 'X' UNIQUE, \"update\" BIGINT, "
                    "\"set\" BIGINT, CHECK (Lock='X'), CHECK (\"update\" > 0), CHECK (\"set\" IS NOT NULL));\n")
    result = round_trip(path, "sqlite")
    assert "check (Lock='X')" in result.text
    loaded = api.load_text("entity t @keyless {\n  lock: text\n  update: int\n  check (lock = 'X')\n"
                           "  check (update > 0)\n}\n", "t.schema")
    assert loaded.ok, render(loaded.diagnostics)
    assert "not a statement" in render(api.load_text(
        "entity t @keyless {\n  x: int\n  check (select 1)\n}\n", "t.schema").diagnostics)


# SQLite tables the language cannot express: each is kept whole, with its indexes, as raw SQL,
# and reported with its line; `(line, name, reason)`.
RAW_TABLES = {
    "generated": ("CREATE TABLE doc (id INTEGER PRIMARY KEY, body TEXT,\n"
                  "  title TEXT GENERATED ALWAYS AS (json_extract(body, '$.title')) STORED,\n"
                  "  size INTEGER AS (length(body)));\n"
                  "CREATE INDEX doc_title ON doc (title, (coalesce(size, 0)) DESC);\n",
                  [(1, "doc", "with its 1 index: the language cannot express its generated columns ('title', "
                              "'size')")]),
    "nullable key": ("CREATE TABLE room (id TEXT PRIMARY KEY, name TEXT);\n"
                     "-- a table that refers to it\n"
                     "CREATE TABLE member (id INTEGER PRIMARY KEY, room_id TEXT REFERENCES room (id));\n",
                     [(1, "room", "its primary-key column 'id' may hold NULL"),
                      (3, "member", "it refers to 'room', which is kept as raw SQL")]),
    "unique first": ("CREATE TABLE ns (name TEXT NOT NULL UNIQUE, part INT NOT NULL, id BLOB NOT NULL,\n"
                     "  PRIMARY KEY (part, id));\n",
                     [(1, "ns", "it declares a unique key before its primary key")]),
}


@pytest.mark.parametrize("case", RAW_TABLES)
def test_sqlite_tables_the_language_cannot_express_are_kept(case: str, tmp_path: Path) -> None:
    path = tmp_path / "raw.sql"
    ddl, expected = RAW_TABLES[case]
    path.write_text(ddl)
    result = round_trip(path, "sqlite")  # the kept SQL recreates them: the catalogs match
    for line, name, reason in expected:
        assert any(n.startswith(f"line {line}: table '{name}' is kept verbatim as raw SQL for sqlite")
                   and reason in n for n in result.notes), result.notes
        assert re.search(rf"^sql {name} for sqlite", result.text, re.M)
        assert not re.search(rf"^entity {name}\b", result.text, re.M)


def test_an_fts_table_is_kept_without_its_shadow_tables(tmp_path: Path) -> None:
    """A virtual table is raw SQL; the shadow tables its module creates are part of it."""
    path = tmp_path / "fts.sql"
    path.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, --\n  body TEXT);\n"
                    "CREATE VIRTUAL TABLE t_fts4 USING fts4 (body);\n"
                    "CREATE VIRTUAL TABLE t_fts5 USING fts5 (body, content='t');\n")
    result = round_trip(path, "sqlite")
    assert [n.split(" is kept")[0] for n in result.notes] == [
        "line 3: virtual table 't_fts4'", "line 4: virtual table 't_fts5'"]
    assert re.findall(r"^entity (\w+)", result.text, re.M) == ["t"]
    assert '"' not in result.text.split("sql ")[0]  # an empty `--` is no documentation


PG_SEQUENCES = """CREATE SEQUENCE public.free_seq
    START WITH 10
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE public.t (
    id integer NOT NULL,
    n bigserial,
    m integer DEFAULT nextval('public.free_seq'::regclass),
    note character varying(20) DEFAULT NULL,
    name text
);

CREATE SEQUENCE public.t_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;

ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);

CREATE FUNCTION public.f(a integer, b text) RETURNS integer LANGUAGE sql AS 'SELECT a';

ALTER FUNCTION public.f(a integer, b text) OWNER TO postgres;

ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);

CREATE INDEX t_name_pattern ON public.t USING btree (lower(name) text_pattern_ops);

SELECT pg_catalog.setval('public.free_seq', 42, true);
"""


def test_postgresql_serials_and_sequences_are_kept(tmp_path: Path) -> None:
    """pg_dump's serial columns (a sequence OWNED BY the column and SET DEFAULT nextval)
    and `bigserial` become `@identity(serial)`; a free-standing sequence is kept before the
    tables; an index with an operator class is kept verbatim; the catalogs match."""
    path = tmp_path / "dump.sql"
    path.write_text(PG_SEQUENCES)
    result = round_trip(path, "postgresql")
    assert "id:   int @pk @identity(serial)" in result.text
    assert "n:    bigint @identity(serial)" in result.text
    assert "@default(nextval('free_seq'::regclass))" in result.text
    assert 'sql free_seq for postgresql @before_tables """' in result.text
    assert "sql t_name_pattern for postgresql" in result.text
    notes = "\n".join(result.notes)
    assert "line 1: sequence 'free_seq' is kept verbatim as raw SQL" in notes
    assert "line 34: index 't_name_pattern' is kept verbatim as raw SQL for postgresql (the language has no " \
           "operator class yet)" in notes
    assert "line 36: the current value of a sequence (setval) is data" in notes


def test_inspect_keeps_postgresql_sequences_and_operator_classes() -> None:
    """The same from a live database: the sequences' options and owners, and an index's
    operator class, survive inspect -> compile (compare checks sequences and PostgreSQL's
    CREATE INDEX text)."""
    with scratch_database("postgresql") as a, scratch_database("postgresql") as c:
        a.run_script("CREATE SEQUENCE free_seq START WITH 10 INCREMENT BY 5 CYCLE;"
                     "CREATE TABLE t (id serial PRIMARY KEY, n bigserial, m int DEFAULT nextval('free_seq'),"
                     "  name text);"
                     "CREATE SEQUENCE owned_seq; ALTER SEQUENCE owned_seq OWNED BY t.m;"
                     "CREATE INDEX t_name_pattern ON t (name text_pattern_ops);"
                     "CREATE INDEX t_name_c ON t (name COLLATE \"C\") INCLUDE (m);")
        catalog = a.catalog()
        found = reverse(catalog)
        text = format_schema(found.schema)
        assert "@identity(serial)" in text and "sql t_name_pattern" in text and "sql t_name_c" in text
        c.run_script(compiled(text, "postgresql"))
        assert compare(catalog, c.catalog()) == []
        c.execute("DROP INDEX t_name_pattern")
        c.execute("CREATE INDEX t_name_pattern ON t (name)")  # the operator class counts
        assert [d.path for d in compare(catalog, c.catalog())] == [("table", "t", "index", "t_name_pattern")]


# PostgreSQL stores `status IN ('READY', 'RUNNING')` on a varchar column as `(status)::text = ANY
# ((ARRAY['READY'::character varying, 'RUNNING'::character varying])::text[])`: the array coerced
# to the operator's type, shown as a cast that PostgreSQL, reading the text back, pushes into the
# elements. OpenOLAT's `idx_dc_status_idx` is such an index.
PG_ARRAYS = """CREATE TABLE t (id integer PRIMARY KEY, status varchar(20), kind char(1), note text, n bigint,
  CONSTRAINT t_status_check CHECK (status IN ('READY', 'RUNNING')),
  CONSTRAINT t_any_check CHECK (note = ANY (ARRAY[status, 'x'::varchar])),
  CONSTRAINT t_cast_check CHECK (n::text <> '0' AND kind = ANY (ARRAY['a', 'b']) AND n IN (1, 2)));
CREATE INDEX t_status_idx ON t (status) WHERE status IN ('READY', 'RUNNING');
"""


def test_postgresql_array_coercions_round_trip(tmp_path: Path) -> None:
    """Inspect writes such an expression without the array's cast, which PostgreSQL adds
    again: the imported and the inspected spec both give back the original catalog."""
    path = tmp_path / "arrays.sql"
    path.write_text(PG_ARRAYS)
    round_trip(path, "postgresql")
    with scratch_database("postgresql") as a, scratch_database("postgresql") as c:
        a.run_script(PG_ARRAYS + "CREATE INDEX t_other_idx ON t (n) WHERE status NOT IN ('DONE', 'FAILED');\n")
        catalog = a.catalog()
        text = format_schema(reverse(catalog).schema)
        c.run_script(compiled(text, "postgresql"))
        assert compare(catalog, c.catalog()) == []
    stored = {i.name: i.predicate for i in catalog.tables["t"].indexes}
    assert "::text[]" in stored["t_status_idx"] and "::text[]" in stored["t_other_idx"]
    assert "::text[]" not in text
    assert "@where(((status)::text = ANY (ARRAY['READY'::character varying, 'RUNNING'::character varying])))" \
           in text
    assert "@where(((status)::text <> ALL (ARRAY['DONE'::character varying, 'FAILED'::character varying])))" \
           in text


@pytest.mark.parametrize("stored, written", [
    ("((s)::text = ANY ((ARRAY['a]'::character varying, 'b'::character varying])::text[]))",
     "((s)::text = ANY (ARRAY['a]'::character varying, 'b'::character varying]))"),
    ("(t = ALL ((ARRAY[s, 'b'::character varying])::timestamp without time zone[]))",
     "(t = ALL (ARRAY[s, 'b'::character varying]))"),
    ("(i = ANY (ARRAY[1, 2]))", "(i = ANY (ARRAY[1, 2]))"),  # no coercion
    ("(i = ANY ((ARRAY[1])::int[]::bigint[]))", "(i = ANY ((ARRAY[1])::int[]::bigint[]))"),  # two casts
    ("(((ARRAY[1, 2])::bigint[]) @> a)", "(((ARRAY[1, 2])::bigint[]) @> a)"),  # not under ANY or ALL
])
def test_postgresql_array_coercions_are_left_to_postgresql(stored: str, written: str) -> None:
    assert array_coercions_dropped(stored) == written


# Expressions sqlglot writes differently for PostgreSQL than PostgreSQL stores them (`now()` as
# CURRENT_TIMESTAMP, `char_length` as `length`, `x !~ 'a'` as `NOT x ~ 'a'`, `x NOT IN (...)` as
# `NOT x IN (...)`, `strpos` as POSITION, `mod` as `%`, `date_part` as invalid SQL).
PG_EXPRESSIONS = """CREATE TABLE "T" (id integer PRIMARY KEY, "Name" text, at timestamp, n bigint, d date,
  CONSTRAINT t_at_check CHECK (at < now() + interval '1 day'),
  CONSTRAINT t_name_check CHECK (char_length("Name") < 10 AND "Name" !~ 'x' AND strpos("Name", 'y') = 0),
  CONSTRAINT t_n_check CHECK (mod(n, 2) = 0 AND date_part('year', d) > 2000 AND n NOT IN (3, 5)));
CREATE INDEX t_name_idx ON "T" (char_length("Name")) WHERE "Name" NOT IN ('a', 'b') AND "Name" !~~ 'c%';
"""


def test_postgresql_gets_the_spec_expressions_as_written() -> None:
    """An inspected spec holds PostgreSQL's own texts; compiled for PostgreSQL, they reach it as
    written, their names quoted, and it stores the same expressions again."""
    with scratch_database("postgresql") as a, scratch_database("postgresql") as c:
        a.run_script(PG_EXPRESSIONS)
        catalog = a.catalog()
        text = format_schema(reverse(catalog).schema)
        sql = compiled(text, "postgresql")
        c.run_script(sql)
        assert compare(catalog, c.catalog()) == []
    assert "CHECK ((\"at\" < (now() + '1 day'::interval)))" in sql
    assert "(char_length(\"Name\") < 10) AND (\"Name\" !~ 'x'::text)" in sql
    assert "(\"n\" <> ALL (ARRAY[(3)::bigint, (5)::bigint]))" in sql


def test_postgresql_expressions_keep_their_words_and_quote_their_names() -> None:
    spec = ("entity t {\n  id: int @pk\n  Lock: text\n  n: int\n"
            "  check (Lock not in ('a', 'b') AND char_length(Lock) > 1 and `n` between 1 and 2)\n}\n")
    assert ("CHECK (\"Lock\" not in ('a', 'b') AND char_length(\"Lock\") > 1 and \"n\" between 1 and 2)"
            in compiled(spec, "postgresql"))
    assert "NOT `Lock` IN ('a', 'b')" in compiled(spec, "mysql")  # other dialects: sqlglot's translation


# Small MySQL files, each for one thing the corpus needed; each must round-trip on the engine.
MYSQL_CASES = {
    "enum values keep their case": "CREATE TABLE film (id int PRIMARY KEY, rating ENUM('G','PG-13') DEFAULT 'G');",
    "type synonyms as MySQL stores them": "CREATE TABLE t (id int8 NOT NULL PRIMARY KEY, ok bool, r real, n long);",
    "a number's default written as a string": "CREATE TABLE t (id int PRIMARY KEY, n int(10) unsigned DEFAULT '0');",
    "a display width other than the default": "CREATE TABLE t (id int PRIMARY KEY, n int(10) NOT NULL);",
    "generated columns: the table kept whole": """CREATE TABLE t (id int PRIMARY KEY, a json,
  b varchar(20) GENERATED ALWAYS AS (json_value(a, '$.x')) VIRTUAL, c int AS (id + 1) STORED, KEY kb (b));
CREATE TABLE u (id int PRIMARY KEY, t_id int, FOREIGN KEY (t_id) REFERENCES t (id));""",
    "keys without names, named as MySQL does": "CREATE TABLE t (a int, b int, INDEX (a, b), INDEX (a), UNIQUE (a));",
    "ON UPDATE and FULLTEXT as raw SQL": """CREATE TABLE t (id int PRIMARY KEY, title varchar(200), body text,
  changed timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'it''s',
  FULLTEXT KEY ft (title, body));""",
    "key prefixes": """CREATE TABLE t (id int PRIMARY KEY, path varchar(1000), code varchar(256), KEY k (path(64)));
CREATE INDEX p ON t (id, path(255));
ALTER TABLE t ADD UNIQUE (code(200));""",
    "a unique key and a foreign key of one name; an index under a foreign key's name": """
CREATE TABLE p (id bigint PRIMARY KEY);
CREATE TABLE t (id bigint PRIMARY KEY, a bigint, b bigint);
ALTER TABLE t ADD UNIQUE u (a, b), ADD CONSTRAINT u FOREIGN KEY (a) REFERENCES p (id);
ALTER TABLE t ADD INDEX c (b), ADD CONSTRAINT c FOREIGN KEY (b) REFERENCES p (id);
ALTER TABLE t ADD UNIQUE (b, a);""",
}


@pytest.mark.parametrize("ddl", list(MYSQL_CASES.values()), ids=list(MYSQL_CASES))
def test_mysql_details_round_trip(ddl: str, tmp_path: Path) -> None:
    path = tmp_path / "mysql.sql"
    path.write_text(ddl)
    round_trip(path, "mysql")


def test_mysql_what_is_not_kept_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "dump.sql"
    path.write_text("""SET NAMES utf8;
CREATE DATABASE shop;
USE shop;
-- the table
CREATE TABLE t (id int PRIMARY KEY, changed timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  name varchar(20) CHARACTER SET latin1) ENGINE=InnoDB DEFAULT CHARSET=utf8;
CREATE SQL SECURITY INVOKER VIEW v AS SELECT id FROM shop.t;
""")
    result = api.import_sql(path, "mysql")
    notes = "\n".join(result.notes)
    for expected in ["line 1: session setting `SET NAMES utf8` is not kept",
                     "line 2: `CREATE DATABASE shop` is not kept", "line 3: `USE shop` is not kept",
                     "line 5: `ON UPDATE CURRENT_TIMESTAMP()` of column 't.changed' is kept as raw SQL",
                     "line 5: `CHARACTER SET latin1` on column 't.name' is not kept",
                     "line 5: table option `DEFAULT CHARACTER SET=utf8` is not kept",
                     "line 7: view 'v' is kept verbatim as raw SQL for mysql, without its 'shop.' qualifiers"]:
        assert expected in notes
    assert "FROM t" in result.text and "shop" not in result.text


def test_a_dump_of_several_databases_imports_one(tmp_path: Path) -> None:
    path = tmp_path / "dump.sql"
    path.write_text("CREATE DATABASE a;\nUSE a;\nCREATE TABLE t (id int PRIMARY KEY);\n"
                    "CREATE DATABASE b;\nUSE b;\nCREATE TABLE t (id int PRIMARY KEY, n int);\n")
    result = CliRunner().invoke(cli, ["import", str(path), "-d", "mysql"])
    assert result.exit_code == 1 and "2 databases (a, b)" in result.output and "--database" in result.output
    result = CliRunner().invoke(cli, ["import", str(path), "-d", "mysql", "--database", "b"])
    assert result.exit_code == 0 and "n:" in result.stdout
    assert f"warning: {path}:line 3: database 'a' (1 statement) is not imported" in result.output
    result = CliRunner().invoke(cli, ["import", str(path), "-d", "mysql", "--database", "c"])
    assert result.exit_code == 1 and "nothing in database 'c'" in result.output


def test_unnamed_postgresql_constraints_get_the_engines_names(tmp_path: Path) -> None:
    """PostgreSQL names a check after its one column (or the table alone), numbers a name
    already taken in the schema (`_check1`, `_key1`) and shortens long parts to fit 63
    bytes; the round trip compares names, so each must be the engine's."""
    long = "a_rather_long_table_name_that_needs_shortening_by_postgres"
    path = tmp_path / "names.sql"
    path.write_text("CREATE TABLE p_q_key (id int);\n"
                    "CREATE TABLE p (id int PRIMARY KEY, price int CHECK (price > 0), q int CHECK (q > 1),\n"
                    "  CHECK (q = ANY (ARRAY[1, 2, 3])), CHECK (q > price), UNIQUE (q), UNIQUE (q, price));\n"
                    "ALTER TABLE p ADD CONSTRAINT p_q_check2 CHECK (q < 100);\n"
                    f"CREATE TABLE {long} (id int PRIMARY KEY, "
                    "a_column_whose_name_is_long_too int CHECK (a_column_whose_name_is_long_too > 0),\n"
                    f"  parent int REFERENCES {long} (id), UNIQUE (a_column_whose_name_is_long_too));\n")
    round_trip(path, "postgresql")  # compares the names with the engine's
    tables = import_ddl(path.read_text(), "postgresql").catalog.tables
    assert [c.name for c in tables["p"].checks] == ["p_price_check", "p_q_check", "p_q_check1", "p_check",
                                                    "p_q_check2"]
    assert [u.name for u in tables["p"].uniques] == ["p_q_key1", "p_q_price_key"]
    assert [c.name for c in tables[long].checks] == ["a_rather_long_table_name_tha_a_column_whose_name_is_long__check"]


def test_mysql_functional_and_multi_valued_key_parts(tmp_path: Path) -> None:
    """A functional key part of an inline KEY is an index expression; a multi-valued one
    (MySQL 8's `CAST(... AS t ARRAY)`), which the language cannot express, is kept as a
    CREATE INDEX of its own, with its line. MariaDB has neither, so no engine runs this."""
    path = tmp_path / "keys.sql"
    path.write_text("CREATE TABLE t (id int PRIMARY KEY, a json NOT NULL,\n"
                    "  KEY lowered ((lower(a))), UNIQUE KEY u (id, ((lower(a)))),\n"
                    "  KEY tags (id, (CAST(json_extract(a, '$.tags') AS char(10) ARRAY))));\n")
    result = api.import_sql(path, "mysql")
    assert "index ((LOWER(a))) @name(lowered)" in result.text
    assert "index (id, (LOWER(a))) @unique @name(u)" in result.text
    assert "CREATE INDEX `tags` ON `t` (`id`, (CAST(JSON_EXTRACT(a, '$.tags') AS CHAR(10) ARRAY)))" in result.text
    assert any(n.startswith("line 1: index 'tags' is kept verbatim as raw SQL for mysql (a multi-valued index")
               for n in result.notes), result.notes


def test_sqlite_references_ignore_case(tmp_path: Path) -> None:
    """SQLite keeps `REFERENCES Users (ID)` as written and matches it to table `users`
    regardless of case; the spec refers to the entity by its own name."""
    path = tmp_path / "case.sql"
    path.write_text("CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES Users (ID));\n"
                    "CREATE TABLE users (id integer PRIMARY KEY);\n")
    result = round_trip(path, "sqlite")
    assert "user: ref users?" in result.text, result.text


# PostgreSQL tables the language cannot express, in pg_dump's order: the partitioned table's key
# and index are added after its partitions are attached (ON ONLY, then ALTER INDEX ... ATTACH).
PG_PARTITIONS = """CREATE TABLE customer (id integer PRIMARY KEY, seen timestamp with time zone DEFAULT now());

CREATE TABLE payment (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    paid date NOT NULL
)
PARTITION BY RANGE (paid);

CREATE TABLE payment_2024 (
    id integer NOT NULL,
    customer_id integer NOT NULL,
    paid date NOT NULL
);

ALTER TABLE ONLY payment ATTACH PARTITION payment_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ALTER TABLE ONLY payment ADD CONSTRAINT payment_pkey PRIMARY KEY (paid, id);

ALTER TABLE ONLY payment_2024 ADD CONSTRAINT payment_2024_pkey PRIMARY KEY (paid, id);

CREATE INDEX payment_customer ON ONLY payment USING btree (customer_id);

CREATE INDEX payment_2024_customer ON payment_2024 USING btree (customer_id);

ALTER INDEX payment_customer ATTACH PARTITION payment_2024_customer;

ALTER INDEX payment_pkey ATTACH PARTITION payment_2024_pkey;

ALTER TABLE ONLY payment_2024
    ADD CONSTRAINT payment_2024_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customer(id);

CREATE TABLE early_refund (id integer PRIMARY KEY, paid date, payment_id integer,
    FOREIGN KEY (paid, payment_id) REFERENCES payment);

CREATE TABLE doc (id integer PRIMARY KEY, body jsonb, title text GENERATED ALWAYS AS (body ->> 'title') STORED);

CREATE UNLOGGED TABLE scratch (id integer PRIMARY KEY) WITH (fillfactor = 70);
"""
PG_RAW_TABLES = [(3, "payment", "it is partitioned (PARTITION BY RANGE(paid))"),
                 (10, "payment_2024", "with its 1 index: it is a partition of 'payment'"),
                 (33, "early_refund", "it refers to 'payment', which is kept as raw SQL"),
                 (36, "doc", "its generated columns ('title')"), (38, "scratch", "`UNLOGGED` and `fillfactor=70`")]


def test_postgresql_tables_the_language_cannot_express_are_kept(tmp_path: Path) -> None:
    """Partitioned tables, their partitions, tables that refer to them, tables with generated
    columns or options: each is kept whole as raw SQL, from the dump and from the catalog,
    in an order PostgreSQL can create them in, and the catalogs match."""
    path = tmp_path / "dump.sql"
    path.write_text(PG_PARTITIONS)
    result = round_trip(path, "postgresql")
    for line, name, reason in PG_RAW_TABLES:
        assert any(n.startswith(f"line {line}: table '{name}' is kept verbatim as raw SQL for postgresql")
                   and reason in n for n in result.notes), result.notes
        assert not re.search(rf"^entity {name}\b", result.text, re.M)
    assert any(n.startswith("line 22: index 'payment_customer' is kept verbatim") for n in result.notes)
    blocks = re.findall(r"^sql (\w+) for postgresql", result.text, re.M)
    assert blocks.index("payment") < blocks.index("payment_2024") < blocks.index("early_refund")
    partition = result.text.split("sql payment_2024 for postgresql", 1)[1].split('"""\n', 2)[1]
    assert partition.rstrip().endswith("TO ('2025-01-01');")  # attached once its key and index are made
    assert "seen: timestamptz? @default(pg_catalog.now())" in result.text  # PostgreSQL's now() is not CURRENT_TIMESTAMP
    with scratch_database("postgresql") as a:
        a.run_script(PG_PARTITIONS)
        found = reverse(a.catalog())
    kept = [name for kind, name, _ in found.kept if kind == "table"]  # the catalog's: by name, where it can
    assert kept == ["doc", "payment", "early_refund", "payment_2024", "scratch"]


def test_postgresql_catalog_reads_partitions_and_generated_columns() -> None:
    with scratch_database("postgresql") as a:
        a.run_script(PG_PARTITIONS)
        catalog = a.catalog()
    payment, partition = catalog.table("payment"), catalog.table("payment_2024")
    assert (payment.partition_by, partition.partition_of, partition.partition_bound) == (
        "RANGE (paid)", "payment", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    title = catalog.table("doc").column("title")
    assert (title.generated, title.stored, title.default) == ("(body ->> 'title'::text)", True, None)
    assert catalog.table("scratch").beyond == "UNLOGGED and storage parameters (fillfactor=70)"
    assert [f.name for f in catalog.table("early_refund").foreign_keys] == ["early_refund_paid_payment_id_fkey"]


def test_temporal_mysql_imports_into_a_valid_spec() -> None:
    """Temporal's MySQL schema needs MySQL 8 (`->>` in generated columns, multi-valued
    indexes), which MariaDB refuses, so its round trip cannot run here; its import gives a
    spec that loads and compiles, its tables with generated columns and its multi-valued
    indexes kept verbatim, each reported with its line."""
    result = api.import_sql(CORPUS / "temporal" / "mysql.sql", "mysql")
    loaded = api.load_text(result.text, "temporal.schema")
    assert loaded.ok, render(loaded.diagnostics)
    compiled_spec = api.compile_loaded(loaded, "mysql")
    assert compiled_spec.sql is not None and not compiled_spec.diagnostics
    assert 'GENERATED ALWAYS AS (search_attributes->>"$.TemporalNamespaceDivision")' in compiled_spec.sql
    assert [n.split(" is kept")[0] for n in result.notes] == [
        "line 586: index 'by_text_01'", "line 587: index 'by_text_02'", "line 588: index 'by_text_03'",
        "line 418: table 'executions_visibility'", "line 509: table 'custom_search_attributes'",
        "line 593: table 'chasm_search_attributes'"]


def test_postgresql_checks_are_imported_as_written(tmp_path: Path) -> None:
    """sqlglot writes `x NOT IN (...)` as `NOT x IN (...)`, `!~` as `NOT ... ~` and
    `char_length` as `length`, each of which PostgreSQL stores otherwise than the original:
    the importer keeps each CHECK's condition as the file writes it."""
    path = tmp_path / "checks.sql"
    path.write_text("CREATE TABLE p (id int PRIMARY KEY, s text CHECK (s NOT IN ('a', 'b')), t text,\n"
                    "  CONSTRAINT p_t_shape CHECK ((t !~ 'x') AND char_length(t) > 1));\n"
                    "ALTER TABLE p ADD CONSTRAINT p_t_pattern CHECK (t NOT LIKE '%(%');\n")
    result = round_trip(path, "postgresql")
    assert "check (s NOT IN ('a', 'b'))" in result.text, result.text


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_partial_index_predicates_are_imported_as_written(dialect: str, tmp_path: Path) -> None:
    """PostgreSQL stores `x NOT IN (...)` otherwise than sqlglot's `NOT x IN (...)`, and SQLite
    keeps the text it is given: the importer keeps the predicate as the file writes it."""
    path = tmp_path / "index.sql"
    path.write_text("CREATE TABLE orders (id integer PRIMARY KEY, status text);\n"
                    "CREATE INDEX open_orders ON orders (id)\nWHERE status NOT IN ('deleted', 'cancelled');\n")
    result = round_trip(path, dialect)
    assert "@where(status NOT IN ('deleted', 'cancelled'))" in result.text, result.text


def test_postgresql_now_inside_a_default_stays_now(tmp_path: Path) -> None:
    """sqlglot reads now() as CURRENT_TIMESTAMP, which PostgreSQL stores apart, inside a
    larger default too (sqldef: AddColumnWithAtTimeZoneDefault)."""
    path = tmp_path / "default.sql"
    path.write_text("CREATE TABLE events (id integer PRIMARY KEY,\n"
                    "  created_at timestamp DEFAULT (now() AT TIME ZONE 'utc'),\n"
                    "  seen timestamp DEFAULT (CURRENT_TIMESTAMP AT TIME ZONE 'utc'));\n")
    result = round_trip(path, "postgresql")
    assert "@default((now() at time zone 'utc'))" in result.text.lower(), result.text
    assert "@default((CURRENT_TIMESTAMP AT TIME ZONE 'utc'))" in result.text, result.text


def test_literal_defaults_the_engine_converts_are_kept_as_expressions(tmp_path: Path) -> None:
    """PostgreSQL rounds `42.195` for numeric(5) and casts a quoted number: the language
    refuses both as literals (R110), so the import keeps them as expressions, which
    PostgreSQL evaluates and stores as it did (sqldef: CreateTableWithDefault, DecimalDefault)."""
    path = tmp_path / "defaults.sql"
    path.write_text("CREATE TABLE t (id integer PRIMARY KEY, a numeric(5) DEFAULT 42.195,\n"
                    "  b decimal(30, 20) DEFAULT '0.0000000000123456789', c decimal(5, 2) DEFAULT 1.5);\n")
    result = round_trip(path, "postgresql")
    assert "@default((42.195))" in result.text and "@default(('0.0000000000123456789'))" in result.text, result.text
    assert "@default(1.5)" in result.text, result.text


def test_postgresql_unnamed_indexes_get_the_engines_names(tmp_path: Path) -> None:
    """`CREATE INDEX ON t (...)` is named by PostgreSQL after its table and columns (a
    function's name for a call), numbered when taken (sqldef: CreateIndexWithoutName)."""
    path = tmp_path / "indexes.sql"
    path.write_text('CREATE TABLE "user" (id bigint NOT NULL, name text);\n'
                    'CREATE INDEX ON "user" (id);\nCREATE INDEX ON "user" (lower(name));\n'
                    'CREATE INDEX user_name_idx ON "user" (name);\nCREATE INDEX ON "user" (name);\n')
    result = round_trip(path, "postgresql")
    assert "@name" not in result.text, result.text  # the names PostgreSQL chose are the spec's defaults


def test_postgresql_quoted_type_names_keep_their_case(tmp_path: Path) -> None:
    """A domain (or type) named `"PositiveInt"` is another type than `positiveint`
    (sqldef: DomainQuotedPreservesCase)."""
    path = tmp_path / "domain.sql"
    path.write_text('CREATE DOMAIN "PositiveInt" AS int CHECK (VALUE > 0);\n'
                    'CREATE DOMAIN "lower" AS int;\n'
                    'CREATE TABLE users (id "PositiveInt", score public."lower");\n')
    result = round_trip(path, "postgresql")
    assert '@type(postgresql: "\\"PositiveInt\\"")' in result.text, result.text


def test_postgresql_exclusion_constraints_keep_their_table(tmp_path: Path) -> None:
    """An EXCLUDE constraint, in CREATE TABLE or added by ALTER TABLE, was dropped without a
    word (sqldef's ExcludeConstraint* cases); the language has none, so the table is kept as
    raw SQL, and its import builds the same catalog."""
    path = tmp_path / "dump.sql"
    path.write_text("CREATE TABLE booking (id integer PRIMARY KEY, room text,\n"
                    "  CONSTRAINT no_double EXCLUDE USING btree (room WITH =));\n"
                    "CREATE TABLE slot (id integer PRIMARY KEY, room text);\n"
                    "ALTER TABLE ONLY slot ADD CONSTRAINT one_slot EXCLUDE USING btree (room WITH =);\n")
    result = round_trip(path, "postgresql")
    for table, name in (("booking", "no_double"), ("slot", "one_slot")):
        assert any(f"table '{table}' is kept verbatim as raw SQL" in n and f"EXCLUDE constraint {name}" in n
                   for n in result.notes), result.notes


@pytest.mark.postgresql
def test_postgresql_what_comes_before_the_tables_keeps_its_order(tmp_path: Path) -> None:
    """A function that a domain's check calls comes before the tables with the domain, and
    a domain over an enum comes after the enum (sqldef: FunctionBeforeDomain_DomainCheck,
    TypeBeforeDomain_DomainType); a comment on an index that precedes a later table stays
    after the tables (sqldef: DropTableWithQuotedIndexComment)."""
    path = tmp_path / "dump.sql"
    path.write_text("CREATE FUNCTION is_email(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t LIKE "
                    "'%@%' $$;\nCREATE DOMAIN email AS text CHECK (is_email(VALUE));\n"
                    "CREATE TYPE color AS ENUM ('red', 'green');\nCREATE DOMAIN primary_color AS color;\n"
                    "CREATE TABLE t1 (id int PRIMARY KEY, e email, c primary_color);\n"
                    'CREATE INDEX "MyIndex" ON t1 (id);\nCOMMENT ON INDEX "MyIndex" IS \'quoted\';\n'
                    "CREATE TABLE t2 (id int PRIMARY KEY);\n")
    result = round_trip(path, "postgresql")
    assert 'sql is_email for postgresql @before_tables """' in result.text
    assert re.search(r'sql statement_\d+ for postgresql """\n  COMMENT ON INDEX "MyIndex"', result.text)
