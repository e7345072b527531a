"""Bad input gives a diagnostic with a stable code and position, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemac.api import load_text
from schemac.diagnostics import CODES, render

from strategies import mutated_specs

# (mistake, spec, code of the first error, line, column)
MISTAKES = [
    ('missing colon', 'entity a {\n  id int @pk\n}\n', 'S001', 2, 6),
    ('missing type', 'entity a {\n  id: @pk\n}\n', 'S001', 2, 7),
    ('unclosed entity', 'entity a {\n  id: int @pk\n', 'S004', 1, 10),
    ('unterminated string', 'entity a "People {\n  id: int @pk\n}\n', 'S003', 1, 10),
    ('unterminated backquote', 'entity a {\n  `id: int @pk\n}\n', 'S003', 2, 3),
    ('stray character', 'entity a {\n  id: int @pk $\n}\n', 'S002', 2, 15),
    ('unbalanced parens', 'entity a {\n  id: int @pk @check((id > 0)\n}\n', 'S005', 2, 21),
    ('index call without parens', 'entity a {\n  id: int @pk\n  index (lower(id))\n}\n', 'S009', 3, 15),
    ('enum without commas', 'enum e { a b }\n', 'S001', 1, 12),
    ('type arg not a number', 'entity a {\n  id: varchar(n) @pk\n}\n', 'S001', 2, 15),
    ('table keyword', 'table a {\n  id: int @pk\n}\n', 'S001', 1, 1),
    ('expression does not parse', 'entity a {\n  id: int @pk @check(id >)\n}\n', 'S006', 2, 25),
    ('malformed attribute args', 'entity a {\n  id: int @pk\n  b: ref a @columns(x,)\n}\n', 'S007', 3, 23),
    ('unknown entity', 'entity a {\n  id: int @pk\n  owner: ref cutsomer\n}\nentity customer { id: int @pk }\n', 'R101', 3, 10),
    ('unknown type', 'entity a {\n  id: int @pk\n  name: strng\n}\n', 'R102', 3, 9),
    ('unknown column in check', 'entity a {\n  id: int @pk\n  total: int @check(totl > 0)\n}\n', 'R103', 3, 21),
    ('unknown column in unique', 'entity a {\n  id: int @pk\n  unique (emial)\n  email: text\n}\n', 'R103', 3, 11),
    ('duplicate entity', 'entity a { id: int @pk }\nentity a { id: int @pk }\n', 'R104', 2, 8),
    ('duplicate field', 'entity a {\n  id: int @pk\n  id: bigint\n}\n', 'R105', 3, 3),
    ('fields differing in case', 'entity a {\n  id: int @pk\n  Email: text\n  email: text\n}\n', 'R105', 4, 3),
    ('duplicate enum value', 'enum e { a, b, a }\n', 'R106', 1, 16),
    ('missing primary key', 'entity a {\n  name: text\n}\n', 'R107', 1, 8),
    ('fk type mismatch', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  a_id: text\n  foreign key (a_id) references a (id)\n}\n', 'R108', 5, 16),
    ('enum default not in enum', 'enum s { open, closed }\nentity a {\n  id: int @pk\n  s: s @default(opne)\n}\n', 'R109', 4, 17),
    ('default does not fit', "entity a {\n  id: int @pk\n  n: int @default('ten')\n}\n", 'R110', 3, 19),
    ('default now on date', 'entity a {\n  id: int @pk\n  d: date @default(now())\n}\n', 'R110', 3, 20),
    ('unknown attribute', 'entity a {\n  id: int @pk @defualt(1)\n}\n', 'R111', 2, 15),
    ('attribute not allowed', 'entity a {\n  id: int @pk @on_delete(cascade)\n}\n', 'R112', 2, 15),
    ('ref target not a key', 'entity a { id: int @pk\n  name: text }\nentity b {\n  id: int @pk\n  a: ref a(name)\n}\n', 'R113', 5, 6),
    ('identity on text', 'entity a {\n  id: text @pk @identity\n}\n', 'R114', 2, 16),
    ('two identities', 'entity a {\n  id: int @pk @identity\n  n: bigint @identity\n}\n', 'R115', 3, 13),
    ('pk declared twice', 'entity a {\n  id: int @pk\n  primary key (id)\n}\n', 'R116', 3, 3),
    ('set null on required ref', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  a: ref a @on_delete(set_null)\n}\n', 'R117', 4, 12),
    ('duplicate index name', 'entity a {\n  id: int @pk\n  x: int\n  unique (x) @name(dup)\n  index (x) @name(dup)\n}\n', 'R118', 5, 13),
    ('duplicate constraint name', 'entity a {\n  id: int @pk\n  x: int\n  check (x > 0) @name(dup)\n  check (x < 9) @name(dup)\n}\n', 'R118', 5, 17),
    ('varchar without length', 'entity a {\n  id: int @pk\n  name: varchar\n}\n', 'R119', 3, 9),
    ('decimal scale above precision', 'entity a {\n  id: int @pk\n  n: decimal(2, 5)\n}\n', 'R119', 3, 6),
    ('enum named like a table', 'enum a { x }\nentity a { id: int @pk }\n', 'R122', 1, 6),
    ('public and pii', 'entity a {\n  id: int @pk\n  email: text @public @pii\n}\n', 'R123', 3, 3),
    ('unknown dialect', 'entity a {\n  id: int @pk\n  e: text @type(postgres: citext)\n}\n', 'R125', 3, 11),
    ('column count mismatch', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  a: ref a @columns(x, y)\n}\n', 'R126', 4, 12),
    ('bad action', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  a: ref a @on_delete(cascde)\n}\n', 'R138', 4, 12),
    ('unknown enum value in access', 'enum s { open }\nentity a {\n  id: int @pk\n  s: s\n  access o: s = opn\n}\n', 'R128', 5, 13),
    ('unknown index method', 'entity a {\n  id: int @pk\n  index (id) @using(gim)\n}\n', 'R138', 3, 14),
    ('unknown policy command', 'entity a {\n  id: int @pk\n  policy p using (id > 0) @for(slect)\n}\n', 'R138', 3, 27),
    ('insert policy with using', 'entity a {\n  id: int @pk\n  policy p using (id > 0) @for(insert)\n}\n', 'R130', 3, 19),
    ('default refers to column', 'entity a {\n  id: int @pk\n  b: int @default(id)\n}\n', 'R131', 3, 19),
    ('nullable pk', 'entity a {\n  id: int? @pk\n}\n', 'R132', 2, 7),
    ('identity with default', 'entity a {\n  id: int @pk @identity @default(1)\n}\n', 'R133', 2, 34),
    ('empty enum', 'enum e { }\n', 'R134', 1, 6),
    ('range on composite ref', 'entity a { x: int\n y: int\n primary key (x, y) }\nentity b {\n  id: int @pk\n  a: ref a\n  access r: a > ?\n}\n', 'R136', 7, 13),
    ('column twice in key', 'entity a {\n  id: int @pk\n  x: int\n  unique (x, x)\n}\n', 'R137', 4, 3),
    ('subquery in check', 'entity a {\n  id: int @pk\n  x: int @check(x in (select 1))\n}\n', 'S006', 3, 23),
    ('import not found', 'import "nope.schema"\nentity a { id: int @pk }\n', 'R120', 1, 8),
    ('blank name', 'entity ` ` {\n  id: int @pk\n}\n', 'R124', 1, 8),
    ('ref to enum', 'enum e { x }\nentity a {\n  id: int @pk\n  v: ref e\n}\n', 'R101', 4, 6),
    ('type is entity', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  a: a\n}\n', 'R102', 4, 6),
    ('duplicate attribute', 'entity a {\n  id: int @pk @pk\n}\n', 'R127', 2, 15),
    ('many nullable', 'entity a { id: int @pk }\nentity b {\n  id: int @pk\n  t: many a?\n}\n', 'S001', 4, 12),
]


@pytest.mark.parametrize(("name", "source", "code", "line", "column"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_is_reported_with_code_and_position(name, source, code, line, column):
    result = load_text(source, "t.schema")
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors, "no error reported"
    first = errors[0]
    assert (first.code, first.span.line, first.span.column) == (code, line, column), render(errors)
    assert first.code in CODES
    text = render(errors)
    assert f"error[{code}]" in text and f"t.schema:{line}:{column}" in text and "^" in text


def test_the_table_covers_many_distinct_codes():
    assert len({m[2] for m in MISTAKES}) >= 30


def test_all_problems_of_a_file_are_reported_at_once():
    source = "entity a {\n  id int @pk\n  email text\n}\nenum e { x y }\n"
    errors = [d for d in load_text(source).diagnostics if d.is_error]
    assert [(d.code, d.span.line) for d in errors] == [("S001", 2), ("S001", 3), ("S001", 5)]
    source = "entity a {\n  id: int @pk @defualt(1)\n  b: strng\n  c: ref nowhere\n}\n"
    errors = [d for d in load_text(source).diagnostics if d.is_error]
    assert [d.code for d in errors] == ["R111", "R102", "R101"]


def test_unknown_names_get_a_suggestion():
    source = "entity customer { id: int @pk }\nentity o {\n  id: int @pk\n  buyer: ref custmer\n}\n"
    (d,) = [d for d in load_text(source).diagnostics if d.is_error]
    assert d.help == "did you mean 'customer'?"


def test_rendering_follows_the_rustc_layout():
    source = "entity customer { id: int @pk }\nentity o {\n  id: int @pk\n  buyer: ref Custmer\n}\n"
    text = render(load_text(source, "shop.schema").diagnostics)
    assert text == (
        "error[R101]: unknown entity 'Custmer'\n"
        " --> shop.schema:4:10\n"
        "  |\n"
        "4 |   buyer: ref Custmer\n"
        "  |          ^^^^^^^^^^^\n"
        "  = help: did you mean 'customer'?\n"
        "\n"
        "found 1 error\n"
    )


# -- fuzzing: any text gives a model or diagnostics, never an exception ------------------------

TOKENS = ["entity", "enum", "module", "import", "ref", "many", "primary", "key", "unique", "index", "check",
          "foreign", "references", "access", "policy", "using", "fd", "order", "by", "limit", "and", "between",
          "in", "is", "not", "null", "asc", "desc", "{", "}", "(", ")", ":", ",", "?", "=", "<", "->", "@pk",
          "@default(", "@check(x > 0)", "@identity", "@unique", "@index", "@pii(contact)", "@type(mysql: int)",
          "@on_delete(cascade)", "@columns(a, b)", "@name(x)", "@where(", "a", "b", "id", "x", "int", "text",
          "varchar(10)", "decimal(12, 2)", "uuid", "'s'", '"doc"', '"""long"""', "`q`", "1", "-2.5", "//c\n",
          "/* c */", "\n", " ", "$", "#", "\\", "\"", "'", "`"]


def _check_outcome(text: str) -> None:
    result = load_text(text)
    if result.ok:
        assert result.schema is not None
    else:
        assert all(d.code in CODES for d in result.diagnostics)
        render(result.diagnostics)


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text):
    _check_outcome(text)


@given(st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join))
def test_token_soup_never_raises(text):
    _check_outcome(text)


@given(mutated_specs(TOKENS))
def test_mutated_specs_never_raise(text):
    _check_outcome(text)
