"""Source files, spans and the source map that ties model paths to positions.

Positions are kept beside the model, never in it: `SourceMap` maps a node path such as
`("entity", "customer", "field", "email")` to the `Span` it was parsed from, so two models
compare equal whatever their layout. Lines and columns are computed on demand from offsets,
which keeps parsing cheap.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


class SourceFile:
    """The text of one `.schema` file and a lazily built line index."""

    __slots__ = ("path", "text", "_line_starts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of a character offset."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        self.line_col(0)
        assert self._line_starts is not None
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]

    def __repr__(self) -> str:
        return f"SourceFile({self.path!r})"


@dataclass(frozen=True, slots=True)
class Span:
    """A range of characters in a source file."""

    file: SourceFile
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.file.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.file.line_col(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.file.line_col(max(self.start, self.end - 1))[0]

    def __str__(self) -> str:
        line, col = self.file.line_col(self.start)
        return f"{self.file.path}:{line}:{col}"


# A group of spans recorded relative to a path prefix: each entry is either
# (relative path, start, end) or (relative prefix, nested group).
SpanGroup = list[tuple[Path, Any, Any]]


class SourceMap:
    """Node paths to spans; a lookup falls back to the closest recorded ancestor.

    The parser records spans per declaration as relative groups and the map expands a group
    into full paths only when something under it is looked up, so recording the ~50 spans of
    a typical entity costs almost nothing until a diagnostic needs one.
    """

    def __init__(self) -> None:
        self._spans: dict[Path, Span] = {}
        self._groups: dict[Path, list[tuple[SourceFile, SpanGroup]]] = {}
        self._aliases: dict[Path, Path] = {}

    def alias(self, path: Path, target: Path) -> None:
        """Locate `path` (and what is under it) where `target` was declared, for things
        that resolution creates, such as a constraint written as a field attribute."""
        self._aliases[path] = target

    def add(self, path: Path, span: Span) -> None:
        self._spans.setdefault(path, span)

    def add_group(self, prefix: Path, file: SourceFile, group: SpanGroup) -> None:
        self._groups.setdefault(prefix, []).append((file, group))

    def _expand(self, prefix: Path) -> None:
        for file, group in self._groups.pop(prefix, ()):
            self._expand_group(prefix, file, group)

    def _expand_group(self, prefix: Path, file: SourceFile, group: SpanGroup) -> None:
        for rel, a, b in group:
            if isinstance(a, int):
                self._spans.setdefault((*prefix, *rel), Span(file, a, b))
            else:
                self._expand_group((*prefix, *rel), file, b)

    def get(self, path: Path) -> Span | None:
        for n in range(len(path), 0, -1):
            target = self._aliases.get(path[:n])
            if target is not None:
                path = (*target, *path[n:])
                break
        for n in (2, 1):
            if len(path) >= n and path[:n] in self._groups:
                self._expand(path[:n])
        while path:
            span = self._spans.get(path)
            if span is not None:
                return span
            path = path[:-1]
        return None

    @property
    def spans(self) -> dict[Path, Span]:
        for prefix in list(self._groups):
            self._expand(prefix)
        return self._spans

    def update(self, other: SourceMap) -> None:
        for path, span in other._spans.items():
            self._spans.setdefault(path, span)
        for prefix, groups in other._groups.items():
            self._groups.setdefault(prefix, []).extend(groups)
        self._aliases.update(other._aliases)
