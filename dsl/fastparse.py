"""A recursive-descent recognizer of the language, for speed.

`schema.lark` defines the language and lark parses it when anything goes wrong, so that
syntax errors are lark's (with the recovery in `parser.py`). lark's runtime, however, costs
about 12 µs a token in CPython -- two seconds for a 2,000-entity spec -- and even a tight
driver over its LALR tables spends most of its time on generic shift/reduce bookkeeping.

This module follows the grammar rule by rule and calls the same `Builder` methods, with the
same children and spans, that lark's tree would lead to. It accepts valid input only: at the
first thing it does not expect, or anything ambiguous (a keyword where a name could also be),
it raises `Fallback` and the caller parses with lark instead. Property tests check that the
two agree on generated specs, the examples, the documentation and mutated text
(tests/dsl/test_roundtrip.py, tests/dsl/test_errors.py): when this parser succeeds, lark
succeeds with the same model and source map.
"""

from __future__ import annotations

import re
from typing import Any

# The EXPR terminal of schema.lark: parentheses balanced to eight levels, with strings and
# quoted names inside taken whole.
_ATOM = r"""(?:`(?:[^`\n]|``)+`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^()'"`])"""
_PARENS = r"\((?:" + _ATOM + r")*\)"
for _ in range(7):
    _PARENS = r"\((?:" + _ATOM + "|" + _PARENS + r")*\)"
_EXPR = re.compile(_PARENS)

_SKIP = r"(?:\s+|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*"
_COMMENT = re.compile(r"//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/")
# One pattern for every token, with the whitespace and comments before it; the group that
# matched names the token's kind. Punctuation has a group each; OTHER is any character the
# grammar has no token for, which is fine inside an expression and an error elsewhere. An
# attribute written with its arguments, `@check(x > 0)`, is one ATTR_ARGS token.
_TOKEN = re.compile(
    _SKIP
    + r"(?:(?P<NAME>[^\W\d]\w*)"
    + r"|(?P<ATTR_ARGS>@[^\W\d]\w*" + _PARENS + ")"
    + r"|(?P<ATTR>@[^\W\d]\w*)"
    + r"|(?P<QUOTED_NAME>`(?:[^`\n]|``)+`)"
    + r'|(?P<LONG_STRING>"""(?:[^"\\]|\\.|"(?!""))*""")'
    + r'|(?P<STRING>"(?:[^"\\\n]|\\.)*")'
    + r"|(?P<SQ_STRING>'(?:[^'\n]|'')*')"
    + r"|(?P<NUMBER>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    + r"|(?P<ARROW>->)|(?P<COMPARE><=|>=|<>|!=|<|>)|(?P<EQUAL>=)|(?P<LPAR>\()|(?P<RPAR>\))"
    + r"|(?P<LBRACE>\{)|(?P<RBRACE>\})|(?P<COMMA>,)|(?P<COLON>:)|(?P<QMARK>\?)"
    + r"|(?P<OTHER>\S))",
    re.S,
)
# The grammar's keywords; where a name is expected, a keyword is one too, but a keyword in a
# place where it could also be the keyword makes this parser give up (see `Fallback`).
KEYWORDS = frozenset({
    "import", "module", "enum", "entity", "ref", "many", "primary", "key", "unique", "index", "check",
    "foreign", "references", "access", "policy", "fd", "using", "and", "between", "in", "is", "not",
    "null", "order", "by", "limit",
})
_SORT = {"asc": "ASC", "desc": "DESC"}
_WORD = frozenset({"NAME", "QUOTED_NAME"})
_HEADER = frozenset({"ATTR", "ATTR_ARGS", "STRING", "LONG_STRING"})
Token = tuple[str, str, int, int]  # kind, text, start, end


# The kind of each group of _TOKEN by number: the groups are the alternatives, and none holds
# another, so the one that matched is a match's `lastindex` (cheaper to ask than `lastgroup`).
_KINDS = [""] * (_TOKEN.groups + 1)
for _kind, _number in _TOKEN.groupindex.items():
    _KINDS[_number] = _kind
assert _TOKEN.groups == len(_TOKEN.groupindex)


