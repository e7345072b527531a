"""Resolve and render a large schema on two cores.

After parsing, the process forks: the parent resolves and renders the first half of the
entities, the child the second half, and the child sends back what it rendered and its
diagnostics. The work that spans the schema is done once before the fork (`Resolver.prepare`:
name checks and the names given explicitly), so each half sees the state a sequential run
would. The result is byte-for-byte the sequential one (tests/compiler/test_parallel.py).
When it might not be -- two halves generating the same constraint name, which a sequential
run would have numbered, or any error in the spec, whose diagnostics a sequential run orders
and reports once -- or when anything goes wrong in the child, the caller works sequentially
instead.

Two outputs use it: DDL (`compile_on_two_cores`, in table-creation order) and diagrams
(`diagram_on_two_cores`, in declaration order). Only the CLI uses it (`schemac compile`,
`schemac erd`, for schemas of `THRESHOLD` entities or more): forking is safe there, as the
process runs no threads.

`schemac diff` loads its two specs on two cores instead (`load_on_two_cores`): a child
process loads OLD while the parent loads NEW, and sends back OLD's resolved schema. When OLD
has any diagnostic, or anything goes wrong in the child, the parent loads OLD itself, as a
sequential run would.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from schemac.backends.base import renderer_class
from schemac.diagnostics import Diagnostic
from schemac.dsl.source import SourceMap
from schemac.ir import Entity, Node, Schema
from schemac.resolve import Resolver, has_errors

if TYPE_CHECKING:
    from schemac.api import LoadResult

THRESHOLD = 400  # entities; below it, forking costs more than it saves
LOAD_THRESHOLD = 100_000  # bytes of OLD's files (about 250 generated entities), for `load_on_two_cores`

# Renders some resolved entities given the schema they sit in (the others still declared):
# returns one picklable item per entity and the renderer's diagnostics.
Render = Callable[[Schema, list[Entity]], tuple[list[Any], list[Diagnostic]]]


def compile_on_two_cores(declared: Schema, source_map: SourceMap, dialect: str) -> tuple[str, list[Diagnostic]] | None:
    """The DDL and diagnostics of `declared` for `dialect`, or None to compile sequentially
    (which is also how a schema with errors gets its diagnostics)."""
    cls = renderer_class(dialect)
    deferred: set[tuple[str, str]] = set()

    def order(resolver: Resolver) -> list[str]:
        names, later = cls.order_of(list(resolver.order), resolver.edges())
        deferred.update(later)
        return names

    def render(schema: Schema, entities: list[Entity]) -> tuple[list[Any], list[Diagnostic]]:
        renderer = cls(schema)
        return [(renderer.entity_block(e, deferred), renderer.scoped_names(e)) for e in entities], renderer.diagnostics

    cls.load_sqlglot()  # once, before the fork, rather than once in each process
    out = on_two_cores(declared, source_map, order, render)
    if out is None:
        return None
    items, diagnostics = out
    final = cls(Schema(enums=declared.enums, raw_sql=declared.raw_sql))
    final.check_scoped_names(n for _, names in items for n in names)
    blocks = [block for block, _ in items]
    sql = final.assemble([b[0] for b in blocks], [s for b in blocks for s in b[1]])
    return sql, diagnostics + final.diagnostics


def diagram_on_two_cores(declared: Schema, source_map: SourceMap,
                         render: Render) -> tuple[list[Any], list[Diagnostic]] | None:
    """`render`'s items for every entity, in declaration order (links' join entities after
    the entity declaring them), and the diagnostics; None to work sequentially."""
    return on_two_cores(declared, source_map, lambda resolver: list(resolver.order), render)


def on_two_cores(declared: Schema, source_map: SourceMap, order: Callable[[Resolver], list[str]],
                 render: Render) -> tuple[list[Any], list[Diagnostic]] | None:
    """Resolve and render the entities of `declared`, in `order`, half on each of two
    processes; the items of both halves in order, and every diagnostic."""
    if not hasattr(os, "fork"):
        return None
    resolver = Resolver(declared)
    resolver.prepare()
    if has_errors(resolver.diagnostics):
        return None  # let the sequential path report everything in its usual order
    names = order(resolver)
    weights = [len(resolver.entities[n].fields) + 2 for n in names]
    total, running, split = sum(weights), 0, len(names)
    for i, w in enumerate(weights):
        running += w
        if 2 * running >= total:
            split = i + 1
            break
    marks = (len(resolver.diagnostics), len(resolver.names.chosen), set(resolver.aliases))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the second half
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(_part(resolver, declared, render, names[split:], marks),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        mine = _part(resolver, declared, render, names[:split], marks)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    theirs = pickle.loads(data)
    if {n.lower() for n in mine["names"]} & {n.lower() for n in theirs["names"]}:
        return None
    for path, target in {**mine["aliases"], **theirs["aliases"]}.items():
        source_map.alias(path, target)
    diagnostics = resolver.diagnostics[: marks[0]] + mine["resolver"] + theirs["resolver"]
    seen_b601 = {d.message for d in mine["backend"] if d.code == "B601"}
    diagnostics += mine["backend"] + [d for d in theirs["backend"] if d.code != "B601" or d.message not in seen_b601]
    if has_errors(diagnostics):
        return None  # the sequential path reports errors in its own order, without duplicates
    return mine["items"] + theirs["items"], diagnostics


def _part(resolver: Resolver, declared: Schema, render: Render, names: list[str],
          marks: tuple[int, int, set[Any]]) -> dict[str, Any]:
    """Resolve and render some entities; the others stay declared, which is all a renderer
    needs of them (their names and table names)."""
    resolved = {n: resolver.resolve_entity(n) for n in names}
    entities = tuple(resolved.get(n) or resolver.entities[n] for n in resolver.order)
    items, backend = render(Schema(modules=declared.modules, enums=declared.enums, entities=entities),
                            [resolved[n] for n in names])
    return {
        "items": items,
        "resolver": resolver.diagnostics[marks[0]:],
        "backend": backend,
        "names": resolver.names.chosen[marks[1]:],
        "aliases": {k: v for k, v in resolver.aliases.items() if k not in marks[2]},
    }


def load_on_two_cores(old: Sequence[str | os.PathLike[str]],
                      new: Sequence[str | os.PathLike[str]]) -> tuple[LoadResult, LoadResult]:
    """`api.load_files(old)` and `api.load_files(new)`, OLD loaded in a child process while
    this one loads NEW. OLD's result then holds its resolved schema only (`declared` None, an
    empty source map, no files): it has no diagnostics to locate. When OLD has diagnostics, or
    the child fails, OLD is loaded here after NEW, which gives the sequential result."""
    from schemac.api import LoadResult, load_files

    if not hasattr(os, "fork"):
        return load_files(old), load_files(new)
    from schemac import expressions

    expressions.read_dialect()  # sqlglot, which checking expressions needs: imported once, before the fork
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: OLD
        code = 1
        try:
            os.close(read_end)
            loaded = load_files(old)
            if loaded.diagnostics or loaded.schema is None:
                code = 2  # let the parent load it and report what is wrong in its usual order
            else:
                buffer = io.BytesIO()
                _SharingPickler(buffer).dump(loaded.schema)
                with os.fdopen(write_end, "wb") as out:
                    out.write(buffer.getbuffer())
                code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    try:
        loaded_new = load_files(new)
        data = pipe.read()
    finally:  # on an exception here, closing the pipe first ends a child that is still writing
        pipe.close()
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return load_files(old), loaded_new
    return LoadResult(None, pickle.loads(data), SourceMap(), []), loaded_new


# Nodes that a schema repeats, equal but separate (a field spelled the same way in many
# entities, an index column): pickled once each.
_SHARED = frozenset(c for c in Node.__subclasses__() if c not in (Entity, Schema))


class _SharingPickler(pickle.Pickler):
    """Pickles each value of the `_SHARED` nodes once: a node equal to one pickled before is
    unpickled as that node (they are immutable), which makes a resolved schema of generated
    entities three times faster to unpickle."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.first: dict[Node, Node] = {}

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) in _SHARED:
            first = self.first.setdefault(obj, obj)
            if first is not obj:
                return _same, (first,)
        return NotImplemented


def _same(node: Node) -> Node:
    return node
