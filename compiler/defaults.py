"""Checking a column default against its column: does the value fit the type?

Portable defaults are literals, `now()` / `current_timestamp`, `current_date`,
`current_time`, `uuid()` and, on enum columns, a value of the enum. Anything else is an SQL
expression that sqlglot translates; it must not refer to columns.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from schemac.ir import INTEGER_TYPES, Type

if TYPE_CHECKING:
    from sqlglot import exp

ISO_DURATION = re.compile(
    r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?")

INTEGER_RANGE = {
    "smallint": (-(2**15), 2**15 - 1),
    "int": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}

# Which portable functions a default may use, by column type.
FUNCTION_TYPES = {
    "CurrentTimestamp": {"timestamp", "timestamptz"},
    "CurrentDate": {"date", "timestamp", "timestamptz"},
    "CurrentTime": {"time"},
    "Uuid": {"uuid", "text", "varchar", "char"},
}
FUNCTION_HINT = {
    "date": "use current_date",
    "time": "use current_time",
    "timestamp": "use now()",
    "timestamptz": "use now()",
    "uuid": "use uuid()",
}


def literal_problem(tree: exp.Expr, ty: Type) -> str | None:
    """Why the literal default `tree` does not fit `ty`, or None when it fits (or is not a
    literal this function understands)."""
    from sqlglot import exp

    negative = False
    node = tree
    if isinstance(node, exp.Neg):
        negative, node = True, node.this
    if isinstance(node, exp.Null):
        return None
    name = ty.name
    if isinstance(node, exp.Boolean):
        return None if name == "bool" else f"{node.sql()} is a boolean, not a {ty}"
    if isinstance(node, exp.Literal) and not node.is_string:
        return _number_problem(("-" if negative else "") + node.this, ty)
    if isinstance(node, exp.Literal) and node.is_string:
        if negative:
            return "a string cannot be negated"
        return _string_problem(node.this, ty)
    return None


def _number_problem(text: str, ty: Type) -> str | None:
    name = ty.name
    if name == "bool":
        return f"{text} is a number; a bool default is true or false"
    if name in INTEGER_TYPES:
        if not re.fullmatch(r"-?\d+", text):
            return f"{text} is not a whole number"
        lo, hi = INTEGER_RANGE[name]
        if not lo <= int(text) <= hi:
            return f"{text} is out of range for {name} ({lo} to {hi})"
        return None
    if name == "decimal":
        return _decimal_problem(text, ty)
    if name in ("float", "double"):
        return None
    if name in ("text", "varchar", "char"):
        return f"{text} is a number; quote it to make it text: '{text}'"
    return f"{text} is a number, not a {ty}"


def _decimal_problem(text: str, ty: Type) -> str | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return f"{text} is not a number"
    precision = ty.params[0] if ty.params else 38
    scale = ty.params[1] if len(ty.params) > 1 else 0
    digits = value.as_tuple()
    exponent = digits.exponent if isinstance(digits.exponent, int) else 0
    if -exponent > scale and value != value.quantize(Decimal(1).scaleb(-scale)):
        return f"{text} has more than {scale} decimal places"
    whole = len(str(abs(int(value)))) if int(value) else 0
    if whole > precision - scale:
        return f"{text} does not fit {ty}"
    return None


def _string_problem(text: str, ty: Type) -> str | None:
    name = ty.name
    try:
        if name in ("varchar", "char"):
            if len(text) > ty.params[0]:
                return f"'{text}' is longer than {ty.params[0]} characters"
        elif name in INTEGER_TYPES or name in ("decimal", "float", "double", "bool"):
            return f"'{text}' is a string; write the value without quotes"
        elif name == "uuid":
            uuid.UUID(text)
        elif name == "date":
            date.fromisoformat(text)
        elif name == "time":
            time.fromisoformat(text)
        elif name in ("timestamp", "timestamptz"):
            datetime.fromisoformat(text)
        elif name == "json":
            json.loads(text)
        elif name == "interval" and not ISO_DURATION.fullmatch(text):
            return f"'{text}' is not an ISO 8601 duration such as 'P1D' or 'PT30M'"
    except ValueError:
        return f"'{text}' is not a valid {name}"
    return None


def function_problem(tree: exp.Expr, ty: Type) -> str | None:
    """Why a portable function default does not fit the column type, or None."""
    kind = type(tree).__name__
    allowed = FUNCTION_TYPES.get(kind)
    if allowed is None or ty.name in allowed:
        return None
    hint = FUNCTION_HINT.get(ty.name)
    call = {"CurrentTimestamp": "now()", "CurrentDate": "current_date",
            "CurrentTime": "current_time", "Uuid": "uuid()"}[kind]
    return f"{call} does not give a {ty}" + (f"; {hint}" if hint else "")
