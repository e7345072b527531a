"""Turn lark's syntax errors into S0xx diagnostics with words a person understands.

Each `UnexpectedInput` is first matched against malformed samples (`match_examples`, after
lark's examples/advanced/error_reporting_lalr.py) to name the mistake precisely; what no
sample matches is described from the token lark saw and the terminals it expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lark import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from schemac.diagnostics import Diagnostic, error
from schemac.dsl.source import SourceFile, Span

# label -> (code, message, help, malformed samples that end at the mistake)
SAMPLES: dict[str, tuple[str, str, str | None, list[str]]] = {
    "missing_colon": (
        "S001", "expected ':' between the field name and its type",
        "write it as `name: type`, for example `email: text`",
        ["entity a { id int }", "entity a { id: int\n email text }", "entity a { `x` int }"],
    ),
    "missing_type": (
        "S001", "expected a type after ':'",
        "for example `text`, `bigint`, `varchar(100)` or `ref customer`",
        ["entity a { id: }", "entity a { id: @pk }", "entity a { id: int\n b: }", "entity a { id: ? }"],
    ),
    "index_call": (
        "S009", "an expression in an index needs its own parentheses",
        "write the expression in parentheses, for example `index ((lower(email)))`",
        ["entity a { index (lower(x)) }", "entity a { index (a, lower(x)) }"],
    ),
    "entity_name": (
        "S001", "expected a name after 'entity'", "for example `entity customer { ... }`",
        ["entity { }", "entity 1 { }", "entity \"a\" { }"],
    ),
    "entity_brace": (
        "S001", "expected '{' to open the entity body", None,
        ["entity a id: int }", "entity a ( id: int )"],
    ),
    "enum_separator": (
        "S001", "expected ',' between enum values", "enum values are separated by commas: `{ a, b, c }`",
        ["enum e { a b }", "enum e { a, b c }"],
    ),
    "top_level": (
        "S001", "expected 'entity', 'enum', 'module' or 'import'", None,
        ["a: int", "table a { }", "entity a { id: int @pk } }", "x"],
    ),
    "type_args": (
        "S001", "expected a number in the type's parentheses", "for example `varchar(100)` or `decimal(12, 2)`",
        ["entity a { x: varchar(n) }", "entity a { x: decimal(12,) }", "entity a { x: varchar() }"],
    ),
}

_QUOTED = {
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"'(?:[^'\n]|'')*'"),
    "`": re.compile(r"`(?:[^`\n]|``)*`"),
}

_WORDS = {
    "NAME": "a name", "QUOTED_NAME": None, "STRING": "a string", "LONG_STRING": None,
    "SQ_STRING": "a quoted value", "INT": "a number", "SIGNED_NUMBER": "a number",
    "ATTR": "an attribute", "EXPR": "a parenthesised expression", "COMPARE": "a comparison",
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "COLON": "':'",
    "COMMA": "','", "QMARK": "'?'", "EQUAL": "'='", "__ANON_0": "'->'", "$END": "the end of the file",
    "ASC": "'asc'", "DESC": "'desc'",
}


def _describe_token(tok: object) -> str:
    kind = getattr(tok, "type", "")
    text = str(tok)
    if kind == "$END":
        return "end of file"
    if kind in ("NAME", "QUOTED_NAME"):
        return f"name '{text}'"
    if kind in ("STRING", "LONG_STRING"):
        return "string"
    if kind == "EXPR":
        return "'('"
    return f"'{text}'"


def describe_expected(expected: Iterable[str]) -> str:
    words: list[str] = []
    keywords: list[str] = []
    for term in sorted(set(expected)):
        if term in _WORDS:
            word = _WORDS[term]
            if word and word not in words:
                words.append(word)
        elif term.isupper():
            keywords.append(f"'{term.lower()}'")
    if len(keywords) > 5:
        words.append("a keyword")
    else:
        words.extend(keywords)
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _matching_sample(exc: UnexpectedToken) -> str | None:
    """The label of the sample that fails in the same parser state as `exc`.

    lark's `match_examples` compares whole state stacks, which differ with what came before
    the mistake; the state on top of the stack is what identifies the mistake.
    """
    from schemac.dsl.parser import lark_parser

    state = getattr(exc, "state", None)
    if state is None:
        return None
    position = state.position
    fallback = None
    for label, (_, _, _, samples) in SAMPLES.items():
        for sample in samples:
            try:
                lark_parser().parse(sample)
            except UnexpectedToken as ut:
                if ut.state is not None and ut.state.position == position:
                    if ut.token.type == exc.token.type:
                        return label
                    fallback = fallback or label
            except UnexpectedInput:
                continue
    return fallback


def _unclosed(source: SourceFile) -> Span | None:
    """The last '{' that is never closed, ignoring strings, names and comments."""
    from schemac.dsl.fastparse import _COMMENT

    text = source.text
    stack: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith('"""', i):
            j = text.find('"""', i + 3)
            i = n if j < 0 else j + 3
            continue
        if c in "\"'`":
            m = _QUOTED[c].match(text, i)
            if m:
                i = m.end()
            else:  # unterminated: it ends with its line
                newline = text.find("\n", i)
                i = n if newline < 0 else newline + 1
            continue
        if c == "/" and (m := _COMMENT.match(text, i)):
            i = m.end()
            continue
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            stack.pop()
        i += 1
    return Span(source, stack[-1], stack[-1] + 1) if stack else None