def tokenize(text: str, start: int = 0) -> list[tuple[str, str, int, int]]:
    """Every token from `start` on, ending with an END token."""
    kinds = _KINDS
    out: list[Token] = [(kinds[m.lastindex], m[m.lastindex], m.start(m.lastindex), m.end())  # type: ignore[index,arg-type]
                        for m in _TOKEN.finditer(text, start)]
    end = len(text)
    out.append(("END", "", end, end))
    return out


class Fallback(Exception):
    """This parser cannot decide; parse with lark, which reports what is wrong."""




class FastParser:
    """Parses one text, calling a `Builder`'s methods as lark's tree would lead to."""

    def __init__(self, text: str, builder: Any) -> None:
        self.text = text
        self.b = builder
        self.toks = tokenize(text)
        self.i = 0
        self.last_end = 0  # end of the last token taken
        self.exprs: list[tuple[int, int]] = []  # the spans of the expressions taken

    # -- tokens -------------------------------------------------------------------------------

    def peek(self, k: int = 0) -> Token:
        return self.toks[self.i + k]  # past END, IndexError: `parse` falls back

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        self.last_end = tok[3]
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.toks[self.i]
        if tok[0] != kind:
            raise Fallback
        self.i += 1
        self.last_end = tok[3]
        return tok

    def keyword(self, word: str) -> Token:
        tok = self.take()
        if tok[0] != "NAME" or tok[1] != word:
            raise Fallback
        return tok

    def is_word(self, k: int, word: str) -> bool:
        tok = self.peek(k)
        return tok[0] == "NAME" and tok[1] == word

    def expr(self) -> Token:
        """An EXPR at the next token, which must be '('. The tokens lexed inside it mean
        nothing; lexing resumes after it."""
        tok = self.toks[self.i]
        if tok[0] != "LPAR":
            raise Fallback
        m = _EXPR.match(self.text, tok[2])
        if m is None:
            raise Fallback
        end = m.end()
        i = self.i
        toks = self.toks
        while toks[i][2] < end:
            i += 1
        if toks[i - 1][3] > end:  # a token ran across the end of the expression: lex anew
            self.toks = toks[:i - 1] + tokenize(self.text, end)
            i -= 1
        self.i = i
        self.last_end = end
        self.exprs.append((tok[2], end))
        return ("EXPR", m.group(), tok[2], end)

    # -- small rules -----------------------------------------------------------------------------

    def name(self, keywords_ok: bool = True) -> Any:
        tok = self.take()
        kind = tok[0]
        if kind not in _WORD or (not keywords_ok and kind == "NAME" and _is_keyword(tok[1])):
            raise Fallback
        return self.b.name((tok[2], tok[3]), [tok])

    def names(self) -> list[Any]:
        out = [self.name()]
        while self.toks[self.i][0] == "COMMA":
            self.take()
            out.append(self.name())
        return self.b.name_list((-1, -1), out)  # type: ignore[no-any-return]

    def paren_names(self) -> Any:
        """( name, ... )"""
        self.expect("LPAR")
        names = self.names()
        self.expect("RPAR")
        return names

    def header(self) -> list[Any]:
        """(doc | attr)*"""
        out = []
        toks = self.toks
        while True:
            tok = toks[self.i]
            kind = tok[0]
            if kind == "ATTR_ARGS":
                self.i += 1
                self.last_end = tok[3]
                out.append(self._attr_args(tok))
            elif kind == "ATTR":
                out.append(self.attr())
            elif kind == "STRING" or kind == "LONG_STRING":
                self.i += 1
                self.last_end = tok[3]
                out.append(self.b.doc((tok[2], tok[3]), [tok]))
            else:
                return out

    def attr(self) -> Any:
        head = self.take()
        children: list[Any] = [head]
        if self.toks[self.i][0] == "LPAR":
            children.append(self.expr())
        return self.b.attr((head[2], self.last_end), children)

    def _attr_args(self, tok: Token) -> Any:
        """An ATTR_ARGS token as lark's ATTR and EXPR tokens."""
        text, start, end = tok[1], tok[2], tok[3]
        cut = text.index("(")
        self.exprs.append((start + cut, end))
        return self.b.attr((start, end), [("ATTR", text[:cut], start, start + cut),
                                          ("EXPR", text[cut:], start + cut, end)])

    def sort(self) -> Any:
        tok = self.peek()
        if tok[0] == "NAME" and tok[1].lower() in _SORT:
            self.take()
            tok = (_SORT[tok[1].lower()], tok[1], tok[2], tok[3])
            return self.b.sort((tok[2], tok[3]), [tok])
        return None

    # -- declarations --------------------------------------------------------------------------

    def parse(self) -> Any:
        items = []
        while True:
            tok = self.peek()
            if tok[0] == "END":
                break
            if tok[0] != "NAME":
                raise Fallback
            word = tok[1]
            if word == "entity":
                items.append(self.entity())
            elif word == "enum":
                items.append(self.enum())
            elif word == "module":
                items.append(self.module())
            elif word == "import":
                start = self.take()[2]
                path = self.expect("STRING")
                items.append(self.b.import_decl((start, path[3]), [path]))
            elif word == "sql":
                items.append(self.sql())
            else:
                raise Fallback
        return self.b.start((-1, -1) if not items else (0, 0), items)

    def sql(self) -> Any:
        start = self.take()[2]
        name = self.name()
        if not self.is_word(0, "for"):
            raise Fallback
        self.take()
        dialects = self.names()
        attrs = []
        while self.peek()[0] in ("ATTR", "ATTR_ARGS"):
            tok = self.take()
            attrs.append(self._attr_args(tok) if tok[0] == "ATTR_ARGS" else self.b.attr((tok[2], tok[3]), [tok]))
        body = self.peek()
        if body[0] not in ("STRING", "LONG_STRING"):
            raise Fallback
        self.take()
        return self.b.sql_decl((start, body[3]), [name, dialects, *attrs, body])

    def module(self) -> Any:
        start = self.keyword("module")[2]
        children = [self.name(), *self.header()]
        self.expect("LBRACE")
        while self.toks[self.i][0] != "RBRACE":
            if self.is_word(0, "entity"):
                children.append(self.entity())
            elif self.is_word(0, "enum"):
                children.append(self.enum())
            else:
                raise Fallback
        self.take()
        return self.b.module_decl((start, self.last_end), children)

    def enum(self) -> Any:
        start = self.keyword("enum")[2]
        children = [self.name(), *self.header()]
        self.expect("LBRACE")
        if self.toks[self.i][0] == "RBRACE":
            children.append(None)
        else:
            while True:
                first = self.peek()
                value = [self.name(), *self.header()]
                children.append(self.b.enum_value((first[2], self.last_end), value))
                if self.toks[self.i][0] != "COMMA":
                    break
                self.take()
                if self.toks[self.i][0] == "RBRACE":
                    break
        self.expect("RBRACE")
        return self.b.enum_decl((start, self.last_end), children)

    def entity(self) -> Any:
        start = self.keyword("entity")[2]
        children = [self.name(), *self.header()]
        self.expect("LBRACE")
        while True:
            tok = self.peek()
            if tok[0] == "RBRACE":
                break
            children.append(self.member())
        self.take()
        return self.b.entity_decl((start, self.last_end), children)

    def member(self) -> Any:
        toks, i = self.toks, self.i
        tok = toks[i]
        kind, word = tok[0], tok[1]
        follow = toks[i + 1][0]
        if follow == "COLON" or kind == "QUOTED_NAME":
            return self.field()
        if kind != "NAME":
            raise Fallback
        if word == "primary" and self.is_word(1, "key"):
            return self.keyed("primary_key", 2)
        if word == "unique" and follow == "LPAR":
            return self.keyed("unique", 1)
        if word == "index" and follow == "LPAR":
            return self.index()
        if word == "check" and follow == "LPAR":
            start = self.take()[2]
            children = [self.expr(), *self.header()]
            return self.b.check((start, self.last_end), children)
        if word == "foreign" and self.is_word(1, "key"):
            return self.foreign_key()
        if word == "access" and follow in _WORD:
            return self.access()
        if word == "policy" and follow in _WORD:
            return self.policy()
        if word == "fd" and follow == "LPAR":
            return self.fd()
        raise Fallback

    def keyed(self, rule: str, words: int) -> Any:
        """primary key (...) | unique (...)"""
        start = self.take()[2]
        if words == 2:
            self.take()
        children = [self.paren_names()]
        children.extend(self.header())
        return getattr(self.b, rule)((start, self.last_end), children)

    def field(self) -> Any:
        toks = self.toks
        first = toks[self.i]
        if first[0] not in _WORD or toks[self.i + 1][0] != "COLON":
            raise Fallback
        self.i += 2
        children: list[Any] = [self.b.name((first[2], first[3]), [first]), self.field_type()]
        if toks[self.i][0] in _HEADER:
            children.extend(self.header())
        if self.toks[self.i][0] == "LBRACE":
            brace = self.take()[2]
            fields = []
            while self.toks[self.i][0] != "RBRACE":
                fields.append(self.field())
            self.take()
            children.append(self.b.link_fields((brace, self.last_end), fields))
        return self.b.field((first[2], self.last_end), children)

    def field_type(self) -> Any:
        toks, i = self.toks, self.i
        tok = toks[i]
        start = tok[2]
        if tok[0] == "NAME" and tok[1] in ("ref", "many") and toks[i + 1][0] in _WORD:
            self.take()
            target = self.name()
            if tok[1] == "many":
                return self.b.many((start, self.last_end), [target])
            children = [target]
            if self.toks[self.i][0] == "LPAR":
                paren = self.take()[2]
                names = self.names()
                self.expect("RPAR")
                children.append(self.b.ref_target((paren, self.last_end), [names]))
            if self.toks[self.i][0] == "QMARK":
                self.take()
                return self.b.nullable_ref((start, self.last_end), children)
            return self.b.ref((start, self.last_end), children)
        if tok[0] == "NAME" and tok[1] not in KEYWORDS and tok[1].lower() not in _SORT:
            self.i = i = i + 1
            self.last_end = tok[3]
            children = [self.b.name((start, tok[3]), [tok])]
        else:
            children = [self.name(keywords_ok=False)]
            i = self.i
        if toks[i][0] == "LPAR":
            paren = self.take()[2]
            numbers = [self.integer()]
            while self.toks[self.i][0] == "COMMA":
                self.take()
                numbers.append(self.integer())
            self.expect("RPAR")
            children.append(self.b.type_args((paren, self.last_end), numbers))
        spec = self.b.type_ref((start, self.last_end), children)
        if self.toks[self.i][0] == "QMARK":
            self.take()
            return self.b.nullable((start, self.last_end), [spec])
        return spec

    def integer(self) -> Token:
        tok = self.expect("NUMBER")
        if not tok[1].isdigit():
            raise Fallback
        return ("INT", tok[1], tok[2], tok[3])

    def index(self) -> Any:
        start = self.take()[2]
        self.expect("LPAR")
        children = []
        while True:
            first = self.peek()
            if first[0] == "LPAR":
                item = [self.expr()]
                rule = self.b.expr_item
            else:
                item = [self.name(keywords_ok=False)]
                rule = self.b.index_item
            sort = self.sort()
            if sort is not None:
                item.append(sort)
            children.append(rule((first[2], self.last_end), item))
            if self.toks[self.i][0] != "COMMA":
                break
            self.take()
        self.expect("RPAR")
        children.extend(self.header())
        return self.b.index((start, self.last_end), children)

    def foreign_key(self) -> Any:
        start = self.take()[2]
        self.take()
        children = [self.paren_names()]
        self.keyword("references")
        children.append(self.name())
        children.append(self.paren_names())
        children.extend(self.header())
        return self.b.foreign_key((start, self.last_end), children)

    def fd(self) -> Any:
        start = self.take()[2]
        children = [self.paren_names()]
        self.expect("ARROW")
        children.append(self.paren_names())
        children.extend(self.header())
        return self.b.fd((start, self.last_end), children)

    def policy(self) -> Any:
        start = self.take()[2]
        children: list[Any] = [self.name(keywords_ok=False), None]
        if self.is_word(0, "using") and self.peek(1)[0] == "LPAR":
            self.take()
            children[1] = self.expr()
        children.extend(self.header())
        return self.b.policy((start, self.last_end), children)

    # -- access patterns -----------------------------------------------------------------------------

    def access(self) -> Any:
        start = self.take()[2]
        children: list[Any] = [self.name(keywords_ok=False)]
        self.expect("COLON")
        tok = self.peek()
        predicates = order = limit = None
        if tok[0] in _WORD and not (tok[0] == "NAME" and _is_keyword(tok[1])) and self._is_predicate():
            preds = [self.predicate()]
            while self.is_word(0, "and"):
                self.take()
                preds.append(self.predicate())
            predicates = self.b.predicates((-1, -1), preds)
        if self.is_word(0, "order") and self.is_word(1, "by"):
            self.take()
            self.take()
            items = [self.order_item()]
            while self.toks[self.i][0] == "COMMA":
                self.take()
                items.append(self.order_item())
            order = self.b.order_by((-1, -1), items)
        if self.is_word(0, "limit") and self.peek(1)[0] == "NUMBER":
            word = self.take()
            number = self.integer()
            limit = self.b.limit((word[2], number[3]), [number])
        children += [predicates, order, limit, *self.header()]
        return self.b.access((start, self.last_end), children)

    def _is_predicate(self) -> bool:
        follow = self.peek(1)
        return follow[0] in ("EQUAL", "COMPARE") or (
            follow[0] == "NAME" and follow[1] in ("between", "in", "is"))

    def predicate(self) -> Any:
        first = self.peek()
        column = self.name(keywords_ok=False)
        op = self.take()
        kind = op[0]
        if kind == "EQUAL":
            value = self.value()
            return self.b.eq((first[2], self.last_end), [column, value])
        if kind == "COMPARE":
            value = self.value()
            return self.b.range((first[2], self.last_end), [column, op, value])
        if kind != "NAME":
            raise Fallback
        if op[1] == "between":
            low = self.value()
            self.keyword("and")
            high = self.value()
            return self.b.between((first[2], self.last_end), [column, low, high])
        if op[1] == "in":
            value = self.value()
            return self.b.in_((first[2], self.last_end), [column, value])
        if op[1] == "is":
            if self.is_word(0, "not"):
                self.take()
                self.keyword("null")
                return self.b.is_not_null((first[2], self.last_end), [column])
            self.keyword("null")
            return self.b.is_null((first[2], self.last_end), [column])
        raise Fallback

    def value(self) -> Any:
        tok = self.peek()
        kind = tok[0]
        if kind == "QMARK":
            self.take()
            return self.b.param((tok[2], tok[3]), [])
        if kind == "SQ_STRING":
            self.take()
            return self.b.string((tok[2], tok[3]), [tok])
        if kind == "NUMBER":
            self.take()
            return self.b.number((tok[2], tok[3]), [("SIGNED_NUMBER", tok[1], tok[2], tok[3])])
        if kind in _WORD:
            name = self.name(keywords_ok=False)
            return self.b.symbol((tok[2], self.last_end), [name])
        raise Fallback

    def order_item(self) -> Any:
        first = self.peek()
        children = [self.name(keywords_ok=False)]
        sort = self.sort()
        if sort is not None:
            children.append(sort)
        return self.b.order_item((first[2], self.last_end), children)


def _is_keyword(word: str) -> bool:
    return word in KEYWORDS or word.lower() in _SORT


def parse(text: str, builder: Any, comments: list[tuple[str, int, int]] | None = None) -> Any:
    """Parse `text` with `builder`, or raise `Fallback`; append the comments found to
    `comments` as (text, start, end) when it is given."""
    parser = FastParser(text, builder)
    try:
        result = parser.parse()
    except IndexError:  # ran past the end of the tokens
        raise Fallback from None
    if comments is not None:
        comments.extend(_comments(text, parser.toks, parser.exprs))
    return result


def _comments(text: str, toks: list[Token], exprs: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The comments between tokens, outside the expressions (where `//` is not one)."""
    out: list[tuple[str, int, int]] = []
    previous = 0
    for tok in toks:
        if tok[2] > previous and text.find("/", previous, tok[2]) >= 0:
            out.extend((c.group(), c.start(), c.end()) for c in _COMMENT.finditer(text, previous, tok[2]))
        previous = max(previous, tok[3])
    inside = [c for c in out if any(a <= c[1] < b for a, b in exprs)]
    return [c for c in out if c not in inside]
