"""The `schemac` command line.

Commands are thin: one call into `schemac.api`, then report and write. Exit codes: 0 ok,
1 errors in the input, 2 usage (click's own), 3 refused as unsafe.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from schemac.dialects import DIALECTS
from schemac.migration_files import FORMATS

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_UNSAFE = 0, 1, 2, 3

_spec_paths = click.argument(
    "specs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
_format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="How to print diagnostics: text for people, json for tools and editors.")
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def _report(diagnostics: Sequence[Any], strict: bool = False) -> bool:
    """Print diagnostics to stderr; True when the run should fail."""
    from schemac.diagnostics import Severity, render

    if diagnostics:
        click.echo(render(diagnostics), err=True, nl=False)
    return any(d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING) for d in diagnostics)


def _json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _diagnostics_json(diagnostics: Sequence[Any]) -> list[dict[str, object]]:
    from schemac.diagnostics import to_json

    return to_json(diagnostics)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemac", prog_name="schemac")
def cli() -> None:
    """schemac compiles .schema specs into DDL for PostgreSQL, MySQL/MariaDB and SQLite,
    entity-relationship diagrams and a data dictionary.

    \b
    Examples:
      schemac check shop.schema
      schemac compile shop.schema --dialect postgresql -o shop.sql
      schemac fmt specs/
      schemac erd shop.schema --format svg -o shop.svg
      schemac docs shop.schema -o docs/data
      schemac inspect postgresql://postgres@127.0.0.1/shop -o shop.schema
      schemac import dump.sql --dialect postgresql -o shop.schema
      schemac diff v1/shop.schema v2/shop.schema --dialect postgresql
      schemac diff HEAD~1:specs/shop.schema specs/shop.schema -d postgresql -o migrations
      schemac migrations check migrations
    """


@cli.command(name="compile")
@_spec_paths
@click.option("--dialect", "-d", type=click.Choice(DIALECTS), help="Target dialect (required for SQL output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["sql", "json"]), default="sql", show_default=True,
              help="sql: the DDL; json: the resolved model and the diagnostics.")
@_strict_option
def compile_cmd(specs: tuple[Path, ...], dialect: str | None, output: Path | None, fmt: str, strict: bool) -> None:
    """Compile specs to DDL for one dialect.

    Several files (or folders of .schema files) are compiled together as one schema:
    `schemac compile shop.schema --dialect postgresql -o shop.sql`.
    """
    from schemac import api

    if fmt == "json":
        result = api.load_files(specs)
        diagnostics = result.diagnostics
        if dialect and result.schema is not None and result.ok:
            diagnostics = api.compile_loaded(result, dialect).diagnostics
        failed = any(d.is_error for d in diagnostics) or (strict and bool(diagnostics))
        payload = {"ok": not failed, "diagnostics": _diagnostics_json(diagnostics),
                   "schema": result.schema.model_dump(mode="json") if result.schema is not None and result.ok else None}
        _write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", output)
        sys.exit(EXIT_INPUT if failed else EXIT_OK)
    if dialect is None:
        raise click.UsageError("--dialect is required for SQL output (postgresql, mysql or sqlite)")
    compiled = api.compile_files(specs, dialect, jobs=min(2, os.cpu_count() or 1))
    if _report(compiled.diagnostics, strict) or compiled.sql is None:
        sys.exit(EXIT_INPUT)
    _write(compiled.sql, output)


@cli.command()
@_spec_paths
@click.option("--format", "-f", "fmt", type=click.Choice(["mermaid", "dot", "svg", "png"]), default="mermaid",
              show_default=True, help="mermaid or dot: diagram text; svg or png: a picture laid out by Graphviz.")
@click.option("--only", multiple=True, metavar="ENTITY",
              help="Draw these entities and their direct neighbours (repeat, or separate with commas).")
@click.option("--module", "modules", multiple=True, metavar="NAME",
              help="Draw the entities of these modules and their direct neighbours (repeat, or use commas).")
@click.option("--no-columns", is_flag=True, help="Draw entities and relationships only: an overview.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@_strict_option
def erd(specs: tuple[Path, ...], fmt: str, only: tuple[str, ...], modules: tuple[str, ...], no_columns: bool,
        output: Path | None, strict: bool) -> None:
    """Draw the entity-relationship diagram of specs.

    \b
    Examples:
      schemac erd shop.schema > shop.mmd
      schemac erd shop.schema --format svg -o shop.svg
      schemac erd shop.schema --only order --no-columns

    Mermaid text renders on GitHub and GitLab in a ```mermaid block. svg and png need
    Graphviz's `dot` program; dot text needs nothing.
    """
    from schemac import api
    from schemac.backends.erd import SelectionError

    if fmt == "png" and output is None and sys.stdout.isatty():
        raise click.UsageError("a PNG is binary: write it to a file with -o FILE (or redirect the output)")
    try:
        result = api.diagram_files(specs, "mermaid" if fmt == "mermaid" else "dot", only=_split(only),
                                   modules=_split(modules), columns=not no_columns, jobs=min(2, os.cpu_count() or 1))
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from exc
    if _report(result.diagnostics, strict) or result.text is None:
        sys.exit(EXIT_INPUT)
    if fmt in api.IMAGE_FORMATS:
        try:
            image = api.render_dot(result.text, fmt)
        except api.GraphvizMissing as exc:
            raise click.UsageError(str(exc)) from exc
        _write_bytes(image, output)
        return
    _write(result.text, output)


@cli.command()
@_spec_paths
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the dictionary to (created if missing).")
@_strict_option
def docs(specs: tuple[Path, ...], output: Path, strict: bool) -> None:
    """Write a data dictionary of specs in Markdown.

    One section per entity: its documentation, columns with their type in every dialect,
    keys, indexes, relationships both ways and access patterns, with the Mermaid diagram
    embedded so that it renders on any code host:
    `schemac docs shop.schema -o docs/data`.
    """
    from schemac import api

    result = api.dictionary_files(specs)
    if _report(result.diagnostics, strict) or result.files is None:
        sys.exit(EXIT_INPUT)
    for name, text in result.files.items():
        path = output / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.FileError(str(path.parent), hint=exc.strerror or str(exc)) from exc
        _write(text, path)
        click.echo(f"wrote {path}", err=True)


@cli.command()
@click.argument("url")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec to this file instead of standard output.")
def inspect(url: str, output: Path | None) -> None:
    """Read a live database's schema into a .schema spec.

    \b
    URL forms:
      postgresql://user:password@host:5432/database[?schema=name]
      mysql://user:password@host:3306/database      (MariaDB too)
      sqlite:///relative/file.db, sqlite:////absolute/file.db

    `schemac inspect postgresql://postgres@127.0.0.1/shop -o shop.schema`
    """
    from schemac import api
    from schemac.inspect import InspectError

    try:
        result = api.inspect_database(url)
    except InspectError as exc:
        raise click.UsageError(str(exc)) from exc
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    _write(result.text, output)


@cli.command(name="import")
@click.argument("sql_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dialect", "-d", type=click.Choice(DIALECTS), required=True, help="The dialect the DDL is written in.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec to this file instead of standard output.")
@click.option("--database", help="MySQL: the database to import, of those the file creates tables in.")
def import_cmd(sql_file: Path, dialect: str, output: Path | None, database: str | None) -> None:
    """Turn a DDL file (pg_dump --schema-only, mysqldump --no-data, SQLite .schema) into a
    .schema spec.

    What the language cannot express yet (views, functions, triggers...) is kept verbatim in
    sql blocks and listed on stderr with its line:
    `schemac import dump.sql --dialect postgresql -o shop.schema`. A spec describes one
    database: for a MySQL dump of several, choose one with `--database NAME`.
    """
    from schemac import api
    from schemac.ddl_import import DdlError

    try:
        result = api.import_sql(sql_file, dialect, database)
    except DdlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    for note in result.notes:
        click.echo(f"warning: {sql_file}:{note}" if note.startswith("line ") else f"warning: {note}", err=True)
    _write(result.text, output)


def _split(values: Sequence[str]) -> list[str]:
    """Repeated option values, each of which may be a comma-separated list."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _write_bytes(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc


