"""Resolve and render a large schema on two cores.

After parsing, the process forks: the parent resolves and renders the first half of the
tables (in creation order), the child the second half, and the child sends back its SQL and
diagnostics. The work that spans the schema is done once before the fork (`Resolver.prepare`:
name checks and the names given explicitly), so each half sees the state a sequential run
would. The result is byte-for-byte the sequential one (tests/compiler/test_parallel.py).
When it might not be -- two halves generating the same constraint name, which a sequential
run would have numbered, or any error in the spec, whose diagnostics a sequential run orders
and reports once -- or when anything goes wrong in the child, the caller compiles
sequentially instead.

Only the CLI uses this (`schemac compile`, for schemas of `THRESHOLD` entities or more):
forking is safe there, as the process runs no threads.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from schemac.backends.base import SqlRenderer, renderer_class
from schemac.diagnostics import Diagnostic
from schemac.dsl.source import SourceMap
from schemac.ir import Schema
from schemac.resolve import Resolver, has_errors

THRESHOLD = 400  # entities; below it, forking costs more than it saves


def compile_on_two_cores(declared: Schema, source_map: SourceMap, dialect: str) -> tuple[str, list[Diagnostic]] | None:
    """The DDL and diagnostics of `declared` for `dialect`, or None to compile sequentially
    (which is also how a schema with errors gets its diagnostics)."""
    if not hasattr(os, "fork"):
        return None
    resolver = Resolver(declared)
    resolver.prepare()
    if has_errors(resolver.diagnostics):
        return None  # let the sequential path report everything in its usual order
    cls = renderer_class(dialect)
    order, deferred = cls.order_of(list(resolver.order), resolver.edges())
    weights = [len(resolver.entities[n].fields) + 2 for n in order]
    total, running, split = sum(weights), 0, len(order)
    for i, w in enumerate(weights):
        running += w
        if 2 * running >= total:
            split = i + 1
            break
    marks = (len(resolver.diagnostics), len(resolver.names.chosen), set(resolver.aliases))
    cls.load_sqlglot()  # once, before the fork, rather than once in each process
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the second half
        code = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(_part(resolver, declared, cls, order[split:], deferred, marks),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        mine = _part(resolver, declared, cls, order[:split], deferred, marks)
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
    blocks = mine["blocks"] + theirs["blocks"]
    sql = cls(Schema(enums=declared.enums)).assemble([b[0] for b in blocks], [s for b in blocks for s in b[1]])
    return sql, diagnostics


def _part(resolver: Resolver, declared: Schema, cls: type[SqlRenderer], names: list[str],
          deferred: set[tuple[str, str]], marks: tuple[int, int, set[Any]]) -> dict[str, Any]:
    """Resolve and render some entities; the others stay declared, which is all the renderer
    needs of them (their names and table names)."""
    resolved = {n: resolver.resolve_entity(n) for n in names}
    entities = tuple(resolved.get(n) or resolver.entities[n] for n in resolver.order)
    renderer = cls(Schema(modules=declared.modules, enums=declared.enums, entities=entities))
    blocks = [renderer.entity_block(resolved[n], deferred) for n in names]
    return {
        "blocks": blocks,
        "resolver": resolver.diagnostics[marks[0]:],
        "backend": renderer.diagnostics,
        "names": resolver.names.chosen[marks[1]:],
        "aliases": {k: v for k, v in resolver.aliases.items() if k not in marks[2]},
    }
