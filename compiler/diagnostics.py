"""Diagnostics: stable codes, the registry that documents them, and their rendering.

Code families: S0xx syntax, R1xx resolution, N2xx normalization, I3xx index advice,
L4xx lint, M5xx migration hazards, B6xx backend limits. A code is never reused; every code
is documented in `docs/diagnostics.md` (a test keeps the two in step).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemac.dsl.source import Path, SourceMap, Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# code -> short title. The long form of each lives in docs/diagnostics.md.
CODES: dict[str, str] = {
    "S001": "unexpected token",
    "S002": "unexpected character",
    "S003": "unterminated string or name",
    "S004": "unclosed block",
    "S005": "unbalanced parentheses",
    "S006": "expression does not parse",
    "S007": "malformed attribute arguments",
    "S008": "unexpected end of file",
    "S009": "index expression needs parentheses",
    "R101": "unknown entity",
    "R102": "unknown type",
    "R103": "unknown field or column",
    "R104": "duplicate entity or enum",
    "R105": "duplicate field",
    "R106": "duplicate enum value",
    "R107": "missing primary key",
    "R108": "foreign key type mismatch",
    "R109": "enum default not in the enum",
    "R110": "default does not fit the type",
    "R111": "unknown attribute",
    "R112": "attribute not allowed here",
    "R113": "reference target is not a key",
    "R114": "identity on a non-integer column",
    "R115": "more than one identity column",
    "R116": "primary key declared twice",
    "R117": "set_null on a column that cannot be null",
    "R118": "duplicate constraint or index name",
    "R119": "wrong type parameters",
    "R120": "import not found",
    "R122": "name clash between an enum and an entity",
    "R123": "conflicting sensitivity tags",
    "R124": "invalid name",
    "R125": "unknown dialect",
    "R126": "column count mismatch",
    "R127": "duplicate declaration",
    "R128": "unknown enum value",
    "R130": "invalid policy",
    "R131": "default refers to a column",
    "R132": "nullable primary key column",
    "R133": "identity column with a default",
    "R134": "empty enum",
    "R136": "invalid predicate",
    "R137": "column used twice in one key",
    "R138": "invalid attribute value",
    "R139": "@was names a current name",
    "M501": "migration drops a table",
    "M502": "migration drops a column",
    "M503": "migration changes a column's type in a way that can lose data",
    "M504": "migration removes an enum value",
    "M505": "migration step checked against existing rows",
    "M506": "drop and add that look like a rename",
    "M507": "migration leaves a raw SQL statement done",
    "B601": "name shortened for the dialect",
    "B602": "feature not supported by the dialect",
    "B603": "comment truncated",
    "B604": "index key too long",
    "B606": "row too large",
    "B607": "sql block for other dialects",
    "B608": "name used twice in a namespace of the dialect",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a spec.

    `path` is a model path the source map resolves to a position; `span` is set directly
    by the parser, or filled from `path` by `locate`.
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    path: Path | None = None
    span: Span | None = None
    help: str | None = None
    label: str | None = None
    # (start, length) within the span that `path` resolves to, to point inside it
    offset: tuple[int, int] | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }
        if self.span is not None:
            line, col = self.span.file.line_col(self.span.start)
            end_line, end_col = self.span.file.line_col(self.span.end)
            out.update(file=self.span.file.path, line=line, column=col,
                       end_line=end_line, end_column=end_col)
        if self.help:
            out["help"] = self.help
        return out


def error(code: str, message: str, path: Path | None = None, **kw: object) -> Diagnostic:
    return Diagnostic(code, message, Severity.ERROR, path, **kw)  # type: ignore[arg-type]


def warning(code: str, message: str, path: Path | None = None, **kw: object) -> Diagnostic:
    return Diagnostic(code, message, Severity.WARNING, path, **kw)  # type: ignore[arg-type]


def suggest(name: str, candidates: Iterable[str], kind: str = "") -> str | None:
    """A 'did you mean' hint for an unknown name, or None when nothing is close."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return f"did you mean '{lowered[name.lower()]}'? (names are case-sensitive)"
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if kind and pool and len(pool) <= 8:
        return f"known {kind}: " + ", ".join(f"'{c}'" for c in sorted(pool))
    return None


def locate(diagnostics: Iterable[Diagnostic], source_map: SourceMap) -> list[Diagnostic]:
    """Fill in each diagnostic's span from its path."""
    from schemac.dsl.source import Span

    out = []
    for d in diagnostics:
        if d.span is None and d.path is not None:
            span = source_map.get(d.path)
            if span is not None and d.offset is not None:
                start = min(span.start + d.offset[0], span.end)
                span = Span(span.file, start, min(start + max(d.offset[1], 1), max(span.end, start + 1)))
            d = replace(d, span=span)
        out.append(d)
    return out


def sort_key(d: Diagnostic) -> tuple[str, int, str]:
    if d.span is None:
        return ("~", 0, d.code)
    return (d.span.file.path, d.span.start, d.code)


MAX_SHOWN = 50


def render(diagnostics: Sequence[Diagnostic], limit: int = MAX_SHOWN) -> str:
    """Render diagnostics the way rustc and ruff do, capped at `limit`."""
    shown = sorted(diagnostics, key=sort_key)
    parts = [render_one(d) for d in shown[:limit]]
    if len(shown) > limit:
        parts.append(f"... and {len(shown) - limit} more")
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    if errors or warnings:
        counts = [f"{n} {w}{'s' if n != 1 else ''}" for n, w in ((errors, "error"), (warnings, "warning")) if n]
        parts.append("found " + " and ".join(counts))
    return "\n\n".join(parts) + "\n"


def render_one(d: Diagnostic) -> str:
    head = f"{d.severity}[{d.code}]: {d.message}"
    if d.span is None:
        return head + (f"\n  = help: {d.help}" if d.help else "")
    span = d.span
    line, col = span.file.line_col(span.start)
    end_line, end_col = span.file.line_col(max(span.start, span.end))
    text = span.file.line_text(line).replace("\t", " ")
    width = len(str(line))
    pad = " " * width
    if end_line != line:
        end_col = len(text) + 1
    carets = "^" * max(1, end_col - col)
    lines = [
        head,
        f"{pad}--> {span.file.path}:{line}:{col}",
        f"{pad} |",
        f"{line} | {text}",
        f"{pad} | {' ' * (col - 1)}{carets}{' ' + d.label if d.label else ''}",
    ]
    if d.help:
        lines.append(f"{pad} = help: {d.help}")
    return "\n".join(lines)


def to_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """The diagnostics as JSON-ready objects, in the order `render` shows them."""
    return [d.to_json() for d in sorted(diagnostics, key=sort_key)]
