"""PostgreSQL catalog text the inspector reads: the expressions `pg_get_expr` writes, in a form
PostgreSQL reads back as the expression it describes.

`pg_get_expr` is not a fixed point. An operator over an array coerces the array to the type
the operator takes, and the coercion of an `ARRAY[...]` constructor is shown as a cast of the
whole array: `s IN ('a', 'b')` on a varchar column is stored as
`((s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))`. Read
back, a cast of an `ARRAY[...]` to an array type is pushed into the elements
(`ARRAY[('a'::character varying)::text, ...]`): another expression. Without the cast, the
operator coerces the array again, and PostgreSQL stores the text it reported.

Example:
    >>> array_coercions_dropped("((s)::text = ANY ((ARRAY['a'::character varying])::text[]))")
    "((s)::text = ANY (ARRAY['a'::character varying]))"
"""

from __future__ import annotations

from schemac.ddl_text import Token, tokenize


def array_coercions_dropped(text: str) -> str:
    """`x op ANY ((ARRAY[...])::type[])` (and ALL) as `x op ANY (ARRAY[...])`: the coercion
    PostgreSQL adds itself, written so that it is added again (see the module's docstring)."""
    tokens = tokenize(text)
    out, last = [], 0
    for i, t in enumerate(tokens):
        if t.start < last or not t.is_word("ANY", "ALL"):
            continue
        array = _coerced_array(tokens, i + 1)
        if array is not None:
            start, end = tokens[array[0]].start, tokens[array[1]].end
            out.append(text[last:tokens[i + 1].end] + array_coercions_dropped(text[start:end]))
            last = tokens[array[2]].start
    return "".join(out) + text[last:]


def _coerced_array(tokens: list[Token], i: int) -> tuple[int, int, int] | None:
    """For `( (ARRAY[...])::type[] )` at tokens[i]: the indexes of `ARRAY`, of its closing
    bracket and of the last parenthesis; None for anything else."""
    if [t.text.upper() for t in tokens[i:i + 4]] != ["(", "(", "ARRAY", "["]:
        return None
    array_end, inner_end, outer_end = _closing(tokens, i + 3), _closing(tokens, i + 1), _closing(tokens, i)
    if array_end is None or inner_end != array_end + 1 or outer_end is None:
        return None
    cast, brackets = tokens[inner_end + 1:inner_end + 3], tokens[outer_end - 2:outer_end]
    if [t.text for t in cast] != [":", ":"] or [t.text for t in brackets] != ["[", "]"]:
        return None
    if any(t.text == ":" for t in tokens[inner_end + 3:outer_end]):  # one cast only
        return None
    return i + 2, array_end, outer_end


def _closing(tokens: list[Token], i: int) -> int | None:
    """The index of the bracket or parenthesis that closes the one at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind != "punct":
            continue
        if tokens[j].text in ("(", "["):
            depth += 1
        elif tokens[j].text in (")", "]"):
            depth -= 1
            if depth == 0:
                return j
    return None
