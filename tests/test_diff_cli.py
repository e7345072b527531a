"""`schemac diff` beyond printing (issue 5's command line): migration files written with -o in
four layouts and guarded by schemac.sum (`schemac migrations check`), specs read from git
history (`REV:path`), and `--from-db URL`, which diffs a live database against a spec --
with the convergence test: a database built from OLD and migrated UP has no drift from NEW
on every engine, and neither has a database built from each example."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemac import api
from schemac.cli import cli
from schemac.migration_files import slug, sum_text

from conftest import ROOT
from engines import ENGINE_PARAMS, ScratchDatabase, availability, scratch_database

V1 = """
enum status { active, closed }
entity orders {
  id: int @pk
  total: int @default(0) @check(total >= 0)
}
"""

V2 = """
enum status { active, closed }
entity orders {
  id: int @pk
  total: int @default(0) @check(total >= 0)
  note: text?
}
entity tag { id: int @pk }
entity label { id: int @pk }
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "v1.schema", tmp_path / "v2.schema"
    old.write_text(V1)
    new.write_text(V2)
    return old, new


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- -o DIR: files, layouts, the sum ------------------------------------------------------------------


def test_output_writes_up_down_and_the_sum(runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "migrations"
    result = runner.invoke(cli, ["diff", str(specs[0]), str(specs[1]), "-d", "postgresql", "-o", str(out)])
    assert result.exit_code == 0, result.output
    up, down, total = files(out)[1], files(out)[0], files(out)[2]
    assert re.fullmatch(r"\d{8}_\d{6}_add_table_tag_and_2_more\.up\.sql", up), up
    assert down == up.replace(".up.", ".down.") and total == "schemac.sum"
    assert 'ALTER TABLE "orders" ADD COLUMN "note" TEXT;' in (out / up).read_text()
    assert 'DROP TABLE "tag";' in (out / down).read_text()
    lines = (out / "schemac.sum").read_text().splitlines()
    assert lines[0].startswith("h1:") and [line.split()[0] for line in lines[1:]] == [down, up]
    assert runner.invoke(cli, ["migrations", "check", str(out)]).exit_code == 0
    assert "wrote" in result.output


def test_slugs_summarise_the_changes_or_use_the_name() -> None:
    from schemac.differ import Change

    assert slug([Change("add column", "orders", "note")]) == "add_column_orders_note"
    assert slug([Change("add table", "tag", None)] * 3) == "add_table_tag_and_2_more"
    assert slug([], "Ship it: v2 / ÉTÉ") == "ship_it_v2_t"
    assert len(slug([Change("add column", "t" * 200, "c")] * 20)) <= 60
    assert slug([Change("add column", "t" * 200, "c")] * 20).endswith("_and_19_more")


def test_name_names_the_files(runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = runner.invoke(cli, ["diff", str(specs[0]), str(specs[1]), "-d", "sqlite", "-o", str(out),
                                 "--name", "Tags and labels"])
    assert result.exit_code == 0, result.output
    assert all(n.endswith(("_tags_and_labels.up.sql", "_tags_and_labels.down.sql", ".sum")) for n in files(out))


@pytest.mark.parametrize(("fmt", "pattern"), [
    ("golang-migrate", r"\d{14}_add_table_tag_and_2_more\.(up|down)\.sql"),
    ("dbmate", r"\d{14}_add_table_tag_and_2_more\.sql"),
    ("flyway", r"[VU]\d{14}__add_table_tag_and_2_more\.sql"),
])
def test_formats(runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path, fmt: str, pattern: str) -> None:
    out = tmp_path / fmt
    result = runner.invoke(cli, ["diff", str(specs[0]), str(specs[1]), "-d", "mysql", "-o", str(out), "--format", fmt])
    assert result.exit_code == 0, result.output
    names = [n for n in files(out) if n != "schemac.sum"]
    assert names and all(re.fullmatch(pattern, n) for n in names), names
    assert len(names) == (1 if fmt == "dbmate" else 2)
    assert runner.invoke(cli, ["migrations", "check", str(out)]).exit_code == 0


@pytest.mark.parametrize(("dialect", "own_transaction"), [("postgresql", True), ("sqlite", True), ("mysql", False)])
def test_dbmate_does_not_wrap_a_file_that_runs_its_own_transaction(
        runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path, dialect: str, own_transaction: bool) -> None:
    out = tmp_path / "db"
    assert runner.invoke(cli, ["diff", str(specs[0]), str(specs[1]), "-d", dialect, "-o", str(out),
                               "--format", "dbmate"]).exit_code == 0
    (name,) = [n for n in files(out) if n.endswith(".sql")]
    text = (out / name).read_text()
    option = " transaction:false" if own_transaction else ""
    assert text.startswith(f"-- migrate:up{option}\n") and f"\n-- migrate:down{option}\n" in text
    up, down = text.split("-- migrate:down")
    assert "ADD COLUMN" in up and "DROP TABLE" in down


def test_no_changes_writes_nothing(runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m"
    result = runner.invoke(cli, ["diff", str(specs[0]), str(specs[0]), "-d", "postgresql", "-o", str(out)])
    assert result.exit_code == 0 and "no changes" in result.output and "nothing written" in result.output
    assert not out.exists()


def test_a_destructive_up_is_refused_and_nothing_is_written(runner: CliRunner, specs: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    out = tmp_path / "m"
    args = ["diff", str(specs[1]), str(specs[0]), "-d", "postgresql", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 3 and "refused" in result.output and "M501" in result.output
    assert not out.exists()
    assert runner.invoke(cli, [*args, "--allow-destructive"]).exit_code == 0
    assert len(files(out)) == 3
    # the DOWN of an additive UP drops data, and is written without asking
    out2 = tmp_path / "m2"
    assert runner.invoke(cli, ["diff", str(specs[0]), str(specs[1]), "-d", "sqlite", "-o", str(out2)]).exit_code == 0


def test_a_second_migration_extends_the_sum_in_order(runner: CliRunner, specs: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "m"
    folder_files = api.migration_folder_files
    pair = api.diff_files([specs[0]], [specs[1]], "postgresql").pair
    first = folder_files(out, pair, now=datetime(2024, 1, 2, 3, 4, 5))
    out.mkdir()
    for name, text in first.items():
        (out / name).write_bytes(text.encode())
    second = folder_files(out, pair, "schemac", "again", now=datetime(2024, 2, 1, 0, 0, 0))
    listed = [line.split()[0] for line in second["schemac.sum"].splitlines()[1:]]
    assert listed == ["20240102_030405_add_table_tag_and_2_more.down.sql",
                      "20240102_030405_add_table_tag_and_2_more.up.sql",
                      "20240201_000000_again.down.sql", "20240201_000000_again.up.sql"]
    with pytest.raises(api.MigrationFolderError, match="exists already"):
        folder_files(out, pair, now=datetime(2024, 1, 2, 3, 4, 5))


def test_check_names_each_file_that_does_not_match(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "m"
    out.mkdir()
    recorded = [("1_a.up.sql", b"A;\n"), ("2_b.up.sql", b"B;\n"), ("3_c.up.sql", b"C;\n")]
    for name, content in recorded:
        (out / name).write_bytes(content)
    (out / "schemac.sum").write_text(sum_text(recorded))
    assert runner.invoke(cli, ["migrations", "check", str(out)]).exit_code == 0
    (out / "2_b.up.sql").write_text("B; -- edited\n")
    (out / "3_c.up.sql").unlink()
    (out / "0_z.up.sql").write_text("Z;\n")
    result = runner.invoke(cli, ["migrations", "check", str(out)])
    assert result.exit_code == 1
    assert "2_b.up.sql was edited" in result.output
    assert "3_c.up.sql was removed" in result.output
    assert "0_z.up.sql was added by hand, before 2_b.up.sql" in result.output
    assert "1_a.up.sql" not in result.output


def test_check_sees_a_reordered_sum_and_an_edited_total(tmp_path: Path) -> None:
    from schemac.migration_files import check_sum

    recorded = [("1_a.sql", b"A;"), ("2_b.sql", b"B;")]
    text = sum_text(recorded)
    head, first, second = text.splitlines()
    assert any("another order" in p for p in check_sum("\n".join([head, second, first]), recorded))
    assert any("total hash" in p for p in check_sum("h1:AAAA\n" + first + "\n" + second, recorded))
    assert check_sum(None, recorded) == ["schemac.sum is missing: it is written with the migrations by "
                                         "`schemac diff -o`"]


def test_writing_into_a_folder_that_does_not_match_its_sum_is_refused(
        runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "m"
    args = ["diff", str(specs[0]), str(specs[1]), "-d", "postgresql", "-o", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    up = next(p for p in out.iterdir() if p.name.endswith(".up.sql"))
    up.write_text(up.read_text() + "-- hand edit\n")
    result = runner.invoke(cli, [*args, "--name", "next"])
    assert result.exit_code == 1 and "was edited" in result.output
    assert len(files(out)) == 3


def test_usage_errors(runner: CliRunner, specs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = map(str, specs)
    cases = [
        (["diff", old, new], "--dialect is required"),
        (["diff", old, "-d", "sqlite"], "give OLD and NEW"),
        (["diff", old, new, "--from-db", "sqlite:///x.db"], "give NEW with --from-db"),
        (["diff", old, new, "-d", "sqlite", "--format", "flyway"], "-o DIR"),
        (["diff", old, new, "-d", "sqlite", "--down", "-o", str(tmp_path / "m")], "both UP and DOWN"),
        (["diff", old, str(tmp_path / "missing.schema"), "-d", "sqlite"], "does not exist"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)


# -- REV:path -------------------------------------------------------------------------------------------


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=folder, check=True,
                   capture_output=True)


def test_a_spec_from_git_history(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "specs" / "lib").mkdir(parents=True)
    (repo / "specs" / "shop.schema").write_text('import "lib/tags.schema"\n' + V1)
    (repo / "specs" / "lib" / "tags.schema").write_text("entity tag { id: int @pk }\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    v2 = V2.replace("entity tag { id: int @pk }", "")
    (repo / "specs" / "shop.schema").write_text('import "lib/tags.schema"\n' + v2)
    monkeypatch.chdir(repo)
    result = runner.invoke(cli, ["diff", "HEAD:specs/shop.schema", "specs/shop.schema", "-d", "postgresql"])
    assert result.exit_code == 0, result.output
    assert "--   add table label" in result.output and "add table tag" not in result.output  # the import resolved
    folder = runner.invoke(cli, ["diff", "HEAD:specs/", "specs", "-d", "postgresql"])
    assert folder.exit_code == 0 and folder.output == result.output
    monkeypatch.chdir(repo / "specs")
    relative = runner.invoke(cli, ["diff", "HEAD:./shop.schema", "shop.schema", "-d", "postgresql"])
    assert relative.exit_code == 0 and relative.output == result.output
    for spec, message in [("HEAD~5:specs/shop.schema", "unknown revision 'HEAD~5'"),
                          ("HEAD:specs/nope.schema", "'specs/nope.schema' does not exist in revision 'HEAD'")]:
        bad = runner.invoke(cli, ["diff", spec, "shop.schema", "-d", "postgresql"])
        assert bad.exit_code == 2 and message in bad.output and "Traceback" not in bad.output


def test_rev_path_outside_a_repository_is_a_clear_error(runner: CliRunner, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.schema").write_text(V1)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = runner.invoke(cli, ["diff", "HEAD:a.schema", "a.schema", "-d", "sqlite"])
    assert result.exit_code == 2 and "not in a git repository" in result.output


# -- --from-db: drift ------------------------------------------------------------------------------------


def url_of(db: ScratchDatabase) -> str:
    if db.dialect == "sqlite":
        return "sqlite:///" + db.connection.execute("PRAGMA database_list").fetchall()[0][2]
    server = availability(db.dialect).server
    login = server.user + (f":{server.password}" if server.password else "")
    return f"{db.dialect}://{login}@{server.host}:{server.port}/{db.name}"


def compiled(spec: str | Path, dialect: str) -> str:
    loaded = api.load_files([spec]) if isinstance(spec, Path) else api.load_text(spec, "spec.schema")
    sql = api.compile_loaded(loaded, dialect).sql
    assert sql is not None
    return sql


# OLD and NEW with what engines store in their own words: checks, defaults (now(), literals,
# enum values), comments, and a partial index (PostgreSQL and SQLite keep it partial).
OLD = """
enum status { active, paused, closed }
entity account "A customer account" {
  id: int @pk @identity
  email: varchar(200) @unique "Where receipts go"
  status: status @default(active)
  credit: decimal(10, 2) @default(0) @check(credit >= 0 and credit < 1000000)
  created_at: timestamptz @default(now())
  index (created_at) @where(status = 'active')
}
entity invoice {
  id: bigint @pk
  account: ref account @on_delete(cascade)
  amount: int @check(amount > 0)
  memo: text?
}
"""

NEW = """
enum status { active, paused, closed, archived }
entity account "A customer account, one per e-mail address" {
  id: int @pk @identity
  email: varchar(320) @unique "Where receipts go"
  status: status @default(paused)
  credit: decimal(10, 2) @default(0) @check(credit >= 0 and credit < 1000000)
  created_at: timestamptz @default(now())
  nickname: varchar(40) @default('anon') @check(char_length(nickname) > 1)
  index (created_at) @where(status <> 'closed')
}
entity invoice {
  id: bigint @pk
  account: ref account @on_delete(cascade)
  amount: int @check(amount > 0 and amount < 100000)
  due: date?
}
"""


def from_db(runner: CliRunner, db: ScratchDatabase, spec: Path, *extra: str) -> object:
    return runner.invoke(cli, ["diff", "--from-db", url_of(db), str(spec), *extra])


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_a_migrated_database_has_no_drift(runner: CliRunner, tmp_path: Path, dialect: str) -> None:
    """Build from OLD, apply UP of `diff OLD NEW`: `diff --from-db URL NEW` finds nothing."""
    old, new = tmp_path / "old.schema", tmp_path / "new.schema"
    old.write_text(OLD)
    new.write_text(NEW)
    up = runner.invoke(cli, ["diff", str(old), str(new), "-d", dialect, "--allow-destructive"])
    assert up.exit_code == 0, up.output
    with scratch_database(dialect) as db:
        db.run_script(compiled(old, dialect))
        before = from_db(runner, db, new)
        assert before.exit_code == 3, before.output  # the live database is OLD: memo would be dropped
        db.run_script(up.stdout)
        after = from_db(runner, db, new)
        assert after.exit_code == 0, after.output
        assert "no changes: the database at" in after.output, after.output
        assert from_db(runner, db, old).exit_code == 3  # and back to OLD is a real (destructive) change


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_no_example_drifts_from_the_database_built_from_it(runner: CliRunner, dialect: str) -> None:
    examples = sorted((ROOT / "examples").glob("*.schema")) + sorted((ROOT / "tests" / "fixtures").glob("*.schema"))
    with scratch_database(dialect) as db:
        for spec in examples:
            db.empty()
            db.run_script(compiled(spec, dialect))
            result = api.diff_database(url_of(db), [spec])
            assert result.pair is not None, [str(d) for d in result.diagnostics]
            assert result.pair.up.changes == [], (spec.name, [str(c) for c in result.pair.up.changes])
            assert not any("could not be built" in n for n in result.notes), result.notes


@pytest.mark.parametrize("dialect", ENGINE_PARAMS)
def test_drift_made_by_hand_shows(runner: CliRunner, tmp_path: Path, dialect: str) -> None:
    new = tmp_path / "new.schema"
    new.write_text(NEW)
    with scratch_database(dialect) as db:
        db.run_script(compiled(new, dialect))
        q = db.quote
        db.execute(f"ALTER TABLE {q('invoice')} ADD COLUMN {q('hotfix')} INT")
        db.execute(f"CREATE INDEX {q('invoice_due_idx')} ON {q('invoice')} ({q('due')})")
        db.insert("account", {"email": "a@example.com"})
        if dialect == "postgresql":
            db.execute("ANALYZE")  # reltuples is -1 (unknown) until a table is first analysed
        result = from_db(runner, db, new, "--allow-destructive")
        assert result.exit_code == 0, result.output
        assert "--   drop column invoice.hotfix" in result.stdout
        assert "--   drop index invoice.invoice_due_idx" in result.stdout
        assert "-- Estimated work" in result.stdout and "--   invoice: about " in result.stdout
        refused = from_db(runner, db, new)
        assert refused.exit_code == 3 and "invoice.hotfix" in refused.output


def test_from_db_dialect_comes_from_the_url_and_must_match(runner: CliRunner, tmp_path: Path) -> None:
    new = tmp_path / "new.schema"
    new.write_text(V1)
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.executescript(compiled(V1, "sqlite"))
    conn.execute("INSERT INTO orders (id, total) VALUES (1, 5), (2, 7)")
    conn.commit()
    conn.close()
    url = f"sqlite:///{db}"
    assert "no changes" in runner.invoke(cli, ["diff", "--from-db", url, str(new)]).output
    mismatch = runner.invoke(cli, ["diff", "--from-db", url, str(new), "-d", "postgresql"])
    assert mismatch.exit_code == 2 and "does not match the database URL" in mismatch.output
    new.write_text(V1.replace("@check(total >= 0)", "@check(total >= 1)"))
    changed = runner.invoke(cli, ["diff", "--from-db", url, str(new)])
    assert changed.exit_code == 0, changed.output
    assert "--   orders: about 2 rows (drop check, add check)" in changed.stdout
    missing = runner.invoke(cli, ["diff", "--from-db", f"sqlite:///{tmp_path / 'none.db'}", str(new)])
    assert missing.exit_code == 2 and "no SQLite database" in missing.output


def test_from_db_writes_files_too(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.executescript(compiled(V1, "sqlite"))
    conn.close()
    new = tmp_path / "v2.schema"
    new.write_text(V2)
    out = tmp_path / "m"
    result = runner.invoke(cli, ["diff", "--from-db", f"sqlite:///{db}", str(new), "-o", str(out),
                                 "--format", "flyway"])
    assert result.exit_code == 0, result.output
    assert len(files(out)) == 3 and runner.invoke(cli, ["migrations", "check", str(out)]).exit_code == 0
