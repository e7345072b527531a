"""Properties of the parser and the formatter on generated schemas."""

from __future__ import annotations

import pytest
from hypothesis import given

from schemac.api import load_text
from schemac.dsl.format import format_schema
from schemac.dsl.parser import parse_text

from conftest import ROOT
from strategies import mutated_specs, schemas


@given(schemas())
def test_format_then_parse_gives_the_same_schema(schema):
    text = format_schema(schema)
    parsed = parse_text(text)
    assert parsed.diagnostics == []
    assert parsed.schema == schema


@given(schemas())
def test_format_is_idempotent(schema):
    text = format_schema(schema)
    parsed = parse_text(text, comments=True)
    comments = [(c.text, c.start, c.end) for c in parsed.comments]
    assert format_schema(parsed.schema, parsed.source_map, parsed.source, comments) == text


@given(schemas())
def test_generated_schemas_resolve_without_errors(schema):
    result = load_text(format_schema(schema))
    assert [d for d in result.diagnostics if d.is_error] == []


def assert_parsers_agree(text: str) -> None:
    """The fast parser either gives up or gives exactly what lark gives."""
    fast = parse_text(text, fast=True, comments=True)
    slow = parse_text(text, fast=False, comments=True)
    assert fast.schema == slow.schema
    spans = lambda r: {k: (v.start, v.end) for k, v in r.source_map.spans.items()}  # noqa: E731
    assert spans(fast) == spans(slow)
    located = lambda r: [(d.code, d.message, d.span.start if d.span else None) for d in r.diagnostics]  # noqa: E731
    assert located(fast) == located(slow)
    assert [(c.text, c.start) for c in fast.comments] == [(c.text, c.start) for c in slow.comments]


@given(schemas())
def test_fast_parser_and_lark_agree(schema):
    assert_parsers_agree(format_schema(schema))


COMMENTED = [
    "// head\nentity a { // trailing\n  id: int @pk /* inline */\n  x: int @check((x > 0) // not a comment\n)\n}\n",
    "entity a { id: int @pk @default('http://x//y') }\n// tail",
    "/* a\n block */ enum e { a, /* b */ b }\n",
]


@pytest.mark.parametrize("text", COMMENTED)
def test_comments_are_found_by_both_parsers(text):
    assert_parsers_agree(text)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.schema")), ids=lambda p: p.name)
def test_parsers_agree_on_the_examples(path):
    assert_parsers_agree(path.read_text())


SNIPPETS = [" ", "\n", ":", ",", "(", ")", "{", "}", "?", "=", "@pk", "@default(1)", "order", "by", "and",
            "index", "key", "desc", "ref", "many", "`q`", '"d"', "'s'", "1", "-2", "//c\n", "/*c*/", "->",
            "limit 3", "between ? and ?", "is not null", "using (x)", "primary key (a)"]


@given(mutated_specs(SNIPPETS, max_edits=3))
def test_parsers_agree_on_mutated_text(text):
    assert_parsers_agree(text)


