"""The programmatic API: load specs, compile them, check and format them.

The CLI calls only these functions; each returns a value and does no printing.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemac.diagnostics import Diagnostic, error, locate, sort_key
from schemac.dsl.parser import ParseResult, parse_text
from schemac.dsl.source import SourceMap
from schemac.ir import Entity, Enum, Module, Schema
from schemac.resolve import resolve

SPEC_SUFFIX = ".schema"


class SchemaError(Exception):
    """Raised by `load` when a spec has errors; `diagnostics` holds them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        from schemac.diagnostics import render

        self.diagnostics = diagnostics
        super().__init__(render([d for d in diagnostics if d.is_error]))


@dataclass
class LoadResult:
    """A loaded spec: the declared and resolved schema, where things are, what is wrong."""

    declared: Schema | None
    schema: Schema | None
    source_map: SourceMap
    diagnostics: list[Diagnostic]
    files: list[ParseResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


@dataclass
class CompileResult:
    sql: str | None
    load: LoadResult
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.sql is not None and not any(d.is_error for d in self.diagnostics)


def spec_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand folders into the `.schema` files under them, sorted; keep files as given."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(q for q in path.rglob(f"*{SPEC_SUFFIX}") if q.is_file()))
        else:
            out.append(path)
    return out


def load_files(paths: Iterable[str | os.PathLike[str]], *, resolved: bool = True) -> LoadResult:
    """Parse spec files and the files they import, merge and resolve them.

    Args:
        paths: `.schema` files or folders of them.
        resolved: False stops after merging: `schema` stays None (see `compile_files`).

    Returns:
        A `LoadResult`. Its `schema` is the resolved schema when parsing succeeded; look at
        `diagnostics` (or `ok`) before trusting it.
    """
    loader = _Loader()
    for path in spec_files(paths):
        loader.load(path, None)
    return loader.finish(resolved)


def load_text(text: str, path: str = "<string>") -> LoadResult:
    """Load a spec from a string (imports are resolved against the current folder)."""
    loader = _Loader()
    loader.add(parse_text(text, path), Path(path).parent if path != "<string>" else Path.cwd())
    return loader.finish()


def load(*paths: str | os.PathLike[str]) -> Schema:
    """Load and resolve specs, raising `SchemaError` if they have errors.

    Example:
        >>> schema = load("examples/shop.schema")   # doctest: +SKIP
        >>> [e.name for e in schema.entities][:2]    # doctest: +SKIP
        ['tenant', 'customer']
    """
    result = load_files(paths)
    if not result.ok or result.schema is None:
        raise SchemaError(result.diagnostics)
    return result.schema


def compile_files(paths: Sequence[str | os.PathLike[str]], dialect: str, *, jobs: int = 1) -> CompileResult:
    """Load specs and render their DDL for `dialect`.

    With `jobs` > 1, a large schema is resolved and rendered on two processes (see
    `schemac.parallel`); the SQL and diagnostics are the same, but the result's `load.schema`
    (the resolved model) is then None. Only a program without threads may ask for it.
    """
    if jobs > 1:
        from schemac import parallel

        declared = load_files(paths, resolved=False)
        if declared.ok and declared.declared is not None and len(declared.declared.entities) >= parallel.THRESHOLD:
            out = parallel.compile_on_two_cores(declared.declared, declared.source_map, dialect)
            if out is not None:
                sql, found = out
                diagnostics = sorted(declared.diagnostics + locate(found, declared.source_map), key=sort_key)
                ok = sql is not None and not any(d.is_error for d in diagnostics)
                return CompileResult(sql if ok else None, declared, diagnostics)
        return compile_loaded(_resolve_loaded(declared), dialect)
    return compile_loaded(load_files(paths), dialect)


def _resolve_loaded(result: LoadResult) -> LoadResult:
    """Resolve a result loaded with `resolved=False`."""
    if result.declared is None or result.schema is not None:
        return result
    schema, problems = resolve(result.declared, result.source_map)
    diagnostics = sorted(result.diagnostics + locate(problems, result.source_map), key=sort_key)
    return LoadResult(result.declared, schema, result.source_map, diagnostics, result.files)


def compile_loaded(result: LoadResult, dialect: str) -> CompileResult:
    """Render the DDL of specs already loaded."""
    from schemac.backends.base import render_schema

    if not result.ok or result.schema is None:
        return CompileResult(None, result, result.diagnostics)
    sql, backend = render_schema(result.schema, dialect)
    diagnostics = result.diagnostics + locate(backend, result.source_map)
    if any(d.is_error for d in backend):
        return CompileResult(None, result, diagnostics)
    return CompileResult(sql, result, diagnostics)


@dataclass
class DiffResult:
    """The migrations between two specs; `pair` is None when a spec has errors."""

    pair: Any  # schemac.backends.migration.MigrationPair | None
    old: LoadResult
    new: LoadResult
    diagnostics: list[Diagnostic]
    steps: Any = None  # schemac.backends.expand_contract.ExpandContract, under that strategy
    notes: list[str] = field(default_factory=list)  # --from-db: what the database holds that a spec cannot

    @property
    def ok(self) -> bool:
        return self.pair is not None and not any(d.is_error for d in self.diagnostics)


def diff_files(old: Sequence[str | os.PathLike[str]], new: Sequence[str | os.PathLike[str]], dialect: str, *,
               online: bool = False, strategy: str = "plain", batch_size: int = 1000,
               directions: Sequence[str] = ("up", "down"), jobs: int = 1) -> DiffResult:
    """Load two versions of a spec and render the UP and DOWN migrations between them
    (`strategy="expand-contract"`: the four files of schemac.backends.expand_contract).

    With `jobs` > 1, large specs are loaded on two processes (see `schemac.parallel`); the
    migrations and diagnostics are the same, but the result's `old` then holds OLD's resolved
    schema only (no declared schema, source map or files). Only a program without threads
    may ask for it.
    """
    if jobs > 1 and strategy == "plain":
        from schemac import parallel

        if _size(old) >= parallel.LOAD_THRESHOLD:
            loaded_old, loaded_new = parallel.load_on_two_cores(old, new)
            return diff_loaded(loaded_old, loaded_new, dialect, online=online, directions=directions)
    if strategy == "expand-contract":
        return expand_contract_loaded(load_files(old), load_files(new), dialect, batch_size=batch_size)
    return diff_loaded(load_files(old), load_files(new), dialect, online=online, directions=directions)


def _size(paths: Iterable[str | os.PathLike[str]]) -> int:
    """The bytes of the spec files of `paths` (without the files they import)."""
    try:
        return sum(p.stat().st_size for p in spec_files(paths))
    except OSError:
        return 0


def expand_contract_loaded(old: LoadResult, new: LoadResult, dialect: str, *, batch_size: int = 1000) -> DiffResult:
    """The expand and contract migrations (each UP and DOWN) between two specs already loaded."""
    from schemac.backends.expand_contract import render_expand_contract

    diagnostics = old.diagnostics + new.diagnostics
    if not old.ok or not new.ok or old.schema is None or new.schema is None:
        return DiffResult(None, old, new, diagnostics)
    steps = render_expand_contract(old.schema, new.schema, dialect, batch_size=batch_size)
    diagnostics += locate([d for d in steps.all_diagnostics if d.path is None or d.is_error], new.source_map)
    return DiffResult(steps.expand, old, new, diagnostics, steps)


def diff_loaded(old: LoadResult, new: LoadResult, dialect: str, *, online: bool = False,
                row_estimates: dict[str, int] | None = None,
                directions: Sequence[str] = ("up", "down")) -> DiffResult:
    """The migrations between two specs already loaded. `directions` are those whose
    diagnostics are reported (and so rendered now); the other is rendered when asked for."""
    from schemac.backends.migration import render_migration
    from schemac.differ import rename_hints

    diagnostics = old.diagnostics + new.diagnostics
    if not old.ok or not new.ok or old.schema is None or new.schema is None:
        return DiffResult(None, old, new, diagnostics)
    pair = render_migration(old.schema, new.schema, dialect, online=online, row_estimates=row_estimates)
    backend = [d for direction in directions for d in getattr(pair, direction).diagnostics]
    unique = list(dict.fromkeys(backend))
    diagnostics += locate([d for d in unique if d.path is None or d.is_error], new.source_map)
    diagnostics += locate(rename_hints(new.schema, pair.up.changes), new.source_map)
    return DiffResult(pair, old, new, diagnostics)


def diff_database(url: str, new: Sequence[str | os.PathLike[str]], dialect: str | None = None, *,
                  online: bool = False) -> DiffResult:
    """The migrations from the live database at `url` to the spec `new` (drift detection,
    `schemac diff --from-db`).

    The database is inspected into a spec (as `inspect_database` does), and each of its members
    that the engine holds as it would hold the spec's is taken as the spec's (schemac.drift):
    to know how the engine stores the spec's expressions, the spec is built on the same engine
    without touching the database (see `schemac.inspect.built_catalog`). The headers estimate
    the rows of each changed table from the database's statistics.

    Args:
        url: `postgresql://...`, `mysql://...` or `sqlite:///path`.
        new: spec files or folders.
        dialect: the URL's when None; otherwise it must be the URL's.

    Raises:
        schemac.inspect.InspectError: the URL, the driver or the connection failed, or
            `dialect` is not the URL's.

    Example:
        >>> diff_database("sqlite:///shop.db", ["shop.schema"]).pair.up.empty  # doctest: +SKIP
        True
    """
    from schemac.differ import diff
    from schemac.drift import align
    from schemac.dsl.format import format_schema
    from schemac.inspect import InspectError, built_catalog, inspect_url, parse_url, row_estimates
    from schemac.reverse import reverse

    engine = parse_url(url).dialect
    if dialect is not None and dialect != engine:
        raise InspectError(f"--dialect {dialect} does not match the database URL, which is {engine}")
    loaded = load_files(new)
    catalog, others = inspect_url(url)
    found = reverse(catalog)
    inspected = load_text(format_schema(found.schema), "<database>")
    old = LoadResult(inspected.declared, inspected.schema, inspected.source_map,
                     [d for d in inspected.diagnostics if d.is_error], inspected.files)
    if not loaded.ok or loaded.schema is None or old.schema is None:
        return DiffResult(None, old, loaded, old.diagnostics + loaded.diagnostics, notes=others + found.notes)
    compiled = compile_loaded(loaded, engine)
    spec_catalog = built_catalog(url, compiled.sql) if compiled.sql is not None else None
    aligned = align(old.schema, loaded.schema, engine, catalog, spec_catalog)
    old = LoadResult(old.declared, aligned, old.source_map, old.diagnostics, old.files)
    tables = sorted({c.table for c in diff(aligned, loaded.schema) if c.table is not None})
    result = diff_loaded(old, loaded, engine, online=online, row_estimates=row_estimates(url, tables))
    result.notes = others + found.notes
    if spec_catalog is None:
        result.notes.append(f"the spec could not be built on the {engine} server to learn how it stores "
                            "expressions: checks, defaults and index predicates are compared as written")
    return result


@contextmanager
def spec_at(spec: str) -> Iterator[Path]:
    """The spec file or folder `spec` names, which may be `REV:path` in git history
    (`HEAD~1:specs/shop.schema`): then a temporary folder holds that revision's `.schema`
    files (see `schemac.revisions`) while the block runs.

    Raises:
        schemac.revisions.RevisionError: not in a git repository, an unknown revision or a path
            the revision does not have.
    """
    import tempfile

    from schemac.revisions import checkout, revision_of

    found = revision_of(spec)
    if found is None:
        yield Path(spec)
        return
    with tempfile.TemporaryDirectory(prefix="schemac-rev-") as folder:
        yield checkout(*found, Path(folder))


class MigrationFolderError(Exception):
    """The migration folder cannot take a new migration: its sum does not match, or a file of
    the new migration is already there."""


def migration_folder_files(folder: str | os.PathLike[str], pair: Any, fmt: str = "schemac", name: str | None = None,
                           now: datetime | None = None) -> dict[str, str]:
    """The files to write into `folder` for the migration `pair` (UP and DOWN) in layout `fmt`
    (see `schemac.migration_files`), with `schemac.sum` updated; by name in the folder.

    Raises:
        MigrationFolderError: the folder's migrations no longer match its sum (write nothing
            until `schemac migrations check` passes), or a file to write exists already.

    Example:
        >>> sorted(migration_folder_files("migrations", pair))  # doctest: +SKIP
        ['20240501_120000_add_column_orders_note.down.sql', '20240501_120000_add_column_orders_note.up.sql',
         'schemac.sum']
    """
    from schemac.migration_files import SUM_FILE, check_sum, migration_files, slug, sum_text

    folder = Path(folder)
    existing = _migration_files(folder)
    sum_path = folder / SUM_FILE
    if sum_path.exists():
        problems = check_sum(sum_path.read_text(encoding="utf-8"), existing)
        if problems:
            raise MigrationFolderError(f"{folder} does not match {SUM_FILE}:\n  " + "\n  ".join(problems))
    stamp = now or datetime.now(UTC)
    files = migration_files(fmt, stamp, slug(pair.up.changes, name), pair.up.sql, pair.down.sql)
    clash = [n for n in files if (folder / n).exists()]
    if clash:
        raise MigrationFolderError(f"{folder / clash[0]} exists already")
    every = sorted(existing + [(n, text.encode("utf-8")) for n, text in files.items()])
    files[SUM_FILE] = sum_text(every)
    return files


def check_migration_folder(folder: str | os.PathLike[str]) -> list[str]:
    """What in `folder`'s migration files does not match its `schemac.sum` (`schemac
    migrations check`): files edited, added or removed, another order. Empty: all match."""
    from schemac.migration_files import SUM_FILE, check_sum

    folder = Path(folder)
    sum_path = folder / SUM_FILE
    text = sum_path.read_text(encoding="utf-8") if sum_path.is_file() else None
    return check_sum(text, _migration_files(folder))


def _migration_files(folder: Path) -> list[tuple[str, bytes]]:
    """The migration files of a folder (its `.sql` files), in name order, with their bytes."""
    if not folder.is_dir():
        return []
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.sql")) if p.is_file()]


DIAGRAM_FORMATS = ("mermaid", "dot")
IMAGE_FORMATS = ("svg", "png")


@dataclass
class DiagramResult:
    text: str | None  # Mermaid or DOT; None when the spec has errors
    load: LoadResult
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.text is not None


def diagram_files(paths: Sequence[str | os.PathLike[str]], fmt: str = "mermaid", *, only: Sequence[str] = (),
                  modules: Sequence[str] = (), columns: bool = True, jobs: int = 1) -> DiagramResult:
    """The entity-relationship diagram of specs as Mermaid or Graphviz DOT text.

    Args:
        paths: `.schema` files or folders of them.
        fmt: "mermaid" or "dot".
        only, modules: draw these entities, or the entities of these modules, with their
            direct neighbours; everything when both are empty.
        columns: False draws entities and relationships only.
        jobs: as for `compile_files`; more than 1 may use two processes on a large schema.

    Raises:
        schemac.backends.erd.SelectionError: an entity or module in `only` or `modules` is
            not in the schema.

    Example:
        >>> diagram_files(["examples/shop.schema"]).text.splitlines()[1]  # doctest: +SKIP
        'erDiagram'
    """
    from schemac.backends import erd, graphviz, mermaid

    backend = mermaid if fmt == "mermaid" else graphviz
    if jobs > 1 and not only and not modules:
        from schemac import parallel

        declared = load_files(paths, resolved=False)
        if declared.ok and declared.declared is not None and len(declared.declared.entities) >= parallel.THRESHOLD:
            def render(schema: Schema, entities: list[Entity]) -> tuple[list[Any], list[Diagnostic]]:
                return list(backend.parts(schema, entities, columns=columns)), []

            out = parallel.diagram_on_two_cores(declared.declared, declared.source_map, render)
            if out is not None:
                items, found = out
                diagnostics = sorted(declared.diagnostics + locate(found, declared.source_map), key=sort_key)
                text = mermaid.join(items) if fmt == "mermaid" else graphviz.join(
                    items, declared.declared.modules, columns=columns)
                return DiagramResult(text, declared, diagnostics)
        loaded = _resolve_loaded(declared)
    else:
        loaded = load_files(paths)
    if not loaded.ok or loaded.schema is None:
        return DiagramResult(None, loaded, loaded.diagnostics)
    selection = erd.select(loaded.schema, only, modules)
    return DiagramResult(backend.render(loaded.schema, selection, columns=columns), loaded, loaded.diagnostics)


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` program is not installed, or not on PATH."""


def render_dot(dot: str, fmt: str) -> bytes:
    """Lay out DOT text with Graphviz's `dot` program into an SVG or PNG image.

    Raises:
        GraphvizMissing: `dot` cannot be found; the message says how to install it.
    """
    import graphviz  # type: ignore[import-untyped]  # (no stubs)

    try:
        return graphviz.pipe("dot", fmt, dot.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissing(
            f"--format {fmt} needs Graphviz's 'dot' program, which is not installed or not on PATH.\n"
            "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; "
            "macOS: brew install graphviz; Windows: https://graphviz.org/download/),\n"
            "or print the DOT text with --format dot, which needs nothing.") from exc


@dataclass
class DictionaryResult:
    files: dict[str, str] | None  # relative path -> Markdown; None when the spec has errors
    load: LoadResult
    diagnostics: list[Diagnostic]


def dictionary_files(paths: Sequence[str | os.PathLike[str]]) -> DictionaryResult:
    """A data dictionary of specs in Markdown (`schemac docs`): the files to write, by path
    relative to the output folder."""
    from schemac.backends import dictionary

    loaded = load_files(paths)
    if not loaded.ok or loaded.schema is None:
        return DictionaryResult(None, loaded, loaded.diagnostics)
    files = dictionary.render(loaded.schema, [f.source.path for f in loaded.files])
    return DictionaryResult(files, loaded, loaded.diagnostics)


@dataclass
class InspectResult:
    text: str  # the .schema spec
    notes: list[str]  # what the database holds that the spec does not say


def inspect_database(url: str) -> InspectResult:
    """A `.schema` spec of the live database at `url` (`schemac inspect`).

    Raises:
        schemac.inspect.InspectError: the URL, the driver or the connection failed.

    Example:
        >>> print(inspect_database("sqlite:///shop.db").text)  # doctest: +SKIP
        entity customer {
        ...
    """
    from schemac.dsl.format import format_schema
    from schemac.inspect import inspect_url
    from schemac.reverse import reverse

    catalog, others = inspect_url(url)
    found = reverse(catalog)
    return InspectResult(format_schema(found.schema), others + found.notes)


def import_sql(path: str | os.PathLike[str], dialect: str, database: str | None = None) -> InspectResult:
    """A `.schema` spec of a DDL file (`schemac import`): what the language cannot express
    is kept in `sql` blocks and listed, with its line, in `notes`. `database` chooses one of
    the databases a MySQL dump creates tables in (needed when there are several).

    Raises:
        OSError: the file cannot be read.
        schemac.ddl_import.DdlError: SQLite rejects the DDL; a MySQL dump of several databases
            without `database`, or without that database.
    """
    from schemac.ddl_import import import_ddl
    from schemac.dsl.format import format_schema
    from schemac.reverse import reverse

    text = Path(path).read_text(encoding="utf-8")
    imported = import_ddl(text, dialect, database)
    found = reverse(imported.catalog)
    notes = imported.notes + [n for n in found.notes if "kept as raw SQL" not in n]
    notes += [f"line {imported.lines[name]}: sequence '{name}' is kept verbatim as raw SQL for {dialect} (sql {block}; "
              "no serial column owns it)" for kind, name, block in found.kept if kind == "sequence"]
    return InspectResult(format_schema(found.schema), notes)


@dataclass
class FormatResult:
    text: str | None  # None when the file does not parse
    changed: bool
    diagnostics: list[Diagnostic]


def format_file(path: str | os.PathLike[str]) -> FormatResult:
    """The canonical layout of one spec file, comments kept (`schemac fmt`)."""
    path = Path(path)
    try:
        original = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FormatResult(None, False, [error("R120", f"cannot read '{path}': {exc}")])
    return format_text(original, _display(path))


def format_text(original: str, path: str = "<string>") -> FormatResult:
    from schemac.dsl.format import format_schema

    parsed = parse_text(original, path, comments=True)
    if parsed.schema is None:
        return FormatResult(None, False, parsed.diagnostics)
    text = format_schema(parsed.schema, parsed.source_map, parsed.source,
                         [(c.text, c.start, c.end) for c in parsed.comments])
    return FormatResult(text, text != original, parsed.diagnostics)


class _Loader:
    def __init__(self) -> None:
        self.seen: dict[Path, ParseResult] = {}
        self.order: list[ParseResult] = []
        self.diagnostics: list[Diagnostic] = []

    def load(self, path: Path, importer: tuple[ParseResult, int] | None) -> None:
        key = path.resolve()
        if key in self.seen:
            return
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            at = importer[0].source_map.get(("import", importer[1])) if importer else None
            self.diagnostics.append(error("R120", f"cannot read '{path}': {reason}", span=at))
            return
        result = parse_text(text, _display(path))
        self.seen[key] = result
        self.add(result, path.parent)

    def add(self, result: ParseResult, folder: Path) -> None:
        if result.schema is not None:
            for i, target in enumerate(result.schema.imports):
                pattern = str(folder / target)
                matches = sorted(glob.glob(pattern)) if any(c in target for c in "*?[") else [pattern]
                existing = [Path(m) for m in matches if Path(m).exists()]
                if not existing:
                    span = result.source_map.get(("import", i))
                    self.diagnostics.append(error("R120", f"import '{target}' not found", span=span,
                                                  help=f"paths are relative to {_display(folder) or '.'}"))
                for m in existing:
                    for f in spec_files([m]):
                        self.load(f, (result, i))
        self.order.append(result)

    def finish(self, resolved: bool = True) -> LoadResult:
        """Merge the files; resolve them too unless `resolved` is False."""
        source_map = SourceMap()
        diagnostics = list(self.diagnostics)
        for r in self.order:
            source_map.update(r.source_map)
            diagnostics.extend(r.diagnostics)
        if any(r.schema is None for r in self.order):
            diagnostics.sort(key=sort_key)
            return LoadResult(None, None, source_map, diagnostics, self.order)
        declared, merge_problems = _merge([r for r in self.order], source_map)
        diagnostics.extend(merge_problems)
        diagnostics.sort(key=sort_key)
        result = LoadResult(declared, None, source_map, diagnostics, self.order)
        return _resolve_loaded(result) if resolved else result


def _merge(results: list[ParseResult], source_map: SourceMap) -> tuple[Schema, list[Diagnostic]]:
    """One schema from several files; a name declared in two files is an error."""
    if len(results) == 1:
        assert results[0].schema is not None
        return results[0].schema.model_copy(update={"imports": ()}), []
    problems: list[Diagnostic] = []
    modules: dict[str, Module] = {}
    declared: dict[str, dict[str, Any]] = {"enum": {}, "entity": {}, "sql": {}}
    where: dict[tuple[str, str], str] = {}
    for r in results:
        assert r.schema is not None
        for m in r.schema.modules:
            if m.name not in modules or (modules[m.name].doc is None and m.doc):
                modules[m.name] = m
        items: list[tuple[str, Any]] = [("enum", e) for e in r.schema.enums]
        items += [("entity", e) for e in r.schema.entities]
        items += [("sql", e) for e in r.schema.raw_sql]
        for kind, item in items:
            key = (kind, item.name.lower())
            span = r.source_map.get((kind, item.name, "name"))
            if key in where:
                problems.append(error("R104", f"{kind} '{item.name}' is declared twice",
                                      span=span, help=f"first declared at {where[key]}"))
                continue
            where[key] = str(span) if span else r.source.path
            declared[kind][item.name] = item
    schema = Schema(modules=tuple(modules.values()),
                    enums=tuple(e for e in declared["enum"].values() if isinstance(e, Enum)),
                    entities=tuple(e for e in declared["entity"].values() if isinstance(e, Entity)),
                    raw_sql=tuple(declared["sql"].values()))
    return schema, problems


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

