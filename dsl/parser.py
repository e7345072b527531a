"""Parse `.schema` text into the declared model.

`parse_text` runs the fast LALR driver over lark's tables; when that fails it re-parses with
lark itself, whose errors `syntax_errors` turns into diagnostics (all of them, with recovery,
not only the first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Lark, Token, UnexpectedInput

from schemac.diagnostics import Diagnostic
from schemac.dsl.lalr import Fallback, FastParser
from schemac.dsl.source import SourceFile, SourceMap, Span
from schemac.dsl.transform import Builder
from schemac.ir import Schema


@dataclass
class Comment:
    text: str
    start: int
    end: int


@dataclass
class ParseResult:
    """What one file parses to. `schema` is None when the file has syntax errors."""

    source: SourceFile
    schema: Schema | None
    source_map: SourceMap
    diagnostics: list[Diagnostic]
    comments: list[Comment] = field(default_factory=list)


_comments: list[Comment] = []


def _on_comment(tok: Token) -> Token:
    _comments.append(Comment(str(tok), tok.start_pos, tok.end_pos))  # type: ignore[arg-type]
    return tok


_LARK: Lark | None = None
_FAST: FastParser | None = None


def lark_parser() -> Lark:
    """The module's lark parser, built on first use (and cached by lark between runs)."""
    global _LARK
    if _LARK is None:
        _LARK = Lark.open_from_package(
            "schemac.dsl", "schema.lark", parser="lalr", propagate_positions=True,
            cache=True, lexer_callbacks={"LINE_COMMENT": _on_comment, "BLOCK_COMMENT": _on_comment},
        )
    return _LARK


def fast_parser() -> FastParser:
    global _FAST
    if _FAST is None:
        _FAST = FastParser(lark_parser())
    return _FAST


def parse_text(text: str, path: str = "<string>", *, fast: bool = True) -> ParseResult:
    """Parse one file.

    Args:
        text: the `.schema` source.
        path: the name shown in diagnostics.
        fast: use the fast driver first (the result is the same; tests turn it off).

    Returns:
        A `ParseResult`; its `diagnostics` hold syntax errors and the problems the builder
        saw (unknown attributes, duplicates). Semantic checks run later, in `resolve`.

    Example:
        >>> parse_text("entity a { id: int @pk }").schema.entities[0].name
        'a'
    """
    source = SourceFile(path, text)
    builder = Builder(source)
    if fast:
        found: list[tuple[str, int, int]] = []
        try:
            schema = fast_parser().parse(text, builder, found)
        except Fallback:
            builder = Builder(source)
        else:
            comments = [Comment(*c) for c in found]
            return ParseResult(source, schema, builder.source_map, builder.diagnostics, comments)
    return _parse_with_lark(source, builder)


def _parse_with_lark(source: SourceFile, builder: Builder) -> ParseResult:
    from schemac.dsl.syntax_errors import collect_syntax_errors

    parser = lark_parser()
    _comments.clear()
    errors: list[UnexpectedInput] = []

    def on_error(exc: UnexpectedInput) -> bool:
        errors.append(exc)
        return len(errors) < 50

    try:
        tree = parser.parse(source.text, on_error=on_error)
    except UnexpectedInput as exc:
        errors.append(exc)
        tree = None
    comments = list(_comments)
    if errors:
        diagnostics = collect_syntax_errors(source, errors)
        return ParseResult(source, None, SourceMap(), diagnostics, comments)
    schema = builder.transform(tree)
    return ParseResult(source, schema, builder.source_map, builder.diagnostics, comments)


def span_at(source: SourceFile, start: int, end: int) -> Span:
    return Span(source, start, end)
