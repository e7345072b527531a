"""A fast driver for lark's LALR tables.

lark compiles `schema.lark` into LALR parse tables and checks it for conflicts; those tables
stay the single definition of the language. lark's own runtime, however, costs about 12 µs
a token in CPython, which puts a 2,000-entity spec near two seconds. This module runs the
same tables with a tight loop: a lexer that emulates lark's contextual lexer for this
grammar, and reductions that call the `Builder` methods directly (as lark's inline
transformer would) without building a tree. It reproduces lark's tree shaping: `_rule`
inlining, `?rule` pass-through, aliases, filtered tokens and `[x]` placeholders.

On any input it cannot parse it raises `Fallback`, and the caller re-parses with lark
itself, so error reporting is lark's. Tests check that both paths give the same model and
source map (tests/dsl/test_roundtrip.py).
"""

from __future__ import annotations

import re

from typing import Any

from functools import partial

from lark import Lark, Tree
from lark.parsers.lalr_analysis import Shift


class Fallback(Exception):
    """The fast path cannot continue; parse with lark to get its diagnostics."""


class _Meta:
    """The part of lark's `Meta` that the builder reads; an empty node has no position."""

    __slots__ = ("start_pos", "end_pos")

    def __init__(self, start_pos: int, end_pos: int) -> None:
        if start_pos >= 0:
            self.start_pos = start_pos
            self.end_pos = end_pos


