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
source map (tests/dsl/test_fast_parser.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


_IGNORED = re.compile(r"(?:\s+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)+")
_COMMENT = re.compile(r"//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/")
_PUNCT = re.compile(r"->|<=|>=|<>|!=|[<>=(){},:?]")
_DIGITS = re.compile(r"[0-9]+")


def _default(name: str, meta: Any, children: list[Any]) -> Tree:
    """What a lark Transformer does for a rule it has no method for."""
    return Tree(name, children)


class FastParser:
    """Parses text with the tables of `lark_parser`, calling `handlers` on reductions."""

    def __init__(self, lark_parser: Lark) -> None:
        self.lark = lark_parser
        lalr = lark_parser.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        table = lalr.parse_table
        self.states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        self.start_state = table.start_states["start"]
        self.end_state = table.end_states["start"]
        patterns = {t.name: t.pattern for t in lark_parser.terminals}
        self.regex = {name: re.compile(p.to_regexp()) for name, p in patterns.items()}
        # Literal terminals by text: keywords ("order") and punctuation ("->").
        self.literals: dict[str, str] = {}
        self.folded: dict[str, str] = {}  # case-insensitive keywords, e.g. "asc"i
        for name, p in patterns.items():
            if p.type == "str":
                if p.flags:
                    self.folded[p.value.lower()] = name
                else:
                    self.literals[p.value] = name
        self._check_lexer_assumptions()
        self._rules: dict[Any, tuple[Any, ...]] = {}

    def _check_lexer_assumptions(self) -> None:
        """The hand-written lexer decides between overlapping terminals by parser state;
        fail loudly if the grammar ever makes that choice ambiguous."""
        for state, actions in self.states.items():
            for pair in (("EXPR", "LPAR"), ("INT", "SIGNED_NUMBER"), ("STRING", "LONG_STRING")):
                if pair[0] in actions and pair[1] in actions and pair != ("STRING", "LONG_STRING"):
                    raise AssertionError(f"state {state} accepts both {pair}: fix lalr.py")

    def _rule_info(self, rule: Any, handlers: Any) -> tuple[Any, ...]:
        """How to shape the children of `rule`, mirroring lark's ParseTreeBuilder."""
        info = self._rules.get(rule)
        if info is not None and info[0] is handlers:
            return info
        expansion = rule.expansion
        keep_all = rule.options.keep_all_tokens
        empty = rule.options.empty_indices
        if empty:
            s = "".join(str(int(b)) for b in empty)
            nones = [len(ones) for ones in s.split("0")]
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
        trailing = pending + nones[len(expansion)]
        origin = rule.origin.name
        name = rule.alias or rule.options.template_source or origin
        inline = origin.startswith("_")
        expand1 = rule.options.expand1 and not rule.alias
        callback: Callable[..., Any] | None = None if inline else getattr(handlers, name, None)
        if callback is None and not inline:
            callback = partial(_default, name)
        callback = getattr(callback, "base_func", callback)  # skip lark's v_args wrapper
        info = (handlers, len(expansion), tuple(include), trailing, inline, expand1, callback, origin)
        self._rules[rule] = info
        return info

    def parse(self, text: str, handlers: Any, comments: list[tuple[str, int, int]] | None = None) -> Any:
        """Parse `text`, calling `handlers` on reductions; comments found are appended to
        `comments` as (text, start, end)."""
        states = self.states
        regex = self.regex
        literals = self.literals
        folded = self.folded
        name_re = regex["NAME"]
        state_stack = [self.start_state]
        values: list[Any] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        n = len(text)
        ignored = _IGNORED.match
        punct = _PUNCT.match
        while True:
            m = ignored(text, pos)
            if m:
                if comments is not None and "/" in m.group():
                    comments.extend((c.group(), c.start(), c.end())
                                    for c in _COMMENT.finditer(text, pos, m.end()))
                pos = m.end()
            actions = states[state_stack[-1]]
            if pos >= n:
                ttype, value, end = "$END", "", pos
            else:
                c = text[pos]
                if c.isalpha() or c == "_":
                    m = name_re.match(text, pos)
                    assert m is not None
                    value = m.group()
                    ttype = literals.get(value) or folded.get(value.lower()) or "NAME"
                    if ttype != "NAME" and ttype not in actions:
                        ttype = "NAME"
                elif c == "(" and "EXPR" in actions:
                    ttype = "EXPR"
                    m = regex["EXPR"].match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                elif c == "@":
                    ttype, m = "ATTR", regex["ATTR"].match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                elif c == '"':
                    ttype = "LONG_STRING" if text.startswith('"""', pos) else "STRING"
                    m = regex[ttype].match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                elif c == "`":
                    ttype, m = "QUOTED_NAME", regex["QUOTED_NAME"].match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                elif c == "'":
                    ttype, m = "SQ_STRING", regex["SQ_STRING"].match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                elif c.isdigit() or (c in "+-." and "SIGNED_NUMBER" in actions):
                    ttype = "INT" if "INT" in actions else "SIGNED_NUMBER"
                    m = (_DIGITS if ttype == "INT" else regex[ttype]).match(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                else:
                    m = punct(text, pos)
                    if m is None:
                        raise Fallback
                    value = m.group()
                    ttype = literals.get(value) or "COMPARE"
                    if ttype not in actions and value in ("<", ">", "<=", ">=", "<>", "!="):
                        ttype = "COMPARE"
                end = pos + len(value)
            while True:
                action = actions.get(ttype)
                if action is None:
                    raise Fallback
                kind, arg = action
                if kind is Shift:
                    state_stack.append(arg)
                    values.append((ttype, value))
                    starts.append(pos)
                    ends.append(end)
                    break
                # Reduce.
                info = self._rules.get(arg)
                if info is None or info[0] is not handlers:
                    info = self._rule_info(arg, handlers)
                _, size, include, trailing, inline, expand1, callback, origin = info
                start = stop = -1
                if size:
                    children = values[-size:]
                    cstarts = starts[-size:]
                    cends = ends[-size:]
                    del values[-size:], starts[-size:], ends[-size:], state_stack[-size:]
                    for s0 in cstarts:
                        if s0 >= 0:
                            start = s0
                            break
                    for e0 in reversed(cends):
                        if e0 >= 0:
                            stop = e0
                            break
                else:
                    children = cstarts = cends = []
                filtered: list[Any] = []
                for i, expand, add_none, is_term in include:
                    if add_none:
                        filtered.extend([None] * add_none)
                    child = children[i]
                    if expand:
                        filtered.extend(child.children)
                    elif is_term:
                        filtered.append(Tok(child[0], child[1], cstarts[i], cends[i]))
                    else:
                        filtered.append(child)
                if trailing:
                    filtered.extend([None] * trailing)
                if inline:
                    result: Any = _Inline(filtered)
                elif expand1 and len(filtered) == 1:
                    result = filtered[0]
                else:
                    result = callback(_Meta(start, stop), filtered)  # type: ignore[misc]
                state_stack.append(states[state_stack[-1]][origin][1])
                values.append(result)
                starts.append(start)
                ends.append(stop)
                if ttype == "$END" and state_stack[-1] == self.end_state:
                    return result
                actions = states[state_stack[-1]]
            pos = end
