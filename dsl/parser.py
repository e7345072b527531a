"""Parse `.schema` text into the declared model.

`parse_text` runs the fast recursive-descent parser (`fastparse.py`); when that gives up it
parses with lark itself, whose errors `syntax_errors` turns into diagnostics (all of them,
with recovery, not only the first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemac.diagnostics import Diagnostic
from schemac.dsl import fastparse
from schemac.dsl.source import SourceFile, SourceMap
from schemac.dsl.transform import Builder
from schemac.ir import Schema

if TYPE_CHECKING:
    from lark import Lark, Token, UnexpectedInput


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


def lark_parser() -> Lark:
    """The module's lark parser, built on first use (and cached by lark between runs)."""
    global _LARK
    if _LARK is None:
        from lark import Lark

        _LARK = Lark.open_from_package(
            "schemac.dsl", "schema.lark", parser="lalr", propagate_positions=True,
            cache=True, lexer_callbacks={"LINE_COMMENT": _on_comment, "BLOCK_COMMENT": _on_comment},
        )
    return _LARK


def parse_text(text: str, path: str = "<string>", *, fast: bool = True, comments: bool = False) -> ParseResult:
    """Parse one file.

    Args:
        text: the `.schema` source.
        path: the name shown in diagnostics.
        fast: use the fast parser first (the result is the same; tests turn it off).
        comments: collect the comments too (for the formatter).

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
        found: list[tuple[str, int, int]] | None = [] if comments else None
        try:
            schema = fastparse.parse(text, builder, found)
        except fastparse.Fallback:
            builder = Builder(source)
        else:
            kept = [Comment(*c) for c in found or ()]
            return ParseResult(source, schema, builder.source_map, builder.diagnostics, kept)
    return _parse_with_lark(source, builder)


def _parse_with_lark(source: SourceFile, builder: Builder) -> ParseResult:
    parser = lark_parser()
    _comments.clear()
    tree, errors = _parse_recovering(parser, source.text)
    comments = list(_comments)
    if errors:
        from schemac.dsl.syntax_errors import collect_syntax_errors

        return ParseResult(source, None, SourceMap(), collect_syntax_errors(source, errors), comments)
    schema = _transform(tree, builder)
    return ParseResult(source, schema, builder.source_map, builder.diagnostics, comments)


def _transform(tree: Any, builder: Builder) -> Schema:
    """Run the builder over lark's tree, bottom-up, as the fast parser runs it."""
    from lark import Token, Transformer

    class Adapter(Transformer):  # type: ignore[type-arg]
        def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
            method = getattr(builder, data)
            span = (meta.start_pos, meta.end_pos) if not meta.empty else (-1, -1)
            return method(span, [(c.type, c.value, c.start_pos, c.end_pos) if isinstance(c, Token) else c
                                 for c in children])

    return Adapter().transform(tree)  # type: ignore[no-any-return]


# Punctuation that is often forgotten; recovery tries inserting it before giving up a token.
_INSERTABLE = ("COLON", "COMMA", "RPAR", "RBRACE")
MAX_ERRORS = 50


def _parse_recovering(parser: Lark, text: str) -> tuple[Any, list[UnexpectedInput]]:
    from lark import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    """Parse with lark, recovering from errors so that several can be reported.

    On an unexpected token, first try inserting a forgotten ':' ',' ')' or '}'. Otherwise
    skip to the next line and resume at the first token that the parser accepts once the
    constructs left open on its stack are abandoned (panic mode).
    """
    errors: list[UnexpectedInput] = []
    ip = parser.parse_interactive(text)
    state = ip.parser_state
    thread = ip.lexer_thread
    tokens = thread.lex(state)
    last: Token | None = None
    skipping_line: int | None = None

    def fail(exc: UnexpectedInput) -> None:
        if getattr(exc, "state", None) is not None:
            exc.state = state.copy(deepcopy_values=False)  # the live state moves on
        errors.append(exc)

    while len(errors) < MAX_ERRORS:
        lexed_error: UnexpectedToken | None = None
        try:
            tok = next(tokens)
        except StopIteration:
            break
        except UnexpectedToken as exc:  # a token that is valid somewhere, but not here
            tok, lexed_error = exc.token, exc
            tokens = thread.lex(state)
        except UnexpectedCharacters as exc:  # a character that starts no token at all
            if skipping_line is None or exc.line != skipping_line:
                fail(exc)
            skipping_line = exc.line
            assert thread.state is not None and exc.pos_in_stream is not None
            thread.state.line_ctr.feed(text[exc.pos_in_stream])
            tokens = thread.lex(state)
            continue
        last = tok
        if skipping_line is not None:
            # Braces keep their meaning while skipping, so that a block closed on the bad
            # line does not swallow the declarations after it.
            opens = tok.type == "LBRACE" and tok.type in state.parse_conf.states[state.position]
            closes = tok.type == "RBRACE"
            if (tok.line == skipping_line and not (opens or closes)) or not _resynchronize(state, tok.type):
                continue
            skipping_line = None
            lexed_error = None
        try:
            if lexed_error is not None:
                raise lexed_error
            ip.feed_token(tok)
        except UnexpectedToken as exc:
            fail(exc)
            if not _insert_missing(ip, tok, exc.expected):
                skipping_line = tok.line
    if len(errors) >= MAX_ERRORS:
        return None, errors
    try:
        result = ip.feed_eof(last)
    except UnexpectedInput as exc:
        fail(exc)  # kept only when it is an unclosed block, or the only error
        return None, errors
    return (result if not errors else None), errors


def _resynchronize(state: Any, token_type: str) -> bool:
    """Pop the parser's stack down to a state that accepts `token_type`, if there is one."""
    table = state.parse_conf.states
    stack = state.state_stack
    for depth in range(len(stack), 0, -1):
        if token_type in table[stack[depth - 1]]:
            del stack[depth:]
            del state.value_stack[depth - 1:]
            return True
    return False


def _insert_missing(ip: Any, tok: Token, expected: set[str]) -> bool:
    """Feed a forgotten punctuation token and `tok`, if that parses; the lexer reads the
    parser's state, so the repair must happen in `ip` itself, not in a copy."""
    from lark import Token, UnexpectedInput

    for kind in _INSERTABLE:
        if kind not in expected:
            continue
        missing = Token.new_borrow_pos(kind, "", tok)
        try:
            trial = ip.copy()
            trial.feed_token(missing)
            trial.feed_token(tok)
        except UnexpectedInput:
            continue
        ip.feed_token(missing)
        ip.feed_token(tok)
        return True
    return False