@cli.command()
@_spec_paths
@_format_option
@_strict_option
def check(specs: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Check specs and print every problem found.

    Nothing is written. The limits of every dialect are checked too:
    `schemac check shop.schema`.
    """
    from schemac import api
    from schemac.diagnostics import Severity

    result = api.load_files(specs)
    diagnostics = list(result.diagnostics)
    if result.ok and result.schema is not None:
        for dialect in DIALECTS:
            diagnostics.extend(d for d in api.compile_loaded(result, dialect).diagnostics
                               if d.code.startswith("B"))
    failed = any(d.is_error for d in diagnostics) or (strict and bool(diagnostics))
    if fmt == "json":
        _json({"ok": not failed, "diagnostics": _diagnostics_json(diagnostics)})
    else:
        _report(diagnostics, strict)
        if not any(d.severity in (Severity.ERROR, Severity.WARNING) for d in diagnostics):
            click.echo(f"ok: {len(result.files)} file{'s' if len(result.files) != 1 else ''}, "
                       f"{len(result.schema.entities) if result.schema else 0} entities", err=True)
    sys.exit(EXIT_INPUT if failed else EXIT_OK)


@cli.command()
@_spec_paths
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 when a file would change.")
def fmt(specs: tuple[Path, ...], check_only: bool) -> None:
    """Rewrite specs in the canonical layout, keeping comments.

    `schemac fmt specs/` rewrites every .schema file under specs/; with --check nothing is
    written and the exit code says whether a file would change.
    """
    from schemac import api

    changed: list[Path] = []
    failed = False
    for path in api.spec_files(specs):
        result = api.format_file(path)
        if result.text is None:
            _report(result.diagnostics)
            failed = True
            continue
        if result.changed:
            changed.append(path)
            if not check_only:
                path.write_text(result.text, encoding="utf-8")
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}", err=True)
    if failed or (check_only and changed):
        sys.exit(EXIT_INPUT)


@cli.command(name="diff")
@click.argument("specs", nargs=-1, metavar="[OLD] NEW")
@click.option("--dialect", "-d", type=click.Choice(DIALECTS),
              help="The engine to migrate (required unless --from-db names it).")
@click.option("--from-db", "url", metavar="URL",
              help="Diff the live database at URL (postgresql://, mysql://, sqlite:///) against NEW: drift.")
@click.option("--down", is_flag=True, help="Print the DOWN migration (NEW back to OLD) instead of UP.")
@click.option("--online", is_flag=True,
              help="Avoid long write locks: PostgreSQL's CONCURRENTLY and NOT VALID, MySQL's INPLACE/INSTANT.")
@click.option("--allow-destructive", is_flag=True,
              help="Print a migration that drops data (tables, columns, enum values, narrowing types).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write the UP and DOWN files into this folder (and update its schemac.sum) instead of printing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="The files' layout with -o: schemac (default), golang-migrate, dbmate or flyway.")
@click.option("--name", help="With -o: the name in the files' names (default: a summary of the changes).")
@click.option("--strategy", type=click.Choice(["plain", "expand-contract"]), default="plain", show_default=True,
              help="expand-contract: rename columns and change their types in two migrations (PostgreSQL, MySQL), "
                   "each with its DOWN, while old and new application versions run.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows each backfill statement updates (expand-contract).")
def diff_cmd(specs: tuple[str, ...], dialect: str | None, url: str | None, down: bool, online: bool,
             allow_destructive: bool, output: Path | None, fmt: str | None, name: str | None, strategy: str,
             batch_size: int) -> None:
    """Print the migration that turns a database built from OLD into one built from NEW.

    OLD and NEW are spec files or folders, or `REV:path` to read one from git history
    (`HEAD~1:specs/shop.schema`, `main:specs/`). With --from-db URL, OLD is the live
    database (only NEW is given): what it lacks or has more than NEW is drift. The
    migration's header lists its changes and their hazards. A migration that would lose data
    is refused (exit 3) unless --allow-destructive is given; identical specs give no
    migration (exit 0). With -o DIR, the UP and DOWN files are written into DIR under a UTC
    timestamp, and DIR/schemac.sum is updated (see `schemac migrations check`).
    --strategy expand-contract gives four files instead (see docs/migrations.md); with -o DIR
    they are written as NAME.expand.up.sql, NAME.expand.down.sql, NAME.contract.up.sql and
    NAME.contract.down.sql (NAME: NEW's name).

    \b
    schemac diff v1/shop.schema v2/shop.schema --dialect postgresql > up.sql
    schemac diff HEAD~1:specs/shop.schema specs/shop.schema -d postgresql -o migrations
    schemac diff --from-db postgresql://postgres@127.0.0.1/shop specs/shop.schema
    """
    from schemac import api

    if len(specs) != (1 if url else 2):
        raise click.UsageError("give NEW with --from-db URL" if url else "give OLD and NEW (or --from-db URL NEW)")
    if url is None and dialect is None:
        raise click.UsageError("--dialect is required (postgresql, mysql or sqlite) unless --from-db gives it")
    if strategy == "expand-contract":
        if url is not None:
            raise click.UsageError("--strategy expand-contract diffs two specs, not --from-db")
        assert dialect is not None
        _expand_contract(Path(specs[0]), Path(specs[1]), dialect, down, allow_destructive, batch_size, output)
        return
    if output is None and (fmt is not None or name is not None):
        raise click.UsageError("--format and --name name the files written with -o DIR")
    if output is not None and down:
        raise click.UsageError("-o DIR writes both UP and DOWN; --down only chooses what is printed")
    result = _diff(specs, url, dialect, online, ("up", "down") if down or output else ("up",))
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    if _report(result.diagnostics) or result.pair is None:
        sys.exit(EXIT_INPUT)
    migration = result.pair.down if down else result.pair.up
    if migration.empty:
        what = f"the database at {url} matches {specs[0]}" if url else \
            f"{specs[0]} and {specs[1]} describe the same {dialect} schema"
        click.echo(f"no changes: {what}{'; nothing written' if output else ''}", err=True)
        return
    if migration.destructive and not allow_destructive:
        click.echo("refused: this migration would lose data:", err=True)
        for hazard in migration.destructive:
            click.echo(f"  {hazard}", err=True)
        click.echo(f"rerun with --allow-destructive to {'write' if output else 'print'} it anyway", err=True)
        sys.exit(EXIT_UNSAFE)
    if output is None:
        click.echo(migration.sql, nl=False)
        return
    try:
        files = api.migration_folder_files(output, result.pair, fmt or "schemac", name)
    except api.MigrationFolderError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    for file_name, text in files.items():
        path = output / file_name
        _write_bytes(text.encode("utf-8"), path)
        click.echo(f"wrote {path}", err=True)


def _diff(specs: tuple[str, ...], url: str | None, dialect: str | None, online: bool,
          directions: tuple[str, ...]) -> Any:
    """`api.diff_database` or `api.diff_files`, with a spec read from git history where
    named so; a usage error for what cannot be read."""
    from contextlib import ExitStack

    from schemac import api
    from schemac.revisions import RevisionError

    with ExitStack() as stack:
        try:
            paths = [stack.enter_context(api.spec_at(spec)) for spec in specs]
        except RevisionError as exc:
            raise click.UsageError(str(exc)) from exc
        for spec, path in zip(specs, paths, strict=True):
            if not path.exists():
                raise click.UsageError(f"Path '{spec}' does not exist.")
        if url is None:
            assert dialect is not None
            return api.diff_files([paths[0]], [paths[1]], dialect, online=online, directions=directions,
                                  jobs=min(2, os.cpu_count() or 1))
        from schemac.inspect import InspectError  # (only here: it loads the catalog model)

        try:
            return api.diff_database(url, [paths[0]], dialect, online=online)
        except InspectError as exc:
            raise click.UsageError(str(exc)) from exc


@cli.group()
def migrations() -> None:
    """Work with a folder of migration files written by `schemac diff -o DIR`.

    `schemac migrations check migrations/` says whether the files still match the
    folder's schemac.sum.
    """


@migrations.command(name="check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def migrations_check(folder: Path) -> None:
    """Check that the migration files in FOLDER match its schemac.sum.

    Exit 0 when they do; 1, naming each file edited, added or removed by hand and any change
    of order, when they do not: `schemac migrations check migrations/`.
    """
    from schemac import api

    problems = api.check_migration_folder(folder)
    if problems:
        click.echo(f"error: the migrations in {folder} do not match schemac.sum:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"ok: the migrations in {folder} match schemac.sum", err=True)


def _expand_contract(old: Path, new: Path, dialect: str, down: bool, allow_destructive: bool, batch_size: int,
                     output_dir: Path | None) -> None:
    """`schemac diff --strategy expand-contract`: the four files, printed or written."""
    from schemac import api

    if dialect not in ("postgresql", "mysql"):
        raise click.UsageError(f"--strategy expand-contract is for PostgreSQL and MySQL, not {dialect}")
    if down:
        raise click.UsageError("--down does not apply to --strategy expand-contract, which gives both DOWNs")
    result = api.diff_files([old], [new], dialect, strategy="expand-contract", batch_size=batch_size)
    if _report(result.diagnostics) or result.steps is None:
        sys.exit(EXIT_INPUT)
    scripts = result.steps.scripts()
    if all(m.empty for m in scripts.values()):
        click.echo(f"no changes: {old} and {new} describe the same {dialect} schema", err=True)
        return
    destructive = [h for key in ("expand.up", "contract.up") for h in scripts[key].destructive]
    if destructive and not allow_destructive:
        click.echo("refused: these migrations would lose data:", err=True)
        for hazard in destructive:
            click.echo(f"  {hazard}", err=True)
        click.echo("rerun with --allow-destructive to write them anyway", err=True)
        sys.exit(EXIT_UNSAFE)
    if output_dir is None:
        for key, migration in scripts.items():
            step, direction = key.split(".")
            click.echo(f"-- ===== {step} ({direction.upper()}) =====")
            click.echo(migration.sql or "-- nothing to do\n", nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for key, migration in scripts.items():
        (output_dir / f"{new.stem}.{key}.sql").write_text(migration.sql or "-- nothing to do\n", encoding="utf-8")
    click.echo(f"wrote {len(scripts)} files to {output_dir}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `schemac` script and `python -m schemac`."""
    # A compile allocates many small objects and makes few cycles; the cyclic collector
    # would spend a third of the run walking them.
    gc.disable()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="schemac")
    except SystemExit as exc:
        if argv is not None:  # called from Python (tests): leave normally
            raise
        # The work is done and written; skip tearing down every object of the model, which
        # takes a noticeable part of a large compile.
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            click.echo(exc.code, err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug in schemac, not in the input
        if os.environ.get("SCHEMAC_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in schemac; rerun with SCHEMAC_DEBUG=1 for the traceback and report it.",
                   err=True)
        sys.exit(70)