def to_diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    pos = getattr(exc, "pos_in_stream", None) or 0
    if isinstance(exc, UnexpectedCharacters):
        c = source.text[pos] if pos < len(source.text) else ""
        span = Span(source, pos, pos + 1)
        if c in "\"`'":
            what = "name" if c == "`" else "string"
            return error("S003", f"unterminated {what}: the closing {c} is missing", span=span,
                         help="strings and quoted names end on the line they start")
        if c == "(" and ("EXPR" in exc.allowed or not exc.allowed):
            return error("S005", "unbalanced parentheses: this '(' is never closed", span=span)
        allowed = exc.allowed or set()
        return error("S002", f"unexpected character '{c}'", span=span,
                     help=f"expected {describe_expected(allowed)}" if 0 < len(allowed) <= 4 else None)
    if _at_end(exc):
        brace = _unclosed(source)
        if brace is not None:
            return error("S004", "this '{' is never closed", span=brace,
                         help="add the missing '}' at the end of the block")
        end = len(source.text)
        return error("S008", "unexpected end of file", span=Span(source, max(0, end - 1), end),
                     help=f"expected {describe_expected(getattr(exc, 'expected', ()))}")
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    start = tok.start_pos if tok.start_pos is not None else pos
    span = Span(source, start, start + max(1, len(str(tok))))
    if tok.type == "LPAR" and "EXPR" in exc.expected:
        return error("S005", "unbalanced parentheses: this '(' is never closed", span=span,
                     help="every '(' in an expression needs its ')'")
    label = _matching_sample(exc)
    if label is not None:
        code, message, help_text, _ = SAMPLES[label]
        return error(code, message, span=span, help=help_text)
    return error("S001", f"unexpected {_describe_token(tok)}", span=span,
                 help=f"expected {describe_expected(exc.expected)}")


def _at_end(exc: UnexpectedInput) -> bool:
    return isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END")


def collect_syntax_errors(source: SourceFile, errors: list[UnexpectedInput]) -> list[Diagnostic]:
    """One diagnostic per error, dropping the echoes recovery produces on the same line and
    an end-of-file error that only follows from an earlier one."""
    out: list[Diagnostic] = []
    lines: set[int] = set()
    for exc in errors:
        if _at_end(exc) and len(errors) > 1 and _unclosed(source) is None:
            continue
        d = to_diagnostic(source, exc)
        line = d.span.line if d.span else 0
        if line in lines:
            continue
        lines.add(line)
        out.append(d)
    return out