class Tok:
    """The part of lark's `Token` that the builder reads."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value


class _Inline:
    """The children of an inlined `_rule`, spliced into the parent on reduction."""

    __slots__ = ("children",)

    def __init__(self, children: list[Any]) -> None:
        self.children = children


_SKIP = r"(?:\s+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*"
_COMMENT = re.compile(r"//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/")
# One pattern for every token, with the whitespace and comments before it; the group that
# matched names the token's kind. EXPR is matched separately, when the parser wants one.
_MASTER = re.compile(
    _SKIP
    + r"(?:(?P<NAME>[^\W\d]\w*)"
    + r"|(?P<ATTR>@[^\W\d]\w*)"
    + r"|(?P<QUOTED_NAME>`(?:[^`\n]|``)+`)"
    + r'|(?P<LONG_STRING>"""(?:[^"\\]|\\.|"(?!""))*""")'
    + r'|(?P<STRING>"(?:[^"\\\n]|\\.)*")'
    + r"|(?P<SQ_STRING>'(?:[^'\n]|'')*')"
    + r"|(?P<NUMBER>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    + r"|(?P<PUNCT>->|<=|>=|<>|!=|[<>=(){},:?])"
    + r"|(?P<END>\Z))"
)
_COMPARE = frozenset({"<", ">", "<=", ">=", "<>", "!="})


def _default(name: str, meta: Any, children: list[Any]) -> Tree:
    """What a lark Transformer does for a rule it has no method for."""
    return Tree(name, children)


class _Rule:
    """How to shape one rule's children, mirroring lark's ParseTreeBuilder."""

    __slots__ = ("size", "origin", "name", "include", "trailing", "inline", "expand1", "plain")

    def __init__(self, rule: Any) -> None:
        expansion = rule.expansion
        keep_all = rule.options.keep_all_tokens
        empty = rule.options.empty_indices
        if empty:
            flags = "".join(str(int(b)) for b in empty)
            nones = [len(ones) for ones in flags.split("0")]
        else:
            nones = [0] * (len(expansion) + 1)
        include = []
        pending = 0
        for i, sym in enumerate(expansion):
            pending += nones[i]
            if keep_all or not (sym.is_term and sym.filter_out):
                expand = not sym.is_term and sym.name.startswith("_")
                include.append((i, expand, pending, sym.is_term))
                pending = 0
        self.size = len(expansion)
        self.origin = rule.origin.name
        self.name = rule.alias or rule.options.template_source or self.origin
        self.include = tuple(include)
        self.trailing = pending + nones[len(expansion)]
        self.inline = self.origin.startswith("_")
        self.expand1 = bool(rule.options.expand1 and not rule.alias)
        # Every child kept as it is: no tokens, nothing inlined, no placeholders.
        self.plain = (not self.trailing and len(include) == self.size
                      and not any(e or n or t for _, e, n, t in include))


class FastParser:
    """Parses text with the tables of `lark_parser`, calling `handlers` on reductions."""

    def __init__(self, lark_parser: Lark) -> None:
        self.lark = lark_parser
        table = lark_parser.parser.parser.parser.parse_table  # frontend -> LALR_Parser -> _Parser
        numbers: dict[Any, int] = {}
        self.rules: list[_Rule] = []
        # Actions as ints: a shift (or goto) is the next state, a reduction is ~rule.
        self.table: dict[int, dict[str, int]] = {}
        for state, actions in table.states.items():
            row = {}
            for symbol, (kind, arg) in actions.items():
                if kind is Shift:
                    row[symbol] = arg
                else:
                    if arg not in numbers:
                        numbers[arg] = len(self.rules)
                        self.rules.append(_Rule(arg))
                    row[symbol] = ~numbers[arg]
            self.table[state] = row
        self.start_state = table.start_states["start"]
        self.end_state = table.end_states["start"]
        patterns = {t.name: t.pattern for t in lark_parser.terminals}
        self.expr = re.compile(patterns["EXPR"].to_regexp())
        self.keywords: dict[str, str] = {}  # "order" -> ORDER; "asc" -> ASC, without case
        self.folded: set[str] = set()
        self.punct: dict[str, str] = {op: "COMPARE" for op in _COMPARE}
        for name, p in patterns.items():
            if p.type == "str":
                if p.value[:1].isalpha():
                    self.keywords[p.value] = name
                    if p.flags:
                        self.folded.add(p.value)
                else:
                    self.punct[p.value] = name
        self._check_lexer_assumptions(table.states)

    def _check_lexer_assumptions(self, states: dict[int, dict[str, Any]]) -> None:
        """The lexer here decides between overlapping terminals by parser state; fail
        loudly if the grammar ever makes that choice ambiguous."""
        for state, actions in states.items():
            for a, b in (("EXPR", "LPAR"), ("INT", "SIGNED_NUMBER")):
                if a in actions and b in actions:
                    raise AssertionError(f"state {state} accepts both {a} and {b}: fix lalr.py")

    def _callbacks(self, handlers: Any) -> list[Any]:
        out = []
        for r in self.rules:
            cb = None if r.inline else getattr(handlers, r.name, None)
            if cb is None and not r.inline:
                cb = partial(_default, r.name)
            out.append(getattr(cb, "base_func", cb))  # skip lark's v_args wrapper
        return out

    def parse(self, text: str, handlers: Any, comments: list[tuple[str, int, int]] | None = None) -> Any:
        """Parse `text`, calling `handlers` on reductions; comments found are appended to
        `comments` as (text, start, end)."""
        table = self.table
        rules = self.rules
        keywords = self.keywords
        folded = self.folded
        punct = self.punct
        expr = self.expr.match
        master = _MASTER.match
        end_state = self.end_state
        callbacks = self._callbacks(handlers)
        stack = [self.start_state]
        values: list[tuple[Any, int, int]] = []  # (value, start, end); start is -1 when empty
        push = values.append
        spush = stack.append
        pos = 0
        while True:
            m = master(text, pos)
            if m is None:
                raise Fallback
            kind = m.lastgroup
            start = m.start(kind)
            if comments is not None and start > pos and "/" in text[pos:start]:
                comments.extend((c.group(), c.start(), c.end()) for c in _COMMENT.finditer(text, pos, start))
            value = m.group(kind)
            row = table[stack[-1]]
            if kind == "NAME":
                ttype = keywords.get(value)
                if ttype is None and value.lower() in folded:
                    ttype = keywords[value.lower()]
                if ttype is None or ttype not in row:
                    ttype = "NAME"
            elif kind == "PUNCT":
                if value == "(" and "EXPR" in row:
                    em = expr(text, start)
                    if em is None:
                        raise Fallback
                    ttype, value = "EXPR", em.group()
                else:
                    ttype = punct[value]
            elif kind == "NUMBER":
                if "INT" in row:
                    if not value.isdigit():
                        raise Fallback
                    ttype = "INT"
                else:
                    ttype = "SIGNED_NUMBER"
            elif kind == "END":
                ttype = "$END"
            else:
                ttype = kind  # type: ignore[assignment]
            end = start + len(value)
            while True:
                act = row.get(ttype)
                if act is None:
                    raise Fallback
                if act >= 0:
                    spush(act)
                    push(((ttype, value), start, end))
                    break
                index = ~act
                rule = rules[index]
                size = rule.size
                first = last = -1
                if size:
                    children = values[-size:]
                    del values[-size:], stack[-size:]
                    for c in children:
                        if c[1] >= 0:
                            first = c[1]
                            break
                    for c in reversed(children):
                        if c[1] >= 0:
                            last = c[2]
                            break
                else:
                    children = []
                if rule.plain:
                    filtered = [c[0] for c in children]
                else:
                    filtered = []
                    for i, expand, add_none, is_term in rule.include:
                        if add_none:
                            filtered.extend([None] * add_none)
                        child = children[i]
                        if expand:
                            filtered.extend(child[0].children)
                        elif is_term:
                            token = child[0]
                            filtered.append(Tok(token[0], token[1], child[1], child[2]))
                        else:
                            filtered.append(child[0])
                    if rule.trailing:
                        filtered.extend([None] * rule.trailing)
                if rule.inline:
                    result: Any = _Inline(filtered)
                elif rule.expand1 and len(filtered) == 1:
                    result = filtered[0]
                else:
                    result = callbacks[index](_Meta(first, last), filtered)
                goto = table[stack[-1]][rule.origin]
                spush(goto)
                push((result, first, last))
                if ttype == "$END" and goto == end_state:
                    return result
                row = table[goto]
            pos = end
