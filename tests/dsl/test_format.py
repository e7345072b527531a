"""The canonical layout of `schemac fmt`, and that it keeps comments."""

from __future__ import annotations

import pytest

from schemac.api import format_text

from conftest import ROOT


def fmt(text: str) -> str:
    result = format_text(text)
    assert result.text is not None, result.diagnostics
    again = format_text(result.text)
    assert again.text == result.text, "formatting is not idempotent"
    return result.text


CASES = [
    (
        "fields are aligned and attributes ordered",
        "entity a{ x:int @index @pk\n  longer_name :  text? @pii(contact)   \"Doc\"}",
        'entity a {\n  x:           int @pk @index\n  longer_name: text? @pii(contact) "Doc"\n}\n',
    ),
    (
        "comments stay where they were",
        "// head\n\n/* block */\nentity a { // on the header\n  // before x\n  x: int @pk // after x\n\n  // before the index\n"
        "  index (x)\n  // dangling\n}\n// tail\n",
        "// head\n\n/* block */\nentity a { // on the header\n  // before x\n  x: int @pk // after x\n\n"
        "  // before the index\n  index (x)\n  // dangling\n}\n\n// tail\n",
    ),
    (
        "enums fit on one line unless documented",
        'enum s { a, b,\n c }\nenum t { a "first", b }\n',
        'enum s { a, b, c }\n\nenum t {\n  a "first",\n  b,\n}\n',
    ),
    (
        "names that need quoting are quoted",
        "entity `my table` { `a b`: int @pk\n order: text\n `名前`: text }\n",
        "entity `my table` {\n  `a b`: int @pk\n  order: text\n  名前:    text\n}\n",
    ),
    (
        "multi-line documentation becomes a triple-quoted string",
        'entity a "line one\\nline two" { id: int @pk }',
        'entity a """\n  line one\n  line two\n""" {\n  id: int @pk\n}\n',
    ),
    (
        "modules keep their entities",
        'module m "M" { entity a { id: int @pk } enum e { x } }\nentity b { id: int @pk }',
        'module m "M" {\n  entity a {\n    id: int @pk\n  }\n\n  enum e { x }\n}\n\nentity b {\n  id: int @pk\n}\n',
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layout(text: str, expected: str) -> None:
    assert fmt(text) == expected


@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.schema")), ids=lambda p: p.name)
def test_examples_are_formatted(path):
    assert format_text(path.read_text()).changed is False
