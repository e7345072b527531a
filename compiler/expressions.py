"""SQL expressions in specs: CHECK constraints, defaults, partial-index predicates,
index expressions and policies.

An expression is written once, in PostgreSQL's syntax (with backquotes accepted for names as
everywhere in the language), kept in the model as text, parsed here with sqlglot and
generated per dialect by the backends. Parsing is cached by text: a schema repeats the same
expressions many times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True, slots=True)
class ExprError:
    """Why an expression was rejected; `offset` is relative to the expression text."""

    message: str
    offset: int = 0
    length: int = 1


@lru_cache(maxsize=1)
def read_dialect() -> Any:
    """PostgreSQL's expression syntax, plus `backquoted` names."""
    from sqlglot.dialects.postgres import Postgres

    class SchemacDialect(Postgres):
        class Tokenizer(Postgres.Tokenizer):
            IDENTIFIERS = ['"', "`"]

    return SchemacDialect()


@lru_cache(maxsize=1)
def expression_dialect() -> Any:
    """`read_dialect` for a text that can only be an expression: a leading word such as
    LOCK or SHOW does not turn the rest of the text into a command, so a column named like
    a statement (`lock`, `update`, `set`: unreserved words in PostgreSQL) can start it."""
    base = type(read_dialect())

    class SchemacExpressionDialect(base):  # type: ignore[valid-type, misc]
        class Tokenizer(base.Tokenizer):  # type: ignore[name-defined]
            COMMANDS: set[Any] = set()

    return SchemacExpressionDialect()


@cache
def parse(text: str) -> exp.Expr | ExprError:
    """Parse an expression, or say why it is not one.

    Example:
        >>> parse("total >= 0").sql()
        'total >= 0'
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:  # as an expression first, so that no leading word is taken for a statement
        return _checked(text, sqlglot.parse_one(text, read=expression_dialect(), into=exp.Condition))
    except (ParseError, TokenError):
        pass
    try:  # not an expression: parse it as anything, to say what it is instead
        tree = sqlglot.parse_one(text, read=read_dialect())
    except ParseError as e:
        info = e.errors[0] if e.errors else {}
        offset = _offset(text, info.get("line", 1), info.get("col", 1))
        return ExprError(_clean(info.get("description") or str(e)), max(0, offset - 1))
    except TokenError as e:
        return ExprError(_clean(str(e)))
    if isinstance(tree, (exp.Query, exp.Command, exp.Block, exp.Create, exp.Drop, exp.Alter)) or tree is None:
        return ExprError("expected an expression, not a statement", 0, len(text))
    return _checked(text, tree)


def _checked(text: str, tree: exp.Expr) -> exp.Expr | ExprError:
    """The tree, or why an expression of that shape is not allowed in a spec."""
    from sqlglot import exp

    for node in tree.walk():
        problem = None
        if isinstance(node, (exp.Subquery, exp.Select, exp.Exists)):
            problem = "subqueries are not allowed here"
        elif isinstance(node, exp.AggFunc):
            problem = "aggregate functions are not allowed here"
        elif isinstance(node, exp.Placeholder):
            problem = "parameters are not allowed here"
        if problem is not None:
            return ExprError(problem, *_locate(text, node))  # type: ignore[arg-type]
    return tree  # type: ignore[return-value]


def columns(tree: exp.Expr) -> list[exp.Column]:
    """The column references in an expression, in order."""
    from sqlglot import exp

    return list(tree.find_all(exp.Column))


@cache
def column_names(text: str) -> tuple[tuple[str, bool], ...]:
    """(name, is qualified) of each column an expression that parses refers to, in order.

    A qualified name is shown as written (`a.b`)."""
    tree = parse(text)
    assert not isinstance(tree, ExprError)
    return tuple((c.sql() if c.table else c.name, bool(c.table)) for c in columns(tree))


def find_name(text: str, name: str) -> tuple[int, int]:
    """Where `name` appears in `text` as a whole word (for diagnostics); (0, len) if not."""
    for pattern in (rf"`{re.escape(name)}`", rf'"{re.escape(name)}"', rf"(?<![\w.]){re.escape(name)}(?!\w)"):
        m = re.search(pattern, text)
        if m:
            return m.start(), m.end() - m.start()
    return 0, len(text)


def _locate(text: str, node: exp.Expr) -> tuple[int, int]:
    """Roughly where a node sits in the text: its first keyword or function name."""
    from sqlglot import exp

    if isinstance(node, (exp.Subquery, exp.Select, exp.Exists)):
        word = "exists" if isinstance(node, exp.Exists) else "select"
    elif isinstance(node, exp.Func):
        word = node.sql_name().lower() if not isinstance(node, exp.Anonymous) else node.name.lower()
    else:
        word = node.sql().lower()
    i = text.lower().find(word)
    return (i, len(word)) if i >= 0 else (0, len(text))


def _offset(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: max(0, line - 1)]) + col


def _clean(message: str) -> str:
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)
    if message.startswith("Required keyword:"):
        return "the expression is incomplete"
    message = message.split(". Line ")[0]
    message = re.sub(r"<class 'sqlglot\.expressions\.(?:\w+\.)*(\w+)'>", r"\1", message)
    return message[:1].lower() + message[1:]
