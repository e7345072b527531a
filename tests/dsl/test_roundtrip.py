"""Properties of the parser and the formatter on generated schemas."""

from __future__ import annotations

from hypothesis import given
from strategies import schemas

from schemac.api import load_text
from schemac.dsl.format import format_schema
from schemac.dsl.parser import parse_text


@given(schemas())
def test_format_then_parse_gives_the_same_schema(schema):
    text = format_schema(schema)
    parsed = parse_text(text)
    assert parsed.diagnostics == []
    assert parsed.schema == schema


@given(schemas())
def test_format_is_idempotent(schema):
    text = format_schema(schema)
    parsed = parse_text(text)
    comments = [(c.text, c.start, c.end) for c in parsed.comments]
    assert format_schema(parsed.schema, parsed.source_map, parsed.source, comments) == text


@given(schemas())
def test_generated_schemas_resolve_without_errors(schema):
    result = load_text(format_schema(schema))
    assert [d for d in result.diagnostics if d.is_error] == []


@given(schemas())
def test_fast_parser_and_lark_agree(schema):
    text = format_schema(schema)
    fast = parse_text(text, fast=True)
    slow = parse_text(text, fast=False)
    assert fast.schema == slow.schema
    spans = lambda r: {k: (v.start, v.end) for k, v in r.source_map.spans.items()}  # noqa: E731
    assert spans(fast) == spans(slow)
